#!/usr/bin/env bash
# =============================================================================
# selftest.sh -- end-to-end check of the RabbitMQ harness against a REAL 3-node
# cluster: bring-up, management API semantics the operator relies on (ha-all policy
# status codes, mirroring, manual sync), node stop/start, sustained partition +
# heal, transient split reported in /api/nodes `partitions`, and teardown.
#
# Uses its own state dir and port block so that it never touches a developer's
# harness cluster: SWARMOP_RABBIT_BASE (default /tmp/swarmop-rabbit-selftest),
# SWARMOP_RABBIT_PORT_BASE (default 26800: AMQP 26801-3, mgmt 26811-3, dist
# 26821-3, epmd 26830).  Every wait is a poll with a deadline.  Needs root + nft
# (partition).  Prints timings; last line "N passed, M failed"; exit 1 on failure.
# =============================================================================
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export SWARMOP_RABBIT_BASE=${SWARMOP_RABBIT_BASE:-/tmp/swarmop-rabbit-selftest}
export SWARMOP_RABBIT_PORT_BASE=${SWARMOP_RABBIT_PORT_BASE:-26800}
# shellcheck source=lib.sh
source "$HERE/lib.sh"

N=3
Q=swop-selftest-q
POLICY='{"pattern":".*","definition":{"ha-mode":"all","ha-sync-mode":"manual"},"apply-to":"all"}'
N1=$(node_name 1); N2=$(node_name 2); N3=$(node_name 3)
PASSED=0; FAILED=0
T_ALL=$(now_ms)
T_STEP=$T_ALL
declare -a TIMINGS=()

say()   { printf '%s\n' "$*"; }
pass()  { PASSED=$((PASSED + 1)); say "ok   $((PASSED + FAILED)) - $*"; }
fail()  { FAILED=$((FAILED + 1)); say "FAIL $((PASSED + FAILED)) - $*"; }
check() { local d=$1; shift; if "$@"; then pass "$d"; else fail "$d"; fi; }
step()  { T_STEP=$(now_ms); say "# $*"; }
timing(){ local t; t=$(secs_since "$T_STEP"); TIMINGS+=("$(printf '%-44s %6ss' "$1" "$t")"); say "#   -> $1: ${t}s"; }

# wait_for DESC TIMEOUT_S CMD... : poll CMD every 0.3 s until it succeeds
wait_for() {
  local d=$1 to=$2 t0 deadline; shift 2
  t0=$(now_ms); deadline=$(( t0 + to * 1000 ))
  until "$@"; do
    if (( $(now_ms) > deadline )); then fail "$d (not within ${to}s)"; return 1; fi
    sleep 0.3
  done
  pass "$d ($(secs_since "$t0")s)"
}

