#include "swarmop/reconcilers/placement_planner.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <functional>
#include <initializer_list>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "spec_paths.hpp"
#include "swarmop/clients/docker_spec_edit.hpp"
#include "swarmop/model/duration.hpp"

namespace swarmop::reconcilers {

namespace {

namespace edit = clients::spec_edit;
namespace json = boost::json;
using spec_paths::value_at;

std::string render(const json::value* value) {
  if (value == nullptr || value->is_null()) {
    return "";
  }
  if (value->is_string()) {
    return std::string(value->get_string());
  }
  return json::serialize(*value);
}

std::string render_duration(const json::value* value) {
  if (value == nullptr || !value->is_number()) {
    return render(value);
  }
  const auto nanos = value->to_number<std::int64_t>();
  return model::format_duration(
      std::chrono::duration_cast<model::Duration>(std::chrono::nanoseconds(nanos)));
}

std::string env_value(const json::object& spec, const std::string& name) {
  const json::value* env = value_at(spec, {"TaskTemplate", "ContainerSpec", "Env"});
  if (env == nullptr || !env->is_array()) {
    return "";
  }
  for (const auto& entry : env->get_array()) {
    if (!entry.is_string()) {
      continue;
    }
    const std::string text(entry.get_string());
    if (text.substr(0, text.find('=')) == name) {
      return text.find('=') == std::string::npos ? "" : text.substr(text.find('=') + 1);
    }
  }
  return "";
}

class PlacementPlanner {
 public:
  PlacementPlanner(const model::DesiredState& desired, const SwarmObservation& observed)
      : desired_(desired), observed_(observed) {
    plan_.reconciler = kPlacement;
    // Indexed once: scanning every task for every service made a plan quadratic.
    for (const auto& task : observed_.tasks) {
      tasks_by_service_[task.service_id].push_back(&task);
    }
  }

  SwarmPlan run() {
    for (const auto& [name, spec] : desired_.services) {
      const std::string full_name = stack_service_name(desired_, name);
      const clients::DockerService* service = find_service(observed_, full_name);
      if (service == nullptr) {
        plan_.blocked.push_back(
            {describe("update", full_name, "the file manages this service"),
             "service " + full_name +
                 " does not exist: deploy the stack (docker stack deploy) "
                 "first; the operator manages services, it does not create them"});
        continue;
      }
      if (!plan_spec_update(spec, *service)) {
        check_running_tasks(spec, *service);
      }
    }
    return std::move(plan_);
  }

 private:
  model::StepDescription describe(std::string action, std::string object,
                                  std::string reason) const {
    return describe_step(kPlacement, std::move(action), "service", std::move(object),
                         std::move(reason));
  }

  void finding(model::FindingLevel severity, std::string code, std::string object,
               std::string message) {
    plan_.findings.push_back(
        {kPlacement, severity, std::move(code), std::move(object), std::move(message)});
  }

  //! Applies `change` to `spec`; when that changes the value at `path`, records it.
  void field(json::object& spec, model::StepDescription& step,
             std::initializer_list<std::string_view> path, std::string label,
             const std::function<json::object(json::object)>& change, bool duration = false) {
    // The edit applied to an empty spec gives the wanted value at `path` without copying the
    // whole spec: most fields already match, and copying 300 specs per field dominated a plan.
    const json::object wanted = change(json::object{});
    const json::value* before = value_at(spec, path);
    const json::value* after = value_at(wanted, path);
    const bool same = (before == nullptr && after == nullptr) ||
                      (before != nullptr && after != nullptr && *before == *after);
    if (same) {
      return;
    }
    auto text = duration ? render_duration : render;
    step.changes.push_back({std::move(label), text(before), text(after)});
    spec = change(std::move(spec));
  }

