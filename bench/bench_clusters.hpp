#pragma once

#include <cstddef>

#include "synthetic_cluster.hpp"

//! The clusters of issue #6, built once per size and shared by every benchmark of the binary.
namespace swarmop::bench {

inline constexpr int kServices = 300;
inline constexpr int kTasksPerNode = 10;  // 1,000 nodes: 10,000 tasks

struct BenchCluster {
  SyntheticCluster cluster;
  std::size_t heap_bytes = 0;  //!< what building it left on the heap (mostly the observation)
};

const BenchCluster& cluster_for(int nodes);

double mib(std::size_t bytes);
//! The process's peak resident set so far (getrusage), in MiB.
double max_rss_mib();

}  // namespace swarmop::bench
