#!/usr/bin/env bash
# The published JSON Schema (checked with ajv) and the C++ validator must agree.
#
#   tests/schema/agreement.sh PATH_TO_swarm-operator
#
# Checks, with every validator run wrapped in `timeout 10` (a hang or crash is a failure):
#   examples/*.yaml              valid for the validator, also with --strict (no warnings), and for ajv
#   tests/corpus/valid/*         valid for the validator and for ajv
#   tests/corpus/invalid/schema/*    rejected by the validator and by ajv
#   tests/corpus/invalid/semantic/*  rejected by the validator, ACCEPTED by ajv (rules a JSON
#                                    Schema cannot express; if ajv starts rejecting one, move it
#                                    to invalid/schema/)
#   tests/corpus/warning/*       exit 0, exit 1 with --strict, accepted by ajv
#   tests/corpus/invalid/yaml/*  rejected by the validator before the schema: no JSON printed
#                                (plus, generated here into a temp dir, an over-1-MiB file and
#                                paths that are not files: a directory, a FIFO, a link to
#                                /dev/zero)
# Every invalid and warning file starts with `# expect: LINE:COL: error|warning: TEXT` lines (or
# has `FILENAME LINE:COL: error|warning: TEXT` lines in tests/corpus/invalid/yaml/EXPECTATIONS;
# LINE:COL is `-` for a diagnostic without a position). The validator must print
# `FILE:LINE:COL: SEVERITY: TEXT...` (or `FILE: SEVERITY: TEXT...`) for each of them, and nothing
# else: every diagnostic it prints for such a file must match one of its expectations.
#
# Prints one line per file and a final "N passed, M failed"; exits 1 when anything failed.
set -euo pipefail
export LC_ALL=C

die() {
  printf 'agreement.sh: %s\n' "$*" >&2
  exit 1
}

