"""localstack.py - builds Mynt's local AWS stack from template.yaml, the one source of truth.

Reads the SAM template and, against a running moto_server, creates the DynamoDB table, the
Cognito user pool and app client, and the SSM SecureString parameters the template declares.
Derives the route table (functions, handlers, timeouts, routes, auth) and the schedules
(AWS::Scheduler::Schedule) that mynt-local serves. Nothing here restates a route, a key schema,
a schedule or a policy: all of it comes from the template.
"""
import base64
import json
import os
import secrets

import boto3
import yaml

# The stack name !Sub "${AWS::StackName}" resolves to locally (so the sync function is "mynt-sync").
LOCAL_STACK_NAME = "mynt"

# Credentials for moto: it does not check signatures, but Lambda always hands functions a
# session token, so the local functions get one too.
LOCAL_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "AKIDLOCALMYNT",
    "AWS_SECRET_ACCESS_KEY": "local-secret-not-used-by-moto",
    "AWS_SESSION_TOKEN": "local-session-token",
}


class _Tag:
    """A CloudFormation intrinsic written with YAML short form (!Ref, !Sub, !GetAtt ...)."""

    def __init__(self, name, value):
        self.name = name
        self.value = value


def _tag_constructor(loader, tag_suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return _Tag(tag_suffix, value)


class _TemplateLoader(yaml.SafeLoader):
    pass


_TemplateLoader.add_multi_constructor("!", _tag_constructor)


def load_template(path):
    """Returns the template as Python data, intrinsics kept as _Tag objects."""
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=_TemplateLoader)


# Resources of the template that have no local counterpart (moto or mynt-local does not need
# them: the hosted-UI domain, the Google provider, the cost guard's budget and topic, the web
# bucket and its distribution). A !Ref to one resolves to "local-<LogicalId>" so that what
# names it (the cost guard's MYNT_HTTP_API_ID) still has a value locally.
NOT_MODELLED_LOCALLY = {
    "AWS::Serverless::HttpApi",
    "AWS::Cognito::UserPoolDomain",
    "AWS::Cognito::UserPoolIdentityProvider",
    "AWS::Budgets::Budget",
    "AWS::SNS::Topic",
    "AWS::SNS::TopicPolicy",
    "AWS::S3::Bucket",
    "AWS::S3::BucketPolicy",
    "AWS::CloudFront::Distribution",
    "AWS::CloudFront::OriginAccessControl",
    "AWS::CloudFront::ResponseHeadersPolicy",
    "AWS::Lambda::Permission",
}


# What !Ref AWS::NoValue resolves to: the list element or property it stands for is left out.
_NO_VALUE = object()


class Resolver:
    """Resolves intrinsics against parameter defaults, the template's Conditions and the local
    physical ids."""

    def __init__(self, template, region):
        self.region = region
        self.params = {
            name: str(p.get("Default", ""))
            for name, p in (template.get("Parameters") or {}).items()
        }
        self.physical = {}
        self.types = {name: res.get("Type") for name, res in (template.get("Resources") or {}).items()}
        self.conditions = template.get("Conditions") or {}

    def condition(self, name):
        """The value of a named condition of the template, with the parameters' defaults."""
        if name not in self.conditions:
            raise KeyError(f"template condition {name!r} is not defined")
        return bool(self.resolve(self.conditions[name]))

    def ref(self, name):
        if name == "AWS::NoValue":
            return _NO_VALUE
        if name == "AWS::Region":
            return self.region
        if name == "AWS::AccountId":
            return "000000000000"
        if name == "AWS::StackName":
            return LOCAL_STACK_NAME
        if name == "AWS::Partition":
            return "aws"
        if name in self.params:
            return self.params[name]
        if name in self.physical:
            return self.physical[name]
        if self.types.get(name) in NOT_MODELLED_LOCALLY:
            return f"local-{name}"
        raise KeyError(f"template reference {name!r} cannot be resolved locally")

    def resolve(self, value):
        if isinstance(value, _Tag):
            if value.name == "Ref":
                return self.ref(value.value)
            if value.name == "Sub":
                text = value.value if isinstance(value.value, str) else value.value[0]
                out, i = "", 0
                while i < len(text):
                    start = text.find("${", i)
                    if start < 0:
                        out += text[i:]
                        break
                    end = text.index("}", start)
                    out += text[i:start] + self.ref(text[start + 2:end])
                    i = end + 1
                return out
            if value.name == "If":
                name, when_true, when_false = value.value
                return self.resolve(when_true if self.condition(name) else when_false)
            if value.name == "Equals":
                left, right = (self.resolve(v) for v in value.value)
                return str(left) == str(right)
            if value.name == "Not":
                return not self.resolve(value.value[0])
            if value.name == "Condition":
                return self.condition(value.value)
            if value.name == "Select":
                index, items = value.value
                return self.resolve(items[int(self.resolve(index))])
            raise KeyError(f"intrinsic !{value.name} is not supported locally")
        if isinstance(value, dict):
            out = {k: self.resolve(v) for k, v in value.items()}
            return {k: v for k, v in out.items() if v is not _NO_VALUE}
        if isinstance(value, list):
            return [v for v in (self.resolve(x) for x in value) if v is not _NO_VALUE]
        return value


