"""S3-compatible servers on loopback, and helpers for the integration tests.

Python: the `python3` on PATH (3.11, where boto3, botocore and moto are
installed), not Debian's /usr/bin/python3. Standard library plus boto3 only.

Servers
  S3rverServer  s3rver from tests/servers/node_modules (npm ci there, or
                scripts/install-deps). Keys S3RVER/S3RVER. It checks that the
                access key id exists but not the SigV4 signature.
  MotoServer    `python3 -m moto.server`. With auth=True it is started with
                INITIAL_NO_AUTH_ACTION_COUNT and creates an IAM user (and an
                assumed role) in those first unauthenticated requests; from
                then on it verifies SigV4 with that user's keys.

Each server starts on a free 127.0.0.1 port (the server picks it: port 0, and
the port is read from its log), keeps its data in a fresh temporary folder,
runs in its own process group (stopped with SIGTERM, then SIGKILL), and is a
context manager. A server that cannot start raises ServerUnavailable with the
reason and the tail of its log.

Adding a server (e.g. Ceph's radosgw): subclass S3Server, set `name`, the
capability flags, and implement `_command()` (argv, env) and `_ready_port()`
(or override `_wait_ready()`), and `_after_start()` for set-up such as
creating a user; then add it to SERVER_CLASSES. Suites parameterised with
`server_names()` pick it up through S3PULL_TEST_SERVERS.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path
from typing import Callable, Iterable, Mapping

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVERS_DIR = REPO_ROOT / "tests" / "servers"

MiB = 1024 * 1024


class ServerUnavailable(Exception):
    """A server could not be started here; the message says why."""


def _log_tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    tail = text.splitlines()[-lines:]
    return "\n".join("    " + line for line in tail) or "    (log is empty)"


class S3Server:
    """Base class: one server process on loopback with its own data folder."""

    name = "base"
    # What the server can do; tests skip (with these reasons) what it cannot.
    keeps_unsafe_keys = False  # stores keys like "../x" or "a//b" byte for byte
    unsafe_keys_reason = "this server does not store keys with '..' segments as given"
    verifies_signatures = False
    checks_access_key_id = False  # answers InvalidAccessKeyId for unknown keys
    list_page_size = 1000
    region = "us-east-1"

    def __init__(self, startup_timeout: float = 60.0):
        self.startup_timeout = startup_timeout
        self.access_key = ""
        self.secret_key = ""
        self.port: int | None = None
        self.workdir: Path | None = None
        self.proc: subprocess.Popen | None = None
        self._log_file = None

    # --- to be provided by subclasses ---------------------------------------
    def _command(self) -> tuple[list[str], dict[str, str]]:
        raise NotImplementedError

    def _ready_port(self, log_text: str) -> int | None:
        """The port from the server's log once it says it listens, else None."""
        raise NotImplementedError

    def _after_start(self) -> None:
        """Set-up once the server answers (users, keys)."""

    # --- life cycle ----------------------------------------------------------
    @property
    def log_path(self) -> Path:
        assert self.workdir is not None
        return self.workdir / "server.log"

    @property
    def data_dir(self) -> Path:
        assert self.workdir is not None
        return self.workdir / "data"

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "S3Server":
        self.workdir = Path(tempfile.mkdtemp(prefix=f"s3pull-{self.name}-"))
        self.data_dir.mkdir()
        try:
            argv, extra_env = self._command()
            env = dict(os.environ)
            env.update(extra_env)
            self._log_file = open(self.log_path, "wb")
            try:
                self.proc = subprocess.Popen(
                    argv, cwd=self.workdir, env=env, stdin=subprocess.DEVNULL,
                    stdout=self._log_file, stderr=subprocess.STDOUT,
                    start_new_session=True)
            except OSError as e:
                raise ServerUnavailable(f"{self.name}: cannot run {argv[0]}: {e}") from e
            self._wait_ready()
            self._after_start()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if self.proc.poll() is not None:
                raise ServerUnavailable(
                    f"{self.name} exited with status {self.proc.returncode} while starting; "
                    f"log tail:\n{_log_tail(self.log_path)}")
            if self.port is None:
                self.port = self._ready_port(self.log_path.read_text(errors="replace"))
            if self.port is not None:
                try:
                    with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                        return
                except OSError:
                    pass
            if time.monotonic() > deadline:
                raise ServerUnavailable(
                    f"{self.name} did not become ready within {self.startup_timeout:g} s; "
                    f"log tail:\n{_log_tail(self.log_path)}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=10)
        self.proc = None
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def __enter__(self) -> "S3Server":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def log_tail(self, lines: int = 30) -> str:
        return _log_tail(self.log_path, lines) if self.workdir else "(stopped)"

    # --- clients and environments --------------------------------------------
    def client(self, service: str = "s3", access_key: str | None = None,
               secret_key: str | None = None, session_token: str | None = None):
        return make_client(self.endpoint_url,
                           self.access_key if access_key is None else access_key,
                           self.secret_key if secret_key is None else secret_key,
                           region=self.region, service=service,
                           session_token=session_token)

    def s3pull_env(self, **overrides: str | None) -> dict[str, str]:
        """An environment for s3pull with this server's keys, and nothing
        from the user's own AWS set-up (config files point at nothing)."""
        return clean_aws_env(AWS_ACCESS_KEY_ID=self.access_key,
                             AWS_SECRET_ACCESS_KEY=self.secret_key,
                             AWS_REGION=self.region, **overrides)


class S3rverServer(S3Server):
    name = "s3rver"
    checks_access_key_id = True
    keeps_unsafe_keys = False
    unsafe_keys_reason = (
        "s3rver does not keep such keys: it maps keys to files, so a PUT of "
        "'../evil' or 'a/../../x' lands outside the bucket folder and never "
        "appears in a listing, './x' is listed as 'x', 'a//b' is refused with "
        "404, and a key with a control character makes ListObjectsV2 fail with 500")

    def __init__(self, startup_timeout: float = 60.0):
        super().__init__(startup_timeout)
        self.access_key = "S3RVER"
        self.secret_key = "S3RVER"

    def _command(self):
        script = SERVERS_DIR / "node_modules" / "s3rver" / "bin" / "s3rver.js"
        node = shutil.which("node") or shutil.which("nodejs")
        if node is None:
            raise ServerUnavailable("s3rver: Node.js is not installed (run scripts/install-deps)")
        if not script.exists():
            raise ServerUnavailable(
                f"s3rver: {script.relative_to(REPO_ROOT)} is missing "
                "(run scripts/install-deps, or `npm ci` in tests/servers)")
        # Under Node 17+ (OpenSSL 3) s3rver's continuation tokens need the
        # legacy provider, or ListObjectsV2 pagination fails with InternalError.
        env = {"NODE_OPTIONS": "--openssl-legacy-provider"}
        return ([node, str(script), "--directory", str(self.data_dir),
                 "--address", "127.0.0.1", "--port", "0", "--silent"], env)

    def _ready_port(self, log_text):
        m = re.search(r"S3rver listening on 127\.0\.0\.1:(\d+)", log_text)
        return int(m.group(1)) if m else None


class MotoServer(S3Server):
    name = "moto"
    keeps_unsafe_keys = True

    # Unauthenticated requests made by _after_start when auth is on: create
    # user, attach policy, create access key, create role, attach policy,
    # assume role.
    _SETUP_REQUESTS = 6
    ACCOUNT = "123456789012"

    def __init__(self, auth: bool = False, startup_timeout: float = 60.0):
        super().__init__(startup_timeout)
        self.auth = auth
        self.verifies_signatures = auth
        self.checks_access_key_id = auth
        self.access_key = "testing"
        self.secret_key = "testing"
        self.session_credentials: dict[str, str] | None = None

    def _command(self):
        env = {}
        if self.auth:
            env["INITIAL_NO_AUTH_ACTION_COUNT"] = str(self._SETUP_REQUESTS)
        # sys.executable: the interpreter running the tests, which has moto.
        return ([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", "0"], env)

    def _ready_port(self, log_text):
        m = re.search(r"Running on http://127\.0\.0\.1:(\d+)", log_text)
        return int(m.group(1)) if m else None

    def _after_start(self):
        if not self.auth:
            return
        # The first _SETUP_REQUESTS requests are not authenticated: create an
        # IAM user allowed s3:* and its access key, and a role with a session
        # (temporary credentials with a token). After them, every request must
        # be signed with keys made here.
        allow_s3 = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
        iam = self.client("iam", "setup", "setup")
        iam.create_user(UserName="s3pull-tester")
        iam.put_user_policy(UserName="s3pull-tester", PolicyName="s3-all",
                            PolicyDocument=allow_s3)
        key = iam.create_access_key(UserName="s3pull-tester")["AccessKey"]
        trust = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{self.ACCOUNT}:root"},
             "Action": "sts:AssumeRole"}]})
        role = iam.create_role(RoleName="s3pull-reader", AssumeRolePolicyDocument=trust)
        iam.put_role_policy(RoleName="s3pull-reader", PolicyName="s3-all",
                            PolicyDocument=allow_s3)
        creds = self.client("sts", "setup", "setup").assume_role(
            RoleArn=role["Role"]["Arn"], RoleSessionName="s3pull-tests")["Credentials"]
        self.session_credentials = {"access_key": creds["AccessKeyId"],
                                    "secret_key": creds["SecretAccessKey"],
                                    "session_token": creds["SessionToken"]}
        self.access_key = key["AccessKeyId"]
        self.secret_key = key["SecretAccessKey"]


