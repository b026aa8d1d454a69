#!/usr/bin/env bash
# =============================================================================
# rabbit-node.sh stop|start|kill|partition|heal|blip|state|pid|status K
#
#   stop K       graceful stop: SIGTERM to node K's beam.smp, which RabbitMQ handles
#                like `rabbitmqctl stop` (init:stop(): all apps stopped in order, then
#                the VM exits; ~5 s of it is the management agent's stats shutdown);
#                waits until node K's processes are gone (KILL after the deadline).
#   start K      start node K again from its database; it rejoins the cluster.
#                Waits until its management API answers and a running peer sees it
#                (unless every other node is down).  On an alive node: waits for it to
#                be back, restarting its app or the node when it stays stopped.
#   kill K       SIGKILL node K's beam.smp, then the rest of its process tree.
#   partition K  SUSTAINED network cut of node K from all other nodes (nftables).
#   heal [K]     undo `partition K` (no K: undo all harness partitions); returns once each
#                healed node is running and rejoined (restarting one that stays stopped).
#   blip K       TRANSIENT split: drop node K's distribution links once (no firewall).
#   state K      print running | paused | not_running | stopped  (paused = VM alive,
#                rabbit app stopped by pause_minority, awaiting the majority)
#   pid K        print node K's beam.smp PID (exit 1 when it is not running).
#   status [K]   print /api/nodes (name, running, partitions) as seen by node K (1).
#
# PARTITIONS -- why two verbs (RabbitMQ 3.10, cluster_partition_handling = pause_minority)
#
# `partition K` is a real, lasting cut of the Erlang distribution links.  Each node
#   runs with its own GID (uid stays root; node_gid in lib.sh), so nftables can tell
#   which node sent a packet on loopback.  The harness owns one table (inet
#   swarmop_rabbit_<PORT_BASE>, hook output) holding, for every other node J,
#       meta skgid GID(J) tcp dport DIST(K) reject with tcp reset
#       meta skgid GID(K) tcp dport DIST(J) reject with tcp reset
#   so J<->K distribution traffic is refused in both directions whoever opened the
#   connection, while HTTP/AMQP ports, epmd and rabbitmqctl (GID 0) keep working.
#   Then node K is told erlang:disconnect_node/1 for its peers, so nodedown is seen at
#   once instead of after net_ticktime (60 s); the rules make every reconnect fail.
#   Effect: K sees a minority and PAUSES (rabbit app incl. management stopped, VM
#   alive, pinging the others every second); the majority's /api/nodes shows K
#   `running:false` and NO `partitions` entry anywhere -- K's Mnesia is stopped, so
#   no inconsistent_database event can happen.  `heal K` deletes the rules; K finds
#   the majority within ~1 s, restarts rabbit and rejoins cleanly (no partition
#   recorded either).  Measured: cut -> K paused 1-3 s; heal -> K running 2-3 s.
#
# `blip K` only calls erlang:disconnect_node/1 on node K for its peers.  Erlang's
#   auto-connect re-establishes the links within milliseconds, but both sides have
#   already seen nodedown: K pauses (pause_minority), and when it comes back the
#   majority's Mnesia raises {inconsistent_database, running_partitioned_network, K},
#   so /api/nodes on node 1 and/or 2 reports `"partitions":["<K>"]` for ~3-6 s; then
#   the cluster recovers by itself (no heal needed).  This is the only way to see
#   `partitions` non-empty under pause_minority: a minority that stays cut off is
#   paused, never "partitioned" -- that is the contract of pause_minority.
#   (A bare disconnect_node therefore is NOT usable as a lasting partition.)
#
#   partition/heal need root and nft.
# =============================================================================
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { sed -n '3,19p' "$0" >&2; exit 2; }
cmd=${1:-}; K=${2:-}
[[ -n $cmd ]] || usage
have_marker || die "no harness cluster in $BASE (run rabbit-up.sh)"
N=$(read_env_nodes)
need_k() { [[ $K =~ ^[0-9]+$ ]] && (( K >= 1 && K <= N )) || die "node number 1..$N required"; }
T0=$(now_ms)