def resources_of_type(template, kind):
    return [
        (name, res)
        for name, res in (template.get("Resources") or {}).items()
        if res.get("Type") == kind
    ]


def _client(service, endpoint, region):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


def create_tables(template, resolver, endpoint):
    ddb = _client("dynamodb", endpoint, resolver.region)
    for name, res in resources_of_type(template, "AWS::DynamoDB::Table"):
        props = resolver.resolve(res["Properties"])  # deletion protection and SSE: not modelled
        args = {
            "TableName": props["TableName"],
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": props.get("BillingMode", "PROVISIONED"),
        }
        if args["BillingMode"] == "PROVISIONED":
            args["ProvisionedThroughput"] = {
                k: int(v) for k, v in props["ProvisionedThroughput"].items()
            }
        ddb.create_table(**args)
        ddb.get_waiter("table_exists").wait(TableName=props["TableName"])
        resolver.physical[name] = props["TableName"]


def create_user_pools(template, resolver, endpoint):
    idp = _client("cognito-idp", endpoint, resolver.region)
    pools = {}
    for name, res in resources_of_type(template, "AWS::Cognito::UserPool"):
        # Only what moto is given is resolved: LambdaConfig names functions by !GetAtt (locally
        # mynt-local runs the triggers), UserPoolTier and the mail settings mean nothing to moto.
        props = {k: resolver.resolve(v) for k, v in res["Properties"].items()
                 if k in ("UserPoolName", "Policies", "AutoVerifiedAttributes", "UsernameAttributes",
                          "AccountRecoverySetting", "Schema")}
        args = {"PoolName": props["UserPoolName"]}
        for key in ("Policies", "AutoVerifiedAttributes", "UsernameAttributes",
                    "AccountRecoverySetting"):
            if key in props:
                args[key] = props[key]
        if "Schema" in props:
            args["Schema"] = [
                {**attr, "Required": bool(attr.get("Required")), "Mutable": bool(attr.get("Mutable", True))}
                for attr in props["Schema"]
            ]
        pool = idp.create_user_pool(**args)["UserPool"]
        resolver.physical[name] = pool["Id"]
        pools[name] = pool["Id"]
    clients = {}
    for name, res in resources_of_type(template, "AWS::Cognito::UserPoolClient"):
        # The OAuth settings (callback URLs naming the distribution, the Google provider) are
        # AWS's hosted UI's; locally mynt-local's stand-in serves them.
        keys = ("ClientName", "UserPoolId", "GenerateSecret", "ExplicitAuthFlows",
                "PreventUserExistenceErrors", "AccessTokenValidity", "IdTokenValidity",
                "RefreshTokenValidity", "TokenValidityUnits", "EnableTokenRevocation")
        args = {k: resolver.resolve(v) for k, v in res["Properties"].items() if k in keys}
        client = idp.create_user_pool_client(**args)["UserPoolClient"]
        resolver.physical[name] = client["ClientId"]
        clients[name] = client["ClientId"]
    return pools, clients


def local_parameter_value(param):
    """The local value of a SecureParameter, from its `Local` field in the template."""
    local = param.get("Local", "")
    if local == "random-256-bit-key":
        return base64.b64encode(secrets.token_bytes(32)).decode()
    if local == "random-keyring":
        return "local1:" + base64.b64encode(secrets.token_bytes(32)).decode()
    if local.startswith("literal:"):
        return local[len("literal:"):]
    raise ValueError(f"SecureParameter {param.get('Name')}: unknown Local source {local!r}")


def create_secure_parameters(template, resolver, endpoint):
    """Creates the SecureStrings the template's Metadata declares, with local values.

    Returns {short name: value} (e.g. {"plaid/client-id": "..."}) for the local services
    that must agree with them, such as the Plaid simulator's credentials.
    """
    ssm = _client("ssm", endpoint, resolver.region)
    prefix = "/" + resolver.params["SsmPrefixName"].strip("/")
    values = {}
    for param in ((template.get("Metadata") or {}).get("Mynt") or {}).get("SecureParameters", []):
        value = local_parameter_value(param)
        ssm.put_parameter(Name=f"{prefix}/{param['Name']}", Value=value, Type="SecureString",
                          Overwrite=True, Description=param.get("Description", "")[:1024])
        values[param["Name"]] = value
    return values


