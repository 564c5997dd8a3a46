#!/usr/bin/env python3
"""Measures the real dashboard binary in a pseudo-terminal, against a running simulator.

  dashboard_probe.py first-frame SIM_PORT BIN [ARGS...]   start to first full frame, 10 runs
  dashboard_probe.py idle-cpu SIM_PORT BIN [ARGS...]      CPU over 60 s idle after a cycle
  dashboard_probe.py cycles SIM_PORT BIN [ARGS...]        resident memory across 1000 cycles

Prints one JSON object. The terminal is 120x40 (first-frame, idle-cpu) or 200x60 (cycles)."""
import fcntl
import json
import os
import pty
import select
import signal
import struct
import sys
import tempfile
import termios
import threading
import time
import urllib.request

CLK_TCK = os.sysconf("SC_CLK_TCK")


def spawn(argv, cols, rows):
    pid, fd = pty.fork()
    if pid == 0:
        env = dict(os.environ, TERM="xterm-256color", LANG="C.UTF-8", COLUMNS=str(cols), LINES=str(rows))
        os.execve(argv[0], argv, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    return pid, fd


def drain_forever(fd):
    def run():
        while True:
            try:
                if not os.read(fd, 65536):
                    return
            except OSError:
                return
    threading.Thread(target=run, daemon=True).start()


def requests_served(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_log") as r:
        return len(json.load(r))


def cpu_ticks(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def status_kb(pid, key):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def stop(pid, fd):
    try:
        os.write(fd, b"q")
        for _ in range(50):
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                return
            time.sleep(0.05)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    finally:
        os.close(fd)


def first_frame(port, argv):
    """From fork to the moment the bottom line's key hints (drawn last) have arrived."""
    times = []
    for _ in range(10):
        store = tempfile.mkdtemp(prefix="pd-frame-")
        start = time.perf_counter()
        pid, fd = spawn(argv + ["--store", store], 120, 40)
        seen = b""
        while b"q quit" not in seen:
            ready, _, _ = select.select([fd], [], [], 5)
            if not ready:
                raise SystemExit("no frame within 5 s")
            seen += os.read(fd, 65536)
        times.append((time.perf_counter() - start) * 1000)
        drain_forever(fd)
        stop(pid, fd)
    times.sort()
    return {"first_frame_ms_median": times[len(times) // 2], "first_frame_ms_best": times[0], "runs": len(times)}


def idle_cpu(port, argv):
    store = tempfile.mkdtemp(prefix="pd-idle-")
    before = requests_served(port)
    pid, fd = spawn(argv + ["--store", store], 120, 40)
    drain_forever(fd)
    deadline = time.time() + 30
    while requests_served(port) == before and time.time() < deadline:
        time.sleep(0.1)
    time.sleep(2)  # the cycle's writes and the redraw after it
    t0, c0 = time.time(), cpu_ticks(pid)
    time.sleep(60)
    t1, c1 = time.time(), cpu_ticks(pid)
    stop(pid, fd)
    seconds = (c1 - c0) / CLK_TCK
    return {"idle_seconds": round(t1 - t0, 1), "cpu_seconds": seconds, "cpu_percent_of_a_core": 100 * seconds / (t1 - t0)}


def cycles(port, argv, count=int(os.environ.get("PROBE_CYCLES", "1000"))):
    store = tempfile.mkdtemp(prefix="pd-cycles-")
    before = requests_served(port)
    pid, fd = spawn(argv + ["--store", store], 200, 60)
    drain_forever(fd)
    samples = {}
    start = time.time()
    next_mark = 100
    while next_mark <= count:
        served = requests_served(port) - before
        if served >= next_mark:
            samples[next_mark] = status_kb(pid, "VmRSS")
            next_mark += 100
        elif time.time() - start > 900:
            raise SystemExit(f"only {served} cycles in 15 min")
        else:
            time.sleep(0.05)
    peak = status_kb(pid, "VmHWM")
    stop(pid, fd)
    marks = sorted(samples)
    return {"cycles": count, "seconds": round(time.time() - start, 1), "rss_kb_by_cycle": samples, "peak_kb": peak,
            f"growth_kb_from_cycle_{marks[len(marks) // 2]}_to_{marks[-1]}": samples[marks[-1]] - samples[marks[len(marks) // 2]]}


def soak(port, argv, seconds=float(os.environ.get("SOAK_SECONDS", "600"))):
    """The dashboard polling as fast as it is let (new events every call) for `seconds`:
    resident memory every 10 s, and the peak (VmHWM) at the end."""
    store = tempfile.mkdtemp(prefix="pd-soak-")
    before = requests_served(port)
    pid, fd = spawn(argv + ["--store", store], 200, 60)
    drain_forever(fd)
    start = time.time()
    samples = []
    while time.time() - start < seconds:
        time.sleep(min(10, max(0.1, seconds - (time.time() - start))))
        samples.append((round(time.time() - start), status_kb(pid, "VmRSS")))
    peak = status_kb(pid, "VmHWM")
    served = requests_served(port) - before
    stop(pid, fd)
    return {"seconds": seconds, "cycles": served, "rss_kb": samples, "final_kb": samples[-1][1], "peak_kb": peak}


mode, port, argv = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
print(json.dumps({"first-frame": first_frame, "idle-cpu": idle_cpu, "cycles": cycles, "soak": soak}[mode](port, argv)))
