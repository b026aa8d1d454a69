# shellcheck shell=bash disable=SC2034
# =============================================================================
# lib.sh -- shared code of the swarm-operator RabbitMQ cluster test harness.
# Sourced by rabbit-up.sh, rabbit-down.sh, rabbit-node.sh, rabbit-publish.sh,
# with-rabbit.sh and selftest.sh; not meant to be run on its own.
#
# Knobs (environment):
#   SWARMOP_RABBIT_BASE           state directory           (/tmp/swarmop-rabbit)
#   SWARMOP_RABBIT_PORT_BASE      port block, see below     (26700)
#   SWARMOP_RABBIT_NODE_PREFIX    node name prefix          (swop-rabbit)
#   SWARMOP_RABBIT_BOOT_TIMEOUT   seconds for a node / the cluster to come up (120)
#   SWARMOP_RABBIT_STOP_TIMEOUT   seconds of grace after TERM before KILL     (30)
#   SWARMOP_RABBIT_STATS_INTERVAL management collect_statistics_interval, ms  (1000)
#   SWARMOP_RABBIT_RECOVER_WAIT   seconds an alive node gets to come back by itself before
#                                 heal/start restart its app (30)
#   SWARMOP_RABBIT_BIN            RabbitMQ's real scripts   (/usr/lib/rabbitmq/bin)
#   SWARMOP_RABBIT_FULL_PLUGINS=1 use the full Debian plugins dir instead of the trimmed
#                                 one (see make_plugins_dir; the trimmed one saves ~30%
#                                 CPU per node boot)
#
# Port layout, P = SWARMOP_RABBIT_PORT_BASE, node K = 1..9, all on 127.0.0.1:
#   AMQP        P+K        (26701..)      management HTTP  P+10+K  (26711..)
#   Erlang dist P+20+K     (26721..)      private epmd     P+30    (26730)
#   CLI (rabbitmqctl) hidden-node listeners P+40..P+59 (26740..26759)
# All below the Linux ephemeral range (32768+) and away from 4369/5672/15672/25672
# and the CLI default 35672-35682, so a developer's own RabbitMQ is not disturbed.
#
# Every process the harness starts (epmd, rabbitmq-server wrapper, beam.smp and
# its children, rabbitmqctl) carries SWARMOP_RABBIT_OWNER=<base dir> in its
# environment; PIDs are only ever signalled after checking that tag, so a
# recycled PID is never hit, and no process is ever matched by name.
# =============================================================================

SWOP_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

RMQ_BIN=${SWARMOP_RABBIT_BIN:-/usr/lib/rabbitmq/bin}
BASE=${SWARMOP_RABBIT_BASE:-/tmp/swarmop-rabbit}
PORT_BASE=${SWARMOP_RABBIT_PORT_BASE:-26700}
NODE_PREFIX=${SWARMOP_RABBIT_NODE_PREFIX:-swop-rabbit}
BOOT_TIMEOUT=${SWARMOP_RABBIT_BOOT_TIMEOUT:-120}
STOP_TIMEOUT=${SWARMOP_RABBIT_STOP_TIMEOUT:-30}
STATS_INTERVAL=${SWARMOP_RABBIT_STATS_INTERVAL:-1000}
ADMIN_USER=swop-admin
MAX_NODES=9
MARKER_NAME=.swarmop-rabbit-harness

