#!/usr/bin/env bash
# apply_real_swarm.sh PATH_TO_swarm-operator
#
# End-to-end test of `swarm-operator apply` against the real 5-node harness swarm (issue #6):
#   1. the swarm is made "bare": node2 and node3 demoted, no labels, five stand-in services of the
#      iservices stack with 1 replica each wherever Swarm puts them;
#   2. apply converges it to a cut-down "3+ nodes with separate workers" file; the wall time and
#      the number of writes are printed;
#   3. the docker CLI checks roles, labels and tasks per node;
#   4. a second apply makes no writes;
#   5. a master (not the leader, not the node apply talks to) is crashed, its gui task moves to
#      another master, the node is restarted, and apply must force-update gui back to one per
#      master;
#   6. the swarm is left as found (3 managers node1-3, workers node4-5, all active, no labels, no
#      services), also when a step fails (EXIT trap).
# Needs the swarm from tests/harness/swarm/swarm-up.sh 5: SWARMOP_SWARM_BASE names its base
# directory, whose env file gives SW<K>_HOST and SW<K>_ROLE.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 PATH_TO_swarm-operator" >&2; exit 2; }
OPERATOR=$1
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HARNESS=$HERE/../harness/swarm
BASE=${SWARMOP_SWARM_BASE:-/tmp/swarmop-swarm}
ENV_FILE=$BASE/env
DOCKER_CLI=${SWARMOP_DOCKER_CLI:-$(command -v docker || true)}
STACK=iservices
SERVICES=(gui contentapi dexserver redis steprunner)
MASTERS=(node1 node2 node3)

[ -x "$OPERATOR" ] || { echo "FAIL: $OPERATOR is not an executable" >&2; exit 1; }
[ -n "$DOCKER_CLI" ] || { echo "FAIL: docker CLI not found (set SWARMOP_DOCKER_CLI)" >&2; exit 1; }
[ -r "$ENV_FILE" ] || { echo "FAIL: no harness env file $ENV_FILE (is the swarm up?)" >&2; exit 1; }
# The env file is plain KEY=VALUE lines written by swarm-up.sh.
# shellcheck disable=SC1090
. "$ENV_FILE"
[ "${SWARM_NODES:-0}" -eq 5 ] || { echo "FAIL: the harness swarm has ${SWARM_NODES:-?} nodes, this test needs 5" >&2; exit 1; }

WORK=$(mktemp -d)
T_START=$EPOCHREALTIME
# shellcheck source=real_swarm_lib.sh
. "$HERE/real_swarm_lib.sh"

on_exit() {
  local rc=$?
  trap - EXIT
  set +e
  log "cleanup: restoring the harness swarm (test status $rc)"
  if ! restore_swarm; then
    [ $rc -ne 0 ] || rc=1
  else
    wait_containers_gone
    log "cleanup: swarm back to 3 managers + 2 workers, no labels, no services"
  fi
  rm -rf "$WORK"
  if [ $rc -eq 0 ]; then log "PASS"; else log "FAILED (exit $rc)"; fi
  exit $rc
}
trap on_exit EXIT
# A signal (Ctrl-C, ctest's timeout) must also restore the swarm: exit runs the EXIT trap.
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the desired file ---------------------------------------------------------------------------

# examples/three-plus-workers.yaml, cut down: its nodes, labels and constraints; gui with
# `spread: true` and no maxReplicasPerNode, so that a crashed master's gui task moves to another
# master and stays there (Swarm never moves it back: that imbalance is the operator's to fix);
# steprunner at 4 replicas, 2 per worker, to keep the rollout short. No couchbase/rabbitmq.
write_desired_file() {
  cat >"$WORK/workers.yaml" <<'EOF'
apiVersion: swarm-operator/v1alpha1
kind: SwarmCluster
metadata:
  name: e2e-3plus-workers
spec:
  stack: iservices
  swarm:
    nodes:
      - {hostname: node1, role: manager, labels: {types: master}}
      - {hostname: node2, role: manager, labels: {types: master}}
      - {hostname: node3, role: manager, labels: {types: master}}
      - {hostname: node4, role: worker, labels: {types: worker}}
      - {hostname: node5, role: worker, labels: {types: worker}}
  services:
    gui:
      replicas: 3
      spread: true
      constraints: [node.labels.types == master]
    contentapi:
      replicas: 3
      maxReplicasPerNode: 1
      constraints: [node.labels.types == master]
      env: {db_host: "couchbase,couchbase-worker,couchbase-worker2"}
    dexserver:
      replicas: 3
      maxReplicasPerNode: 1
      constraints: [node.labels.types == master]
      env: {db_host: "couchbase,couchbase-worker,couchbase-worker2"}
    redis:
      replicas: 1
      constraints: [node.labels.types == master]
    steprunner:
      replicas: 4
      maxReplicasPerNode: 2
      spread: true
      constraints: [node.labels.types == worker]
      restartDelay: 30s
      env:
        db_host: "couchbase,couchbase-worker,couchbase-worker2"
        additional_worker_args: "--max-tasks-per-child 1 --without-gossip --without-mingle"
EOF
}

