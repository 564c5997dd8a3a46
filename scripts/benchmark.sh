#!/usr/bin/env bash
# Prints every measured number beside its target (release builds, as scripts/run.sh makes them;
# the original's Python pipeline timed on the same response in the same run). Bounded: about
# 20 minutes, of which the dashboard's soak is 10 (SOAK_SECONDS=60 shortens it) and generating a
# one-year store about 4 (YEAR_STORE=DIR reuses one that replay-benchmark generated).
# Writes nothing outside a temp dir (and YEAR_STORE when given, which it compacts).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/python-env.sh
for product in polisen-dash process-benchmark render-benchmark adaptive-benchmark replay-benchmark; do
    swift build -c release --static-swift-stdlib --product "$product" >&2
done
BIN=.build/release
FILE=Tests/Fixtures/polisen/snapshot-2026-08-22T1754Z-dnouri.json
WORK=$(mktemp -d)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
if ! [ -e /usr/include/simdjson.h ]; then sudo_apt=$(command -v sudo || true); $sudo_apt apt-get install -y -q libsimdjson-dev >&2; fi
g++ -O2 -std=c++17 Benchmarks/SimdjsonLimit/validate.cpp -lsimdjson -o "$WORK/simdjson-limit"

# simulator NAME [ARGS...]: starts one (in this shell: it exits when its parent does) and sets SIM_PORT.
simulator() {
    local name=$1; shift
    python3 Tests/Simulator/polisen_sim.py --port 0 "$@" > "$WORK/$name.out" 2>/dev/null &
    PIDS+=($!)
    for _ in $(seq 1 100); do grep -q LISTENING "$WORK/$name.out" 2>/dev/null && break; sleep 0.1; done
    SIM_PORT=$(awk '/LISTENING/ {print $2}' "$WORK/$name.out")
}

# instructions NAME N1 N2 CMD...: instructions of one run, as the difference between N2 and N1
# runs under callgrind (start-up cancels out); CMD gets the run count where it says RUNS.
instructions() {
    local name=$1 n1=$2 n2=$3; shift 3
    local counts=()
    for n in "$n1" "$n2"; do
        valgrind --tool=callgrind --callgrind-out-file=/dev/null "${@/RUNS/$n}" > /dev/null 2> "$WORK/cg.err"
        counts+=("$(awk '/Collected/ {print $NF}' "$WORK/cg.err")")
    done
    echo "\"$name\": $(( (counts[1] - counts[0]) / (n2 - n1) ))," >> "$WORK/instructions.txt"
}

echo "process stage: time…" >&2
$BIN/process-benchmark "$FILE" 300 > "$WORK/process.json"
python3 Benchmarks/original_pipeline.py "$FILE" 300 > "$WORK/python.json"
"$WORK/simdjson-limit" "$FILE" 300 > "$WORK/simdjson.json"
echo "process stage: instructions (callgrind)…" >&2
# valgrind 3.19 cannot read Swift 6's DWARF 5: count instructions on a stripped copy.
strip -g -o "$WORK/process-benchmark" $BIN/process-benchmark
# The interpreter itself, not a wrapper script that would exec it outside valgrind's view.
PY=$(python3 -c 'import sys; print(sys.executable)')
echo "{" > "$WORK/instructions.txt"
for case in all_new one_percent_new; do
    instructions "swift_$case" 20 120 "$WORK/process-benchmark" "$FILE" RUNS "$case"
    instructions "python_$case" 3 13 "$PY" Benchmarks/original_pipeline.py "$FILE" RUNS "$case"
done
instructions simdjson 20 120 "$WORK/simdjson-limit" "$FILE" RUNS
echo '"unit": "instructions"}' >> "$WORK/instructions.txt"

echo "memory: --version, poll --once, run's first cycle…" >&2
simulator plain
PORT=$SIM_PORT
API="http://127.0.0.1:$PORT/api/events"
/usr/bin/time -f "%M" -o "$WORK/rss-version" $BIN/polisen-dash --version > /dev/null
/usr/bin/time -f "%M" -o "$WORK/rss" $BIN/polisen-dash poll --once --api-url "$API" --store "$WORK/store" --min-spacing 0 --json > "$WORK/gzip.json"
curl -s -X POST -H 'Content-Type: application/json' --data '{"gzip": false}' "http://127.0.0.1:$PORT/_control/config" > /dev/null
$BIN/polisen-dash poll --once --api-url "$API" --store "$WORK/store" --min-spacing 0 --json > "$WORK/plain.json"
# run: a fresh store, stopped by SIGTERM once its first cycle is logged.
/usr/bin/time -f "%M" -o "$WORK/rss-run" $BIN/polisen-dash run --api-url "$API" --store "$WORK/store-run" --min-spacing 0 2> "$WORK/run.log" &
RUN_TIME=$!
for _ in $(seq 1 300); do grep -q "cycle 1 " "$WORK/run.log" 2>/dev/null && break; sleep 0.1; done
pkill -TERM -P "$RUN_TIME" || true
wait "$RUN_TIME" || true

echo "a whole cycle with the original's latencies…" >&2
.venv/bin/python Benchmarks/cycle_benchmark.py $BIN/polisen-dash 6 > "$WORK/cycle.json"

echo "the dashboard: first frame, a ${SOAK_SECONDS:-600} s soak at a high rate, 60 s idle…" >&2
simulator recent --recent
RECENT=$SIM_PORT
DASH=($BIN/polisen-dash --api-url "http://127.0.0.1:$RECENT/api/events" --min-spacing 0)
python3 Benchmarks/dashboard_probe.py first-frame "$RECENT" "${DASH[@]}" > "$WORK/frame.json"
python3 Benchmarks/dashboard_probe.py soak "$RECENT" "${DASH[@]}" --interval 0.01 --max-per-hour 1000000 --max-per-day 10000000 > "$WORK/soak.json"
python3 Benchmarks/dashboard_probe.py idle-cpu "$RECENT" "${DASH[@]}" > "$WORK/idle.json"
$BIN/render-benchmark "$FILE" 500 > "$WORK/render.json"
$BIN/adaptive-benchmark --json > "$WORK/adaptive.json"

echo "history search on a one-year store…" >&2
YEAR=${YEAR_STORE:-$WORK/year}
[ -d "$YEAR/events" ] || $BIN/replay-benchmark "$YEAR" > /dev/null
python3 Benchmarks/search_benchmark.py $BIN/polisen-dash "$YEAR" kävlinge > "$WORK/search.json"

python3 Benchmarks/report.py "$WORK"
