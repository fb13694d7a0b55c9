"""test_package.py - proves build/dist/mynt-lambda.zip runs on its own, as on provided.al2023.

Unzips the package into an empty root at /var/task, runs /var/task/bootstrap there under
chroot (so not one host library is reachable) with only the variables Lambda sets, and
serves it one invocation from a small Runtime API fake on loopback.
"""
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ZIP = os.environ.get("MYNT_PACKAGE", os.path.join(ROOT, "build", "dist", "mynt-lambda.zip"))
REQUEST_ID = "8476a536-e9f4-11e8-9739-2dfe598c3fcd"

HEALTH_EVENT = {
    "version": "2.0",
    "routeKey": "GET /health",
    "rawPath": "/health",
    "rawQueryString": "",
    "headers": {"host": "api.example.com", "user-agent": "package-test"},
    "requestContext": {
        "accountId": "000000000000", "apiId": "pkgtest", "domainName": "api.example.com",
        "http": {"method": "GET", "path": "/health", "protocol": "HTTP/1.1",
                 "sourceIp": "127.0.0.1", "userAgent": "package-test"},
        "requestId": "pkg-1", "routeKey": "GET /health", "stage": "$default",
        "time": "25/Nov/2026:10:00:00 +0000", "timeEpoch": 1795600000000,
    },
    "isBase64Encoded": False,
}


class RuntimeFake(http.server.ThreadingHTTPServer):
    """Hands out one invocation, then records what the runtime posts back."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), RuntimeHandler)
        self.served = False
        self.result = None
        self.done = threading.Event()


class RuntimeHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path != "/2018-06-01/runtime/invocation/next":
            self.send_error(404)
            return
        if self.server.served:
            # Lambda would freeze the process here; block until the test ends.
            self.server.done.wait(30)
            self.send_error(410)
            return
        self.server.served = True
        body = json.dumps(HEALTH_EVENT).encode()
        self.send_response(200)
        self.send_header("Lambda-Runtime-Aws-Request-Id", REQUEST_ID)
        self.send_header("Lambda-Runtime-Deadline-Ms", str(int(__import__("time").time() * 1000) + 5000))
        self.send_header("Lambda-Runtime-Invoked-Function-Arn",
                         "arn:aws:lambda:us-east-1:000000000000:function:PublicFunction")
        self.send_header("Lambda-Runtime-Trace-Id", "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode("utf-8", "replace")
        self.send_response(202)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")
        self.server.result = (self.path, body)
        self.server.done.set()


def isolate_prefix():
    """chroot needs root; without it, a user namespace maps us to root."""
    return [] if os.geteuid() == 0 else ["unshare", "-r"]


class PackageTest(unittest.TestCase):
    def setUp(self):
        if not os.path.exists(ZIP):
            self.fail(f"{ZIP} does not exist: run `make package` first")
        self.root = tempfile.mkdtemp(prefix="mynt-pkg-")
        self.task = os.path.join(self.root, "var", "task")
        os.makedirs(self.task)
        with zipfile.ZipFile(ZIP) as z:
            for info in z.infolist():
                path = z.extract(info, self.task)
                mode = (info.external_attr >> 16) & 0o777
                if mode:
                    os.chmod(path, mode)

    def tearDown(self):
        shutil.rmtree(self.root, ignore_errors=True)

    def test_package_has_bootstrap_and_its_loader(self):
        self.assertTrue(os.access(os.path.join(self.task, "bootstrap"), os.X_OK))
        with open(os.path.join(self.task, "bootstrap"), "rb") as f:
            head = f.read(4096)
        self.assertEqual(head[:4], b"\x7fELF", "bootstrap must be a binary, not a shell wrapper")
        self.assertIn(b"/var/task/lib/ld-linux-x86-64.so.2", head)
        self.assertTrue(os.path.exists(os.path.join(self.task, "lib", "libc.so.6")))

    def test_bootstrap_serves_an_invocation_in_an_empty_root(self):
        fake = RuntimeFake()
        thread = threading.Thread(target=fake.serve_forever, daemon=True)
        thread.start()
        env = {
            "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{fake.server_address[1]}",
            "_HANDLER": "public",
            "LAMBDA_TASK_ROOT": "/var/task",
            "LAMBDA_RUNTIME_DIR": "/var/runtime",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_LAMBDA_FUNCTION_NAME": "PublicFunction",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
            "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "AWS_SESSION_TOKEN": "package-test-token",
            "MYNT_TABLE": "mynt-users",
            "TZ": "UTC",
            "LD_LIBRARY_PATH": "/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib",
        }
        argv = isolate_prefix() + ["chroot", self.root, "/var/task/bootstrap"]
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            finished = fake.done.wait(20)
            if not finished:
                proc.kill()
                out = proc.communicate()[0].decode("utf-8", "replace")
                self.fail(f"bootstrap posted nothing within 20 s; its output:\n{out}")
            path, body = fake.result
            self.assertEqual(path, f"/2018-06-01/runtime/invocation/{REQUEST_ID}/response",
                             f"bootstrap posted to {path}: {body}")
            response = json.loads(body)
            self.assertEqual(response["statusCode"], 200)
            self.assertEqual(json.loads(response["body"])["status"], "ok")
            self.assertIsNone(proc.poll(), "bootstrap must stay up for the next invocation")
        finally:
            proc.kill()
            proc.wait()
            fake.done.set()
            fake.shutdown()
            fake.server_close()


if __name__ == "__main__":
    unittest.main(verbosity=2, argv=[sys.argv[0]] + sys.argv[1:])
