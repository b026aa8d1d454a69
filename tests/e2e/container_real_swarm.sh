#!/usr/bin/env bash
# container_real_swarm.sh PATH_TO_swarm-operator
#
# The controller as a container on the real 5-node harness swarm, deployed with the stack file
# people use (manifests/swarm-operator.stack.yml) and `docker stack deploy` (issue #10):
#   1. no registry here: the run image is a root filesystem made from the built binary and its
#      shared libraries (manifests/build-rootfs.sh), `docker import`ed on the three managers;
#   2. the stack deploys one controller on a manager, not root, with the node's engine socket,
#      the desired state from a Docker config and credentials from Docker secrets; it labels
#      node4 as the file says and its health check reports healthy;
#   3. drift (node4's label changed by hand) is put back, from the Docker event;
#   4. a new desired state (the next config, deployed again) is followed;
#   5. the controller's node is crashed: Swarm runs it on another manager, the lease passes to
#      the new controller, which corrects the next drift and reports healthy;
#   6. the stack, configs, secrets and lease are removed and the swarm is left as found.
# Needs the swarm from tests/harness/swarm/swarm-up.sh 5 (SWARMOP_SWARM_BASE).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=real_swarm_preamble.sh
. "$HERE/real_swarm_preamble.sh"
ROOT=$(cd "$HERE/../.." && pwd)
OPERATOR_STACK=so-e2e     # the controller's stack
IMAGE=local/swarm-operator:e2e
chmod 0755 "$WORK"

# The docker CLI (and the shared library's, through d) against a manager that is up: node1
# until the test crashes the node the controller runs on.
CLI_NODE=node1
d() { "$DOCKER_CLI" -H "$(host_of "$CLI_NODE")" "$@"; }

controller_logs() {
  local k
  for k in 1 2 3; do
    "$DOCKER_CLI" -H "$(host_of "node$k")" ps -aq --filter "label=com.docker.swarm.service.name=${OPERATOR_STACK}_controller" 2>/dev/null |
      while read -r id; do
        echo "--- node$k container $id:"
        "$DOCKER_CLI" -H "$(host_of "node$k")" logs --tail 30 "$id" 2>&1
      done
  done
}

remove_operator_stack() {
  local k deadline=$((SECONDS + 60))
  for k in 1 2 3; do
    CLI_NODE=node$k
    d stack rm "$OPERATOR_STACK" >/dev/null 2>&1 && break
  done
  # The network goes once the task is gone; configs and secrets once no service uses them.
  while [ $SECONDS -lt $deadline ]; do
    d config rm so-e2e-desired-1 so-e2e-desired-2 >/dev/null 2>&1 || true
    d secret rm swarm-operator-couchbase swarm-operator-rabbitmq >/dev/null 2>&1 || true
    if [ -z "$(d config ls -q --filter name=so-e2e-desired 2>/dev/null)" ] &&
       [ -z "$(d secret ls -q --filter name=swarm-operator- 2>/dev/null)" ] &&
       [ -z "$(d network ls -q --filter name=${OPERATOR_STACK}_ 2>/dev/null)" ]; then
      return 0
    fi
    sleep 0.5
  done
  echo "warning: the operator stack's configs, secrets or network are still there" >&2
}

