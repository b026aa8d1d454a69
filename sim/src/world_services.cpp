// SwarmWorld: the /services and /tasks API.
#include <algorithm>
#include <boost/json.hpp>
#include <stdexcept>

#include "render.hpp"
#include "request_parsing.hpp"
#include "service_spec.hpp"
#include "swarmop/sim/swarm_world.hpp"

namespace swarmop::sim {

namespace json = boost::json;

Service* SwarmWorld::lookup_service(const std::string& id_or_name) {
  if (auto it = services_.find(id_or_name); it != services_.end()) {
    return &it->second;
  }
  for (auto& [id, service] : services_) {
    if (service_spec::name(service.spec) == id_or_name) {
      return &service;
    }
  }
  Service* match = nullptr;
  for (auto& [id, service] : services_) {
    if (!id_or_name.empty() && id.starts_with(id_or_name)) {
      if (match != nullptr) {
        return nullptr;
      }
      match = &service;
    }
  }
  return match;
}

void SwarmWorld::touch_service(Service& service) {
  service.version = bump();
  service.updated_at = now();
}

void SwarmWorld::set_update_state(Service& service, const std::string& state,
                                  const std::string& message) {
  const std::string old_state = service.update_status ? service.update_status->state : "";
  if (state == "updating") {
    service.update_status = UpdateState{state, message, now(), std::nullopt};
  } else {
    if (!service.update_status) {
      service.update_status = UpdateState{state, message, now(), std::nullopt};
    }
    service.update_status->state = state;
    service.update_status->message = message;
    service.update_status->completed_at = now();
  }
  touch_service(service);
  std::map<std::string, std::string> attributes{{"name", service_spec::name(service.spec)},
                                                {"updatestate.new", state}};
  if (!old_state.empty()) {
    attributes["updatestate.old"] = old_state;
  }
  emit("service", "update", service.id, std::move(attributes));
}

ApiReply SwarmWorld::list_services(const std::string& filters_text, bool with_status) {
  Lock lock(mutex_);
  advance_locked();
  std::string error;
  const auto filters = request::filters(filters_text, error);
  if (!filters) {
    return ApiReply::error(400, error);
  }
  const auto prefix_match = [&](const std::string& key, const std::string& value) {
    const auto it = filters->find(key);
    if (it == filters->end() || it->second.empty()) {
      return true;
    }
    return std::any_of(it->second.begin(), it->second.end(),
                       [&](const std::string& wanted) { return value.starts_with(wanted); });
  };
  json::array out;
  for (const auto& [id, service] : services_) {
    const std::string name = service_spec::name(service.spec);
    if (!prefix_match("name", name) || !prefix_match("id", id) ||
        !request::matches(*filters, "mode",
                          service_spec::is_global(service.spec) ? "global" : "replicated")) {
      continue;
    }
    json::object rendered = render::service(service);
    if (with_status) {
      std::uint64_t running = 0;
      std::uint64_t desired = 0;
      for (const auto& task : tasks_) {
        if (task.service_id == id && task.desired_state == "running") {
          ++desired;
          running += task.state == "running" ? 1 : 0;
        }
      }
      if (!service_spec::is_global(service.spec)) {
        desired = service_spec::replicas(service.spec);
      }
      rendered["ServiceStatus"] =
          json::object{{"RunningTasks", running}, {"DesiredTasks", desired}, {"CompletedTasks", 0}};
    }
    out.push_back(std::move(rendered));
  }
  return ApiReply{200, std::move(out)};
}

ApiReply SwarmWorld::inspect_service(const std::string& id_or_name) {
  Lock lock(mutex_);
  advance_locked();
  Service* service = lookup_service(id_or_name);
  if (service == nullptr) {
    return ApiReply::error(404, "service " + id_or_name + " not found");
  }
  return ApiReply{200, render::service(*service)};
}

ApiReply SwarmWorld::create_service(const std::string& body) {
  Lock lock(mutex_);
  advance_locked();
  std::string error;
  auto spec = request::json_object_body(body, "swarm.ServiceSpec", error);
  if (!spec) {
    return ApiReply::error(400, error);
  }
  if (auto refusal = service_spec::validate(*spec)) {
    return ApiReply::error(refusal->status, refusal->message);
  }
  std::string name = service_spec::name(*spec);
  if (name.empty()) {
    name = "sim_" + new_id().substr(0, 8);  // the daemon picks a random name
    (*spec)["Name"] = name;
  }
  if (lookup_service(name) != nullptr && service_spec::name(lookup_service(name)->spec) == name) {
    return ApiReply::error(409,
                           "rpc error: code = AlreadyExists desc = name conflicts with an "
                           "existing object: service " +
                               name + " already exists");
  }
  service_spec::apply_engine_defaults(*spec);
  Service service;
  service.id = new_id();
  service.spec = std::move(*spec);
  service.created_at = now();
  touch_service(service);
  const std::string id = service.id;
  services_.emplace(id, std::move(service));
  emit("service", "create", id, {{"name", name}});
  reconcile_service(services_.at(id));
  return ApiReply{201, json::object{{"ID", id}}};
}

std::string SwarmWorld::create_service_directly(const json::object& spec) {
  ApiReply reply = create_service(json::serialize(spec));
  if (!reply.ok()) {
    throw std::runtime_error("create service: " + reply.message());
  }
  return std::string(reply.body.at("ID").get_string());
}

ApiReply SwarmWorld::update_service(const std::string& id_or_name,
                                    const std::optional<std::string>& version_text,
                                    const std::string& body) {
  Lock lock(mutex_);
  advance_locked();
  std::string error;
  const auto version = request::object_version(version_text, "service", error);
  if (!version) {
    return ApiReply::error(400, error);
  }
  auto spec = request::json_object_body(body, "swarm.ServiceSpec", error);
  if (!spec) {
    return ApiReply::error(400, error);
  }
  if (auto refusal = service_spec::validate(*spec)) {
    return ApiReply::error(refusal->status, refusal->message);
  }
  Service* found = lookup_service(id_or_name);
  if (found == nullptr) {
    return ApiReply::error(404, "service " + id_or_name + " not found");
  }
  Service& service = *found;
  if (service_spec::name(*spec) != service_spec::name(service.spec)) {
    return ApiReply::error(501,
                           "rpc error: code = Unimplemented desc = renaming services is not "
                           "supported");
  }
  if (*version != service.version) {
    return ApiReply::error(500, "rpc error: code = Unknown desc = update out of sequence");
  }
  service_spec::apply_engine_defaults(*spec);
  service.previous_spec = std::move(service.spec);
  service.spec = std::move(*spec);
  // Every update starts from no UpdateStatus and supersedes a rollout in progress.
  service.update_status.reset();
  const std::uint64_t generation = service.rollout ? service.rollout->generation + 1 : 0;
  service.rollout.reset();
  touch_service(service);
  emit("service", "update", service.id, {{"name", service_spec::name(service.spec)}});

  const json::object wanted_template = service_spec::template_without_placement(service.spec);
  std::vector<std::uint64_t> dirty_slots;
  for (auto& task : tasks_) {
    if (task.service_id != service.id || task.desired_state != "running") {
      continue;
    }
    json::object task_template = task.spec;
    task_template.erase("Placement");
    json::object compared = wanted_template;
    compared.erase("Runtime");
    const auto node = nodes_.find(task.node_id);
    const bool outdated = task_template != compared ||
                          (node != nodes_.end() && !node_meets_constraints(service, node->second));
    if (task.node_id.empty()) {
      // A task that never ran is simply rescheduled with the new spec.
      task.spec = *service_spec::task_template(service.spec);
      task.spec.erase("Runtime");
    } else if (outdated) {
      dirty_slots.push_back(task.slot);
    }
  }
  reconcile_service(service);
  if (!dirty_slots.empty()) {
    begin_rollout(service, std::move(dirty_slots), generation);
  }
  return ApiReply{200, json::object{{"Warnings", nullptr}}};
}

ApiReply SwarmWorld::remove_service(const std::string& id_or_name) {
  Lock lock(mutex_);
  advance_locked();
  Service* service = lookup_service(id_or_name);
  if (service == nullptr) {
    return ApiReply::error(404, "service " + id_or_name + " not found");
  }
  const std::string id = service->id;
  const std::string name = service_spec::name(service->spec);
  std::erase_if(tasks_, [&](const Task& task) { return task.service_id == id; });
  services_.erase(id);
  bump();
  emit("service", "remove", id, {{"name", name}});
  return ApiReply{200, nullptr};
}

ApiReply SwarmWorld::list_tasks(const std::string& filters_text) {
  Lock lock(mutex_);
  advance_locked();
  std::string error;
  const auto filters = request::filters(filters_text, error);
  if (!filters) {
    return ApiReply::error(400, error);
  }
  // service and node filters take names as well as IDs; resolve them to IDs first.
  std::vector<std::string> service_ids;
  if (auto it = filters->find("service"); it != filters->end()) {
    for (const auto& wanted : it->second) {
      if (const Service* service = lookup_service(wanted)) {
        service_ids.push_back(service->id);
      }
    }
    if (service_ids.empty() && !it->second.empty()) {
      return ApiReply{200, json::array{}};
    }
  }
  std::vector<std::string> node_ids;
  if (auto it = filters->find("node"); it != filters->end()) {
    for (const auto& wanted : it->second) {
      auto found = lookup_node(wanted);
      node_ids.push_back(found.node != nullptr ? found.node->id : wanted);
    }
  }
  std::vector<const Task*> selected;
  for (const auto& task : tasks_) {
    const auto in = [](const std::vector<std::string>& list, const std::string& value) {
      return list.empty() || std::find(list.begin(), list.end(), value) != list.end();
    };
    if (!in(service_ids, task.service_id) || !in(node_ids, task.node_id) ||
        !request::matches(*filters, "desired-state", task.desired_state) ||
        !request::matches(*filters, "id", task.id)) {
      continue;
    }
    // `_up-to-date` (what the docker CLI's progress display asks for): only tasks created
    // from the service's current task template.
    if (filters->count("_up-to-date") > 0) {
      const auto service = services_.find(task.service_id);
      const auto* current =
          service != services_.end() ? service_spec::task_template(service->second.spec) : nullptr;
      // Runtime is the engine's own field, not part of what a task was made from.
      const auto without_runtime = [](boost::json::object spec) {
        spec.erase("Runtime");
        return spec;
      };
      if (current == nullptr || without_runtime(*current) != without_runtime(task.spec)) {
        continue;
      }
    }
    selected.push_back(&task);
  }
  std::sort(selected.begin(), selected.end(),
            [](const Task* a, const Task* b) { return a->id < b->id; });
  json::array out;
  for (const Task* task : selected) {
    out.push_back(render::task(*task));
  }
  return ApiReply{200, std::move(out)};
}

std::map<std::string, int> SwarmWorld::running_by_host(const std::string& service_name) const {
  Lock lock(mutex_);
  std::map<std::string, int> out;
  for (const auto& task : tasks_) {
    const auto service = services_.find(task.service_id);
    const auto node = nodes_.find(task.node_id);
    if (service != services_.end() && service_spec::name(service->second.spec) == service_name &&
        node != nodes_.end() && task.desired_state == "running" && task.state == "running") {
      ++out[node->second.hostname];
    }
  }
  return out;
}

std::vector<Task> SwarmWorld::pending_tasks(const std::string& service_name) const {
  Lock lock(mutex_);
  std::vector<Task> out;
  for (const auto& task : tasks_) {
    const auto service = services_.find(task.service_id);
    if (service != services_.end() && service_spec::name(service->second.spec) == service_name &&
        task.desired_state == "running" && task.state == "pending") {
      out.push_back(task);
    }
  }
  return out;
}

}  // namespace swarmop::sim
