#!/usr/bin/env bash
# Runs the whole test suite: unit tests, and end-to-end tests that drive the real binary against
# a real HTTP simulator of the API (and, where needed, real servers started here).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/python-env.sh
swift build --product polisen-dash
# The man page generator, for the install test (a build cannot run while `swift test` holds .build).
swift build --product generate-manual
swift test --disable-xctest "$@"
