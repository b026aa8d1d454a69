#!/usr/bin/env bash
# The real docker CLI against `swarm-operator sim`: node and service commands must work as they
# do against a real engine. Usage: docker_cli_test.sh PATH_TO_swarm-operator
set -uo pipefail
operator=$1
docker_cli=$(command -v docker || true)
[ -n "$docker_cli" ] || { echo "docker CLI not found (Debian package docker.io)"; exit 1; }

work=$(mktemp -d)
socket="$work/docker.sock"
"$operator" sim --nodes 4 --docker "unix://$socket" >"$work/env" 2>"$work/err" &
sim_pid=$!
trap 'kill "$sim_pid" 2>/dev/null; wait "$sim_pid" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q '^DOCKER_HOST=' "$work/env" && break; sleep 0.1; done
grep -q '^DOCKER_HOST=' "$work/env" || { echo "sim did not start"; cat "$work/err"; exit 1; }
export DOCKER_HOST="unix://$socket"

passed=0
failed=0
check() {  # check NAME COMMAND... : the command must succeed
  local name=$1
  shift
  if out=$("$@" 2>&1); then
    passed=$((passed + 1))
    echo "ok    $name"
  else
    failed=$((failed + 1))
    echo "FAIL  $name: $out"
  fi
}
expect() {  # expect NAME WANTED COMMAND... : the command's output must equal WANTED
  local name=$1 wanted=$2
  shift 2
  local got
  got=$("$@" 2>&1)
  if [ "$got" = "$wanted" ]; then
    passed=$((passed + 1))
    echo "ok    $name"
  else
    failed=$((failed + 1))
    echo "FAIL  $name: wanted [$wanted], got [$got]"
  fi
}
# until_equal NAME WANTED COMMAND...: polls (deadline 30 s) until the output equals WANTED.
until_equal() {
  local name=$1 wanted=$2 got=""
  shift 2
  for _ in $(seq 150); do
    got=$("$@" 2>&1)
    [ "$got" = "$wanted" ] && break
    sleep 0.2
  done
  expect "$name" "$wanted" printf '%s' "$got"
}

expect "node ls" "node1 Leader
node2 
node3 
node4 " "$docker_cli" node ls --format '{{.Hostname}} {{.ManagerStatus}}'
expect "node inspect" "worker active" \
  "$docker_cli" node inspect node2 --format '{{.Spec.Role}} {{.Spec.Availability}}'
check "node update --label-add" "$docker_cli" node update --label-add types=master node2
expect "label applied" "map[types:master]" "$docker_cli" node inspect node2 --format '{{.Spec.Labels}}'
check "node update --availability" "$docker_cli" node update --availability drain node4
expect "drained" "drain" "$docker_cli" node inspect node4 --format '{{.Spec.Availability}}'
check "node update --role" "$docker_cli" node update --role manager node3
until_equal "promoted" "manager Reachable" \
  "$docker_cli" node ls --filter name=node3 --format '{{.Self}}' --format '{{if .ManagerStatus}}manager {{.ManagerStatus}}{{end}}'
expect "service ls" "7" sh -c "'$docker_cli' service ls --format '{{.Name}}' | wc -l | tr -d ' '"
expect "service inspect" "iservices_gui 1" \
  "$docker_cli" service inspect iservices_gui --format '{{.Spec.Name}} {{.Spec.Mode.Replicated.Replicas}}'
check "service ps" "$docker_cli" service ps iservices_gui
check "service scale" "$docker_cli" service scale --detach iservices_steprunner=3
until_equal "scaled" "3" sh -c "'$docker_cli' service ps iservices_steprunner --filter desired-state=running --format '{{.CurrentState}}' | grep -c '^Running'"
check "service update --constraint-add --replicas-max-per-node" \
  "$docker_cli" service update --detach --constraint-add 'node.labels.types==master' \
  --replicas-max-per-node 1 iservices_gui
expect "placement" "[node.labels.types==master] 1" \
  "$docker_cli" service inspect iservices_gui --format '{{.Spec.TaskTemplate.Placement.Constraints}} {{.Spec.TaskTemplate.Placement.MaxReplicas}}'
until_equal "gui moved to the labelled node" "node2" sh -c "'$docker_cli' service ps iservices_gui --filter desired-state=running --format '{{.Node}}'"
check "service update --force" "$docker_cli" service update --detach --force iservices_contentapi
expect "force counter" "1" "$docker_cli" service inspect iservices_contentapi --format '{{.Spec.TaskTemplate.ForceUpdate}}'

# Faults from the command line: the first `docker node ls` gets the injected 500, the next works.
kill "$sim_pid" 2>/dev/null
wait "$sim_pid" 2>/dev/null
rm -f "$work/env"
"$operator" sim --nodes 2 --docker "unix://$socket" \
  --fault '{"path":"/nodes$","method":"GET","status":500,"message":"injected by --fault","count":1}' \
  >"$work/env" 2>"$work/err" &
sim_pid=$!
for _ in $(seq 100); do grep -q '^DOCKER_HOST=' "$work/env" && break; sleep 0.1; done
expect "--fault answers once" "Error response from daemon: injected by --fault" \
  "$docker_cli" node ls --format '{{.Hostname}}'
expect "then the engine answers" "node1
node2" "$docker_cli" node ls --format '{{.Hostname}}'

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
