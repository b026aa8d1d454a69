#!/usr/bin/env bash
# Prints the `docker import` options that give a rootfs from build-rootfs.sh what the Dockerfile's
# run stage sets (user, entrypoint, command, port, labels). `docker import` cannot set a
# HEALTHCHECK: the stack file declares the same one.
#   docker import $(manifests/import-changes.sh [VERSION]) rootfs.tar swarm-operator:local
set -euo pipefail
version=${1:-dev}
printf '%s\n' \
  --change 'USER 10001:10001' \
  --change 'EXPOSE 9180' \
  --change 'ENTRYPOINT ["/usr/local/bin/swarm-operator"]' \
  --change 'CMD ["watch", "/config/cluster.yaml", "--listen", "0.0.0.0:9180", "--listen-any", "--log-format", "json"]' \
  --change 'LABEL org.opencontainers.image.title=swarm-operator' \
  --change "LABEL org.opencontainers.image.version=$version"
