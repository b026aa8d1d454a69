#pragma once

#include "swarmop/clients/docker_client.hpp"
#include "swarmop/clients/rabbitmq_client.hpp"
#include "swarmop/reconcilers/rabbitmq_planner.hpp"

namespace swarmop::reconcilers {

//! Four reads whatever the number of queues: overview, nodes, the vhost's policies and queues.
//! A cluster no endpoint answers is an observation too (`unreachable`), not an error: the rabbit
//! services can still be planned, and the other reconcilers go on.
RabbitObservation observe_rabbitmq(clients::RabbitClient& rabbit, const std::string& vhost);

model::Expected<model::Unit> apply_rabbitmq_step(const RabbitStep& step,
                                                 clients::DockerClient& docker,
                                                 clients::RabbitClient& rabbit);

}  // namespace swarmop::reconcilers
