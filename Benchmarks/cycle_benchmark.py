#!/usr/bin/env python3
"""A whole cycle with the original deployment's latencies: the API simulator answering after
1.5 s, and the S3 test server (moto) behind a delaying proxy (metadata get 0.5 s, event part
put 0.8 s, metadata put 0.3 s). Runs `poll --once --json` RUNS times into one bucket (the
first stores the whole window, later ones the few new events) and prints the cycle times: the
report's total and the whole process's wall time measured from outside (start to exit), which
is what a timer-started one-shot poller costs, as the original ran.
Usage (with the test venv's python, which has moto and boto3): cycle_benchmark.py BIN [RUNS]"""
import json
import os
import socket
import subprocess
import sys
import time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary, runs = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 6


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(proc):
    line = proc.stdout.readline().decode()
    assert line.startswith("LISTENING "), line
    return int(line.split()[1])


children = []
try:
    moto_port = free_port()
    children.append(subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(moto_port)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", moto_port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    keys = subprocess.run([sys.executable, f"{root}/Tests/S3/moto_setup.py", f"http://127.0.0.1:{moto_port}", "archive"],
                          capture_output=True, text=True, check=True).stdout.split()
    # moto loads its request handling lazily: one put first, so the first cycle is not timing that.
    import boto3
    boto3.client("s3", endpoint_url=f"http://127.0.0.1:{moto_port}", region_name="us-east-1",
                 aws_access_key_id=keys[0], aws_secret_access_key=keys[1]).put_object(Bucket="archive", Key="warm-up", Body=b"x")
    proxy = subprocess.Popen([sys.executable, f"{root}/Benchmarks/delay_proxy.py", str(moto_port)], stdout=subprocess.PIPE)
    children.append(proxy)
    proxy_port = listening(proxy)
    sim = subprocess.Popen([sys.executable, f"{root}/Tests/Simulator/polisen_sim.py", "--port", "0", "--latency", "1.5"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    children.append(sim)
    sim_port = listening(sim)
    env = dict(os.environ, AWS_ACCESS_KEY_ID=keys[0], AWS_SECRET_ACCESS_KEY=keys[1],
               XDG_STATE_HOME=f"/tmp/pd-cycle-bench-{os.getpid()}")
    cycles = []
    for _ in range(runs):
        started = time.perf_counter()
        out = subprocess.run([binary, "poll", "--once", "--json", "--no-wait", "--min-spacing", "0",
                              "--api-url", f"http://127.0.0.1:{sim_port}/api/events",
                              "--store", "s3://archive/bench", "--s3-endpoint", f"http://127.0.0.1:{proxy_port}"],
                             capture_output=True, text=True, env=env)
        wall_ms = (time.perf_counter() - started) * 1000
        report = json.loads(out.stdout)
        assert report["outcome"] == "ok", report
        cycles.append({"total_ms": report["total_ms"], "wall_ms": wall_ms, "new": report["new"], "partitions": report["partitions"],
                       "stages": report["stages"]})
    later = sorted(c["total_ms"] for c in cycles[1:])
    wall = sorted(c["wall_ms"] for c in cycles[1:])
    print(json.dumps({"first": cycles[0], "later_median_ms": later[len(later) // 2], "later_max_ms": later[-1],
                      "later_median_wall_ms": wall[len(wall) // 2], "later_max_wall_ms": wall[-1], "cycles": cycles}))
finally:
    for c in children:
        c.kill()
