#!/usr/bin/env bash
# Builds the Docker-in-Docker node image of the lab runtime from Debian's packages, without a
# registry: debootstrap a Debian root, run vagrant/provision.sh --image inside it (the same
# script that provisions Vagrant VMs), then `docker import` the root.
#
#   build-node-image.sh [IMAGE] [SUITE]   (default: docker-en-cluster/node:trixie)
# SUITE is the Debian release debootstrapped: by default the image's tag when it names one
# (bookworm: Docker 20.10, trixie: 26.1, forky: 28.5), else trixie.
# Environment: DEBIAN_MIRROR (default: the first deb.debian.org-like URI of apt's sources),
#              WORK_DIR (default: a temporary folder).
set -euo pipefail

image=${1:-docker-en-cluster/node:trixie}
case "${2:-${image##*:}}" in
  bookworm|trixie|forky|sid) suite=${2:-${image##*:}} ;;
  *) [ -z "${2:-}" ] || { echo "build-node-image.sh: unknown Debian suite $2 (bookworm, trixie, forky, sid)" >&2; exit 2; }; suite=trixie ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

for tool in debootstrap docker chroot; do
  command -v "$tool" >/dev/null || { echo "build-node-image.sh: $tool is missing (apt-get install -y debootstrap docker.io)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "build-node-image.sh: must run as root (debootstrap, chroot)" >&2; exit 1; }

mirror=${DEBIAN_MIRROR:-$( (cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources 2>/dev/null || true) | grep -oE '^(URIs:|deb) +https?://[^ ]+/debian/?( |$)' | head -n1 | awk '{print $2}')}
mirror=${mirror:-http://deb.debian.org/debian}

work=${WORK_DIR:-$(mktemp -d)}
root="$work/rootfs"
cleanup() {
  umount "$root/proc" 2>/dev/null || true
  [ -n "${WORK_DIR:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

echo "build-node-image.sh: debootstrap $suite from $mirror"
rm -rf "$root"
debootstrap --variant=minbase --include=ca-certificates "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }

cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$repo/vagrant/provision.sh" "$root/tmp/provision.sh"
mount -t proc proc "$root/proc"
chroot "$root" /bin/bash /tmp/provision.sh --image
umount "$root/proc"
rm -f "$root/tmp/provision.sh"
: > "$root/etc/resolv.conf"

echo "build-node-image.sh: importing $image"
tar -C "$root" -c . | docker import \
  -c 'ENTRYPOINT ["/usr/local/sbin/node-entrypoint"]' \
  -c 'ENV container=docker' \
  -c 'VOLUME ["/var/lib/docker"]' \
  -c 'LABEL org.docker-en-cluster.role=node-image' \
  - "$image" >/dev/null
docker image inspect "$image" --format 'build-node-image.sh: {{.RepoTags}} {{.Size}} bytes'
