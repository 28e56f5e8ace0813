#!/usr/bin/env bash
# Builds the lab registry image from Debian's `docker-registry` package (the Distribution
# registry), without any registry access: the binary, the C library it links and a config.
# Every DinD cluster starts one (server/drivers/lab-registry.ts), reachable by its nodes as
# registry:5000; the course's images are pushed into it when a lab's cluster is prepared.
#
#   build-registry-image.sh [IMAGE]   (default: docker-en-cluster/registry:2)
set -euo pipefail

image=${1:-docker-en-cluster/registry:2}
binary=/usr/bin/docker-registry
[ -x "$binary" ] || { echo "build-registry-image.sh: $binary is missing (apt-get install -y docker-registry)" >&2; exit 1; }
command -v docker >/dev/null || { echo "build-registry-image.sh: docker is missing" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/root"
mkdir -p "$root/bin" "$root/etc/docker/registry" "$root/var/lib/registry" "$root/tmp"
chmod 1777 "$root/tmp"
cp "$binary" "$root/bin/registry"
# The shared libraries the binary links (the loader included), at the same paths.
for lib in $(ldd "$binary" | grep -oE '/[^ ]+'); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
cat > "$root/etc/docker/registry/config.yml" <<'YAML'
# The lab registry: anonymous, plain HTTP (nodes list it in --insecure-registry), storage in
# the container (a cluster's registry lives and dies with the cluster).
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: /var/lib/registry
  delete:
    enabled: true
http:
  addr: :5000
YAML
version=$(dpkg-query -W -f '${Version}' docker-registry 2>/dev/null || echo unknown)
tar -C "$root" -c . | docker import \
  -c 'ENTRYPOINT ["/bin/registry", "serve", "/etc/docker/registry/config.yml"]' \
  -c 'EXPOSE 5000/tcp' \
  -c "LABEL org.docker-en-cluster.role=lab-registry org.docker-en-cluster.registry-version=$version" \
  - "$image" >/dev/null
docker image inspect "$image" --format 'build-registry-image.sh: {{.RepoTags}} {{.Size}} bytes'
