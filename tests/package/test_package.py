"""test_package.py - proves build/dist/mynt-lambda.zip runs on its own, as on provided.al2023.

Unzips the package into an empty root at /var/task, runs /var/task/bootstrap there under
chroot (so not one host library is reachable) with only the variables Lambda sets, and
serves it one invocation from a small Runtime API fake on loopback. The zip stays within
4 MB and its bootstrap needs no shared library but glibc's. HTTPS from the chroot: a group
that calls DynamoDB verifies the endpoint's certificate against Amazon Linux's CA bundle
path (/etc/pki/tls/certs/ca-bundle.crt), with no OpenSSL configuration file present.
"""
import http.server
import json
import os
import ssl
import threading
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from runtime_fake import RuntimeFake, health_event, http_event, unpack  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

ZIP = os.environ.get("MYNT_PACKAGE", os.path.join(ROOT, "build", "dist", "mynt-lambda.zip"))
MAX_ZIP_BYTES = 4 * 1024 * 1024
# The shared libraries the packaged bootstrap may need (scripts/package bundles them with the loader),
# named by their absolute path in the package, so the loader opens them without searching (scripts/package).
ALLOWED_NEEDED = ["/var/task/lib/libc.so.6"]
AL2023_CA_BUNDLE = "etc/pki/tls/certs/ca-bundle.crt"
LAMBDA_LD_PATH = "/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib"


def isolate_prefix():
    """chroot needs root; without it, a user namespace maps us to root."""
    return [] if os.geteuid() == 0 else ["unshare", "-r"]


def chroot_command():
    found = shutil.which("chroot", path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
    if not found:
        raise unittest.SkipTest("chroot is not installed (coreutils)")
    return found


def lambda_env(runtime_api, handler, extra=None):
    env = {
        "AWS_LAMBDA_RUNTIME_API": runtime_api,
        "_HANDLER": handler,
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
        "LD_LIBRARY_PATH": LAMBDA_LD_PATH,
    }
    env.update(extra or {})
    return env


KEY_ALGORITHMS = {"rsa": ["-newkey", "rsa:2048"], "ecdsa": ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]}


def make_ca(directory, name, key_type="rsa"):
    """A CA and a server certificate it signs for 127.0.0.1, both with RSA 2048 or ECDSA P-256 keys;
    returns (ca.pem, server.pem, server.key)."""
    ca_key, ca = os.path.join(directory, f"{name}-ca.key"), os.path.join(directory, f"{name}-ca.pem")
    key, csr = os.path.join(directory, f"{name}.key"), os.path.join(directory, f"{name}.csr")
    cert, ext = os.path.join(directory, f"{name}.pem"), os.path.join(directory, f"{name}.ext")
    quiet = {"check": True, "capture_output": True}
    subprocess.run(["openssl", "req", "-x509", *KEY_ALGORITHMS[key_type], "-nodes", "-keyout", ca_key, "-out", ca,
                    "-days", "2", "-subj", f"/CN=Mynt package test {name} CA"], **quiet)
    subprocess.run(["openssl", "req", *KEY_ALGORITHMS[key_type], "-nodes", "-keyout", key, "-out", csr,
                    "-subj", "/CN=127.0.0.1"], **quiet)
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
                    "-out", cert, "-days", "2", "-sha256", "-extfile", ext], **quiet)
    return ca, cert, key


