#!/bin/sh
# ctest entry: installs playwright-core from the npm registry into the build
# tree (package-lock.json pins it), then runs the browser test against Debian's
# chromium. Usage: run.sh BUILD_DIR
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work="$1/tests/browser"
mkdir -p "$work"
if [ ! -f "$work/node_modules/playwright-core/package.json" ] || ! cmp -s "$here/package-lock.json" "$work/package-lock.json"; then
  cp "$here/package.json" "$here/package-lock.json" "$work/"
  (cd "$work" && npm ci --no-audit --no-fund --loglevel=error)
fi
export DOCKD_NODE_MODULES="$work/node_modules" DOCKD_BROWSER_ARTIFACTS="$work/artifacts" DOCKD_BUILD="$1"
cd "$here"
exec python3 -m unittest -v test_status_page