  //! One update with every managed field the file sets; true when one is planned.
  bool plan_spec_update(const model::ServiceSpec& spec, const clients::DockerService& service) {
    json::object next = service.spec;
    auto step = describe("update", service.name, "settings the file sets");
    if (spec.replicas) {
      if (service.mode == "replicated") {
        field(next, step, {"Mode", "Replicated", "Replicas"}, "replicas",
              [&](json::object s) { return edit::with_replicas(std::move(s), *spec.replicas); });
      } else {
        finding(model::FindingLevel::kWarning, "NotReplicated", service.name,
                service.name + " runs in " + service.mode + " mode: replicas do not apply");
      }
    }
    if (spec.max_replicas_per_node) {
      field(next, step, {"TaskTemplate", "Placement", "MaxReplicas"}, "maxReplicasPerNode",
            [&](json::object s) {
              return edit::with_max_replicas(std::move(s), *spec.max_replicas_per_node);
            });
    }
    if (spec.restart_delay) {
      field(
          next, step, {"TaskTemplate", "RestartPolicy", "Delay"}, "restartDelay",
          [&](json::object s) {
            return edit::with_restart_delay(std::move(s), *spec.restart_delay);
          },
          true);
    }
    if (spec.stop_grace_period) {
      field(
          next, step, {"TaskTemplate", "ContainerSpec", "StopGracePeriod"}, "stopGracePeriod",
          [&](json::object s) {
            return edit::with_stop_grace_period(std::move(s), *spec.stop_grace_period);
          },
          true);
    }
    for (const auto& [name, value] : spec.env) {
      const std::string before = env_value(next, name);
      const bool present = before != "" || env_has(next, name);
      if (present && before == value) {
        continue;
      }
      step.changes.push_back({"env." + name, before, value});
      next = edit::with_env(std::move(next), {{name, value}});
    }
    if (spec.resources) {
      resources(next, step, spec.resources->limits, false);
      resources(next, step, spec.resources->reservations, true);
    }
    if (step.changes.empty()) {
      return false;
    }
    const bool lowered_limit =
        spec.max_replicas_per_node && *spec.max_replicas_per_node > 0 &&
        (service.max_replicas == 0 || *spec.max_replicas_per_node < service.max_replicas);
    if (lowered_limit) {
      step.reason +=
          "; a lower max replicas per node moves nothing by itself, so a "
          "force-update follows if a node runs more than the limit";
    }
    plan_.steps.push_back({std::move(step), ServiceUpdate{service.id, service.version, next}});
    return true;
  }

  static bool env_has(const json::object& spec, const std::string& name) {
    const json::value* env = value_at(spec, {"TaskTemplate", "ContainerSpec", "Env"});
    if (env == nullptr || !env->is_array()) {
      return false;
    }
    return std::any_of(env->get_array().begin(), env->get_array().end(), [&](const json::value& e) {
      if (!e.is_string()) {
        return false;
      }
      const std::string text(e.get_string());
      return text.substr(0, text.find('=')) == name;
    });
  }

  void resources(json::object& next, model::StepDescription& step,
                 const std::optional<model::ResourceAmounts>& amounts, bool reservations) {
    if (!amounts) {
      return;
    }
    const std::string_view kind = reservations ? "Reservations" : "Limits";
    const std::string label = reservations ? "reservations" : "limits";
    if (amounts->cpus) {
      field(next, step, {"TaskTemplate", "Resources", kind, "NanoCPUs"}, label + ".nanoCPUs",
            [&](json::object s) {
              return edit::with_resources(std::move(s), reservations, amounts->cpus, std::nullopt);
            });
    }
    if (amounts->memory_bytes) {
      field(next, step, {"TaskTemplate", "Resources", kind, "MemoryBytes"}, label + ".memoryBytes",
            [&](json::object s) {
              return edit::with_resources(std::move(s), reservations, std::nullopt,
                                          amounts->memory_bytes);
            });
    }
  }

