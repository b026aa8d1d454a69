#include "swarmop/reconcilers/admission.hpp"

#include <boost/json.hpp>

#include "spec_paths.hpp"

namespace swarmop::reconcilers {

namespace {

namespace json = boost::json;

using spec_paths::object_at;
using spec_paths::value_at;

std::vector<std::string> constraints_of(const json::object& service_spec) {
  std::vector<std::string> out;
  const json::value* list = value_at(service_spec, {"TaskTemplate", "Placement", "Constraints"});
  if (list != nullptr && list->is_array()) {
    for (const auto& item : list->get_array()) {
      if (item.is_string()) {
        out.emplace_back(item.get_string());
      }
    }
  }
  return out;
}

//! The task template without its placement: Swarm restarts a task when this changes, but not
//! for a placement change its node still satisfies.
json::object template_without_placement(const json::object& service_spec) {
  const json::object* task = object_at(service_spec, {"TaskTemplate"});
  json::object out = task != nullptr ? *task : json::object{};
  out.erase("Placement");
  return out;
}

bool wants_tasks(const json::object& service_spec) {
  if (object_at(service_spec, {"Mode", "Replicated"}) == nullptr) {
    return true;  // global (or no mode): a task on every eligible node
  }
  const json::value* replicas = value_at(service_spec, {"Mode", "Replicated", "Replicas"});
  return replicas == nullptr || !replicas->is_number() || replicas->to_number<double>() > 0;
}

std::string what_it_is(const DataHome& home) {
  return home.data_store ? home.service + " (a data store node)" : home.service;
}

std::string ambiguity_text(const DataHome& home) {
  return what_it_is(home) + " has run on " + join_text(home.ambiguous) + " (" + home.mounts_text() +
         ") and the operator has no record of which node holds its data; say where it is with "
         "`dataNode` in the file or `docker service update --label-add " +
         kDataNodeLabel + "=HOSTNAME " + home.service + "`";
}

std::string away_text(const DataHome& home) {
  return "; on another node it would start over an empty " + home.mounts_text() +
         (home.data_store ? " (a new, empty server under the old name)" : "");
}

}  // namespace

Admission::Admission(const model::DesiredState& desired, const SwarmObservation& observed)
    : observed_(observed), homes_(find_data_homes(desired, observed)), nodes_(observed.nodes) {}

const clients::DockerService* Admission::service_by_id(const std::string& id) const {
  for (const auto& service : observed_.services) {
    if (service.id == id) {
      return &service;
    }
  }
  return nullptr;
}

std::optional<std::string> Admission::refuse(const NodeUpdate& update) const {
  const clients::DockerNode* node = nullptr;
  for (const auto& candidate : observed_.nodes) {
    if (candidate.id == update.node_id) {
      node = &candidate;
    }
  }
  if (node == nullptr || homes_.empty()) {
    return std::nullopt;
  }
  model::NodeAttributes after = attributes_of(*node);
  if (const json::value* role = update.spec.if_contains("Role"); role && role->is_string()) {
    after.role = std::string(role->get_string());
  }
  if (const json::object* labels = object_at(update.spec, {"Labels"})) {
    after.labels.clear();
    for (const auto& [key, value] : *labels) {
      if (value.is_string()) {
        after.labels[std::string(key)] = std::string(value.get_string());
      }
    }
  }
  std::string availability = node->availability;
  if (const json::value* set = update.spec.if_contains("Availability"); set && set->is_string()) {
    availability = std::string(set->get_string());
  }
  const model::NodeAttributes before = attributes_of(*node);
  for (const auto& [name, home] : homes_) {
    const clients::DockerService* service = service_by_id(home.service_id);
    if (service == nullptr || !wants_tasks(service->spec)) {
      continue;
    }
    const bool ambiguous_here =
        std::any_of(home.ambiguous.begin(), home.ambiguous.end(),
                    [&](const std::string& host) { return same_hostname(host, node->hostname); });
    if (!home.holds(node->hostname) && !ambiguous_here) {
      continue;
    }
    std::string change;
    if (availability != node->availability && availability != "active") {
      change = (availability == "drain" ? "draining " : "pausing ") + node->hostname +
               (availability == "drain" ? " moves " : " keeps new tasks of ") + service->name +
               " off it";
    } else {
      const auto constraints = parse_constraints(service->constraints);
      if (meets_all(constraints, before) && !meets_all(constraints, after)) {
        change = "after this change " + node->hostname + " no longer meets " + service->name +
                 "'s constraints (" + join_text(service->constraints) +
                 "), so Swarm stops its task there and starts it elsewhere";
      }
    }
    if (change.empty()) {
      continue;
    }
    if (ambiguous_here) {
      return change + ", and " + ambiguity_text(home);
    }
    return change + ", but " + what_it_is(home) + " keeps its data (" + home.mounts_text() +
           ") on " + node->hostname + away_text(home) +
           ". Move the service's data first, or give it shared storage";
  }
  return std::nullopt;
}

std::optional<std::string> Admission::refuse(const ServiceUpdate& update) const {
  const clients::DockerService* service = service_by_id(update.service_id);
  if (service == nullptr) {
    return std::nullopt;
  }
  auto found = homes_.find(service->name);
  if (found == homes_.end() || !wants_tasks(update.spec)) {
    return std::nullopt;
  }
  const DataHome& home = found->second;
  if (home.nodes.empty() && home.ambiguous.empty()) {
    return std::nullopt;  // no task has run: there is no data yet
  }
  const auto texts = constraints_of(update.spec);
  const auto constraints = parse_constraints(texts);
  // Scaled back up from zero, a task starts wherever the constraints allow: like a restart.
  const bool restarts =
      template_without_placement(service->spec) != template_without_placement(update.spec) ||
      !wants_tasks(service->spec);
  const bool placement_changes = texts != service->constraints;
  if (!restarts && !placement_changes) {
    return std::nullopt;  // labels, replicas, update settings: nothing moves
  }
  if (!home.ambiguous.empty()) {
    return "this update may move " + service->name + ", and " + ambiguity_text(home);
  }
  for (const auto& hostname : home.nodes) {
    const clients::DockerNode* node = nodes_.find(hostname);
    if (node != nullptr && !meets_all(constraints, attributes_of(*node))) {
      return "the new constraints (" + (texts.empty() ? std::string("none") : join_text(texts)) +
             ") exclude " + hostname + ", where " + what_it_is(home) + " keeps its data (" +
             home.mounts_text() + ")" + away_text(home) + ". Keep it on " + hostname +
             " (for a data store node, name " + hostname +
             " as its node in the file), or move its data first";
    }
  }
  if (!restarts) {
    return std::nullopt;  // Swarm leaves a task whose node still meets the new placement
  }
  std::vector<std::string> elsewhere;
  for (const auto& node : observed_.nodes) {
    if (node.state == "ready" && node.availability == "active" && !home.holds(node.hostname) &&
        meets_all(constraints, attributes_of(node))) {
      elsewhere.push_back(node.hostname);
    }
  }
  if (elsewhere.empty()) {
    return std::nullopt;
  }
  return "this update " + std::string(wants_tasks(service->spec) ? "restarts " : "starts again ") +
         what_it_is(home) + ", and its constraints (" +
         (texts.empty() ? std::string("none") : join_text(texts)) + ") let Swarm start it on " +
         join_text(elsewhere) + ", away from its data (" + home.mounts_text() + ") on " +
         join_text(home.nodes) + away_text(home) + ". Pin it to " + join_text(home.nodes) +
         " first (node.hostname == " + home.nodes.front() + ")";
}

const std::vector<DataStoreActivity>& Admission::activity() const {
  if (!activity_) {
    activity_ = activity_source_ ? activity_source_() : std::vector<DataStoreActivity>{};
  }
  return *activity_;
}

bool Admission::disruptive(const NodeUpdate& update) const {
  for (const auto& node : observed_.nodes) {
    if (node.id != update.node_id) {
      continue;
    }
    const json::value* availability = update.spec.if_contains("Availability");
    const json::value* role = update.spec.if_contains("Role");
    const bool stops_tasks = availability != nullptr && availability->is_string() &&
                             availability->get_string() != "active" &&
                             availability->get_string() != node.availability;
    const bool demotes = role != nullptr && role->is_string() && node.role == "manager" &&
                         role->get_string() == "worker";
    return stops_tasks || demotes;
  }
  return false;
}

bool Admission::disruptive(const ServiceUpdate& update) const {
  const clients::DockerService* service = service_by_id(update.service_id);
  return service != nullptr && homes_.contains(service->name) &&
         template_without_placement(service->spec) != template_without_placement(update.spec);
}

std::optional<std::string> Admission::refuse_node_loss(const std::string& hostname,
                                                       const std::string& what) const {
  for (const auto& [name, home] : homes_) {
    const bool ambiguous_here =
        std::any_of(home.ambiguous.begin(), home.ambiguous.end(),
                    [&](const std::string& host) { return same_hostname(host, hostname); });
    if (home.holds(hostname)) {
      return what + " " + hostname + " takes away the node where " + what_it_is(home) +
             " keeps its data (" + home.mounts_text() + ")" + away_text(home) +
             ". Move the service's data first";
    }
    if (ambiguous_here) {
      return what + " " + hostname + " may take away " + name + "'s data: " + ambiguity_text(home);
    }
  }
  return std::nullopt;
}

std::optional<std::string> Admission::refuse(const LeaveSwarm& leave) const {
  return refuse_node_loss(leave.hostname, "leaving the swarm from");
}

std::optional<std::string> Admission::refuse(const RemoveNode& remove) const {
  for (const auto& node : observed_.nodes) {
    if (node.id == remove.node_id) {
      return refuse_node_loss(node.hostname, "removing");
    }
  }
  return std::nullopt;
}

}  // namespace swarmop::reconcilers
