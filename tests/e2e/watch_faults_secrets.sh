#!/usr/bin/env bash
# Two `swarm-operator watch` processes on one simulated install with Couchbase and RabbitMQ
# (`swarm-operator sim --password`), both logging at debug level:
#   - the first holds the lease and converges the three-node file through injected Docker
#     faults (500s on writes, dropped connections, 503s on reads), then follows a file change
#     made while connections drop;
#   - the second has wrong data-store passwords: it never holds the lease, so it must write
#     nothing anywhere, and it reports the refusals (401) in its status and log.
# Then every byte either wrote (logs, /status, /metrics sampled throughout, /healthz, /readyz)
# is searched for the passwords, their Basic-auth encodings and the join tokens: zero hits.
# SIGTERM must stop both with exit 0; in the sanitizer build that exit includes
# LeakSanitizer's check, so a leak anywhere in a watch run with faults and file changes fails
# this test.
#   tests/e2e/watch_faults_secrets.sh SWARM_OPERATOR_BINARY
set -euo pipefail
bin=${1:?usage: watch_faults_secrets.sh SWARM_OPERATOR_BINARY}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/swarmop-watch-faults.XXXXXX")
sim_pid="" writer_pid="" refused_pid="" sampler_pid=""
cleanup() {
  stop_all "$sampler_pid" "$writer_pid" "$refused_pid" "$sim_pid"
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  for log in writer refused; do
    echo "--- $log log (last 40 lines):" >&2
    tail -n 40 "$work/$log.log" >&2 || true
  done
  exit 1
}

# shellcheck source=tests/e2e/sim_lib.sh
. "$here/sim_lib.sh"

password="Sx-9fQ2mLp-$RANDOM"
wrong_password="Wr-4kZ7vNd-$RANDOM"
start_sim SWARM_OPERATOR_COUCHBASE_CREDENTIALS --nodes 3 --couchbase --couchbase-speed 50 \
  --rabbitmq 3 --password "$password" \
  --fault '{"method":"POST","path":"/update","status":500,"message":"injected","count":4}' \
  --fault '{"method":"GET","path":"/nodes$","drop":true,"count":3}' \
  --fault '{"method":"GET","status":503,"probability":0.05,"seed":11,"count":40}'
sim_api() { curl -fsS --unix-socket "$work/docker.sock" "$@"; }
worker_token=$(sim_api http://sim/swarm | jq -r .JoinTokens.Worker)
manager_token=$(sim_api http://sim/swarm | jq -r .JoinTokens.Manager)
[[ $worker_token == SWMTKN-* && $manager_token == SWMTKN-* ]] || fail "no join tokens"

# What must never be printed: the passwords, what curl sends for them, the join tokens.
basic() { printf '%s' "$1" | base64 -w0; }
needles=("$password" "$wrong_password" "$worker_token" "$manager_token"
  "$(basic "Administrator:$password")" "$(basic "guest:$password")"
  "$(basic "Administrator:$wrong_password")" "$(basic "guest:$wrong_password")")
printf 'Administrator:%s\n' "$wrong_password" >"$work/couchbase-wrong"
printf 'guest:%s\n' "$wrong_password" >"$work/rabbitmq-wrong"

with_label() {  # with_label VALUE: the three-node example with node3 labelled zone=VALUE
  sed "/hostname: node3/,/labels:/ s/labels: {types: master}/labels: {types: master, zone: $1}/" \
    "$here/../../examples/three-node.yaml"
}
with_label a >"$work/cluster.yaml"
grep -q "zone: a" "$work/cluster.yaml" || fail "the example's node3 labels changed shape"

watch_args=("$work/cluster.yaml" --listen 127.0.0.1:0 --resync 2s --backoff-base 200ms
  --backoff-cap 2s --log-level debug --log-format json)
"$bin" watch "${watch_args[@]}" --lease-duration 6s 2>"$work/writer.log" &
writer_pid=$!
until_ok 20 grep -q '"event":"lease-acquired"\|"lease":"held"' "$work/writer.log" ||
  fail "the first controller never held the lease"
# The second takes the lease over only after a minute of silence. With 6 s, a sanitizer build
# on a loaded machine once let it take over while the writer's renewals met the injected faults
# and slow answers; it then held the lease and, refused by both data stores, never converged
# them. The lease takeover itself is tested elsewhere (two controllers, one lease).
"$bin" watch "${watch_args[@]}" --lease-duration 60s --couchbase-credentials \
  "$work/couchbase-wrong" --rabbitmq-credentials "$work/rabbitmq-wrong" 2>"$work/refused.log" &
refused_pid=$!
port_of() { grep '"event":"http-listening"' "$work/$1.log" | jq -r .port; }
until_ok 20 grep -q '"event":"http-listening"' "$work/refused.log" || fail "second: no port"
writer="http://127.0.0.1:$(port_of writer)"
refused="http://127.0.0.1:$(port_of refused)"

# Every endpoint of both, sampled every half second until the end.
sample() {
  while true; do
    for url in "$writer" "$refused"; do
      for path in status metrics healthz readyz; do
        curl -sS "$url/$path" >>"$work/endpoints.out" 2>&1 || true
      done
    done
    sleep 0.5
  done
}
sample &
sampler_pid=$!

all_synced() {
  curl -fsS "$writer/status" | jq -e '[.reconcilers[] | select(.sync == "Synced" and
    .health == "Healthy")] | length == 5' >/dev/null
}
node3_zone() {
  "$bin" snapshot 2>/dev/null |
    jq -r '.swarm.nodes[] | select(.Description.Hostname == "node3") | .Spec.Labels.zone // ""'
}
zone_is() { [ "$(node3_zone)" = "$1" ]; }
until_ok 180 all_synced || fail "not converged through the faults: $(curl -sS "$writer/status")"
zone_is a || fail "node3 has no zone=a"
grep -q '"event":"pass-failed"' "$work/writer.log" || fail "no injected fault reached a pass"

