#!/usr/bin/env bash
# A second Docker engine on this machine, to test the placement of clusters on several engines
# (server/drivers/engine-pool.ts): its own socket, data root, exec root (so its own managed
# containerd) and address pool, and a TLS listener on the loopback, reached like a remote host.
#
#   second-engine.sh start   starts it (nothing to do if it answers) and loads the node and
#                            registry images of the first engine into it
#   second-engine.sh stop    stops it (nothing to do if it does not run); its data root stays
#   second-engine.sh env     prints the DEC_ENGINES value that names both engines
#
# Root only (it runs dockerd). Everything lives under /run/dec-engine2 and /var/lib/dec-engine2.
#
# Networking: the first engine owns the host's iptables chains (a second engine managing them
# would flush the first one's DOCKER chains at start), so this one runs with --iptables=false,
# its networks in 10.213.0.0/16, and this script lets that range through the FORWARD chain
# (bridged traffic crosses it: net.bridge.bridge-nf-call-iptables=1, policy DROP).
# Its default bridge is its own interface, dec-engine2, made here: with `--bridge none`, dockerd
# deletes the host's docker0 at start (libnetwork's removeDefaultBridgeInterface), which breaks
# every container of the first engine on its default network.
set -euo pipefail

name=dec-engine2
run=/run/$name
data=/var/lib/$name
sock=$run/docker.sock
pool=10.213.0.0/16
port=${DEC_ENGINE2_PORT:-23760}
certs=$run/certs
pidfile=$run/dockerd.pid
bridge=$name
bridge_address=10.213.255.1/24
log=$run/dockerd.log

engine() { docker -H "unix://$sock" "$@"; }
answers() { [ -S "$sock" ] && engine version >/dev/null 2>&1; }

forward_rules() {
  local action=$1
  command -v iptables >/dev/null || return 0
  for dir in -s -d; do
    if iptables -C FORWARD "$dir" "$pool" -j ACCEPT 2>/dev/null; then
      [ "$action" = delete ] && iptables -D FORWARD "$dir" "$pool" -j ACCEPT
    else
      [ "$action" = insert ] && iptables -I FORWARD 1 "$dir" "$pool" -j ACCEPT
    fi
  done
  return 0
}

# The second engine's default bridge, in its address pool (so inside the FORWARD rules).
make_bridge() {
  ip link show "$bridge" >/dev/null 2>&1 || ip link add "$bridge" type bridge
  ip -4 addr show dev "$bridge" | grep -q "inet $bridge_address" || ip addr add "$bridge_address" dev "$bridge"
  ip link set "$bridge" up
}

# A CA, a server certificate for 127.0.0.1 and a client certificate: tcp:// with TLS, as for a
# remote engine (DOCKER_CERT_PATH layout: ca.pem, cert.pem, key.pem for the client).
make_certs() {
  [ -f "$certs/cert.pem" ] && return 0
  mkdir -p "$certs"
  chmod 700 "$certs"
  (
    cd "$certs"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=$name CA" -keyout ca-key.pem -out ca.pem 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server-key.pem -out server.csr 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >server.ext
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
  if answers; then
    forward_rules insert
    return 0
  fi
  [ "$(id -u)" = 0 ] || { echo "second-engine.sh: root only (it starts dockerd)" >&2; exit 1; }
  command -v dockerd >/dev/null || { echo "second-engine.sh: dockerd is missing (apt-get install -y docker.io)" >&2; exit 1; }
  mkdir -p "$run" "$data"
  command -v ip >/dev/null || { echo "second-engine.sh: ip is missing (apt-get install -y iproute2)" >&2; exit 1; }
  make_certs
  make_bridge
  rm -f "$sock" "$pidfile"
  nohup dockerd \
    --host "unix://$sock" \
    --host "tcp://127.0.0.1:$port" \
    --tlsverify --tlscacert "$certs/ca.pem" --tlscert "$certs/server-cert.pem" --tlskey "$certs/server-key.pem" \
    --data-root "$data" --exec-root "$run/exec" --pidfile "$pidfile" \
    --containerd-namespace "$name" --containerd-plugins-namespace "$name-plugins" \
    --bridge "$bridge" --iptables=false --ip-masq=false \
    --default-address-pool "base=$pool,size=24" \
    >"$log" 2>&1 &
  for _ in $(seq 1 60); do answers && break; sleep 1; done
  answers || { tail -n 30 "$log" >&2; echo "second-engine.sh: dockerd did not start (log: $log)" >&2; exit 1; }
  forward_rules insert
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
  if ip link show "$bridge" >/dev/null 2>&1; then ip link delete "$bridge"; fi
  forward_rules delete
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) echo "DEC_ENGINES=unix:///var/run/docker.sock,tcp://127.0.0.1:$port?certs=$certs" ;;
  *) echo "usage: second-engine.sh start|stop|env" >&2; exit 2 ;;
esac
