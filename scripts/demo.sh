#!/usr/bin/env bash
# The demo command: builds dockd and runs it in the foreground on
# config/demo.yaml (four simulated bays, archive under var/demo/archive),
# docking a few generated recorders. Ctrl-C stops it cleanly.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bash "$here/scripts/bootstrap.sh"
bash "$here/scripts/build.sh"

bays="$here/var/demo/bays"
mkdir -p "$bays"
# Empty bays at start: recorders of an earlier demo were "taken out".
find "$bays" -mindepth 1 -maxdepth 1 -exec rm -rf {} +

dock_recorders() {
  # Wait until the daemon answers, then drop recorders in one by one.
  for _ in $(seq 1 100); do
    "$here/build/daemon/dockctl/dockctl" status >/dev/null 2>&1 && break
    sleep 0.2
  done
  local stamp
  stamp=$(date +%H%M%S)
  python3 "$here/drivers/sim/simgen.py" --bays-dir "$bays" --bay 1 --serial "ZFY1${stamp}" \
    --officer-no 004213 --officer-name "张伟" --unit-name "城关派出所" --battery 35 --charge-rate 60 \
    --clock-offset -93.5 --tree nested --files 6 --file-size 8000000 --zero-file --read-rate 40000000 >/dev/null
  sleep 2
  python3 "$here/drivers/sim/simgen.py" --bays-dir "$bays" --bay 2 --serial "ZFY2${stamp}" \
    --officer-no 004377 --officer-name "李娜" --battery 80 --charge-rate 30 --clock-offset 12 \
    --files 4 --file-size 4000000 --big-file 100000000 --read-rate 40000000 >/dev/null
  sleep 2
  python3 "$here/drivers/sim/simgen.py" --bays-dir "$bays" --bay 3 --serial "ZFY3${stamp}" \
    --battery 95 --tree nested --files 8 --file-size 2000000 --read-rate 20000000 >/dev/null
}
dock_recorders &

echo "demo: dockd on config/demo.yaml; try 'build/daemon/dockctl/dockctl ports' in another terminal; Ctrl-C stops"
exec "$here/build/daemon/main/dockd" --config "$here/config/demo.yaml" --foreground
