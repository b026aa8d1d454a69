#!/usr/bin/env bash
# =============================================================================
# rabbit-publish.sh QUEUE COUNT [K]  -- declare a durable classic queue QUEUE on vhost /
# and publish COUNT persistent messages to it through node K's (default 1)
# management HTTP API -- no AMQP client needed.  The two calls it makes:
#
#   PUT  /api/queues/%2F/QUEUE
#        {"durable":true,"auto_delete":false,"arguments":{"x-queue-type":"classic"}}
#        -> 201 created, 204 an equivalent queue already exists (400 if inequivalent)
#   POST /api/exchanges/%2F/amq.default/publish            (once per message)
#        {"properties":{"delivery_mode":2},"routing_key":"QUEUE",
#         "payload":"swarmop-test-<i>","payload_encoding":"string"}
#        -> 200 {"routed":true}
#
# The publishes go through one curl process (one keep-alive connection).  QUEUE must
# not need URL-escaping (letters, digits, . _ -).  Prints the number published.
# =============================================================================
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

Q=${1:-}; COUNT=${2:-}; K=${3:-1}
[[ $Q =~ ^[A-Za-z0-9._-]+$ && $COUNT =~ ^[0-9]+$ && $K =~ ^[1-9]$ ]] \
  || { sed -n '3,16p' "$0" >&2; exit 2; }
have_marker || die "no harness cluster in $BASE (run rabbit-up.sh)"

api "$K" PUT "/api/queues/%2F/$Q" '{"durable":true,"auto_delete":false,"arguments":{"x-queue-type":"classic"}}'
[[ $API_CODE == 201 || $API_CODE == 204 ]] || die "declare queue $Q: HTTP $API_CODE $API_BODY"
(( COUNT > 0 )) || { echo 0; exit 0; }

cfg=$(mktemp "$BASE/publish.XXXXXX")
trap 'rm -f "$cfg"' EXIT
url="http://127.0.0.1:$(mgmt_port "$K")/api/exchanges/%2F/amq.default/publish"
{
  for ((i = 1; i <= COUNT; i++)); do
    (( i > 1 )) && echo 'next'
    cat "$CURL_CONF"
    echo "url = \"$url\""
    echo 'request = "POST"'
    echo 'header = "content-type: application/json"'
    printf 'data-binary = "{\\"properties\\":{\\"delivery_mode\\":2},\\"routing_key\\":\\"%s\\",\\"payload\\":\\"swarmop-test-%d\\",\\"payload_encoding\\":\\"string\\"}"\n' "$Q" "$i"
    echo 'write-out = "\n%{http_code}\n"'
  done
} > "$cfg"
out=$(curl -sS --max-time $((30 + COUNT / 50)) -K "$cfg") || die "publish: curl failed"
ok=$(grep -c '"routed":true' <<<"$out" || true)
[[ $ok == "$COUNT" ]] || die "publish: only $ok of $COUNT messages routed; last reply: $(tail -n 2 <<<"$out" | tr '\n' ' ')"
echo "$COUNT"
