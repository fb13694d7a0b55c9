"""test_template.py - the deployment rules of issue #10, asserted on the TRANSFORMED template.

template.yaml goes through samtranslator here exactly as scripts/deploy's dry run (and AWS, at
deploy) transforms it, so what is checked is the plain CloudFormation that would be created:
roles with their inline policies, the HTTP API's OpenAPI body and stage, the functions.
MYNT_TEMPLATE=path checks another template (e.g. a deliberately broken copy).
"""
import importlib.machinery
import importlib.util
import json
import os
import re
import sys
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TEMPLATE = os.environ.get("MYNT_TEMPLATE", os.path.join(ROOT, "template.yaml"))
CODE_URI = "s3://mynt-test-artifacts/code.zip"
MONTH_S = 30 * 24 * 3600

# The only public routes (issue #10): everything else needs the Cognito JWT.
PUBLIC_ROUTES = {"$default", "GET /health", "POST /webhooks/plaid"}

# What each function may do with the table (docs/security.md, "Least privilege").
DYNAMODB_ACTIONS = {
    "PublicFunction": set(),
    "UsersFunction": {"UpdateItem"},
    "ItemsFunction": {"GetItem", "Query", "PutItem", "UpdateItem", "DeleteItem", "ConditionCheckItem",
                      "BatchWriteItem"},
    "TransactionsFunction": {"Query"},
    "BudgetsFunction": {"PutItem", "DeleteItem", "Query"},
    "WebhooksFunction": {"GetItem", "UpdateItem"},
    "SyncFunction": {"GetItem", "Query", "BatchGetItem", "PutItem", "UpdateItem", "DeleteItem",
                     "BatchWriteItem"},
    "PreSignUpFunction": set(),
    "CostGuardFunction": set(),
}
# The functions that read the Plaid SecureStrings, and exactly which.
SSM_READERS = {"ItemsFunction", "WebhooksFunction", "SyncFunction"}
SSM_NAMES = ("token-keys", "plaid/client-id", "plaid/secret")

# Every resource type the stack may hold: a new type must be looked at for its cost at rest.
ALLOWED_TYPES = {
    "AWS::ApiGatewayV2::Api", "AWS::ApiGatewayV2::Stage", "AWS::Budgets::Budget",
    "AWS::CloudFront::Distribution", "AWS::CloudFront::OriginAccessControl",
    "AWS::CloudFront::ResponseHeadersPolicy", "AWS::Cognito::UserPool", "AWS::Cognito::UserPoolClient",
    "AWS::Cognito::UserPoolDomain", "AWS::Cognito::UserPoolIdentityProvider", "AWS::DynamoDB::Table",
    "AWS::IAM::Role", "AWS::Lambda::Function", "AWS::Lambda::Permission", "AWS::Logs::LogGroup",
    "AWS::S3::Bucket", "AWS::S3::BucketPolicy", "AWS::SNS::Subscription", "AWS::SNS::Topic",
    "AWS::SNS::TopicPolicy", "AWS::Scheduler::Schedule",
}
COSTLY_TYPES = {
    "AWS::EC2::NatGateway", "AWS::EC2::VPCEndpoint", "AWS::KMS::Key", "AWS::SecretsManager::Secret",
    "AWS::Lambda::Version", "AWS::Lambda::Alias", "AWS::EC2::Instance", "AWS::RDS::DBInstance",
    "AWS::ElastiCache::CacheCluster", "AWS::EC2::EIP", "AWS::Route53::HostedZone",
}


