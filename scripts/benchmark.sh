#!/usr/bin/env bash
# Prints measured numbers beside their targets (release builds; the original's Python
# pipeline timed on the same response in the same run). Writes nothing outside a temp dir.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product polisen-dash >&2
swift build -c release --product process-benchmark >&2
BIN=.build/release
FILE=Tests/Fixtures/polisen/snapshot-2026-08-22T1754Z-dnouri.json
WORK=$(mktemp -d)
SIM_PID=""
trap '[ -n "$SIM_PID" ] && kill $SIM_PID 2>/dev/null; rm -rf "$WORK"' EXIT

swift_json=$($BIN/process-benchmark "$FILE" 300)
python_json=$(python3 Benchmarks/original_pipeline.py "$FILE" 300)

python3 Tests/Simulator/polisen_sim.py --port 0 > "$WORK/sim.out" 2>/dev/null &
SIM_PID=$!
for _ in $(seq 1 50); do grep -q LISTENING "$WORK/sim.out" 2>/dev/null && break; sleep 0.1; done
PORT=$(awk '/LISTENING/ {print $2}' "$WORK/sim.out")
API="http://127.0.0.1:$PORT/api/events"
/usr/bin/time -f "%M" -o "$WORK/rss" $BIN/polisen-dash poll --once --api-url "$API" --store "$WORK/store" --min-spacing 0 --json > "$WORK/gzip.json"
curl -s -X POST -H 'Content-Type: application/json' --data '{"gzip": false}' "http://127.0.0.1:$PORT/_control/config" > /dev/null
$BIN/polisen-dash poll --once --api-url "$API" --store "$WORK/store" --min-spacing 0 --json > "$WORK/plain.json"

python3 - "$swift_json" "$python_json" "$WORK" <<'PY'
import json, os, sys
s, p, work = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
gz, plain = json.load(open(f"{work}/gzip.json")), json.load(open(f"{work}/plain.json"))
rss_mb = int(open(f"{work}/rss").read().split()[-1]) / 1024
rows = []
for case in ("all_new", "one_percent_new"):
    sw, py = s["results"][case], p[case]
    rows.append((f"process stage, {case.replace('_', ' ')}: median / p99",
                 f"{sw['median_ms']:.3f} / {sw['p99_ms']:.3f} ms ({sw['events_per_s']:,.0f} events/s, {sw['mb_per_s']:.0f} MB/s)",
                 f"Python {py['median_ms']:.2f} / {py['p99_ms']:.2f} ms: {py['median_ms'] / sw['median_ms']:.1f}x", "≥ 30x"))
rows.append(("bytes on the wire, 500 events", f"{gz['http']['bytes_wire']:,} gzip / {plain['http']['bytes_wire']:,} plain",
             f"{plain['http']['bytes_wire'] / gz['http']['bytes_wire']:.1f}x smaller", "compressed"))
rows.append(("peak resident memory, one poll --once", f"{rss_mb:.1f} MB", "Python ~31 MB, 50 MB reported", "≤ 20 MB"))
print(f"machine: {os.cpu_count()} cores, {os.uname().machine}, {os.uname().release}")
print(f"{'':44} | {'measured':58} | {'against':32} | target")
for r in rows:
    print(f"{r[0]:44} | {r[1]:58} | {r[2]:32} | {r[3]}")
PY