on_exit() {
  local rc=$?
  trap - EXIT
  set +e
  if [ $rc -ne 0 ]; then
    echo "--- controller containers:" >&2
    controller_logs >&2
  fi
  log "cleanup: removing the operator stack, restoring the harness swarm (test status $rc)"
  for k in 1 2 3 4 5; do
    SWARMOP_SWARM_BASE=$BASE "$HARNESS/swarm-node.sh" start "$k" >/dev/null 2>&1
  done
  remove_operator_stack
  if ! restore_swarm; then
    [ $rc -ne 0 ] || rc=1
  fi
  wait_containers_gone
  rm -rf "$WORK"
  if [ $rc -eq 0 ]; then log "PASS"; else log "FAILED (exit $rc)"; fi
  exit $rc
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cluster() {  # cluster ZONE: the harness's swarm, node4 labelled zone=ZONE
  cat <<YAML
apiVersion: swarm-operator/v1alpha1
kind: SwarmCluster
metadata: {name: container-e2e}
spec:
  swarm:
    nodes:
      - {hostname: node1, role: manager}
      - {hostname: node2, role: manager}
      - {hostname: node3, role: manager}
      - {hostname: node4, role: worker, labels: {zone: $1}}
      - {hostname: node5, role: worker}
YAML
}

zone_is() {
  SEEN=$(d node inspect node4 --format '{{index .Spec.Labels "zone"}}' 2>&1) || return 1
  [ "$SEEN" = "$1" ]
}
# The node running the controller's task ("" while none runs).
controller_node() {
  d service ps --filter desired-state=running --format '{{.Node}} {{.CurrentState}}' \
    "${OPERATOR_STACK}_controller" 2>/dev/null | awk '$2 == "Running" { print $1; exit }'
}
# The health of the controller's running container, from its node's engine.
controller_healthy() {
  local node id
  node=$(controller_node)
  [ -n "$node" ] || { SEEN="no running task"; return 1; }
  id=$("$DOCKER_CLI" -H "$(host_of "$node")" ps -q --filter "label=com.docker.swarm.service.name=${OPERATOR_STACK}_controller" 2>/dev/null | head -1)
  [ -n "$id" ] || { SEEN="no container on $node"; return 1; }
  SEEN="$node: $("$DOCKER_CLI" -H "$(host_of "$node")" inspect --format '{{.State.Health.Status}} user={{.Config.User}}' "$id" 2>&1)"
  [[ $SEEN == *": healthy user=10001:"* ]]
}
lease_holder() {
  d service inspect swarm-operator-lease --format '{{index .Spec.Labels "swarm-operator.lease.holder"}}' 2>/dev/null
}
has_lease_holder() { SEEN=$(lease_holder); [ -n "$SEEN" ]; }
lease_moved_from() { SEEN=$(lease_holder); [ -n "$SEEN" ] && [ "$SEEN" != "$1" ]; }
runs_elsewhere_than() { SEEN=$(controller_node); [ -n "$SEEN" ] && [ "$SEEN" != "$1" ]; }

deploy() {  # deploy CONFIG
  DOCKER_GID=$(stat -c %g "$SW1_SOCK") \
  DOCKER_SOCKET="$WORK/sockets/{{.Node.Hostname}}.sock" \
  SWARM_OPERATOR_IMAGE=$IMAGE DESIRED_CONFIG=$1 \
    d stack deploy --detach=true --resolve-image never -c "$ROOT/manifests/swarm-operator.stack.yml" \
    "$OPERATOR_STACK" >/dev/null
}

log "restoring the harness's initial state first"
restore_swarm

log "step 1: the run image from the binary, imported on the managers"
"$ROOT/manifests/build-rootfs.sh" "$OPERATOR" "$WORK/rootfs.tar"
mapfile -t changes < <("$ROOT/manifests/import-changes.sh" e2e)
for k in 1 2 3; do
  "$DOCKER_CLI" -H "$(host_of "node$k")" import "${changes[@]}" "$WORK/rootfs.tar" "$IMAGE" >/dev/null &
done
wait
# Each node's engine socket under one path pattern, for the stack's {{.Node.Hostname}} source
# (every harness node has its own socket path; a real node has /var/run/docker.sock).
mkdir -p "$WORK/sockets"
for k in 1 2 3 4 5; do
  ln -s "$BASE/n$k/docker.sock" "$WORK/sockets/node$k.sock"
done

log "step 2: docker stack deploy"
cluster a >"$WORK/cluster-1.yaml"
cluster b >"$WORK/cluster-2.yaml"
d config create so-e2e-desired-1 "$WORK/cluster-1.yaml" >/dev/null
printf 'Administrator:e2e-not-used\n' | d secret create swarm-operator-couchbase - >/dev/null
printf 'guest:e2e-not-used\n' | d secret create swarm-operator-rabbitmq - >/dev/null
deploy so-e2e-desired-1
wait_until 120 "node4 labelled zone=a by the controller" zone_is a
wait_until 90 "the controller reports healthy" controller_healthy
wait_until 30 "a lease holder" has_lease_holder
first_holder=$SEEN

log "step 3: drift is put back"
d_write node update --label-add zone=drift node4
wait_until 30 "node4's label put back" zone_is a

log "step 4: a new desired state (the next config)"
d config create so-e2e-desired-2 "$WORK/cluster-2.yaml" >/dev/null
deploy so-e2e-desired-2
wait_until 120 "node4 labelled zone=b" zone_is b
wait_until 90 "the new controller reports healthy" controller_healthy
wait_until 30 "the lease held by the new controller" lease_moved_from "$first_holder"
holder=$SEEN

log "step 5: the controller's node crashes"
victim=$(controller_node)
[ -n "$victim" ] || fail "no running controller task"
log "the controller runs on $victim"
for k in 1 2 3; do
  [ "node$k" = "$victim" ] || { CLI_NODE=node$k; break; }
done
SWARMOP_SWARM_BASE=$BASE "$HARNESS/swarm-node.sh" crash "${victim#node}"
wait_until 150 "the controller running on another manager" runs_elsewhere_than "$victim"
wait_until 60 "the lease passed on" lease_moved_from "$holder"
d_write node update --label-add zone=drift node4
wait_until 60 "node4's label put back by the new controller" zone_is b
wait_until 90 "the rescheduled controller reports healthy" controller_healthy