def _route_key(event_props):
    path, method = event_props.get("Path"), event_props.get("Method")
    if path is None and method is None:
        return "$default"
    method = (method or "ANY").upper()
    return f"{'ANY' if method in ('ANY', 'X-AMAZON-APIGATEWAY-ANY-METHOD') else method} {path}"


def function_routes(template, resolver):
    """Returns the route table: one entry per function with its handler, timeout and routes.

    Auth follows the API's DefaultAuthorizer unless an event sets Auth.Authorizer: NONE.
    """
    glob = ((template.get("Globals") or {}).get("Function")) or {}
    apis = dict(resources_of_type(template, "AWS::Serverless::HttpApi"))
    functions = []
    for name, res in resources_of_type(template, "AWS::Serverless::Function"):
        props = {**glob, **res["Properties"]}
        env = {}
        for source in (glob, res["Properties"]):
            env.update(((source.get("Environment") or {}).get("Variables")) or {})
        routes = []
        for event in (props.get("Events") or {}).values():
            if event.get("Type") != "HttpApi":
                continue
            ev = event.get("Properties") or {}
            api_name = ev["ApiId"].value if isinstance(ev.get("ApiId"), _Tag) else None
            api_auth = ((apis.get(api_name) or {}).get("Properties") or {}).get("Auth") or {}
            authorizer = (ev.get("Auth") or {}).get("Authorizer", api_auth.get("DefaultAuthorizer"))
            routes.append({
                "route_key": _route_key(ev),
                "auth": "none" if authorizer in (None, "NONE") else "jwt",
            })
        function_name = props.get("FunctionName")
        functions.append({
            "name": name,
            # The name Lambda knows it by: FunctionName when the template sets one (CloudFormation
            # would otherwise make up "<stack>-<LogicalId>-<random>"; locally the logical id).
            "function_name": str(resolver.resolve(function_name)) if function_name is not None else name,
            "handler": props["Handler"],
            "timeout_s": int(props.get("Timeout", 3)),
            "memory_mb": int(props.get("MemorySize", 128)),
            "environment": {k: str(v) for k, v in resolver.resolve(env).items()},
            "routes": routes,
        })
    return functions


def _get_att_target(value):
    """The logical id of "!GetAtt Logical.Arn" (short or list form); raises for anything else."""
    if isinstance(value, _Tag) and value.name == "GetAtt":
        parts = value.value.split(".") if isinstance(value.value, str) else list(value.value)
        if len(parts) == 2 and parts[1] == "Arn":
            return parts[0]
    raise KeyError("a schedule's Target.Arn must be !GetAtt <Function>.Arn locally")


def schedules(template, resolver):
    """Returns the AWS::Scheduler::Schedule resources mynt-local fires: logical id, expression,
    target function (logical id) and the Input text. A disabled schedule is left out; its
    expression is checked by mynt-local (rate(...) only)."""
    out = []
    functions = dict(resources_of_type(template, "AWS::Serverless::Function"))
    for name, res in resources_of_type(template, "AWS::Scheduler::Schedule"):
        props = res.get("Properties") or {}
        if resolver.resolve(props.get("State", "ENABLED")) == "DISABLED":
            continue
        target = props.get("Target") or {}
        fn = _get_att_target(target.get("Arn"))
        if fn not in functions:
            raise KeyError(f"schedule {name} targets {fn}, which is not a function of the template")
        out.append({
            "name": name,
            "expression": str(resolver.resolve(props["ScheduleExpression"])),
            "target": fn,
            "input": str(resolver.resolve(target.get("Input", "{}"))),
        })
    return out


def jwt_authorizer(template, resolver):
    for _, api in resources_of_type(template, "AWS::Serverless::HttpApi"):
        auth = (api.get("Properties") or {}).get("Auth") or {}
        for authorizer in (auth.get("Authorizers") or {}).values():
            cfg = resolver.resolve(authorizer["JwtConfiguration"])
            return {"issuer": cfg["issuer"], "audiences": cfg["audience"]}
    return None


def _resolvable(resolver, values):
    """The values of a list that resolve locally (an AWS-only URL, e.g. naming the distribution, is left out)."""
    out = []
    for value in values or []:
        try:
            out.append(str(resolver.resolve(value)))
        except KeyError:
            pass
    return out