# ---- sanity of the knobs (BASE gets rm -rf'd by rabbit-down.sh) -------------
case $BASE in
  /*) ;;
  *) echo "SWARMOP_RABBIT_BASE must be an absolute path (got '$BASE')" >&2; exit 2 ;;
esac
BASE=${BASE%/}
case $BASE in
  ''|/|/tmp|/root|/home|/var|/usr|/etc|*/..|*/../*|*/.|*/./*)
    echo "refusing SWARMOP_RABBIT_BASE='$BASE'" >&2; exit 2 ;;
esac
[[ $PORT_BASE =~ ^[0-9]+$ ]] && (( PORT_BASE >= 1024 && PORT_BASE + 60 < 65536 )) \
  || { echo "SWARMOP_RABBIT_PORT_BASE must be a number in 1024..65475" >&2; exit 2; }
[[ $NODE_PREFIX =~ ^[A-Za-z][A-Za-z0-9_-]*$ ]] \
  || { echo "bad SWARMOP_RABBIT_NODE_PREFIX '$NODE_PREFIX'" >&2; exit 2; }

MARKER=$BASE/$MARKER_NAME
ENV_FILE=$BASE/env
CRED_FILE=$BASE/credentials
PASS_FILE=$BASE/admin-password
CURL_CONF=$BASE/curl.conf          # 'user = "swop-admin:PASS"', keeps the password off argv
NFT_TABLE=swarmop_rabbit_$PORT_BASE
EPMD_PORT=$((PORT_BASE + 30))
CTL_DIST_MIN=$((PORT_BASE + 40))
CTL_DIST_MAX=$((PORT_BASE + 59))
OWNER_TAG="SWARMOP_RABBIT_OWNER=$BASE"

node_name() { echo "${NODE_PREFIX}$1@localhost"; }
amqp_port() { echo $((PORT_BASE + $1)); }
mgmt_port() { echo $((PORT_BASE + 10 + $1)); }
dist_port() { echo $((PORT_BASE + 20 + $1)); }
# Each node's processes run with their own (otherwise unused) GID, uid stays root.
# The partition rules match packets by socket owner GID (nft "meta skgid").
node_gid()  { echo $((2100000000 + PORT_BASE * 10 + $1)); }
ndir()      { echo "$BASE/node$1"; }

# ---- logging and time -------------------------------------------------------
SWOP_SCRIPT=$(basename "$0")
now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); }   # no fork
log()  { printf '[%s %s] %s\n' "$(date +%H:%M:%S)" "$SWOP_SCRIPT" "$*" >&2; }
die()  { log "ERROR: $*"; exit 1; }
secs_since() { local t0=$1 t1; t1=$(now_ms); awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", (b-a)/1000}'; }

# ---- ownership / process handling --------------------------------------------
have_marker() { [[ -f $MARKER ]] && grep -qxF "$OWNER_TAG" "$MARKER" 2>/dev/null; }

read_pid() {  # read_pid FILE -> pid or empty
  local p=""
  [[ -f $1 ]] && p=$(tr -dc '0-9' < "$1" 2>/dev/null || true)
  echo "$p"
}

# owned PID: alive AND started by this harness instance (environment tag).
owned() {
  local pid=$1
  [[ -n $pid && -r /proc/$pid/environ ]] || return 1
  # a zombie has an empty environ: treat as gone.  Pure bash: no fork.
  local line
  while IFS= read -r -d '' line; do
    [[ $line == "$OWNER_TAG" ]] && return 0
  done 2>/dev/null < "/proc/$pid/environ" || true
  return 1
}

# All live processes of node K (wrapper, beam.smp, erl_child_setup and its children,
# which setsid themselves): they carry our tag AND RABBITMQ_NODENAME of node K.
node_pids() {
  local e pid
  grep -lzxF -- "RABBITMQ_NODENAME=$(node_name "$1")" /proc/[0-9]*/environ 2>/dev/null | while read -r e; do
    pid=${e#/proc/}; pid=${pid%/environ}
    owned "$pid" && echo "$pid"
  done
  return 0
}

# Every process carrying our tag (leftover check; the tag is unique per base dir).
tagged_pids() {
  local e pid
  grep -lzxF -- "$OWNER_TAG" /proc/[0-9]*/environ 2>/dev/null | while read -r e; do
    pid=${e#/proc/}; pid=${pid%/environ}
    [[ $pid == "$$" || $pid == "$BASHPID" ]] && continue
    echo "$pid"
  done
  return 0
}

# signal_owned SIG PID...  (only owned ones)
signal_owned() {
  local sig=$1 p; shift
  for p in "$@"; do owned "$p" && kill "-$sig" "$p" 2>/dev/null || true; done
}

wrapper_pid() { read_pid "$(ndir "$1")/wrapper.pid"; }
beam_pid()    { read_pid "$(ndir "$1")/beam.pid"; }
node_alive()  { owned "$(wrapper_pid "$1")" || owned "$(beam_pid "$1")"; }
epmd_pid()    { read_pid "$BASE/epmd.pid"; }
epmd_alive()  { owned "$(epmd_pid)"; }

# ---- environments -------------------------------------------------------------
common_env() {
  export HOME=$BASE/home                     # Erlang cookie is read from $HOME (servers AND CLI)
  export SWARMOP_RABBIT_OWNER=$BASE         # = $OWNER_TAG, the ownership tag
  export ERL_EPMD_PORT=$EPMD_PORT ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_CONF_ENV_FILE=/dev/null    # ignore /etc/rabbitmq/rabbitmq-env.conf
  # the CLI is a hidden Erlang node too: loopback, our own port range, never spawn epmd
  export RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1} -start_epmd false"
  export RABBITMQ_CTL_DIST_PORT_MIN=$CTL_DIST_MIN RABBITMQ_CTL_DIST_PORT_MAX=$CTL_DIST_MAX
  unset RABBITMQ_NODENAME RABBITMQ_CONFIG_FILE RABBITMQ_MNESIA_BASE RABBITMQ_MNESIA_DIR \
        RABBITMQ_LOG_BASE RABBITMQ_LOGS RABBITMQ_PID_FILE RABBITMQ_ENABLED_PLUGINS_FILE \
        RABBITMQ_ADVANCED_CONFIG_FILE RABBITMQ_NODE_PORT RABBITMQ_DIST_PORT \
        RABBITMQ_NODE_IP_ADDRESS RABBITMQ_USE_LONGNAME RABBITMQ_ALLOW_INPUT 2>/dev/null || true
}

