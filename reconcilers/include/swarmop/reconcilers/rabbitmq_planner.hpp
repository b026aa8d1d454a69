#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "swarmop/clients/rabbitmq_types.hpp"
#include "swarmop/model/desired_state.hpp"
#include "swarmop/model/error.hpp"
#include "swarmop/model/plan.hpp"
#include "swarmop/reconcilers/swarm_observation.hpp"
#include "swarmop/reconcilers/swarm_plan.hpp"

namespace swarmop::reconcilers {

inline constexpr const char* kRabbitmq = "rabbitmq";

//! What the management API shows: read with four calls whatever the number of queues.
struct RabbitObservation {
  std::optional<std::string> unreachable;  //!< why no management endpoint answered
  //! The credentials were refused (401/403): not a state of the cluster but of the
  //! invocation, so apply ends with an error (exit 1) and watch's pass fails, never "blocked".
  std::optional<model::Error> credentials_refused;
  clients::RabbitOverview overview;
  std::vector<clients::RabbitNode> nodes;
  std::vector<clients::RabbitPolicy> policies;  //!< of the HA policy's vhost
  std::vector<clients::RabbitQueue> queues;     //!< of the HA policy's vhost
};

struct PutPolicy {
  clients::RabbitPolicy policy;
};
struct SyncQueue {
  std::string vhost;
  std::string name;
};

using RabbitOperation = std::variant<CreateService, ServiceUpdate, PutPolicy, SyncQueue>;

struct RabbitStep {
  model::StepDescription description;
  RabbitOperation operation;
};

struct RabbitPlan {
  std::vector<RabbitStep> steps;
  std::vector<model::BlockedStep> blocked;
  std::vector<model::Finding> findings;
  std::vector<std::string> waiting;

  model::PlanReport report() const;
};

//! The RabbitMQ node name of a rabbit service's container: rabbit@<hostname>.
std::string rabbit_node_name(const std::string& container_hostname);
//! The manual's hostname of the Nth rabbit node (1-based): rabbit_nodeN.isnet.
std::string rabbit_hostname(std::size_t number);
//! The policy the file asks for, in the management API's terms.
clients::RabbitPolicy desired_policy(const model::HaPolicy& policy);

//! The manual's RabbitMQ clustering as a plan, in this order: the rabbit node services (created
//! from the primary's spec, pinned, with their stop grace periods, started one at a time, each
//! after the one before runs in the cluster), the HA policy (only with more than one node and
//! only where classic mirroring exists, written only when it differs), then one sync of
//! unsynchronised mirrors at a time, never while a node is down or a partition is open. Pure.
RabbitPlan plan_rabbitmq(const model::DesiredState& desired, const SwarmObservation& swarm,
                         const RabbitObservation& rabbit);

}  // namespace swarmop::reconcilers
