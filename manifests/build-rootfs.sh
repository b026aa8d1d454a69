#!/usr/bin/env bash
# build-rootfs.sh BINARY OUT.tar
#
# A root filesystem for the controller image made from a built binary and the shared libraries
# it links (as `ldd` finds them on this Debian 12 machine), for `docker import` where no
# registry or base image is reachable:
#
#   manifests/build-rootfs.sh build/swarm-operator /tmp/swarm-operator.tar
#   docker import $(manifests/import-changes.sh) /tmp/swarm-operator.tar swarm-operator:local
#
# It holds the stripped binary at /usr/local/bin/swarm-operator, its libraries at their usual
# paths, /etc/passwd and /etc/group with the image's user (10001), the CA bundle when present,
# and /tmp. No shell, no package manager: the image the Dockerfile builds has those, this one
# does not need them.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 BINARY OUT.tar" >&2; exit 2; }
binary=$1
out=$2
[ -x "$binary" ] || { echo "build-rootfs: $binary is not an executable" >&2; exit 1; }

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

chmod 0755 "$root"  # mktemp made it 0700: the image's / would shut the user out
install -d -m 0755 "$root/usr/local/bin" "$root/etc" "$root/config" "$root/run/secrets"
install -d -m 1777 "$root/tmp"
strip -o "$root/usr/local/bin/swarm-operator" "$binary"
chmod 0755 "$root/usr/local/bin/swarm-operator"

# Every library ldd resolves, and the dynamic loader, at the paths the binary will look for.
while read -r library; do
  [ -n "$library" ] || continue
  install -d "$root$(dirname "$library")"
  cp -L "$library" "$root$library"
done < <(ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u)
# glibc loads these at run time (name lookups in getaddrinfo), not through ldd's list.
for extra in /lib/x86_64-linux-gnu/libnss_files.so.2 /lib/x86_64-linux-gnu/libnss_dns.so.2; do
  if [ -e "$extra" ]; then
    install -d "$root$(dirname "$extra")"
    cp -L "$extra" "$root$extra"
  fi
done

cat >"$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/usr/sbin/nologin
swarm-operator:x:10001:10001:swarm-operator:/nonexistent:/usr/sbin/nologin
PASSWD
cat >"$root/etc/group" <<'GROUP'
root:x:0:
swarm-operator:x:10001:
GROUP
printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
if [ -r /etc/ssl/certs/ca-certificates.crt ]; then
  install -d "$root/etc/ssl/certs"
  cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
fi

tar --numeric-owner --owner=0 --group=0 -C "$root" -cf "$out" .
