# The "bare swarm -> 3+ nodes with separate workers" journey on the real 5-node harness swarm,
# shared by apply_real_swarm.sh and faults_real_swarm.sh (sourced after real_swarm_lib.sh): the
# desired file, running the operator on it, the bare starting point and the converged checks.
# Needs OPERATOR, WORK, SW1_HOST and SWARM_IMAGE, and SERVICES and MASTERS as below.
SERVICES=(gui contentapi dexserver redis steprunner)
MASTERS=(node1 node2 node3)

# --- the desired file ---------------------------------------------------------------------------

# examples/three-plus-workers.yaml, cut down: its nodes, labels and constraints; gui with
# `spread: true` and no maxReplicasPerNode, so that a crashed master's gui task moves to another
# master and stays there (Swarm never moves it back: that imbalance is the operator's to fix);
# steprunner at 4 replicas, 2 per worker, to keep the rollout short. No couchbase/rabbitmq.
write_desired_file() {
  cat >"$WORK/workers.yaml" <<'EOF'
apiVersion: swarm-operator/v1alpha1
kind: SwarmCluster
metadata:
  name: e2e-3plus-workers
spec:
  stack: iservices
  swarm:
    nodes:
      - {hostname: node1, role: manager, labels: {types: master}}
      - {hostname: node2, role: manager, labels: {types: master}}
      - {hostname: node3, role: manager, labels: {types: master}}
      - {hostname: node4, role: worker, labels: {types: worker}}
      - {hostname: node5, role: worker, labels: {types: worker}}
  services:
    gui:
      replicas: 3
      spread: true
      constraints: [node.labels.types == master]
    contentapi:
      replicas: 3
      maxReplicasPerNode: 1
      constraints: [node.labels.types == master]
      env: {db_host: "couchbase,couchbase-worker,couchbase-worker2"}
    dexserver:
      replicas: 3
      maxReplicasPerNode: 1
      constraints: [node.labels.types == master]
      env: {db_host: "couchbase,couchbase-worker,couchbase-worker2"}
    redis:
      replicas: 1
      constraints: [node.labels.types == master]
    steprunner:
      replicas: 4
      maxReplicasPerNode: 2
      spread: true
      constraints: [node.labels.types == worker]
      restartDelay: 30s
      env:
        db_host: "couchbase,couchbase-worker,couchbase-worker2"
        additional_worker_args: "--max-tasks-per-child 1 --without-gossip --without-mingle"
EOF
}

# run_operator NAME SUBCOMMAND: runs plan/apply on the file against $OPERATOR_HOST (node1); output in $WORK/NAME,
# exit status in RC, wall time in WALL.
RC=0
WALL=0
run_operator() {
  local name=$1 t0=$EPOCHREALTIME
  shift
  RC=0
  DOCKER_HOST=${OPERATOR_HOST:-$SW1_HOST} "$OPERATOR" "$@" "$WORK/workers.yaml" >"$WORK/$name" 2>&1 || RC=$?
  WALL=$(since "$t0")
  sed 's/^/    | /' "$WORK/$name"
}

writes_of() { # the W of "in sync after N steps (writes: W to the manager)"
  tail -n1 "$WORK/$1" | sed -n 's/^in sync after [0-9]* steps\{0,1\} (writes: \([0-9]*\) to the manager)$/\1/p'
}

# --- checks -------------------------------------------------------------------------------------

expect_tasks() { # expect_tasks SERVICE WANTED
  local got
  got=$(tasks_of "$1")
  [ "$got" = "$2" ] || fail "$(svc "$1") runs tasks on [$got], want [$2]"
  log "ok  $(svc "$1") tasks per node: $got"
}

check_converged() {
  local table host role reach state avail labels want_role want_label got
  table=$(node_table)
  while read -r host role reach state avail labels; do
    case " ${MASTERS[*]} " in
      *" $host "*) want_role=manager want_label=master ;;
      *) want_role=worker want_label=worker ;;
    esac
    [ "$role" = "$want_role" ] || fail "$host has role $role, want $want_role"
    [ "$want_role" != manager ] || [ "$reach" = reachable ] || fail "manager $host is $reach, want reachable"
    [ "$state/$avail" = ready/active ] || fail "$host is $state/$avail, want ready/active"
    got=$(jq -r '.types // ""' <<<"$labels")
    [ "$got" = "$want_label" ] || fail "$host has label types=$got, want types=$want_label (labels $labels)"
  done <<<"$table"
  log "ok  roles and labels: node1-3 manager types=master, node4-5 worker types=worker"
  expect_tasks gui "node1:1 node2:1 node3:1"
  expect_tasks contentapi "node1:1 node2:1 node3:1"
  expect_tasks dexserver "node1:1 node2:1 node3:1"
  got=$(tasks_of redis)
  [[ $got =~ ^node[123]:1$ ]] || fail "$(svc redis) runs tasks on [$got], want one task on a master"
  log "ok  $(svc redis) tasks per node: $got"
  expect_tasks steprunner "node4:2 node5:2"
}

# Every node ready (SEEN lists those that are not).
all_ready() {
  SEEN=$(node_table | awk '$4 != "ready" { printf "%s:%s ", $1, $4 }')
  [ -z "$SEEN" ]
}

# make_bare: node2 and node3 demoted, no labels, the stand-in services with 1 replica each
# wherever Swarm puts them: where the journey starts.
make_bare() {
  d_write node demote node2
  d_write node demote node3
  only_node1_manages() {
    SEEN=$(node_table | awk '$3 != "-" { printf "%s(%s %s) ", $1, $2, $3 }')
    [ "$SEEN" = "node1(manager reachable) " ]
  }
  wait_until 60 "node1 the only manager" only_node1_manages
  # A demoted node re-registers as a worker and can show "down" for a few heartbeats: the
  # journey starts once every node is ready again (else a promotion is rightly blocked).
  wait_until 60 "every node ready" all_ready
  for s in "${SERVICES[@]}"; do
    # No registry: the image is on every node. A 2 s grace period (sleep ignores SIGTERM) and a 1 s
    # update monitor keep rollouts short.
    d service create --detach --no-resolve-image --name "$(svc "$s")" --replicas 1 \
      --stop-grace-period 2s --update-monitor 1s "$SWARM_IMAGE" >/dev/null
  done
  all_one_running() {
    local s got
    SEEN=""
    for s in "${SERVICES[@]}"; do
      got=$(tasks_of "$s")
      SEEN+="$s=[$got] "
      [[ $got =~ ^node[1-5]:1$ ]] || return 1
    done
  }
  wait_until 90 "each stand-in service runs its 1 task" all_one_running
  log "bare: $SEEN"
}
