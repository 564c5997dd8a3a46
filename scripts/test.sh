#!/usr/bin/env bash
# Runs the whole test suite: unit tests, and end-to-end tests that drive the real binary against
# a real HTTP simulator of the API (and, where needed, real servers started here).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# The S3-compatible test server and a client we did not write, in the project's own venv.
if ! .venv/bin/python -c "import moto, boto3; assert tuple(map(int, moto.__version__.split('.')[:3])) >= (5, 2, 5)" 2>/dev/null; then
    python3 -m venv .venv
    .venv/bin/pip install -q --disable-pip-version-check 'moto[server]>=5.2.5' boto3
fi
swift build --product polisen-dash
swift test --disable-xctest "$@"
