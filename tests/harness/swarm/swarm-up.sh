#!/usr/bin/env bash
# swarm-up.sh [-m MANAGERS] N
#
# Brings up a real Docker Swarm of N nodes (3..7) on this machine: one dockerd per network
# namespace, all on one bridge. node1..nodeM are managers (M = -m, default 3), the rest workers.
# The image local/busybox:1 (Debian's busybox-static, CMD sleep 3600) is imported on every node.
# Returns once node1 sees every node ready (managers reachable) and every node's own /info says
# LocalNodeState=active, then writes $BASE/env:
#   SWARM_NODES=N  SWARM_MANAGERS=M  SW<K>_HOST=unix://…  SW<K>_IP=…  SW<K>_NETNS=…  (and more)
#
# Idempotent: on a healthy swarm it only checks (well under a second). Dead daemons are
# restarted and rejoin with their saved state, partitioned links are brought up again, a larger
# N adds workers. A smaller N or another M than before is refused (run swarm-down.sh first).
#
# Environment: SWARMOP_SWARM_BASE (/tmp/swarmop-swarm), SWARMOP_SWARM_BRIDGE (swop-br0),
#   SWARMOP_SWARM_NETNS_PREFIX (swop-n), SWARMOP_SWARM_VETH_PREFIX (swop-v),
#   SWARMOP_SWARM_SUBNET (10.231.0.0/24), SWARMOP_SWARM_CGROUP (swop-swarm),
#   SWARMOP_SWARM_IMAGE (local/busybox:1), SWARMOP_SWARM_DOCKERD_ARGS (e.g. --debug),
#   SWARMOP_SWARM_HEARTBEAT (dispatcher heartbeat at swarm init, e.g. 2s; default: swarm's 5s),
#   SWARMOP_SWARM_READY_TIMEOUT (120 s), SWARMOP_DOCKERD, SWARMOP_BUSYBOX.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"


MANAGERS=3
N=""
while [ $# -gt 0 ]; do
  case $1 in
    -m | --managers) [ $# -ge 2 ] || usage; MANAGERS=$2; shift 2 ;;
    -h | --help) usage ;;
    -*) die "unknown option $1" ;;
    *) [ -z "$N" ] || usage; N=$1; shift ;;
  esac
done
[[ $N =~ ^[3-7]$ ]] || { log "N must be 3..7"; usage; }
[[ $MANAGERS =~ ^[1-7]$ ]] && [ "$MANAGERS" -le "$N" ] || die "MANAGERS must be 1..N"
READY_TIMEOUT=${SWARMOP_SWARM_READY_TIMEOUT:-120}

swop_check_config strict
swop_need_root
swop_need_tools
[ -x "$SWOP_DOCKERD" ] || die "dockerd not found (Debian: docker.io); set SWARMOP_DOCKERD"
[ -x "$SWOP_BUSYBOX" ] || die "busybox not found (Debian: busybox-static); set SWARMOP_BUSYBOX"

T0=$EPOCHREALTIME

# ---- base directory, marker, previous shape -------------------------------------------------------
if [ -e "$SWOP_BASE" ]; then
  [ -f "$SWOP_MARKER" ] ||
    die "$SWOP_BASE exists but has no $(basename "$SWOP_MARKER"): not created by this harness, not touching it"
else
  mkdir -p "$SWOP_BASE"
  {
    echo "# swarm-operator tests/harness/swarm: resources created by swarm-up.sh."
    echo "# swarm-down.sh deletes exactly what is listed here. created $(date -Is) by pid $$"
  } >"$SWOP_MARKER"
  save_names
fi
chmod 700 "$SWOP_BASE"

PREV_N=0 PREV_M="" INITIALIZED=0
if [ -f "$SWOP_STATE" ]; then
  # shellcheck disable=SC1090
  . "$SWOP_STATE"
fi
[ "$N" -ge "$PREV_N" ] || die "swarm has $PREV_N nodes, cannot shrink to $N: run swarm-down.sh first"
[ -z "$PREV_M" ] || [ "$PREV_M" = "$MANAGERS" ] ||
  die "swarm has $PREV_M managers, not $MANAGERS: run swarm-down.sh first"
write_state() { printf 'PREV_N=%s\nPREV_M=%s\nINITIALIZED=%s\n' "$N" "$MANAGERS" "$INITIALIZED" >"$SWOP_STATE"; }
write_state

NODES=()
for ((k = 1; k <= N; k++)); do NODES+=("$k"); done

