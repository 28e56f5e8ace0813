#!/usr/bin/env bash
# Builds the course's demo web app in three versions from the host's static busybox, without
# any registry: docker-en-cluster/web:1, :2 and :3. Each serves on port 80 a page naming its
# version and the task (container) that answered, and /health for its HEALTHCHECK. Version 3
# has a « bug »: /health answers 404, so its tasks turn unhealthy (the rollback lab needs it).
# The lab registry publishes them as registry:5000/web:N (server/drivers/lab-registry.ts).
#
#   build-demo-app.sh [--force]
set -euo pipefail

# shellcheck source=server/images/busybox-root.sh
. "$(dirname "$0")/busybox-root.sh"
start_build build-demo-app.sh "$@"

for version in 1 2 3; do
  name=docker-en-cluster/web:$version
  if [ "$FORCE" = 0 ] && docker image inspect "$name" >/dev/null 2>&1; then
    echo "build-demo-app.sh: $name exists, kept"
    continue
  fi
  root="$WORK/$version"
  busybox_root "$root"
  mkdir -p "$root/www"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
  # The page names the task that served it: a request through a published port shows who answered.
  cat > "$root/bin/web" <<'SH'
#!/bin/sh
printf 'web %s, servi par %s\n' "$VERSION" "$(hostname)" > /www/index.html
[ "$VERSION" = 3 ] || echo ok > /www/health
httpd -f -p 80 -h /www &
child=$!
# PID 1 ignores SIGTERM unless it handles it: stop at once, as a real server does.
trap 'kill -TERM "$child" 2>/dev/null; exit 0' TERM INT
wait "$child"
SH
  chmod +x "$root/bin/web"
  # /health over HTTP with nc (the static busybox's wget crashes in nested containers).
  cat > "$root/bin/healthcheck" <<'SH'
#!/bin/sh
printf 'GET /health HTTP/1.0\r\n\r\n' | nc -w 4 127.0.0.1 80 | head -n 1 | grep -q ' 200 '
SH
  chmod +x "$root/bin/healthcheck"
  tar -C "$root" -c . | docker import \
    -c 'CMD ["/bin/web"]' \
    -c 'ENV PATH=/bin' \
    -c "ENV VERSION=$version" \
    -c 'EXPOSE 80/tcp' \
    -c 'HEALTHCHECK --interval=3s --timeout=5s --start-period=10s --retries=3 CMD ["/bin/healthcheck"]' \
    -c "LABEL org.docker-en-cluster.demo=web org.opencontainers.image.version=$version" \
    - "$name" >/dev/null
  echo "build-demo-app.sh: $name built"
done
