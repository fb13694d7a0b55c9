"""test_package.py - proves build/dist/mynt-lambda.zip runs on its own, as on provided.al2023.

Unzips the package into an empty root at /var/task, runs /var/task/bootstrap there under
chroot (so not one host library is reachable) with only the variables Lambda sets, and
serves it one invocation from a small Runtime API fake on loopback.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from runtime_fake import RuntimeFake, health_event  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

ZIP = os.environ.get("MYNT_PACKAGE", os.path.join(ROOT, "build", "dist", "mynt-lambda.zip"))


def isolate_prefix():
    """chroot needs root; without it, a user namespace maps us to root."""
    return [] if os.geteuid() == 0 else ["unshare", "-r"]


def chroot_command():
    found = shutil.which("chroot", path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
    if not found:
        raise unittest.SkipTest("chroot is not installed (coreutils)")
    return found


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
        binary = os.path.join(self.task, "bootstrap")
        with open(binary, "rb") as f:
            self.assertEqual(f.read(4), b"\x7fELF", "bootstrap must be a binary, not a shell wrapper")
        headers = subprocess.run(["readelf", "-l", "-d", binary], check=True, capture_output=True,
                                 text=True).stdout
        self.assertIn("[Requesting program interpreter: /var/task/lib/ld-linux-x86-64.so.2]", headers)
        self.assertRegex(headers, r"\(RPATH\)\s+Library rpath: \[/var/task/lib\]")
        self.assertNotIn("(RUNPATH)", headers)
        self.assertTrue(os.path.exists(os.path.join(self.task, "lib", "libc.so.6")))

    def test_bootstrap_serves_an_invocation_in_an_empty_root(self):
        fake = RuntimeFake([health_event()]).start()
        env = {
            "AWS_LAMBDA_RUNTIME_API": fake.address,
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
        argv = isolate_prefix() + [chroot_command(), self.root, "/var/task/bootstrap"]
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            finished = fake.all_answered.wait(20)
            if not finished:
                proc.kill()
                out = proc.communicate()[0].decode("utf-8", "replace")
                self.fail(f"bootstrap posted nothing within 20 s; its output:\n{out}")
            path, body = fake.results[0]
            self.assertEqual(path, f"/2018-06-01/runtime/invocation/{fake.request_ids[0]}/response",
                             f"bootstrap posted to {path}: {body}")
            response = json.loads(body)
            self.assertEqual(response["statusCode"], 200)
            self.assertEqual(json.loads(response["body"])["status"], "ok")
            self.assertIsNone(proc.poll(), "bootstrap must stay up for the next invocation")
        finally:
            proc.kill()
            proc.communicate()
            fake.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2, argv=[sys.argv[0]] + sys.argv[1:])