# ---- network and daemons --------------------------------------------------------------------------
check_subnet_free
ensure_bridge
started=()
for k in "${NODES[@]}"; do
  ensure_node_net "$k"
  if ! dockerd_pid "$k" >/dev/null; then
    start_dockerd "$k"
    started+=("node$k")
  fi
done
wait_ping 60 "${NODES[@]}"
[ ${#started[@]} -eq 0 ] || log "dockerd started: ${started[*]} ($(since "$T0") s)"

# ---- image (imported in the background while the swarm forms) ------------------------------------
ROOTFS_TAR="$SWOP_BASE/busybox-rootfs.tar"
build_rootfs() {
  [ -s "$ROOTFS_TAR" ] && return 0
  local r="$SWOP_BASE/rootfs"
  rm -rf "$r"
  mkdir -p "$r/bin" "$r/tmp" "$r/etc" "$r/proc" "$r/sys" "$r/dev"
  cp "$SWOP_BUSYBOX" "$r/bin/busybox"
  chroot "$r" /bin/busybox --install -s /bin # every applet as a symlink to /bin/busybox
  chmod 1777 "$r/tmp"
  tar -C "$r" --numeric-owner --owner=0 --group=0 -cf "$ROOTFS_TAR.tmp" .
  mv "$ROOTFS_TAR.tmp" "$ROOTFS_TAR"
  rm -rf "$r"
}
have_image() { api "$1" GET "/images/$SWOP_IMAGE/json" >/dev/null 2>&1; }
import_image() { # K
  local k=$1 repo=${SWOP_IMAGE%:*} tag=${SWOP_IMAGE##*:} out changes
  have_image "$k" && return 0
  changes=$(jq -rn '"CMD [\"/bin/sleep\",\"3600\"]" | @uri')
  out=$(api "$k" POST "/images/create?fromSrc=-&repo=$repo&tag=$tag&changes=$changes" \
    -H 'Content-Type: application/x-tar' --data-binary "@$ROOTFS_TAR" -m 120 2>&1) || true
  have_image "$k" || { log "node$k: image import failed: $out"; return 1; }
}
build_rootfs
IMPORTS=()
for k in "${NODES[@]}"; do
  import_image "$k" &
  IMPORTS+=($!)
done

# ---- swarm membership -----------------------------------------------------------------------------
# A daemon restarted with swarm state is "pending" for a moment: wait that out (30 s at most).
declare -A STATE
deadline=$((SECONDS + 30))
# Never initialised: every node is fresh, so "inactive" without asking (saves 5 /info calls).
[ "$INITIALIZED" = 0 ] && for k in "${NODES[@]}"; do STATE[$k]="inactive false"; done
while [ "$INITIALIZED" = 1 ]; do
  pending=0
  while read -r k s c; do
    STATE[$k]="$s $c"
    [ "$s" = pending ] && pending=1
  done < <(local_states "${NODES[@]}")
  [ $pending = 0 ] || [ $SECONDS -ge $deadline ] && break
  sleep 0.2
done
CTRL=""
for k in "${NODES[@]}"; do
  [ "${STATE[$k]}" = "active true" ] && { CTRL=$k; break; }
done

if [ -z "$CTRL" ]; then
  [ "$INITIALIZED" = 0 ] || die "the swarm was initialised but no manager among node1..node$N is available"
  [ "${STATE[1]}" = "inactive false" ] || die "node1 is in state '${STATE[1]}', cannot init a swarm"
  init='{"ListenAddr":"'"$(node_ip 1)"':2377","AdvertiseAddr":"'"$(node_ip 1)"'"}'
  if [ -n "${SWARMOP_SWARM_HEARTBEAT:-}" ]; then
    hb_ns=$(awk -v s="${SWARMOP_SWARM_HEARTBEAT%s}" 'BEGIN { printf "%d", s * 1e9 }')
    init=$(jq -c --argjson hb "$hb_ns" '. + {Spec: {Dispatcher: {HeartbeatPeriod: $hb}}}' <<<"$init")
  fi
  api 1 POST /swarm/init -H 'Content-Type: application/json' -d "$init" >/dev/null ||
    die "swarm init on node1 failed"
  INITIALIZED=1
  write_state
  STATE[1]="active true"
  CTRL=1
  log "swarm initialised on node1 ($(since "$T0") s)"
fi

TOKENS=""
join() { # K ROLE
  local k=$1 role=$2 token body out try
  token=$(jq -r --arg r "$role" 'if $r == "manager" then .Manager else .Worker end' <<<"$TOKENS")
  body=$(jq -cn --arg ip "$(node_ip "$k")" --arg ctrl "$(node_ip "$CTRL"):2377" --arg t "$token" \
    '{ListenAddr: ($ip + ":2377"), AdvertiseAddr: $ip, RemoteAddrs: [$ctrl], JoinToken: $t}')
  for try in 1 2 3; do
    out=$(api "$k" POST /swarm/join -H 'Content-Type: application/json' -d "$body" 2>&1) && return 0
    [[ $out == *"already part of a swarm"* ]] && return 0
    log "node$k: join as $role failed (try $try): $out"
    sleep 1
  done
  return 1
}
JOINS=()
joined=0
for k in "${NODES[@]}"; do
  case ${STATE[$k]} in
    active*) continue ;;
    inactive*) ;;
    *) die "node$k: unexpected local swarm state '${STATE[$k]}'" ;;
  esac
  joined=1
  if [ -z "$TOKENS" ]; then
    TOKENS=$(api "$CTRL" GET /swarm | jq -c .JoinTokens) || die "cannot read join tokens from node$CTRL"
  fi
  if [ "$k" -le "$MANAGERS" ]; then
    join "$k" manager || die "node$k could not join as manager" # one at a time: raft changes
  else
    join "$k" worker &
    JOINS+=($!)
  fi
