#!/usr/bin/env bash
# Builds the "box" of Vagrant's docker provider (vagrant/Vagrantfile, --provider=docker) from
# the Docker-in-Docker node image, without a registry: the same Debian node plus what Vagrant
# expects of a machine (a `vagrant` user with Vagrant's insecure key, which `vagrant up`
# replaces, passwordless sudo, sshd), and an init that starts sshd and the engine the way a
# booting VM would. Debian packages only (openssh-server, sudo). Without systemd the engine runs
# from Debian's init script (`service docker …`), whose ulimit calls may not raise a container's
# limits: they are made non-fatal.
#
#   build-vagrant-image.sh [IMAGE] [NODE-IMAGE]
#   (defaults: docker-en-cluster/vagrant-node:bookworm from docker-en-cluster/node:bookworm)
set -euo pipefail

image=${1:-docker-en-cluster/vagrant-node:bookworm}
base=${2:-docker-en-cluster/node:bookworm}
here=$(cd "$(dirname "$0")" && pwd)

command -v docker >/dev/null || { echo "build-vagrant-image.sh: docker is missing" >&2; exit 1; }
docker image inspect "$base" >/dev/null 2>&1 || bash "$here/build-offline-images.sh" "$base"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Vagrant's well-known insecure public key(s), from the installed Vagrant (Debian's package or
# HashiCorp's): the first `vagrant up` swaps them for a key of its own on every machine.
keys=$(ls /usr/share/rubygems-integration/all/gems/vagrant-*/keys/vagrant.pub* \
  /opt/vagrant/embedded/gems/gems/vagrant-*/keys/vagrant.pub* 2>/dev/null || true)
[ -n "$keys" ] || { echo "build-vagrant-image.sh: Vagrant's insecure key not found: install vagrant (apt-get install -y vagrant)" >&2; exit 1; }
# shellcheck disable=SC2086
cat $keys > "$work/authorized_keys"

cat > "$work/vagrant-init" <<'SH'
#!/bin/bash
# PID 1's child (docker run --init): what a booting machine starts, sshd and the Docker engine.
set -e
ssh-keygen -A >/dev/null
mkdir -p /run/sshd
# The engine is provisioned (and restarted) by vagrant/provision.sh; start it if it was before.
[ -e /etc/docker/daemon.json ] && service docker start >/dev/null 2>&1 || true
exec /usr/sbin/sshd -D -e
SH

cat > "$work/Dockerfile" <<DOCKERFILE
FROM $base
RUN apt-get update -qq \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssh-server sudo >/dev/null \\
 && apt-get clean && rm -rf /var/lib/apt/lists/* /etc/ssh/ssh_host_* \\
 && useradd --create-home --shell /bin/bash vagrant \\
 && printf 'vagrant ALL=(ALL) NOPASSWD: ALL\n' > /etc/sudoers.d/vagrant && chmod 440 /etc/sudoers.d/vagrant \\
 && install -d -m 700 -o vagrant -g vagrant /home/vagrant/.ssh \\
 && sed -i -E 's/^([[:space:]]*ulimit [^|]*)\$/\\1 2>\\/dev\\/null || true/' /etc/init.d/docker
COPY --chown=vagrant:vagrant authorized_keys /home/vagrant/.ssh/authorized_keys
COPY vagrant-init /usr/local/sbin/vagrant-init
RUN chmod 600 /home/vagrant/.ssh/authorized_keys && chmod 755 /usr/local/sbin/vagrant-init
ENTRYPOINT ["/usr/local/sbin/vagrant-init"]
CMD []
EXPOSE 22
LABEL org.docker-en-cluster.role=vagrant-box
DOCKERFILE

echo "build-vagrant-image.sh: building $image from $base"
# The classic builder: FROM a local image, nothing to resolve in a registry.
DOCKER_BUILDKIT=0 docker build -q -t "$image" "$work" >/dev/null
docker image inspect "$image" --format 'build-vagrant-image.sh: {{.RepoTags}} {{.Size}} bytes'
