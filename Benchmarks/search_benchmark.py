#!/usr/bin/env python3
"""Year-wide history search from outside: `polisen-dash replay --grep WORD` against GNU grep
(`grep -r -i -c WORD`) over the same files, warm (files in the page cache; best of 5 after one
warm-up run, wall and CPU), cold (page cache dropped, when this user may drop it), and peak
resident memory; then `polisen-dash compact` of the store and the same again.
Usage: search_benchmark.py BIN STORE WORD. Prints JSON. The store is compacted in place."""
import json
import os
import resource
import subprocess
import sys
import time

binary, store, word = sys.argv[1], sys.argv[2], sys.argv[3]


def run(argv):
    """Wall seconds, CPU seconds (user + system) and peak RSS in KB of one child, and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    r, w = os.pipe()
    proc = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", f"/dev/fd/{w}"] + argv, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, pass_fds=(w,))
    os.close(w)
    stdout, _ = proc.communicate()
    wall = time.perf_counter() - start
    peak = int(os.read(r, 100).decode().split()[-1])
    os.close(r)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_s": wall, "cpu_s": cpu, "peak_kb": peak}, stdout


def drop_caches():
    try:
        subprocess.run(["sync"], check=True)
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
        return True
    except OSError:
        return False


def measure():
    grep = ["grep", "-r", "-i", "-c", word, os.path.join(store, "events")]
    replay = [binary, "replay", "--store", store, "--grep", word, "--json"]
    result = {}
    for name, argv in (("grep", grep), ("replay", replay)):
        run(argv)  # warm-up: the page cache
        runs = [run(argv) for _ in range(5)]
        result[name] = {"warm_best_wall_s": min(r[0]["wall_s"] for r in runs),
                        "warm_best_cpu_s": min(r[0]["cpu_s"] for r in runs),
                        "warm_median_wall_s": sorted(r[0]["wall_s"] for r in runs)[2],
                        "peak_kb": max(r[0]["peak_kb"] for r in runs)}
        output = runs[0][1]
        if name == "replay":
            result["replay"]["events"] = output.count(b"\n")
            result["replay_output"] = output
        if drop_caches():
            cold, _ = run(argv)
            result[name]["cold_wall_s"] = cold["wall_s"]
    files = sum(len(f) for _, _, f in os.walk(os.path.join(store, "events")))
    result["files"] = files
    return result


before = measure()
start = time.perf_counter()
compact = subprocess.run([binary, "compact", "--store", store, "--before", "2100-01-01"], capture_output=True, text=True)
compact_s = time.perf_counter() - start
assert compact.returncode == 0, compact.stderr
after = measure()
identical = before.pop("replay_output") == after.pop("replay_output")
print(json.dumps({"word": word, "uncompacted": before, "compacted": after, "compact_s": compact_s,
                  "replay_identical_after_compaction": identical}))
