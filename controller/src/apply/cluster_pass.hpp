#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "swarmop/clients/couchbase_client.hpp"
#include "swarmop/clients/docker_client.hpp"
#include "swarmop/clients/rabbitmq_client.hpp"
#include "swarmop/model/desired_state.hpp"
#include "swarmop/model/plan.hpp"
#include "swarmop/reconcilers/swarm_io.hpp"

namespace swarmop::controller {

//! Every reconciler's plan from one observation, and a way to take the first step.
struct ClusterPass {
  std::vector<model::PlanReport> reports;  //!< membership, labels, placement, rabbitmq, ...
  int steps = 0;
  bool waiting = false;
  bool blocked = false;
  std::optional<model::StepDescription> next;
  //! Sends the first step's write (set when `next` is).
  std::function<model::Expected<model::Unit>()> apply_next;
};

//! What the reconcilers talk to. The data-store clients are optional: without one, a file with
//! that section gets a blocked "cannot observe" step for it.
struct ClusterClients {
  clients::DockerClient& docker;
  reconcilers::EngineConnector engines;
  clients::RabbitClient* rabbit = nullptr;
  clients::CouchbaseClient* couchbase = nullptr;
  //! Moves every later Docker call to another manager's engine (apply sets it, over a
  //! clients::ManagerHandoverClient); empty where the controller cannot move, and a step that
  //! would take away the manager it talks through is then refused. The endpoint is the file's
  //! `engine` entry the client was opened on (apply's lease moves there too).
  std::function<void(clients::DockerClientPtr, const model::EngineEndpoint&)> use_manager = nullptr;
};

//! One reconciler's plan from one observation, and a way to take its first step.
struct ReconcilerPlan {
  model::PlanReport report;
  int steps = 0;
  bool waiting = false;
  bool blocked = false;
  std::optional<model::StepDescription> next;
  std::function<model::Expected<model::Unit>()> apply_next;  //!< set when `next` is
  //! The data store refused the credentials: the pass fails with this error (apply exits 1)
  //! instead of reporting the reconciler blocked.
  std::optional<model::Error> failure;
};

//! The reconcilers in the order a pass runs them: membership, labels, placement, couchbase,
//! rabbitmq.
const std::vector<std::string>& reconciler_names();

//! Plans the reconcilers from one swarm observation (`only`: just that one, as watch mode's
//! per-reconciler passes do), observing Couchbase and RabbitMQ as they need. The data stores'
//! reconcilers are left out when the file has no section for them. The step closures hold the
//! observation and `clients`, which must outlive them.
std::vector<ReconcilerPlan> plan_reconcilers(
    const model::DesiredState& desired, ClusterClients& clients,
    std::shared_ptr<const reconcilers::SwarmObservation> swarm,
    const std::optional<std::string>& only = std::nullopt);

//! The report of a data-store reconciler (couchbase or rabbitmq) that has no client: a blocked
//! "observe" step saying which endpoint to give.
model::PlanReport unobserved_report(const std::string& reconciler);

//! Observes (one list per kind for the swarm; five reads for Couchbase, four for RabbitMQ), plans
//! every reconciler, and picks the first step in reconciler order. A RabbitMQ that does not answer
//! is reported in its plan and never stops the swarm reconcilers; a swarm that cannot be read is an
//! error.
model::Expected<ClusterPass> plan_cluster(const model::DesiredState& desired,
                                          ClusterClients& clients);

}  // namespace swarmop::controller