SERVER_CLASSES: dict[str, type[S3Server]] = {
    "s3rver": S3rverServer,
    "moto": MotoServer,
}


def server_names(default: str = "s3rver,moto") -> list[str]:
    """Servers a parameterised suite runs against: S3PULL_TEST_SERVERS
    (comma-separated names from SERVER_CLASSES), else `default`."""
    names = [n.strip() for n in os.environ.get("S3PULL_TEST_SERVERS", default).split(",")
             if n.strip()]
    unknown = [n for n in names if n not in SERVER_CLASSES]
    if unknown:
        raise ValueError(f"S3PULL_TEST_SERVERS names unknown servers {unknown}; "
                         f"known: {sorted(SERVER_CLASSES)}")
    return names


def server_required(name: str) -> bool:
    """True when S3PULL_REQUIRE_SERVERS (comma-separated, or 'all') names the
    server: then a failure to start it is an error, not a skip. scripts/test
    sets it so that CI cannot pass by skipping everything."""
    required = {n.strip() for n in os.environ.get("S3PULL_REQUIRE_SERVERS", "").split(",")}
    return "all" in required or name in required


class ServerPool:
    """Servers started once per test module, by name; remembers why a server
    could not start so each test class can skip (or fail) with that reason."""

    def __init__(self):
        self.servers: dict[str, S3Server] = {}
        self.errors: dict[str, str] = {}

    def start(self, name: str, **kwargs) -> None:
        try:
            self.servers[name] = SERVER_CLASSES[name](**kwargs).start()
        except ServerUnavailable as e:
            if server_required(name):
                raise
            self.errors[name] = str(e)

    def get(self, name: str) -> S3Server:
        """The running server, or unittest.SkipTest with the reason it is not."""
        if name in self.servers:
            return self.servers[name]
        raise unittest.SkipTest(f"{name} unavailable: "
                                f"{self.errors.get(name, 'not started')}")

    def stop_all(self) -> None:
        for server in self.servers.values():
            server.stop()
        self.servers.clear()


