#!/usr/bin/env bash
# Copies the seed inputs of one fuzz target into a corpus directory. Every seed comes from this
# repository: the test corpora and fixtures (so the fuzzer starts from real documents and real
# server answers) plus the hand-written seeds and crash regressions in fuzz/corpus/TARGET/.
# Usage: fuzz/seeds.sh TARGET OUTDIR
#   TARGET: fuzz_desired_state, fuzz_docker_json, fuzz_couchbase_json or fuzz_rabbitmq_json
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 TARGET OUTDIR" >&2
  exit 2
fi
target="$1"
out="$2"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$out"

count=0
# Copies FILE as OUTDIR/<its path relative to the repository, '/' turned into '_'>, so seeds of
# the same name from different folders do not overwrite each other.
copy() {
  local file="$1" name
  name="${file#"$root"/}"
  name="${name//\//_}"
  cp -f "$file" "$out/$name"
  count=$((count + 1))
}

# Every file under DIR whose name matches one of the -name patterns that follow.
copy_tree() {
  local dir="$1"
  shift
  [ -d "$dir" ] || return 0
  while IFS= read -r -d '' file; do
    copy "$file"
  done < <(find "$dir" -type f \( "$@" \) -print0 | sort -z)
}

case "$target" in
  fuzz_desired_state)
    copy_tree "$root/tests/corpus" -name '*.yaml' -o -name '*.yml'
    copy_tree "$root/examples" -name '*.yaml' -o -name '*.yml'
    ;;
  fuzz_docker_json)
    copy_tree "$root/tests/fixtures/docker" -name '*.json'
    # An event stream holds one JSON object per line: each line is a seed of its own.
    while IFS= read -r -d '' stream; do
      base="${stream#"$root"/}"
      base="${base//\//_}"
      line_number=0
      while IFS= read -r line || [ -n "$line" ]; do
        line_number=$((line_number + 1))
        [ -n "$line" ] || continue
        printf '%s' "$line" >"$out/${base%.jsonl}-line$line_number.json"
        count=$((count + 1))
      done <"$stream"
    done < <(find "$root/tests/fixtures/docker" -type f -name '*.jsonl' -print0 | sort -z)
    copy_tree "$root/tests/corpus/api/docker" -name '*.json'
    ;;
  fuzz_couchbase_json)
    copy_tree "$root/tests/corpus/api/couchbase" -name '*.json'
    ;;
  fuzz_rabbitmq_json)
    copy_tree "$root/tests/corpus/api/rabbitmq" -name '*.json'
    ;;
  *)
    echo "$0: unknown target '$target'" >&2
    exit 2
    ;;
esac
# Hand-written seeds and regression inputs of crashes found and fixed (docs/fuzzing.md).
copy_tree "$root/fuzz/corpus/$target" -name '*'

echo "seeds: $count file(s) for $target in $out"