class DynamoTlsFake(http.server.ThreadingHTTPServer):
    """DynamoDB's UpdateItem of the profile over HTTPS on loopback, checked like DynamoDB checks it."""

    daemon_threads = True

    def __init__(self, cert, key, tls12_only=False):
        super().__init__(("127.0.0.1", 0), _DynamoHandler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        if tls12_only:
            # TLS 1.2 with an AES-GCM suite only, as some regional endpoints still negotiate it.
            context.maximum_version = ssl.TLSVersion.TLSv1_2
            context.set_ciphers("ECDHE+AESGCM")
        self.versions = []
        self.socket = context.wrap_socket(self.socket, server_side=True)
        self.requests = []
        self.tls_failures = 0
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def get_request(self):
        # The handshake runs in accept(): a client that refuses the certificate fails it here.
        try:
            sock, address = super().get_request()
            self.versions.append((sock.version(), sock.cipher()[0]))
            return sock, address
        except OSError:
            self.tls_failures += 1
            raise

    def stop(self):
        self.shutdown()
        self.server_close()


class _DynamoHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _answer(self, status, doc):
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        request = json.loads(self.rfile.read(length) or b"{}")
        target = self.headers.get("X-Amz-Target", "")
        self.server.requests.append(target)
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") or "/us-east-1/dynamodb/" not in auth:
            return self._answer(400, {"__type": "com.amazon.coral.service#IncompleteSignatureException"})
        if self.headers.get("X-Amz-Security-Token") != "package-test-token":
            return self._answer(400, {"__type": "com.amazon.coral.service#UnrecognizedClientException"})
        if target != "DynamoDB_20120810.UpdateItem" or request.get("TableName") != "mynt-users":
            return self._answer(400, {"__type": "com.amazon.coral.validate#ValidationException",
                                      "message": f"unexpected {target} on {request.get('TableName')}"})
        now = request.get("ExpressionAttributeValues", {}).get(":now")
        if not request.get("Key") or not now:
            return self._answer(400, {"__type": "com.amazon.coral.validate#ValidationException",
                                      "message": "Key and :now are required"})
        self._answer(200, {"Attributes": {"created_at": now, "updated_at": now}})


class PackageTest(unittest.TestCase):
    def setUp(self):
        if not os.path.exists(ZIP):
            self.fail(f"{ZIP} does not exist: run `make package` first")
        self.root = tempfile.mkdtemp(prefix="mynt-pkg-")
        self.task = os.path.join(self.root, "var", "task")
        unpack(ZIP, self.task)

    def tearDown(self):
        shutil.rmtree(self.root, ignore_errors=True)

    def run_bootstrap(self, events, handler, extra_env=None):
        """Runs the packaged bootstrap in the chroot for events; returns the fake's (path, body) results."""
        fake = RuntimeFake(events).start()
        argv = isolate_prefix() + [chroot_command(), self.root, "/var/task/bootstrap"]
        proc = subprocess.Popen(argv, env=lambda_env(fake.address, handler, extra_env), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        try:
            if not fake.all_answered.wait(20):
                proc.kill()
                out = proc.communicate()[0].decode("utf-8", "replace")
                self.fail(f"bootstrap posted nothing within 20 s; its output:\n{out}")
            for (path, body), request_id in zip(fake.results, fake.request_ids):
                self.assertEqual(path, f"/2018-06-01/runtime/invocation/{request_id}/response",
                                 f"bootstrap posted to {path}: {body}")
            self.assertIsNone(proc.poll(), "bootstrap must stay up for the next invocation")
            return list(fake.results)
        finally:
            proc.kill()
            proc.communicate()
            fake.stop()

    def test_package_has_bootstrap_and_its_loader(self):
        self.assertTrue(os.access(os.path.join(self.task, "bootstrap"), os.X_OK))
        binary = os.path.join(self.task, "bootstrap")
        with open(binary, "rb") as f:
            self.assertEqual(f.read(4), b"\x7fELF", "bootstrap must be a binary, not a shell wrapper")
        headers = subprocess.run(["readelf", "-l", "-d", binary], check=True, capture_output=True,
                                 text=True).stdout
        self.assertIn("[Requesting program interpreter: /var/task/lib/ld-linux-x86-64.so.2]", headers)
        self.assertRegex(headers, r"\(RPATH\)\s+Library rpath: \[/var/task/lib\]")
        self.assertNotIn("(RUNPATH)", headers)
        self.assertTrue(os.path.exists(os.path.join(self.task, "lib", "libc.so.6")))

    def test_package_is_small_and_links_only_glibc(self):
        size = os.path.getsize(ZIP)
        self.assertLessEqual(size, MAX_ZIP_BYTES, f"the zip is {size} bytes")
        headers = subprocess.run(["readelf", "-d", os.path.join(self.task, "bootstrap")], check=True,
                                 capture_output=True, text=True).stdout
        needed = [line.split("[", 1)[1].rstrip("]") for line in headers.splitlines() if "(NEEDED)" in line]
        self.assertEqual(needed, ALLOWED_NEEDED, "libcurl, OpenSSL, jansson, zlib and libm are linked statically")
        self.assertEqual(sorted(os.listdir(os.path.join(self.task, "lib"))), ["ld-linux-x86-64.so.2", "libc.so.6"])

    def test_bootstrap_serves_an_invocation_in_an_empty_root(self):
        path, body = self.run_bootstrap([health_event()], "public")[0]
        response = json.loads(body)
        self.assertEqual(response["statusCode"], 200)
        self.assertEqual(json.loads(response["body"])["status"], "ok")

    def https_profile(self, trusted, tls12_only=False, key_type="rsa"):
        """GET /me through the users group against DynamoDB over HTTPS, the chroot's CA bundle at Amazon
        Linux's path holding the server's CA when trusted, another CA otherwise. Returns (response, fake)."""
        certs = tempfile.mkdtemp(prefix="mynt-pkg-ca-")
        self.addCleanup(shutil.rmtree, certs, True)
        ca, cert, key = make_ca(certs, "server", key_type)
        bundle = os.path.join(self.root, AL2023_CA_BUNDLE)
        os.makedirs(os.path.dirname(bundle), exist_ok=True)
        shutil.copy(ca if trusted else make_ca(certs, "other")[0], bundle)
        dynamo = DynamoTlsFake(cert, key, tls12_only)
        self.addCleanup(dynamo.stop)
        event = http_event("GET", "/me", {"sub": "0b7c5e0a-1d7e-4d55-9a57-3f0c2f1f6a01", "email": "pat@example.com"})
        extra = {"MYNT_AWS_ENDPOINT": f"https://127.0.0.1:{dynamo.server_address[1]}"}
        _, body = self.run_bootstrap([event], "users", extra)[0]
        return json.loads(body), dynamo

    def test_https_verifies_against_the_amazon_linux_ca_bundle(self):
        response, dynamo = self.https_profile(trusted=True)
        self.assertEqual(response["statusCode"], 200, response)
        profile = json.loads(response["body"])
        self.assertEqual(profile["user_id"], "0b7c5e0a-1d7e-4d55-9a57-3f0c2f1f6a01")
        self.assertTrue(profile["created_at"])
        self.assertEqual(dynamo.requests, ["DynamoDB_20120810.UpdateItem"])
        self.assertEqual({version for version, _ in dynamo.versions}, {"TLSv1.3"})

    def test_https_over_tls13_with_an_ecdsa_certificate(self):
        # The release build's OpenSSL has only what Mynt's peers need (cmake/static_deps.cmake): AWS endpoints
        # present RSA certificates (the test above), others ECDSA P-256 ones.
        response, dynamo = self.https_profile(trusted=True, key_type="ecdsa")
        self.assertEqual(response["statusCode"], 200, response)
        self.assertEqual(dynamo.requests, ["DynamoDB_20120810.UpdateItem"])
        self.assertEqual({version for version, _ in dynamo.versions}, {"TLSv1.3"})

    def test_https_over_tls12_with_aes_gcm_and_rsa_or_ecdsa_certificates(self):
        # TLS 1.2 with an ECDHE AES-GCM suite only, as some regional endpoints still negotiate it.
        for key_type, suite in (("rsa", "ECDHE-RSA-AES"), ("ecdsa", "ECDHE-ECDSA-AES")):
            with self.subTest(key_type=key_type):
                response, dynamo = self.https_profile(trusted=True, tls12_only=True, key_type=key_type)
                self.assertEqual(response["statusCode"], 200, response)
                self.assertEqual(dynamo.requests, ["DynamoDB_20120810.UpdateItem"])
                self.assertTrue(dynamo.versions, "the bootstrap must have connected")
                for version, cipher in dynamo.versions:
                    self.assertEqual(version, "TLSv1.2")
                    self.assertTrue(cipher.startswith(suite) and "GCM" in cipher, cipher)

    def test_https_refuses_a_certificate_the_bundle_does_not_vouch_for(self):
        response, dynamo = self.https_profile(trusted=False)
        self.assertGreaterEqual(response["statusCode"], 500, response)
        self.assertEqual(dynamo.requests, [], "no request may reach an unverified server")
        self.assertGreater(dynamo.tls_failures, 0, "the bootstrap must have tried the handshake")


if __name__ == "__main__":
    unittest.main(verbosity=2, argv=[sys.argv[0]] + sys.argv[1:])
