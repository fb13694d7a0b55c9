"""dev.py - runs Mynt's whole stack locally: moto_server, the resources from template.yaml,
and mynt-local running the real Lambda bootstrap. `make dev` and the API tests both use it.

Writes <state>/stack.json once everything answers; Ctrl-C (or SIGTERM) stops every process
it started. A second instance on the same state directory says so and exits.
"""
import argparse
import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The web app's third-party scripts, from npm (package-lock.json), served under /vendor/ (docs/web.md).
VENDOR_DIR = os.path.join(ROOT, "node_modules", "chart.js", "dist")
sys.path.insert(0, os.path.join(ROOT, "scripts"))

import localstack  # noqa: E402  (needs sys.path above)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_in_use(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _die_with_parent():
    """Runs in each child before exec: if dev.py dies, even by SIGKILL, the child gets SIGTERM."""
    libc = ctypes.CDLL(None, use_errno=True)
    PR_SET_PDEATHSIG = 1
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def wait_http(url, deadline_s, proc, what):
    """Polls url until it answers (any HTTP status) or the deadline passes."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with status {proc.returncode} while starting")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not answer at {url} within {deadline_s} s")


def _drain(stream):
    for line in stream:
        sys.stderr.write(line)


def wait_line(proc, prefix, deadline_s, what):
    """Reads proc's stdout until a line starts with prefix; returns that line."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                raise RuntimeError(f"{what} exited with status {proc.returncode} while starting")
            continue
        sys.stderr.write(line)
        if line.startswith(prefix):
            return line.strip()
    raise RuntimeError(f"{what} did not report ready within {deadline_s} s")


class Stack:
    def __init__(self, args):
        self.args = args
        self.state = os.path.abspath(args.state)
        self.procs = []
        self.pidfile = os.path.join(self.state, "dev.pid")

    def claim(self):
        os.makedirs(self.state, exist_ok=True)
        if os.path.exists(self.pidfile):
            try:
                with open(self.pidfile) as f:
                    pid = int(f.read().strip() or 0)
            except ValueError:
                pid = 0
            if pid and pid_alive(pid):
                url = ""
                try:
                    with open(os.path.join(self.state, "stack.json")) as f:
                        url = json.load(f).get("api_url", "")
                except (OSError, ValueError):
                    pass
                sys.exit(f"make dev is already running (pid {pid}){' at ' + url if url else ''}. "
                         f"Stop it with Ctrl-C in its terminal, or: kill {pid}")
        with open(self.pidfile, "w") as f:
            f.write(str(os.getpid()))
        try:
            os.unlink(os.path.join(self.state, "stack.json"))
        except FileNotFoundError:
            pass

    def spawn(self, argv, **kw):
        proc = subprocess.Popen(argv, preexec_fn=_die_with_parent, **kw)
        self.procs.append(proc)
        return proc

    def start(self):
        a = self.args
        for port, what in ((a.port, "mynt-local"), (a.moto_port, "moto_server"),
                           (a.plaid_port, "plaid-sim")):
            if port and port_in_use(port):
                sys.exit(f"port {port} on 127.0.0.1 is already in use, so {what} cannot start. "
                         f"Free it, or choose another port (MYNT_PORT / MYNT_MOTO_PORT / MYNT_PLAID_PORT).")
        moto_port = a.moto_port or free_port()
        endpoint = f"http://127.0.0.1:{moto_port}"
        moto_log = open(os.path.join(self.state, "moto.log"), "w")
        moto = self.spawn(["moto_server", "-H", "127.0.0.1", "-p", str(moto_port)],
                          stdout=moto_log, stderr=subprocess.STDOUT)
        wait_http(f"{endpoint}/moto-api/", 30, moto, "moto_server")

        # mynt-local's origin is the hosted UI's too (its stand-in), so the web config names it before it starts.
        port = a.port or free_port()
        origin = f"http://127.0.0.1:{port}"
        plaid_port = a.plaid_port or free_port()
        plaid_url = f"http://127.0.0.1:{plaid_port}"
        stack = localstack.provision(os.path.join(ROOT, "template.yaml"), endpoint, a.region,
                                     extra_env={"PLAID_BASE_URL": plaid_url},
                                     local_origins=[origin, f"http://localhost:{port}"])
        params = stack["parameters"]
        if "plaid/client-id" in params:
            sim_env = dict(os.environ, PLAID_SIM_CLIENT_ID=params["plaid/client-id"],
                           PLAID_SIM_SECRET=params["plaid/secret"])
            sim = self.spawn([a.plaid_sim, "--port", str(plaid_port)], stdout=subprocess.PIPE,
                             text=True, env=sim_env)
            wait_line(sim, "plaid-sim listening on ", 30, "plaid-sim")
            threading.Thread(target=_drain, args=(sim.stdout,), daemon=True).start()
        else:
            plaid_url = ""
        routes_path = os.path.join(self.state, "routes.json")
        with open(routes_path, "w") as f:
            json.dump(stack["routes"], f, indent=2)

        config = {
            "api_url": "",  # same origin as the page when served by mynt-local
            "region": a.region,
            "user_pool_id": stack["user_pool_id"],
            "client_id": stack["client_id"],
            # The pool's public actions go through mynt-local, which passes them to moto and answers RevokeToken
            # (moto has none) and refuses revoked refresh tokens, as Cognito does.
            "cognito_endpoint": origin if stack["routes"].get("hosted_ui") else endpoint,
            # The hosted UI for "Continue with Google": mynt-local's stand-in (its own origin) unless one is given.
            "cognito_domain": a.cognito_domain or origin,
            "mode": "local",
            "plaid_link_script": "/plaid/link-initialize.js",
            "plaid_url": plaid_url,
        }
        config_path = os.path.join(self.state, "config.json")
        with open(config_path, "w") as f:
            json.dump(config, f, indent=2)

        env = dict(os.environ)
        local = self.spawn([a.mynt_local, "--routes", routes_path, "--bootstrap", a.bootstrap,
                            "--web", os.path.join(ROOT, "web"), "--config-json", config_path,
                            "--mount", "/plaid/=" + os.path.join(ROOT, "local", "plaid_sim", "link"),
                            "--mount", "/vendor/=" + VENDOR_DIR,
                            "--port", str(port)],
                           stdout=subprocess.PIPE, text=True, env=env)
        line = wait_line(local, "mynt-local listening on ", 30, "mynt-local")
        api_url = line.split("listening on ", 1)[1].strip()
        wait_http(f"{api_url}/health", 30, local, "mynt-local")

        info = {
            "api_url": api_url,
            "region": a.region,
            "aws_endpoint": endpoint,
            "user_pool_id": stack["user_pool_id"],
            "client_id": stack["client_id"],
            "table": stack["tables"][0],
            "issuer": stack["routes"]["authorizer"]["issuer"],
            "plaid_url": plaid_url,
            "pid": os.getpid(),
        }
        tmp = os.path.join(self.state, "stack.json.tmp")
        with open(tmp, "w") as f:
            json.dump(info, f, indent=2)
        os.replace(tmp, os.path.join(self.state, "stack.json"))
        return info, local

    def stop(self):
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
        for proc in reversed(self.procs):
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        try:
            os.unlink(self.pidfile)
        except FileNotFoundError:
            pass


