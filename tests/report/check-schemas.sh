#!/usr/bin/env bash
# The json outputs against the published schemas, with ajv (tests/schema/check.mjs):
#   tests/report/golden/*.json   crd/plan-report.schema.json (report_test keeps these equal to
#                                what `plan --output json` prints)
#   fresh snapshots of `swarm-operator sim --nodes 3 --couchbase --rabbitmq 1` (swarm only, and
#   with the Couchbase and RabbitMQ sections), and `plan --output json --state` on them
#                                crd/snapshot.schema.json and crd/plan-report.schema.json
# Also checks that the schemas reject documents they must reject, so a schema that accepts
# everything fails here. Usage: check-schemas.sh PATH_TO_swarm-operator
set -euo pipefail
operator=$(realpath "$1")
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
check=tests/schema/check.mjs

work=$(mktemp -d)
"$operator" sim --nodes 3 --couchbase --rabbitmq 1 --docker "unix://$work/docker.sock" \
  >"$work/env" 2>"$work/err" &
sim_pid=$!
trap 'kill "$sim_pid" 2>/dev/null; wait "$sim_pid" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 300); do grep -q '^SWARM_OPERATOR_RABBITMQ_CREDENTIALS=' "$work/env" && break; sleep 0.1; done
grep -q '^SWARM_OPERATOR_RABBITMQ_CREDENTIALS=' "$work/env" ||
  { echo "sim did not start"; cat "$work/err"; exit 1; }

"$operator" snapshot tests/report/fixtures/changes.yaml --docker "unix://$work/docker.sock" \
  -o "$work/state.json"
# With the data stores' sections too: a file with couchbase and rabbitmq sections, and their
# endpoints from the simulator.
(
  export $(grep '^SWARM_OPERATOR_' "$work/env" | grep -v '_SIM_' | xargs)
  "$operator" snapshot examples/three-node.yaml --docker "unix://$work/docker.sock" \
    -o "$work/state-data.json"
)
set +e
"$operator" plan tests/report/fixtures/changes.yaml --state "$work/state.json" --output json \
  >"$work/plan.json"
[ $? -eq 2 ] || { echo "plan --state did not exit 2"; exit 1; }
"$operator" plan examples/three-node.yaml --state "$work/state-data.json" --output json \
  >"$work/plan-data.json"
[ $? -eq 2 ] || { echo "plan --state (data stores) did not exit 2"; exit 1; }
set -e
node -e 'const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
         if (!s.couchbase || !s.rabbitmq) { console.log("no data-store sections"); process.exit(1); }' \
  "$work/state-data.json"

failed=0
# verdicts SCHEMA FILE...: one JSON document per file, compacted to one line for check.mjs.
verdicts() {
  local schema=$1
  shift
  node -e 'for (const f of process.argv.slice(1))
             console.log(JSON.stringify(JSON.parse(require("fs").readFileSync(f, "utf8"))))' \
    "$@" | node "$check" "$schema"
}
expect_all() {  # expect_all WANTED SCHEMA FILE...
  local wanted=$1 schema=$2
  shift 2
  local i=1 verdict
  while IFS= read -r verdict; do
    local file=${!i:-?}
    i=$((i + 1))
    if [[ "$verdict" == "$wanted"* ]]; then
      echo "ok    $file: $verdict"
    else
      echo "FAIL  $file: wanted $wanted, got $verdict"
      failed=$((failed + 1))
    fi
  done < <(verdicts "$schema" "$@")
  [ $((i - 1)) -eq $# ] || { echo "FAIL  ajv answered for $((i - 1)) of $# files"; failed=$((failed + 1)); }
}

expect_all valid crd/plan-report.schema.json tests/report/golden/*.json "$work/plan.json" \
  "$work/plan-data.json"
expect_all valid crd/snapshot.schema.json "$work/state.json" "$work/state-data.json"

# Documents the schemas must refuse: a wrong version, a step without a reason, a snapshot
# with a join token or without its salt.
node -e '
  const fs = require("fs");
  const plan = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  fs.writeFileSync(process.argv[3] + "/bad-version.json",
                   JSON.stringify({...plan, apiVersion: "swarm-operator/plan/v0"}));
  const step = {...plan.steps[0]}; delete step.reason;
  fs.writeFileSync(process.argv[3] + "/bad-step.json", JSON.stringify({...plan, steps: [step]}));
  const snap = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  fs.writeFileSync(process.argv[3] + "/bad-token.json",
                   JSON.stringify({...snap, swarm: {...snap.swarm, JoinTokens: {Worker: "x"}}}));
  const nosalt = {...snap, redaction: {method: "salted-sha1"}};
  fs.writeFileSync(process.argv[3] + "/bad-salt.json", JSON.stringify(nosalt));
  const data = JSON.parse(fs.readFileSync(process.argv[4], "utf8"));
  fs.writeFileSync(process.argv[3] + "/bad-couchbase.json", JSON.stringify(
      {...data, couchbase: {...data.couchbase, password: "x"}}));
  fs.writeFileSync(process.argv[3] + "/bad-rabbitmq.json", JSON.stringify(
      {...data, rabbitmq: {...data.rabbitmq, nodes: [{name: 1}]}}));
' "$work/plan.json" "$work/state.json" "$work" "$work/state-data.json"
expect_all invalid crd/plan-report.schema.json "$work/bad-version.json" "$work/bad-step.json"
expect_all invalid crd/snapshot.schema.json "$work/bad-token.json" "$work/bad-salt.json" \
  "$work/bad-couchbase.json" "$work/bad-rabbitmq.json"

[ "$failed" -eq 0 ] || { echo "$failed failed"; exit 1; }
echo "all schema checks passed"
