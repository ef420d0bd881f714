#!/usr/bin/env bash
# What `npm test` (and `npm start`) need from the machine beyond node_modules, installed
# where this is Debian and we are root, otherwise named with the exact command to run.
#
#   bash scripts/prerequisites.sh test    before `npm test`: every program the suite talks to
#   bash scripts/prerequisites.sh start   before `npm start`: PostgreSQL for the rehearsal's
#                                         databases (optional: the rehearsal goes on without it)
#
# Each line of NEEDS: a Debian package, then the check that says it is present, then why.
set -euo pipefail

purpose="${1:-test}"
needs_test=(
  "coreutils|command -v sha256sum|auditors' check of the SHA-256 manifests"
  "jq|command -v jq|auditors' recomputation of the audit-log hashes"
  "chromium|command -v chromium|the runbook tests render Mermaid and the HTML overview in headless Chromium"
  "postgresql|ls /usr/lib/postgresql/*/bin/initdb|the database tests start their own PostgreSQL clusters"
  "ceph-mon|command -v ceph-mon|Ceph RGW, the real S3 server the adapter and copy tests run on (with ceph-osd, radosgw)"
  "ceph-osd|command -v ceph-osd|Ceph RGW's object storage daemon"
  "radosgw|command -v radosgw|Ceph RGW's S3 gateway"
)
needs_start=(
  "postgresql|ls /usr/lib/postgresql/*/bin/initdb|the rehearsal's research catalogue runs on two embedded PostgreSQL clusters"
)
case "$purpose" in
  test) needs=("${needs_test[@]}") ;;
  start) needs=("${needs_start[@]}") ;;
  *) echo "usage: bash scripts/prerequisites.sh test|start" >&2; exit 2 ;;
esac

missing=()
reasons=()
for need in "${needs[@]}"; do
  IFS='|' read -r package check why <<<"$need"
  if ! eval "$check" >/dev/null 2>&1; then
    missing+=("$package")
    reasons+=("  $package: $why")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

can_install=no
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then can_install=yes; fi

if [ "$can_install" = no ]; then
  if [ "$purpose" = start ]; then
    # The rehearsal runs without PostgreSQL and says so; nothing to stop for.
    exit 0
  fi
  {
    echo "npm $purpose needs programs this machine lacks:"
    printf '%s\n' "${reasons[@]}"
    echo "Install them, then run npm $purpose again:"
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}"
  } >&2
  exit 1
fi

echo "npm $purpose: installing ${missing[*]} with apt-get (once per machine):" >&2
printf '%s\n' "${reasons[@]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >&2
