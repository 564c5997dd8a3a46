#!/usr/bin/env python3
"""The original Python poller's process stage, as its own code does it: json.loads of the
response, set-based dedupe against up to 1000 seen ids, grouping by date the way it parses the
API's datetime (a regex pads the one-digit hour, then datetime.fromisoformat, then strftime),
and json.dumps of each event into JSONL. Usage: original_pipeline.py FILE [RUNS [CASE]]
Prints JSON: best / median / p99 milliseconds, all new and 1 % new (CASE all_new or
one_percent_new runs only that one, for instruction counts under callgrind)."""
import json
import re
import sys
import time
from collections import defaultdict
from datetime import datetime


# "2018-04-13 9:56:41 +02:00": fromisoformat needs a two-digit hour.
HOUR = re.compile(r" (\d):")


def process(body, seen):
    events = json.loads(body)
    new = [e for e in events if e["id"] not in seen]
    groups = defaultdict(list)
    for e in new:
        when = datetime.fromisoformat(HOUR.sub(r" 0\1:", e["datetime"], count=1))
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
cases = {"all_new": set(), "one_percent_new": seen_most}
only = sys.argv[3] if len(sys.argv) > 3 else None
print(json.dumps({name: measure(body, seen, runs) for name, seen in cases.items() if only in (None, name)}, sort_keys=True))
