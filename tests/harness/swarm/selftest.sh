#!/usr/bin/env bash
# selftest.sh
#
# Self-test of the swarm harness on a real 5-node swarm (3 managers, 2 workers): bring-up,
# idempotent re-run, `docker node ls`, a 2-replica service, crash + restart of worker node5,
# partition + heal of worker node4, tear-down with nothing left behind, and swarm-down.sh
# refusing a base directory it did not create. Prints timings and "N passed, M failed";
# exits non-zero on any failure. Needs root, docker.io, busybox-static, curl, jq, iproute2.
#
# It uses its own names so it can run next to a swarm brought up with the defaults:
# base /tmp/swarmop-selftest, bridge swop-tbr0, netns swop-tn<K>, veths swop-tv<K>,
# cgroup swop-selftest, subnet 10.231.1.0/24 (each overridable with the SWARMOP_SWARM_* variables).
set -uo pipefail
export SWARMOP_SWARM_BASE=${SWARMOP_SWARM_BASE:-/tmp/swarmop-selftest}
export SWARMOP_SWARM_BRIDGE=${SWARMOP_SWARM_BRIDGE:-swop-tbr0}
export SWARMOP_SWARM_NETNS_PREFIX=${SWARMOP_SWARM_NETNS_PREFIX:-swop-tn}
export SWARMOP_SWARM_VETH_PREFIX=${SWARMOP_SWARM_VETH_PREFIX:-swop-tv}
export SWARMOP_SWARM_CGROUP=${SWARMOP_SWARM_CGROUP:-swop-selftest}
export SWARMOP_SWARM_SUBNET=${SWARMOP_SWARM_SUBNET:-10.231.1.0/24}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
swop_check_config
swop_need_root

PASSED=0
FAILED=0
TIMINGS=()
ok() { PASSED=$((PASSED + 1)); echo "ok    $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL  $*"; }
# check NAME COMMAND...: one test; its output follows its ok/FAIL line, indented.
# (Not run in a subshell, so that `timed` inside it can record its timing.)
OUT=$(mktemp /tmp/swarmop-selftest-out.XXXXXX)
check() {
  local name=$1
  shift
  if "$@" >"$OUT" 2>&1; then ok "$name"; else fail "$name"; fi
  sed 's/^/      /' "$OUT"
}
# timed LABEL COMMAND...: run, record the wall time, return the command's status.
timed() {
  local label=$1 t=$EPOCHREALTIME rc
  shift
  "$@"
  rc=$?
  TIMINGS+=("$(printf '%-34s %6s s' "$label" "$(since "$t")")")
  return $rc
}
summary() {
  echo
  echo "timings:"
  printf '  %s\n' "${TIMINGS[@]}"
  echo "total: $(since "$T_START") s"
  echo "$PASSED passed, $FAILED failed"
}

DOCKER=$(docker_cli) || { echo "no docker CLI at /usr/local/bin/docker or /usr/bin/docker"; echo "0 passed, 1 failed"; exit 1; }
T_START=$EPOCHREALTIME
DOWN_DONE=0
cleanup() {
  rm -f "$OUT"
  [ $DOWN_DONE = 1 ] || "$HERE/swarm-down.sh" >/dev/null 2>&1
}
trap cleanup EXIT
trap 'echo "interrupted"; exit 130' INT TERM

if [ -e "$SWOP_BASE" ]; then
  echo "$SWOP_BASE already exists (a previous run?): run SWARMOP_SWARM_BASE=$SWOP_BASE $HERE/swarm-down.sh"
  DOWN_DONE=1
  echo "0 passed, 1 failed"
  exit 1
fi

# ---- refusal: a base directory the harness did not create ------------------------------------------
FOREIGN=$(mktemp -d /tmp/swarmop-foreign.XXXXXX)
touch "$FOREIGN/precious"
refuses_foreign() {
  ! SWARMOP_SWARM_BASE=$FOREIGN "$HERE/swarm-down.sh" && [ -f "$FOREIGN/precious" ] &&
    ! SWARMOP_SWARM_BASE=$FOREIGN "$HERE/swarm-up.sh" 3 && [ -f "$FOREIGN/precious" ] &&
    [ ! -e "$FOREIGN/.swop-owned" ]
}
check "swarm-down.sh and swarm-up.sh refuse a base dir without the marker" refuses_foreign
rm -rf "$FOREIGN"
check "swarm-down.sh with no base dir is a no-op" "$HERE/swarm-down.sh"

# ---- bring-up -------------------------------------------------------------------------------------
if ! timed "bring-up (5 nodes, 3 managers)" "$HERE/swarm-up.sh" 5; then
  fail "swarm-up.sh 5"
  summary
  exit 1
fi
ok "swarm-up.sh 5"
ENV_FILE="$SWOP_BASE/env"
set -a
# shellcheck disable=SC1090
. "$ENV_FILE"
set +a
env_ok() {
  [ "$SWARM_NODES" = 5 ] && [ "$SWARM_MANAGERS" = 3 ] || return 1
  local k h ip ns
  for k in 1 2 3 4 5; do
    h=SW${k}_HOST ip=SW${k}_IP ns=SW${k}_NETNS
    [ "${!h}" = "unix://$(node_sock "$k")" ] && [ -S "${!h#unix://}" ] || { echo "bad $h=${!h}"; return 1; }
    [ "${!ip}" = "$SWOP_NET3.1$k" ] || { echo "bad $ip=${!ip}"; return 1; }
    netns_exists "${!ns}" || { echo "bad $ns=${!ns}"; return 1; }
  done
}
check "env file has SWARM_NODES, SWARM_MANAGERS, SW<K>_HOST/_IP/_NETNS" env_ok

