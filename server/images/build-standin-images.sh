#!/usr/bin/env bash
# Builds small stand-in images from the host's static busybox, for machines that cannot pull
# from a registry (CI, offline rooms). Each stand-in carries the name of the public image a lab
# declares and behaves enough like it for the labs (a web server on port 80, a TCP listener…).
# An image that already exists is never replaced, so a real nginx:alpine is left alone.
#
#   build-standin-images.sh [--force]
set -euo pipefail

# shellcheck source=server/images/busybox-root.sh
. "$(dirname "$0")/busybox-root.sh"
start_build build-standin-images.sh "$@"

base="$WORK/base"
busybox_root "$base"
mkdir -p "$base/usr/share/nginx/html" "$base/data"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\nnginx:x:101:101:nginx:/www:/bin/false\n' > "$base/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\nnginx:x:101:\n' > "$base/etc/group"

# PID 1 of a container ignores SIGTERM unless it handles it: the stand-ins stop at once, like the
# real images do, instead of waiting for the 10 s grace period on every rolling update.
cat > "$base/bin/standin-run" <<'SH'
#!/bin/sh
"$@" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null; exit 0' TERM INT
wait "$child"
SH
chmod +x "$base/bin/standin-run"

# build NAME CMD-JSON [EXPOSE]: imports the base root with a command, unless NAME exists.
build() {
  local name=$1 cmd=$2 port=${3:-}
  if [ "$FORCE" = 0 ] && docker image inspect "$name" >/dev/null 2>&1; then
    echo "build-standin-images.sh: $name exists, kept"
    return
  fi
  local changes=(-c "CMD $cmd" -c 'LABEL org.docker-en-cluster.standin=true' -c 'ENV PATH=/bin')
  [ -n "$port" ] && changes+=(-c "EXPOSE $port")
  tar -C "$base" -c . | docker import "${changes[@]}" - "$name" >/dev/null
  echo "build-standin-images.sh: $name built"
}

# Same layout as the real image, so health checks and volumes written for it work here.
cat > "$base/usr/share/nginx/html/index.html" <<'HTML'
<!doctype html><html lang="fr"><meta charset="utf-8"><title>Bienvenue</title><h1>Bienvenue sur le serveur web !</h1></html>
HTML
cat > "$base/bin/standin-whoami" <<'SH'
#!/bin/sh
# traefik/whoami answers every request with who it is (one nc process per connection).
exec nc -ll -p "${WHOAMI_PORT_NUMBER:-80}" -e /bin/standin-whoami-reply
SH
cat > "$base/bin/standin-whoami-reply" <<'SH'
#!/bin/sh
read -r method path _
while read -r line && [ "$(printf '%s' "$line" | tr -d '\r')" != "" ]; do :; done
body=$(printf 'Hostname: %s\n' "$(hostname)"; ip -4 -o addr show 2>/dev/null | awk '$2 != "lo" {sub("/.*", "", $4); print "IP: " $4}'; printf 'GET %s\n' "$path")
printf 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %s\r\nConnection: close\r\n\r\n%s\n' "$(( ${#body} + 1 ))" "$body"
SH
chmod +x "$base/bin/standin-whoami" "$base/bin/standin-whoami-reply"
cat > "$base/bin/standin-redis" <<'SH'
#!/bin/sh
# Answers PING with +PONG on 6379, enough to see a "redis" task listening.
exec nc -ll -p 6379 -e /bin/standin-redis-reply
SH
cat > "$base/bin/standin-redis-reply" <<'SH'
#!/bin/sh
while read -r _; do printf '+PONG\r\n'; done
SH
chmod +x "$base/bin/standin-redis" "$base/bin/standin-redis-reply"

build docker-en-cluster/busybox:latest '["/bin/sh"]'
build nginx:alpine '["/bin/standin-run","httpd","-f","-p","80","-h","/usr/share/nginx/html"]' 80/tcp
build traefik/whoami:latest '["/bin/standin-run","/bin/standin-whoami"]' 80/tcp
build redis:alpine '["/bin/standin-run","/bin/standin-redis"]' 6379/tcp
