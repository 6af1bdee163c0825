#!/usr/bin/env bash
# The archive verifier's units as systemd reads them: the service and its
# nightly timer verify cleanly (systemd-analyze verify prints nothing), the
# service's exposure score is at most 2.0 (it only reads archives and writes
# its cache), the timer is daily and persistent, and the sysusers line parses.
set -euo pipefail
src=$1 verify=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed "s|/usr/bin/dockd-verify|$verify|g" "$src/dockd-verify.service" > "$work/dockd-verify.service"
cp "$src/dockd-verify.timer" "$work/"
out=$(cd "$work" && systemd-analyze verify dockd-verify.service dockd-verify.timer 2>&1 || true)
if [ -n "$out" ]; then echo "systemd-analyze verify: $out"; exit 1; fi
systemd-analyze security --offline=true --threshold=20 "$work/dockd-verify.service" | tail -1
grep -q '^Type=oneshot' "$work/dockd-verify.service"
grep -q '^OnCalendar=.*02:30' "$work/dockd-verify.timer"
grep -q '^Persistent=true' "$work/dockd-verify.timer"
mkdir -p "$work/root/etc"
systemd-sysusers --root="$work/root" "$src/dockd-verify.sysusers" 2>/dev/null
grep -q '^dockd-verify:' "$work/root/etc/passwd"
echo "verify units ok"
