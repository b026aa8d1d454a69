# Shared by the end-to-end tests against the real 5-node harness swarm (sourced, not run):
# logging, the docker CLI against node1 with retries of version races, polling with deadlines,
# and putting the swarm back in the harness's initial state (3 managers node1-3, workers
# node4-5, all active, no labels, no services of the stack). Needs DOCKER_CLI, SW<K>_HOST and
# SW<K>_ROLE (from the harness env file), STACK, BASE, HARNESS and T_START set by the caller.

# The service whose labels hold `watch`'s single-writer lease.
LEASE_SERVICE=swarm-operator-lease

log() { printf '%(%H:%M:%S)T +%ss  %s\n' -1 "$(since "$T_START")" "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

# Seconds since $1 (an $EPOCHREALTIME value), to 0.1 s.
since() {
  local a=${1/./} b=${EPOCHREALTIME/./} d
  d=$(((10#$b - 10#$a + 50000) / 100000))
  printf '%d.%d' $((d / 10)) $((d % 10))
}

host_of() { local var="SW${1#node}_HOST"; echo "${!var}"; }
role_of() { local var="SW${1#node}_ROLE"; echo "${!var}"; }

# The docker CLI against node1, the manager that apply talks to too (it is never crashed).
d() { "$DOCKER_CLI" -H "$SW1_HOST" "$@"; }

# d_write ARGS...: a docker CLI write, sent again when it lost a race with one of Swarm's own
# writes (the node's status moves its version too: "update out of sequence"); the CLI reads the
# object again on each try.
d_write() {
  local out try
  for try in 1 2 3 4 5; do
    if out=$(d "$@" 2>&1); then
      return 0
    fi
    [[ $out == *"update out of sequence"* ]] || { echo "$out" >&2; return 1; }
    log "retry $try after a version race: docker $*"
  done
  echo "$out" >&2
  return 1
}

# wait_until SECONDS WHAT PROBE [ARGS...]: polls PROBE (a function run in this shell, which sets
# SEEN to what it saw) every 0.25 s until it succeeds; fails naming WHAT and the last SEEN.
SEEN=""
wait_until() {
  poll_until "$@" || fail "not $2 after $1 s; last seen: $SEEN"
}
# poll_until SECONDS WHAT PROBE [ARGS...]: as wait_until, but returns 1 at the deadline (logging
# what it last saw) instead of failing, for a caller that then acts and waits again.
poll_until() {
  local timeout=$1 what=$2 t0=$EPOCHREALTIME deadline=$((SECONDS + $1))
  shift 2
  while :; do
    SEEN=""
    if "$@"; then
      log "$what: after $(since "$t0") s"
      return 0
    fi
    if [ $SECONDS -ge $deadline ]; then
      log "not $what after $timeout s; last seen: $SEEN"
      return 1
    fi
    sleep 0.25
  done
}

# --- what the docker CLI sees ------------------------------------------------------------------

# One line per node: "hostname role reachability state availability labels-json", sorted.
node_table() {
  local ids
  ids=$(d node ls -q) || return 1
  # shellcheck disable=SC2086  # one argument per node id
  d node inspect $ids --format \
    '{{.Description.Hostname}} {{.Spec.Role}} {{if .ManagerStatus}}{{.ManagerStatus.Reachability}}{{else}}-{{end}} {{.Status.State}} {{.Spec.Availability}} {{json .Spec.Labels}}' |
    sort
}

# "node1:1 node2:2": running tasks (desired and current state running) of a service per node.
svc() { echo "${STACK}_$1"; }
tasks_of() {
  d service ps --filter desired-state=running --format '{{.Node}} {{.CurrentState}}' "$(svc "$1")" 2>/dev/null |
    awk '$2 == "Running" { n[$1]++ } END { for (k in n) printf "%s:%d\n", k, n[k] }' | sort | paste -sd' ' -
}

leader() { d node ls --format '{{.Hostname}} {{.ManagerStatus}}' | awk '$2 == "Leader" { print $1 }'; }

# --- restoring the harness's initial state (also the EXIT trap) ---------------------------------

# True when every node is ready, active, has its harness role (managers reachable), no labels,
# and no service of the stack exists; SEEN says what differs.
swarm_is_initial() {
  local table line host role reach state avail labels want diffs=()
  table=$(node_table 2>&1) || { SEEN="node inspect failed: $table"; return 1; }
  [ "$(wc -l <<<"$table")" -eq 5 ] || diffs+=("$(wc -l <<<"$table") node entries")
  while read -r host role reach state avail labels; do
    want=$(role_of "$host")
    [ "$role" = "$want" ] || diffs+=("$host role $role (want $want)")
    [ "$want" != manager ] || [ "$reach" = reachable ] || diffs+=("$host reachability $reach")
    [ "$state" = ready ] || diffs+=("$host $state")
    [ "$avail" = active ] || diffs+=("$host $avail")
    [ "$labels" = '{}' ] || [ "$labels" = null ] || diffs+=("$host labels $labels")
  done <<<"$table"
  line=$(d service ls --filter "name=${STACK}_" -q 2>&1 | paste -sd' ' -)
  [ -z "$line" ] || diffs+=("services left: $line")
  ! d service inspect "$LEASE_SERVICE" >/dev/null 2>&1 || diffs+=("the watch lease service is left")
  SEEN=${diffs[*]:-}
  [ ${#diffs[@]} -eq 0 ]
}

# One pass of repairs towards the initial state (the next probe checks the result).
repair_swarm() {
  local k host role reach state avail labels args key ids
  for k in 1 2 3 4 5; do
    # A no-op for a running node; restarts one this test crashed.
    SWARMOP_SWARM_BASE=$BASE "$HARNESS/swarm-node.sh" start "$k" >/dev/null 2>&1 || true
  done
  d service rm "$LEASE_SERVICE" >/dev/null 2>&1 || true
  ids=$(d service ls --filter "name=${STACK}_" -q 2>/dev/null || true)
  # shellcheck disable=SC2086  # one argument per service id
  [ -z "$ids" ] || d service rm $ids >/dev/null 2>&1 || true
  while read -r host role reach state avail labels; do
    [ -n "$host" ] || continue
    args=()
    [ "$role" = "$(role_of "$host")" ] || args+=(--role "$(role_of "$host")")
    [ "$avail" = active ] || args+=(--availability active)
    if [ "$labels" != '{}' ] && [ "$labels" != null ]; then
      while read -r key; do args+=(--label-rm "$key"); done < <(jq -r 'keys[]' <<<"$labels")
    fi
    [ ${#args[@]} -eq 0 ] || d node update "${args[@]}" "$host" >/dev/null 2>&1 || true
  done < <(node_table 2>/dev/null || true)
}

restore_swarm() {
  local deadline=$((SECONDS + 120))
  while ! swarm_is_initial; do
    [ $SECONDS -lt $deadline ] || { echo "FAIL: the swarm did not return to its initial state in 120 s: $SEEN" >&2; return 1; }
    repair_swarm
    sleep 0.5
  done
}

# The removed services' containers stop within their 2 s grace period; wait for them so that the
# next test starts on a quiet swarm (a warning only: nothing depends on it).
wait_containers_gone() {
  local k n deadline=$((SECONDS + 60)) left
  while :; do
    left=""
    for k in 1 2 3 4 5; do
      n=$("$DOCKER_CLI" -H "$(host_of "node$k")" ps -aq --filter "label=com.docker.swarm.service.name" 2>/dev/null | wc -l)
      [ "$n" -eq 0 ] || left+=" node$k:$n"
    done
    [ -n "$left" ] || return 0
    [ $SECONDS -lt $deadline ] || { echo "warning: task containers still there after 60 s:$left" >&2; return 0; }
    sleep 0.5
  done
}

