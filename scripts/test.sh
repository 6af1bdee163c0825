#!/usr/bin/env bash
# The test command: installs, builds and runs the whole suite (ctest).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bash "$here/scripts/bootstrap.sh"
bash "$here/scripts/build.sh"
cd "$here/build"
ctest --output-on-failure -j2 --timeout 900
