#!/usr/bin/env python3
"""A simulator of the Swedish Police events API for polisen-dash's tests.

Serves the real fixture events as a moving window of the newest 500 (by publication time),
compact and gzip-compressed when asked, in a realistically unsorted order. Every API request
advances the window by --step events. Knobs, set over HTTP on the same port:

  POST /_control/faults   {"faults": [FAULT, ...]}   queued; each API request takes the next
  POST /_control/edit     {"id": N, "fields": {...}} change an event's content (an edit)
  POST /_control/advance  {"events": N}              publish N more events now
  POST /_control/config   {"step": N, "gzip": bool, "latency": seconds}
  GET  /_log              every API request: time, user agent, encoding, status, fault
  GET  /_served           every distinct version served, per id, as the exact lines sent
  GET  /_window           the current window, as served next (without advancing)

A FAULT is {"status": 503, "retry_after": "2"} or {"kind": K} with K one of: reset, truncate,
gzip_truncate, html, redirect, empty_body, empty_array, huge, filtered, delay (with "seconds"),
not_array, bad_event (one event with a string id). Prints "LISTENING <port>" once ready.
"""
import argparse
import gzip
import json
import os
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WINDOW = 500


def compact(event):
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"))


def instant(dt):
    # "2023-03-25 9:43:15 +01:00" -> seconds (only ordering matters here)
    date, clock, offset = dt.split(" ")
    y, mo, d = (int(x) for x in date.split("-"))
    h, mi, s = (int(x) for x in clock.split(":"))
    sign = 1 if offset[0] == "+" else -1
    oh, om = (int(x) for x in offset[1:].split(":"))
    import calendar
    return calendar.timegm((y, mo, d, h, mi, s, 0, 0, 0)) - sign * (oh * 3600 + om * 60)


def redate(timeline, self_start, spacing=1000):
    """--recent: events published every `spacing` seconds, the one at the start cursor now, in
    Stockholm's local time and offset, so that a poller sees them as recent (as the real API's)."""
    from datetime import datetime, timezone
    from zoneinfo import ZoneInfo
    stockholm = ZoneInfo("Europe/Stockholm")
    now = time.time()
    for i, e in enumerate(timeline):
        local = datetime.fromtimestamp(now + (i - self_start) * spacing, tz=timezone.utc).astimezone(stockholm)
        offset = local.utcoffset().total_seconds() // 60
        e["datetime"] = f"{local:%Y-%m-%d} {local.hour}:{local:%M:%S} +{int(offset // 60):02d}:{int(offset % 60):02d}"


