#include "swarmop/reconcilers/quorum.hpp"

#include <map>

#include "swarmop/reconcilers/swarm_observation.hpp"

namespace swarmop::reconcilers {

std::string QuorumCount::text() const {
  return std::to_string(reachable) + " of " + std::to_string(managers) +
         " managers reachable, a majority needs " + std::to_string(needed());
}

bool is_reachable_manager(const clients::DockerNode& node) {
  return node.role == "manager" && node.state != "down" &&
         node.manager_reachability.value_or("") == "reachable";
}

QuorumCount count_quorum(const std::vector<clients::DockerNode>& nodes) {
  QuorumCount out;
  for (const auto& node : nodes) {
    if (node.role != "manager") {
      continue;
    }
    ++out.managers;
    if (is_reachable_manager(node)) {
      ++out.reachable;
    }
  }
  return out;
}

std::vector<std::string> services_without_room(const std::vector<clients::DockerService>& services,
                                               const std::vector<clients::DockerNode>& nodes) {
  // The nodes that can take tasks, described once: this runs for every service, twice per
  // planned drain, and copying each node's labels per service dominated large-cluster plans.
  std::vector<model::NodeAttributes> usable;
  for (const auto& node : nodes) {
    if (node.state == "ready" && node.availability == "active") {
      usable.push_back(attributes_of(node));
    }
  }
  // Services share a handful of constraint sets (the stack's types == master / worker): count
  // the eligible nodes once per distinct set, not once per service.
  std::map<std::vector<std::string>, std::uint64_t> eligible_by_constraints;
  std::vector<std::string> out;
  for (const auto& service : services) {
    if (service.mode != "replicated" || service.replicas.value_or(0) == 0) {
      continue;
    }
    auto [cached, inserted] = eligible_by_constraints.try_emplace(service.constraints, 0);
    if (inserted) {
      const auto constraints = parse_constraints(service.constraints);
      for (const auto& node : usable) {
        if (meets_all(constraints, node)) {
          ++cached->second;
        }
      }
    }
    const std::uint64_t eligible = cached->second;
    const bool limited = service.max_replicas > 0;
    if (eligible == 0 || (limited && *service.replicas > eligible * service.max_replicas)) {
      out.push_back(service.name);
    }
  }
  return out;
}

}  // namespace swarmop::reconcilers