# run_operator NAME SUBCOMMAND: runs plan/apply on the file against node1; output in $WORK/NAME,
# exit status in RC, wall time in WALL.
RC=0
WALL=0
run_operator() {
  local name=$1 t0=$EPOCHREALTIME
  shift
  RC=0
  DOCKER_HOST=$SW1_HOST "$OPERATOR" "$@" "$WORK/workers.yaml" >"$WORK/$name" 2>&1 || RC=$?
  WALL=$(since "$t0")
  sed 's/^/    | /' "$WORK/$name"
}

writes_of() { # the W of "in sync after N steps (writes: W to the manager)"
  tail -n1 "$WORK/$1" | sed -n 's/^in sync after [0-9]* steps\{0,1\} (writes: \([0-9]*\) to the manager)$/\1/p'
}

# --- checks -------------------------------------------------------------------------------------

expect_tasks() { # expect_tasks SERVICE WANTED
  local got
  got=$(tasks_of "$1")
  [ "$got" = "$2" ] || fail "$(svc "$1") runs tasks on [$got], want [$2]"
  log "ok  $(svc "$1") tasks per node: $got"
}

check_converged() {
  local table host role reach state avail labels want_role want_label got
  table=$(node_table)
  while read -r host role reach state avail labels; do
    case " ${MASTERS[*]} " in
      *" $host "*) want_role=manager want_label=master ;;
      *) want_role=worker want_label=worker ;;
    esac
    [ "$role" = "$want_role" ] || fail "$host has role $role, want $want_role"
    [ "$want_role" != manager ] || [ "$reach" = reachable ] || fail "manager $host is $reach, want reachable"
    [ "$state/$avail" = ready/active ] || fail "$host is $state/$avail, want ready/active"
    got=$(jq -r '.types // ""' <<<"$labels")
    [ "$got" = "$want_label" ] || fail "$host has label types=$got, want types=$want_label (labels $labels)"
  done <<<"$table"
  log "ok  roles and labels: node1-3 manager types=master, node4-5 worker types=worker"
  expect_tasks gui "node1:1 node2:1 node3:1"
  expect_tasks contentapi "node1:1 node2:1 node3:1"
  expect_tasks dexserver "node1:1 node2:1 node3:1"
  got=$(tasks_of redis)
  [[ $got =~ ^node[123]:1$ ]] || fail "$(svc redis) runs tasks on [$got], want one task on a master"
  log "ok  $(svc redis) tasks per node: $got"
  expect_tasks steprunner "node4:2 node5:2"
}

# =================================================================================================
log "swarm-operator: $OPERATOR; harness swarm: $BASE"
write_desired_file
# Leftovers of an aborted run (services, roles, labels, a crashed node) would falsify the test.
restore_swarm || fail "the harness swarm is not in its initial state: $SEEN"

# --- 1. bare swarm ------------------------------------------------------------------------------
log "step 1: bare swarm: node2 and node3 demoted, stand-in services with 1 replica each"
d_write node demote node2
d_write node demote node3
only_node1_manages() {
  SEEN=$(node_table | awk '$3 != "-" { printf "%s(%s %s) ", $1, $2, $3 }')
  [ "$SEEN" = "node1(manager reachable) " ]
}
wait_until 60 "node1 the only manager" only_node1_manages
for s in "${SERVICES[@]}"; do
  # No registry: the image is on every node. A 2 s grace period (sleep ignores SIGTERM) and a 1 s
  # update monitor keep rollouts short.
  d service create --detach --no-resolve-image --name "$(svc "$s")" --replicas 1 \
    --stop-grace-period 2s --update-monitor 1s "$SWARM_IMAGE" >/dev/null
done
all_one_running() {
  local s got
  SEEN=""
  for s in "${SERVICES[@]}"; do
    got=$(tasks_of "$s")
    SEEN+="$s=[$got] "
    [[ $got =~ ^node[1-5]:1$ ]] || return 1
  done
}
wait_until 90 "each stand-in service runs its 1 task" all_one_running
log "bare: $SEEN"

run_operator plan-bare plan
[ "$RC" -eq 2 ] || fail "plan on the bare swarm exited $RC, want 2 (changes to make)"
for n in node2 node3; do
  grep -q "promote node $n" "$WORK/plan-bare" || fail "plan on the bare swarm does not promote $n"
