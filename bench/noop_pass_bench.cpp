// Issue #6: a pass over a converged swarm reads one list per resource kind, whatever the cluster
// size, and writes nothing.
#include <benchmark/benchmark.h>

#include "bench_clusters.hpp"
#include "in_memory_docker_client.hpp"
#include "swarmop/clients/counting_docker_client.hpp"
#include "swarmop/reconcilers/swarm_io.hpp"
#include "swarmop/reconcilers/swarm_reconcilers.hpp"

namespace swarmop::bench {
namespace {

//! No node of the in-sync file needs its own engine; reaching one would be a bug in the pass.
model::Expected<clients::DockerClientPtr> no_engine(const model::EngineEndpoint& endpoint) {
  model::Error error;
  error.code = model::ErrorCode::kInvalid;
  error.message = "the no-op pass asked for the engine at " + endpoint.endpoint;
  return error;
}

//! Observe, plan, and apply what the controller would: the first step of each plan.
bool pass(clients::DockerClient& manager, const model::DesiredState& desired) {
  auto observed = reconcilers::observe_swarm(manager, desired, no_engine);
  if (!observed) {
    return false;
  }
  for (const auto& plan : reconcilers::plan_swarm(desired, *observed)) {
    if (!plan.steps.empty() &&
        !reconcilers::apply_swarm_step(plan.steps.front(), manager, desired, no_engine)) {
      return false;
    }
  }
  return true;
}

void BM_noop_pass(benchmark::State& state) {
  const int nodes = static_cast<int>(state.range(0));
  const SyntheticCluster& cluster = cluster_for(nodes).cluster;
  InMemoryDockerClient engine(cluster.observed);
  clients::CountingDockerClient manager(engine);
  for (auto _ : state) {
    if (!pass(manager, cluster.in_sync)) {
      state.SkipWithError("the pass failed");
      return;
    }
  }
  state.SetComplexityN(nodes);
  state.counters["reads"] =
      benchmark::Counter(static_cast<double>(manager.reads()), benchmark::Counter::kAvgIterations);
  state.counters["writes"] =
      benchmark::Counter(static_cast<double>(manager.writes()), benchmark::Counter::kAvgIterations);
}

BENCHMARK(BM_noop_pass)->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace swarmop::bench
