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

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=real_swarm_preamble.sh
. "$HERE/real_swarm_preamble.sh"
# shellcheck source=workers_journey_lib.sh
. "$HERE/workers_journey_lib.sh"

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

# =================================================================================================
log "swarm-operator: $OPERATOR; harness swarm: $BASE"
write_desired_file
# Leftovers of an aborted run (services, roles, labels, a crashed node) would falsify the test.
restore_swarm || fail "the harness swarm is not in its initial state: $SEEN"

# --- 1. bare swarm ------------------------------------------------------------------------------
log "step 1: bare swarm: node2 and node3 demoted, stand-in services with 1 replica each"
make_bare

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
