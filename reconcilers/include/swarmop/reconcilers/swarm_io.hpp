#pragma once

#include <functional>

#include "swarmop/clients/docker_client.hpp"
#include "swarmop/model/desired_state.hpp"
#include "swarmop/model/expected.hpp"
#include "swarmop/reconcilers/swarm_observation.hpp"
#include "swarmop/reconcilers/swarm_plan.hpp"

//! The swarm reconcilers' I/O: one observation (a fixed number of list calls whatever the
//! cluster size, plus one /info per node the plan may join or make leave) and one step applied.
namespace swarmop::reconcilers {

//! Opens a client on a node's own engine (to join it or make it leave).
using EngineConnector =
    std::function<model::Expected<clients::DockerClientPtr>(const model::EngineEndpoint&)>;

model::Expected<SwarmObservation> observe_swarm(clients::DockerClient& manager,
                                                const model::DesiredState& desired,
                                                const EngineConnector& engines);

//! Sends one step's write. Join tokens and manager addresses are read right before a join.
model::Expected<model::Unit> apply_swarm_step(const SwarmStep& step, clients::DockerClient& manager,
                                              const model::DesiredState& desired,
                                              const EngineConnector& engines);

//! The writes the data-store reconcilers share with the swarm ones.
model::Expected<model::Unit> send_service_update(clients::DockerClient& manager,
                                                 const ServiceUpdate& update);
model::Expected<model::Unit> send_service_create(clients::DockerClient& manager,
                                                 const CreateService& create);

}  // namespace swarmop::reconcilers
