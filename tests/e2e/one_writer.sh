#!/usr/bin/env bash
# One writer across apply and watch (#22), as processes against `swarm-operator sim` with
# Couchbase and RabbitMQ:
#   1. two applies at once: the second refuses, naming the first, and writes nothing;
#   2. a third with --wait-for-lease waits for the first, then finds nothing to write: across
#      all three, every data-store write was sent once;
#   3. beside a watch controller, apply refuses naming it, and --wait-for-lease gives up at the
#      timeout; once the watch stops (releasing the lease) apply goes ahead;
#   4. an apply SIGKILLed while it holds the lease: the next one takes over the silent lease
#      after its 15 s and converges.
#   tests/e2e/one_writer.sh SWARM_OPERATOR_BINARY
set -euo pipefail
bin=${1:?usage: one_writer.sh SWARM_OPERATOR_BINARY}
work=$(mktemp -d "${TMPDIR:-/tmp}/swarmop-one-writer.XXXXXX")
sim_pid="" first_pid="" third_pid="" watch_pid="" killed_pid=""
cleanup() {
  stop_all "$first_pid" "$third_pid" "$watch_pid" "$killed_pid" "$sim_pid"
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  local f
  for f in "$work"/*.out "$work"/*.err "$work"/watch.log; do
    [ -f "$f" ] && { echo "--- $(basename "$f"):" >&2; cat "$f" >&2; }
  done
  exit 1
}
# shellcheck source=tests/e2e/sim_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/sim_lib.sh"

start_sim SWARM_OPERATOR_COUCHBASE_CREDENTIALS --nodes 3 --couchbase --couchbase-speed 10 \
  --rabbitmq 1

cluster() {  # cluster REPLICAS: the three-node layout with the buckets at REPLICAS
  cat <<YAML
apiVersion: swarm-operator/v1alpha1
kind: SwarmCluster
metadata: {name: one-writer}
spec:
  swarm:
    nodes:
      - {hostname: node1, role: manager, labels: {types: master}}
      - {hostname: node2, role: manager, labels: {types: master}}
      - {hostname: node3, role: manager, labels: {types: master}}
  couchbase:
    nodes:
      - {service: couchbase, node: node1}
      - {service: couchbase-worker, node: node2}
      - {service: couchbase-worker2, node: node3}
    buckets:
      content: {replicas: $1}
      logs: {replicas: $1}
  rabbitmq:
    nodes:
      - {service: rabbitmq, node: node1}
      - {service: rabbitmq2, node: node2}
      - {service: rabbitmq3, node: node3}
YAML
}
cluster 2 >"$work/cluster.yaml"
cluster 1 >"$work/one-replica.yaml"

# couchbase_writes FILE: the Couchbase writes an apply reported (0 when it made none).
couchbase_writes() { sed -n 's/.* \([0-9]*\) to Couchbase.*/\1/p' "$1" | tail -n 1 | grep . || echo 0; }

# 1. Two applies at once.
"$bin" apply "$work/cluster.yaml" --timeout 5m >"$work/first.out" 2>"$work/first.err" &
first_pid=$!
until_ok 60 grep -q ' \.\.\. done in ' "$work/first.out" || fail "the first apply sent no step"
rc=0
"$bin" apply "$work/cluster.yaml" --timeout 1m >"$work/second.out" 2>"$work/second.err" || rc=$?
[ "$rc" -eq 1 ] || fail "the second apply exited $rc beside the first, not 1"
grep -q "another writer holds the lease and renews it: apply-" "$work/second.err" ||
  fail "the second apply did not name the first as the lease holder"
grep -q ' \.\.\. ' "$work/second.out" && fail "the second apply sent a step without the lease"

# 2. A third waits for the first, then has nothing left to write.
"$bin" apply "$work/cluster.yaml" --timeout 5m --wait-for-lease >"$work/third.out" \
  2>"$work/third.err" &
third_pid=$!
until_ok 30 grep -q "waiting for the lease held by apply-" "$work/third.out" ||
  fail "the third apply did not say whose lease it waits for"
rc=0
wait "$first_pid" || rc=$?
first_pid=""
[ "$rc" -eq 0 ] || fail "the first apply exited $rc"
rc=0
wait "$third_pid" || rc=$?
third_pid=""
[ "$rc" -eq 0 ] || fail "the third apply exited $rc"
first_cb=$(couchbase_writes "$work/first.out")
[ "$first_cb" -ge 3 ] || fail "the first apply reported $first_cb Couchbase writes, wanted the joins, replicas and rebalance"
[ "$(couchbase_writes "$work/third.out")" -eq 0 ] ||
  fail "the third apply wrote to Couchbase again after the first converged"
grep -q "rebalance" "$work/third.out" && fail "the third apply rebalanced again"

# 3. Beside a watch controller.
"$bin" watch "$work/cluster.yaml" --listen "" --lease-duration 3s --log-format json \
  2>"$work/watch.log" &
watch_pid=$!
until_ok 30 grep -q '"lease":"held"\|"event":"lease-acquired"' "$work/watch.log" ||
  fail "the watch controller never held the lease"
holder=$(jq -r 'select(.identity != null) | .identity' "$work/watch.log" | head -n 1)
[ -n "$holder" ] || fail "no identity in the watch log"
rc=0
"$bin" apply "$work/one-replica.yaml" --timeout 1m >"$work/beside.out" 2>"$work/beside.err" ||
  rc=$?
[ "$rc" -eq 1 ] || fail "apply beside the watch exited $rc, not 1"
grep -qF "renews it: $holder " "$work/beside.err" || fail "apply did not name the watch ($holder)"
grep -q ' \.\.\. ' "$work/beside.out" && fail "apply sent a step beside the watch"
rc=0
"$bin" apply "$work/one-replica.yaml" --timeout 4s --wait-for-lease >"$work/waited.out" \
  2>"$work/waited.err" || rc=$?
[ "$rc" -eq 1 ] || fail "apply --wait-for-lease --timeout 4s exited $rc, not 1"
grep -qF "timed out waiting for the lease, still held by $holder" "$work/waited.err" ||
  fail "no timeout naming the holder"
kill -TERM "$watch_pid"
rc=0
wait "$watch_pid" || rc=$?
watch_pid=""
[ "$rc" -eq 0 ] || fail "watch exited $rc on SIGTERM"
rc=0
"$bin" apply "$work/cluster.yaml" --timeout 1m >"$work/after.out" 2>"$work/after.err" || rc=$?
[ "$rc" -eq 0 ] || fail "apply after the watch released the lease exited $rc"
grep -q "waiting for the lease" "$work/after.out" && fail "the released lease was waited for"

# 4. A killed holder's lease is taken over once silent for its duration.
"$bin" apply "$work/one-replica.yaml" --timeout 5m >"$work/killed.out" 2>"$work/killed.err" &
killed_pid=$!
until_ok 60 grep -q ' \.\.\. done in ' "$work/killed.out" || fail "the apply to kill sent no step"
kill -KILL "$killed_pid"
wait "$killed_pid" 2>/dev/null || true
killed_pid=""
started=$SECONDS
rc=0
"$bin" apply "$work/one-replica.yaml" --timeout 3m >"$work/takeover.out" 2>"$work/takeover.err" ||
  rc=$?
[ "$rc" -eq 0 ] || fail "apply after a killed holder exited $rc"
grep -q "waiting for the lease held by apply-" "$work/takeover.out" ||
  fail "the killed apply's lease was not waited for"
took=$((SECONDS - started))
((took >= 14)) || fail "the silent lease was taken over after ${took} s, before its 15 s"
echo "one_writer: a second apply refused, a third waited and wrote nothing to Couchbase" \
  "($first_cb writes by the first), apply refused beside watch, a killed holder taken over in ${took} s"
