#pragma once

#include <string>

#include "swarmop/sim/swarm_world.hpp"

namespace swarmop::sim {

struct DefaultWorldOptions {
  int nodes = 1;     //!< node1 (manager, leader) plus nodes-1 workers with no labels
  int unjoined = 0;  //!< extra hosts with running engines, outside the swarm
  std::string stack = "iservices";
};

//! A freshly installed single-node Skylar Automation (PowerFlow) stack, as the manual's
//! docker-compose deploys it: gui, contentapi, couchbase, rabbitmq, steprunner, dexserver,
//! redis, one replica each, all on node1. For `swarm-operator sim` and demos.
void install_default_world(SwarmWorld& world, const DefaultWorldOptions& options = {});

}  // namespace swarmop::sim
