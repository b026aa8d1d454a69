# shellcheck shell=bash disable=SC2034  # (variables set here are used by the scripts sourcing it)
# Shared code of the swarm test harness (sourced by the scripts beside it, never run).
#
# Node K (1..9) of the harness swarm is made of:
#   * network namespace  ${NETNS_PREFIX}K, whose eth0 has ${NET3}.1K/24;
#   * veth               ${VETH_PREFIX}K on the host side, a port of bridge ${BRIDGE} (${NET3}.1/24);
#   * UTS namespace      with hostname nodeK (the swarm node name);
#   * dockerd            with its own containerd, state in ${BASE}/nK/, socket ${BASE}/nK/docker.sock;
#   * cgroups            <hierarchy>/${CGROUP}/nodeK/daemon (dockerd, containerd, shims) and
#                        <hierarchy>/${CGROUP}/nodeK/ctr/<id> (the containers: --cgroup-parent).
# The cgroup subtree of a node is how its processes are found: every descendant of its dockerd
# stays in it, so nothing is ever looked up by process name.
#
# Ownership: ${BASE}/.swop-owned lists every bridge, netns, veth and cgroup that swarm-up.sh
# created, written down before each is created. swarm-down.sh deletes only what is listed there,
# and refuses to run on a base directory without that file.

set -o pipefail

SWOP_BASE=${SWARMOP_SWARM_BASE:-/tmp/swarmop-swarm}
SWOP_BRIDGE=${SWARMOP_SWARM_BRIDGE:-swop-br0}
SWOP_NETNS_PREFIX=${SWARMOP_SWARM_NETNS_PREFIX:-swop-n}
SWOP_VETH_PREFIX=${SWARMOP_SWARM_VETH_PREFIX:-swop-v}
SWOP_SUBNET=${SWARMOP_SWARM_SUBNET:-10.231.0.0/24}
SWOP_CGROUP=${SWARMOP_SWARM_CGROUP:-swop-swarm}
SWOP_IMAGE=${SWARMOP_SWARM_IMAGE:-local/busybox:1}
SWOP_DOCKERD=${SWARMOP_DOCKERD:-$(command -v dockerd || echo /usr/sbin/dockerd)}
SWOP_BUSYBOX=${SWARMOP_BUSYBOX:-$(command -v busybox || echo /usr/bin/busybox)}
SWOP_DOCKERD_ARGS=${SWARMOP_SWARM_DOCKERD_ARGS:-}   # extra dockerd flags, e.g. --debug
SWOP_MARKER="$SWOP_BASE/.swop-owned"
SWOP_STATE="$SWOP_BASE/swarm.state"
SWOP_NAMES="$SWOP_BASE/names"
# The names that identify one harness swarm: internal variable and environment variable.
SWOP_NAME_VARS=(SWOP_BRIDGE:SWARMOP_SWARM_BRIDGE SWOP_NETNS_PREFIX:SWARMOP_SWARM_NETNS_PREFIX
  SWOP_VETH_PREFIX:SWARMOP_SWARM_VETH_PREFIX SWOP_SUBNET:SWARMOP_SWARM_SUBNET
  SWOP_CGROUP:SWARMOP_SWARM_CGROUP SWOP_IMAGE:SWARMOP_SWARM_IMAGE)
