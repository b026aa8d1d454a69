#pragma once

#include "swarmop/model/desired_state.hpp"
#include "swarmop/reconcilers/swarm_observation.hpp"

//! A generated swarm the size of a large deployment, for timing the planners: the observation
//! one pass reads (nodes, services, running tasks, each node and service with a raw spec like
//! the engine returns) and two desired states for it.
namespace swarmop::bench {

struct ClusterSize {
  int nodes = 10;
  int services = 300;
  int tasks = 100;  //!< running tasks, spread over the services' replicas
};

struct SyntheticCluster {
  reconcilers::SwarmObservation observed;
  //! Everything the file sets already holds: every planner finds nothing to do.
  model::DesiredState in_sync;
  //! The in-sync file with the edits a person makes between two passes: relabelled nodes, a
  //! drained node, changed replicas, environment, max replicas per node and constraints.
  model::DesiredState drifted;
};

//! Deterministic: the same size always gives the same cluster.
SyntheticCluster make_cluster(const ClusterSize& size);

}  // namespace swarmop::bench
