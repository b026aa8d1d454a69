#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "swarmop/clients/docker_types.hpp"
#include "swarmop/model/constraint.hpp"
#include "swarmop/model/desired_state.hpp"

namespace swarmop::reconcilers {

//! What a node's own engine says about itself, for nodes the plan may join or make leave.
struct EngineObservation {
  bool reachable = false;
  std::string error;             //!< why it could not be asked (when not reachable)
  std::string local_node_state;  //!< inactive, pending, active, error, locked
  std::string node_id;
  std::string swarm_error;
};

//! One observation of the swarm: one list per resource kind, read from one manager, plus the
//! engines of the listed nodes that are missing from the swarm or asked to leave. Planners
//! read only this, so a plan is a pure function of (desired state, observation).
struct SwarmObservation {
  std::vector<clients::DockerNode> nodes;
  std::vector<clients::DockerService> services;
  std::vector<clients::DockerTask> tasks;  //!< tasks whose desired state is running
  //! The other tasks Swarm still keeps (its task history: shut down, failed, replaced), read by
  //! the same list call: where a stateful service has run tells where its data may be.
  std::vector<clients::DockerTask> task_history;
  std::map<std::string, EngineObservation> engines;  //!< by hostname, as the file spells it
};

//! Hostnames are compared without regard to case, as Swarm does.
bool same_hostname(std::string_view a, std::string_view b);

//! The node entry for a hostname: the ready one when a re-join left a stale down entry behind,
//! else the newest. nullptr when the hostname has no entry.
const clients::DockerNode* find_node(const std::vector<clients::DockerNode>& nodes,
                                     std::string_view hostname);

//! Node entries by hostname, built once per plan: planners look a node up for every listed
//! node, and a scan per lookup made a 1,000-node plan quadratic.
class NodeIndex {
 public:
  explicit NodeIndex(const std::vector<clients::DockerNode>& nodes);
  //! The same entry find_node() picks, or nullptr.
  const clients::DockerNode* find(std::string_view hostname) const;

 private:
  const std::vector<clients::DockerNode>* nodes_;
  std::unordered_map<std::string, std::size_t> best_;  //!< folded hostname -> position
};

//! The file's nodes by hostname (compared without regard to case).
class DesiredNodeIndex {
 public:
  explicit DesiredNodeIndex(const model::DesiredState& desired);
  const model::NodeSpec* find(std::string_view hostname) const;

 private:
  std::unordered_map<std::string, const model::NodeSpec*> by_host_;
};

//! `<stack>_<name>`, the name `docker stack deploy` gives a service.
std::string stack_service_name(const model::DesiredState& desired, const std::string& name);
//! The full names of a data store's node services, in the file's order.
std::vector<std::string> stack_service_names(const model::DesiredState& desired,
                                             const std::vector<model::PinnedService>& nodes);
const clients::DockerService* find_service(const SwarmObservation& observed,
                                           const std::string& full_name);

//! A node as the scheduler sees it, for constraint evaluation.
model::NodeAttributes attributes_of(const clients::DockerNode& node);

//! Parses a service's constraint strings; ones that do not parse are returned in `unparsed`.
std::vector<model::Constraint> parse_constraints(const std::vector<std::string>& texts,
                                                 std::vector<std::string>* unparsed = nullptr);

//! Whether the node meets every constraint. Unknown (an engine label Docker does not show)
//! counts as not met: capacity and satisfiability checks then err on the safe side.
bool meets_all(const std::vector<model::Constraint>& constraints,
               const model::NodeAttributes& node);

//! Running tasks of a service by node ID.
std::map<std::string, int> running_tasks_by_node(const SwarmObservation& observed,
                                                 const std::string& service_id);

//! "types=master, zone=a" (or "no labels").
std::string labels_text(const std::map<std::string, std::string>& labels);
std::string join_text(const std::vector<std::string>& items, std::string_view separator = ", ");

}  // namespace swarmop::reconcilers
