#!/usr/bin/env bash
# Fails when any C++ file differs from what clang-format (with .clang-format) would write.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mapfile -t files < <(find crd clients sim controller reconcilers tests bench -name '*.cpp' -o -name '*.hpp' \
                       2>/dev/null | grep -v node_modules | sort)
clang-format --dry-run --Werror "${files[@]}"
echo "clang-format: ${#files[@]} files formatted"
