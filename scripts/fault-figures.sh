#!/usr/bin/env bash
# Regenerates the README's reliability figures: builds, runs every fault-matrix row and prints
# the tables the rows print.
#   - ctest label `faults`: the simulated swarm's Docker rows, the simulated data-store rows,
#     two watch controllers through injected faults, and (as root, with dockerd) the real
#     five-node swarm's rows, whose fixture brings the harness swarm up and down;
#   - the RabbitMQ fault rows ("fault row: ..."), on the simulator and (as root, with
#     rabbitmq-server) on the real three-node cluster.
# SWARMOP_FAULT_SEED=N replays or explores another schedule of the simulated rows. Exits non-zero
# when a row fails. Usage: scripts/fault-figures.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dir="${1:-build}"
scripts/build.sh "$dir" >/dev/null
log=$(mktemp)
trap 'rm -f "$log"' EXIT

status=0
(cd "$dir" && ctest -L faults -V) >"$log" 2>&1 || status=$?
(cd "$dir" && ctest -R "fault row" -V) >>"$log" 2>&1 || status=$?

# ctest -V prefixes a test's lines with "N: ". Print each table with the line that names it.
sed -E 's/^[0-9]+: //' "$log" | awk '
  /^\|/ { if (!in_table && title != "") print "\n" title; in_table = 1; print; next }
  { if (in_table) { in_table = 0 } title = $0 }'
echo
grep -E '^[0-9]+/[0-9]+ Test +#[0-9]+: ' "$log" | sed -E 's/^[0-9]+\/[0-9]+ Test +#[0-9]+: //'
exit "$status"