cleanup() {
  if [[ -e $BASE ]] && have_marker; then "$HERE/rabbit-down.sh" >/dev/null 2>&1 || true; fi
  rm -rf "${NOMARK_DIR:-}"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- helpers (JSON)
nodes_json() { api_get "$1" '/api/nodes?columns=name,running,partitions'; }
# node_is VIEW NAME true|false
node_is() { nodes_json "$1" | jq -e --arg n "$2" --argjson r "$3" 'any(.[]; .name==$n and .running==$r)' >/dev/null; }
queue_json() { api_get 1 "/api/queues/%2F/$Q"; }
q_expect() { queue_json | jq -e "$1" >/dev/null 2>&1; }
set_is() { printf '((.%s // []) | sort) == (%s | sort)' "$1" "$2"; }
all_up_no_partitions() { cluster_healthy "$N"; }
http_code() {  # http_code METHOD PATH [BODY] -> prints the status of node 1's answer
  api 1 "$@"; echo "$API_CODE"
}
partition_reported() {  # some running node lists node 3 in `partitions`
  local k
  for k in 1 2; do
    nodes_json "$k" 2>/dev/null | jq -e --arg n "$N3" 'any(.[]; (.partitions // []) | index($n))' >/dev/null 2>&1 && return 0
  done
  return 1
}
running_set_is() { nodes_json 1 | jq -e --argjson w "$1" '[.[] | select(.running) | .name] | sort == ($w | sort)' >/dev/null; }
node3_stopped_view() { running_set_is "[\"$N1\",\"$N2\"]" && node_is 1 "$N3" false; }
node3_paused_view() {  # the majority sees node 3 down while its VM is alive
  owned "$(beam_pid 3)" && node_is 1 "$N3" false
}
state_is() { [[ $("$HERE/rabbit-node.sh" state "$1" 2>/dev/null) == "$2" ]]; }
only_loopback_listeners() {
  local pids p bad
  pids=$( { for k in 1 2 3; do beam_pid "$k"; done; epmd_pid; } | tr '\n' ' ')
  bad=""
  for p in $pids; do
    bad+=$(ss -Hltnp 2>/dev/null | grep "pid=$p," | awk '{print $4}' | grep -v -E '^(127\.0\.0\.1|\[::1\]):' || true)
  done
  [[ -z $bad ]] || { say "#   non-loopback listeners: $bad"; return 1; }
  # and something must actually listen
  ss -Hltn "sport = :$(mgmt_port 1)" | grep -q 127.0.0.1
}

HOME_COOKIE_BEFORE=$([ -e "$HOME/.erlang.cookie" ] && echo present || echo absent)
EPMD4369_BEFORE=$(port_listening 4369 && echo listening || echo free)
say "# RabbitMQ harness self-test: base=$BASE ports=$PORT_BASE+ ($(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg))"
if [[ -e $BASE ]]; then
  have_marker || { say "# $BASE exists and is not a harness dir; set SWARMOP_RABBIT_BASE"; exit 1; }
  say "# removing a stale self-test cluster"; "$HERE/rabbit-down.sh" >/dev/null 2>&1
fi

# ---------------------------------------------------------------- bring-up
step "rabbit-up.sh $N"
UP_LOG=$(mktemp)
"$HERE/rabbit-up.sh" "$N" >"$UP_LOG.out" 2>"$UP_LOG"
rc=$?
timing "rabbit-up.sh 3 (fresh cluster)"
sed 's/^/#   /' "$UP_LOG"
check "rabbit-up.sh exits 0 and prints the env path" [ "$rc" = 0 -a "$(cat "$UP_LOG.out")" = "$ENV_FILE" ]
if (( rc != 0 )); then
  rm -f "$UP_LOG" "$UP_LOG.out"
  say "$PASSED passed, $FAILED failed"; exit 1
fi
check "admin password never printed" bash -c '! grep -qF -- "$(cat "$1")" "$2" "$3"' _ "$PASS_FILE" "$UP_LOG" "$UP_LOG.out"
rm -f "$UP_LOG" "$UP_LOG.out"
check "env file has RABBIT_NODES/RABBIT<K>_*/admin entries" bash -c '
  set -a; . "$1"; set +a
  [ "$RABBIT_NODES" = 3 ] && [ "$RABBIT_ADMIN_USER" = swop-admin ] && [ -s "$RABBIT_ADMIN_PASSWORD_FILE" ] &&
  [ "$RABBIT1_MGMT" = "http://127.0.0.1:$2" ] && [ -n "$RABBIT3_AMQP_PORT" ] && [ "$RABBIT2_NAME" = "$3" ]' _ \
  "$ENV_FILE" "$(mgmt_port 1)" "$N2"
check "credentials file is swop-admin:PASSWORD, mode 0600" bash -c '
  [ "$(stat -c %a "$1")" = 600 ] && [ "$(cat "$1")" = "swop-admin:$(cat "$2")" ] && [ "$(stat -c %a "$2")" = 600 ]' _ \
  "$CRED_FILE" "$PASS_FILE"
check "all listeners (AMQP, mgmt, dist, epmd) bound to loopback only" only_loopback_listeners
check "/api/nodes on node 1: 3 nodes, all running" all_up_no_partitions
check "basic auth with \$RABBIT_CREDENTIALS_FILE works (curl -u)" bash -c '
  [ "$(curl -s -o /dev/null -w "%{http_code}" -u "$(cat "$1")" "http://127.0.0.1:$2/api/whoami")" = 200 ]' _ "$CRED_FILE" "$(mgmt_port 1)"

step "idempotent re-run of rabbit-up.sh"
"$HERE/rabbit-up.sh" "$N" >/dev/null 2>&1; rc=$?
timing "rabbit-up.sh 3 (already healthy)"
check "re-running rabbit-up.sh on a healthy cluster is quick and exits 0" \
  bash -c '[ "$1" = 0 ] && awk -v t="$2" "BEGIN{exit !(t < 10)}"' _ "$rc" "$(secs_since "$T_STEP")"

step "with-rabbit.sh on the running cluster (reused, exit code passed through)"
"$HERE/with-rabbit.sh" -- bash -c '[ -f "$SWARMOP_RABBIT_ENV" ] && [ "$RABBIT_NODES" = 3 ] && [ -n "$RABBIT1_MGMT" ] && exit 7; exit 1' 2>/dev/null
rc=$?
check "with-rabbit.sh exports SWARMOP_RABBIT_ENV + env and returns COMMAND's exit code (7)" [ "$rc" = 7 ]
check "with-rabbit.sh left a pre-existing cluster running" all_up_no_partitions

step "rabbit-down.sh refuses a base dir without the ownership marker"
NOMARK_DIR=$(mktemp -d /tmp/swarmop-rabbit-nomarker.XXXXXX)
touch "$NOMARK_DIR/precious"
SWARMOP_RABBIT_BASE=$NOMARK_DIR "$HERE/rabbit-down.sh" >/dev/null 2>&1; rc=$?
check "rabbit-down.sh exits 2 and leaves the unmarked dir alone" [ "$rc" = 2 -a -f "$NOMARK_DIR/precious" ]

# ---------------------------------------------------------------- policy semantics
step "ha-all policy: PUT/PUT/DELETE/DELETE status codes"
check "PUT /api/policies/%2F/ha-all (new) -> 201"        [ "$(http_code PUT /api/policies/%2F/ha-all "$POLICY")" = 201 ]
check "PUT identical policy again -> 204"                  [ "$(http_code PUT /api/policies/%2F/ha-all "$POLICY")" = 204 ]
check "GET returns the same pattern/definition/apply-to" bash -c '
  printf "%s" "$1" | jq -e ".pattern==\".*\" and .definition=={\"ha-mode\":\"all\",\"ha-sync-mode\":\"manual\"} and .[\"apply-to\"]==\"all\" and .priority==0" >/dev/null' _ \
  "$(api_get 1 /api/policies/%2F/ha-all)"
check "DELETE /api/policies/%2F/ha-all -> 204"           [ "$(http_code DELETE /api/policies/%2F/ha-all)" = 204 ]
check "DELETE again -> 404"                                [ "$(http_code DELETE /api/policies/%2F/ha-all)" = 404 ]
check "PUT ha-all once more (for mirroring) -> 201"        [ "$(http_code PUT /api/policies/%2F/ha-all "$POLICY")" = 201 ]
timing "policy round trip"

# ---------------------------------------------------------------- mirroring
step "declare $Q + publish 10 messages (rabbit-publish.sh)"
check "rabbit-publish.sh $Q 10 publishes 10 routed messages" [ "$("$HERE/rabbit-publish.sh" "$Q" 10 2>/dev/null)" = 10 ]
wait_for "queue has policy ha-all, 10 messages, mirrors on nodes 2+3, all synchronised" 30 \
  q_expect ".policy==\"ha-all\" and .messages==10 and ($(set_is slave_nodes "[\"$N2\",\"$N3\"]")) and ($(set_is synchronised_slave_nodes "[\"$N2\",\"$N3\"]"))"
timing "declare + publish + mirrors visible"

step "rabbit-node.sh stop 3"
"$HERE/rabbit-node.sh" stop 3 2>&1 | sed 's/^/#   /'
timing "graceful stop of node 3"
check "node 3's processes are gone" bash -c '! "$1" pid 3 >/dev/null' _ "$HERE/rabbit-node.sh"
wait_for "/api/nodes: node 3 running:false, nodes 1+2 running" 20 node3_stopped_view

step "rabbit-node.sh start 3"
"$HERE/rabbit-node.sh" start 3 2>&1 | sed 's/^/#   /'
timing "start of node 3 (rejoin)"
wait_for "/api/nodes: all 3 running again" 30 all_up_no_partitions
wait_for "node 3 mirror back but NOT synchronised (ha-sync-mode manual)" 30 \
  q_expect "((.slave_nodes // []) | index(\"$N3\")) and ((.synchronised_slave_nodes // []) | index(\"$N3\") | not) and .messages==10"
step "manual sync"
check "POST /api/queues/%2F/$Q/actions {\"action\":\"sync\"} -> 204" \
  [ "$(http_code POST "/api/queues/%2F/$Q/actions" '{"action":"sync"}')" = 204 ]
wait_for "node 3 mirror synchronised after sync" 30 \
  q_expect "$(set_is synchronised_slave_nodes "[\"$N2\",\"$N3\"]")"
timing "sync action -> synchronised"

# ---------------------------------------------------------------- partitions
step "rabbit-node.sh partition 3 (sustained nftables cut)"
"$HERE/rabbit-node.sh" partition 3 2>&1 | sed 's/^/#   /'
wait_for "majority (node 1) reports node 3 running:false while its VM lives" 30 node3_paused_view
wait_for "pause_minority paused node 3 (rabbit app stopped, VM up)" 30 state_is 3 paused
check "node 3's management port refuses connections while paused" bash -c '! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null' _ "$(mgmt_port 3)"
check "nodes 1+2 keep serving the API, both running" running_set_is "[\"$N1\",\"$N2\"]"
timing "partition -> node 3 paused"
step "rabbit-node.sh heal 3"
"$HERE/rabbit-node.sh" heal 3 2>&1 | sed 's/^/#   /'
wait_for "after heal: all 3 running, no partitions" 60 all_up_no_partitions
check "harness nftables table removed" bash -c '! nft list table inet "$1" >/dev/null 2>&1' _ "$NFT_TABLE"
timing "heal -> cluster whole"

step "rabbit-node.sh blip 3 (transient split: partition reported in /api/nodes)"
"$HERE/rabbit-node.sh" blip 3 2>&1 | sed 's/^/#   /'
saw_partition=0; saw_pause=0
deadline=$(( $(now_ms) + 45000 ))
while (( $(now_ms) < deadline )); do
  (( saw_partition )) || { partition_reported && { saw_partition=1; say "#   partition reported after $(secs_since "$T_STEP")s"; }; }
  (( saw_pause )) || { node3_paused_view && { saw_pause=1; say "#   node 3 paused (running:false, VM alive) after $(secs_since "$T_STEP")s"; }; }
  (( saw_partition && saw_pause )) && break
  sleep 0.3
done
check "/api/nodes reports a partition involving node 3" [ "$saw_partition" = 1 ]
check "pause_minority paused node 3 during the split" [ "$saw_pause" = 1 ]
wait_for "split over: all 3 running, no partitions" 60 all_up_no_partitions
timing "blip -> reported -> recovered"

step "rabbit-node.sh start 3 on a node left alive with its app stopped (recovered)"
# What a failed restart after a pause leaves behind: the VM up, the rabbit app stopped, nobody
# to start it again. `start` waits for it (3 s here, 30 by default), then restarts the app.
( common_env; cd "$BASE" && "$RMQ_BIN/rabbitmqctl" -q -n "$(node_name 3)" stop_app ) >/dev/null 2>&1
wait_for "node 3 alive with its app stopped" 30 state_is 3 not_running
SWARMOP_RABBIT_RECOVER_WAIT=3 "$HERE/rabbit-node.sh" start 3 2>&1 | sed 's/^/#   /'
check "start brought node 3's app back" state_is 3 running
wait_for "all 3 running again" 30 all_up_no_partitions
timing "stopped app -> recovered by start"

# ---------------------------------------------------------------- teardown
step "rabbit-down.sh"
PIDS=$( { for k in 1 2 3; do wrapper_pid "$k"; beam_pid "$k"; done; epmd_pid; } | tr '\n' ' ')
"$HERE/rabbit-down.sh" 2>&1 | sed 's/^/#   /'
rc=${PIPESTATUS[0]}
timing "rabbit-down.sh"
check "rabbit-down.sh exits 0 and removes $BASE" [ "$rc" = 0 -a ! -e "$BASE" ]
check "no recorded beam/wrapper/epmd PID alive ($PIDS)" bash -c '
  for p in $1; do [ -d /proc/$p ] && ! grep -q "^State:.*Z" /proc/$p/status 2>/dev/null && exit 1; done; exit 0' _ "$PIDS"
check "no process carries the harness owner tag" bash -c '! grep -lzxF -- "$1" /proc/[0-9]*/environ 2>/dev/null | grep -q .' _ "$OWNER_TAG"
check "no listener left on the harness ports" bash -c '
  ! ss -Hltn | awk "{print \$4}" | grep -E ":($2|$3|$4|$5|$6|$7|$8)\$" -q' _ x \
  "$(mgmt_port 1)" "$(mgmt_port 2)" "$(mgmt_port 3)" "$(dist_port 1)" "$(amqp_port 1)" "$EPMD_PORT" "$(dist_port 3)"
"$HERE/rabbit-down.sh" >/dev/null 2>&1; rc=$?
check "rabbit-down.sh again is a no-op (exit 0)" [ "$rc" = 0 ]
check "no ~/.erlang.cookie created, no default-port epmd started ($HOME_COOKIE_BEFORE, 4369 $EPMD4369_BEFORE)" \
  [ "$([ -e "$HOME/.erlang.cookie" ] && echo present || echo absent)" = "$HOME_COOKIE_BEFORE" -a \
    "$(port_listening 4369 && echo listening || echo free)" = "$EPMD4369_BEFORE" ]

say "# timings"
for t in "${TIMINGS[@]}"; do say "#   $t"; done
say "#   total                                        $(secs_since "$T_ALL")s"
say "$PASSED passed, $FAILED failed"
(( FAILED == 0 ))
