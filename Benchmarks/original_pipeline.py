#!/usr/bin/env python3
"""The original Python poller's process stage, rendered from its analysis: json.loads of the
response, set-based dedupe against up to 1000 seen ids, grouping by date through datetime
parsing, and json.dumps of each event into JSONL. Usage: original_pipeline.py FILE [RUNS]
Prints JSON: best / median / p99 milliseconds, all new and 1 % new."""
import json
import sys
import time
from collections import defaultdict
from datetime import datetime


def process(body, seen):
    events = json.loads(body)
    new = [e for e in events if e["id"] not in seen]
    groups = defaultdict(list)
    for e in new:
        when = datetime.strptime(e["datetime"], "%Y-%m-%d %H:%M:%S %z")
        groups[when.strftime("%Y/%m/%d")].append(e)
    return {day: "\n".join(json.dumps(e, ensure_ascii=False) for e in evs) + "\n" for day, evs in groups.items()}


def measure(body, seen, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        process(body, seen)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"best_ms": times[0], "median_ms": times[len(times) // 2], "p99_ms": times[min(len(times) - 1, len(times) * 99 // 100)]}


path = sys.argv[1]
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 200
body = open(path, "rb").read()
ids = [e["id"] for e in json.loads(body)]
seen_most = set(ids[len(ids) // 100:][:1000])
print(json.dumps({"all_new": measure(body, set(), runs), "one_percent_new": measure(body, seen_most, runs)}, sort_keys=True))
