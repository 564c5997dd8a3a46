#!/usr/bin/env bash
# Prints every measured number beside its target (release builds, as scripts/run.sh makes them;
# the original's Python pipeline timed on the same response in the same run). About 4 minutes:
# one of them is the dashboard idling for 60 s. Writes nothing outside a temp dir.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/python-env.sh
for product in polisen-dash process-benchmark render-benchmark adaptive-benchmark; do
    swift build -c release --static-swift-stdlib --product "$product" >&2
done
BIN=.build/release
FILE=Tests/Fixtures/polisen/snapshot-2026-08-22T1754Z-dnouri.json
WORK=$(mktemp -d)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT

# simulator NAME [ARGS...]: starts one (in this shell: it exits when its parent does) and sets SIM_PORT.
simulator() {
    local name=$1; shift
    python3 Tests/Simulator/polisen_sim.py --port 0 "$@" > "$WORK/$name.out" 2>/dev/null &
    PIDS+=($!)
    for _ in $(seq 1 100); do grep -q LISTENING "$WORK/$name.out" 2>/dev/null && break; sleep 0.1; done
    SIM_PORT=$(awk '/LISTENING/ {print $2}' "$WORK/$name.out")
}

echo "process stage…" >&2
$BIN/process-benchmark "$FILE" 300 > "$WORK/process.json"
python3 Benchmarks/original_pipeline.py "$FILE" 300 > "$WORK/python.json"

echo "one poll --once, gzip on and off…" >&2
simulator plain
PORT=$SIM_PORT
API="http://127.0.0.1:$PORT/api/events"
/usr/bin/time -f "%M" -o "$WORK/rss" $BIN/polisen-dash poll --once --api-url "$API" --store "$WORK/store" --min-spacing 0 --json > "$WORK/gzip.json"
curl -s -X POST -H 'Content-Type: application/json' --data '{"gzip": false}' "http://127.0.0.1:$PORT/_control/config" > /dev/null
$BIN/polisen-dash poll --once --api-url "$API" --store "$WORK/store" --min-spacing 0 --json > "$WORK/plain.json"

echo "a whole cycle with the original's latencies…" >&2
.venv/bin/python Benchmarks/cycle_benchmark.py $BIN/polisen-dash 6 > "$WORK/cycle.json"

echo "the dashboard: first frame, 1000 cycles, 60 s idle…" >&2
simulator recent --recent
RECENT=$SIM_PORT
DASH=($BIN/polisen-dash --api-url "http://127.0.0.1:$RECENT/api/events" --min-spacing 0)
python3 Benchmarks/dashboard_probe.py first-frame "$RECENT" "${DASH[@]}" > "$WORK/frame.json"
python3 Benchmarks/dashboard_probe.py cycles "$RECENT" "${DASH[@]}" --interval 0.01 --max-per-hour 1000000 --max-per-day 10000000 > "$WORK/cycles.json"
python3 Benchmarks/dashboard_probe.py idle-cpu "$RECENT" "${DASH[@]}" > "$WORK/idle.json"
$BIN/render-benchmark "$FILE" 500 > "$WORK/render.json"
$BIN/adaptive-benchmark --json > "$WORK/adaptive.json"

python3 - "$WORK" <<'PY'
import json, os, sys
work = sys.argv[1]
load = lambda name: json.load(open(f"{work}/{name}.json"))
s, p, gz, plain = load("process"), load("python"), load("gzip"), load("plain")
cycle, frame, cycles, idle, render, adaptive = load("cycle"), load("frame"), load("cycles"), load("idle"), load("render"), load("adaptive")
rss_mb = int(open(f"{work}/rss").read().split()[-1]) / 1024
rows = []
for case in ("all_new", "one_percent_new"):
    sw, py = s["results"][case], p[case]
    rows.append((f"process stage, {case.replace('_', ' ')}: median / p99",
                 f"{sw['median_ms']:.3f} / {sw['p99_ms']:.3f} ms ({sw['events_per_s']:,.0f} events/s, {sw['mb_per_s']:.0f} MB/s)",
                 f"Python {py['median_ms']:.2f} / {py['p99_ms']:.2f} ms: {py['median_ms'] / sw['median_ms']:.1f}x faster", "≥ 30x (0.2-0.3 ms)"))
rows.append(("bytes on the wire, 500 events", f"{gz['http']['bytes_wire']:,} gzip / {plain['http']['bytes_wire']:,} plain",
             f"{plain['http']['bytes_wire'] / gz['http']['bytes_wire']:.1f}x smaller", "compressed"))
rows.append(("peak resident memory, one poll --once", f"{rss_mb:.1f} MB", "Python ~31 MB, 50 MB reported", "≤ 20 MB"))
first, later = cycle["first"]["total_ms"] / 1000, cycle["later_median_ms"] / 1000
rows.append(("whole cycle, original latencies injected", f"{later:.3f} s (2 new), {first:.3f} s (500 new, 9 parts)",
             f"floor 2.6 s, original 3.12 s: {later / 3.12:.3f}x", "≤ 2.73 s"))
r = cycles["rss_kb_by_cycle"]
rows.append(("dashboard, 1000 cycles: resident memory", f"{r['100'] / 1024:.1f} MB at 100, {r['1000'] / 1024:.1f} MB at 1000, peak {cycles['peak_kb'] / 1024:.1f} MB",
             f"{cycles['seconds']:.0f} s against the simulator", "≤ 30 MB, flat"))
rows.append(("dashboard idle, 60 s", f"{idle['cpu_percent_of_a_core']:.2f} % of a core ({idle['cpu_seconds']:.2f} s CPU)", "", "< 1 %"))
rows.append(("dashboard start to first full frame", f"{frame['first_frame_ms_median']:.1f} ms median of {frame['runs']}", "", "< 100 ms"))
big = render["results"]["200x60"]
rows.append(("one frame's render at 200x60", f"{big['median_ms']:.3f} ms median, {big['p99_ms']:.3f} ms p99", "state to cell buffer", ""))
for a in adaptive:
    if a["multiplier"] in (1, 1000):
        rows.append((f"a simulated week at {a['multiplier']}x today's rate, {a['policy']}", f"{a['lost']:,} lost of {a['published']:,}, {a['calls']:,} calls",
                     f"most {a['peak_hour']}/h, {a['peak_day']}/day", "none lost"))
print(f"machine: {os.cpu_count()} cores, {os.uname().machine}, Linux {os.uname().release}")
print(f"{'':48} | {'measured':62} | {'against':40} | target")
for row in rows:
    print(f"{row[0]:48} | {row[1]:62} | {row[2]:40} | {row[3]}")
PY
