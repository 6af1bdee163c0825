#!/usr/bin/env bash
# Verifies the shipped unit as systemd itself reads it: syntax and references
# (systemd-analyze verify prints nothing for a clean unit), exposure score at
# most 3.0 (systemd-analyze security --offline), sysusers and tmpfiles syntax.
set -euo pipefail
src=$1 dockd=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed "s|/usr/bin/dockd|$dockd|g" "$src/dockd.service" > "$work/dockd.service"
out=$(systemd-analyze verify "$work/dockd.service" 2>&1 || true)
if [ -n "$out" ]; then echo "systemd-analyze verify: $out"; exit 1; fi
systemd-analyze security --offline=true --threshold=30 "$work/dockd.service" | tail -1
grep -q '^Type=notify' "$work/dockd.service"
grep -q '^WatchdogSec=' "$work/dockd.service"
# sysusers creates the user in a scratch root; tmpfiles then creates the
# directories there, resolving that user.
mkdir -p "$work/root/etc"
systemd-sysusers --root="$work/root" "$src/dockd.sysusers" 2>/dev/null
systemd-tmpfiles --create --root="$work/root" "$src/dockd.tmpfiles"
test -d "$work/root/run/dockd/bays"
echo "unit ok"