done
grep -q 'set-labels node node4' "$WORK/plan-bare" || fail "plan on the bare swarm does not label node4"
log "ok  plan on the bare swarm: exit 2, $(tail -n1 "$WORK/plan-bare")"

# --- 2. converge --------------------------------------------------------------------------------
log "step 2: apply (bare -> workers)"
run_operator apply-1 apply --timeout 4m
[ "$RC" -eq 0 ] || fail "apply (bare -> workers) exited $RC, want 0; last line: $(tail -n1 "$WORK/apply-1")"
W=$(writes_of apply-1)
[ -n "$W" ] || fail "apply (bare -> workers) did not end with 'in sync after N steps (writes: W to the manager)': $(tail -n1 "$WORK/apply-1")"
echo "converge bare->workers: $WALL s, $W writes"

# --- 3. what the docker CLI sees ----------------------------------------------------------------
log "step 3: docker CLI checks"
check_converged
run_operator plan-synced plan
[ "$RC" -eq 0 ] || fail "plan after apply exited $RC, want 0 (in sync)"
log "ok  plan after apply: exit 0, $(tail -n1 "$WORK/plan-synced")"

# --- 4. a second apply writes nothing -----------------------------------------------------------
log "step 4: second apply"
run_operator apply-2 apply --timeout 1m
[ "$RC" -eq 0 ] || fail "second apply exited $RC, want 0"
[ "$(tail -n1 "$WORK/apply-2")" = "in sync: nothing to change, no writes" ] ||
  fail "second apply did not end with 'in sync: nothing to change, no writes': $(tail -n1 "$WORK/apply-2")"
log "ok  second apply: no writes ($WALL s)"

# --- 5. crash a master, restart it, rebalance gui -----------------------------------------------
# Not node1 (apply and the CLI talk to it) and not the leader (no election in the middle).
LEADER=$(leader)
VICTIM=node3
[ "$LEADER" != node3 ] || VICTIM=node2
OTHER=node2
[ "$VICTIM" != node2 ] || OTHER=node3
log "step 5: crash $VICTIM (leader: $LEADER)"
SWARMOP_SWARM_BASE=$BASE "$HARNESS/swarm-node.sh" crash "${VICTIM#node}"
gui_moved() {
  local table state got
  table=$(node_table 2>/dev/null) || { SEEN="node inspect failed"; return 1; }
  state=$(awk -v h="$VICTIM" '$1 == h { print $4 }' <<<"$table")
  got=$(tasks_of gui)
  SEEN="$VICTIM $state, gui [$got]"
  [ "$state" = down ] || return 1
  # 3 running tasks, all on node1 and $OTHER (so 2 on one of them).
  [[ $got =~ ^node1:([12])\ $OTHER:([12])$ ]] && [ $((BASH_REMATCH[1] + BASH_REMATCH[2])) -eq 3 ]
}
wait_until 120 "$VICTIM down and gui moved to node1+$OTHER" gui_moved
log "after the crash: $SEEN"

log "restart $VICTIM"
SWARMOP_SWARM_BASE=$BASE "$HARNESS/swarm-node.sh" start "${VICTIM#node}"
victim_back() {
  local row
  row=$(node_table 2>/dev/null | awk -v h="$VICTIM" '$1 == h') || true
  SEEN=$row
  [[ $row == "$VICTIM manager reachable ready active "* ]]
}
wait_until 90 "$VICTIM ready and a reachable manager again" victim_back
GUI_BEFORE=$(tasks_of gui)
case $GUI_BEFORE in
  "node1:1 node2:1 node3:1") fail "gui is one per master before apply ran ([$GUI_BEFORE]): Swarm rebalanced by itself, nothing to test" ;;
esac
log "gui before apply: [$GUI_BEFORE]"

run_operator apply-3 apply --timeout 3m
[ "$RC" -eq 0 ] || fail "apply after the restart exited $RC, want 0; last line: $(tail -n1 "$WORK/apply-3")"
grep -q "placement: force-update service $(svc gui) " "$WORK/apply-3" ||
  fail "apply after the restart did not force-update $(svc gui)"
W3=$(writes_of apply-3)
[ -n "$W3" ] || fail "apply after the restart did not end with 'in sync after N steps': $(tail -n1 "$WORK/apply-3")"
echo "rebalance after $VICTIM restart: $WALL s, $W3 writes"
check_converged

run_operator apply-4 apply --timeout 1m
if [ "$RC" -ne 0 ] || [ "$(tail -n1 "$WORK/apply-4")" != "in sync: nothing to change, no writes" ]; then
  fail "apply after the rebalance is not a no-op (exit $RC): $(tail -n1 "$WORK/apply-4")"
fi
log "ok  apply after the rebalance: no writes"
