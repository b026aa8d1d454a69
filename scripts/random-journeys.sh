#!/usr/bin/env bash
# Runs the seeded random journeys (tests/sim/random_journeys_test.cpp) for seeds 1..N and prints
# their figures. Usage: scripts/random-journeys.sh [N] [BUILD_DIR]   (N defaults to 50)
# A failing journey prints its seed, its files, its steps and the command that replays it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
count="${1:-50}"
dir="${2:-build}"
binary="$dir/tests/random_journeys_sim_test"
if [ ! -x "$binary" ]; then
  echo "random-journeys: $binary is not built (scripts/build.sh $dir)" >&2
  exit 2
fi
started=$(date +%s)
SWARMOP_JOURNEY_SEEDS="$count" "$binary"
echo "random-journeys: seeds 1..$count in $(( $(date +%s) - started )) s"
