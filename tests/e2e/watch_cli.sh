#!/usr/bin/env bash
# `swarm-operator watch` as a process against `swarm-operator sim`: the HTTP endpoints answer,
# the file is followed (a rename, as git does), SIGHUP re-reads it, a write in place with a pause
# is taken only once complete, a directory or a FIFO in the file's place is reported while the
# last good document stays in force, a non-loopback address is refused without --listen-any, and
# SIGTERM stops it with exit 0.
#   tests/e2e/watch_cli.sh SWARM_OPERATOR_BINARY
set -euo pipefail
bin=${1:?usage: watch_cli.sh SWARM_OPERATOR_BINARY}
work=$(mktemp -d "${TMPDIR:-/tmp}/swarmop-watch-cli.XXXXXX")
sim_pid="" watch_pid=""
cleanup() {
  stop_all "$watch_pid" "$sim_pid"
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; echo "--- watch log:" >&2; cat "$work/watch.log" >&2 || true; exit 1; }

# shellcheck source=tests/e2e/sim_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/sim_lib.sh"

start_sim DOCKER_HOST --nodes 3

cluster() {  # cluster ZONE: node2 gets zone=ZONE
  cat <<YAML
apiVersion: swarm-operator/v1alpha1
kind: SwarmCluster
metadata: {name: watch-cli}
spec:
  swarm:
    nodes:
      - {hostname: node1, role: manager}
      - {hostname: node2, role: worker, labels: {zone: $1}}
      - {hostname: node3, role: worker}
YAML
}
cluster a >"$work/cluster.yaml"

if "$bin" watch "$work/cluster.yaml" --listen 0.0.0.0:0 2>"$work/refused.log"; then
  fail "a non-loopback address was served without --listen-any"
fi
grep -q "not a loopback address" "$work/refused.log" || fail "no reason given for the refusal"

"$bin" watch "$work/cluster.yaml" --listen 127.0.0.1:0 --resync 1h --log-format json \
  2>"$work/watch.log" &
watch_pid=$!
until_ok 20 grep -q '"event":"http-listening"' "$work/watch.log" || fail "no http-listening line"
port=$(grep '"event":"http-listening"' "$work/watch.log" | jq -r .port)
url="http://127.0.0.1:$port"

zone() { "$bin" snapshot 2>/dev/null | jq -r '.swarm.nodes[] | select(.Description.Hostname == "node2") | .Spec.Labels.zone // ""'; }
zone_is() { [ "$(zone)" = "$1" ]; }

until_ok 20 zone_is a || fail "node2 never got zone=a"
curl -fsS "$url/healthz" | grep -q ok || fail "/healthz"
until_ok 10 curl -fsS "$url/readyz" || fail "/readyz never ready"
curl -fsS "$url/status" | jq -e '.apiVersion == "swarm-operator/status/v1" and .lease.held and
  (.reconcilers[] | select(.name == "labels") | .sync == "Synced")' >/dev/null || fail "/status"
# Three labels steps: where the fresh install's two data stores keep their data, then node2's
# zone.
curl -fsS "$url/metrics" | grep -q '^swarmop_steps_applied_total{reconciler="labels"} 3$' ||
  fail "/metrics does not count the three labels steps"
grep -q '"event":"step","reconciler":"labels"' "$work/watch.log" || fail "no JSON step log line"

# A rename over the file (git checkout), then SIGHUP after an in-place rewrite.
cluster b >"$work/next.yaml" && mv "$work/next.yaml" "$work/cluster.yaml"
until_ok 20 zone_is b || fail "the renamed file was not followed"
kill -HUP "$watch_pid"
cluster c >"$work/cluster.yaml"
until_ok 20 zone_is c || fail "the rewritten file was not followed"

# An in-place write with a 300 ms pause (#22): its first half is a valid file without node3.
# Only the completed write may be taken: one desired-state-loaded line, not two.
loaded() { grep -c '"event":"desired-state-loaded"' "$work/watch.log"; }
loaded_before=$(loaded)
{
  cluster d | grep -v node3
  sleep 0.3  # the writer's pause, the point of this case
  cluster d | grep node3
} >"$work/cluster.yaml"
until_ok 20 zone_is d || fail "the completed in-place write was not followed"
[ "$(loaded)" -eq $((loaded_before + 1)) ] ||
  fail "the half-written file was taken: $(($(loaded) - loaded_before)) loads for one write"

# The file replaced by a directory, then by a FIFO (#22): watch keeps running, answers
# /healthz, shows why in /status, and the last good document stays in force.
error_shown() {
  curl -fsS --max-time 5 "$url/status" | jq -e --arg want "$work/cluster.yaml: error: $1" \
    '.desiredState.valid == false and (.desiredState.errors | index($want) != null)'
}
still_serving() {
  kill -0 "$watch_pid" 2>/dev/null || fail "watch is gone ($1)"
  curl -fsS --max-time 5 "$url/healthz" | grep -q ok || fail "/healthz with $1"
}
kept=$(curl -fsS "$url/status" | jq -r .desiredState.revision)
rm "$work/cluster.yaml" && mkdir "$work/cluster.yaml"
until_ok 20 error_shown "is a directory, not a regular file" ||
  fail "/status does not show the directory: $(curl -sS "$url/status")"
still_serving "a directory"
rmdir "$work/cluster.yaml" && mkfifo "$work/cluster.yaml"
until_ok 20 error_shown "is a FIFO (named pipe), not a regular file" ||
  fail "/status does not show the FIFO: $(curl -sS "$url/status")"
kill -HUP "$watch_pid"  # a re-read must not block on the FIFO either
still_serving "a FIFO, after SIGHUP"
[ "$(curl -fsS "$url/status" | jq -r .desiredState.revision)" = "$kept" ] ||
  fail "the last good document was not kept"
zone_is d || fail "node2 lost zone=d while the file was broken"
grep -q '"event":"desired-state-invalid".*is a directory, not a regular file' "$work/watch.log" ||
  fail "no log line for the directory"
rm "$work/cluster.yaml"
cluster e >"$work/next.yaml" && mv "$work/next.yaml" "$work/cluster.yaml"
until_ok 20 zone_is e || fail "a good file after the FIFO was not followed"

kill -TERM "$watch_pid"
status=0
wait "$watch_pid" || status=$?
watch_pid=""
[ "$status" -eq 0 ] || fail "SIGTERM: exit $status, expected 0"
grep -q '"event":"stopped"' "$work/watch.log" || fail "no stopped line"
echo "PASS watch: endpoints, file rename and rewrite, SIGHUP, a half-written file, a directory and a" \
  "FIFO in the file's place, loopback check, SIGTERM exit 0"
