#!/usr/bin/env python3
"""A TCP fault proxy for polisen-dash's tests (stdlib only).

Sits in front of a TCP service (the API simulator, the S3 test server) and forwards bytes
both ways unchanged, so SigV4 signatures made for the proxy's address still verify. At run
time it can be switched into a fault mode:

  pass       forward (the default)
  refuse     stop listening: new connections are refused (ECONNREFUSED)
  close      accept, then close at once without a byte
  reset      accept, then reset the connection (RST)
  503        read the request head, answer a minimal `HTTP/1.1 503`, close
  swallow    accept, read and discard everything, never answer (a black hole)
  delay N    forward, each chunk held N milliseconds first

A mode applies to new connections and to established ones at their next chunk. A connection
once hit by a fault keeps it: a swallowed connection stays silent even after `pass` (as a
stuck connection stays stuck); only new connections see the fault lifted.

Usage: fault_proxy.py --target HOST:PORT [--port 0] [--mode MODE]
Prints `LISTENING <port>` and then `CONTROL <port>` once ready. The control port speaks HTTP:

  POST /mode    body "swallow" or "delay 250": switch (in effect when the answer comes)
  GET  /mode    the current mode
  GET  /stats   {"mode": ..., "accepted": N, "faulted": {"swallow": N, ...}, "open": N}

It exits when the process that started it goes away.
"""
import argparse
import json
import os
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODES = ("pass", "refuse", "close", "reset", "503", "swallow", "delay")
_BODY = b"fault proxy: unavailable\n"
UNAVAILABLE = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
               b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(_BODY)) + _BODY


def parse_mode(text):
    words = text.strip().split()
    if not words or words[0] not in MODES:
        raise ValueError(f"unknown mode {text.strip()!r}; one of {', '.join(MODES)}")
    if words[0] == "delay":
        if len(words) != 2 or not words[1].isdigit():
            raise ValueError("delay needs milliseconds: 'delay 250'")
        return ("delay", int(words[1]))
    if len(words) != 1:
        raise ValueError(f"mode {words[0]} takes no argument")
    return (words[0], 0)


def mode_text(mode):
    return f"delay {mode[1]}" if mode[0] == "delay" else mode[0]


def hard_reset(sock):
    # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RD)  # wakes a thread blocked reading it; sends nothing
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


def quiet_close(sock):
    # shutdown first: a bare close() does not wake another thread blocked in recv().
    for step in (lambda: sock.shutdown(socket.SHUT_RDWR), sock.close):
        try:
            step()
        except OSError:
            pass


class Proxy:
    def __init__(self, target, port, mode):
        self.target = target
        self.port = port
        self.mode = mode
        self.lock = threading.Lock()
        self.listener = None
        self.accepted = 0
        self.open = 0
        self.faulted = {}
        if mode[0] != "refuse":
            self.listen()
        else:
            # Bind once to learn a port, then give it up: refused from the start.
            self.listen()
            self.unlisten()

    # Listening (guarded by self.lock) ---------------------------------------------------
    def listen(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.port))
        s.listen(128)
        s.settimeout(0.1)  # so the accept loop notices a closed or replaced listener
        self.port = s.getsockname()[1]
        self.listener = s

    def unlisten(self):
        if self.listener is not None:
            quiet_close(self.listener)
            self.listener = None

    def set_mode(self, mode):
        with self.lock:
            if mode[0] == "refuse":
                self.unlisten()
            elif self.listener is None:
                self.listen()
            self.mode = mode

    def current(self):
        with self.lock:
            return self.mode

    def count_fault(self, name):
        with self.lock:
            self.faulted[name] = self.faulted.get(name, 0) + 1

    def stats(self):
        with self.lock:
            return {"mode": mode_text(self.mode), "accepted": self.accepted,
                    "faulted": dict(self.faulted), "open": self.open}

    # Accepting ---------------------------------------------------------------------------
    def serve(self):
        while True:
            with self.lock:
                listener = self.listener
            if listener is None:
                time.sleep(0.05)
                continue
            try:
                client, _ = listener.accept()
            except (socket.timeout, OSError):
                continue
            client.settimeout(None)
            with self.lock:
                self.accepted += 1
                self.open += 1
            threading.Thread(target=self.handle, args=(client,), daemon=True).start()

    def handle(self, client):
        try:
            Connection(self, client).run()
        finally:
            with self.lock:
                self.open -= 1


