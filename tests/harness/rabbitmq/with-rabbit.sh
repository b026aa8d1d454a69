#!/usr/bin/env bash
# shellcheck disable=SC2317  # teardown/on_signal are invoked from traps
# =============================================================================
# with-rabbit.sh [-n N] -- COMMAND [ARGS...]
#
# Bring up an N-node (default 3) harness cluster (rabbit-up.sh), run COMMAND with
# the cluster's env file exported (SWARMOP_RABBIT_ENV=<path>, plus every variable
# in it: RABBIT_NODES, RABBIT1_MGMT, ...), tear the cluster down (rabbit-down.sh)
# from a trap on EXIT/INT/TERM, and exit with COMMAND's exit code (or rabbit-up's,
# if the bring-up fails; 130/143 when interrupted).
#
# A cluster that was already up and healthy in the same SWARMOP_RABBIT_BASE before
# this script started is reused and left running (we did not start it), unless
# SWARMOP_RABBIT_KEEP=0 is set explicitly; SWARMOP_RABBIT_KEEP=1 keeps a cluster
# this script started.
# =============================================================================
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"

N=3
while (( $# )); do
  case $1 in
    -n) N=${2:?}; shift 2 ;;
    --) shift; break ;;
    *) break ;;
  esac
done
(( $# )) || { sed -n '3,15p' "$0" >&2; exit 2; }

preexisting=0
if have_marker && [[ -f $ENV_FILE ]] && [[ $(read_env_nodes) == "$N" ]] && epmd_alive && cluster_healthy "$N"; then
  preexisting=1
fi
if [[ -n ${SWARMOP_RABBIT_KEEP:-} ]]; then keep=$SWARMOP_RABBIT_KEEP; else keep=$preexisting; fi

child=""
torn=0
teardown() {
  (( torn )) && return 0
  torn=1
  if [[ -n $child ]] && kill -0 "$child" 2>/dev/null; then
    kill -TERM "$child" 2>/dev/null
    wait "$child" 2>/dev/null
  fi
  if [[ $keep == 1 ]]; then
    log "leaving the cluster in $BASE running (SWARMOP_RABBIT_KEEP / pre-existing)"
  else
    "$HERE/rabbit-down.sh" || log "rabbit-down.sh failed"
  fi
}
on_signal() { local rc=$1; trap - INT TERM; teardown; exit "$rc"; }
trap 'teardown' EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

"$HERE/rabbit-up.sh" "$N" >/dev/null
rc=$?
if (( rc != 0 )); then
  log "rabbit-up.sh failed (exit $rc)"
  exit "$rc"
fi

export SWARMOP_RABBIT_ENV=$ENV_FILE
set -a
# shellcheck disable=SC1090
source "$ENV_FILE"
set +a

# Run COMMAND in the background and wait, so that INT/TERM reach our trap at once
# (stdin passed on explicitly: a background job would otherwise get /dev/null).
exec 3<&0
"$@" <&3 3<&- &
child=$!
wait "$child"
rc=$?
# wait returns >128 when interrupted by a trapped signal; the trap exits for us
child=""
exit "$rc"
