#!/usr/bin/env bash
# Issue #8's watch-mode numbers against `swarm-operator sim` (wall clock), printed against the
# targets: time from a rename of the desired-state file to the end of the first write it
# causes (--file-stable, 1 s, included); from a node's Down to the end of the pass that reports it; idle RSS and CPU of
# `watch` on a converged cluster. A timing script, not a test.
#   bench/watch_timing.sh [SWARM_OPERATOR_BINARY] [IDLE_SECONDS]
set -euo pipefail
bin=${1:-build/swarm-operator}
idle_seconds=${2:-60}
for tool in jq curl; do command -v $tool >/dev/null || { echo "$tool is needed" >&2; exit 2; }; done
work=$(mktemp -d "${TMPDIR:-/tmp}/swarmop-watch-bench.XXXXXX")
sim_pid="" watch_pid=""
cleanup() {
  for pid in $watch_pid $sim_pid; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  [ -n "${KEEP:-}" ] && cp "$work/watch.log" /tmp/watch-bench.log; rm -rf "$work"
}
trap cleanup EXIT
now_ms() { date +%s%3N; }
until_ok() {  # until_ok SECONDS COMMAND...
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do ((SECONDS < deadline)) || return 1; sleep 0.005; done
}

"$bin" sim --nodes 3 --docker "unix://$work/docker.sock" >"$work/sim.env" 2>/dev/null &
sim_pid=$!
until_ok 20 grep -q '^DOCKER_HOST=' "$work/sim.env"
export DOCKER_HOST="unix://$work/docker.sock"
cluster() {
  printf '%s\n' "apiVersion: swarm-operator/v1alpha1" "kind: SwarmCluster" \
    "metadata: {name: watch-bench}" "spec:" "  swarm:" "    nodes:" \
    "      - {hostname: node1, role: manager}" \
    "      - {hostname: node2, role: worker, labels: {zone: $1}}" \
    "      - {hostname: node3, role: worker}"
}
cluster a >"$work/cluster.yaml"
"$bin" watch "$work/cluster.yaml" --listen 127.0.0.1:0 --resync 1h --log-format json \
  2>"$work/watch.log" &
watch_pid=$!
until_ok 20 grep -q '"event":"http-listening"' "$work/watch.log"
url="http://127.0.0.1:$(grep '"event":"http-listening"' "$work/watch.log" | jq -r .port)"
steps() { grep -c '"event":"step"' "$work/watch.log" || true; }
more_steps_than() { [ "$(steps)" -gt "$1" ]; }
until_ok 20 more_steps_than 0

# 1. rename -> first write done (median of 5)
rename_ms=()
for zone in b c d e f; do
  before=$(steps)
  cluster "$zone" >"$work/next.yaml"
  start=$(now_ms)
  mv "$work/next.yaml" "$work/cluster.yaml"
  until_ok 10 more_steps_than "$before"
  end=$(grep '"event":"step"' "$work/watch.log" | tail -n1 | jq -r .time)
  rename_ms+=($((end - start)))
done

# 2. node Down event (its time as the engine stamped it) -> the pass reporting it has ended
#    (membership health Degraded in /status), median of 3
health() { curl -fsS "$url/status" | jq -r '.reconcilers[] | select(.name == "membership") | .health'; }
health_is() { [ "$(health)" = "$1" ]; }
down_ms=()
for _ in 1 2 3; do
  until_ok 60 health_is Healthy
  downs=$(grep -c '"state":"down"' "$work/watch.log" || true)
  curl -fsS --unix-socket "$work/docker.sock" -d "" http://sim/_sim/nodes/node3/down >/dev/null
  until_ok 60 health_is Degraded
  seen=$(now_ms)
  until_ok 10 test "$(grep -c '"state":"down"' "$work/watch.log")" -gt "$downs" || true
  event=$(grep '"state":"down"' "$work/watch.log" | tail -n1 | jq -r .event_time_ms)
  down_ms+=($((seen - event)))
  curl -fsS --unix-socket "$work/docker.sock" -d "" http://sim/_sim/nodes/node3/up >/dev/null
done

# 3. idle: RSS and CPU over IDLE_SECONDS on the converged cluster
until_ok 60 health_is Healthy
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$watch_pid/stat"; }
cpu_start=$(cpu)
sleep "$idle_seconds"
cpu_used=$(( $(cpu) - cpu_start ))
rss_kib=$(awk '/^VmRSS/ {print $2}' "/proc/$watch_pid/status")
hwm_kib=$(awk '/^VmHWM/ {print $2}' "/proc/$watch_pid/status")

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
rename_median=$(median "${rename_ms[@]}")
down_median=$(median "${down_ms[@]}")
cpu_percent=$(awk -v t="$cpu_used" -v hz="$ticks" -v s="$idle_seconds" 'BEGIN {printf "%.2f", 100 * t / hz / s}')
rss_mib=$(awk -v k="$rss_kib" 'BEGIN {printf "%.1f", k / 1024}')
hwm_mib=$(awk -v k="$hwm_kib" 'BEGIN {printf "%.1f", k / 1024}')

printf '%-44s %s\n' "file rename -> first write done (ms)" "${rename_ms[*]} (median $rename_median)"
printf '%-44s %s\n' "node Down -> pass reporting it ended (ms)" "${down_ms[*]} (median $down_median)"
printf '%-44s %s\n' "idle over ${idle_seconds}s: CPU" "$cpu_percent%"
printf '%-44s %s\n' "idle RSS (peak)" "$rss_mib MiB ($hwm_mib MiB)"
failed=0
verdict() { if [ "$2" = 1 ]; then echo "PASS  $1"; else echo "FAIL  $1"; failed=1; fi; }
# Issue #8 asked for under 100 ms; issue #22 added --file-stable (1 s): new content is taken only
# once read the same twice that far apart, so the target is now that plus the same 100 ms.
verdict "rename to first write under 1.1 s (1 s of it --file-stable)" "$((rename_median < 1100))"
verdict "Down to pass under 1 s" "$((down_median < 1000))"
verdict "idle RSS under 20 MiB" "$(awk -v r="$rss_mib" 'BEGIN {print (r < 20)}')"
verdict "idle CPU near zero (under 1%)" "$(awk -v c="$cpu_percent" 'BEGIN {print (c < 1)}')"
exit "$failed"
