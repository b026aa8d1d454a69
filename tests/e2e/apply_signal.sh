#!/usr/bin/env bash
# `apply` stopped by SIGTERM, then by SIGINT (#22): each time the step in flight is finished, no
# new one is sent, a summary says where it stopped, and the exit code is 143 or 130. The
# simulated swarm then holds exactly the steps reported done. Every update answers 2 s late, so
# the signal arrives while a step is in flight.
#   tests/e2e/apply_signal.sh SWARM_OPERATOR_BINARY
set -euo pipefail
bin=${1:?usage: apply_signal.sh SWARM_OPERATOR_BINARY}
work=$(mktemp -d "${TMPDIR:-/tmp}/swarmop-apply-signal.XXXXXX")
sim_pid="" apply_pid=""
cleanup() {
  stop_all "$apply_pid" "$sim_pid"
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  echo "--- apply stdout:" >&2; cat "$work/apply.out" >&2 || true
  echo "--- apply stderr:" >&2; cat "$work/apply.err" >&2 || true
  exit 1
}

# shellcheck source=tests/e2e/sim_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/sim_lib.sh"

start_sim DOCKER_HOST --nodes 5 --fault '{"method":"POST","path":"/update","latency_ms":2000}'

# Six steps: the fresh install's two data-node records (services), then four nodes' zones.
cat >"$work/cluster.yaml" <<'YAML'
apiVersion: swarm-operator/v1alpha1
kind: SwarmCluster
metadata: {name: apply-signal}
spec:
  swarm:
    nodes:
      - {hostname: node1, role: manager}
      - {hostname: node2, role: worker, labels: {zone: a}}
      - {hostname: node3, role: worker, labels: {zone: b}}
      - {hostname: node4, role: worker, labels: {zone: c}}
      - {hostname: node5, role: worker, labels: {zone: d}}
YAML

# How many of the six steps the simulated swarm shows done.
done_in_swarm() {
  "$bin" snapshot | jq '([.swarm.services[] | select(.Spec.Labels["swarm-operator.data-node"])]
    | length) + ([.swarm.nodes[] | select(.Spec.Labels.zone)] | length)'
}
done_lines() { grep -c ' \.\.\. done in ' "$work/apply.out" || true; }

# stop_apply SIGNAL CODE: apply, SIGNAL once a step has ended, exit CODE expected. Sets
# `reported` to how many steps that apply reported done.
stop_apply() {
  local signal=$1 code=$2 rc=0
  : >"$work/apply.out"
  "$bin" apply "$work/cluster.yaml" --timeout 2m >"$work/apply.out" 2>"$work/apply.err" &
  apply_pid=$!
  until_ok 30 grep -q ' \.\.\. done in ' "$work/apply.out" || fail "no step ended ($signal)"
  kill -s "$signal" "$apply_pid"
  # The step in flight ends within its 2 s latency; 20 s is far beyond.
  until_ok 20 exited "$apply_pid" || fail "apply still running 20 s after $signal"
  wait "$apply_pid" || rc=$?
  apply_pid=""
  [ "$rc" -eq "$code" ] || fail "exit $rc after $signal, wanted $code"
  grep -q "^swarm-operator apply: stopped by $signal after $(done_lines) step(s)" "$work/apply.err" ||
    fail "no summary naming $signal and the steps done"
  grep -q '^stopped before: labels: ' "$work/apply.err" || fail "the step it stopped before is not named"
  grep -q '^remaining:' "$work/apply.err" || fail "what remains is not printed"
  reported=$(done_lines)
}

stop_apply SIGTERM 143
first=$reported
((first >= 1 && first < 6)) || fail "SIGTERM: $first steps done, wanted 1 to 5"
[ "$(done_in_swarm)" -eq "$first" ] ||
  fail "SIGTERM: the swarm shows $(done_in_swarm) steps done, apply reported $first"
stop_apply SIGINT 130
second=$reported
((second >= 1 && first + second < 6)) || fail "SIGINT: every step was taken ($first + $second)"
[ "$(done_in_swarm)" -eq $((first + second)) ] ||
  fail "SIGINT: the swarm shows $(done_in_swarm) steps done, apply reported $first + $second"
echo "stopped after $first steps by SIGTERM (exit 143), then after $second more by SIGINT (exit 130)"
echo "PASS"