node_env() {
  local k=$1 d; d=$(ndir "$k")
  common_env
  export RABBITMQ_NODENAME; RABBITMQ_NODENAME=$(node_name "$k")
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT; RABBITMQ_NODE_PORT=$(amqp_port "$k")
  export RABBITMQ_DIST_PORT; RABBITMQ_DIST_PORT=$(dist_port "$k")
  export RABBITMQ_MNESIA_BASE=$d/mnesia
  export RABBITMQ_LOG_BASE=$d/log
  export RABBITMQ_CONFIG_FILE=$d/rabbitmq.conf
  export RABBITMQ_ADVANCED_CONFIG_FILE=$d/advanced.config
  export RABBITMQ_ENABLED_PLUGINS_FILE=$d/enabled_plugins
  export RABBITMQ_PID_FILE=$d/beam.pid
  [[ -d $BASE/plugins ]] && export RABBITMQ_PLUGINS_DIR=$BASE/plugins
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-start_epmd false"
}

# ctl K ARGS... : rabbitmqctl against node K (real script, not the Debian su wrapper)
ctl() {
  local k=$1; shift
  epmd_alive || { log "ctl: harness epmd is not running"; return 1; }
  ( common_env; cd "$BASE" || exit 1; exec "$RMQ_BIN/rabbitmqctl" -q -n "$(node_name "$k")" "$@" )
}

# eval_on K ERLANG-EXPR : rabbitmqctl eval
eval_on() { ctl "$1" eval "$2"; }

