"""runtime_fake.py - a small Lambda Runtime API on loopback for the package test and the bench.

Hands out the given events one by one on GET /runtime/invocation/next (with the headers Lambda
sends), records every POST the runtime makes, and blocks further /next calls until released,
as Lambda freezes an idle process.
"""
import http.server
import os
import sys
import json
import threading
import time
import uuid
import zipfile


def health_event():
    """A payload-2.0 event for GET /health, as API Gateway sends it."""
    return http_event("GET", "/health")


def http_event(method, path, claims=None):
    """A payload-2.0 event for method path (no body), as API Gateway sends it; claims: the JWT authorizer's."""
    event = {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"host": "api.example.com", "user-agent": "runtime-fake"},
        "requestContext": {
            "accountId": "000000000000", "apiId": "fake", "domainName": "api.example.com",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1",
                     "sourceIp": "127.0.0.1", "userAgent": "runtime-fake"},
            "requestId": str(uuid.uuid4()), "routeKey": f"{method} {path}", "stage": "$default",
            "time": "25/Nov/2026:10:00:00 +0000", "timeEpoch": int(time.time() * 1000),
        },
        "isBase64Encoded": False,
    }
    if claims is not None:
        event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    return event


def unpack(zip_path, task_dir):
    """Unzips the package into task_dir (its /var/task) with the modes the zip records."""
    os.makedirs(task_dir, exist_ok=True)
    with zipfile.ZipFile(zip_path) as z:
        for info in z.infolist():
            path = z.extract(info, task_dir)
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                os.chmod(path, mode)


class RuntimeFake(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, events):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.events = list(events)
        self.request_ids = [str(uuid.uuid4()) for _ in self.events]
        self.next_index = 0
        self.results = []
        self.first_next_at = None      # monotonic time of the first GET /next (end of init)
        self.ready = threading.Event()  # set at the first GET /next
        self.handed_at = []            # monotonic time each event was handed out
        self.answered_at = []          # monotonic time each answer arrived
        self.all_answered = threading.Event()
        self._released = threading.Event()
        self._lock = threading.Lock()
        self._thread = None

    @property
    def address(self):
        return f"127.0.0.1:{self.server_address[1]}"

    def start(self):
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def handle_error(self, request, client_address):
        # A runtime killed while the event is on its way (the benchmarks stop the floor at its first GET /next).
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)

    def release(self):
        self._released.set()
        self.all_answered.set()

    def stop(self):
        self.release()
        self.shutdown()
        self.server_close()


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        fake = self.server
        if self.path != "/2018-06-01/runtime/invocation/next":
            self.send_error(404)
            return
        with fake._lock:
            if fake.first_next_at is None:
                fake.first_next_at = time.monotonic()
                fake.ready.set()
            index = fake.next_index
            if index < len(fake.events):
                fake.next_index += 1
        if index >= len(fake.events):
            # Lambda freezes an idle process here; the test kills it, so nothing is answered.
            fake._released.wait(60)
            self.close_connection = True
            return
        body = json.dumps(fake.events[index]).encode()
        self.send_response(200)
        self.send_header("Lambda-Runtime-Aws-Request-Id", fake.request_ids[index])
        self.send_header("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 5000))
        self.send_header("Lambda-Runtime-Invoked-Function-Arn",
                         "arn:aws:lambda:us-east-1:000000000000:function:PublicFunction")
        self.send_header("Lambda-Runtime-Trace-Id", "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        fake.handed_at.append(time.monotonic())
        self.wfile.write(body)

    def do_POST(self):
        fake = self.server
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode("utf-8", "replace")
        self.send_response(202)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")
        with fake._lock:
            fake.answered_at.append(time.monotonic())
            fake.results.append((self.path, body))
            if len(fake.results) >= len(fake.events) or "/init/error" in self.path:
                fake.all_answered.set()
