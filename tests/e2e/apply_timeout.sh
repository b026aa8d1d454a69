#!/usr/bin/env bash
# `apply --timeout` against a hanging Engine API (#22 "Time bounds"): every call ends by the
# deadline, retries included, so apply stops within a few seconds of the timeout with exit 1 and
# states the real time taken. Before, each call waited its own 30 s, reads three times.
#   tests/e2e/apply_timeout.sh SWARM_OPERATOR_BINARY
set -euo pipefail
bin=${1:?usage: apply_timeout.sh SWARM_OPERATOR_BINARY}
work=$(mktemp -d "${TMPDIR:-/tmp}/swarmop-apply-timeout.XXXXXX")
sim_pid=""
cleanup() {
  stop_all "$sim_pid"
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; echo "--- apply stderr:" >&2; cat "$work/apply.err" >&2 || true; exit 1; }

# shellcheck source=tests/e2e/sim_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/sim_lib.sh"

# Every node list hangs until the simulator stops.
start_sim DOCKER_HOST --nodes 3 --fault '{"path":"/nodes","hang":true}'

cat >"$work/cluster.yaml" <<'YAML'
apiVersion: swarm-operator/v1alpha1
kind: SwarmCluster
metadata: {name: apply-timeout}
spec:
  swarm:
    nodes:
      - {hostname: node1, role: manager}
      - {hostname: node2, role: worker, labels: {zone: a}}
      - {hostname: node3, role: worker}
YAML

started=$(date +%s%N)
rc=0
# `timeout 60`: if the bound is broken the test fails in a minute instead of hanging for 90 s+.
timeout 60 "$bin" apply "$work/cluster.yaml" --timeout 3s >"$work/apply.out" 2>"$work/apply.err" ||
  rc=$?
took_ms=$((($(date +%s%N) - started) / 1000000))
echo "apply --timeout 3s against a hanging /nodes: exit $rc after ${took_ms} ms"
[ "$rc" -eq 1 ] || fail "exit $rc, wanted 1 (timed out)"
((took_ms >= 2900)) || fail "returned after ${took_ms} ms, before its 3 s timeout"
((took_ms <= 6000)) || fail "took ${took_ms} ms, more than 3 s + 3 s"
grep -Eq '^swarm-operator apply: timed out \(--timeout 3s\) after [0-9]+\.[0-9] s with 0 step\(s\) done$' \
  "$work/apply.err" || fail "no timeout message with the time taken"
grep -q '/nodes' "$work/apply.err" || fail "the message does not name the call that hung"
echo "PASS"
