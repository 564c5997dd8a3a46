#!/usr/bin/env python3
"""A delaying proxy in front of an S3 server, giving it the original deployment's object
storage latencies: GET of metadata.json 0.5 s, PUT of an event part 0.8 s, PUT of
metadata.json 0.3 s (other requests pass at once). Headers are passed through unchanged, so
SigV4 signatures made for the proxy's address still verify at the server.
Usage: delay_proxy.py UPSTREAM_PORT   (prints "LISTENING <port>")"""
import http.client
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

UPSTREAM = int(sys.argv[1])
TRACE = os.environ.get("DELAY_PROXY_TRACE") == "1"
DELAYS = {("GET", "metadata"): 0.5, ("PUT", "part"): 0.8, ("PUT", "metadata"): 0.3}


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        path = self.path.split("?")[0]
        kind = "metadata" if path.endswith("/metadata.json") else "part" if path.endswith(".jsonl") else None
        t0 = time.time()
        time.sleep(DELAYS.get((self.command, kind), 0))
        upstream = http.client.HTTPConnection("127.0.0.1", UPSTREAM, timeout=30)
        upstream.request(self.command, self.path, body=body, headers=dict(self.headers.items()))
        response = upstream.getresponse()
        data = response.read()
        self.send_response(response.status, response.reason)
        for name, value in response.getheaders():
            if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        upstream.close()
        if TRACE:
            print(f"{t0:.3f} {time.time():.3f} {self.command} {path}", file=sys.stderr, flush=True)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = forward


class Server(ThreadingHTTPServer):
    request_queue_size = 128  # the default 5 drops a cycle's parallel connections (a 1 s SYN retry)


server = Server(("127.0.0.1", 0), Proxy)
server.daemon_threads = True
print(f"LISTENING {server.server_address[1]}", flush=True)
server.serve_forever()