dk() { "$DOCKER" -H "$SW1_HOST" "$@"; }
node_ls_ok() {
  local out
  out=$(dk node ls --format '{{.Hostname}} {{.Status}} {{.ManagerStatus}}' | sort) || return 1
  echo "$out"
  [ "$(grep -c ' Ready' <<<"$out")" = 5 ] &&
    [ "$(grep -cE ' (Leader|Reachable)$' <<<"$out")" = 3 ] &&
    [ "$(awk '{print $1}' <<<"$out" | tr '\n' ' ')" = "node1 node2 node3 node4 node5 " ]
}
check "docker node ls: node1..node5 Ready, 3 managers" node_ls_ok
hostnames_ok() {
  local k
  for k in 1 2 3 4 5; do
    [ "$("$DOCKER" -H "unix://$(node_sock "$k")" info --format '{{.Name}}')" = "node$k" ] || return 1
  done
}
check "each daemon's own name is nodeK" hostnames_ok

before_pids=$(for k in 1 2 3 4 5; do dockerd_pid "$k"; done)
before_env=$(cksum <"$ENV_FILE")
rerun_ok() {
  "$HERE/swarm-up.sh" 5 || return 1
  [ "$(for k in 1 2 3 4 5; do dockerd_pid "$k"; done)" = "$before_pids" ] || { echo "dockerd pids changed"; return 1; }
  [ "$(cksum <"$ENV_FILE")" = "$before_env" ] || { echo "env file changed"; return 1; }
}
t=$EPOCHREALTIME
check "swarm-up.sh re-run on a healthy swarm changes nothing" rerun_ok
TIMINGS+=("$(printf '%-34s %6s s' "idempotent re-run" "$(since "$t")")")

# ---- a service --------------------------------------------------------------------------------------
check "docker service create (2 replicas of $SWOP_IMAGE)" \
  dk service create --detach --quiet --no-resolve-image --name swop-selftest --replicas 2 "$SWOP_IMAGE"
check "2 tasks running" timed "service: 2 tasks running" "$HERE/wait-for.sh" -t 30 tasks swop-selftest 2

# ---- crash and restart a worker --------------------------------------------------------------------
crash_ok() { "$HERE/swarm-node.sh" crash 5 && [ -z "$(node_pids 5)" ]; }
check "crash node5 (no pid of node5 left)" crash_ok
check "node5 seen down" timed "crash node5 -> down" "$HERE/wait-for.sh" -t 40 node 5 down
check "start node5" timed "start node5 (daemon answers)" "$HERE/swarm-node.sh" start 5
check "node5 seen ready" timed "node5 -> ready" "$HERE/wait-for.sh" -t 40 node 5 ready

# ---- partition and heal a worker -------------------------------------------------------------------
check "partition node4" "$HERE/swarm-node.sh" partition 4
check "node4 seen down" timed "partition node4 -> down" "$HERE/wait-for.sh" -t 40 node 4 down
check "heal node4" "$HERE/swarm-node.sh" heal 4
check "node4 seen ready" timed "heal node4 -> ready" "$HERE/wait-for.sh" -t 60 node 4 ready
check "service back to 2 running tasks" "$HERE/wait-for.sh" -t 30 tasks swop-selftest 2

# ---- tear-down and leftovers -----------------------------------------------------------------------
ALL_PIDS=$(for k in 1 2 3 4 5; do node_pids "$k"; done | sort -un | tr '\n' ' ')
SHIM_SOCKS=$(cat "$SWOP_BASE"/n[1-9]/exec/containerd/daemon/io.containerd.runtime.v2.task/*/*/address 2>/dev/null |
  sed 's|^unix://||' | tr '\n' ' ')
check "swarm-down.sh" timed "tear-down" "$HERE/swarm-down.sh"
DOWN_DONE=1
nothing_left() {
  local p k bad=0 cg h
  for p in $ALL_PIDS; do
    alive "$p" && grep -qF ":/$SWOP_CGROUP/" "/proc/$p/cgroup" 2>/dev/null && { echo "pid $p alive"; bad=1; }
  done
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    runs_for "$p" "$SWOP_BASE/" && { echo "pid $p still runs for $SWOP_BASE"; bad=1; }
  done
  for k in 1 2 3 4 5; do
    netns_exists "$(node_ns "$k")" && { echo "netns $(node_ns "$k") left"; bad=1; }
    link_exists "$(node_veth "$k")" && { echo "veth $(node_veth "$k") left"; bad=1; }
  done
  link_exists "$SWOP_BRIDGE" && { echo "bridge left"; bad=1; }
  for h in $(cg_hierarchies); do
    cg="$h/$SWOP_CGROUP"
    [ -e "$cg" ] && { echo "cgroup $cg left"; bad=1; }
  done
  for p in $SHIM_SOCKS; do [ -e "$p" ] && { echo "shim socket $p left"; bad=1; }; done
  grep -qF " $SWOP_BASE/" /proc/self/mountinfo && { echo "mounts left under $SWOP_BASE"; bad=1; }
  [ -e "$SWOP_BASE" ] && { echo "$SWOP_BASE left"; bad=1; }
  return $bad
}
check "no netns, veth, bridge, cgroup, mount, dockerd, containerd or shim left" nothing_left
t=$EPOCHREALTIME
check "swarm-down.sh again is a no-op" "$HERE/swarm-down.sh"
TIMINGS+=("$(printf '%-34s %6s s' "second tear-down" "$(since "$t")")")

summary
[ "$FAILED" = 0 ]
