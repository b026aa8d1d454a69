#include "swarmop/reconcilers/quorum.hpp"

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
  std::vector<std::string> out;
  for (const auto& service : services) {
    if (service.mode != "replicated" || service.replicas.value_or(0) == 0) {
      continue;
    }
    const auto constraints = parse_constraints(service.constraints);
    std::uint64_t eligible = 0;
    for (const auto& node : nodes) {
      if (node.state == "ready" && node.availability == "active" &&
          meets_all(constraints, attributes_of(node))) {
        ++eligible;
      }
    }
    const bool limited = service.max_replicas > 0;
    if (eligible == 0 || (limited && *service.replicas > eligible * service.max_replicas)) {
      out.push_back(service.name);
    }
  }
  return out;
}

}  // namespace swarmop::reconcilers
