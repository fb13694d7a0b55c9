"""test_deploy_moto.py - scripts/deploy's S3 and SSM steps against a real moto_server.

moto implements S3 and SSM faithfully (SecureString, Overwrite=False refusing an existing name,
object metadata), so the steps run here exactly as against AWS: the sealing key is written once
and never overwritten, the web app lands with the right Content-Type and Cache-Control, stale
files go, config.json says what the outputs say. The server binds 127.0.0.1 on a free port
(scripts/moto-fixture) and every call is bounded in time.
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import boto3
from botocore.config import Config

from test_template import DEPLOY, ROOT, transformed

REGION = "us-east-1"
# Names of this run only: the moto fixture is shared with the other tests of a ctest run.
RUN = os.urandom(4).hex()


def moto_endpoint(test_class):
    """http://127.0.0.1:<port> of ctest's moto fixture when there is one (MYNT_MOTO_DIR), else of a
    server started for test_class and stopped by its class cleanup."""
    moto_dir = os.environ.get("MYNT_MOTO_DIR", "")
    if not moto_dir or not os.path.exists(os.path.join(moto_dir, "moto.port")):
        moto_dir = tempfile.mkdtemp(prefix="mynt-deploy-moto-")
        fixture = os.path.join(ROOT, "scripts", "moto-fixture")
        subprocess.run([fixture, "start", moto_dir], check=True, timeout=180, capture_output=True)
        test_class.addClassCleanup(shutil.rmtree, moto_dir, True)
        test_class.addClassCleanup(subprocess.run, [fixture, "stop", moto_dir], timeout=30, capture_output=True)
    with open(os.path.join(moto_dir, "moto.port")) as f:
        return f"http://127.0.0.1:{int(f.read().strip())}"


class DeployOnMotoTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.endpoint = moto_endpoint(cls)

    def client(self, service):
        return boto3.client(service, endpoint_url=self.endpoint, region_name=REGION,
                            aws_access_key_id="AKIDTEST", aws_secret_access_key="test-secret",
                            config=Config(connect_timeout=5, read_timeout=20, retries={"max_attempts": 1}))

    def secure_value(self, ssm, name):
        p = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]
        self.assertEqual(p["Type"], "SecureString", name)
        return p["Value"]

    def test_sealing_key_is_written_once_and_never_overwritten_plaid_credentials_are_updated(self):
        ssm = self.client("ssm")
        first = DEPLOY.put_secure_parameters(ssm, f"deploy-test-{RUN}-a", "client-1", "secret-1")
        self.assertEqual(first, {f"/deploy-test-{RUN}-a/token-keys": "created", f"/deploy-test-{RUN}-a/plaid/client-id": "created",
                                 f"/deploy-test-{RUN}-a/plaid/secret": "created"})
        keyring = self.secure_value(ssm, f"/deploy-test-{RUN}-a/token-keys")
        self.assertRegex(keyring, r"^k\d{6}:[A-Za-z0-9+/]{43}=$")
        import base64
        self.assertEqual(len(base64.b64decode(keyring.split(":", 1)[1])), 32)
        # A second deploy (new credentials) keeps the key, whatever the generator would give.
        second = DEPLOY.put_secure_parameters(ssm, f"deploy-test-{RUN}-a", "client-2", "secret-2",
                                              keyring_factory=lambda: "k209901:" + "A" * 43 + "=")
        self.assertEqual(second[f"/deploy-test-{RUN}-a/token-keys"], "kept")
        self.assertEqual(second[f"/deploy-test-{RUN}-a/plaid/secret"], "updated")
        self.assertEqual(self.secure_value(ssm, f"/deploy-test-{RUN}-a/token-keys"), keyring)
        self.assertEqual(self.secure_value(ssm, f"/deploy-test-{RUN}-a/plaid/client-id"), "client-2")
        self.assertEqual(self.secure_value(ssm, f"/deploy-test-{RUN}-a/plaid/secret"), "secret-2")

    def test_a_keyring_the_user_put_there_by_hand_is_kept(self):
        ssm = self.client("ssm")
        ssm.put_parameter(Name=f"/deploy-test-{RUN}-b/token-keys", Value="k1:hand-made", Type="SecureString")
        result = DEPLOY.put_secure_parameters(ssm, f"/deploy-test-{RUN}-b/", "c", "s")
        self.assertEqual(result[f"/deploy-test-{RUN}-b/token-keys"], "kept")
        self.assertEqual(self.secure_value(ssm, f"/deploy-test-{RUN}-b/token-keys"), "k1:hand-made")

    def test_web_upload_sets_types_and_cache_headers_writes_config_and_removes_stale_files(self):
        s3 = self.client("s3")
        bucket = f"mynt-web-test-{RUN}"
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="js/removed-module.js", Body=b"old")
        files = DEPLOY.web_files()
        keys = {k for _, k in files}
        self.assertTrue({"index.html", "app.js", "styles.css", "vendor/chart.umd.js", "favicon.svg"} <= keys)
        self.assertTrue(any(re.fullmatch(r"js/views/[\w-]+\.js", k) for k in keys))
        outputs = {"ApiUrl": "https://abc123.execute-api.us-east-1.amazonaws.com", "Region": REGION,
                   "UserPoolId": "us-east-1_Abc", "UserPoolClientId": "client123",
                   "CognitoDomain": "https://mynt-1.auth.us-east-1.amazoncognito.com"}
        config = DEPLOY.config_json(outputs, google=True)
        uploaded = DEPLOY.upload_web(s3, bucket, files, config)
        self.assertEqual(set(uploaded), keys | {"config.json"})
        listed = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]}
        self.assertEqual(listed, keys | {"config.json"}, "the stale module is gone")
        expected_types = {"index.html": "text/html; charset=utf-8", "app.js": "text/javascript; charset=utf-8",
                          "styles.css": "text/css; charset=utf-8", "favicon.svg": "image/svg+xml",
                          "vendor/chart.umd.js": "text/javascript; charset=utf-8", "config.json": "application/json"}
        for key, ctype in expected_types.items():
            head = s3.head_object(Bucket=bucket, Key=key)
            self.assertEqual(head["ContentType"], ctype, key)
            self.assertEqual(head["CacheControl"], "no-cache" if key in ("index.html", "config.json")
                             else "public, max-age=300", key)
        for path, key in files:
            with open(path, "rb") as f:
                self.assertEqual(s3.get_object(Bucket=bucket, Key=key)["Body"].read(), f.read(), key)
        got = json.loads(s3.get_object(Bucket=bucket, Key="config.json")["Body"].read())
        self.assertEqual(got, {"api_url": outputs["ApiUrl"], "region": REGION, "user_pool_id": "us-east-1_Abc",
                               "client_id": "client123", "cognito_domain": outputs["CognitoDomain"],
                               "mode": "aws"})
        # Without Google the hosted UI is not offered (the web app hides "Sign in with Google").
        self.assertEqual(DEPLOY.config_json(outputs, google=False)["cognito_domain"], "")
        with self.assertRaises(DEPLOY.DeployError):
            DEPLOY.config_json({k: v for k, v in outputs.items() if k != "UserPoolId"}, google=False)
        DEPLOY.empty_bucket(s3, bucket)
        self.assertEqual(s3.list_objects_v2(Bucket=bucket).get("KeyCount"), 0)

    def test_the_code_bucket_is_private_and_its_packages_expire(self):
        s3 = self.client("s3")
        DEPLOY.ensure_artifact_bucket(s3, f"mynt-artifacts-test-{RUN}", REGION)
        DEPLOY.ensure_artifact_bucket(s3, f"mynt-artifacts-test-{RUN}", REGION)  # a second deploy
        block = s3.get_public_access_block(Bucket=f"mynt-artifacts-test-{RUN}")["PublicAccessBlockConfiguration"]
        self.assertTrue(all(block.values()) and len(block) == 4)
        rules = s3.get_bucket_lifecycle_configuration(Bucket=f"mynt-artifacts-test-{RUN}")["Rules"]
        self.assertEqual([(r["Status"], r["Expiration"]["Days"]) for r in rules], [("Enabled", 1)])


class InputsTest(unittest.TestCase):
    def test_dotenv_and_environment_make_the_settings_and_bad_inputs_are_named(self):
        with tempfile.NamedTemporaryFile("w", suffix=".env", delete=False) as f:
            f.write("# Plaid\nPLAID_CLIENT_ID=from-dotenv\nexport PLAID_SECRET='s3cret # not a comment'\n"
                    "AWS_REGION=eu-west-1   # Ireland\nMYNT_ALERT_EMAIL=me@example.com\n")
        self.addCleanup(os.unlink, f.name)
        cfg = DEPLOY.settings({"PLAID_CLIENT_ID": "from-env", "MYNT_STACK": "mynt-test"}, DEPLOY.read_dotenv(f.name))
        self.assertEqual((cfg["plaid_client_id"], cfg["plaid_secret"], cfg["region"], cfg["stack"]),
                         ("from-env", "s3cret # not a comment", "eu-west-1", "mynt-test"))
        self.assertEqual(cfg["alert_email"], "me@example.com")
        DEPLOY.validate(cfg, dry_run=False)
        for bad, needle in (({"GOOGLE_CLIENT_ID": "x.apps.googleusercontent.com"}, "go together"),
                            ({"MYNT_COGNITO_DOMAIN_PREFIX": "my-cognito"}, "MYNT_COGNITO_DOMAIN_PREFIX"),
                            ({"PLAID_ENV": "development"}, "PLAID_ENV"),
                            ({"MYNT_ALERT_EMAIL": "not-an-address"}, "MYNT_ALERT_EMAIL"),
                            ({"MYNT_ALLOWED_ORIGIN": "https://app.example.com/path"}, "MYNT_ALLOWED_ORIGIN")):
            with self.assertRaises(DEPLOY.DeployError) as e:
                DEPLOY.validate(DEPLOY.settings(bad, DEPLOY.read_dotenv(f.name)), dry_run=False)
            self.assertIn(needle, str(e.exception))
        # A real deploy needs the Plaid credentials and a region; a dry run only notes them.
        with self.assertRaises(DEPLOY.DeployError) as e:
            DEPLOY.validate(DEPLOY.settings({}, {}), dry_run=False)
        self.assertIn("PLAID_CLIENT_ID", str(e.exception))
        self.assertIn("AWS_REGION", str(e.exception))
        notes = DEPLOY.validate(DEPLOY.settings({}, {}), dry_run=True)
        self.assertTrue(any("PLAID_SECRET" in n for n in notes))

    def test_rendered_parameters_never_show_the_google_secret(self):
        cfg = DEPLOY.settings({"GOOGLE_CLIENT_ID": "1.apps.googleusercontent.com",
                               "GOOGLE_CLIENT_SECRET": "GOCSPX-secret"}, {})
        params = DEPLOY.parameter_overrides(cfg, "123456789012")
        self.assertEqual(params["CognitoDomainPrefix"], "mynt-123456789012")
        self.assertEqual(params["GoogleClientSecret"], "GOCSPX-secret")
        self.assertNotIn("GOCSPX-secret", json.dumps(DEPLOY.masked(params)))

    def test_destroy_asks_for_the_exact_words(self):
        self.assertTrue(DEPLOY.confirm("?", "delete mynt-users", reader=lambda _: "delete mynt-users\n"))
        self.assertFalse(DEPLOY.confirm("?", "delete mynt-users", reader=lambda _: "yes"))
        self.assertFalse(DEPLOY.confirm("?", "delete mynt-users", reader=lambda _: "delete mynt-user"))


class LiftGuardTest(unittest.TestCase):
    def test_lift_guard_writes_back_exactly_the_stage_cloudformation_created(self):
        # moto has no UpdateStage: botocore's Stubber checks the call against the service's own
        # model (names, types) and against what the transformed template gives the stage.
        from botocore.stub import Stubber
        stage = transformed()["Resources"]["MyntApiApiGatewayDefaultStage"]["Properties"]
        client = boto3.client("apigatewayv2", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="y")
        with Stubber(client) as stub:
            stub.add_response("update_stage", {"StageName": "$default"}, {
                "ApiId": "abc123", "StageName": "$default",
                "DefaultRouteSettings": stage["DefaultRouteSettings"],
                "RouteSettings": stage["RouteSettings"]})
            DEPLOY.lift_guard({"api_id": "abc123"}, apigw=client)
            stub.assert_no_pending_responses()


if __name__ == "__main__":
    unittest.main(verbosity=2)
