#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "swarmop/sim/swarm_world.hpp"

//! The manual's Couchbase worker services, for building simulated stacks.
namespace swarmop::sim::couchbase {

//! A couchbase-worker ServiceSpec as the manual's docker-compose-override adds it: image
//! is-couchbase, hostname <name>.isnet, aliases, the data volume, env TYPE=WORKER and
//! db_host=couchbase (plus AUTO_REBALANCE=true when asked), pinned with
//! node.hostname == <pinned_to>, `replicas` replicas (the manual starts with 0).
boost::json::object worker_spec(const std::string& stack, const std::string& name,
                                const std::string& pinned_to, bool auto_rebalance,
                                int replicas = 0);

//! `docker service scale <service>=<replicas>` through the Engine API (throws on error).
void scale_service(SwarmWorld& world, const std::string& service, int replicas);

}  // namespace swarmop::sim::couchbase
