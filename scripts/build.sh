#!/usr/bin/env bash
# Configures and builds dockd into build/ (warnings are errors).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cmake -S "$here" -B "$here/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDOCKD_WERROR=ON >/dev/null
cmake --build "$here/build" -j"$(nproc)"