  // --- what really runs ----------------------------------------------------------------------
  void check_running_tasks(const model::ServiceSpec& spec, const clients::DockerService& service) {
    if (service.update_status) {
      const std::string& state = service.update_status->state;
      if (state == "updating" || state == "rollback_started") {
        plan_.waiting.push_back(service.name + ": rolling update in progress (" +
                                service.update_status->message + ")");
        return;
      }
      if (state == "paused" || state == "rollback_paused" || state == "rollback_completed") {
        finding(model::FindingLevel::kWarning, "UpdateNotCompleted", service.name,
                service.name + ": its last update is " + state + " (" +
                    service.update_status->message +
                    "); not force-updated again until a person looks at it");
        return;
      }
    }
    int pending = 0;
    std::vector<std::string> pending_reasons;
    int starting = 0;
    int behind = 0;                      // tasks made before the service's last force-update
    std::map<std::string, int> running;  // running tasks by node ID
    for (const clients::DockerTask* listed : tasks_of(service.id)) {
      const clients::DockerTask& task = *listed;
      if (task.desired_state != "running") {
        continue;
      }
      if (task.force_update < service.force_update) {
        ++behind;
      }
      if (task.state == "running" && !task.node_id.empty()) {
        ++running[task.node_id];
      }
      if (task.state == "pending" || task.node_id.empty()) {
        ++pending;
        pending_reasons.push_back(task.err.empty() ? task.message : task.err);
        finding(model::FindingLevel::kWarning, "TaskPending", service.name,
                service.name + " slot " + std::to_string(task.slot) +
                    " is pending: " + (task.err.empty() ? task.message : task.err));
      } else if (task.state != "running") {
        ++starting;
      }
    }
    if (behind > 0) {
      // A force-update was written but Swarm's updater has not replaced these tasks yet. Right
      // after the write it has not even set UpdateStatus to "updating" (seen on a real swarm:
      // the next observation planned a second force-update), so the old placement must not be
      // judged again.
      plan_.waiting.push_back(service.name + ": force-update " +
                              std::to_string(service.force_update) + " not yet rolled out to " +
                              std::to_string(behind) + " task(s)");
      return;
    }
    if (starting > 0) {
      plan_.waiting.push_back(service.name + ": " + std::to_string(starting) + " task(s) starting");
      return;
    }
    if (auto over = over_limit(service, running)) {
      add_force_update(service, *over);
      return;
    }
    if (auto short_by = short_of_replicas(service, running, pending_reasons)) {
      plan_.waiting.push_back(*short_by);
      return;
    }
    if (!spec.spread || pending > 0) {
      return;  // a pending task means no room: a redeploy would not even it out
    }
    if (auto uneven = uneven_spread(service, running)) {
      add_force_update(service, *uneven);
    }
  }

  const std::vector<const clients::DockerTask*>& tasks_of(const std::string& service_id) const {
    static const std::vector<const clients::DockerTask*> none;
    auto it = tasks_by_service_.find(service_id);
    return it == tasks_by_service_.end() ? none : it->second;
  }

  std::string hostname_of(const std::string& node_id) const {
    for (const auto& node : observed_.nodes) {
      if (node.id == node_id) {
        return node.hostname;
      }
    }
    return node_id;
  }

  std::optional<std::string> over_limit(const clients::DockerService& service,
                                        const std::map<std::string, int>& running) const {
    if (service.max_replicas == 0) {
      return std::nullopt;
    }
    std::vector<std::string> over;
    for (const auto& [node_id, count] : running) {
      if (static_cast<std::uint64_t>(count) > service.max_replicas) {
        over.push_back(hostname_of(node_id) + " runs " + std::to_string(count));
      }
    }
    if (over.empty()) {
      return std::nullopt;
    }
    return join_text(over) + " tasks, over the limit of " + std::to_string(service.max_replicas) +
           " per node (Swarm enforces a lowered limit only on redeploy)";
  }

