#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ into build-fuzz/ (clang, -DSWARMOP_FUZZ=ON: coverage,
# ASan and UBSan; only the libraries the targets need) and runs each target for SECONDS, one
# after the other, from a working corpus seeded by fuzz/seeds.sh. Prints one line per target
# and exits non-zero when any target found a crash, leak, timeout or out-of-memory.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]        (default 20: the smoke run)
#   FUZZ_TARGETS="fuzz_docker_json ..."   run only these targets
#   FUZZ_SKIP_BUILD=1                      use the targets already built in build-fuzz/
#
# Each target keeps its corpus in build-fuzz/corpus/TARGET (it grows from run to run), its
# findings in build-fuzz/artifacts/TARGET/ and its output in build-fuzz/logs/TARGET.log.
# Reproduce a finding with: build-fuzz/fuzz/TARGET build-fuzz/artifacts/TARGET/crash-...
# docs/fuzzing.md has the targets, the seeds and the results of long runs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds="${1:-20}"
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [SECONDS_PER_TARGET]" >&2
  exit 2
fi
all_targets=(fuzz_desired_state fuzz_docker_json fuzz_couchbase_json fuzz_rabbitmq_json)
read -r -a targets <<<"${FUZZ_TARGETS:-${all_targets[*]}}"
build="build-fuzz"

# clang with the libFuzzer runtime, and the libraries the fuzzed code links: Debian packages,
# installed when missing (as root; otherwise with sudo).
packages=(cmake clang libclang-rt-14-dev libboost-json1.81-dev libboost-program-options1.81-dev
  libyaml-cpp-dev libcurl4-openssl-dev)
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
  fi
  echo "fuzz: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "${FUZZ_SKIP_BUILD:-0}" != 1 ]; then
  generator=()
  if [ ! -f "$build/CMakeCache.txt" ] && command -v ninja >/dev/null 2>&1; then
    generator=(-G Ninja)
  fi
  echo "fuzz: building ${targets[*]} in $build/"
  CC=clang CXX=clang++ cmake -S . -B "$build" "${generator[@]}" -DSWARMOP_FUZZ=ON \
    -DSWARMOP_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$build.configure.log" 2>&1 ||
    {
      cat "$build.configure.log"
      exit 1
    }
  rm -f "$build.configure.log"
  cmake --build "$build" -j "$(nproc)" --target "${targets[@]}"
fi

# UBSan reports (fatal: -fno-sanitize-recover) with their stack; leaks are checked by libFuzzer.
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"

# The value of `key: N` in libFuzzer's final stats, or of `key: N` in its last status line (empty
# when there is none, as after a crash on a seed).
final_stat() { sed -n "s/^stat::$1: *\([0-9]*\).*/\1/p" "$2" | tail -n 1; }
status_field() { { grep -E '^#[0-9]+' "$2" || true; } | tail -n 1 | sed -n "s/.* $1: *\([0-9]*\).*/\1/p"; }

failed=0
passed_count=0
failed_count=0
summary=()
for target in "${targets[@]}"; do
  case "$target" in
    fuzz_desired_state) dict=fuzz/yaml.dict ;;
    fuzz_docker_json | fuzz_couchbase_json | fuzz_rabbitmq_json) dict=fuzz/json.dict ;;
    *)
      echo "fuzz: unknown target '$target' (one of: ${all_targets[*]})" >&2
      exit 2
      ;;
  esac
  corpus="$build/corpus/$target"
  artifacts="$build/artifacts/$target"
  log="$build/logs/$target.log"
  mkdir -p "$corpus" "$artifacts" "$build/logs"
  fuzz/seeds.sh "$target" "$corpus" >/dev/null
  marker="$build/logs/$target.started"
  touch "$marker"
  echo "fuzz: running $target for ${seconds}s (log: $log)"
  status=0
  "$build/fuzz/$target" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
    -max_len=65536 -dict="$dict" -artifact_prefix="$artifacts/" -print_final_stats=1 \
    "$corpus" >"$log" 2>&1 || status=$?

  findings=()
  while IFS= read -r -d '' file; do
    findings+=("$file")
  done < <(find "$artifacts" -maxdepth 1 -type f -newer "$marker" \
    \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) -print0)
  rm -f "$marker"
  runs="$(final_stat number_of_executed_units "$log")"
  per_second="$(final_stat average_exec_per_sec "$log")"
  cov="$(status_field cov "$log")"
  ft="$(status_field ft "$log")"
  files="$(find "$corpus" -type f | wc -l)"
  verdict=ok
  if [ "$status" -ne 0 ] || [ ${#findings[@]} -gt 0 ]; then
    verdict="FAILED (exit $status)"
    failed=1
    failed_count=$((failed_count + 1))
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" | head -n 5 | sed 's/^/    /' >&2 || true
    for file in "${findings[@]}"; do
      echo "    reproduce: $build/fuzz/$target $file" >&2
    done
  else
    passed_count=$((passed_count + 1))
  fi
  summary+=("$(printf '%-20s %4ss  execs %10s  exec/s %6s  cov %5s  ft %6s  corpus %5s  crashes %s  %s' \
    "$target" "$seconds" "${runs:-?}" "${per_second:-?}" "${cov:-?}" "${ft:-?}" "$files" \
    "${#findings[@]}" "$verdict")")
done

echo
printf '%s\n' "${summary[@]}"
echo "fuzz: $passed_count passed, $failed_count failed"
exit "$failed"
