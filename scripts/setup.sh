#!/usr/bin/env bash
# Installs what polisen-dash needs to build and test on Debian, and nothing already there.
set -euo pipefail

need=()
for pkg in libcurl4-openssl-dev libncurses-dev tmux python3 python3-venv pkg-config curl tzdata; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
# The operators' own checkers, used by the tests: promtool (prometheus) and systemd-analyze
# (systemd), without the services they recommend.
tools=()
command -v promtool >/dev/null 2>&1 || tools+=(prometheus)
command -v systemd-analyze >/dev/null 2>&1 || tools+=(systemd)
if [ ${#need[@]} -gt 0 ] || [ ${#tools[@]} -gt 0 ]; then
    echo "installing: ${need[*]} ${tools[*]}" >&2
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    if [ ${#need[@]} -gt 0 ]; then
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
    fi
    if [ ${#tools[@]} -gt 0 ]; then
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${tools[@]}" >/dev/null
    fi
fi
if ! command -v swift >/dev/null 2>&1; then
    echo "Swift 6 is required: install the toolchain from swift.org (or your distribution) and put 'swift' on PATH." >&2
    exit 1
fi
