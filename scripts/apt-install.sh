#!/usr/bin/env bash
# Installs Debian packages for the make targets and CI: chromium (the end-to-end test and the
# screenshots), poppler-utils (`make examples`), postgresql (.ci/run).
#
#   bash scripts/apt-install.sh PACKAGE...
#
# apt-get needs root: run as root, or this uses sudo. When another process holds the package
# manager (unattended-upgrades, a second `make`), it waits up to SCA_APT_WAIT seconds (default
# 600) instead of failing: DPkg::Lock::Timeout covers dpkg's lock, but apt 2.6's `apt-get update`
# fails at once on the package lists' lock, so every step is also retried while a lock is held.
# A step that fails says which step it was and prints apt's own errors.
set -uo pipefail

if [ $# -eq 0 ]; then
  echo "usage: bash scripts/apt-install.sh PACKAGE..." >&2
  exit 2
fi
wait_s=${SCA_APT_WAIT:-600}
task="installing $* with apt-get"
locked='Could not get lock|Unable to lock|Unable to acquire the dpkg frontend lock'

fail() {
  echo "set-up failed: $task: $*" >&2
  exit 1
}

command -v apt-get >/dev/null 2>&1 ||
  fail "apt-get not found (not Debian or Ubuntu): install $* with this system's package manager, then run make again"

as_root=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 ||
    fail "apt-get needs root and sudo is not installed: run this as root, or install $* yourself"
  as_root="sudo"
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# step NAME ARG...: apt-get ARG..., waiting while another process holds a lock
step() {
  local name=$1 deadline=$((SECONDS + wait_s)) told="" rc
  shift
  while :; do
    $as_root env DEBIAN_FRONTEND=noninteractive \
      apt-get -o DPkg::Lock::Timeout="$wait_s" "$@" >"$log" 2>&1 && return 0
    rc=$?
    if grep -qE "$locked" "$log" && [ "$SECONDS" -lt "$deadline" ]; then
      if [ -z "$told" ]; then
        echo "waiting up to ${wait_s}s for the package manager, busy in another process:" >&2
        grep -E "$locked" "$log" | head -n 1 | sed 's/^/  /' >&2
        told=1
      fi
      sleep 5
      continue
    fi
    echo "set-up failed: $task: step '$name' (apt-get $*) exited $rc:" >&2
    if grep -qE "$locked" "$log"; then
      echo "  the package manager was still busy after ${wait_s}s (SCA_APT_WAIT sets the wait)" >&2
    fi
    { grep -E '^(E|Err):' "$log" || tail -n 20 "$log"; } | sed 's/^/  /' >&2
    exit 1
  done
}

echo "$task (Debian's packages)" >&2
step "update the package lists" update -qq
step "install $*" install -y -qq "$@"
