#!/usr/bin/env bash
# `watch` stopped by SIGTERM while the Docker API hangs (#22 "Time bounds"): the passes in flight
# get --shutdown-grace, then their calls are abandoned and the controller exits 0 within seconds,
# instead of waiting for API calls that never end.
#   tests/e2e/watch_shutdown.sh SWARM_OPERATOR_BINARY
set -euo pipefail
bin=${1:?usage: watch_shutdown.sh SWARM_OPERATOR_BINARY}
work=$(mktemp -d "${TMPDIR:-/tmp}/swarmop-watch-shutdown.XXXXXX")
sim_pid="" watch_pid=""
cleanup() {
  stop_all "$watch_pid" "$sim_pid"
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; echo "--- watch log:" >&2; cat "$work/watch.log" >&2 || true; exit 1; }
# shellcheck source=tests/e2e/sim_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/sim_lib.sh"

start_sim DOCKER_HOST --nodes 3
sim_api() { curl -fsS --unix-socket "$work/docker.sock" "http://sim$1" "${@:2}"; }

cat >"$work/cluster.yaml" <<'YAML'
apiVersion: swarm-operator/v1alpha1
kind: SwarmCluster
metadata: {name: watch-shutdown}
spec:
  swarm:
    nodes:
      - {hostname: node1, role: manager}
      - {hostname: node2, role: worker, labels: {zone: a}}
      - {hostname: node3, role: worker}
YAML

"$bin" watch "$work/cluster.yaml" --listen "" --resync 1s --lease-duration 3s \
  --shutdown-grace 2s --log-format json --log-level debug 2>"$work/watch.log" &
watch_pid=$!
until_ok 30 grep -q '"event":"pass"' "$work/watch.log" || fail "no pass ran"

# From now on every node and service call hangs until the simulator stops.
sim_api /_sim/faults -X POST -H 'content-type: application/json' \
  -d '{"path":"/(nodes|services|tasks)","hang":true}' >/dev/null || fail "cannot inject the hang"
# The lease's own calls time out (1 s each) and it is lost 2 s after its last renewal: by then
# the passes the 1 s resync started hang on the API.
until_ok 30 grep -q '"event":"lease-lost"' "$work/watch.log" || fail "the hang was never seen"

started=$SECONDS
kill -TERM "$watch_pid"
# The grace (2 s), the abandoned calls' end, and the lease release's two 1 s calls: far below 20 s.
until_ok 20 exited "$watch_pid" || fail "watch still running 20 s after SIGTERM with the API hanging"
rc=0
wait "$watch_pid" || rc=$?
watch_pid=""
took=$((SECONDS - started))
[ "$rc" -eq 0 ] || fail "watch exited $rc on SIGTERM"
grep -q '"event":"stop-grace-over"' "$work/watch.log" || fail "no stop-grace-over line"
grep -q '"event":"stopped"' "$work/watch.log" || fail "no stopped line"
echo "watch_shutdown: exit 0 ${took} s after SIGTERM with the Docker API hanging (grace 2 s)"
