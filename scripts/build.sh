#!/usr/bin/env bash
# Builds swarm-operator into build/ (warnings are errors). Usage: scripts/build.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dir="${1:-build}"
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSWARMOP_WERROR=ON >/dev/null
cmake --build "$dir" -j "$(nproc)"