others() { local j; for ((j = 1; j <= N; j++)); do [[ $j == "$K" ]] || echo "$j"; done; }

# Erlang list of the other nodes' names: ['a@localhost','b@localhost']
others_erl() {
  local j out=""
  for j in $(others); do out+="${out:+,}'$(node_name "$j")'"; done
  echo "[$out]"
}

case $cmd in
  pid)
    need_k
    b=$(beam_pid "$K")
    owned "$b" || exit 1
    echo "$b" ;;

  stop)
    need_k
    node_alive "$K" || { log "node $K is not running"; exit 0; }
    stop_node_graceful "$K"
    log "node $K stopped gracefully in $(secs_since "$T0")s" ;;

  kill)
    need_k
    node_alive "$K" || { log "node $K is not running"; exit 0; }
    kill_node "$K"
    log "node $K killed (SIGKILL) in $(secs_since "$T0")s" ;;

  start)
    need_k
    start_epmd
    if node_alive "$K"; then
      recover_node "$K" || die "node $K is alive but does not come back"
      log "node $K is already running"
      exit 0
    fi
    start_node "$K"
    deadline=$(( T0 + BOOT_TIMEOUT * 1000 ))
    wait_node_ready "$K" "$deadline" || die "node $K did not start"
    # wait until a running peer sees it running (it has rejoined), by the same deadline
    wait_rejoined "$K" $(( (deadline - $(now_ms) + 999) / 1000 )) ||
      die "node $K runs but no peer sees it"
    log "node $K started and rejoined in $(secs_since "$T0")s" ;;

  partition)
    need_k
    command -v nft >/dev/null || die "nft is required for partition"
    touch "$BASE/partitioned"
    grep -qxF "$K" "$BASE/partitioned" || echo "$K" >> "$BASE/partitioned"
    apply_partition_rules "$N"
    # force the existing links down now; the rules keep them down
    if ! eval_on "$K" "[erlang:disconnect_node(N) || N <- $(others_erl)], ok." >/dev/null 2>&1; then
      for j in $(others); do
        node_alive "$j" && { eval_on "$j" "erlang:disconnect_node('$(node_name "$K")'), ok." >/dev/null 2>&1 || true; }
      done
    fi
    log "node $K partitioned from node(s) $(others | tr '\n' ' ')in $(secs_since "$T0")s" ;;

  heal)
    healed=$(sort -un "$BASE/partitioned" 2>/dev/null || true)
    if [[ -z $K ]]; then
      rm -f "$BASE/partitioned"
    else
      healed=$K
      need_k
      if [[ -f $BASE/partitioned ]]; then
        grep -vxF "$K" "$BASE/partitioned" > "$BASE/partitioned.tmp" || true
        mv -f "$BASE/partitioned.tmp" "$BASE/partitioned"
      fi
    fi
    apply_partition_rules "$N"
    # A node that was cut off and paused comes back by itself; heal returns once it has, so
    # that a test never starts from a node still on its way back (or stuck, see recover_node).
    for k in $healed; do
      node_alive "$k" || continue
      recover_node "$k" || die "node $k does not come back after the heal"
    done
    log "healed ${K:-all} and rejoined in $(secs_since "$T0")s" ;;

  blip)
    need_k
    eval_on "$K" "[erlang:disconnect_node(N) || N <- $(others_erl)], ok." >/dev/null \
      || die "could not reach node $K with rabbitmqctl"
    log "node $K: distribution links dropped once (transient split) in $(secs_since "$T0")s" ;;

  state)
    need_k
    node_state "$K" ;;

  status)
    k=${K:-1}
    api "$k" GET '/api/nodes?columns=name,running,partitions'
    [[ $API_CODE == 200 ]] || die "node $k: HTTP $API_CODE"
    jq -r '.[] | "\(.name)\trunning=\(.running)\tpartitions=\(.partitions // "-" | tostring)"' <<<"$API_BODY" ;;

  *) usage ;;
esac
