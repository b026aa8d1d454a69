#pragma once

#include <string>
#include <vector>

#include "swarmop/clients/docker_types.hpp"

namespace swarmop::reconcilers {

//! Raft arithmetic over a swarm's manager entries. Down and unreachable managers are still
//! members and count in the majority, as they do in raft.
struct QuorumCount {
  int managers = 0;   //!< raft members
  int reachable = 0;  //!< members that answer
  int needed() const { return managers / 2 + 1; }
  bool has_quorum() const { return managers > 0 && reachable >= needed(); }
  //! "2 of 3 managers reachable, a majority needs 2"
  std::string text() const;
};

QuorumCount count_quorum(const std::vector<clients::DockerNode>& nodes);
bool is_reachable_manager(const clients::DockerNode& node);

//! Replicated services that could not hold their replicas on these nodes (Ready, active, meeting
//! their constraints, at most MaxReplicas each), by name.
std::vector<std::string> services_without_room(const std::vector<clients::DockerService>& services,
                                               const std::vector<clients::DockerNode>& nodes);

}  // namespace swarmop::reconcilers