  //! Why the service runs fewer tasks than it wants while Swarm can still place them, so the
  //! pass waits for Swarm instead of calling it in sync (seen on a real swarm: a crashed node
  //! back and its task rescheduled a few seconds later, after its restart delay). nullopt when
  //! it runs them all, or when the rest cannot start by themselves: no eligible node has room,
  //! the engine says the resources are missing, or the restart policy does not restart them.
  //! Those stay findings, since waiting on them would only end at the timeout.
  std::optional<std::string> short_of_replicas(
      const clients::DockerService& service, const std::map<std::string, int>& running,
      const std::vector<std::string>& pending_reasons) const {
    if (service.mode != "replicated" || !service.replicas) {
      return std::nullopt;
    }
    int total = 0;
    for (const auto& [node_id, count] : running) {
      total += count;
    }
    const auto wanted = static_cast<std::int64_t>(*service.replicas);
    if (total >= wanted) {
      return std::nullopt;
    }
    for (const auto& reason : pending_reasons) {
      if (reason.find("insufficient resources") != std::string::npos) {
        return std::nullopt;
      }
    }
    if (pending_reasons.empty() && !restarts_always(service)) {
      return std::nullopt;
    }
    std::int64_t room = 0;
    for (const clients::DockerNode* node : eligible_nodes(service.constraints)) {
      if (service.max_replicas == 0) {
        room = wanted;
        break;
      }
      auto it = running.find(node->id);
      const std::int64_t used = it == running.end() ? 0 : it->second;
      room += std::max<std::int64_t>(0, static_cast<std::int64_t>(service.max_replicas) - used);
    }
    if (room == 0) {
      return std::nullopt;
    }
    std::string text = service.name + ": " + std::to_string(total) + " of " +
                       std::to_string(wanted) + " tasks running";
    if (pending_reasons.empty()) {
      text += "; Swarm has not started the rest yet (restart delay or a node just back)";
    } else {
      text += "; pending: " + pending_reasons.front();
    }
    return text;
  }

  static bool restarts_always(const clients::DockerService& service) {
    const json::value* condition =
        value_at(service.spec, {"TaskTemplate", "RestartPolicy", "Condition"});
    return condition == nullptr || !condition->is_string() || condition->get_string() == "any";
  }

  std::optional<std::string> uneven_spread(const clients::DockerService& service,
                                           const std::map<std::string, int>& running) const {
    std::vector<std::pair<std::string, int>> counts;
    for (const clients::DockerNode* node : eligible_nodes(service.constraints)) {
      auto it = running.find(node->id);
      counts.emplace_back(node->hostname, it == running.end() ? 0 : it->second);
    }
    if (counts.size() < 2) {
      return std::nullopt;
    }
    auto [low, high] = std::minmax_element(counts.begin(), counts.end(),
                                           [](auto& a, auto& b) { return a.second < b.second; });
    if (high->second - low->second < 2) {
      return std::nullopt;
    }
    std::vector<std::string> items;
    for (const auto& [host, count] : counts) {
      items.push_back(host + " " + std::to_string(count));
    }
    return "running tasks are uneven across eligible nodes (" + join_text(items) +
           "); Swarm never moves tasks back after a node recovers";
  }

  //! Ready, active nodes meeting the constraints. Services share a few constraint sets, so each
  //! set is evaluated over the nodes once per plan.
  const std::vector<const clients::DockerNode*>& eligible_nodes(
      const std::vector<std::string>& constraint_texts) const {
    auto [cached, inserted] = eligible_by_constraints_.try_emplace(constraint_texts);
    if (inserted) {
      const auto constraints = parse_constraints(constraint_texts);
      for (const auto& node : observed_.nodes) {
        if (node.state == "ready" && node.availability == "active" &&
            meets_all(constraints, attributes_of(node))) {
          cached->second.push_back(&node);
        }
      }
    }
    return cached->second;
  }

  void add_force_update(const clients::DockerService& service, const std::string& reason) {
    auto step = describe("force-update", service.name, reason);
    step.changes.push_back({"TaskTemplate.ForceUpdate", std::to_string(service.force_update),
                            std::to_string(service.force_update + 1)});
    plan_.steps.push_back(
        {std::move(step),
         ServiceUpdate{service.id, service.version, edit::with_force_update_bumped(service.spec)}});
  }

  const model::DesiredState& desired_;
  const SwarmObservation& observed_;
  std::unordered_map<std::string, std::vector<const clients::DockerTask*>> tasks_by_service_;
  mutable std::map<std::vector<std::string>, std::vector<const clients::DockerNode*>>
      eligible_by_constraints_;
  SwarmPlan plan_;
};

}  // namespace

SwarmPlan plan_placement(const model::DesiredState& desired, const SwarmObservation& observed) {
  return PlacementPlanner(desired, observed).run();
}

}  // namespace swarmop::reconcilers
