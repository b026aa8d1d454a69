# The start every end-to-end script against the real 5-node harness swarm shares (sourced with
# the script's own arguments, after it set HERE to its folder): PATH_TO_swarm-operator as the
# only argument, the harness env file loaded, the docker CLI found, a work folder, the clock
# started, and real_swarm_lib.sh loaded. Sets OPERATOR, HARNESS, BASE, DOCKER_CLI, STACK, WORK
# and T_START.
[ $# -eq 1 ] || { echo "usage: $0 PATH_TO_swarm-operator" >&2; exit 2; }
OPERATOR=$1
HARNESS=$HERE/../harness/swarm
BASE=${SWARMOP_SWARM_BASE:-/tmp/swarmop-swarm}
ENV_FILE=$BASE/env
DOCKER_CLI=${SWARMOP_DOCKER_CLI:-$(command -v docker || true)}
STACK=iservices  # the harness's application stack

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
