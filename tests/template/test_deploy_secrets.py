"""test_deploy_secrets.py - `scripts/deploy deploy` run whole, as a user runs it, with a recording
stand-in AWS CLI first on PATH (fake_aws/aws) and moto behind its boto3 steps.

What a user would notice: no secret (the Plaid client id and secret, the Google client id and
secret, the sealing keyring it generates) is on the command line of any process while the deploy
runs (what `ps` shows every local user), in the environment handed to the tools, in what the
deploy prints, or in a file it leaves; the one file that carries the stack's NoEcho parameters is
0600 in a 0700 directory of its own and is gone afterwards, also when the deploy fails, is
interrupted with Ctrl-C or is terminated. The values still arrive: the stand-in parses that file
as the CLI v2 does, and the Plaid credentials are read back from moto's SSM.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import zipfile

import boto3
from botocore.config import Config

from test_deploy_moto import moto_endpoint
from test_template import DEPLOY, ROOT

FAKE_AWS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake_aws")
REGION = "us-east-1"


class DeploySecretsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.endpoint = moto_endpoint(cls)

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="mynt-deploy-secrets-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        run = os.urandom(4).hex()
        # A repository of its own (scripts/deploy finds everything beside itself): the real script,
        # template and web app; a stand-in package and Chart.js (no build, no npm needed).
        self.root = os.path.join(self.tmp, "root")
        os.makedirs(os.path.join(self.root, "scripts"))
        shutil.copy2(os.path.join(ROOT, "scripts", "deploy"), os.path.join(self.root, "scripts", "deploy"))
        for name in ("template.yaml", "web"):
            os.symlink(os.path.join(ROOT, name), os.path.join(self.root, name))
        chart = os.path.join(self.root, "node_modules", "chart.js", "dist", "chart.umd.js")
        os.makedirs(os.path.dirname(chart))
        with open(chart, "w") as f:
            f.write("/* Chart.js stand-in */\n")
        os.makedirs(os.path.join(self.root, "build", "dist"))
        with zipfile.ZipFile(os.path.join(self.root, "build", "dist", "mynt-lambda.zip"), "w") as z:
            z.writestr("bootstrap", "#!/bin/sh\n")
        self.tmpdir = os.path.join(self.tmp, "tmpdir")  # the script's TMPDIR: empty before and after
        self.log = os.path.join(self.tmp, "aws-log")
        os.makedirs(self.tmpdir)
        os.makedirs(self.log)
        # Values no other text can contain; two come from .env, two from the environment.
        self.values = {
            "PLAID_CLIENT_ID": "pcid" + os.urandom(10).hex(),
            "PLAID_SECRET": "psec" + os.urandom(14).hex(),
            "GOOGLE_CLIENT_ID": f"{int.from_bytes(os.urandom(5), 'big')}-gcid{os.urandom(8).hex()}"
                                ".apps.googleusercontent.com",
            "GOOGLE_CLIENT_SECRET": "GOCSPX-gsec" + os.urandom(10).hex(),
        }
        self.secrets = [v.split(".apps.")[0] for v in self.values.values()]
        with open(os.path.join(self.log, "secrets.json"), "w") as f:
            json.dump(self.secrets, f)
        dotenv = os.path.join(self.root, ".env")
        with open(os.open(dotenv, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write(f"PLAID_CLIENT_ID={self.values['PLAID_CLIENT_ID']}\n"
                    f"GOOGLE_CLIENT_ID={self.values['GOOGLE_CLIENT_ID']}\n")
        self.stack = f"mynt-secrets-{run}"
        self.ssm_prefix = f"deploy-secrets-{run}"
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("AWS_", "MYNT_", "PLAID_", "GOOGLE_")) and k != "DRY_RUN"}
        self.env.update({
            "PATH": FAKE_AWS + os.pathsep + os.environ["PATH"],
            "AWS_ENDPOINT_URL": self.endpoint, "AWS_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "test-secret",
            "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "TMPDIR": self.tmpdir, "FAKE_AWS_LOG": self.log, "PYTHONDONTWRITEBYTECODE": "1",
            "MYNT_STACK": self.stack, "MYNT_SSM_PREFIX": self.ssm_prefix,
            "PLAID_SECRET": self.values["PLAID_SECRET"],
            "GOOGLE_CLIENT_SECRET": self.values["GOOGLE_CLIENT_SECRET"],
        })

    # -- helpers --------------------------------------------------------------------------------

    def client(self, service):
        return boto3.client(service, endpoint_url=self.endpoint, region_name=REGION,
                            aws_access_key_id="AKIDTEST", aws_secret_access_key="test-secret",
                            config=Config(connect_timeout=5, read_timeout=20, retries={"max_attempts": 1}))

    def command(self):
        return [sys.executable, os.path.join(self.root, "scripts", "deploy"), "deploy"]

    def deploy(self, **extra_env):
        return subprocess.run(self.command(), env={**self.env, **extra_env}, cwd=self.tmp,
                              capture_output=True, text=True, timeout=240)

    def calls(self):
        """The stand-in's records, oldest first."""
        names = sorted(n for n in os.listdir(self.log) if n.startswith("call-"))
        records = []
        for n in names:
            with open(os.path.join(self.log, n)) as f:
                records.append(json.load(f))
        return records

    def call(self, *words):
        found = [c for c in self.calls() if all(w in c["argv"] for w in words)]
        self.assertEqual(len(found), 1, f"one `aws {' '.join(words)}` call: {[c['argv'] for c in self.calls()]}")
        return found[0]

    def keyring(self):
        return self.client("ssm").get_parameter(Name=f"/{self.ssm_prefix}/token-keys",
                                                WithDecryption=True)["Parameter"]["Value"]

    def assert_nowhere(self, secrets, run):
        """No secret on any recorded command line or tool environment, in the output, or in a file
        left under the test's directories (the user's own .env and the stand-in's log aside)."""
        for c in self.calls():
            for s in secrets:
                self.assertFalse(any(s in word for word in c["argv"]), f"a secret in argv {c['argv']}")
                self.assertFalse(any(s in v for v in c["environ"].values()),
                                 f"a secret in the environment of `aws {' '.join(c['argv'][:2])}`: "
                                 f"{sorted(k for k, v in c['environ'].items() if s in v)}")
            self.assertEqual(c.get("cmdlines_with_secrets", []), [], "a process showed a secret in ps")
        for s in secrets:
            self.assertNotIn(s, run.stdout)
            self.assertNotIn(s, run.stderr)
        skip = {os.path.join(self.root, ".env")}
        for base, dirs, names in os.walk(self.tmp):
            if os.path.abspath(base) == os.path.abspath(self.log):
                dirs[:] = []
                continue
            for n in names:
                path = os.path.join(base, n)
                if path in skip or os.path.islink(path):
                    continue
                with open(path, "rb") as f:
                    data = f.read()
                for s in secrets:
                    self.assertNotIn(s.encode(), data, f"a secret left in {os.path.relpath(path, self.tmp)}")

    def assert_parameter_file_private_and_gone(self, deploy_call):
        got = deploy_call["files"].get("--parameter-overrides")
        self.assertIsNotNone(got, f"--parameter-overrides is not a file:// file: {deploy_call['argv']}")
        self.assertEqual(got["mode"], 0o600, oct(got["mode"]))
        self.assertEqual(got["dir_mode"], 0o700, oct(got["dir_mode"]))
        self.assertEqual(got["owner"], os.getuid())
        self.assertEqual(os.path.dirname(os.path.dirname(got["path"])), self.tmpdir,
                         "a directory of its own in TMPDIR")
        self.assertFalse(os.path.exists(got["path"]), "the parameter file is left behind")
        self.assertFalse(os.path.exists(os.path.dirname(got["path"])), "its directory is left behind")
        self.assertEqual(os.listdir(self.tmpdir), [], "TMPDIR is left as it was")

    # -- the tests ------------------------------------------------------------------------------

    def test_a_deploy_puts_no_secret_on_a_command_line_in_its_output_or_on_disk(self):
        run = self.deploy()
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        self.assertIn("Mynt is deployed.", run.stdout)
        deploy = self.call("cloudformation", "deploy")
        self.assertEqual(deploy["exit"], 0)
        self.assert_parameter_file_private_and_gone(deploy)
        # The values arrive: the stack's parameters through the file, Plaid's through SSM.
        params = deploy["parameters"]
        self.assertEqual(params["GoogleClientId"], self.values["GOOGLE_CLIENT_ID"])
        self.assertEqual(params["GoogleClientSecret"], self.values["GOOGLE_CLIENT_SECRET"])
        self.assertEqual(params["SsmPrefixName"], self.ssm_prefix)
        self.assertEqual(params["CognitoDomainPrefix"], "mynt-123456789012")
        ssm = self.client("ssm")
        for name, key in (("plaid/client-id", "PLAID_CLIENT_ID"), ("plaid/secret", "PLAID_SECRET")):
            p = ssm.get_parameter(Name=f"/{self.ssm_prefix}/{name}", WithDecryption=True)["Parameter"]
            self.assertEqual((p["Type"], p["Value"]), ("SecureString", self.values[key]), name)
        keyring = self.keyring()
        self.assert_nowhere(self.secrets + [keyring, keyring.split(":", 1)[1]], run)
        # The web app landed where the stack says, with the Google sign-in on.
        bucket = [o for o in self.client("cloudformation").describe_stacks(StackName=self.stack)["Stacks"][0]
                  ["Outputs"] if o["OutputKey"] == "WebBucketName"][0]["OutputValue"]
        config = json.loads(self.client("s3").get_object(Bucket=bucket, Key="config.json")["Body"].read())
        self.assertTrue(config["cognito_domain"].startswith("https://mynt-123456789012.auth."))

    def test_the_dry_run_renders_the_parameters_masked_and_writes_no_secret(self):
        run = self.deploy(DRY_RUN="1")
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        self.assertIn("dry run done", run.stdout)
        self.assertEqual(self.calls(), [], "a dry run runs no AWS CLI")
        with open(os.path.join(self.root, "build", "deploy", "parameters.json")) as f:
            rendered = json.load(f)
        self.assertEqual((rendered["GoogleClientId"], rendered["GoogleClientSecret"]), ("****", "****"))
        self.assertEqual(rendered["SsmPrefixName"], self.ssm_prefix)
        self.assert_nowhere(self.secrets, run)
        self.assertEqual(os.listdir(self.tmpdir), [])

    def test_a_dotenv_other_users_can_read_is_named(self):
        dotenv = os.path.join(self.root, ".env")
        self.assertIsNone(DEPLOY.dotenv_note(dotenv))
        os.chmod(dotenv, 0o644)
        self.assertIn(f"chmod 600 {dotenv}", DEPLOY.dotenv_note(dotenv))
        self.assertIn(f"note: {dotenv} can be read by other users (mode 0644)", self.deploy(DRY_RUN="1").stdout)
        self.assertIsNone(DEPLOY.dotenv_note(os.path.join(self.tmp, "none")))

    def test_a_failed_deploy_leaves_no_parameter_file_and_prints_no_secret(self):
        run = self.deploy(FAKE_AWS_FAIL_DEPLOY="1")
        self.assertNotEqual(run.returncode, 0)
        self.assertIn("aws cloudformation deploy failed", run.stderr)
        self.assert_parameter_file_private_and_gone(self.call("cloudformation", "deploy"))
        self.assert_nowhere(self.secrets + [self.keyring()], run)

    def interrupt(self, send):
        """Runs the deploy until the stand-in's deploy is under way, calls send(process), and returns
        (the finished run, the stand-in's deploy record)."""
        ready = os.path.join(self.tmp, "deploy-started")
        proc = subprocess.Popen(self.command(), env={**self.env, "FAKE_AWS_HANG_DEPLOY": ready}, cwd=self.tmp,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
        self.addCleanup(self.stop, proc)
        deadline = time.monotonic() + 180
        while not os.path.exists(ready):
            if proc.poll() is not None or time.monotonic() > deadline:
                out, err = proc.communicate(timeout=30)
                self.fail(f"the deploy never reached `aws cloudformation deploy`:\n{out}{err}")
            time.sleep(0.1)
        send(proc)
        out, err = proc.communicate(timeout=60)
        deploy = self.call("cloudformation", "deploy")
        try:
            os.kill(deploy["pid"], 0)
            self.addCleanup(os.kill, deploy["pid"], signal.SIGKILL)
            self.fail("the stand-in `aws cloudformation deploy` outlived the deploy")
        except ProcessLookupError:
            pass
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err), deploy

    @staticmethod
    def stop(proc):
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate(timeout=30)

    def test_ctrl_c_during_the_stack_deploy_removes_the_parameter_file(self):
        # Ctrl-C signals the terminal's foreground process group: the script and its aws.
        run, deploy = self.interrupt(lambda p: os.killpg(p.pid, signal.SIGINT))
        self.assertEqual(run.returncode, 130, run.stdout + run.stderr)
        self.assertNotIn("Traceback", run.stderr)
        self.assert_parameter_file_private_and_gone(deploy)
        self.assert_nowhere(self.secrets, run)

    def test_sigterm_during_the_stack_deploy_removes_the_parameter_file_and_stops_aws(self):
        run, deploy = self.interrupt(lambda p: os.kill(p.pid, signal.SIGTERM))
        self.assertEqual(run.returncode, 128 + signal.SIGTERM, run.stdout + run.stderr)
        self.assert_parameter_file_private_and_gone(deploy)
        self.assert_nowhere(self.secrets, run)


