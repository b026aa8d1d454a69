#include "bench_clusters.hpp"

#include <sys/resource.h>

#include <map>
#include <memory>

#include "heap_counter.hpp"

namespace swarmop::bench {

const BenchCluster& cluster_for(int nodes) {
  // Building a 1,000-node cluster takes longer than planning it: never inside a timing loop.
  static std::map<int, std::unique_ptr<BenchCluster>> built;
  auto& slot = built[nodes];
  if (!slot) {
    const std::size_t before = heap_live_bytes();
    slot = std::make_unique<BenchCluster>();
    slot->cluster = make_cluster({nodes, kServices, kTasksPerNode * nodes});
    slot->heap_bytes = heap_live_bytes() - before;
  }
  return *slot;
}

double mib(std::size_t bytes) {
  return static_cast<double>(bytes) / (1024.0 * 1024.0);
}

double max_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports KiB
}

}  // namespace swarmop::bench
