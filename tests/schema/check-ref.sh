#!/usr/bin/env bash
# Fail when crd/reference.md is stale: regenerate it from crd/swarmcluster.schema.json into a
# temporary file and compare with the committed copy.
#
#   bash tests/schema/check-ref.sh        (from anywhere; needs node)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
generator="$root/crd/tools/gen-reference.mjs"
reference="$root/crd/reference.md"

if ! command -v node >/dev/null 2>&1; then
  echo "check-ref: node is not installed; it is needed to run $generator" >&2
  exit 2
fi
if [[ ! -f "$reference" ]]; then
  echo "check-ref: $reference is missing; create it with: node crd/tools/gen-reference.mjs > crd/reference.md" >&2
  exit 1
fi

tmp="$(mktemp "${TMPDIR:-/tmp}/swarmcluster-reference.XXXXXX")"
trap 'rm -f "$tmp"' EXIT

if ! (cd "$root" && node crd/tools/gen-reference.mjs > "$tmp"); then
  echo "check-ref: the generator failed (see above)" >&2
  exit 1
fi

if ! diff -u --label "crd/reference.md (committed)" --label "crd/reference.md (regenerated)" "$reference" "$tmp"; then
  echo >&2
  echo "check-ref: crd/reference.md is stale: it does not match crd/swarmcluster.schema.json." >&2
  echo "check-ref: regenerate it from the repository root with:" >&2
  echo "check-ref:   node crd/tools/gen-reference.mjs > crd/reference.md" >&2
  exit 1
fi
echo "check-ref: crd/reference.md is up to date"
