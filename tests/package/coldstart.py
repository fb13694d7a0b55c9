"""coldstart.py - cold start of the packaged bootstrap beside the floor, as Lambda would start them.

The floor (make bench's bench/floor.c, linked statically) does nothing but ask the Runtime API for the
next event. Both run the same way: chroot into an unzipped package with only Lambda's variables,
one /health event from runtime_fake.py. Runs alternate (floor, bootstrap, floor, ...) so that a noisy
machine slows both alike; medians of --runs pairs. Prints the bootstrap's exec → first GET /next and
exec → first response, each over the floor's exec → first GET /next (as issue #12 states its targets),
the zip size, and writes build/bench/coldstart.json. A quick check without make bench's seeded stack;
reports only: nothing here asserts a time.

    python3 tests/package/coldstart.py [--runs 25] [--zip build/dist/mynt-lambda.zip] [--handler public]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from runtime_fake import RuntimeFake, health_event, unpack  # noqa: E402


def package_root(zip_path):
    """An empty root with the package unzipped at /var/task."""
    root = tempfile.mkdtemp(prefix="mynt-cold-")
    unpack(zip_path, os.path.join(root, "var", "task"))
    return root


def floor_root():
    """An empty root whose /var/task/bootstrap is the static floor program."""
    root = tempfile.mkdtemp(prefix="mynt-floor-")
    task = os.path.join(root, "var", "task")
    os.makedirs(task)
    cc = os.environ.get("CC", "cc")
    subprocess.run([cc, "-std=c17", "-D_GNU_SOURCE", "-O2", "-static", "-o", os.path.join(task, "bootstrap"),
                    os.path.join(ROOT, "bench", "floor.c")], check=True)
    return root


def lambda_env(address, handler):
    return {
        "AWS_LAMBDA_RUNTIME_API": address, "_HANDLER": handler, "LAMBDA_TASK_ROOT": "/var/task",
        "LAMBDA_RUNTIME_DIR": "/var/runtime", "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "coldstart", "AWS_SESSION_TOKEN": "coldstart",
        "AWS_LAMBDA_FUNCTION_NAME": "PublicFunction", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST", "MYNT_TABLE": "mynt-users", "TZ": "UTC",
        "LD_LIBRARY_PATH": "/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib",
    }


def run_once(root, handler, answers=True):
    """One cold start: (ms exec → first GET /next, ms exec → first response posted, None when not answers)."""
    fake = RuntimeFake([health_event()]).start()
    prefix = [] if os.geteuid() == 0 else ["unshare", "-r"]
    chroot = shutil.which("chroot", path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
    started = time.monotonic()
    proc = subprocess.Popen(prefix + [chroot, root, "/var/task/bootstrap"], env=lambda_env(fake.address, handler),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        if not (fake.all_answered if answers else fake.ready).wait(20):
            raise RuntimeError(f"{root}: nothing within 20 s")
        if not answers:
            return (fake.first_next_at - started) * 1000, None
        path, body = fake.results[0]
        if not path.endswith("/response"):
            raise RuntimeError(f"{root}: posted {path}: {body}")
        if json.loads(body).get("statusCode") != 200:
            raise RuntimeError(f"{root}: answered {body}")
        return (fake.first_next_at - started) * 1000, (fake.answered_at[0] - started) * 1000
    finally:
        proc.kill()
        proc.communicate()
        fake.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument("--zip", default=os.path.join(ROOT, "build", "dist", "mynt-lambda.zip"))
    parser.add_argument("--handler", default="public")
    parser.add_argument("--out", default=os.path.join(ROOT, "build", "bench", "coldstart.json"))
    args = parser.parse_args()

    package = package_root(args.zip)
    floor = floor_root()
    try:
        run_once(floor, args.handler, answers=False)  # page cache warm for both before the first measured pair
        run_once(package, args.handler)
        floor_next, boot_next, boot_first = [], [], []
        for _ in range(args.runs):
            floor_next.append(run_once(floor, args.handler, answers=False)[0])
            n, f = run_once(package, args.handler)
            boot_next.append(n)
            boot_first.append(f)
    finally:
        shutil.rmtree(package, ignore_errors=True)
        shutil.rmtree(floor, ignore_errors=True)

    med = statistics.median
    result = {
        "zip_bytes": os.path.getsize(args.zip),
        "runs": args.runs,
        "handler": args.handler,
        "floor_next_ms": med(floor_next),
        "bootstrap_next_ms": med(boot_next), "bootstrap_first_response_ms": med(boot_first),
    }
    result["next_ratio"] = result["bootstrap_next_ms"] / result["floor_next_ms"]
    result["first_response_ratio"] = result["bootstrap_first_response_ms"] / result["floor_next_ms"]
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
    print(f"zip                      {result['zip_bytes'] / 1e6:.2f} MB ({result['zip_bytes']} bytes)")
    print(f"exec → first GET /next   floor {result['floor_next_ms']:.2f} ms, bootstrap "
          f"{result['bootstrap_next_ms']:.2f} ms: {result['next_ratio']:.2f}× (medians of {args.runs} alternating runs)")
    print(f"exec → first response    bootstrap {result['bootstrap_first_response_ms']:.2f} ms: "
          f"{result['first_response_ratio']:.2f}× the floor's first GET /next")


if __name__ == "__main__":
    main()
