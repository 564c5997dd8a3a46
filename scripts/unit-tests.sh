#!/usr/bin/env bash
# The inner loop: the unit tests alone (engine, configuration and dashboard, on the cell
# buffer), with no servers and no end-to-end runs. Arguments pass through to `swift test`.
set -euo pipefail
cd "$(dirname "$0")/.."
swift test --disable-xctest --filter 'EngineTests|TUITests' "$@"