# --- boto3 helpers ---------------------------------------------------------------

def make_client(endpoint_url: str, access_key: str, secret_key: str, *,
                region: str = "us-east-1", service: str = "s3",
                session_token: str | None = None, max_pool: int = 32):
    """A boto3 client for a loopback server (path-style addressing for S3)."""
    config = Config(s3={"addressing_style": "path"}, max_pool_connections=max_pool,
                    retries={"max_attempts": 3, "mode": "standard"})
    return boto3.session.Session().client(
        service, endpoint_url=endpoint_url, region_name=region,
        aws_access_key_id=access_key, aws_secret_access_key=secret_key,
        aws_session_token=session_token, config=config)


def upload_objects(client, bucket: str, objects: Mapping[str, bytes], *,
                   workers: int = 24, multipart_threshold: int = 16 * MiB,
                   part_size: int = 8 * MiB) -> None:
    """PUT every key -> bytes in parallel. Bodies of multipart_threshold bytes
    or more go up as multipart uploads (so their ETag ends in -N)."""
    transfer = TransferConfig(multipart_threshold=multipart_threshold,
                              multipart_chunksize=part_size, max_concurrency=4,
                              use_threads=True)

    def put(item):
        key, body = item
        if len(body) >= multipart_threshold:
            client.upload_fileobj(io.BytesIO(body), bucket, key, Config=transfer)
        else:
            client.put_object(Bucket=bucket, Key=key, Body=body)

    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        for future in [pool.submit(put, item) for item in objects.items()]:
            future.result()