def _load_deploy():
    loader = importlib.machinery.SourceFileLoader("mynt_deploy", os.path.join(ROOT, "scripts", "deploy"))
    spec = importlib.util.spec_from_loader("mynt_deploy", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


DEPLOY = _load_deploy()
_CACHE = {}


def transformed(**params):
    """The transformed template with these parameter values (cached per set of values)."""
    key = tuple(sorted(params.items()))
    if key not in _CACHE:
        _CACHE[key] = DEPLOY.transform_locally(TEMPLATE, CODE_URI, dict(params))
    return _CACHE[key]


def parameter_values(tpl, params):
    values = {n: str(p.get("Default", "")) for n, p in tpl.get("Parameters", {}).items()}
    values.update(params)
    return values


def evaluate(tpl, value, params):
    """Resolves Fn::If / Fn::Equals / Fn::Not / Condition / Ref-to-a-parameter like CloudFormation
    does with these parameter values; everything else is returned as it is."""
    values = parameter_values(tpl, params)
    conditions = tpl.get("Conditions", {})

    def cond(name):
        return bool(ev(conditions[name]))

    def ev(v):
        if isinstance(v, dict) and len(v) == 1:
            (k, arg), = v.items()
            if k == "Fn::If":
                return ev(arg[1] if cond(arg[0]) else arg[2])
            if k == "Fn::Equals":
                return str(ev(arg[0])) == str(ev(arg[1]))
            if k == "Fn::Not":
                return not ev(arg[0])
            if k == "Condition":
                return cond(arg)
            if k == "Fn::Select":
                return ev(arg[1][int(arg[0])])
            if k == "Ref" and arg in values:
                return values[arg]
        if isinstance(v, dict):
            return {k: ev(x) for k, x in v.items()}
        if isinstance(v, list):
            return [ev(x) for x in v if not (isinstance(x, dict) and x == {"Ref": "AWS::NoValue"})
                    and ev(x) != {"Ref": "AWS::NoValue"}]
        return v

    return ev(value), cond


def json_values(value):
    """Every dict and scalar nested in value (to find a Ref wherever it is)."""
    out = [value]
    if isinstance(value, dict):
        for v in value.values():
            out += json_values(v)
    elif isinstance(value, list):
        for v in value:
            out += json_values(v)
    return out


def resources(tpl, kind):
    return {n: r for n, r in tpl["Resources"].items() if r["Type"] == kind}


def statements(role):
    out = []
    for policy in role["Properties"].get("Policies", []):
        st = policy["PolicyDocument"]["Statement"]
        out += st if isinstance(st, list) else [st]
    return out


def as_list(v):
    return v if isinstance(v, list) else [v]


def api_routes(tpl):
    """{route key: OpenAPI operation} of the HTTP API's body."""
    body = tpl["Resources"]["MyntApi"]["Properties"]["Body"]
    routes = {}
    for path, ops in body["paths"].items():
        for method, op in ops.items():
            if path == "$default":
                routes["$default"] = op
            else:
                routes[f"{'ANY' if method == 'x-amazon-apigateway-any-method' else method.upper()} {path}"] = op
    return routes


def integration_function(op):
    uri = op["x-amazon-apigateway-integration"]["uri"]["Fn::Sub"]
    return re.search(r"\$\{(\w+)\.Arn\}", uri).group(1)


class TemplateTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = transformed()
        cls.r = cls.t["Resources"]

    def test_user_pool_is_lite_with_email_usernames_verified_by_code(self):
        pool = self.r["UserPool"]["Properties"]
        self.assertEqual(pool.get("UserPoolTier"), "LITE", "CloudFormation's default tier, ESSENTIALS, is not what is free")
        self.assertEqual(pool["UsernameAttributes"], ["email"])
        self.assertIn("email", pool["AutoVerifiedAttributes"])
        self.assertEqual(pool["VerificationMessageTemplate"]["DefaultEmailOption"], "CONFIRM_WITH_CODE")
        self.assertEqual(self.r["UserPool"].get("DeletionPolicy"), "Retain")

    def test_app_client_is_a_public_code_flow_client_with_the_web_and_localhost_callbacks(self):
        client = self.r["UserPoolClient"]["Properties"]
        self.assertIs(client["GenerateSecret"], False, "a browser client cannot keep a secret: PKCE instead")
        self.assertIs(client["AllowedOAuthFlowsUserPoolClient"], True)
        self.assertEqual(client["AllowedOAuthFlows"], ["code"], "only the authorization code flow (no implicit)")
        self.assertEqual(set(client["AllowedOAuthScopes"]), {"openid", "email", "profile"})
        self.assertEqual(set(client["ExplicitAuthFlows"]),
                         {"ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"})
        for urls in ("CallbackURLs", "LogoutURLs"):
            default, _ = evaluate(self.t, client[urls], {})
            self.assertIn({"Fn::Sub": "https://${WebDistribution.DomainName}/"}, default)
            self.assertIn("http://localhost:8080/", default)
            self.assertEqual(len(default), 2, f"{urls}: the web app's and localhost's only")
            custom, _ = evaluate(self.t, client[urls], {"AllowedOrigin": "https://app.example.com"})
            self.assertEqual(set(map(str, custom)),
                             {str({"Fn::Sub": "${AllowedOrigin}/"}), "http://localhost:8080/"})

    def test_app_client_can_revoke_refresh_tokens_and_its_tokens_live_an_hour(self):
        client = self.r["UserPoolClient"]["Properties"]
        self.assertIs(client.get("EnableTokenRevocation"), True, "sign-out revokes the refresh token")
        self.assertEqual((client["AccessTokenValidity"], client["IdTokenValidity"]), (60, 60))
        self.assertEqual(client["TokenValidityUnits"]["AccessToken"], "minutes",
                         "docs/security.md: a revoked session's access token lives until it expires")
        self.assertEqual((client["RefreshTokenValidity"], client["TokenValidityUnits"]["RefreshToken"]), (30, "days"))

    def test_google_is_a_mapped_identity_provider_only_when_its_client_id_is_given(self):
        idp = self.r["GoogleIdentityProvider"]
        props = idp["Properties"]
        self.assertEqual((props["ProviderName"], props["ProviderType"]), ("Google", "Google"))
        self.assertEqual(props["ProviderDetails"]["client_id"], {"Ref": "GoogleClientId"})
        self.assertEqual(props["ProviderDetails"]["client_secret"], {"Ref": "GoogleClientSecret"})
        self.assertEqual(set(props["ProviderDetails"]["authorize_scopes"].split()), {"openid", "email", "profile"})
        self.assertEqual(props["AttributeMapping"].get("email"), "email")
        self.assertEqual(props["AttributeMapping"].get("name"), "name")
        for p in ("GoogleClientId", "GoogleClientSecret"):
            self.assertIs(self.t["Parameters"][p].get("NoEcho"), True, f"{p} must be NoEcho")
        client = self.r["UserPoolClient"]["Properties"]
        without, cond = evaluate(self.t, client["SupportedIdentityProviders"], {})
        self.assertFalse(cond(idp["Condition"]), "no Google provider without a client id")
        self.assertEqual(without, ["COGNITO"])
        with_google, cond = evaluate(self.t, client["SupportedIdentityProviders"],
                                     {"GoogleClientId": "1.apps.googleusercontent.com"})
        self.assertTrue(cond(idp["Condition"]))
        self.assertEqual(with_google, ["COGNITO", "Google"])
        # ... and the client is created after the provider (a Ref to it in the list).
        self.assertIn({"Ref": "GoogleIdentityProvider"}, json_values(client["SupportedIdentityProviders"]))
        self.assertEqual(self.t["Outputs"]["GoogleRedirectUri"]["Value"]["Fn::Sub"],
                         "https://${CognitoDomainPrefix}.auth.${AWS::Region}.amazoncognito.com/oauth2/idpresponse")
        self.assertEqual(self.r["UserPoolDomain"]["Properties"]["Domain"], {"Ref": "CognitoDomainPrefix"})

    def test_presignup_trigger_is_wired_permitted_and_may_only_link_users(self):
        self.assertEqual(self.r["UserPool"]["Properties"]["LambdaConfig"]["PreSignUp"],
                         {"Fn::GetAtt": ["PreSignUpFunction", "Arn"]})
        fn = self.r["PreSignUpFunction"]["Properties"]
        self.assertEqual(fn["Handler"], "presignup")
        self.assertLessEqual(fn["Timeout"], 5, "Cognito waits 5 s for a trigger")
        perms = [p["Properties"] for p in resources(self.t, "AWS::Lambda::Permission").values()
                 if p["Properties"]["Principal"] == "cognito-idp.amazonaws.com"]
        self.assertEqual(len(perms), 1)
        self.assertEqual(perms[0]["FunctionName"], {"Fn::GetAtt": ["PreSignUpFunction", "Arn"]})
        self.assertEqual(perms[0]["SourceArn"], {"Fn::GetAtt": ["UserPool", "Arn"]})
        st = statements(self.r["PreSignUpFunctionRole"])
        self.assertEqual(len(st), 1)
        self.assertEqual(set(as_list(st[0]["Action"])),
                         {"cognito-idp:ListUsers", "cognito-idp:AdminLinkProviderForUser"})
        self.assertEqual(st[0]["Resource"], {"Fn::Sub":
                         "arn:${AWS::Partition}:cognito-idp:${AWS::Region}:${AWS::AccountId}:userpool/*"})

    def test_every_route_but_health_default_and_the_webhook_has_the_jwt_authorizer(self):
        routes = api_routes(self.t)
        self.assertGreaterEqual(len(routes), 16)
        for key, op in routes.items():
            expected = [{"NONE": []}] if key in PUBLIC_ROUTES else [{"CognitoJwt": []}]
            self.assertEqual(op.get("security"), expected, key)
        self.assertTrue(PUBLIC_ROUTES <= set(routes))
        scheme = self.r["MyntApi"]["Properties"]["Body"]["components"]["securitySchemes"]["CognitoJwt"]
        auth = scheme["x-amazon-apigateway-authorizer"]
        self.assertEqual(auth["type"], "jwt")
        self.assertEqual(auth["jwtConfiguration"]["audience"], [{"Ref": "UserPoolClient"}])
        self.assertEqual(auth["jwtConfiguration"]["issuer"],
                         {"Fn::Sub": "https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}"})

    def test_cors_allows_only_the_web_apps_origin(self):
        for params, expected in (({}, {"Fn::Sub": "https://${WebDistribution.DomainName}"}),
                                 ({"AllowedOrigin": "https://app.example.com"}, "https://app.example.com")):
            tpl = transformed(**params)
            cors = tpl["Resources"]["MyntApi"]["Properties"]["Body"]["x-amazon-apigateway-cors"]
            origins, _ = evaluate(tpl, cors["allowOrigins"], params)
            self.assertEqual(origins, [expected], params)
            self.assertNotIn("allowCredentials", cors)

    def test_throttles_are_set_per_route_and_their_sum_is_the_figure_docs_cost_md_works_with(self):
        stage = self.r["MyntApiApiGatewayDefaultStage"]["Properties"]
        default = stage["DefaultRouteSettings"]
        per_route = stage.get("RouteSettings", {})
        routes = api_routes(self.t)
        self.assertTrue(set(per_route) <= set(routes), f"settings for routes that do not exist: {set(per_route) - set(routes)}")
        rates = {}
        for key in routes:
            s = {**default, **per_route.get(key, {})}
            self.assertGreater(s["ThrottlingRateLimit"], 0, key)
            self.assertGreater(s["ThrottlingBurstLimit"], 0, key)
            self.assertLessEqual(s["ThrottlingBurstLimit"], 10, key)
            rates[key] = s["ThrottlingRateLimit"]
        for key in ("$default", "POST /webhooks/plaid", "POST /link/token", "POST /items", "GET /transactions/export"):
            self.assertLessEqual(rates[key], 1, f"{key}: public, Plaid-calling or heavy routes get a tight limit")
        with open(os.path.join(ROOT, "docs", "cost.md"), encoding="utf-8") as f:
            doc = f.read()
        m = re.search(r"sum of the route rates: \*\*(\d+) requests a second\*\*", doc)
        self.assertIsNotNone(m, "docs/cost.md states the sum of the route rates")
        self.assertEqual(sum(rates.values()), int(m.group(1)), "the template and docs/cost.md disagree")
        self.assertEqual(sum(rates.values()) * MONTH_S, int(m.group(1)) * MONTH_S)
        m = re.search(r"\*\*([\d,]+) requests a month\*\*", doc)
        self.assertIsNotNone(m)
        self.assertEqual(int(m.group(1).replace(",", "")), sum(rates.values()) * MONTH_S)

    def test_budget_of_a_cent_alerts_the_cost_guard_function_through_its_topic(self):
        budget = self.r["CostBudget"]["Properties"]
        self.assertEqual(budget["Budget"]["BudgetType"], "COST")
        self.assertEqual(budget["Budget"]["TimeUnit"], "MONTHLY")
        self.assertEqual(float(budget["Budget"]["BudgetLimit"]["Amount"]), 0.01)
        self.assertEqual(budget["Budget"]["BudgetLimit"]["Unit"], "USD")
        kinds = set()
        for n in budget["NotificationsWithSubscribers"]:
            kinds.add(n["Notification"]["NotificationType"])
            self.assertEqual(n["Notification"]["ComparisonOperator"], "GREATER_THAN")
            subs, _ = evaluate(self.t, n["Subscribers"], {"AlertEmail": "me@example.com"})
            self.assertIn({"SubscriptionType": "SNS", "Address": {"Ref": "CostGuardTopic"}}, subs)
            self.assertIn({"SubscriptionType": "EMAIL", "Address": "me@example.com"}, subs)
            no_email, _ = evaluate(self.t, n["Subscribers"], {})
            self.assertEqual(no_email, [{"SubscriptionType": "SNS", "Address": {"Ref": "CostGuardTopic"}}])
        self.assertEqual(kinds, {"ACTUAL", "FORECASTED"})
        policy = next(iter(resources(self.t, "AWS::SNS::TopicPolicy").values()))["Properties"]
        self.assertEqual(policy["Topics"], [{"Ref": "CostGuardTopic"}])
        st = as_list(policy["PolicyDocument"]["Statement"])
        self.assertEqual([s["Principal"] for s in st], [{"Service": "budgets.amazonaws.com"}])
        self.assertEqual(as_list(st[0]["Action"]), ["SNS:Publish"])
        self.assertEqual(st[0]["Resource"], {"Ref": "CostGuardTopic"})
        self.assertEqual(st[0]["Condition"], {
            "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
            "ArnLike": {"aws:SourceArn": {"Fn::Sub": "arn:${AWS::Partition}:budgets::${AWS::AccountId}:*"}}},
            "only this account's budgets may publish")
        subs = [s["Properties"] for s in resources(self.t, "AWS::SNS::Subscription").values()]
        self.assertIn({"Endpoint": {"Fn::GetAtt": ["CostGuardFunction", "Arn"]}, "Protocol": "lambda",
                       "TopicArn": {"Ref": "CostGuardTopic"}}, subs)
        perms = [p["Properties"] for p in resources(self.t, "AWS::Lambda::Permission").values()
                 if p["Properties"]["Principal"] == "sns.amazonaws.com"]
        self.assertEqual([(p["FunctionName"], p["SourceArn"]) for p in perms],
                         [({"Ref": "CostGuardFunction"}, {"Ref": "CostGuardTopic"})])
        fn = self.r["CostGuardFunction"]["Properties"]
        self.assertEqual(fn["Handler"], "costguard")
        env = fn["Environment"]["Variables"]
        self.assertEqual(env["MYNT_HTTP_API_ID"], {"Ref": "MyntApi"})
        self.assertEqual(env["MYNT_HTTP_API_STAGE"], "$default")
        self.assertEqual(env["MYNT_GUARD_RATE"], {"Ref": "CostGuardRate"})
        self.assertEqual(env["MYNT_GUARD_BURST"], "1")
        guard = self.t["Parameters"]["CostGuardRate"]
        routes = len(api_routes(self.t))
        # Every route at the trickle, a 30-day month, must fit in the HTTP API's free million calls.
        self.assertLessEqual(float(guard["Default"]) * routes * 2_592_000, 1_000_000,
                             "the guard's trickle over all routes fits in the free million a month")
        self.assertLessEqual(float(guard["MaxValue"]), 10)
        st = statements(self.r["CostGuardFunctionRole"])
        self.assertEqual(len(st), 1)
        self.assertEqual(set(as_list(st[0]["Action"])), {"apigateway:GET", "apigateway:PATCH"})
        self.assertEqual(st[0]["Resource"], {"Fn::Sub":
                         "arn:${AWS::Partition}:apigateway:${AWS::Region}::/apis/${MyntApi}/stages/$default"})

    def test_every_function_role_allows_only_its_own_table_actions_and_its_parameters(self):
        functions = resources(self.t, "AWS::Lambda::Function")
        self.assertEqual(set(functions), set(DYNAMODB_ACTIONS), "a new function needs its row in DYNAMODB_ACTIONS")
        for name, fn in functions.items():
            role_name = fn["Properties"]["Role"]["Fn::GetAtt"][0]
            role = self.r[role_name]["Properties"]
            self.assertEqual(role.get("ManagedPolicyArns"),
                             ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"], name)
            ddb, ssm = set(), []
            for s in statements(self.r[role_name]):
                self.assertEqual(s["Effect"], "Allow")
                actions = as_list(s["Action"])
                for a in actions:
                    self.assertNotIn("*", a, f"{name}: wildcard action {a}")
                self.assertNotEqual(s["Resource"], "*", f"{name}: a statement on every resource")
                if any(a.startswith("dynamodb:") for a in actions):
                    self.assertTrue(all(a.startswith("dynamodb:") for a in actions))
                    self.assertEqual(s["Resource"], {"Fn::GetAtt": ["UsersTable", "Arn"]}, name)
                    ddb |= {a.split(":", 1)[1] for a in actions}
                if any(a.startswith("ssm:") for a in actions):
                    self.assertEqual(actions, ["ssm:GetParameters"], name)  # one call for the three (src/bootstrap_env.c)
                    ssm += [r["Fn::Sub"] for r in as_list(s["Resource"])]
            self.assertNotIn("Scan", ddb, name)
            self.assertEqual(ddb, DYNAMODB_ACTIONS[name], name)
            expected_ssm = ([f"arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter/${{SsmPrefixName}}/{n}"
                             for n in SSM_NAMES] if name in SSM_READERS else [])
            self.assertEqual(sorted(ssm), sorted(expected_ssm), name)

    def test_every_function_has_a_seven_day_log_group_and_api_functions_end_before_30_s(self):
        functions = resources(self.t, "AWS::Lambda::Function")
        groups = {}
        for g in resources(self.t, "AWS::Logs::LogGroup").values():
            self.assertNotIn("Condition", g, "a function's log group is always created")
            groups[g["Properties"]["LogGroupName"]["Fn::Sub"]] = g["Properties"]
        for name in functions:
            g = groups.get(f"/aws/lambda/${{{name}}}")
            self.assertIsNotNone(g, f"{name} has no log group of its own")
            days, _ = evaluate(self.t, g["RetentionInDays"], {})
            self.assertEqual(int(days), 7, name)
            self.assertNotIn("KmsKeyId", g)
        self.assertTrue(all(int(v) <= 7 for v in self.t["Parameters"]["LogRetentionDays"]["AllowedValues"]))
        behind_api = {integration_function(op) for op in api_routes(self.t).values()}
        self.assertTrue(behind_api)
        for name in behind_api:
            self.assertLess(functions[name]["Properties"]["Timeout"], 30, f"{name} is behind the API")

    def test_table_is_provisioned_within_the_free_25_units_protected_and_on_the_aws_owned_key(self):
        table = self.r["UsersTable"]
        p = table["Properties"]
        self.assertEqual(p["BillingMode"], "PROVISIONED")
        rcu = p["ProvisionedThroughput"]["ReadCapacityUnits"]
        wcu = p["ProvisionedThroughput"]["WriteCapacityUnits"]
        for index in p.get("GlobalSecondaryIndexes", []):
            rcu += index["ProvisionedThroughput"]["ReadCapacityUnits"]
            wcu += index["ProvisionedThroughput"]["WriteCapacityUnits"]
        self.assertLessEqual(rcu, 25)
        self.assertLessEqual(wcu, 25)
        self.assertIs(p.get("DeletionProtectionEnabled"), True)
        self.assertEqual(table.get("DeletionPolicy"), "Retain")
        sse = p.get("SSESpecification", {})
        self.assertFalse(sse.get("SSEEnabled", False), "SSEEnabled true means a KMS key (billed requests)")
        self.assertNotIn("KMSMasterKeyId", sse)
        self.assertFalse(p.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled", False))

    def test_web_bucket_is_private_behind_cloudfront_with_oac_spa_fallback_and_the_security_headers(self):
        bucket = self.r["WebBucket"]["Properties"]
        self.assertEqual(bucket["PublicAccessBlockConfiguration"], {
            "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True})
        self.assertEqual(bucket["OwnershipControls"]["Rules"], [{"ObjectOwnership": "BucketOwnerEnforced"}])
        self.assertNotIn("WebsiteConfiguration", bucket)
        policy = next(iter(resources(self.t, "AWS::S3::BucketPolicy").values()))["Properties"]
        for s in policy["PolicyDocument"]["Statement"]:
            if s["Effect"] == "Allow":
                self.assertEqual(s["Principal"], {"Service": "cloudfront.amazonaws.com"})
                self.assertEqual(as_list(s["Action"]), ["s3:GetObject"])
                self.assertEqual(s["Condition"]["StringEquals"]["AWS:SourceArn"], {"Fn::Sub":
                                 "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${WebDistribution}"})
        dist = self.r["WebDistribution"]["Properties"]["DistributionConfig"]
        origin, = dist["Origins"]
        self.assertEqual(origin["OriginAccessControlId"], {"Fn::GetAtt": ["WebOriginAccessControl", "Id"]})
        self.assertEqual(origin["DomainName"], {"Fn::GetAtt": ["WebBucket", "RegionalDomainName"]})
        oac = self.r["WebOriginAccessControl"]["Properties"]["OriginAccessControlConfig"]
        self.assertEqual((oac["OriginAccessControlOriginType"], oac["SigningBehavior"]), ("s3", "always"))
        behaviour = dist["DefaultCacheBehavior"]
        self.assertEqual(behaviour["ViewerProtocolPolicy"], "redirect-to-https")
        self.assertEqual(behaviour["ResponseHeadersPolicyId"], {"Ref": "WebHeadersPolicy"})
        fallback = {e["ErrorCode"]: (e["ResponseCode"], e["ResponsePagePath"]) for e in dist["CustomErrorResponses"]}
        self.assertEqual(fallback, {403: (200, "/index.html"), 404: (200, "/index.html")})
        headers = self.r["WebHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
        csp = headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
        directives = {d.split()[0]: d.split()[1:] for d in (x.strip() for x in csp.split(";")) if d}
        self.assertEqual(directives["default-src"], ["'self'"])
        self.assertEqual(directives["script-src"], ["'self'", "https://cdn.plaid.com"])
        self.assertEqual(directives["style-src"], ["'self'"])
        self.assertEqual(directives["frame-src"], ["https://cdn.plaid.com"])
        self.assertEqual(directives["frame-ancestors"], ["'none'"])
        self.assertEqual(directives["base-uri"], ["'none'"])
        self.assertNotIn("unsafe-inline", csp)
        self.assertNotIn("unsafe-eval", csp)
        self.assertNotIn("*", " ".join(directives["script-src"] + directives["default-src"]))
        self.assertGreaterEqual(headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"], 31536000)
        self.assertIs(headers["StrictTransportSecurity"]["IncludeSubdomains"], True)
        self.assertIn("ContentTypeOptions", headers)
        self.assertEqual(headers["ReferrerPolicy"]["ReferrerPolicy"], "no-referrer")
        self.assertEqual(headers["FrameOptions"]["FrameOption"], "DENY")
        for h in headers.values():
            self.assertIs(h["Override"], True)

    def test_nothing_costs_money_at_rest(self):
        types = {r["Type"] for r in self.r.values()}
        self.assertFalse(types & COSTLY_TYPES, types & COSTLY_TYPES)
        self.assertTrue(types <= ALLOWED_TYPES, f"new resource types to review for cost: {types - ALLOWED_TYPES}")
        for name, fn in resources(self.t, "AWS::Lambda::Function").items():
            p = fn["Properties"]
            self.assertNotEqual(p.get("TracingConfig", {}).get("Mode"), "Active", f"{name}: X-Ray")
            self.assertNotIn("VpcConfig", p, f"{name}: a VPC needs a NAT gateway or endpoints")
            self.assertNotIn("ProvisionedConcurrencyConfig", p)
            self.assertLessEqual(p["MemorySize"], 128, name)
        for topic in resources(self.t, "AWS::SNS::Topic").values():
            self.assertNotIn("KmsMasterKeyId", topic["Properties"])
        enc = self.r["WebBucket"]["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        self.assertEqual([e["ServerSideEncryptionByDefault"]["SSEAlgorithm"] for e in enc], ["AES256"])

    def test_the_template_given_to_cloudformation_package_names_the_code_on_every_function(self):
        # `aws cloudformation package` ignores Globals' CodeUri and would upload the working
        # directory instead (aws/aws-cli#3376).
        sam = DEPLOY.with_code(TEMPLATE, "/abs/build/dist/mynt-lambda.zip")
        self.assertNotIn("CodeUri", sam.get("Globals", {}).get("Function", {}))
        functions = [r for r in sam["Resources"].values() if r["Type"] == "AWS::Serverless::Function"]
        self.assertEqual(len(functions), len(DYNAMODB_ACTIONS))
        for fn in functions:
            self.assertEqual(fn["Properties"]["CodeUri"], "/abs/build/dist/mynt-lambda.zip")
        code = {r["Properties"]["Code"]["S3Key"] for r in resources(self.t, "AWS::Lambda::Function").values()}
        self.assertEqual(code, {"code.zip"}, "every function runs the one bootstrap")

    def test_outputs_give_what_the_deploy_and_the_dashboards_need(self):
        self.assertTrue({"ApiUrl", "WebUrl", "UserPoolId", "UserPoolClientId", "CognitoDomain", "Region",
                         "WebBucketName", "DistributionId", "GoogleRedirectUri"} <= set(self.t["Outputs"]))


if __name__ == "__main__":
    unittest.main(verbosity=2)
