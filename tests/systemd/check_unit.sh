#!/usr/bin/env bash
# Verifies the shipped unit as systemd itself reads it: syntax and references
# (systemd-analyze verify prints nothing for a clean unit; its man: links are
# looked up in the man pages this build made), exposure score at most 2.0
# (systemd-analyze security --offline), what host clock-sync detection needs
# still open, sysusers and tmpfiles syntax.
# usage: check_unit.sh SYSTEMD_DIR DOCKD MAN_DIR
set -euo pipefail
src=$1 dockd=$2 man=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed "s|/usr/bin/dockd|$dockd|g" "$src/dockd.service" > "$work/dockd.service"
out=$(MANPATH="$man:" systemd-analyze verify "$work/dockd.service" 2>&1 || true)
if [ -n "$out" ]; then echo "systemd-analyze verify: $out"; exit 1; fi
# --threshold is in tenths: 20 = 2.0; above it the command fails.
systemd-analyze security --offline=true --threshold=20 "$work/dockd.service" | tail -1
grep -q '^Type=notify' "$work/dockd.service"
grep -q '^WatchdogSec=' "$work/dockd.service"
# systemctl reload: the file is checked, then the daemon re-reads it on SIGHUP.
grep -q '^ExecReload=.*--check-config' "$work/dockd.service" || { echo "ExecReload must check the file"; exit 1; }
grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' "$work/dockd.service" || { echo "ExecReload must send SIGHUP"; exit 1; }
# Clock sync under the unit: timedated over D-Bus (AF_UNIX) or the
# timesyncd flag file under /run/systemd (ProtectClock refuses adjtimex).
grep -Eq '^RestrictAddressFamilies=.*\bAF_UNIX\b' "$work/dockd.service" || { echo "D-Bus needs AF_UNIX"; exit 1; }
if grep -Eq '^(InaccessiblePaths|TemporaryFileSystem|ProtectSystem)=.*(/run( |$)|/run/systemd)' "$work/dockd.service"; then
    echo "/run/systemd/timesync must stay readable"
    exit 1
fi
# sysusers creates the user in a scratch root; tmpfiles then creates the
# directories there, resolving that user.
mkdir -p "$work/root/etc"
systemd-sysusers --root="$work/root" "$src/dockd.sysusers" 2>/dev/null
systemd-tmpfiles --create --root="$work/root" "$src/dockd.tmpfiles"
test -d "$work/root/run/dockd/bays"
echo "unit ok"