def ensure_bucket(client, bucket: str) -> None:
    try:
        client.create_bucket(Bucket=bucket)
    except client.exceptions.BucketAlreadyOwnedByYou:
        pass


def list_keys(client, bucket: str, prefix: str = "") -> list[str]:
    keys = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys.extend(o["Key"] for o in page.get("Contents", []))
    return keys


# --- data ----------------------------------------------------------------------

def random_bytes(rng, size: int) -> bytes:
    """Deterministic bytes from a random.Random (fast for large sizes)."""
    return rng.randbytes(size)


# --- running s3pull ------------------------------------------------------------

def s3pull_bin() -> str:
    path = os.environ.get("S3PULL_BIN") or str(REPO_ROOT / "build" / "s3pull")
    if not os.access(path, os.X_OK):
        raise FileNotFoundError(
            f"s3pull binary not found at {path}: build it with scripts/build or set S3PULL_BIN")
    return path


def clean_aws_env(**overrides: str | None) -> dict[str, str]:
    """The current environment without AWS_* variables, with config and
    credentials files pointing at nothing, plus `overrides` (None removes)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["AWS_CONFIG_FILE"] = os.devnull
    env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


class S3pullRun(tuple):
    """(exit code, stdout, stderr). stdout is bytes when binary=True, else
    text; stderr is text (UTF-8, undecodable bytes kept as surrogates)."""

    def __new__(cls, code, stdout, stderr, argv):
        run = super().__new__(cls, (code, stdout, stderr))
        run.argv = argv
        return run

    code = property(lambda self: self[0])
    stdout = property(lambda self: self[1])
    stderr = property(lambda self: self[2])

    def describe(self) -> str:
        """For assertion messages: the command, its exit code and output."""
        out = self.stdout if isinstance(self.stdout, str) else f"<{len(self.stdout)} bytes>"
        return (f"\n$ {' '.join(self.argv)}\nexit {self.code}\n"
                f"--- stdout (tail) ---\n{_tail(out)}\n--- stderr (tail) ---\n{_tail(self.stderr)}")


def _tail(text: str, lines: int = 25) -> str:
    parts = text.splitlines()
    cut = len(parts) - lines
    return ("..." + f"({cut} more lines)\n" if cut > 0 else "") + "\n".join(parts[-lines:])


def run_s3pull(args: Iterable[str], *, input: bytes | None = None,
               env: Mapping[str, str] | None = None, timeout: float = 180,
               binary: bool = False, cwd: str | None = None) -> S3pullRun:
    """Runs s3pull with `args`; returns (exit code, stdout, stderr).
    `env` replaces the environment (use S3Server.s3pull_env())."""
    argv = [s3pull_bin(), *args]
    proc = subprocess.run(argv, input=input if input is not None else b"",
                          capture_output=True, env=dict(env) if env is not None else None,
                          timeout=timeout, cwd=cwd)
    decode = lambda b: b.decode("utf-8", errors="surrogateescape")
    stdout = proc.stdout if binary else decode(proc.stdout)
    return S3pullRun(proc.returncode, stdout, decode(proc.stderr), argv)


OK_LINE = re.compile(r"^ok s3://(?P<bucket>[^/]+)/(?P<key>.*) -> (?P<path>.*) \((?P<size>\d+) bytes\)$")
FAILED_LINE = re.compile(r"^failed s3://(?P<bucket>[^/]+)/(?P<key>.*?): (?P<error>.*)$")
SUMMARY_LINE = re.compile(
    r"^Summary: (?P<total>\d+) objects, (?P<downloaded>\d+) downloaded, (?P<failed>\d+) failed, "
    r"(?P<bytes>\d+) bytes in (?P<seconds>\d+\.\d\d) s \((?P<rate>\d+\.\d) MB/s\)$")


def ok_lines(text: str) -> list[re.Match]:
    return [m for m in map(OK_LINE.match, text.splitlines()) if m]


def failed_lines(text: str) -> list[re.Match]:
    return [m for m in map(FAILED_LINE.match, text.splitlines()) if m]


def summary(text: str) -> re.Match | None:
    found = [m for m in map(SUMMARY_LINE.match, text.splitlines()) if m]
    return found[-1] if found else None


# --- local trees ---------------------------------------------------------------

def scratch_root() -> str | None:
    """Where tests write downloads: tmpfs when there is one (file creation
    on ext4 costs ~1 ms), else the default temporary folder."""
    return "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


def make_scratch_dir(prefix: str = "s3pull-test-") -> str:
    return tempfile.mkdtemp(prefix=prefix, dir=scratch_root())


def walk_tree(root: str | os.PathLike) -> tuple[dict[str, str], set[str]]:
    """({relative path: kind} for every non-directory entry, {relative dirs}).
    kind is 'file', 'symlink' or 'other'. Relative paths use '/'."""
    entries: dict[str, str] = {}
    dirs: set[str] = set()
    root = os.fspath(root)
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        rel = (lambda name: name) if rel_dir == "." else (lambda name: f"{rel_dir}/{name}")
        for name in dirnames:
            if os.path.islink(os.path.join(dirpath, name)):
                entries[rel(name)] = "symlink"
            else:
                dirs.add(rel(name))
        for name in filenames:
            full = os.path.join(dirpath, name)
            kind = "symlink" if os.path.islink(full) else "file" if os.path.isfile(full) else "other"
            entries[rel(name)] = kind
    return entries, dirs


def read_tree(root: str | os.PathLike) -> dict[str, bytes]:
    """{relative path: content} of every regular file under root."""
    entries, _ = walk_tree(root)
    out = {}
    for rel, kind in entries.items():
        if kind == "file":
            with open(os.path.join(root, rel), "rb") as f:
                out[rel] = f.read()
    return out


def tree_differences(root: str | os.PathLike, expected: Mapping[str, bytes]) -> list[str]:
    """What differs between the files under root and `expected` (relative
    path -> bytes): missing, extra (temp files included), not a regular file,
    different content. Empty when they are byte-for-byte the same."""
    entries, _ = walk_tree(root)
    problems = []
    for rel in sorted(set(expected) - set(entries)):
        problems.append(f"missing: {rel!r}")
    for rel in sorted(set(entries) - set(expected)):
        problems.append(f"extra: {rel!r} ({entries[rel]})")
    for rel in sorted(set(entries) & set(expected)):
        if entries[rel] != "file":
            problems.append(f"not a regular file: {rel!r} ({entries[rel]})")
            continue
        want = expected[rel]
        with open(os.path.join(root, rel), "rb") as f:
            got = f.read()
        if got != want:
            offset = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b),
                          min(len(got), len(want)))
            problems.append(f"content differs: {rel!r}: {len(got)} bytes, expected "
                            f"{len(want)}; first difference at byte {offset}")
    return problems


def assert_tree_equal(test: unittest.TestCase, root: str | os.PathLike,
                      expected: Mapping[str, bytes], context: str = "") -> None:
    """Fails `test` unless root holds exactly the files of `expected`,
    byte for byte, and nothing else (no temporary files)."""
    problems = tree_differences(root, expected)
    if problems:
        shown = problems[:40] + ([f"... and {len(problems) - 40} more"] if len(problems) > 40 else [])
        test.fail(f"{len(problems)} difference(s) under {root}:\n  " + "\n  ".join(shown) + context)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def relative_to_prefix(objects: Mapping[str, bytes], prefix: str,
                       keep: Callable[[str], bool] = lambda key: True) -> dict[str, bytes]:
    """{key minus prefix: bytes} for the keys under prefix that `keep` accepts."""
    return {k[len(prefix):]: v for k, v in objects.items()
            if k.startswith(prefix) and not k.endswith("/") and keep(k)}
