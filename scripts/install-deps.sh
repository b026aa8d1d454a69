#!/usr/bin/env bash
# Installs everything swarm-operator needs to build and test on Debian 12, from Debian's
# packages (and ajv from npm for the schema test). Idempotent and quiet when all is present.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

packages=(
  build-essential cmake pkg-config git clang-format openssl
  libboost1.81-all-dev libboost-json1.81-dev  # Boost 1.74 (the default) has no Boost.JSON
  libyaml-cpp-dev libspdlog-dev catch2 libcpp-httplib-dev libcurl4-openssl-dev libbenchmark-dev
  # Real servers for the contract tests: a multi-node swarm (one dockerd per network namespace,
  # a busybox image built locally) and a RabbitMQ cluster on loopback.
  docker.io busybox-static iproute2 util-linux procps curl jq nftables rabbitmq-server
)
# Node.js runs the JSON Schema agreement test (ajv); keep an existing installation.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ ! -d "$here/tests/schema/node_modules/ajv" ]; then
  (cd "$here/tests/schema" && npm ci --silent --no-audit --no-fund)
fi
