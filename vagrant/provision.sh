#!/usr/bin/env bash
# Installs Docker from Debian's packages and prepares a node of the course's swarm.
#
# One script, two uses:
#   - on a Vagrant VM (or any Debian machine of a lab room):
#       provision.sh [--swarm bare|init|join] [--advertise-addr IP] [--manager-addr IP]
#                    [--join-dir DIR] [--role manager|worker]
#   - on a manager, once every node has joined, to label nodes:
#       provision.sh --apply-labels worker1:zone=a,worker2:zone=b
#   - inside a Debian root being turned into the Docker-in-Docker node image of the lab
#     runtime (server/images/build-node-image.sh):
#       provision.sh --image
#     which installs and configures everything but starts nothing.
set -euo pipefail

mode=vm
swarm=bare
role=worker
advertise_addr=""
manager_addr=""
join_dir=/vagrant/.swarm
apply_labels=""
target=""

usage() {
  sed -n '2,14p' "$0" >&2
  exit 2
}

while [ $# -gt 0 ]; do
  case "$1" in
    --image) mode=image ;;
    --swarm) swarm=${2:?}; shift ;;
    --role) role=${2:?}; shift ;;
    --advertise-addr) advertise_addr=${2:?}; shift ;;
    --manager-addr) manager_addr=${2:?}; shift ;;
    --join-dir) join_dir=${2:?}; shift ;;
    --apply-labels) mode=labels; apply_labels=${2:?}; shift ;;
    -h|--help) usage ;;
    *) echo "provision.sh: unknown option $1" >&2; usage ;;
  esac
  shift
done

case "$swarm" in bare|init|join) ;; *) echo "provision.sh: --swarm must be bare, init or join" >&2; exit 2 ;; esac
case "$role" in manager|worker) ;; *) echo "provision.sh: --role must be manager or worker" >&2; exit 2 ;; esac

export DEBIAN_FRONTEND=noninteractive

install_packages() {
  if [ "$mode" = image ]; then
    # Nothing may start while building an image root.
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
  fi
  local packages=(docker.io iptables iproute2 procps ca-certificates curl wget openssh-server
    bash-completion less vim-tiny netcat-openbsd)
  # A machine made from the node image (Vagrant's docker provider) has them all: no download.
  if [ "$mode" = image ] || ! dpkg-query -W "${packages[@]}" >/dev/null 2>&1; then
    apt-get update -qq
    # From Debian 13 on, the docker CLI is its own package (docker.io holds only the engine).
    if apt-cache show docker-cli >/dev/null 2>&1; then packages+=(docker-cli); fi
    apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  fi
  # The labs fetch pages with « wget -qO- », which busybox has too (docker:dind has no curl).
  # One try, as busybox does: a port that does not answer fails at once, not after 20 tries.
  grep -qx 'tries = 1' /etc/wgetrc 2>/dev/null || echo 'tries = 1' >> /etc/wgetrc
  if [ "$mode" = image ]; then
    rm -f /usr/sbin/policy-rc.d
    apt-get clean
    rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
    # Each node generates its own SSH host keys when it starts (node-entrypoint).
    rm -f /etc/ssh/ssh_host_*
  fi
}

configure_daemon() {
  mkdir -p /etc/docker
  # Bounded logs: a lab room runs for days. Live restore off: swarm mode refuses it.
  cat > /etc/docker/daemon.json <<'JSON'
{
  "log-driver": "json-file",
  "log-opts": { "max-size": "10m", "max-file": "3" },
  "features": { "buildkit": true }
}
JSON
}

configure_shell() {
  cat > /etc/profile.d/docker-en-cluster.sh <<'SH'
# Prompt of the course's nodes: the node name is what learners must see.
if [ -n "${BASH_VERSION:-}" ]; then
  PS1='\[\e[1;32m\]\u@\h\[\e[0m\]:\[\e[1;34m\]\w\[\e[0m\]\$ '
  [ -r /usr/share/bash-completion/bash_completion ] && . /usr/share/bash-completion/bash_completion
fi
SH
}

