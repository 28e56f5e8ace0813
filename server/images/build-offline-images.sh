#!/usr/bin/env bash
# Everything the labs need from a registry, built on this machine instead (offline rooms, CI):
# the Docker-in-Docker node image and the stand-ins of the lab images. Run as root.
#
#   sudo bash server/images/build-offline-images.sh [NODE-IMAGE]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
image=${1:-docker-en-cluster/node:trixie}
if docker image inspect "$image" >/dev/null 2>&1; then
  echo "build-offline-images.sh: $image exists, kept"
else
  bash "$here/build-node-image.sh" "$image"
fi
bash "$here/build-standin-images.sh"
bash "$here/build-registry-image.sh"
bash "$here/build-demo-app.sh"
