#pragma once

#include <string>
#include <string_view>

#include "swarmop/model/desired_state.hpp"

//! `swarm-operator render haproxy FILE`: the load balancer the manual's high-availability
//! deployments put in front of the cluster, as an HAProxy configuration. Pure: the same
//! document always gives the same text.
namespace swarmop::render {

//! global and defaults, then for each of 443 (HTTPS), 5556 (Dex) and 3141 (Devpi) a TCP
//! frontend and a backend over the document's manager nodes (in file order; drained ones
//! disabled, ones leaving the swarm left out) with the manual's health check for that port,
//! or a plain TCP check where the manual gives none. `source` names the document in the
//! comment header.
std::string render_haproxy(const model::DesiredState& desired, std::string_view source);

}  // namespace swarmop::render
