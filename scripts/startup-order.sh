#!/usr/bin/env bash
# Regenerates Linking/startup-sections.txt, the functions a release build links side by side
# (see Package.swift, startupLayout), from profiles of the release binary: `poll --once`,
# `--version`, `run`'s first cycle and the dashboard against the simulator. Rerun it after large
# changes to start-up or to a cycle (a function missing from the list still works, it only
# costs resident memory), then rebuild. Takes about two minutes; needs valgrind.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --static-swift-stdlib --product polisen-dash >&2
WORK=$(mktemp -d)
SIM=""
trap '[ -n "$SIM" ] && kill "$SIM" 2>/dev/null; rm -rf "$WORK"' EXIT
python3 Tests/Simulator/polisen_sim.py --port 0 --recent > "$WORK/sim.out" 2>/dev/null &
SIM=$!
for _ in $(seq 1 100); do grep -q LISTENING "$WORK/sim.out" 2>/dev/null && break; sleep 0.1; done
PORT=$(awk '/LISTENING/ {print $2}' "$WORK/sim.out")
python3 Linking/startup_order.py .build/release/polisen-dash "$PORT" Linking/startup-sections.txt
# The build does not track the list: relink so the binary uses the new one.
rm -f .build/release/polisen-dash
swift build -c release --static-swift-stdlib --product polisen-dash >&2
