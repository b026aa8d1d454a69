#!/usr/bin/env bash
# wait-for.sh [-t SECONDS] [-v VIA] node K STATE
# wait-for.sh [-t SECONDS] [-v VIA] tasks SERVICE COUNT
#
# Polls (every 0.25 s) the Engine API of manager node VIA (default 1) until
#   node K STATE          node K's Status.State is STATE (ready | down | unknown | absent)
#   tasks SERVICE COUNT   exactly COUNT tasks of SERVICE are running (desired state running)
# and prints the elapsed time. Exits 1 with the last state seen when the deadline (-t, default
# 40 s) passes. Finds the swarm by SWARMOP_SWARM_BASE (other names: from $BASE/names).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

TIMEOUT=40
VIA=1
while [ $# -gt 0 ]; do
  case $1 in
    -t) [ $# -ge 2 ] || usage; TIMEOUT=$2; shift 2 ;;
    -v) [ $# -ge 2 ] || usage; VIA=$2; shift 2 ;;
    -*) usage ;;
    *) break ;;
  esac
done
[ $# -eq 3 ] || usage
[[ $TIMEOUT =~ ^[0-9]+$ ]] && [[ $VIA =~ ^[1-9]$ ]] || usage
swop_check_config

case $1 in
  node)
    [[ $2 =~ ^[1-9]$ ]] || usage
    what="node$2 $3"
    probe() { node_state "$VIA" "node$2"; }
    want=$3
    ;;
  tasks)
    [[ $3 =~ ^[0-9]+$ ]] || usage
    what="$2: $3 running tasks"
    probe() {
      api "$VIA" GET "/tasks?filters=$(jq -rn --arg s "$2" '{service: [$s], "desired-state": ["running"]} | tojson | @uri')" \
        2>/dev/null | jq -r '[ .[] | select(.Status.State == "running") ] | length' 2>/dev/null || echo error
    }
    want=$3
    ;;
  *) usage ;;
esac

T0=$EPOCHREALTIME
deadline=$((SECONDS + TIMEOUT))
while :; do
  seen=$(probe "$@")
  if [ "$seen" = "$want" ]; then
    echo "$what after $(since "$T0") s (via node$VIA)"
    exit 0
  fi
  if [ $SECONDS -ge $deadline ]; then
    echo "TIMEOUT: not $what after $(since "$T0") s (via node$VIA; last seen: $seen)" >&2
    exit 1
  fi
  sleep 0.25
done
