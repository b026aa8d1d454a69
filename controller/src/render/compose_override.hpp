#pragma once

#include <string>
#include <string_view>

#include "swarmop/model/desired_state.hpp"

//! `swarm-operator render compose-override FILE`: the manual's docker-compose-override.yml for
//! a desired state, so a later `docker stack deploy` sets what the operator would set instead
//! of undoing it. Pure: the same document always gives the same text.
namespace swarmop::render {

//! A compose file (version "3.8") with one entry per service the document declares and per
//! Couchbase and RabbitMQ node service the operator manages: replicas, placement (constraints,
//! max_replicas_per_node, spread preferences), restart delay, resources, stop_grace_period,
//! the environment the document sets, and the operator's own changes to the node services
//! (pins, hostnames, the worker environment, admin ports). Services are sorted by name.
//! `source` names the document in the comment header.
std::string render_compose_override(const model::DesiredState& desired, std::string_view source);

}  // namespace swarmop::render
