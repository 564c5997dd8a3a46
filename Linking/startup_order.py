#!/usr/bin/env python3
"""Writes Linking/startup-sections.txt: the functions that start-up, `poll --once`, `run`'s first
cycle and the dashboard's first cycles execute, as gold section names (`.text.SYMBOL`), the
one-shot's first. Release builds link them side by side (Package.swift, `startupLayout`).

  startup_order.py BINARY SIM_PORT OUT

BINARY is a release build; SIM_PORT a running simulator (Tests/Simulator/polisen_sim.py).
Each run goes under `valgrind --tool=callgrind --dump-instr=yes`; every executed instruction
address in the binary is mapped to its function through the symbol table."""
import bisect
import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time


def symbols(binary):
    out = subprocess.run(["nm", "-S", "-t", "x", "--defined-only", binary], capture_output=True, text=True, check=True)
    table = []
    for line in out.stdout.splitlines():
        parts = line.split(None, 3)
        if len(parts) == 4 and parts[2] in "tTwW":
            table.append((int(parts[0], 16), int(parts[1], 16), parts[3].strip()))
    table.sort()
    return table


def executed(profile, binary_name):
    """Instruction addresses in the binary, in the order the profile lists them."""
    seen, ordered, current = set(), [], None
    with open(profile) as f:
        for line in f:
            if line.startswith("ob="):
                current = line[3:].strip()
            elif line.startswith("0x") and current and os.path.basename(current) == binary_name:
                address = int(line.split()[0], 16)
                if address not in seen:
                    seen.add(address)
                    ordered.append(address)
    return ordered


def callgrind(binary, args, out, stop_after=None, pty_run=False):
    argv = ["valgrind", "--tool=callgrind", "--dump-instr=yes", "--compress-pos=no", "--compress-strings=no",
            f"--callgrind-out-file={out}", binary] + args
    if not pty_run:
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if stop_after:
            deadline = time.monotonic() + 600
            for line in proc.stderr:
                if stop_after in line or time.monotonic() > deadline:
                    proc.send_signal(signal.SIGTERM)
                    break
        proc.communicate(timeout=600)
        return
    # The dashboard: in a pseudo-terminal of 120x40, quit with `q` once it has drawn for a while.
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(TERM="xterm-256color", LANG="C.UTF-8", COLUMNS="120", LINES="40")
        os.execvp(argv[0], argv)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                os.read(fd, 65536)
            except OSError:
                break
    os.write(fd, b"q")
    end = time.monotonic() + 120
    while time.monotonic() < end:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                os.read(fd, 65536)
            except OSError:
                pass
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def main():
    binary, port, out = sys.argv[1], sys.argv[2], sys.argv[3]
    api = f"http://127.0.0.1:{port}/api/events"
    work = tempfile.mkdtemp()
    try:
        # valgrind 3.19 cannot read Swift 6's DWARF 5: run a copy without debug information.
        copy = os.path.join(work, "polisen-dash")
        subprocess.run(["strip", "-g", "-o", copy, binary], check=True)
        store = os.path.join(work, "store")
        common = ["--api-url", api, "--min-spacing", "0"]
        runs = [
            (["poll", "--once", "--json", "--store", store] + common, {}),
            (["poll", "--once", "--store", store] + common, {}),
            (["--version"], {}),
            (["run", "--store", os.path.join(work, "run-store")] + common, {"stop_after": "cycle 1 "}),
            (["--store", os.path.join(work, "dash-store"), "--interval", "1"] + common, {"pty_run": True}),
        ]
        table = symbols(copy)
        starts = [s[0] for s in table]
        names, listed = [], set()
        for i, (args, options) in enumerate(runs):
            profile = os.path.join(work, f"cg.{i}")
            callgrind(copy, args, profile, **options)
            for address in executed(profile, "polisen-dash"):
                j = bisect.bisect_right(starts, address) - 1
                if j >= 0 and address < table[j][0] + table[j][1] and table[j][2] not in listed:
                    listed.add(table[j][2])
                    names.append(table[j][2])
            print(f"{' '.join(args[:2])}: {len(names)} functions so far", file=sys.stderr)
        with open(out, "w") as f:
            f.writelines(f".text.{name}\n" for name in names)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
