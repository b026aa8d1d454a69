#!/usr/bin/env bash
# swarm-down.sh
#
# Tears down the swarm that swarm-up.sh made in $SWARMOP_SWARM_BASE (its other names are read
# from $BASE/names). Idempotent. Touches only what $BASE/.swop-owned lists; a base directory
# without that file is refused (exit 1, nothing touched).
#   1. SIGKILL the container processes (the procs of each node's container cgroups), so no
#      stop grace period is waited out;
#   2. SIGTERM every dockerd (pidfile pid, checked to be in the node's cgroup), all in parallel;
#      SIGKILL after SWARMOP_SWARM_STOP_TIMEOUT (default 20) seconds;
#   3. SIGKILL whatever is left of each node (containerd, shims: its cgroup subtree and pidfiles;
#      then any dockerd/containerd/shim whose --exec-root/--config/-address is under the base);
#   4. lazily unmount everything under the base directory;
#   5. delete the listed netns, veths, bridge and cgroups, the shims' sockets, the empty host
#      directories it created (/run/docker, /run/containerd), then the base directory.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
[ $# -eq 0 ] || usage

swop_check_config
swop_need_root
STOP_TIMEOUT=${SWARMOP_SWARM_STOP_TIMEOUT:-20}
T0=$EPOCHREALTIME

if [ ! -e "$SWOP_BASE" ]; then
  log "nothing to do: $SWOP_BASE does not exist"
  exit 0
fi
[ -d "$SWOP_BASE" ] && [ -f "$SWOP_MARKER" ] ||
  die "refusing: $SWOP_BASE has no $(basename "$SWOP_MARKER"), so it was not created by this harness"

mapfile -t NETNS < <(owned_list netns)
mapfile -t NODES < <(owned_list node)
for d in "$SWOP_BASE"/n[1-9]; do # a node directory not listed (should not happen)
  [ -d "$d" ] || continue
  k=${d##*/n}
  [[ " ${NODES[*]} " == *" $k "* ]] || NODES+=("$k")
done
status=0
record_shim_sockets

# 1. container processes
cpids=()
for k in "${NODES[@]}"; do mapfile -t -O ${#cpids[@]} cpids < <(container_pids "$k"); done
if [ ${#cpids[@]} -gt 0 ]; then
  kill_wait KILL 5 "${cpids[@]}" || log "container pids still alive: ${cpids[*]}"
fi

# 2. dockerds, gracefully
dpids=()
for k in "${NODES[@]}"; do
  p=$(dockerd_pid "$k") && dpids+=("$p")
done
if [ ${#dpids[@]} -gt 0 ]; then
  if ! kill_wait TERM "$STOP_TIMEOUT" "${dpids[@]}"; then
    log "dockerd still running after ${STOP_TIMEOUT}s: SIGKILL"
    kill_wait KILL 5 "${dpids[@]}"
  fi
fi
T_DAEMONS=$(since "$T0")

# 3. leftovers of each node, then anything naming the base directory
leftover=()
for k in "${NODES[@]}"; do mapfile -t -O ${#leftover[@]} leftover < <(node_pids "$k"); done
for f in /proc/[0-9]*/cmdline; do
  p=${f#/proc/}
  p=${p%/cmdline}
  [ "$p" = $$ ] && continue
  runs_for "$p" "$SWOP_BASE/" && leftover+=("$p")
done
if [ ${#leftover[@]} -gt 0 ]; then
  log "leftover pids (containerd, shims, containers): ${leftover[*]}"
  kill_wait KILL 5 "${leftover[@]}" || { log "ERROR: could not kill: ${leftover[*]}"; status=1; }
fi

# The shims' sockets outside the base (see record_shim_sockets)
if [ -f "$SWOP_BASE/shim-sockets" ]; then
  while read -r a; do
    [[ $a == /run/containerd/s/* ]] && [ -S "$a" ] && rm -f "$a"
  done <"$SWOP_BASE/shim-sockets"
fi

# 4. mounts under the base, deepest first
mapfile -t mnts < <(awk -v b="$SWOP_BASE/" 'index($5, b) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
for m in "${mnts[@]}"; do umount -l "$m" 2>/dev/null || { log "ERROR: umount $m failed"; status=1; }; done

# 5. network, cgroups, files: only what the marker lists
# Veths first (deleting one end deletes both); a netns going away also takes its veth with it,
# asynchronously, so "already gone" after a failed delete is fine.
del_link() { link_exists "$1" && ! ip link del "$1" 2>/dev/null && link_exists "$1" && status=1; }
for v in $(owned_list veth); do del_link "$v"; done
for ns in "${NETNS[@]}"; do
  netns_exists "$ns" && { ip netns del "$ns" || status=1; }
done
for b in $(owned_list bridge); do del_link "$b"; done
for c in $(owned_list cgroup); do
  for h in $(cg_hierarchies); do
    [ -d "$h/$c" ] || continue
    find "$h/$c" -depth -type d -exec rmdir {} + 2>/dev/null
    [ -d "$h/$c" ] && { log "ERROR: cgroup $h/$c not removed (processes left?)"; status=1; }
  done
done
for d in $(owned_list hostdir); do # only the empty directories of those
  [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
done
if awk -v b="$SWOP_BASE/" 'index($5, b) == 1 { f = 1 } END { exit !f }' /proc/self/mountinfo; then
  log "ERROR: still mounted under $SWOP_BASE; not deleting it"
  status=1
else
  # The node directories (vfs layers, about 125 MB each) in parallel, then the rest.
  rms=()
  for d in "$SWOP_BASE"/n[1-9]; do
    [ -d "$d" ] && { rm -rf --one-file-system "$d" & rms+=($!); }
  done
  for p in "${rms[@]}"; do wait "$p" || status=1; done
  rm -rf --one-file-system "$SWOP_BASE" || status=1
fi

log "down in $(since "$T0") s (daemons stopped after $T_DAEMONS s); nodes: ${NODES[*]:-none}"
exit $status
