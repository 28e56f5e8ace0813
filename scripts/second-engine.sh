#!/usr/bin/env bash
# A second Docker engine on this machine, to test the placement of clusters on several engines
# (server/drivers/engine-pool.ts): its own socket, data root, exec root (so its own managed
# containerd), network namespace and address pool, and a TLS listener, reached like a remote
# host.
#
#   second-engine.sh start   starts it (nothing to do if it answers) and loads the node and
#                            registry images of the first engine into it
#   second-engine.sh stop    stops it (nothing to do if it does not run); its data root stays
#   second-engine.sh env     prints the DEC_ENGINES value that names both engines
#
# Root only (it runs dockerd). Everything lives under /run/dec-engine2 and /var/lib/dec-engine2.
#
# Networking: it runs in its own network namespace, like another host: its own docker0 and
# netfilter tables, its networks in 10.213.0.0/20, reached from this machine through a veth
# pair (this side 10.214.0.1, the engine 10.214.0.2; TLS on 10.214.0.2:23760). Sharing the
# host's namespace does not work: a dockerd restarted with a default bridge in its store
# deletes the host's docker0 (with `--bridge none`, at every start), which breaks every
# container of the first engine on its default network; and its iptables rules would fight the
# first engine's.
set -euo pipefail

name=dec-engine2
run=/run/$name
data=/var/lib/$name
sock=$run/docker.sock
# 16 networks of /24: the two-engine test also runs past the engine's pools.
pool=10.213.0.0/20
port=${DEC_ENGINE2_PORT:-23760}
address=10.214.0.2
host_side=dec-e2-host
certs=$run/certs
pidfile=$run/dockerd.pid
log=$run/dockerd.log

engine() { docker -H "unix://$sock" "$@"; }
answers() { [ -S "$sock" ] && engine version >/dev/null 2>&1; }

# The engine's network namespace and the veth pair that links it to this machine.
make_netns() {
  [ -e "/run/netns/$name" ] || ip netns add "$name"
  if ! ip link show "$host_side" >/dev/null 2>&1; then
    ip link add "$host_side" type veth peer name eth0 netns "$name"
    ip addr add 10.214.0.1/24 dev "$host_side"
    ip -n "$name" addr add "$address/24" dev eth0
  fi
  ip link set "$host_side" up
  ip -n "$name" link set lo up
  ip -n "$name" link set eth0 up
}

# A CA, a server certificate for the engine's address and a client certificate: tcp:// with
# TLS, as for a remote engine (DOCKER_CERT_PATH layout: ca.pem, cert.pem, key.pem for the client).
make_certs() {
  if [ -f "$certs/cert.pem" ] && openssl x509 -in "$certs/server-cert.pem" -noout -text | grep -q "IP Address:$address"; then
    return 0
  fi
  rm -rf "$certs"
  mkdir -p "$certs"
  chmod 700 "$certs"
  (
    cd "$certs"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=$name CA" -keyout ca-key.pem -out ca.pem 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$address" -keyout server-key.pem -out server.csr 2>/dev/null
    printf 'subjectAltName=IP:%s\nextendedKeyUsage=serverAuth\n' "$address" >server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 3650 -extfile server.ext -out server-cert.pem 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=client" -keyout key.pem -out client.csr 2>/dev/null
    printf 'extendedKeyUsage=clientAuth\n' >client.ext
    openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 3650 -extfile client.ext -out cert.pem 2>/dev/null
    rm -f server.csr client.csr server.ext client.ext ca.srl
    chmod 600 ./*key.pem
  )
}

load_image() {
  local image=$1
  docker image inspect "$image" >/dev/null 2>&1 || return 0
  engine image inspect "$image" >/dev/null 2>&1 && return 0
  docker save "$image" | engine load >/dev/null
}

start() {
  answers && return 0
  [ "$(id -u)" = 0 ] || { echo "second-engine.sh: root only (it starts dockerd)" >&2; exit 1; }
  command -v dockerd >/dev/null || { echo "second-engine.sh: dockerd is missing (apt-get install -y docker.io)" >&2; exit 1; }
  command -v ip >/dev/null || { echo "second-engine.sh: ip is missing (apt-get install -y iproute2)" >&2; exit 1; }
  command -v nsenter >/dev/null || { echo "second-engine.sh: nsenter is missing (apt-get install -y util-linux)" >&2; exit 1; }
  mkdir -p "$run" "$data"
  make_certs
  make_netns
  rm -f "$sock" "$pidfile"
  # nsenter, not `ip netns exec`, which also remounts /sys and so hides the cgroup mounts.
  nohup nsenter --net="/run/netns/$name" dockerd \
    --host "unix://$sock" \
    --host "tcp://$address:$port" \
    --tlsverify --tlscacert "$certs/ca.pem" --tlscert "$certs/server-cert.pem" --tlskey "$certs/server-key.pem" \
    --data-root "$data" --exec-root "$run/exec" --pidfile "$pidfile" \
    --containerd-namespace "$name" --containerd-plugins-namespace "$name-plugins" \
    --default-address-pool "base=$pool,size=24" \
    >"$log" 2>&1 &
  for _ in $(seq 1 60); do answers && break; sleep 1; done
  answers || { tail -n 30 "$log" >&2; echo "second-engine.sh: dockerd did not start (log: $log)" >&2; exit 1; }
  # The first engine's node and registry images; lab images are copied by the server on demand.
  load_image "${DEC_NODE_IMAGE:-docker-en-cluster/node:trixie}"
  load_image docker-en-cluster/registry:2
}

stop() {
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    local pid
    pid=$(cat "$pidfile")
    kill "$pid"
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -0 "$pid" 2>/dev/null && { echo "second-engine.sh: dockerd $pid did not stop" >&2; exit 1; }
  fi
  # The namespace goes, and the veth pair with it.
  if [ -e "/run/netns/$name" ]; then ip netns delete "$name"; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) echo "DEC_ENGINES=unix:///var/run/docker.sock,tcp://$address:$port?certs=$certs" ;;
  *) echo "usage: second-engine.sh start|stop|env" >&2; exit 2 ;;
esac