install_node_entrypoint() {
  # The entrypoint of the Docker-in-Docker node image: sshd when keys are given, then dockerd.
  cat > /usr/local/sbin/node-entrypoint <<'SH'
#!/bin/bash
set -e
# Nested engines need a writable cgroup hierarchy and their own /var/lib/docker (a volume).
if [ -n "${NODE_SSH_AUTHORIZED_KEY:-}" ]; then
  mkdir -p /root/.ssh /run/sshd
  printf '%s\n' "$NODE_SSH_AUTHORIZED_KEY" > /root/.ssh/authorized_keys
  chmod 700 /root/.ssh; chmod 600 /root/.ssh/authorized_keys
  ssh-keygen -A >/dev/null
  /usr/sbin/sshd
fi
# The engine is a service of the node, not its main process: `service docker stop` stops it and
# the machine stays up, as on a VM (the backup and restore lab needs it). Its options: ours and
# the driver's, one per line, read again by every `service docker start`.
printf '%s\n' --host unix:///var/run/docker.sock "$@" > /run/node-dockerd.args
: > /var/log/docker.log
trap '/etc/init.d/docker stop; exit 0' TERM INT
/etc/init.d/docker start || true
tail -n +1 -F /var/log/docker.log &
wait
SH
  chmod +x /usr/local/sbin/node-entrypoint
  # `service docker start|stop|restart|status` inside a node container (no systemd there).
  cat > /etc/init.d/docker <<'SH'
#!/bin/bash
### BEGIN INIT INFO
# Provides:          docker
# Short-Description: the Docker engine of a lab node
### END INIT INFO
pidfile=/run/docker.pid
running() { [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }
case "${1:-}" in
  start)
    if running; then echo "docker : moteur déjà démarré"; exit 0; fi
    mapfile -t args < /run/node-dockerd.args
    # When the engine stopped and started: the backup lab checks a backup was taken in between.
    echo "$(date +%s) starting" >> /var/log/docker-service.log
    setsid dockerd --pidfile "$pidfile" "${args[@]}" >> /var/log/docker.log 2>&1 < /dev/null &
    # Wait for the API socket with shell tests only (a docker CLI per poll costs a loaded machine).
    for _ in $(seq 1 300); do
      [ -S /var/run/docker.sock ] && running && { echo "docker : moteur démarré"; exit 0; }
      sleep 0.2
    done
    echo "docker : le moteur ne répond pas (voir /var/log/docker.log)" >&2
    exit 1
    ;;
  stop)
    if ! running; then echo "docker : moteur déjà arrêté"; exit 0; fi
    pid=$(cat "$pidfile")
    kill -TERM "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
    echo "$(date +%s) stopped" >> /var/log/docker-service.log
    echo "docker : moteur arrêté"
    ;;
  restart) "$0" stop && "$0" start ;;
  status) if running; then echo "docker : moteur démarré"; else echo "docker : moteur arrêté"; exit 3; fi ;;
  *) echo "usage : service docker {start|stop|restart|status}" >&2; exit 2 ;;
esac
SH
  chmod +x /etc/init.d/docker
}

# systemd on a VM; Debian's init script on a machine without it (a container of Vagrant's
# docker provider, whose init starts sshd only).
restart_engine() {
  if [ -d /run/systemd/system ]; then
    systemctl enable docker >/dev/null 2>&1 || true
    systemctl restart docker
  else
    service docker restart >/dev/null
  fi

  for _ in $(seq 1 120); do
    docker info >/dev/null 2>&1 && return 0
    sleep 1
  done
  echo "provision.sh: the Docker engine does not answer after 120 s" >&2
  exit 1
}

# Joins with the current token, again and again for a while: with a provider that brings
# machines up in parallel (docker), the first manager may not have written fresh tokens yet.
join_swarm() {
  local token_file="$join_dir/$role-token"
  for _ in $(seq 1 90); do
    if [ -r "$token_file" ] && docker swarm join "$@" --token "$(cat "$token_file")" "$target:2377" 2>/dev/null; then
      return 0
    fi
    sleep 2
  done
  [ -r "$token_file" ] || { echo "provision.sh: $token_file is missing: provision the first manager first" >&2; exit 1; }
  docker swarm join "$@" --token "$(cat "$token_file")" "$target:2377"
}

swarm_setup() {
  [ "$swarm" = bare ] && return 0
  local addr_opt=()
  [ -n "$advertise_addr" ] && addr_opt=(--advertise-addr "$advertise_addr")
  if [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" = active ]; then
    echo "provision.sh: this node is already in a swarm"
  elif [ "$swarm" = init ]; then
    docker swarm init "${addr_opt[@]}"
    mkdir -p "$join_dir"
    docker swarm join-token -q worker > "$join_dir/worker-token"
    docker swarm join-token -q manager > "$join_dir/manager-token"
    echo "${advertise_addr:-$(hostname -I | awk '{print $1}')}" > "$join_dir/manager-addr"
  else
    target=${manager_addr:-$(cat "$join_dir/manager-addr")}
    join_swarm "${addr_opt[@]}"
  fi
}

label_nodes() {
  local entry node pair
  IFS=, read -ra entries <<< "$apply_labels"
  for entry in "${entries[@]}"; do
    node=${entry%%:*}
    pair=${entry#*:}
    if [ "$node" = "$entry" ] || [ -z "$pair" ]; then
      echo "provision.sh: --apply-labels expects node:key=value, got $entry" >&2
      exit 2
    fi
    docker node update --label-add "$pair" "$node" >/dev/null
    echo "provision.sh: $node labelled $pair"
  done
}

if [ "$mode" = labels ]; then
  label_nodes
  exit 0
fi
install_packages
configure_daemon
configure_shell
if [ "$mode" = image ]; then
  install_node_entrypoint
else
  usermod -aG docker vagrant 2>/dev/null || true
  restart_engine
  swarm_setup
fi
echo "provision.sh: done ($mode, swarm $swarm)"
