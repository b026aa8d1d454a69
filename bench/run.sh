#!/usr/bin/env bash
# Runs the issue #6 and #7 benchmarks from an existing build and prints them against the targets:
#   bench/run.sh build        (after: cmake --build build --target swarmop_bench swarmop_data_bench)
# A timing script, not a test: numbers depend on the machine and its load.
set -euo pipefail
build_dir=${1:?usage: bench/run.sh BUILD_DIR [extra benchmark flags]}
shift
binary="$build_dir/bench/swarmop_bench"
[[ -x $binary ]] || { echo "no $binary: build the swarmop_bench target first" >&2; exit 2; }
command -v jq >/dev/null || { echo "jq is needed (apt-get install jq)" >&2; exit 2; }

# Medians of 5 runs, CPU time: on a shared machine wall time mostly measures the neighbours.
json=$("$binary" --benchmark_filter='^BM_(plan|noop_pass)/' --benchmark_repetitions=5 \
  --benchmark_report_aggregates_only=true --benchmark_format=json "$@" 2>/dev/null)
get() {  # get RUN_NAME FIELD
  jq -r --arg run "$1" --arg field "$2" \
    '.benchmarks[] | select(.run_name == $run and .aggregate_name == "median") | .[$field]' \
    <<<"$json"
}

printf '%-22s %10s %10s %9s %9s\n' "plan (drifted file)" "cpu ms" "wall ms" "peak MiB" "rss MiB"
for n in 10 100 1000; do
  printf '%-22s %10.2f %10.2f %9.2f %9.1f\n' "$n nodes" "$(get "BM_plan/$n" cpu_time)" \
    "$(get "BM_plan/$n" real_time)" "$(get "BM_plan/$n" peak_MiB)" "$(get "BM_plan/$n" maxrss_MiB)"
done
cpu10=$(get BM_plan/10 cpu_time)
cpu1000=$(get BM_plan/1000 cpu_time)
peak1000=$(get BM_plan/1000 peak_MiB)
rss1000=$(get BM_plan/1000 maxrss_MiB)
printf 'growth 10 -> 1000 nodes: x%.1f time for x100 nodes\n\n' \
  "$(jq -n "$cpu1000 / $cpu10")"

printf '%-22s %10s %8s %8s\n' "no-op pass (in sync)" "cpu ms" "reads" "writes"
reads_seen=()
writes_total=0
for n in 10 100 1000; do
  reads=$(get "BM_noop_pass/$n" reads)
  writes=$(get "BM_noop_pass/$n" writes)
  reads_seen+=("$reads")
  writes_total=$(jq -n "$writes_total + $writes")
  printf '%-22s %10.2f %8g %8g\n' "$n nodes" "$(get "BM_noop_pass/$n" cpu_time)" "$reads" "$writes"
done
echo

verdict() {  # verdict LABEL CONDITION(jq boolean)
  if [[ $(jq -n "$2") == true ]]; then echo "PASS  $1"; else echo "FAIL  $1"; failed=1; fi
}
failed=0
verdict "plan of 1000 nodes under 20 ms (cpu $(printf %.1f "$cpu1000") ms)" "$cpu1000 < 20"
verdict "plan peak under 50 MiB (heap +$(printf %.1f "$peak1000") MiB, process rss $(printf %.1f "$rss1000") MiB)" \
  "$peak1000 < 50 and $rss1000 < 50"
verdict "reads per no-op pass constant (${reads_seen[*]})" \
  "[${reads_seen[0]}, ${reads_seen[1]}, ${reads_seen[2]}] | unique | length == 1"
verdict "no writes in a no-op pass ($writes_total)" "$writes_total == 0"

# Issue #7: API calls and simulated time of the Couchbase scale-out, RabbitMQ reads per pass.
data_binary="$build_dir/bench/swarmop_data_bench"
if [[ -x $data_binary ]]; then
  echo
  "$data_binary" || failed=1
fi
exit "$failed"
