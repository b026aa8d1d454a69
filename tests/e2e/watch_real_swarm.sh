#!/usr/bin/env bash
# watch_real_swarm.sh PATH_TO_swarm-operator
#
# `swarm-operator watch` against the real 5-node harness swarm (issue #8):
#   1. watch starts on the harness's initial swarm and labels node4 as its file says;
#   2. the file is edited (a new file renamed over it, as git does): node4's label follows, with
#      the resync an hour away, so the file watch did it;
#   3. node5 is crashed: the controller hears the node's Down event and reports membership
#      Degraded; once node5 is started again, Healthy;
#   4. SIGTERM: exit 0; the swarm is left as found (the lease service removed too).
# Needs the swarm from tests/harness/swarm/swarm-up.sh 5 (SWARMOP_SWARM_BASE).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=real_swarm_preamble.sh
. "$HERE/real_swarm_preamble.sh"
WATCH_PID=""

on_exit() {
  local rc=$?
  trap - EXIT
  set +e
  if [ -n "$WATCH_PID" ]; then
    kill "$WATCH_PID" 2>/dev/null
    wait "$WATCH_PID" 2>/dev/null
  fi
  if [ $rc -ne 0 ] && [ -f "$WORK/watch.log" ]; then
    echo "--- watch log:" >&2
    tail -n 40 "$WORK/watch.log" >&2
  fi
  log "cleanup: restoring the harness swarm (test status $rc)"
  if ! restore_swarm; then
    [ $rc -ne 0 ] || rc=1
  fi
  rm -rf "$WORK"
  if [ $rc -eq 0 ]; then log "PASS"; else log "FAILED (exit $rc)"; fi
  exit $rc
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cluster() {  # cluster ZONE: the harness's swarm, node4 labelled zone=ZONE
  cat <<YAML
apiVersion: swarm-operator/v1alpha1
kind: SwarmCluster
metadata: {name: watch-real}
spec:
  swarm:
    nodes:
      - {hostname: node1, role: manager}
      - {hostname: node2, role: manager}
      - {hostname: node3, role: manager}
      - {hostname: node4, role: worker, labels: {zone: $1}}
      - {hostname: node5, role: worker}
YAML
}

zone_is() {
  SEEN=$(d node inspect node4 --format '{{index .Spec.Labels "zone"}}' 2>&1) || return 1
  [ "$SEEN" = "$1" ]
}
membership_health_is() {
  SEEN=$(curl -fsS "$URL/status" 2>&1 | jq -r '.reconcilers[] | select(.name == "membership") | .health') || return 1
  [ "$SEEN" = "$1" ]
}
log_has() { SEEN=$(grep -c "$1" "$WORK/watch.log" || true); [ "$SEEN" -gt 0 ]; }

log "restoring the harness's initial state first"
restore_swarm

log "step 1: watch starts"
cluster a >"$WORK/cluster.yaml"
DOCKER_HOST=$SW1_HOST "$OPERATOR" watch "$WORK/cluster.yaml" --listen 127.0.0.1:0 --resync 1h \
  --log-format json 2>"$WORK/watch.log" &
WATCH_PID=$!
wait_until 30 "watch listening" log_has '"event":"http-listening"'
URL="http://127.0.0.1:$(grep '"event":"http-listening"' "$WORK/watch.log" | jq -r .port)"
wait_until 60 "node4 labelled zone=a" zone_is a
wait_until 60 "membership Healthy" membership_health_is Healthy

log "step 2: the file is edited (renamed over, as git does)"
cluster b >"$WORK/next.yaml"
mv "$WORK/next.yaml" "$WORK/cluster.yaml"
wait_until 30 "node4 labelled zone=b" zone_is b

log "step 3: node5 crashes"
SWARMOP_SWARM_BASE=$BASE "$HARNESS/swarm-node.sh" crash 5
wait_until 90 "node5's Down event heard" log_has '"event":"node-state","node":"node5","state":"down"'
wait_until 30 "membership Degraded" membership_health_is Degraded
SWARMOP_SWARM_BASE=$BASE "$HARNESS/swarm-node.sh" start 5
wait_until 90 "membership Healthy again" membership_health_is Healthy

log "step 4: SIGTERM"
kill -TERM "$WATCH_PID"
status=0
wait "$WATCH_PID" || status=$?
WATCH_PID=""
[ "$status" -eq 0 ] || fail "watch exited $status on SIGTERM, expected 0"
log_has '"event":"stopped"' || fail "no stopped line in the log"
