#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "swarmop/sim/clock.hpp"
#include "swarmop/sim/simulated_cluster.hpp"

//! The safety invariants every simulated journey must keep, checked after every change the
//! simulators see (each write request, each move of the clock) rather than only at a journey's
//! end: a state that broke an invariant for one step and was repaired by the next is still a
//! violation. Faults a test injects (a dead engine, a partition) are not the operator's doing:
//! the invariants that speak of "our action" leave out what those explain.
namespace swarmop::sim {

struct InvariantViolation {
  //! quorum, data-loss, data-record, rebalance-alone, rabbit-nodes-down
  std::string invariant;
  std::string detail;
  UnixNanos time = 0;
};

//! What the monitor reads beyond the swarm: set by the data-store simulators that exist.
struct InvariantProbes {
  //! True while Couchbase runs a rebalance or a graceful failover.
  std::function<bool()> couchbase_topology_change = nullptr;
  //! Services whose image holds these run Couchbase and RabbitMQ nodes.
  std::string couchbase_image = "is-couchbase";
  std::string rabbit_image = "is-rabbit";
};

class InvariantMonitor {
 public:
  //! Starts watching the cluster at once; stops when destroyed.
  explicit InvariantMonitor(SimulatedCluster& cluster, InvariantProbes probes = {});
  ~InvariantMonitor();
  InvariantMonitor(const InvariantMonitor&) = delete;
  InvariantMonitor& operator=(const InvariantMonitor&) = delete;

  void set_couchbase_probe(std::function<bool()> topology_change);
  //! Checks every invariant now (the cluster also calls it after each change).
  void check();
  std::size_t checks() const;
  std::vector<InvariantViolation> violations() const;
  //! One line per violation; empty when there is none.
  std::string report() const;

  struct State;

 private:
  SimulatedCluster& cluster_;
  std::shared_ptr<State> state_;
  int handle_ = 0;
};

}  // namespace swarmop::sim
