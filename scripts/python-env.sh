#!/usr/bin/env bash
# The project's own Python environment (.venv): the S3 test server (moto) and a client we did
# not write (boto3), for the tests and the cycle benchmark; DuckDB, which the export test reads
# the export with as a data user would.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! .venv/bin/python -c "import moto, boto3, duckdb; assert tuple(map(int, moto.__version__.split('.')[:3])) >= (5, 2, 5)" 2>/dev/null; then
    python3 -m venv .venv
    .venv/bin/pip install -q --disable-pip-version-check 'moto[server]>=5.2.5' boto3 duckdb
fi