# A file change while the manager drops one connection in three.
sim_api -X POST -H 'Content-Type: application/json' http://sim/_sim/faults \
  -d '{"path":"/nodes","drop":true,"probability":0.3,"seed":5,"count":30}' >/dev/null
with_label b >"$work/next.yaml" && mv "$work/next.yaml" "$work/cluster.yaml"
until_ok 120 zone_is b || fail "the file change was not followed"
sim_api -X DELETE http://sim/_sim/faults >/dev/null
until_ok 120 all_synced || fail "not in sync after the change: $(curl -sS "$writer/status")"

# The second controller: refused by both data stores, said so, and wrote nothing. Refused
# credentials fail the pass (an error of the set-up, retried with backoff), never "blocked".
# Its last pass of a data store may still have met one of the injected faults (now cleared):
# wait for the next.
shows_401s() {
  curl -fsS "$refused/status" | jq -e '[.reconcilers[] | select(.name == "couchbase" or
    .name == "rabbitmq") | select(.sync != "Synced" and .sync != "Blocked") |
    select(.lastError // "" | test("401"))] | length == 2'
}
until_ok 30 shows_401s ||
  fail "the refused controller's status does not show the 401s: $(curl -sS "$refused/status")"
refused_writes=$(curl -fsS "$refused/metrics" |
  awk '/^swarmop_api_requests_total\{.*kind="write"\}/ {sum += $2} END {print sum + 0}')
[ "$refused_writes" = 0 ] || fail "the controller without the lease wrote $refused_writes times"
curl -fsS "$refused/status" | jq -e '.lease.held == false' >/dev/null ||
  fail "both controllers hold the lease"
# Debug lines are there, from every reconciler: the search below is not over empty logs.
for reconciler in membership labels placement couchbase rabbitmq; do
  grep -q "\"level\":\"debug\",\"event\":\"pass\",\"reconciler\":\"$reconciler\"" \
    "$work/writer.log" || fail "no debug pass line for $reconciler"
done

kill "$sampler_pid"
wait "$sampler_pid" 2>/dev/null || true
sampler_pid=""
for name in writer refused; do
  pid_var="${name}_pid"
  kill -TERM "${!pid_var}"
  status=0
  wait "${!pid_var}" || status=$?
  printf -v "$pid_var" '%s' ""
  [ "$status" -eq 0 ] || fail "$name: SIGTERM gave exit $status, expected 0 (a sanitizer report?)"
done

outputs=("$work/writer.log" "$work/refused.log" "$work/endpoints.out")
[ "$(wc -c <"$work/endpoints.out")" -gt 10000 ] || fail "the endpoint samples are nearly empty"
for needle in "${needles[@]}"; do
  if grep -F -l -e "$needle" "${outputs[@]}" >&2; then
    fail "a secret (${#needle} characters) appears in the files above"
  fi
done
echo "PASS watch with faults: converged through injected faults, followed a change, the" \
  "controller without the lease wrote nothing, no secret in $(cat "${outputs[@]}" | wc -c)" \
  "bytes of logs and endpoints, exit 0 on SIGTERM"
