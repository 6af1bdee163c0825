#!/usr/bin/env bash
# Installs what dockd needs to build and test on Debian 12 (as root).
# Idempotent: installs only what is missing.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-program-options1.81-dev
  libyaml-cpp-dev libsqlite3-dev libssl-dev libsystemd-dev libusb-1.0-0-dev libudev-dev
  libgtest-dev libgmock-dev
  python3 openssl sqlite3 procps systemd
)

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