SWOP_API=v1.41
SWOP_NAME=${0##*/}

# usage: print the script's header comment (its usage text) and exit 2.
usage() { awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0" >&2; exit 2; }

# (Builtins only in the helpers that run often: on a loaded 2-core machine every fork costs
# 30-100 ms, and a re-run of swarm-up.sh would otherwise take seconds.)
log() {
  local now=$EPOCHREALTIME us
  us=${now#*.}
  printf '%(%H:%M:%S)T.%s [%s] %s\n' "${now%.*}" "${us:0:3}" "$SWOP_NAME" "$*" >&2
}
die() { log "ERROR: $*"; exit 1; }

# Seconds since $1 (an $EPOCHREALTIME value), to 0.1 s.
since() {
  local a=${1/./} b=${EPOCHREALTIME/./} d
  d=$(((10#$b - 10#$a + 50000) / 100000))
  printf '%d.%d' $((d / 10)) $((d % 10))
}

# The docker CLI, for the self-test and for people: /usr/local/bin/docker first, then /usr/bin/docker.
docker_cli() {
  local c
  for c in "${SWARMOP_DOCKER_CLI:-}" /usr/local/bin/docker /usr/bin/docker; do
    [ -n "$c" ] && [ -x "$c" ] && { echo "$c"; return 0; }
  done
  return 1
}

# ---- configuration checks --------------------------------------------------------------------

# The names an existing swarm was brought up with (saved by swarm-up.sh in $BASE/names) win
# over the environment, so swarm-down.sh and the others find what was really created.
# swarm-up.sh passes "strict": there a different name in the environment is an error.
load_names() {
  local key val pair var
  [ -f "$SWOP_MARKER" ] && [ -f "$SWOP_NAMES" ] || return 0
  while IFS='=' read -r key val; do
    for pair in "${SWOP_NAME_VARS[@]}"; do
      [ "${pair#*:}" = "$key" ] || continue
      var=${pair%%:*}
      [ "${!var}" = "$val" ] && continue
      [ "${1:-}" = strict ] && die "$SWOP_BASE was brought up with $key=$val, not ${!var}: run swarm-down.sh first"
      printf -v "$var" '%s' "$val"
    done
  done <"$SWOP_NAMES"
}
save_names() {
  local pair var
  for pair in "${SWOP_NAME_VARS[@]}"; do
    var=${pair%%:*}
    echo "${pair#*:}=${!var}"
  done >"$SWOP_NAMES"
}

# swop_check_config [strict]: load the saved names, then validate every name and path.
swop_check_config() {
  load_names "${1:-}"
  case $SWOP_BASE in
    /*) ;;
    *) die "SWARMOP_SWARM_BASE must be an absolute path (got '$SWOP_BASE')" ;;
  esac
  case $SWOP_BASE in
    / | //* | */ | *..* | *' '* | /tmp | /var | /run | /root | /home | /usr | /etc)
      die "refusing SWARMOP_SWARM_BASE='$SWOP_BASE': choose a dedicated directory" ;;
  esac
  # containerd's socket (…/nK/exec/containerd/containerd.sock) must fit in a sun_path (108 bytes).
  [ ${#SWOP_BASE} -le 60 ] || die "SWARMOP_SWARM_BASE is too long for unix socket paths (max 60 chars)"
  [[ $SWOP_SUBNET =~ ^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.0/24$ ]] ||
    die "SWARMOP_SWARM_SUBNET must look like A.B.C.0/24 (got '$SWOP_SUBNET')"
  SWOP_NET3="${BASH_REMATCH[1]}.${BASH_REMATCH[2]}.${BASH_REMATCH[3]}"
  local n
  for n in "$SWOP_BRIDGE" "${SWOP_VETH_PREFIX}9"; do
    [[ $n =~ ^[A-Za-z0-9_.-]{1,15}$ ]] || die "interface name '$n' is invalid or longer than 15 chars"
  done
  [[ $SWOP_NETNS_PREFIX =~ ^[A-Za-z0-9_.-]+$ ]] || die "bad SWARMOP_SWARM_NETNS_PREFIX '$SWOP_NETNS_PREFIX'"
  [[ $SWOP_CGROUP =~ ^[A-Za-z0-9_.-]+$ ]] || die "bad SWARMOP_SWARM_CGROUP '$SWOP_CGROUP'"
}

swop_need_root() { [ "$(id -u)" = 0 ] || die "must run as root"; }

swop_need_tools() {
  local t missing=()
  for t in ip nsenter unshare setsid curl jq tar awk "$@"; do
    command -v "$t" >/dev/null 2>&1 || missing+=("$t")
  done
  [ ${#missing[@]} -eq 0 ] || die "missing tools: ${missing[*]} (Debian: iproute2 util-linux curl jq)"
}

# ---- naming ------------------------------------------------------------------------------------

node_dir() { echo "$SWOP_BASE/n$1"; }
node_sock() { echo "$SWOP_BASE/n$1/docker.sock"; }
node_ns() { echo "$SWOP_NETNS_PREFIX$1"; }
node_ns_path() { echo "/var/run/netns/$SWOP_NETNS_PREFIX$1"; }
node_veth() { echo "$SWOP_VETH_PREFIX$1"; }
node_ip() { echo "$SWOP_NET3.1$1"; }
bridge_ip() { echo "$SWOP_NET3.1"; }

# ---- ownership marker ----------------------------------------------------------------------------

# owned KIND NAME: true when KIND NAME is listed in the marker.
owned() {
  local line lines
  [ -f "$SWOP_MARKER" ] || return 1
  mapfile -t lines <"$SWOP_MARKER"
  for line in "${lines[@]}"; do [ "$line" = "$1 $2" ] && return 0; done
  return 1
}

# claim KIND NAME: record KIND NAME in the marker (before creating it).
claim() { owned "$1" "$2" || echo "$1 $2" >>"$SWOP_MARKER"; }

# owned_list KIND: every NAME of that kind in the marker.
owned_list() { [ -f "$SWOP_MARKER" ] && awk -v k="$1" '$1 == k { print $2 }' "$SWOP_MARKER"; }

# ---- cgroups -----------------------------------------------------------------------------------

# The hierarchy used to track processes: the v1 pids controller, else the v2 unified tree.
SWOP_TRACK=""
if [ -f /sys/fs/cgroup/pids/cgroup.procs ]; then
  SWOP_TRACK=/sys/fs/cgroup/pids
elif [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  SWOP_TRACK=/sys/fs/cgroup
fi
cg_track_root() {
  [ -n "$SWOP_TRACK" ] || die "no pids cgroup hierarchy at /sys/fs/cgroup/pids or cgroup v2 at /sys/fs/cgroup"
  echo "$SWOP_TRACK"
}

# Every mounted cgroup hierarchy (runc creates the container cgroups in all of them).
cg_hierarchies() { awk '$9 == "cgroup" || $9 == "cgroup2" { print $5 }' /proc/self/mountinfo | sort -u; }

node_cg() { echo "$SWOP_TRACK/$SWOP_CGROUP/node$1"; }

# ---- processes ---------------------------------------------------------------------------------

# alive PID: the process exists and is not a zombie (builtins only: this runs in tight loops).
alive() {
  local st
  [ -n "${1:-}" ] && read -r st 2>/dev/null <"/proc/$1/stat" || return 1
  st=${st##*) }
  [ "${st:0:1}" != Z ]
}

# in_node K PID: PID is alive and belongs to node K (by cgroup, or by a command line that names
# node K's own directory). Guards every pid read from a pidfile against pid reuse.
in_node() {
  local k=$1 p=$2 rel lines
  alive "$p" || return 1
  rel=":/$SWOP_CGROUP/node$k/"
  mapfile -t lines 2>/dev/null <"/proc/$p/cgroup" || return 1
  [[ ${lines[*]} == *"$rel"* ]] && return 0
  runs_for "$p" "$SWOP_BASE/n$k/"
}

# runs_for PID DIR/: PID is a dockerd, containerd or shim working for a node under DIR/, that is
# its command line has --exec-root, --config, -address or --address with a value under DIR/.
# (Tools that merely mention a path there, like `tail -f DIR/n1/dockerd.log`, do not match.)
# Builtins only: swarm-down.sh runs it on every process of the machine.
runs_for() {
  local a prev="" args
  { mapfile -d '' -t args <"/proc/$1/cmdline"; } 2>/dev/null || return 1
  for a in "${args[@]}"; do
    case $prev in
      --exec-root | --config | -address | --address) [[ $a == "$2"* ]] && return 0 ;;
    esac
    prev=$a
  done
  return 1
}

# dockerd_pid K -> the pid of node K's dockerd, if it runs: the pidfile's pid (checked with
# in_node), else the process of the node's daemon cgroup started with --exec-root <node>/exec.
dockerd_pid() {
  local f="$SWOP_BASE/n$1/docker.pid" cg="$SWOP_TRACK/$SWOP_CGROUP/node$1/daemon" p="" q i args
  if [ -s "$f" ] && { read -r p <"$f" || [ -n "$p" ]; } && in_node "$1" "$p"; then # (no final newline)
    echo "$p"
    return 0
  fi
  [ -f "$cg/cgroup.procs" ] || return 1
  while read -r q; do
    { mapfile -d '' -t args <"/proc/$q/cmdline"; } 2>/dev/null || continue
    for ((i = 0; i + 1 < ${#args[@]}; i++)); do
      [ "${args[i]}" = --exec-root ] && [ "${args[i + 1]}" = "$SWOP_BASE/n$1/exec" ] && { echo "$q"; return 0; }
    done
  done <"$cg/cgroup.procs"
  return 1
}

# node_pids K: every live pid of node K: the procs of its cgroup subtree, plus its dockerd,
# containerd and shim pidfiles (each checked with in_node). Sorted, unique.
node_pids() {
  local k=$1 d cg f p
  d="$SWOP_BASE/n$k"
  cg="$SWOP_TRACK/$SWOP_CGROUP/node$k"
  {
    [ -d "$cg" ] && find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null
    for f in "$d/docker.pid" "$d/exec/containerd/containerd.pid" \
      "$d"/exec/containerd/daemon/io.containerd.runtime.v2.task/*/*/shim.pid \
      "$d"/exec/containerd/daemon/io.containerd.runtime.v2.task/*/*/init.pid; do
      p=""
      [ -s "$f" ] && { read -r p <"$f" || [ -n "$p" ]; } || continue
      in_node "$k" "$p" && echo "$p"
    done
  } | grep -E '^[0-9]+$' | grep -vx "$$" | sort -un
  return 0
}

# container_pids K: the processes inside node K's containers only.
container_pids() {
  local cg
  cg="$SWOP_TRACK/$SWOP_CGROUP/node$1/ctr"
  [ -d "$cg" ] && find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -un
  return 0
}

# kill_wait SIGNAL TIMEOUT PID...: signal the pids, then poll until all are gone.
kill_wait() {
  local sig=$1 timeout=$2 p deadline left
  shift 2
  [ $# -gt 0 ] || return 0
  kill "-$sig" "$@" 2>/dev/null
  deadline=$((SECONDS + timeout))
  while :; do
    left=0
    for p in "$@"; do alive "$p" && left=1 && break; done
    [ $left = 0 ] && return 0
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.1
  done
}

# ---- files outside the base ---------------------------------------------------------------------

# The shims' sockets are outside the base (containerd 1.6: /run/containerd/s/<sha256 of the
# node's containerd address and the container id>), and a SIGKILLed shim leaves its socket
# behind. Each task bundle records its shim's address: note them in $BASE/shim-sockets before
# killing shims, so swarm-down.sh can delete exactly those.
record_shim_sockets() {
  local f a list="$SWOP_BASE/shim-sockets"
  for f in "$SWOP_BASE"/n[1-9]/exec/containerd/daemon/io.containerd.runtime.v2.task/*/*/address; do
    [ -f "$f" ] || continue
    a=$(<"$f")
    a=${a#unix://}
    [[ $a == /run/containerd/s/* ]] || continue
    grep -qxF "$a" "$list" 2>/dev/null || echo "$a" >>"$list"
  done
  return 0
}

# Host directories dockerd and the shims create when missing: claimed when absent, so that
# swarm-down.sh may remove them again (only if empty by then).
claim_host_dirs() {
  local d
  for d in /run/docker /run/containerd; do
    [ -e "$d" ] || claim hostdir "$d"
  done
}

# ---- Engine API --------------------------------------------------------------------------------

# api K METHOD PATH [curl args...]: the response body on stdout; fails on HTTP >= 400.
api() {
  local k=$1 m=$2 p=$3
  shift 3
  curl -sS --fail-with-body -m "${SWOP_API_TIMEOUT:-10}" --unix-socket "$SWOP_BASE/n$k/docker.sock" \
    -X "$m" "http://docker/$SWOP_API$p" "$@"
}

pinging() { curl -sf -m 2 --unix-socket "$SWOP_BASE/n$1/docker.sock" http://docker/_ping >/dev/null 2>&1; }

# local_state K -> "LocalNodeState ControlAvailable", from the node's own /info ("down false" when
# the daemon does not answer).
local_state() {
  api "$1" GET /info 2>/dev/null | jq -r '"\(.Swarm.LocalNodeState) \(.Swarm.ControlAvailable)"' 2>/dev/null ||
    echo "down false"
}

# local_states K...: "K LocalNodeState ControlAvailable" per node, the /info calls in parallel
# (/info is the slowest Engine endpoint: 10-500 ms, depending on the machine's load).
local_states() {
  local k line tmp="$SWOP_BASE/.state.$BASHPID" pids=()
  for k in "$@"; do
    local_state "$k" >"$tmp.$k" &
    pids+=($!)
  done
  wait "${pids[@]}"
  for k in "$@"; do
    line=""
    read -r line <"$tmp.$k" || [ -n "$line" ] || line="down false"
    echo "$k $line"
  done
  for k in "$@"; do rm -f "$tmp.$k"; done
}

# ---- network -----------------------------------------------------------------------------------

link_exists() { ip link show dev "$1" >/dev/null 2>&1; }
netns_exists() { [ -e "/var/run/netns/$1" ]; }

# Bridge, netns and veth of node K, brought up (also heals a partition). Dies on anything that
# exists but is not in the marker.
ensure_bridge() {
  local out
  # Fast path: there, up, with its address (one `ip` call).
  out=$(ip -4 -o addr show dev "$SWOP_BRIDGE" up 2>/dev/null) || out=""
  if [[ $out == *" $SWOP_NET3.1/24 "* ]]; then
    owned bridge "$SWOP_BRIDGE" || die "bridge $SWOP_BRIDGE exists but was not created by this harness"
    return 0
  fi
  if link_exists "$SWOP_BRIDGE"; then
    owned bridge "$SWOP_BRIDGE" || die "bridge $SWOP_BRIDGE exists but was not created by this harness"
  else
    claim bridge "$SWOP_BRIDGE"
    ip link add "$SWOP_BRIDGE" type bridge
  fi
  ip -4 -o addr show dev "$SWOP_BRIDGE" | grep -qF " $(bridge_ip)/24 " ||
    ip addr add "$(bridge_ip)/24" dev "$SWOP_BRIDGE"
  ip link set "$SWOP_BRIDGE" up
}

ensure_node_net() {
  local k=$1 ns="$SWOP_NETNS_PREFIX$1" veth="$SWOP_VETH_PREFIX$1" ip4="$SWOP_NET3.1$1" l a
  claim node "$k"
  if netns_exists "$ns"; then
    owned netns "$ns" || die "netns $ns exists but was not created by this harness"
    # Fast path: all in place and up (two `ip` calls instead of eight).
    l=$(ip -o link show dev "$veth" 2>/dev/null) || l=""
    a=$(ip -n "$ns" -4 -o addr show dev eth0 up 2>/dev/null) || a=""
    if [[ $l == *[\<,]UP[,\>]*" master $SWOP_BRIDGE "* && $a == *" $ip4/24 "* ]]; then
      owned veth "$veth" || die "interface $veth exists but was not created by this harness"
      return 0
    fi
  elif ! link_exists "$veth"; then
    # Fresh node: everything in two `ip -batch` calls.
    claim netns "$ns"
    claim veth "$veth"
    printf '%s\n' "netns add $ns" "link add $veth type veth peer name eth0 netns $ns" \
      "link set $veth master $SWOP_BRIDGE up" | ip -batch -
    printf '%s\n' "addr add $ip4/24 dev eth0" "link set lo up" "link set eth0 up" |
      ip -n "$ns" -batch -
    return 0
  else
    claim netns "$ns"
    ip netns add "$ns"
  fi
  if link_exists "$veth"; then
    owned veth "$veth" || die "interface $veth exists but was not created by this harness"
  fi
  if ! ip -n "$ns" link show dev eth0 >/dev/null 2>&1; then
    claim veth "$veth"
    link_exists "$veth" && ip link del "$veth"
    ip link add "$veth" type veth peer name eth0 netns "$ns"
  fi
  ip link set "$veth" master "$SWOP_BRIDGE" up
  ip -n "$ns" -4 -o addr show dev eth0 | grep -qF " $ip4/24 " ||
    ip -n "$ns" addr add "$ip4/24" dev eth0
  ip -n "$ns" link set lo up
  ip -n "$ns" link set eth0 up
}

# The subnet must not be in use by anything but the harness bridge (another lab, a VPN...).
check_subnet_free() {
  local clash
  clash=$(ip -4 -o addr show | awk -v br="$SWOP_BRIDGE" -v net="$SWOP_NET3." \
    '$2 != br && index($4, net) == 1 { print $2 " " $4 }')
  [ -z "$clash" ] || die "subnet $SWOP_SUBNET already used on this host: $clash (set SWARMOP_SWARM_SUBNET)"
}

# ---- dockerd -----------------------------------------------------------------------------------

# start_dockerd K: start node K's dockerd in its netns and UTS namespace, inside its cgroup.
# A no-op when it already runs.
start_dockerd() {
  local k=$1 d cgroot cgd left deadline
  dockerd_pid "$k" >/dev/null && return 0
  # No dockerd, but processes left in the node (a containerd or shim still exiting after a
  # stop)? Give them 10 s; never start a second daemon over the remains of the first.
  deadline=$((SECONDS + 10))
  while left=$(node_pids "$k") && [ -n "$left" ]; do
    [ $SECONDS -lt $deadline ] ||
      die "node$k has no dockerd but still has processes: ${left//$'\n'/ }; run swarm-node.sh crash $k first"
    sleep 0.2
  done
  d=$(node_dir "$k")
  [ -n "$SWOP_TRACK" ] || cg_track_root # dies with the reason
  cgroot="$SWOP_TRACK/$SWOP_CGROUP"
  if [ -d "$cgroot" ]; then
    owned cgroup "$SWOP_CGROUP" || die "cgroup $cgroot exists but was not created by this harness"
  fi
  claim cgroup "$SWOP_CGROUP"
  claim_host_dirs
  cgd="$cgroot/node$k/daemon"
  mkdir -p "$d" "$cgd"
  rm -f "$d/docker.pid" "$d/docker.sock"
  # Own config file, so a host /etc/docker/daemon.json cannot leak in, and own identity key
  # (dockerd 20.10 would otherwise create /etc/docker/key.json on the host).
  [ -f "$d/daemon.json" ] || printf '{"deprecated-key-path": "%s"}\n' "$d/key.json" >"$d/daemon.json"
  # nsenter/unshare/sh all exec, so the pid written into the cgroup becomes dockerd's.
  # Not `ip netns exec`: it remounts /sys and dockerd then finds no cgroups.
  # A crashed node's containerd can linger as a zombie until PID 1 reaps it, and dockerd takes a
  # containerd.pid naming a zombie for a live containerd and waits on its dead socket until it
  # gives up ("timeout waiting for containerd to start"). No process of this node runs any more
  # (checked before launching), so the file is stale: drop it.
  rm -f "$d/exec/containerd/containerd.pid"
  # shellcheck disable=SC2086,SC2016
  setsid nsenter --net="$(node_ns_path "$k")" unshare --uts sh -c \
    'echo $$ >"$1/cgroup.procs" && hostname "$2" && shift 2 && exec "$@"' swop-node \
    "$cgd" "node$k" "$SWOP_DOCKERD" \
    --config-file "$d/daemon.json" \
    --data-root "$d/data" --exec-root "$d/exec" \
    -H "unix://$d/docker.sock" --pidfile "$d/docker.pid" \
    --cgroup-parent "/$SWOP_CGROUP/node$k/ctr" \
    --iptables=false --ip-forward=false --ip-masq=false --bridge=none \
    --storage-driver=vfs $SWOP_DOCKERD_ARGS \
    </dev/null >>"$d/dockerd.log" 2>&1 &
  echo $! >"$d/launch.pid" # dockerd itself (nothing forks); lets wait_ping see an early death
}

# wait_ping TIMEOUT K...: poll until every listed daemon answers /_ping.
wait_ping() {
  local timeout=$1 k waiting deadline p
  shift
  deadline=$((SECONDS + timeout))
  while :; do
    waiting=()
    for k in "$@"; do pinging "$k" || waiting+=("$k"); done
    [ ${#waiting[@]} -eq 0 ] && return 0
    for k in "${waiting[@]}"; do
      p=""
      [ -s "$SWOP_BASE/n$k/launch.pid" ] && { read -r p <"$SWOP_BASE/n$k/launch.pid" || true; }
      if [ -n "$p" ] && ! alive "$p"; then
        tail -n 5 "$(node_dir "$k")/dockerd.log" >&2
        die "node$k: dockerd exited (log: $(node_dir "$k")/dockerd.log)"
      fi
    done
    [ $SECONDS -ge $deadline ] && die "no /_ping answer within ${timeout}s from node(s) ${waiting[*]}"
    sleep 0.1
  done
}

# ---- swarm view --------------------------------------------------------------------------------

# node_state VIA HOSTNAME -> the node's Status.State as manager VIA sees it ("ready", "down",
# "unknown", "absent", or "error" when VIA does not answer). With several entries for one
# hostname (a re-joined node), a live one wins: ready > unknown > down.
node_state() {
  api "$1" GET /nodes 2>/dev/null | jq -r --arg h "$2" '
    [ .[] | select(.Description.Hostname == $h) | .Status.State ] as $s
    | if ($s | length) == 0 then "absent"
      elif ($s | index("ready")) != null then "ready"
      elif ($s | index("unknown")) != null then "unknown"
      else $s[0] end' 2>/dev/null || echo error
}
