#!/usr/bin/env bash
# The main job on the embedded simulated cluster: a fresh five-node Skylar Automation install
# (every task on node1, one manager, one Couchbase node, three rabbit nodes) converged to the
# manual's "3+ nodes with separate workers" deployment, Couchbase workers and bucket replicas
# included. Shows the plan, applies it step by step, then applies again to show that a
# converged cluster gets no writes.
#
#   scripts/try-apply.sh [SWARM_OPERATOR_BINARY] [DESIRED_STATE_FILE]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin="${1:-build/swarm-operator}"
file="${2:-examples/three-plus-workers.yaml}"

work="$(mktemp -d "${TMPDIR:-/tmp}/swarmop-try.XXXXXX")"
socket="$work/docker.sock"
"$bin" sim --nodes 5 --rabbitmq 3 --couchbase --couchbase-speed 10 --docker "unix://$socket" >"$work/sim.env" 2>"$work/sim.log" &
sim_pid=$!
cleanup() {
  kill "$sim_pid" 2>/dev/null || true
  wait "$sim_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The simulator prints its environment once every engine and rabbit node listens.
for _ in $(seq 1 200); do
  grep -q '^SWARM_OPERATOR_RABBITMQ_CREDENTIALS=' "$work/sim.env" 2>/dev/null && break
  kill -0 "$sim_pid" 2>/dev/null || { cat "$work/sim.log" >&2; exit 1; }
  sleep 0.05
done
grep -q '^SWARM_OPERATOR_RABBITMQ_CREDENTIALS=' "$work/sim.env" ||
  { echo "the simulator did not start" >&2; exit 1; }
export DOCKER_HOST="unix://$socket"
# The simulated RabbitMQ's management endpoints and credentials file.
export "$(grep '^SWARM_OPERATOR_RABBITMQ=' "$work/sim.env")"
export "$(grep '^SWARM_OPERATOR_RABBITMQ_CREDENTIALS=' "$work/sim.env")"
# The simulated Couchbase's admin endpoint (the primary; apply creates the workers) and credentials.
export "$(grep '^SWARM_OPERATOR_COUCHBASE=' "$work/sim.env")"
export "$(grep '^SWARM_OPERATOR_COUCHBASE_CREDENTIALS=' "$work/sim.env")"

echo "== plan $file (simulated fresh install, 5 nodes)"
status=0
"$bin" plan "$file" || status=$?
[ "$status" -eq 2 ] || { echo "expected pending changes (exit 2), got $status" >&2; exit 1; }
echo
echo "== apply $file"
"$bin" apply "$file" --timeout 5m
echo
echo "== apply again: nothing to do"
"$bin" apply "$file"
