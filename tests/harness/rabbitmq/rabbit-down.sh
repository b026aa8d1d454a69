#!/usr/bin/env bash
# =============================================================================
# rabbit-down.sh -- stop everything rabbit-up.sh started and remove $BASE.
#
#   * refuses (exit 2) to touch a base dir without the harness ownership marker;
#   * removes the harness nftables table (partitions), if any;
#   * TERM to every node's beam.smp (graceful shutdown; all nodes in parallel),
#     KILL of each node's remaining process group after SWARMOP_RABBIT_STOP_TIMEOUT s;
#   * TERM, then KILL, to the private epmd;
#   * PIDs come from the files recorded at start and are signalled only if the
#     process carries this harness's SWARMOP_RABBIT_OWNER tag (never by name);
#   * a final sweep for any process still carrying the tag, then rm -rf $BASE.
# Idempotent: nothing to do when $BASE does not exist.
# =============================================================================
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T0=$(now_ms)
if [[ ! -e $BASE ]]; then
  log "nothing to do: $BASE does not exist"
  exit 0
fi
if ! have_marker; then
  log "refusing: $BASE has no harness ownership marker ($MARKER_NAME for this base)"
  exit 2
fi

# 1. partitions
if nft list table inet "$NFT_TABLE" >/dev/null 2>&1; then
  nft delete table inet "$NFT_TABLE" && log "removed nftables table inet $NFT_TABLE"
fi

# 2. nodes: graceful TERM to beam.smp, all in parallel
nodes=()
for d in "$BASE"/node*; do
  [[ -d $d ]] || continue
  k=${d##*/node}
  [[ $k =~ ^[0-9]+$ ]] || continue
  node_alive "$k" || continue
  nodes+=("$k")
  b=$(beam_pid "$k")
  if owned "$b"; then signal_owned TERM "$b"; else signal_owned TERM "$(wrapper_pid "$k")"; fi
done
deadline=$(( $(now_ms) + STOP_TIMEOUT * 1000 ))
while :; do
  left=""
  for k in "${nodes[@]}"; do node_alive "$k" && left+=" $k"; done
  [[ -z $left ]] && break
  if (( $(now_ms) > deadline )); then
    log "node(s)$left still running ${STOP_TIMEOUT}s after TERM: KILL"
    break
  fi
  sleep 0.25
done
# KILL whatever is left of each node (also erl_child_setup & co, normally gone already)
for k in "${nodes[@]}"; do kill_node "$k" || true; done
(( ${#nodes[@]} )) && log "stopped node(s) ${nodes[*]} after $(secs_since "$T0")s"

# 3. epmd
e=$(epmd_pid)
if owned "$e"; then
  kill -TERM "$e" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do owned "$e" || break; sleep 0.1; done
  owned "$e" && { kill -KILL "$e" 2>/dev/null || true; }
  log "stopped epmd (pid $e)"
fi

# 4. anything else that still carries our tag (e.g. a hung rabbitmqctl)
left=$(tagged_pids | tr '\n' ' ')
if [[ -n ${left// } ]]; then
  log "leftover harness processes: $left -- KILL"
  # shellcheck disable=SC2086
  signal_owned KILL $left
  sleep 0.2
fi

# 5. state dir
rm -rf -- "$BASE"
log "removed $BASE ($(secs_since "$T0")s)"
