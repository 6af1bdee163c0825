#!/usr/bin/env bash
# Configures and builds dockd into build/ (warnings are errors).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
launcher=()
# A developer's ccache, when there is one, speeds rebuilds; CI builds without.
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
cmake -S "$here" -B "$here/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDOCKD_WERROR=ON "${launcher[@]}" >/dev/null
cmake --build "$here/build" -j"$(nproc)"
