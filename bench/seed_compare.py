#!/usr/bin/env python3
"""s3pull against the classic boto3 thread-pool download, on the same data, in one run.

Python: the `python3` on PATH (3.11 with boto3), not Debian's /usr/bin/python3.

    python3 bench/seed_compare.py                      # starts a fresh s3rver
    python3 bench/seed_compare.py --endpoint-url http://127.0.0.1:9000 --runs 5

Uploads N objects of SIZE bytes (default 2,000 x 64 KiB) under
s3://BUCKET/small/ (to a fresh s3rver on loopback, or to --endpoint-url with
the AWS_* keys of the environment), then times, alternating and swapping the
order each round, both ways of downloading the whole prefix into tmpfs:
  s3pull   `s3pull cp s3://BUCKET/small/ DIR` (a new process: listing included)
  classic  what the tutorials show: one boto3 client shared by a
           ThreadPoolExecutor(max_workers=8), download_file per key, results
           yielded as (key, "Success" | exception) as they finish; the
           listing and the client's creation are timed too, so both do the
           same job.
Every run's files are checked byte for byte against the uploaded data.
Reports the medians and their ratio. Note that on loopback the server is
usually the bottleneck (s3rver is single-threaded Node.js): the ratio shows
what the client costs, not what S3 would allow.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "tests" / "integration"))
sys.path.insert(0, str(REPO_ROOT / "bench" / "peers"))
import s3servers  # noqa: E402  (the test harness: starts s3rver, uploads in parallel)
from seed_get import classic_download  # noqa: E402  (the classic approach, shared with bench/run)


def machine() -> str:
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {model}, {platform.platform()}"


def verify(dest, expected):
    problems = s3servers.tree_differences(dest, expected)
    if problems:
        raise SystemExit(f"verification failed in {dest}: {problems[:5]}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint-url", help="use this server instead of starting s3rver")
    parser.add_argument("--bucket", default="bench")
    parser.add_argument("--objects", type=int, default=2000)
    parser.add_argument("--size", type=int, default=64 * 1024, help="bytes per object")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each (>= 3)")
    parser.add_argument("--workers", type=int, default=8, help="classic thread pool size")
    parser.add_argument("--s3pull", default=os.environ.get("S3PULL_BIN",
                                                         str(REPO_ROOT / "build" / "s3pull")))
    parser.add_argument("--s3pull-arg", action="append", default=[],
                        help="extra argument for s3pull (repeatable), e.g. --s3pull-arg=--concurrency=128")
    parser.add_argument("--skip-upload", action="store_true",
                        help="the objects are already there (same --objects, --size)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    prefix = "small/"
    rng = random.Random(64)
    expected = {f"{i // 100:03d}/obj-{i:05d}.bin": rng.randbytes(args.size)
                for i in range(args.objects)}
    server = None
    if args.endpoint_url:
        endpoint = args.endpoint_url
        env = dict(os.environ)
    else:
        server = s3servers.S3rverServer().start()
        endpoint = server.endpoint_url
        env = server.s3pull_env()
        os.environ.update({k: env[k] for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                               "AWS_REGION")})
    scratch = s3servers.make_scratch_dir("s3pull-bench-")
    try:
        s3pull_cmd = [args.s3pull, "cp", "--quiet", "--endpoint-url", endpoint,
                      *args.s3pull_arg, f"s3://{args.bucket}/{prefix}", "DEST"]
        version = subprocess.run([args.s3pull, "--version"], capture_output=True,
                                 text=True).stdout.strip()
        print(f"machine: {machine()}")
        print(f"python:  {sys.executable} {platform.python_version()}, boto3 {boto3.__version__}")
        print(f"server:  {'s3rver (started here)' if server else endpoint}")
        print(f"command: {' '.join(sys.argv)}")
        print(f"s3pull:  {version}: {' '.join(s3pull_cmd)}")
        print(f"classic: boto3 client shared by ThreadPoolExecutor(max_workers={args.workers}), "
              f"download_file per key")
        print(f"data:    {args.objects} objects x {args.size} bytes under s3://{args.bucket}/{prefix}")

        if not args.skip_upload:
            client = s3servers.make_client(endpoint, os.environ.get("AWS_ACCESS_KEY_ID", ""),
                                           os.environ.get("AWS_SECRET_ACCESS_KEY", ""))
            s3servers.ensure_bucket(client, args.bucket)
            start = time.monotonic()
            s3servers.upload_objects(client, args.bucket,
                                     {prefix + k: v for k, v in expected.items()}, workers=32)
            print(f"upload:  {time.monotonic() - start:.1f} s")

        times = {"s3pull": [], "classic": []}

        def run_s3pull(dest):
            cmd = [dest if a == "DEST" else a for a in s3pull_cmd]
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
            if proc.returncode != 0:
                raise SystemExit(f"s3pull exited {proc.returncode}: {proc.stderr[-2000:]}")

        def run_classic(dest):
            failures = [(k, r) for k, r in classic_download(endpoint, args.bucket, prefix, dest,
                                                            args.workers) if r != "Success"]
            if failures:
                raise SystemExit(f"classic: {len(failures)} failed, e.g. {failures[0]}")

        runners = {"s3pull": run_s3pull, "classic": run_classic}
        for round_ in range(args.runs):
            order = ["s3pull", "classic"] if round_ % 2 == 0 else ["classic", "s3pull"]
            for name in order:
                dest = tempfile.mkdtemp(dir=scratch, prefix=f"{name}-")
                start = time.perf_counter()
                runners[name](dest)
                elapsed = time.perf_counter() - start
                verify(dest, expected)
                shutil.rmtree(dest)
                times[name].append(elapsed)
                print(f"run {round_ + 1} {name:8s} {elapsed:7.3f} s")

        total = args.objects * args.size
        print()
        medians = {name: statistics.median(t) for name, t in times.items()}
        for name, median in medians.items():
            print(f"{name:8s} median {median:7.3f} s  {args.objects / median:8.0f} objects/s  "
                  f"{total / median / 1e6:7.1f} MB/s  (runs: {', '.join(f'{t:.3f}' for t in times[name])})")
        print(f"ratio    classic / s3pull = {medians['classic'] / medians['s3pull']:.2f}x")
        print("verified: every run's files equal the uploaded bytes")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if server:
            server.stop()


if __name__ == "__main__":
    main()