def hosted_ui(template, resolver, pool_id, client_id, endpoint, local_origins=()):
    """The section of mynt-local's routes file for its hosted-UI stand-in: the app client's OAuth settings (its
    callback and logout URLs, plus each of local_origins + "/", as the web app sends them), the pool's Pre sign-up
    trigger (LambdaConfig.PreSignUp, !GetAtt <Function>.Arn) and whether the pool verifies email on confirmation.
    Locally the stand-in is the Google provider, so "Google" is a provider whatever GoogleClientId says."""
    pools = resources_of_type(template, "AWS::Cognito::UserPool")
    clients = resources_of_type(template, "AWS::Cognito::UserPoolClient")
    if not pools or not clients:
        return None
    pool_props = pools[0][1].get("Properties") or {}
    client_props = clients[0][1].get("Properties") or {}
    presignup = (pool_props.get("LambdaConfig") or {}).get("PreSignUp")
    local = [f"{origin.rstrip('/')}/" for origin in local_origins]

    def urls(key):
        listed = _resolvable(resolver, client_props.get(key))
        return listed + [u for u in local if u not in listed]

    providers = resolver.resolve(client_props.get("SupportedIdentityProviders") or ["COGNITO"])
    providers = [str(p) for p in providers]
    if "Google" not in providers:
        providers.append("Google")
    auto_verified = resolver.resolve(pool_props.get("AutoVerifiedAttributes") or [])
    return {
        "user_pool_id": pool_id,
        "client_id": client_id,
        "issuer": f"https://cognito-idp.{resolver.region}.amazonaws.com/{pool_id}",
        "cognito_endpoint": endpoint,
        "callback_urls": urls("CallbackURLs"),
        "logout_urls": urls("LogoutURLs"),
        "scopes": [str(s) for s in resolver.resolve(client_props.get("AllowedOAuthScopes")
                                                    or ["openid", "email", "profile"])],
        "providers": providers,
        "presignup": _get_att_target(presignup) if presignup is not None else None,
        "auto_verified_email": "email" in auto_verified,
    }


def provision(template_path, endpoint, region="us-east-1", extra_env=None, local_origins=()):
    """Creates every local resource the template declares; returns the derived stack.

    The result has: routes (mynt-local's routes file), user_pool_id, client_id, tables and
    parameters ({short name: local value}). extra_env is added to every function's environment;
    local_origins (e.g. "http://127.0.0.1:8080") are the web app's local origins, which the
    hosted-UI stand-in accepts as callback and logout URLs beside the template's.
    Raises on any failure (moto unreachable, unsupported template construct).
    """
    template = load_template(template_path)
    resolver = Resolver(template, region)
    create_tables(template, resolver, endpoint)
    pools, clients = create_user_pools(template, resolver, endpoint)
    parameters = create_secure_parameters(template, resolver, endpoint)
    authorizer = jwt_authorizer(template, resolver)
    pool_id = next(iter(pools.values()))
    authorizer["jwks_url"] = f"{endpoint}/{pool_id}/.well-known/jwks.json"
    functions = function_routes(template, resolver)
    # Every function learns the sync function's name (mynt-local answers Invoke for it); the
    # template's own value wins. mynt-local adds MYNT_LAMBDA_ENDPOINT and MYNT_PUBLIC_URL.
    sync_names = [fn["function_name"] for fn in functions if fn["handler"] == "sync"]
    for fn in functions:
        fn["environment"].update(LOCAL_CREDENTIALS)
        fn["environment"].update({"AWS_REGION": region, "AWS_DEFAULT_REGION": region,
                                  "MYNT_AWS_ENDPOINT": endpoint})
        if sync_names:
            fn["environment"].setdefault("MYNT_SYNC_FUNCTION", sync_names[0])
        fn["environment"].update(extra_env or {})
    routes = {"region": region, "authorizer": authorizer, "functions": functions,
              "schedules": schedules(template, resolver)}
    ui = hosted_ui(template, resolver, pool_id, next(iter(clients.values())), endpoint, local_origins)
    if ui:
        routes["hosted_ui"] = ui
    return {
        "routes": routes,
        "user_pool_id": pool_id,
        "client_id": next(iter(clients.values())),
        "tables": [resolver.physical[n] for n, _ in resources_of_type(template, "AWS::DynamoDB::Table")],
        "parameters": parameters,
    }


if __name__ == "__main__":
    import sys

    if len(sys.argv) == 3 and sys.argv[1] == "--routes-only":
        tpl = load_template(sys.argv[2])
        res = Resolver(tpl, "us-east-1")
        for n, _ in resources_of_type(tpl, "AWS::DynamoDB::Table"):
            res.physical[n] = res.resolve(tpl["Resources"][n]["Properties"]["TableName"])
        json.dump({"functions": function_routes(tpl, res), "schedules": schedules(tpl, res)},
                  sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.exit("usage: localstack.py --routes-only template.yaml")
