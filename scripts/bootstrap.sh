#!/usr/bin/env bash
# Installs what dockd needs to build and test on Debian 12 (as root).
# Idempotent: installs only what is missing.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git clang-format
  clang  # clang 14 with libFuzzer: the fuzz targets of tests/fuzz
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-program-options1.81-dev
  libyaml-cpp-dev libsqlite3-dev libssl-dev libsystemd-dev libusb-1.0-0-dev libudev-dev
  libgtest-dev libgmock-dev
  umockdev libumockdev-dev libglib2.0-dev e2fsprogs mtools util-linux  # USB tests: emulated bus, disk images, losetup
  python3 python3-seccomp openssl sqlite3 procps systemd  # python3-seccomp: ProtectClock-like filter in tests
  swift swift-proxy swift-object swift-container swift-account memcached stunnel4 curl  # S3 tests: Swift s3api over TLS
  chromium fonts-wqy-microhei  # status page test (headless) and CJK names on the page
  scdoc lintian man-db bash file strace  # man pages at build time; .deb (CPack runs file), man and sandbox tests
  prometheus  # promtool (only in the server's package) checks the monitoring kit
  fuse3 libfuse3-dev  # powercutfs: the power-cut test's "lose what was not synced" file system
  libavformat-dev libavcodec-dev libavutil-dev libseccomp-dev  # dockd-media-probe: FFmpeg's demuxers, sandboxed
  ffmpeg  # tests and bench/probe.py make real media (MP4, WAV, JPEG) with it
)
# Node for the browser test driver (playwright-core from npm, tests/browser):
# Debian's nodejs+npm unless a node with npm is already installed.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "bootstrap: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
