#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "swarmop/sim/couchbase/couchbase_simulator.hpp"
#include "swarmop/sim/invariant_monitor.hpp"
#include "swarmop/sim/simulated_cluster.hpp"

namespace swarmop::sim::couchbase {

//! The default fresh install (every task on node1, one Couchbase node, no worker services) on
//! `nodes` swarm nodes over TCP, with the Couchbase simulator over it, on a manual clock: time
//! moves only by advance(), so a journey that waits minutes of simulated time runs in
//! milliseconds. For the reconciler journeys and the scale-out benchmark. The safety
//! invariants are checked from the start, after every change.
class FreshInstall {
 public:
  explicit FreshInstall(int nodes = 3, CouchbaseSimOptions options = {});

  SimulatedCluster& cluster() { return *cluster_; }
  CouchbaseSimulator& couchbase() { return *couchbase_; }
  InvariantMonitor& invariants() { return *invariants_; }
  //! node1's Docker API: "tcp://127.0.0.1:PORT".
  std::string manager_address() const;
  //! Moves the clock (Couchbase and swarm), and gives the servers' threads a moment.
  void advance(std::chrono::nanoseconds by);
  //! Simulated time moved so far.
  std::chrono::nanoseconds simulated() const { return simulated_; }

 private:
  std::unique_ptr<SimulatedCluster> cluster_;
  std::unique_ptr<CouchbaseSimulator> couchbase_;
  std::unique_ptr<InvariantMonitor> invariants_;
  std::chrono::nanoseconds simulated_{0};
};

}  // namespace swarmop::sim::couchbase