done
for p in "${JOINS[@]}"; do wait "$p" || die "a worker failed to join"; done
[ $joined = 0 ] || log "joins done ($(since "$T0") s)"

# ---- readiness --------------------------------------------------------------------------------------
# The first check may reuse the local states read above when nothing was started or joined.
reuse_states=0
if [ ${#started[@]} -eq 0 ] && [ "$joined" = 0 ]; then
  reuse_states=1
  for k in "${NODES[@]}"; do [[ ${STATE[$k]} == active* ]] || reuse_states=0; done
fi
want=$(printf 'node%s\n' "${NODES[@]}")
deadline=$((SECONDS + READY_TIMEOUT))
while :; do
  not_ready=$(api 1 GET /nodes 2>/dev/null | jq -r --arg want "$want" '
      ($want | split("\n") | map(select(. != ""))) - [ .[]
        | select(.Status.State == "ready")
        | select(.Spec.Role != "manager" or .ManagerStatus.Reachability == "reachable")
        | .Description.Hostname ] | join(" ")' 2>/dev/null) || not_ready="(node1 does not answer)"
  if [ -z "$not_ready" ] && [ $reuse_states = 1 ]; then
    reuse_states=0
  elif [ -z "$not_ready" ]; then
    not_ready=$(local_states "${NODES[@]}" | awk '$2 != "active" { printf "node%s(LocalNodeState=%s) ", $1, $2 }')
  fi
  [ -n "${SWOP_TRACE:-}" ] && log "not ready: ${not_ready:-none} ($(since "$T0") s)"
  [ -z "$not_ready" ] && break
  [ $SECONDS -lt $deadline ] || die "swarm not ready after ${READY_TIMEOUT}s; not ready: $not_ready"
  sleep 0.25
done
for p in "${IMPORTS[@]}"; do wait "$p" || die "image import failed"; done
[ -n "${SWOP_TRACE:-}" ] && log "images imported ($(since "$T0") s)"

# ---- env file ---------------------------------------------------------------------------------------
{
  echo "SWARM_NODES=$N"
  echo "SWARM_MANAGERS=$MANAGERS"
  echo "SWARM_BASE=$SWOP_BASE"
  echo "SWARM_SUBNET=$SWOP_SUBNET"
  echo "SWARM_BRIDGE=$SWOP_BRIDGE"
  echo "SWARM_IMAGE=$SWOP_IMAGE"
  for k in "${NODES[@]}"; do # (no $(…) here: each fork costs 50-100 ms on a loaded machine)
    role=worker
    [ "$k" -le "$MANAGERS" ] && role=manager
    echo "SW${k}_HOST=unix://$SWOP_BASE/n$k/docker.sock"
    echo "SW${k}_SOCK=$SWOP_BASE/n$k/docker.sock"
    echo "SW${k}_IP=$SWOP_NET3.1$k"
    echo "SW${k}_NETNS=$SWOP_NETNS_PREFIX$k"
    echo "SW${k}_ROLE=$role"
  done
} >"$SWOP_BASE/env.tmp"
if cmp -s "$SWOP_BASE/env.tmp" "$SWOP_BASE/env"; then rm -f "$SWOP_BASE/env.tmp"; else mv "$SWOP_BASE/env.tmp" "$SWOP_BASE/env"; fi

log "swarm ready: $N nodes ($MANAGERS managers), in $(since "$T0") s; env: $SWOP_BASE/env"