class Simulator:
    def __init__(self, fixtures_dir, start, step, use_gzip, latency, recent=False):
        self.lock = threading.Lock()
        files = sorted(f for f in os.listdir(fixtures_dir) if f.endswith(".json"))
        first_version = {}
        self.filtered = []
        for name in files:
            with open(os.path.join(fixtures_dir, name), encoding="utf-8-sig") as fh:
                events = json.load(fh)
            if "filtered" in name:
                if not self.filtered:
                    self.filtered = events
                continue
            for e in events:
                first_version.setdefault(e["id"], e)
        self.timeline = sorted(first_version.values(), key=lambda e: (instant(e["datetime"]), e["id"]))
        if recent:
            redate(self.timeline, self_start=min(max(start, 1), len(self.timeline)))
        self.current = {e["id"]: e for e in self.timeline}
        self.cursor = min(max(start, 1), len(self.timeline))
        self.step = step
        self.gzip = use_gzip
        self.latency = latency
        self.faults = []
        self.log = []
        self.served = {}  # id -> [line, ...] distinct, in order first served

    def window(self):
        newest = [self.current[e["id"]] for e in self.timeline[max(0, self.cursor - WINDOW):self.cursor]]
        newest.reverse()  # newest first, as the API
        # The real array is not sorted: swap every 7th adjacent pair and bump one old event up.
        out = list(newest)
        for i in range(3, len(out) - 1, 7):
            out[i], out[i + 1] = out[i + 1], out[i]
        if len(out) > 50:
            out.insert(5, out.pop(len(out) - 20))
        return out

    def record_served(self, events):
        for e in events:
            line = compact(e)
            versions = self.served.setdefault(e["id"], [])
            if not versions or versions[-1] != line:
                versions.append(line)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    sim = None  # set by main

    def log_message(self, *args):
        pass

    def send_body(self, status, body, content_type="application/json; charset=utf-8", headers=(), compress=True):
        raw = body
        if compress and self.sim.gzip and "gzip" in (self.headers.get("Accept-Encoding") or ""):
            body = gzip.compress(body)
            headers = list(headers) + [("Content-Encoding", "gzip")]
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return len(raw)

    def read_json(self):
        n = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(n) or b"{}")

    def do_POST(self):
        sim = self.sim
        data = self.read_json()
        with sim.lock:
            if self.path == "/_control/faults":
                sim.faults.extend(data.get("faults", []))
            elif self.path == "/_control/edit":
                eid = int(data["id"])
                event = dict(sim.current[eid])
                for k, v in data.get("fields", {}).items():
                    event[k] = v
                sim.current[eid] = event
            elif self.path == "/_control/advance":
                sim.cursor = min(len(sim.timeline), sim.cursor + int(data.get("events", 1)))
            elif self.path == "/_control/config":
                sim.step = int(data.get("step", sim.step))
                sim.gzip = bool(data.get("gzip", sim.gzip))
                sim.latency = float(data.get("latency", sim.latency))
            else:
                return self.send_body(404, b'{"error":"unknown control"}', compress=False)
        self.send_body(200, b'{"ok":true}', compress=False)

    def do_GET(self):
        sim = self.sim
        if self.path == "/_log":
            with sim.lock:
                body = json.dumps(sim.log).encode()
            return self.send_body(200, body, compress=False)
        if self.path == "/_served":
            with sim.lock:
                body = json.dumps({str(k): v for k, v in sim.served.items()}, ensure_ascii=False).encode()
            return self.send_body(200, body, compress=False)
        if self.path == "/_window":
            with sim.lock:
                body = ("[" + ",".join(compact(e) for e in sim.window()) + "]").encode()
            return self.send_body(200, body, compress=False)
        if self.path.split("?")[0] != "/api/events":
            return self.send_body(404, b'{"error":"not found"}')
        self.api()

    def api(self):
        sim = self.sim
        with sim.lock:
            fault = sim.faults.pop(0) if sim.faults else None
            entry = {
                "t": time.time(),
                "user_agent": self.headers.get("User-Agent"),
                "accept_encoding": self.headers.get("Accept-Encoding"),
                "fault": fault,
            }
            sim.log.append(entry)
            events = sim.window()
            latency = sim.latency
        if latency:
            time.sleep(latency)
        kind = (fault or {}).get("kind")
        status = (fault or {}).get("status")
        if kind == "delay":
            time.sleep(float(fault.get("seconds", 1)))
            kind = None
        if kind == "reset":
            entry["status"] = "reset"
            # SO_LINGER 0: close with RST instead of FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        if status and status != 200:
            headers = [("Retry-After", str(fault["retry_after"]))] if "retry_after" in fault else []
            entry["status"] = status
            return self.send_body(status, b'{"error":"simulated"}', headers=headers)
        body_events = events
        if kind == "filtered":
            body_events = sim.filtered
        elif kind == "empty_array":
            body_events = []
        elif kind == "bad_event":
            body_events = [dict(events[0], id="not-a-number")] + events[1:]
        if kind == "html":
            entry["status"] = 200
            return self.send_body(200, b"<!DOCTYPE html><html><body>Too many requests</body></html>",
                                  content_type="text/html; charset=utf-8")
        if kind == "redirect":
            entry["status"] = 302
            return self.send_body(302, b"", headers=[("Location", "https://polisen.se/rate-limited")])
        if kind == "empty_body":
            entry["status"] = 200
            return self.send_body(200, b"")
        if kind == "not_array":
            entry["status"] = 200
            return self.send_body(200, b'{"events": []}')
        if kind == "huge":
            entry["status"] = 200
            size = int(fault.get("bytes", 32 << 20))
            return self.send_body(200, b"[" + b" " * size + b"]")
        body = ("[" + ",".join(compact(e) for e in body_events) + "]").encode()
        if kind == "truncate":
            entry["status"] = 200
            return self.send_body(200, body[: len(body) // 2])
        if kind == "gzip_truncate":
            entry["status"] = 200
            gz = gzip.compress(body)[:2000]
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(gz)))
            self.end_headers()
            self.wfile.write(gz)
            return
        with sim.lock:
            sim.record_served([e for e in body_events if isinstance(e.get("id"), int)])
            if kind is None:
                sim.cursor = min(len(sim.timeline), sim.cursor + sim.step)
        entry["status"] = 200
        entry["events"] = len(body_events)
        self.send_body(200, body)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fixtures", default=os.path.join(os.path.dirname(__file__), "..", "Fixtures", "polisen"))
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--start", type=int, default=WINDOW, help="events published at start")
    ap.add_argument("--step", type=int, default=2, help="events published per API request")
    ap.add_argument("--no-gzip", action="store_true")
    ap.add_argument("--latency", type=float, default=0.0, help="seconds added to every API response")
    ap.add_argument("--recent", action="store_true", help="re-date the events to now (one every 1000 s)")
    args = ap.parse_args()
    Handler.sim = Simulator(args.fixtures, args.start, args.step, not args.no_gzip, args.latency, args.recent)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(f"LISTENING {server.server_address[1]}", flush=True)
    # Never outlive the test that started us.
    parent = os.getppid()

    def watch_parent():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch_parent, daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
