#!/usr/bin/env bash
# Builds twice and runs every test in both builds: the release build, and a build with
# AddressSanitizer and UndefinedBehaviorSanitizer; then a short run of every fuzz target
# (scripts/fuzz.sh, 20 s each). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
jobs="$(nproc)"

echo "== release build (build/)"
scripts/build.sh build
(cd build && ctest --output-on-failure -j "$jobs")

echo "== sanitizer build (build-asan/: ASan + UBSan)"
# The real-server suites run once, in the release build: they test the servers' behaviour, not
# memory safety, and each brings up a real cluster.
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSWARMOP_SANITIZE=ON -DSWARMOP_WERROR=ON \
  -DSWARMOP_REAL_SERVER_TESTS=OFF >/dev/null
cmake --build build-asan -j "$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
   UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j "$jobs")

echo "== fuzz smoke (build-fuzz/: libFuzzer, 20 s per target; docs/fuzzing.md)"
scripts/fuzz.sh 20