class Connection:
    """One client connection and, while it passes, its upstream connection."""

    def __init__(self, proxy, client):
        self.proxy = proxy
        self.client = client
        self.upstream = None
        self.fault = None  # the fault this connection was hit by, kept for its lifetime
        self.lock = threading.Lock()

    def run(self):
        if not self.apply_fault(first=True):
            return
        try:
            self.upstream = socket.create_connection(self.proxy.target, timeout=10)
            self.upstream.settimeout(None)
        except OSError:
            quiet_close(self.client)
            return
        back = threading.Thread(target=self.pump, args=(self.upstream, self.client, False), daemon=True)
        back.start()
        self.pump(self.client, self.upstream, True)
        back.join()

    def apply_fault(self, first=False, chunk=b"", from_client=True):
        """Returns True while the connection may forward; otherwise handles the fault."""
        delay = 0
        with self.lock:
            fresh = False
            if self.fault is None:
                mode = self.proxy.current()
                if mode[0] in ("pass", "delay"):
                    delay = mode[1]
                else:
                    self.fault = mode[0]
                    self.proxy.count_fault(self.fault)
                    fresh = True
            fault = self.fault
        if fault is None:
            if delay:
                time.sleep(delay / 1000)
            return True
        if fault == "swallow":
            if first:
                self.drain()
            return False
        if fault == "reset":
            hard_reset(self.client)
        elif fault == "503" and fresh and from_client:
            self.answer_unavailable(chunk)
        else:  # close, refuse (an established connection when the listener went), 503 mid-answer
            quiet_close(self.client)
        if self.upstream is not None:
            quiet_close(self.upstream)
        return False

    def answer_unavailable(self, seen):
        # Read up to the end of the request head (bounded), then answer and close.
        data = seen
        self.client.settimeout(5)
        try:
            while b"\r\n\r\n" not in data and len(data) < 65536:
                more = self.client.recv(65536)
                if not more:
                    break
                data += more
            self.client.sendall(UNAVAILABLE)
        except OSError:
            pass
        quiet_close(self.client)

    def drain(self):
        # A black hole: everything read is dropped, nothing is ever sent.
        try:
            while self.client.recv(65536):
                pass
        except OSError:
            pass
        quiet_close(self.client)

    def pump(self, source, sink, from_client):
        while True:
            try:
                chunk = source.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                break
            if not self.apply_fault(chunk=chunk, from_client=from_client):
                if self.fault == "swallow":
                    continue  # keep reading, never forward
                return
            try:
                sink.sendall(chunk)
            except OSError:
                break
        # One side finished: pass the half-close on, as a plain TCP relay does.
        try:
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        if not from_client:
            quiet_close(self.client)
            quiet_close(self.upstream)


def control_handler(proxy):
    class Control(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def reply(self, status, body):
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path == "/mode":
                self.reply(200, mode_text(proxy.current()) + "\n")
            elif self.path == "/stats":
                self.reply(200, json.dumps(proxy.stats()) + "\n")
            else:
                self.reply(404, "unknown path\n")

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8", "replace")
            if self.path != "/mode":
                return self.reply(404, "unknown path\n")
            try:
                mode = parse_mode(body)
                proxy.set_mode(mode)
            except (ValueError, OSError) as e:
                return self.reply(400, f"{e}\n")
            self.reply(200, mode_text(mode) + "\n")

    return Control


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--target", required=True, help="HOST:PORT to forward to")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--mode", default="pass")
    args = ap.parse_args()
    host, _, port = args.target.rpartition(":")
    try:
        mode = parse_mode(args.mode)
    except ValueError as e:
        sys.exit(str(e))
    proxy = Proxy((host or "127.0.0.1", int(port)), args.port, mode)
    control = ThreadingHTTPServer(("127.0.0.1", 0), control_handler(proxy))
    control.daemon_threads = True
    print(f"LISTENING {proxy.port}", flush=True)
    print(f"CONTROL {control.server_address[1]}", flush=True)
    threading.Thread(target=proxy.serve, daemon=True).start()
    # Never outlive the test that started us.
    parent = os.getppid()

    def watch_parent():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch_parent, daemon=True).start()
    try:
        control.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