# ---- management HTTP API --------------------------------------------------------
# api K METHOD PATH [JSON]: sets API_CODE and API_BODY; never fails on HTTP errors.
# Call it directly (not inside $(...), which would lose the globals).
API_CODE=000
API_BODY=
api() {
  local k=$1 m=$2 p=$3 body=${4:-} out
  local args=(-sS -K "$CURL_CONF" -X "$m" --max-time 15 -o - -w '\n%{http_code}')
  [[ -n $body ]] && args+=(-H 'content-type: application/json' --data-binary "$body")
  out=$(curl "${args[@]}" "http://127.0.0.1:$(mgmt_port "$k")$p" 2>/dev/null) || true
  API_CODE=${out##*$'\n'}
  [[ $API_CODE =~ ^[0-9]{3}$ ]] || API_CODE=000
  API_BODY=
  if [[ $out == *$'\n'* ]]; then API_BODY=${out%$'\n'*}; fi
  return 0
}

# api_get K PATH: body on stdout when HTTP 200, else status 1
api_get() { api "$1" GET "$2"; [[ $API_CODE == 200 ]] || return 1; printf '%s\n' "$API_BODY"; }

# node_http_ready K: management API on node K answers an authenticated request
tcp_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
node_http_ready() {
  local code
  tcp_open "$(mgmt_port "$1")" || return 1
  code=$(curl -s -o /dev/null -K "$CURL_CONF" --max-time 3 -w '%{http_code}' \
         "http://127.0.0.1:$(mgmt_port "$1")/api/whoami" 2>/dev/null) || true
  [[ $code == 200 ]]
}

# names of nodes that node K's /api/nodes reports running (one per line)
running_nodes_seen_by() {
  api_get "$1" '/api/nodes?columns=name,running' | jq -r '.[]? | select(.running==true) | .name' 2>/dev/null || true
}

# cluster_healthy N: node1 sees exactly the N expected members, all running
cluster_healthy() {
  local n=$1 json want got
  json=$(api_get 1 '/api/nodes?columns=name,running,partitions') || return 1
  want=$(for ((k = 1; k <= n; k++)); do node_name "$k"; done | sort)
  got=$(jq -r '.[] | select(.running==true) | .name' <<<"$json" 2>/dev/null | sort)
  [[ $want == "$got" ]] || return 1
  [[ $(jq -r '[.[] | (.partitions // []) | length] | add // 0' <<<"$json") == 0 ]]
}

# ---- epmd -------------------------------------------------------------------------
port_listening() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

start_epmd() {
  if epmd_alive; then return 0; fi
  port_listening "$EPMD_PORT" && die "port $EPMD_PORT (epmd) is in use by someone else"
  (
    common_env
    # foreground epmd in its own session, so that we own its PID (no -daemon)
    setsid bash -c 'echo $$ > "$1"; exec epmd -address 127.0.0.1 -port "$2"' _ \
      "$BASE/epmd.pid" "$EPMD_PORT" </dev/null >"$BASE/epmd.log" 2>&1 &
  )
  local i
  for ((i = 0; i < 100; i++)); do
    port_listening "$EPMD_PORT" && epmd_alive && return 0
    sleep 0.05
  done
  die "epmd did not start on 127.0.0.1:$EPMD_PORT (see $BASE/epmd.log)"
}

# ---- nodes ----------------------------------------------------------------------------
# The Debian package's plugins dir holds ~70 apps; RabbitMQ scans all of them (.app
# files, cuttlefish schemas, feature-flag attributes) at every boot.  $BASE/plugins
# holds symlinks to just the apps a 3.10 node with rabbitmq_management loads
# (application:loaded_applications() on 3.10.8, minus OTP's own), which cuts the CPU
# cost of a boot by ~30% -- it matters on a loaded 2-vCPU box.  If any of them is
# missing (other RabbitMQ version), the full dir is used.
PLUGIN_APPS="rabbit rabbit_common rabbitmq_prelaunch ra osiris aten gen_batch_server seshat
  sysmon_handler credentials_obfuscation cuttlefish getopt syslog systemd recon observer_cli
  stdout_formatter jsx enough amqp10_common amqp_client ranch cowboy cowlib
  rabbitmq_web_dispatch rabbitmq_management_agent rabbitmq_management"
make_plugins_dir() {
  [[ ${SWARMOP_RABBIT_FULL_PLUGINS:-0} == 1 ]] && return 0
  local home src app d
  home=$(cd "$RMQ_BIN/.." && pwd -P)
  src=$(ls -d "$home"/lib/rabbitmq_server-*/plugins 2>/dev/null | tail -n 1)
  [[ -d $src ]] || { log "RabbitMQ plugins dir not found; using the default"; return 0; }
  mkdir -p "$BASE/plugins.tmp"
  for app in $PLUGIN_APPS; do
    d=$(ls -d "$src/$app"-[0-9]* 2>/dev/null | tail -n 1)
    if [[ -z $d ]]; then
      log "plugin app $app not found in $src; using the full plugins dir"
      rm -rf "$BASE/plugins.tmp"; return 0
    fi
    ln -s "$d" "$BASE/plugins.tmp/"
  done
  mv "$BASE/plugins.tmp" "$BASE/plugins"
}

write_node_config() {  # write_node_config K
  local k=$1 d; d=$(ndir "$k")
  mkdir -p "$d/mnesia" "$d/log"
  echo '[rabbitmq_management].' > "$d/enabled_plugins"
  # holds the admin password: 0600
  ( umask 077; cat > "$d/rabbitmq.conf" ) <<EOF
# generated by swarm-operator tests/harness/rabbitmq -- node $k of this harness
listeners.tcp.default           = 127.0.0.1:$(amqp_port "$k")
distribution.listener.interface = 127.0.0.1
management.tcp.ip               = 127.0.0.1
management.tcp.port             = $(mgmt_port "$k")
cluster_partition_handling      = pause_minority
collect_statistics_interval     = $STATS_INTERVAL
# the admin user is created when node 1 initialises the (empty) cluster database;
# no guest user exists at all
default_user                    = $ADMIN_USER
default_pass                    = $(cat "$PASS_FILE")
default_user_tags.administrator = true
default_permissions.configure   = .*
default_permissions.read        = .*
default_permissions.write       = .*
# nodes 2..N join node 1 at first boot (classic config peer discovery = join_cluster
# done by the node itself; skipped when the node already has a database)
cluster_formation.peer_discovery_backend  = classic_config
cluster_formation.classic_config.nodes.1  = $(node_name 1)
cluster_formation.discovery_retry_limit    = 60
cluster_formation.discovery_retry_interval = 500
log.file.level                  = info
log.console                     = false
EOF
}

start_node() {  # start_node K  (returns immediately)
  local k=$1 d; d=$(ndir "$k")
  node_alive "$k" && return 0
  local p
  for p in "$(amqp_port "$k")" "$(mgmt_port "$k")" "$(dist_port "$k")"; do
    port_listening "$p" && die "port $p needed by node $k is in use by someone else"
  done
  rm -f "$d/beam.pid" "$d/wrapper.pid"
  (
    node_env "$k"
    cd "$d" || exit 1
    # own session (pgid = wrapper pid) so the node's whole tree is addressable by
    # the recorded PID; own GID for the partition rules.  The rabbitmq-server sh
    # wrapper forwards TERM to beam.smp (graceful shutdown).
    setsid bash -c 'echo $$ > "$1"; exec setpriv --regid "$2" --clear-groups -- "$3/rabbitmq-server"' _ \
      "$d/wrapper.pid" "$(node_gid "$k")" "$RMQ_BIN" </dev/null >>"$d/stdout.log" 2>&1 &
  )
  local i
  for ((i = 0; i < 100; i++)); do [[ -s $d/wrapper.pid ]] && return 0; sleep 0.02; done
  die "node $k: wrapper did not start"
}

# wait_node_ready K DEADLINE_EPOCH_MS: beam pid file + authenticated HTTP API
wait_node_ready() {
  local k=$1 deadline=$2 d; d=$(ndir "$k")
  while :; do
    if ! node_alive "$k"; then
      log "node $k died during boot; last log lines:"
      tail -n 20 "$d/stdout.log" >&2 || true
      tail -n 20 "$d/log/$(node_name "$k").log" >&2 2>/dev/null || true
      return 1
    fi
    [[ -s $d/beam.pid ]] && node_http_ready "$k" && return 0
    (( $(now_ms) < deadline )) || { log "node $k: not ready before deadline"; return 1; }
    sleep 0.25
  done
}

# stop_node_graceful K : SIGTERM to beam.smp = graceful stop. RabbitMQ's signal handler
# (rabbit_prelaunch_sighandler, log "SIGTERM received - shutting down") calls
# init:stop(): every application is stopped in order, then the VM exits -- the same
# orderly shutdown `rabbitmqctl stop` gives, without paying ~1.5 s for a CLI start.  Falls back to `rabbitmqctl stop` if the beam PID is unknown.  KILL
# after SWARMOP_RABBIT_STOP_TIMEOUT s.
stop_node_graceful() {
  local k=$1 deadline b
  node_alive "$k" || return 0
  b=$(beam_pid "$k")
  if owned "$b"; then
    kill -TERM "$b"
  else
    ctl "$k" stop >/dev/null 2>&1 || signal_owned TERM "$(wrapper_pid "$k")"
  fi
  deadline=$(( $(now_ms) + STOP_TIMEOUT * 1000 ))
  while node_alive "$k"; do
    if (( $(now_ms) > deadline )); then
      log "node $k: still alive ${STOP_TIMEOUT}s after stop; KILL"
      kill_node "$k"; return 0
    fi
    sleep 0.1
  done
}

kill_node() {  # SIGKILL the node's beam.smp, then everything else of the node
  local k=$1 pids i
  signal_owned KILL "$(beam_pid "$k")"
  for ((i = 0; i < 100; i++)); do
    pids=$(node_pids "$k")
    [[ -z $pids ]] && return 0
    # shellcheck disable=SC2086
    signal_owned KILL $pids
    sleep 0.1
  done
  log "node $k: processes survive SIGKILL: $(node_pids "$k" | tr '\n' ' ')"
  return 1
}

# rejoined K: node K's management API answers and a running peer lists it running (or no
# peer is alive to ask).
rejoined() {
  local k=$1 j n peers=0
  node_http_ready "$k" || return 1
  n=$(read_env_nodes)
  for ((j = 1; j <= n; j++)); do
    [[ $j == "$k" ]] && continue
    node_alive "$j" || continue
    peers=1
    running_nodes_seen_by "$j" | grep -qxF "$(node_name "$k")" && return 0
  done
  (( peers == 0 ))
}

# wait_rejoined K SECONDS: rejoined K within SECONDS.
wait_rejoined() {
  local k=$1 deadline=$(( $(now_ms) + $2 * 1000 ))
  until rejoined "$k"; do
    (( $(now_ms) < deadline )) || return 1
    sleep 0.25
  done
}

# recover_node K: brings an alive node K back to running and rejoined. A node paused by
# pause_minority restarts its rabbit app by itself once it sees the majority again (1-3 s after
# a heal), but RabbitMQ 3.10 runs that restart once, in a process that only logs an error when
# the start fails (rabbit_node_monitor:do_run_outside_app_fun): the node then stays alive with
# its app stopped for good, which once failed every later test of a CI run. Waits
# SWARMOP_RABBIT_RECOVER_WAIT s (30) for the node's own recovery; then, logging the node's
# last lines (the cause), restarts the app as an
# operator would (rabbitmqctl start_app); then the whole node.
recover_node() {
  local k=$1 wait=${SWARMOP_RABBIT_RECOVER_WAIT:-30}
  wait_rejoined "$k" "$wait" && return 0
  log "node $k is alive but not running and rejoined after $wait s (state: $(node_state "$k")); its last log lines:"
  tail -n 30 "$(ndir "$k")/log/$(node_name "$k").log" >&2 2>/dev/null || true
  log "node $k: rabbitmqctl start_app"
  ( common_env; cd "$BASE" || exit 1
    exec timeout 60 "$RMQ_BIN/rabbitmqctl" -q -n "$(node_name "$k")" start_app ) >/dev/null 2>&1 || true
  wait_rejoined "$k" 60 && { log "node $k back after start_app"; return 0; }
  log "node $k: still not back; restarting the node"
  kill_node "$k" || true
  start_node "$k"
  wait_node_ready "$k" $(( $(now_ms) + BOOT_TIMEOUT * 1000 )) || return 1
  wait_rejoined "$k" 60
}

# node_state K: running | paused | not_running | stopped  (paused = VM alive, rabbit app
# stopped by pause_minority, awaiting the majority)
node_state() {
  local k=$1
  if ! node_alive "$k"; then echo stopped; return 0; fi
  if node_http_ready "$k"; then echo running; return 0; fi
  eval_on "$k" 'case {rabbit:is_running(), whereis(rabbit_outside_app_process)} of {true, _} -> running; {false, undefined} -> not_running; {false, _} -> paused end.' 2>/dev/null || echo not_running
}

# ---- partitions (nftables, table owned by the harness) -------------------------------
# State: $BASE/partitioned lists the node numbers currently cut off.
apply_partition_rules() {
  local n=$1 parted k j rules=""
  parted=$(sort -un "$BASE/partitioned" 2>/dev/null || true)
  if [[ -z $parted ]]; then
    nft list table inet "$NFT_TABLE" >/dev/null 2>&1 && nft delete table inet "$NFT_TABLE"
    rm -f "$BASE/partitioned"
    return 0
  fi
  for k in $parted; do
    for ((j = 1; j <= n; j++)); do
      [[ $j == "$k" ]] && continue
      # J -> K and K -> J distribution traffic, identified by the sending socket's
      # GID; the CLI (gid 0) and the HTTP/AMQP ports stay reachable.
      rules+="add rule inet $NFT_TABLE output meta skgid $(node_gid "$j") tcp dport $(dist_port "$k") counter reject with tcp reset comment \"swop-partition-$k\""$'\n'
      rules+="add rule inet $NFT_TABLE output meta skgid $(node_gid "$k") tcp dport $(dist_port "$j") counter reject with tcp reset comment \"swop-partition-$k\""$'\n'
    done
  done
  {
    nft list table inet "$NFT_TABLE" >/dev/null 2>&1 && echo "delete table inet $NFT_TABLE"
    echo "add table inet $NFT_TABLE"
    echo "add chain inet $NFT_TABLE output { type filter hook output priority 0; policy accept; }"
    printf '%s' "$rules"
  } | nft -f - || die "nft failed (root and nftables required for partition/heal)"
}

read_env_nodes() {  # number of nodes from the env file
  [[ -f $ENV_FILE ]] || die "no cluster env at $ENV_FILE (run rabbit-up.sh)"
  sed -n 's/^RABBIT_NODES=\([0-9]*\)$/\1/p' "$ENV_FILE"
}
