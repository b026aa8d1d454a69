#!/usr/bin/env bash
# dockerfile_check.sh
#
# Checks manifests/Dockerfile without building it (no registry or base image is reachable here):
#   - Docker's own parser, through a real engine of the harness swarm: the classic builder parses
#     the whole file before it runs the first instruction, so a syntax error fails with "parse
#     error" and a good file gets as far as fetching its base image. A broken copy must fail with
#     a parse error, so the check itself is shown to work;
#   - what the file must say (issue #10): two stages, a non-root USER, a HEALTHCHECK on the
#     binary's own healthcheck, ENTRYPOINT ["swarm-operator"-path], CMD watch of
#     /config/cluster.yaml, version and source labels, exec forms that are valid JSON;
#   - the runtime packages are the ones the binary links here (ldd), so the run stage can start it.
# Needs the swarm from tests/harness/swarm/swarm-up.sh (SWARMOP_SWARM_BASE), the docker CLI, jq.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BASE=${SWARMOP_SWARM_BASE:-/tmp/swarmop-swarm}
DOCKER_CLI=${SWARMOP_DOCKER_CLI:-$(command -v docker || true)}
DOCKERFILE=$ROOT/manifests/Dockerfile
BINARY=${1:-}
[ -n "$DOCKER_CLI" ] || { echo "FAIL: docker CLI not found" >&2; exit 1; }
# shellcheck disable=SC1090,SC1091
. "$BASE/env"

fail() { echo "FAIL: $*" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# parse FILE: what the classic builder says about FILE, with an empty context.
parse() {
  mkdir -p "$work/context"
  cp "$1" "$work/context/Dockerfile"
  DOCKER_BUILDKIT=0 "$DOCKER_CLI" -H "$SW1_HOST" build --network none -q "$work/context" 2>&1 || true
}

out=$(parse "$DOCKERFILE")
[[ $out != *"parse error"* && $out != *"unknown instruction"* ]] || fail "Docker cannot parse manifests/Dockerfile: $out"
# The classic builder numbers the steps only once the whole file has parsed.
[[ $out == *"Step 1/"*"FROM \${DEBIAN_IMAGE} AS build"* ]] || fail "the build did not reach its first FROM: $out"
echo "ok: Docker's parser reads the Dockerfile (the build stops at fetching debian:12, as expected here)"

sed 's/^HEALTHCHECK /HEALTHCHEK /' "$DOCKERFILE" >"$work/broken"
out=$(parse "$work/broken")
[[ $out == *"unknown instruction"* || $out == *"parse error"* ]] || fail "a misspelt instruction was not refused: $out"
echo "ok: a misspelt instruction is refused by the same check"

# Instructions, with continuation lines joined.
joined=$(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$DOCKERFILE" | grep -v '^\s*#')
has() { grep -Eq "$1" <<<"$joined" || fail "the Dockerfile lacks: $2"; }
[ "$(grep -Ec '^FROM ' <<<"$joined")" -eq 2 ] || fail "not a two-stage build"
has '^FROM .* AS build$' "a build stage"
has '^COPY --from=build ' "the binary copied from the build stage"
has '^USER 10001' "a non-root USER"
has '^HEALTHCHECK .*CMD \["/usr/local/bin/swarm-operator", "healthcheck"\]' "a HEALTHCHECK on the binary's healthcheck"
has '^ENTRYPOINT \["/usr/local/bin/swarm-operator"\]$' "ENTRYPOINT swarm-operator"
has '^CMD \["watch", "/config/cluster.yaml"' "CMD watch /config/cluster.yaml"
has 'org.opencontainers.image.version=' "a version label"
has 'org.opencontainers.image.source=' "a source label"
while read -r form; do
  jq -e 'type == "array" and all(type == "string")' >/dev/null 2>&1 <<<"$form" || fail "not a JSON exec form: $form"
done < <(grep -Eo '^(ENTRYPOINT|CMD) .*' <<<"$joined" | cut -d' ' -f2-; grep -Eo 'CMD \[.*\]$' <<<"$joined" | cut -d' ' -f2-)
echo "ok: two stages, USER 10001, HEALTHCHECK, ENTRYPOINT, CMD, labels; exec forms are JSON"

# The run stage's packages hold every library the binary needs beyond libc and libstdc++
# (which Debian's slim image has).
if [ -n "$BINARY" ]; then
  packages=$(sed -n '/^FROM .* AS run$/,$p' <<<"$joined" | grep -o 'apt-get install[^&]*' | tr ' ' '\n' | grep -v -- '^-' | grep -v -e apt-get -e install -e '^$')
  while read -r library; do
    package=$(dpkg -S "$library" 2>/dev/null | head -1 | cut -d: -f1) || true
    [ -n "$package" ] || package=$(dpkg -S "/usr$library" 2>/dev/null | head -1 | cut -d: -f1) || true
    case "$package" in
      libc6 | libstdc++6 | libgcc-s1 | "") continue ;;
    esac
    # Only the direct dependencies must be named; theirs come with them.
    grep -qx "$package" <<<"$packages" || fail "the run stage lacks $package (for $library)"
  done < <(objdump -p "$BINARY" | awk '$1 == "NEEDED" { print $2 }' | while read -r soname; do
             ldd "$BINARY" | awk -v s="$soname" '$1 == s { print $3 }'
           done)
  echo "ok: the run stage installs the package of every library the binary links directly"
fi