def banner(info, state):
    print(f"""
  Mynt is running locally (offline).

    Web app    {info['api_url']}/
    API        {info['api_url']}        try: curl {info['api_url']}/health
    AWS (moto) {info['aws_endpoint']}   DynamoDB table {info['table']}, user pool {info['user_pool_id']}
    Plaid sim  {info['plaid_url'] or 'not configured'}
    Stack      {os.path.join(state, 'stack.json')}

  Next: open the web app, or create a user and call GET /me (see README.md).
  Ctrl-C stops everything.
""", flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--state", default=os.path.join(ROOT, "build", "local"))
    p.add_argument("--port", type=int, default=int(os.environ.get("MYNT_PORT", "8080")))
    p.add_argument("--moto-port", type=int, default=int(os.environ.get("MYNT_MOTO_PORT", "4566")))
    p.add_argument("--plaid-port", type=int, default=int(os.environ.get("MYNT_PLAID_PORT", "4567")))
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--bootstrap", default=os.path.join(ROOT, "build", "release", "bootstrap"))
    p.add_argument("--mynt-local", default=os.path.join(ROOT, "build", "release", "mynt-local"))
    p.add_argument("--plaid-sim", default=os.path.join(ROOT, "build", "release", "plaid-sim"))
    p.add_argument("--cognito-domain", default=os.environ.get("MYNT_COGNITO_DOMAIN", ""),
                   help="the web config's cognito_domain (a hosted UI; mynt-local's CSP lets the app reach it); "
                        "default: mynt-local's own origin, where its hosted-UI stand-in answers")
    p.add_argument("--quiet", action="store_true", help="no banner (for tests)")
    args = p.parse_args()
    for path in (args.bootstrap, args.mynt_local, args.plaid_sim):
        if not os.access(path, os.X_OK):
            sys.exit(f"{path} is missing: build first (make dev does)")
    if not os.path.isfile(os.path.join(VENDOR_DIR, "chart.umd.js")):
        sys.exit(f"{VENDOR_DIR}/chart.umd.js is missing: install the npm packages first (scripts/setup does)")

    stack = Stack(args)
    stack.claim()
    stopping = {"now": False}

    def on_signal(signum, _frame):
        stopping["now"] = True
        raise KeyboardInterrupt

    # Installed explicitly: a shell may start us with SIGINT ignored (a background job).
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)
    code = 0
    try:
        info, local = stack.start()
        if not args.quiet:
            banner(info, stack.state)
        # Relay mynt-local's remaining stdout; its stderr already goes to ours.
        for line in local.stdout:
            sys.stderr.write(line)
        if local.wait() != 0 and not stopping["now"]:
            print(f"mynt-local exited with status {local.returncode}", file=sys.stderr)
            code = 1
    except KeyboardInterrupt:
        pass
    except Exception as exc:  # report start-up failures plainly, then clean up
        print(f"make dev failed: {exc}", file=sys.stderr)
        code = 1
    finally:
        stack.stop()
    if not args.quiet and code == 0:
        print("Mynt stopped.")
    sys.exit(code)


if __name__ == "__main__":
    main()
