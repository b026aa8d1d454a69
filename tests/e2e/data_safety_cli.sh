#!/usr/bin/env bash
# `swarm-operator apply` as a process against `swarm-operator sim` with Couchbase and RabbitMQ:
# a file that drains node1 (where the fresh install keeps both data stores' data) and lists the
# Couchbase and RabbitMQ nodes on node2-4 ends blocked (exit 2), printing the reasons; the
# Couchbase primary and rabbit node 1 still run on node1 and the simulator recorded no data
# moved away from its host.
#   tests/e2e/data_safety_cli.sh SWARM_OPERATOR_BINARY
set -euo pipefail
bin=${1:?usage: data_safety_cli.sh SWARM_OPERATOR_BINARY}
work=$(mktemp -d "${TMPDIR:-/tmp}/swarmop-data-safety.XXXXXX")
sim_pid=""
cleanup() {
  stop_all "$sim_pid"
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  echo "--- apply output:" >&2
  cat "$work/apply.out" >&2 2>/dev/null || true
  exit 1
}
# shellcheck source=tests/e2e/sim_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/sim_lib.sh"

start_sim SWARM_OPERATOR_RABBITMQ_CREDENTIALS --nodes 4 --couchbase --couchbase-speed 20 \
  --rabbitmq 1
sim_api() { curl -fsS --unix-socket "$work/docker.sock" "http://sim$1"; }

cat >"$work/cluster.yaml" <<'YAML'
apiVersion: swarm-operator/v1alpha1
kind: SwarmCluster
metadata: {name: data-safety}
spec:
  swarm:
    nodes:
      - {hostname: node1, role: manager, availability: drain}
      - {hostname: node2, role: manager, labels: {types: master}}
      - {hostname: node3, role: manager, labels: {types: master}}
      - {hostname: node4, role: worker, labels: {types: master}}
  couchbase:
    nodes:
      - {service: couchbase, node: node2}
      - {service: couchbase-worker, node: node3}
      - {service: couchbase-worker2, node: node4}
    buckets:
      content: {replicas: 2}
  rabbitmq:
    nodes:
      - {service: rabbitmq, node: node2}
      - {service: rabbitmq2, node: node3}
      - {service: rabbitmq3, node: node4}
YAML

rc=0
"$bin" apply "$work/cluster.yaml" --timeout 3m >"$work/apply.out" 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "apply exited $rc, not 2 (blocked)"
grep -q "data safety: draining node1 moves iservices_couchbase" "$work/apply.out" ||
  fail "no reason given for the blocked drain"
grep -q "bind /var/data/couchbase" "$work/apply.out" || fail "the reason does not name the mount"
grep -q "data safety: .*iservices_rabbitmq" "$work/apply.out" ||
  fail "no reason given for keeping rabbit node 1 on its data"

# Both data stores still run on node1, and nothing started away from its data.
node1=$(sim_api /nodes | jq -r '.[] | select(.Description.Hostname == "node1") | .ID')
for service in iservices_couchbase iservices_rabbitmq; do
  id=$(sim_api /services | jq -r --arg name "$service" '.[] | select(.Spec.Name == $name) | .ID')
  where=$(sim_api /tasks | jq -r --arg id "$id" \
    '[.[] | select(.ServiceID == $id and .Status.State == "running") | .NodeID] | join(",")')
  [ "$where" = "$node1" ] || fail "$service runs on '$where', not on node1 ($node1)"
done
losses=$(sim_api /_sim/data/losses | jq length)
[ "$losses" -eq 0 ] || fail "the simulator recorded $losses data moves: $(sim_api /_sim/data/losses)"
echo "data_safety_cli: blocked with the reasons, both data stores on node1, no data moved"
