#!/usr/bin/env python3
"""The table scripts/benchmark.sh prints: every figure beside what it is compared with and its
target. Usage: report.py WORK_DIR (the files benchmark.sh wrote there)."""
import json
import os
import sys

work = sys.argv[1]


def load(name):
    return json.load(open(f"{work}/{name}.json"))


def kb_file(name):
    return int(open(f"{work}/{name}").read().split()[-1]) / 1024


s, p, simd = load("process"), load("python"), load("simdjson")
ins = json.loads(open(f"{work}/instructions.txt").read())
gz, plain, cycle = load("gzip"), load("plain"), load("cycle")
frame, soak, idle, render, adaptive, search = load("frame"), load("soak"), load("idle"), load("render"), load("adaptive"), load("search")
rows = []
for case in ("all_new", "one_percent_new"):
    sw, py = s["results"][case], p[case]
    si, pi = ins[f"swift_{case}"], ins[f"python_{case}"]
    rows.append((f"process stage, {case.replace('_', ' ')}: median / p99",
                 f"{sw['median_ms']:.3f} / {sw['p99_ms']:.3f} ms; {si / 1e6:.2f} M instructions",
                 f"original's pipeline {py['median_ms']:.2f} ms, {pi / 1e6:.1f} M: {py['median_ms'] / sw['median_ms']:.1f}x time, {pi / si:.1f}x instr.",
                 "≥ 30x in time" if case == "all_new" else "report"))
sw1, si1 = s["results"]["one_percent_new"], ins["swift_one_percent_new"]
rows.append(("the physical limit at 1 % new: simdjson parse", f"{simd['median_ms']:.3f} ms; {ins['simdjson'] / 1e6:.2f} M instructions",
             f"ours {sw1['median_ms'] / simd['median_ms']:.1f}x its time, {si1 / ins['simdjson']:.1f}x its instr.", ""))
rows.append(("bytes on the wire, 500 events", f"{gz['http']['bytes_wire']:,} gzip / {plain['http']['bytes_wire']:,} plain",
             f"{plain['http']['bytes_wire'] / gz['http']['bytes_wire']:.1f}x smaller", "compressed"))
rows.append(("peak resident memory: --version / poll --once / run's 1st cycle",
             f"{kb_file('rss-version'):.1f} / {kb_file('rss'):.1f} / {kb_file('rss-run'):.1f} MB", "Python ~31 MB, 50 MB reported", "≤ 20 MB"))
first, later = cycle["first"], cycle["later_median_ms"] / 1000
rows.append(("one-shot poll --once, original latencies, from outside", f"{cycle['later_median_wall_ms'] / 1000:.3f} s wall (2 new); report {later:.3f} s",
             f"first (500 new): {first['wall_ms'] / 1000:.3f} s wall; original 3.12 s", "≤ 2.70 s"))
rows.append((f"dashboard after a {soak['seconds'] / 60:.0f}-minute high-rate soak", f"{soak['final_kb'] / 1024:.1f} MB, peak {soak['peak_kb'] / 1024:.1f} MB",
             f"{soak['cycles']:,} cycles", "≤ 30 MB"))
rows.append(("dashboard idle, 60 s", f"{idle['cpu_percent_of_a_core']:.2f} % of a core ({idle['cpu_seconds']:.2f} s CPU)", "", "< 1 %"))
rows.append(("dashboard start to first full frame", f"{frame['first_frame_ms_median']:.1f} ms median of {frame['runs']}", "", "< 100 ms"))
big = render["results"]["200x60"]
rows.append(("one frame's render at 200x60", f"{big['median_ms']:.3f} ms median, {big['p99_ms']:.3f} ms p99", "state to cell buffer", ""))
for a in adaptive:
    if a["multiplier"] in (1, 1000):
        rows.append((f"a simulated week at {a['multiplier']}x today's rate, {a['policy']}", f"{a['lost']:,} lost of {a['published']:,}, {a['calls']:,} calls",
                     f"most {a['peak_hour']}/h, {a['peak_day']}/day", "none lost"))
for state in ("uncompacted", "compacted"):
    r = search[state]
    g, pd = r["grep"], r["replay"]
    rows.append((f"replay --grep {search['word']}, a year, {state} ({r['files']:,} files), warm",
                 f"{pd['warm_best_wall_s']:.3f} s wall, {pd['warm_best_cpu_s']:.3f} s CPU, peak {pd['peak_kb'] / 1024:.1f} MB",
                 f"grep -r -i -c {g['warm_best_wall_s']:.3f} s / {g['warm_best_cpu_s']:.3f} s CPU: {pd['warm_best_wall_s'] / g['warm_best_wall_s']:.2f}x",
                 "≤ 2x grep, ≤ 40 MB"))
    if "cold_wall_s" in pd:
        rows.append((f"the same, page cache dropped", f"{pd['cold_wall_s']:.3f} s", f"grep {g['cold_wall_s']:.3f} s",
                     "≤ 1 s" if state == "uncompacted" else ""))
rows.append(("compact of the year", f"{search['compact_s']:.1f} s", f"replay output identical: {search['replay_identical_after_compaction']}", ""))
print(f"machine: {os.cpu_count()} cores, {os.uname().machine}, Linux {os.uname().release}; load average at the end {os.getloadavg()[0]:.1f}")
print(f"{'':58} | {'measured':56} | {'against':58} | target")
for row in rows:
    print(f"{row[0]:58} | {row[1]:56} | {row[2]:58} | {row[3]}")