class StandInTest(unittest.TestCase):
    """The stand-in refuses what the AWS CLI v2 refuses, so a script that passes it is right."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="mynt-fake-aws-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.template = os.path.join(self.tmp, "t.json")
        with open(self.template, "w") as f:
            json.dump({"Parameters": {"A": {"Type": "String"}, "B": {"Type": "String", "Default": ""}},
                       "Resources": {}}, f)

    def aws(self, *words):
        env = {**os.environ, "FAKE_AWS_LOG": self.tmp, "FAKE_AWS_HANG_DEPLOY": "",
               "FAKE_AWS_FAIL_DEPLOY": "1"}  # parsed and checked, then fails: no AWS call
        return subprocess.run([os.path.join(FAKE_AWS, "aws"), *words], env=env, capture_output=True,
                              text=True, timeout=60)

    def deploy(self, *words):
        return self.aws("cloudformation", "deploy", "--template-file", self.template, "--stack-name", "s", *words)

    def test_it_says_it_is_the_cli_v2(self):
        self.assertRegex(self.aws("--version").stdout, r"^aws-cli/2\.")

    def test_an_unknown_or_missing_option_is_a_usage_error(self):
        run = self.deploy("--parameter-overides", "A=1")
        self.assertEqual(run.returncode, 252)
        self.assertIn("Unknown options: --parameter-overides", run.stderr)
        run = self.aws("cloudformation", "deploy", "--template-file", self.template)
        self.assertEqual(run.returncode, 252)
        self.assertIn("required: --stack-name", run.stderr)

    def test_a_parameter_file_must_exist_and_be_in_a_documented_format(self):
        run = self.deploy("--parameter-overrides", f"file://{self.tmp}/none.json")
        self.assertEqual(run.returncode, 252)
        self.assertIn("Unable to load paramfile", run.stderr)
        path = os.path.join(self.tmp, "p.json")
        for content, code in (([{"ParameterKey": "A", "ParameterValue": "x=y"}], 255),  # accepted, then the knob
                              ({"Parameters": {"A": "x"}}, 255), (["A=x"], 255),
                              ([{"ParameterKey": "A", "ParameterValue": "x", "UsePreviousValue": False}], 252),
                              ({"A": "x"}, 252)):
            with open(path, "w") as f:
                json.dump(content, f)
            run = self.deploy("--parameter-overrides", f"file://{path}")
            self.assertEqual(run.returncode, code, f"{content}: {run.stderr}")
            if code == 255:
                self.assertIn("Failed to create/update the stack", run.stderr, content)

    def test_a_parameter_the_template_does_not_declare_or_a_missing_one_is_refused(self):
        run = self.deploy("--parameter-overrides", "A=1", "C=2")
        self.assertEqual(run.returncode, 255)
        self.assertIn("does not declare: C", run.stderr)
        run = self.deploy("--parameter-overrides", "B=1")
        self.assertEqual(run.returncode, 254)
        self.assertIn("[A] must have values", run.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
