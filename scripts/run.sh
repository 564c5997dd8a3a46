#!/usr/bin/env bash
# Builds polisen-dash (release) and runs it; arguments pass through: scripts/run.sh poll --once
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product polisen-dash >&2
exec .build/release/polisen-dash "$@"
