#pragma once

#include <boost/program_options.hpp>

#include "swarmop/clients/docker_client.hpp"
#include "swarmop/model/expected.hpp"
#include "swarmop/reconcilers/swarm_io.hpp"

namespace swarmop::cli {

//! The swarm a command talks to: a manager's engine (--docker, else DOCKER_HOST and friends)
//! and a way to reach each node's own engine from the file's `engine` entries.
struct SwarmConnection {
  clients::DockerClientPtr manager;
  reconcilers::EngineConnector engines;
};

model::Expected<SwarmConnection> connect_swarm(
    const boost::program_options::variables_map& options);

}  // namespace swarmop::cli