[[ $# -eq 1 ]] || die "usage: tests/schema/agreement.sh PATH_TO_swarm-operator"
[[ -x $1 && -f $1 ]] || die "validator binary '$1' does not exist or is not executable"
BIN="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
SCHEMA=crd/swarmcluster.schema.json
CORPUS=tests/corpus

command -v timeout >/dev/null || die "'timeout' (coreutils) is needed"
command -v node >/dev/null || die "node is not installed: Node.js >= 18 and npm are needed to run ajv (tests/schema)"
command -v npm >/dev/null || die "npm is not installed: Node.js >= 18 and npm are needed to run ajv (tests/schema)"
if [[ ! -d tests/schema/node_modules ]]; then
  echo "agreement.sh: installing ajv (npm ci in tests/schema)"
  (cd tests/schema && npm ci --silent) || die "npm ci failed in tests/schema (no network? run it by hand)"
fi
[[ -d tests/schema/node_modules/ajv ]] || die "tests/schema/node_modules has no ajv; delete it and rerun"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# ------------------------------------------------------------------ the files and their kinds
FILES=()  # path
KINDS=()  # examples | valid | schema | semantic | warning | yaml
add_files() {
  local kind=$1 path
  shift
  for path in "$@"; do
    [[ -f $path ]] || continue
    case "$(basename "$path")" in EXPECTATIONS | README* | .*) continue ;; esac
    FILES+=("$path")
    KINDS+=("$kind")
  done
}
shopt -s nullglob
add_files examples examples/*.yaml
add_files valid "$CORPUS"/valid/*
add_files schema "$CORPUS"/invalid/schema/*
add_files semantic "$CORPUS"/invalid/semantic/*
add_files warning "$CORPUS"/warning/*
add_files yaml "$CORPUS"/invalid/yaml/*
shopt -u nullglob

# Generated here rather than stored: a desired state over the 1 MiB limit is refused unread, and
# one of exactly 1 MiB is still accepted.
mkdir -p "$TMP/generated"
pad_to() { # FILE BYTES: append comment lines until FILE is exactly BYTES long
  local file=$1 size=$2 have
  have=$(wc -c <"$file")
  awk -v n=$((size - have)) 'BEGIN {
    line = "# padding: a desired state is never this big, so the validator refuses it unread"
    while (n > length(line) + 1) { print line; n -= length(line) + 1 }
    if (n == 1) print ""
    else if (n > 1) { s = "#"; while (length(s) < n - 1) s = s "#"; print s }
  }' >>"$file"
}
{
  echo '# expect: -: error: is larger than 1 MiB'
  cat examples/three-node.yaml
} >"$TMP/generated/oversized.yaml"
pad_to "$TMP/generated/oversized.yaml" $((1024 * 1024 + 1))
cp examples/three-node.yaml "$TMP/generated/exactly-1MiB.yaml"
pad_to "$TMP/generated/exactly-1MiB.yaml" $((1024 * 1024))
[[ $(wc -c <"$TMP/generated/oversized.yaml") -eq 1048577 ]] || die "could not generate the oversized file"
[[ $(wc -c <"$TMP/generated/exactly-1MiB.yaml") -eq 1048576 ]] || die "could not generate the 1 MiB file"
add_files yaml "$TMP/generated/oversized.yaml"
add_files valid "$TMP/generated/exactly-1MiB.yaml"

# Not files at all (#22), generated because git cannot store them: validate must say at once
# what the path is. A FIFO nobody writes to used to block it forever, a link to /dev/zero to
# read until memory ran out, a directory to give "cannot open file".
declare -A EXPECT_NOT_FILE  # path -> its one expectation (no `# expect:` line can be read)
add_not_file() { # PATH TEXT
  FILES+=("$1")
  KINDS+=(yaml)
  EXPECT_NOT_FILE[$1]="-: error: $2"$'\n'
}
mkdir "$TMP/generated/directory.yaml"
mkfifo "$TMP/generated/fifo.yaml"
ln -s /dev/zero "$TMP/generated/dev-zero.yaml"
add_not_file "$TMP/generated/directory.yaml" "is a directory, not a regular file"
add_not_file "$TMP/generated/fifo.yaml" "is a FIFO (named pipe), not a regular file"
add_not_file "$TMP/generated/dev-zero.yaml" "is a character device, not a regular file"

# ------------------------------------------------------------------ expectations
declare -A EXPECT  # path -> newline-separated "POS: SEVERITY: TEXT"
for path in "${FILES[@]}"; do
  if [[ -n ${EXPECT_NOT_FILE[$path]:-} ]]; then
    EXPECT[$path]=${EXPECT_NOT_FILE[$path]}  # reading a FIFO here would block this script
    continue
  fi
  specs=""
  while IFS= read -r line || [[ -n $line ]]; do
    line=${line%$'\r'}
    [[ $line == '# expect: '* ]] || break
    specs+="${line#'# expect: '}"$'\n'
  done <"$path"
  EXPECT[$path]=$specs
done
EXPECTATIONS_FILE="$CORPUS/invalid/yaml/EXPECTATIONS"
EXPECTATION_ERRORS=()
if [[ -f $EXPECTATIONS_FILE ]]; then
  while IFS= read -r line || [[ -n $line ]]; do
    line=${line%$'\r'}
    [[ -z $line || $line == '#'* ]] && continue
    name=${line%% *}
    path="$CORPUS/invalid/yaml/$name"
    if [[ ! -f $path || $name == "$line" ]]; then
      EXPECTATION_ERRORS+=("$EXPECTATIONS_FILE: bad entry (no such file in invalid/yaml, or no expectation): $line")
      continue
    fi
    EXPECT[$path]+="${line#"$name "}"$'\n'
  done <"$EXPECTATIONS_FILE"
fi

# ------------------------------------------------------------------ run the validator
# RC_N / RC_S: exit codes of the normal run (with --print-json) and of the --strict run.
declare -A RC_N RC_S
run_validator() { # PATH OUT_PREFIX [--strict]
  local path=$1 out=$2 rc=0
  shift 2
  timeout 10 "$BIN" validate "$@" --print-json "$path" >"$out.stdout" 2>"$out.stderr" || rc=$?
  echo "$rc"
}
for i in "${!FILES[@]}"; do
  path=${FILES[$i]}
  RC_N[$i]=$(run_validator "$path" "$TMP/$i.n")
  case ${KINDS[$i]} in
    examples | warning) RC_S[$i]=$(run_validator "$path" "$TMP/$i.s" --strict) ;;
  esac
done

# ------------------------------------------------------------------ ajv, once for all documents
: >"$TMP/all.ndjson"
declare -A AJV_LINE  # index -> line number in all.ndjson
n=0
for i in "${!FILES[@]}"; do
  [[ ${KINDS[$i]} == yaml ]] && continue
  [[ $(wc -l <"$TMP/$i.n.stdout") -eq 1 ]] || continue
  cat "$TMP/$i.n.stdout" >>"$TMP/all.ndjson"
  n=$((n + 1))
  AJV_LINE[$i]=$n
done
ajv_rc=0
node tests/schema/check.mjs "$SCHEMA" <"$TMP/all.ndjson" >"$TMP/ajv.out" 2>"$TMP/ajv.err" || ajv_rc=$?
if [[ $ajv_rc -ne 0 || $(wc -l <"$TMP/ajv.out") -ne $n ]]; then
  cat "$TMP/ajv.err" >&2
  die "ajv (tests/schema/check.mjs) failed with exit code $ajv_rc on $n document(s)"
fi
mapfile -t AJV <"$TMP/ajv.out"

# ------------------------------------------------------------------ verdicts
describe_rc() {
  case $1 in
    0) echo "exit 0 (valid)" ;;
    1) echo "exit 1 (invalid)" ;;
    124) echo "TIMED OUT after 10 s" ;;
    *) echo "CRASHED (exit code $1)" ;;
  esac
}

passed=0
failed=0
for i in "${!FILES[@]}"; do
  path=${FILES[$i]}
  kind=${KINDS[$i]}
  label=$path
  [[ $path == "$TMP"/* ]] && label="(generated) ${path#"$TMP"/generated/}"
  problems=()
  rc=${RC_N[$i]}
  stdout_lines=$(wc -l <"$TMP/$i.n.stdout")
  ajv=""
  [[ -n ${AJV_LINE[$i]:-} ]] && ajv=${AJV[$((AJV_LINE[$i] - 1))]}

  want_rc=1
  case $kind in examples | valid | warning) want_rc=0 ;; esac
  [[ $rc == "$want_rc" ]] || problems+=("validator: $(describe_rc "$rc"), expected exit $want_rc")
  if [[ -n ${RC_S[$i]:-} ]]; then
    want_strict=0
    [[ $kind == warning ]] && want_strict=1
    [[ ${RC_S[$i]} == "$want_strict" ]] ||
      problems+=("validator --strict: $(describe_rc "${RC_S[$i]}"), expected exit $want_strict")
  fi

  if [[ $kind == yaml ]]; then
    [[ $stdout_lines -eq 0 ]] || problems+=("--print-json printed JSON for a file that must fail before the schema")
  elif [[ $rc == 0 || $rc == 1 ]]; then
    if [[ -z $ajv ]]; then
      problems+=("--print-json printed $stdout_lines line(s), expected exactly one JSON document")
    else
      case $kind in
        schema) [[ $ajv == invalid* ]] || problems+=("ajv accepts it, but the schema must reject it") ;;
        *) [[ $ajv == valid ]] || problems+=("ajv rejects it: $ajv") ;;
      esac
    fi
  fi

  # Expectations: each must match a diagnostic, each diagnostic must match an expectation.
  specs=${EXPECT[$path]:-}
  if [[ $kind == schema || $kind == semantic || $kind == warning || $kind == yaml ]] && [[ -z $specs ]]; then
    problems+=("no '# expect:' line (or EXPECTATIONS entry) says what the validator must print")
  fi
  if [[ -n $specs ]]; then
    diagnostics=()
    while IFS= read -r line; do
      rest=${line#"$path"}
      [[ $rest != "$line" && $rest =~ ^(:[0-9]+:[0-9]+)?:\ (error|warning):\  ]] && diagnostics+=("$rest")
    done <"$TMP/$i.n.stderr"
    matched=()
    while IFS= read -r spec; do
      [[ -z $spec ]] && continue
      if [[ ! $spec =~ ^(-|[0-9]+:[0-9]+):\ (error|warning):\ (.+)$ ]]; then
        problems+=("malformed expectation '$spec' (want LINE:COL|-: error|warning: TEXT)")
        continue
      fi
      pos=${BASH_REMATCH[1]} severity=${BASH_REMATCH[2]} text=${BASH_REMATCH[3]}
      needle=": $severity: $text"
      [[ $pos != - ]] && needle=":$pos$needle"
      found=no
      for d in "${!diagnostics[@]}"; do
        if [[ ${diagnostics[$d]} == "$needle"* ]]; then
          found=yes
          matched[d]=1
        fi
      done
      [[ $found == yes ]] || problems+=("missing diagnostic: $path$needle")
    done <<<"$specs"
    for d in "${!diagnostics[@]}"; do
      [[ -n ${matched[$d]:-} ]] || problems+=("unexpected diagnostic: $path${diagnostics[$d]}")
    done
  fi

  if [[ ${#problems[@]} -eq 0 ]]; then
    passed=$((passed + 1))
    printf 'ok    %-9s %s\n' "$kind" "$label"
  else
    failed=$((failed + 1))
    printf 'FAIL  %-9s %s\n' "$kind" "$label"
    for problem in "${problems[@]}"; do
      printf '        %s\n' "$problem"
    done
    if [[ -s $TMP/$i.n.stderr ]]; then
      printf '        validator stderr:\n'
      head -n 20 "$TMP/$i.n.stderr" | sed 's/^/          | /'
    fi
  fi
done

for problem in "${EXPECTATION_ERRORS[@]}"; do
  failed=$((failed + 1))
  printf 'FAIL  %s\n' "$problem"
done

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
