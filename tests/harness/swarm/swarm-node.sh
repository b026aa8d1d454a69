#!/usr/bin/env bash
# swarm-node.sh ACTION K      fault injection on node K of the harness swarm
#   crash K      SIGKILL dockerd, containerd, shims and containers of node K at once (a power
#                cut; the swarm state stays on disk)
#   stop K       SIGTERM node K's dockerd and wait until it has exited (a graceful stop; its
#                tasks get their stop grace period)
#   start K      start node K again with its saved state (it rejoins by itself); returns once
#                the daemon answers. Does not heal a partition.
#   partition K  take node K's link down on both ends (host veth and the node's eth0)
#   heal K       bring node K's link up again
#   pids K       list node K's pids, one per line (dockerd, containerd, shims, containers)
# Finds the swarm by SWARMOP_SWARM_BASE; its other names are read from $BASE/names.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

[ $# -eq 2 ] || usage
ACTION=$1
K=$2
[[ $K =~ ^[1-9]$ ]] || usage
swop_check_config
swop_need_root
[ -f "$SWOP_MARKER" ] || die "no harness swarm at $SWOP_BASE (no $(basename "$SWOP_MARKER"))"
owned node "$K" || die "node$K is not part of the harness swarm at $SWOP_BASE"

T0=$EPOCHREALTIME
case $ACTION in
  crash)
    # Repeat until the node's cgroup is empty: a process could be forking while we kill.
    record_shim_sockets
    killed=0
    for _ in 1 2 3 4 5; do
      mapfile -t pids < <(node_pids "$K")
      [ ${#pids[@]} -eq 0 ] && break
      killed=$((killed + ${#pids[@]}))
      kill_wait KILL 5 "${pids[@]}" || true
    done
    left=$(node_pids "$K" | tr '\n' ' ')
    [ -z "$left" ] || die "node$K: pids survived SIGKILL: $left"
    log "node$K crashed: $killed pids killed in $(since "$T0") s"
    ;;
  stop)
    if p=$(dockerd_pid "$K"); then
      kill_wait TERM "${SWARMOP_SWARM_STOP_TIMEOUT:-30}" "$p" || die "node$K: dockerd $p did not stop"
      log "node$K: dockerd $p stopped in $(since "$T0") s"
    else
      log "node$K: dockerd not running"
    fi
    ;;
  start)
    swop_need_tools
    ensure_bridge
    if netns_exists "$(node_ns "$K")" && ip -n "$(node_ns "$K")" link show dev eth0 >/dev/null 2>&1; then
      : # plumbing is there; leave the link state (a partition) alone
    else
      ensure_node_net "$K"
    fi
    start_dockerd "$K"
    wait_ping 60 "$K"
    log "node$K: dockerd up in $(since "$T0") s (local swarm state: $(local_state "$K" | cut -d' ' -f1))"
    ;;
  partition)
    ip link set "$(node_veth "$K")" down
    ip -n "$(node_ns "$K")" link set eth0 down
    log "node$K partitioned (links down)"
    ;;
  heal)
    ip -n "$(node_ns "$K")" link set eth0 up
    ip link set "$(node_veth "$K")" up
    log "node$K healed (links up)"
    ;;
  pids)
    node_pids "$K"
    ;;
  *) usage ;;
esac
