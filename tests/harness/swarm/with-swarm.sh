#!/usr/bin/env bash
# with-swarm.sh [-m MANAGERS] N -- COMMAND [ARGS...]
#
# Brings up an N-node harness swarm (swarm-up.sh), runs COMMAND with the variables of its env
# file exported (and SWARMOP_SWARM_ENV=<env file>), then tears the swarm down (swarm-down.sh)
# whatever happens: COMMAND failing, swarm-up.sh failing half-way, Ctrl-C or SIGTERM.
# Exits with COMMAND's status; 1 if COMMAND passed but the tear-down failed; swarm-up.sh's
# status if the bring-up failed; 130/143 on SIGINT/SIGTERM.
# Refuses to start if the base directory already exists (it would tear down a swarm it did not
# bring up): run swarm-down.sh first.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

UP_ARGS=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
  UP_ARGS+=("$1")
  shift
done
[ $# -ge 2 ] && [ ${#UP_ARGS[@]} -ge 1 ] || usage
shift
swop_check_config
[ ! -e "$SWOP_BASE" ] || die "$SWOP_BASE already exists: run swarm-down.sh first (or set SWARMOP_SWARM_BASE)"

CHILD=""
TORN=0
teardown() {
  [ $TORN = 1 ] && return 0
  TORN=1
  "$HERE/swarm-down.sh"
}
on_signal() { # forward to COMMAND, let it finish, tear down
  local code=$1
  trap '' INT TERM
  [ -n "$CHILD" ] && kill -TERM "$CHILD" 2>/dev/null && wait "$CHILD" 2>/dev/null
  teardown
  exit "$code"
}
trap 'teardown' EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

# Children run in the background so that a signal to this script is handled at once (bash
# defers traps while a foreground child runs).
"$HERE/swarm-up.sh" "${UP_ARGS[@]}" &
CHILD=$!
wait "$CHILD"
up=$?
CHILD=""
[ $up = 0 ] || { log "swarm-up.sh failed ($up)"; exit $up; }

export SWARMOP_SWARM_ENV="$SWOP_BASE/env"
set -a
# shellcheck disable=SC1090
. "$SWARMOP_SWARM_ENV"
set +a

"$@" <&0 &
CHILD=$!
wait "$CHILD"
rc=$?
CHILD=""
trap - EXIT
teardown || { log "tear-down failed"; [ $rc != 0 ] || rc=1; }
exit $rc
