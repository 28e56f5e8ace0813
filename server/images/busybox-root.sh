# shellcheck shell=bash
# Sourced by the image scripts that build tiny images from the host's static busybox.
#   start_build SCRIPT "$@"       : checks the tools, parses --force (FORCE=1: rebuild images
#                                   that exist), makes WORK, a temporary folder removed at exit
#   busybox_root DIR              : DIR becomes a root with busybox, its applets and /tmp
# Sets BUSYBOX to the static binary.

# FORCE is read by the scripts that source this file.
# shellcheck disable=SC2034
start_build() {
  FORCE=0
  [ "${2:-}" = --force ] && FORCE=1
  require_tools "$1"
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
}

require_tools() {
  BUSYBOX=$(command -v busybox || true)
  [ -n "$BUSYBOX" ] && file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' || BUSYBOX=/bin/busybox
  [ -x "$BUSYBOX" ] || { echo "$1: a static busybox is needed (apt-get install -y busybox-static)" >&2; exit 1; }
  command -v docker >/dev/null || { echo "$1: docker is missing" >&2; exit 1; }
}

busybox_root() {
  local root=$1 applet
  mkdir -p "$root/bin" "$root/etc" "$root/tmp"
  cp "$BUSYBOX" "$root/bin/busybox"
  for applet in $("$root/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
  done
  chmod 1777 "$root/tmp"
}
