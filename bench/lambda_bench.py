"""lambda_bench.py - measures the packaged bootstrap as Lambda would run it.

Cold start: from exec of /var/task/bootstrap (chroot into an unzipped package, only Lambda's
variables) to its first GET /runtime/invocation/next, and the first invocation after it.
Warm: round trip of each further invocation (event handed out → response posted) on one process.
Prints a table; writes build/bench/lambda.json. Bounded: fixed counts, 20 s per process.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "package"))
from runtime_fake import RuntimeFake, health_event, unpack as unpack_into  # noqa: E402

COLD_RUNS = int(os.environ.get("BENCH_COLD_RUNS", "20"))
WARM_INVOCATIONS = int(os.environ.get("BENCH_WARM_INVOCATIONS", "500"))


def unpack(zip_path):
    root = tempfile.mkdtemp(prefix="mynt-bench-")
    unpack_into(zip_path, os.path.join(root, "var", "task"))
    return root


def run_once(root, events):
    fake = RuntimeFake(events).start()
    env = {"AWS_LAMBDA_RUNTIME_API": fake.address, "_HANDLER": "public", "LAMBDA_TASK_ROOT": "/var/task",
           "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
           "AWS_SECRET_ACCESS_KEY": "bench", "AWS_SESSION_TOKEN": "bench", "TZ": "UTC",
           "AWS_LAMBDA_FUNCTION_NAME": "PublicFunction", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128"}
    prefix = [] if os.geteuid() == 0 else ["unshare", "-r"]
    started = time.monotonic()
    proc = subprocess.Popen(prefix + [shutil.which("chroot", path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin"), root, "/var/task/bootstrap"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not fake.all_answered.wait(20):
            raise RuntimeError("bootstrap did not answer within 20 s")
        if any(not path.endswith("/response") for path, _ in fake.results):
            raise RuntimeError(f"bootstrap posted an error: {fake.results[0]}")
        init_ms = (fake.first_next_at - started) * 1000
        rounds = [(a - h) * 1000 for h, a in zip(fake.handed_at, fake.answered_at)]
        return init_ms, rounds
    finally:
        proc.kill()
        proc.wait()
        fake.stop()


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    zip_path = os.path.join(ROOT, "build", "dist", "mynt-lambda.zip")
    root = unpack(zip_path)
    try:
        inits, firsts = [], []
        for _ in range(COLD_RUNS):
            init_ms, rounds = run_once(root, [health_event()])
            inits.append(init_ms)
            firsts.append(rounds[0])
        _, warm = run_once(root, [health_event() for _ in range(WARM_INVOCATIONS)])
    finally:
        shutil.rmtree(root, ignore_errors=True)
    result = {
        "package_bytes": os.path.getsize(zip_path),
        "cold_init_ms": {"median": statistics.median(inits), "p90": pct(inits, 90), "runs": COLD_RUNS},
        "first_invocation_ms": {"median": statistics.median(firsts), "p90": pct(firsts, 90)},
        "warm_invocation_ms": {"median": statistics.median(warm[1:]), "p99": pct(warm[1:], 99),
                               "invocations": len(warm) - 1},
    }
    os.makedirs(os.path.join(ROOT, "build", "bench"), exist_ok=True)
    with open(os.path.join(ROOT, "build", "bench", "lambda.json"), "w") as f:
        json.dump(result, f, indent=2)
    print(f"package size            {result['package_bytes'] / 1e6:.1f} MB")
    print(f"cold start (exec→next)  median {result['cold_init_ms']['median']:.1f} ms, p90 {result['cold_init_ms']['p90']:.1f} ms ({COLD_RUNS} runs)")
    print(f"first invocation        median {result['first_invocation_ms']['median']:.2f} ms")
    print(f"warm invocation         median {result['warm_invocation_ms']['median']:.3f} ms, p99 {result['warm_invocation_ms']['p99']:.3f} ms ({len(warm) - 1} invocations)")


if __name__ == "__main__":
    main()
