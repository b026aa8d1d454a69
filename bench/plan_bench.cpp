// Issue #6: one plan of a 1,000-node, 300-service, 10,000-task swarm in under 20 ms and 50 MiB,
// and how that grows from 10 to 1,000 nodes.
#include <benchmark/benchmark.h>

#include <cstddef>

#include "bench_clusters.hpp"
#include "heap_counter.hpp"
#include "swarmop/reconcilers/swarm_reconcilers.hpp"

namespace swarmop::bench {
namespace {

std::size_t step_count(const std::vector<reconcilers::SwarmPlan>& plans) {
  std::size_t steps = 0;
  for (const auto& plan : plans) {
    steps += plan.steps.size() + plan.blocked.size();
  }
  return steps;
}

void plan_pass(benchmark::State& state, bool drifted) {
  const int nodes = static_cast<int>(state.range(0));
  const BenchCluster& bench = cluster_for(nodes);
  const model::DesiredState& desired = drifted ? bench.cluster.drifted : bench.cluster.in_sync;
  const reconcilers::SwarmObservation& observed = bench.cluster.observed;

  // One untimed plan first: its peak heap growth, and a check that the cluster is the one meant
  // (an in-sync file plans nothing, a drifted one plans its edits).
  std::size_t steps = 0;
  const std::size_t peak =
      peak_heap_growth([&] { steps = step_count(reconcilers::plan_swarm(desired, observed)); });
  if ((steps == 0) == drifted) {
    state.SkipWithError(drifted ? "the drifted file planned nothing"
                                : "the in-sync file planned steps");
    return;
  }
  for (auto _ : state) {
    auto plans = reconcilers::plan_swarm(desired, observed);
    benchmark::DoNotOptimize(plans);
  }
  state.SetComplexityN(nodes);
  state.counters["tasks"] = static_cast<double>(observed.tasks.size());
  state.counters["steps"] = static_cast<double>(steps);
  state.counters["peak_MiB"] = mib(peak);
  state.counters["input_MiB"] = mib(bench.heap_bytes);
  state.counters["maxrss_MiB"] = max_rss_mib();
}

void BM_plan(benchmark::State& state) {
  plan_pass(state, /*drifted=*/true);
}
void BM_plan_in_sync(benchmark::State& state) {
  plan_pass(state, /*drifted=*/false);
}

//! Where a drifted plan's time goes: each planner alone.
template <reconcilers::SwarmPlan (*planner)(const model::DesiredState&,
                                            const reconcilers::SwarmObservation&)>
void BM_planner(benchmark::State& state) {
  const SyntheticCluster& cluster = cluster_for(static_cast<int>(state.range(0))).cluster;
  for (auto _ : state) {
    auto plan = planner(cluster.drifted, cluster.observed);
    benchmark::DoNotOptimize(plan);
  }
  state.SetComplexityN(state.range(0));
}

BENCHMARK(BM_plan)->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond)->Complexity();
BENCHMARK(BM_plan_in_sync)
    ->Arg(10)
    ->Arg(100)
    ->Arg(1000)
    ->Unit(benchmark::kMillisecond)
    ->Complexity();

BENCHMARK(BM_planner<reconcilers::plan_membership>)
    ->Name("BM_plan_membership")
    ->Arg(10)
    ->Arg(1000)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_planner<reconcilers::plan_labels>)
    ->Name("BM_plan_labels")
    ->Arg(10)
    ->Arg(1000)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_planner<reconcilers::plan_placement>)
    ->Name("BM_plan_placement")
    ->Arg(10)
    ->Arg(1000)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace swarmop::bench
