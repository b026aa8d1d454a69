#include "swarmop/sim/couchbase/fresh_install.hpp"

#include <thread>

#include "swarmop/sim/default_world.hpp"

namespace swarmop::sim::couchbase {

namespace {

ClusterOptions manual_tcp_options() {
  ClusterOptions options;
  options.manual_clock = true;
  options.unix_sockets = false;
  return options;
}

}  // namespace

FreshInstall::FreshInstall(int nodes, CouchbaseSimOptions options)
    : cluster_(std::make_unique<SimulatedCluster>(
          manual_tcp_options(),
          [nodes](SwarmWorld& world) {
            install_default_world(world, DefaultWorldOptions{nodes, 0, "iservices"});
          })),
      couchbase_(std::make_unique<CouchbaseSimulator>(*cluster_, std::move(options))) {
  InvariantProbes probes;
  probes.couchbase_topology_change = [couchbase = couchbase_.get()] {
    return couchbase->moving_data();
  };
  invariants_ = std::make_unique<InvariantMonitor>(*cluster_, std::move(probes));
}

std::string FreshInstall::manager_address() const {
  return cluster_->tcp_address("node1");
}

void FreshInstall::advance(std::chrono::nanoseconds by) {
  couchbase_->advance(by);
  simulated_ += by;
  // The engines' threads get a moment to serve what the new time made due.
  std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

}  // namespace swarmop::sim::couchbase
