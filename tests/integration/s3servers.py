"""S3-compatible servers on loopback, and helpers for the integration tests.

Python: the `python3` on PATH (3.11, where boto3, botocore, moto and the AWS
CLI v1 are installed), not Debian's /usr/bin/python3. Standard library plus
boto3 only.

Servers (names for S3PULL_TEST_SERVERS, default "s3rver,moto,radosgw")
  s3rver    S3rverServer: s3rver from tests/servers/node_modules (npm ci
            there, or scripts/install-deps). Keys S3RVER/S3RVER. It checks
            that the access key id exists but not the SigV4 signature.
  moto      MotoServer: `python3 -m moto.server`. With auth=True it is started
            with INITIAL_NO_AUTH_ACTION_COUNT and creates an IAM user (and an
            assumed role) in those first unauthenticated requests; from then
            on it verifies SigV4 with that user's keys.
  radosgw   RadosgwServer: Ceph's RADOS Gateway from Debian's packages, a
            one-node cluster started by scripts/ceph-rgw (installed by
            scripts/install-deps). It verifies SigV4 signatures for real.
  external  ExternalServer: an endpoint that is already running (a MinIO, an
            AWS account), from S3PULL_TEST_ENDPOINT_URL, S3PULL_TEST_ACCESS_KEY_ID,
            S3PULL_TEST_SECRET_ACCESS_KEY, S3PULL_TEST_REGION; the suites create
            their buckets named S3PULL_TEST_BUCKET_PREFIX + name and delete
            them (with their objects) when the module ends.

Each local server starts on a free 127.0.0.1 port, keeps its data in a fresh
temporary folder, runs in its own process group (or, for radosgw, is stopped
by `scripts/ceph-rgw stop`), and is a context manager. A server that cannot
start raises ServerUnavailable with the reason and the tail of its log.

Capabilities differ: each class sets flags (keeps_unsafe_keys,
verifies_signatures, checks_access_key_id, refuses_anonymous,
multipart_etags, virtual_hosted) and, for each flag it lacks, the reason in
GAP_REASONS; `server.gap("flag")` is None when the server has it, else the
reason a test skips with.

Adding a server: subclass S3Server, set `name`, the capability flags and
their reasons, and implement `_command()` (argv, env) and `_ready_port()`
(or override `start()`/`stop()`), and `_after_start()` for set-up such as
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
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse
from pathlib import Path
from typing import Callable, Iterable, Mapping

import boto3
from boto3.s3.transfer import TransferConfig
from botocore import UNSIGNED
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
    # What the server can do; tests skip (with the reason in GAP_REASONS, via
    # gap()) what it cannot.
    keeps_unsafe_keys = False  # stores keys like "../x", "a//b", "/x" byte for byte
    verifies_signatures = False  # answers SignatureDoesNotMatch for a wrong secret
    checks_access_key_id = False  # answers InvalidAccessKeyId for unknown keys
    refuses_anonymous = False  # answers AccessDenied to unsigned requests on a private bucket
    multipart_etags = True  # multipart uploads get ETags ending in -N
    virtual_hosted = False  # answers BUCKET.<virtual_endpoint_url's host>
    long_segment_keys = True  # keeps keys whose last segment has 255 bytes
    GAP_REASONS: dict[str, str] = {
        "keeps_unsafe_keys": "this server does not store keys with '..' segments or '//' as given",
        "verifies_signatures": "this server does not verify SigV4 signatures",
        "checks_access_key_id": "this server accepts any access key id",
        "refuses_anonymous": "this server serves unsigned requests",
        "multipart_etags": "this server does not give multipart objects ETags ending in -N",
        "virtual_hosted": "this server is not set up for virtual-hosted requests",
        "long_segment_keys": "this server does not keep keys with a 255-byte segment",
    }
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

    def gap(self, capability: str) -> str | None:
        """None when the server has `capability` (a flag above), else the
        reason a test that needs it skips with."""
        if getattr(self, capability):
            return None
        return f"{self.name}: {self.GAP_REASONS.get(capability, 'lacks ' + capability)}"

    def bucket_name(self, name: str) -> str:
        """The real name of the suite's bucket `name` (a prefix for external)."""
        return name

    def create_bucket(self, name: str, client=None) -> str:
        """Creates the suite's bucket `name` if needed; returns its real name."""
        real = self.bucket_name(name)
        ensure_bucket(client or self.client(), real)
        return real

    @property
    def virtual_endpoint_url(self) -> str | None:
        """An endpoint URL with a DNS name under which BUCKET.NAME reaches
        this server (for --addressing-style virtual), or None."""
        return None

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

    def aws_cli_env(self, **overrides: str | None) -> dict[str, str]:
        """An environment for the AWS CLI with this server's keys (use with
        --endpoint-url, see aws_cli())."""
        return clean_aws_env(**{"AWS_ACCESS_KEY_ID": self.access_key,
                                "AWS_SECRET_ACCESS_KEY": self.secret_key,
                                "AWS_DEFAULT_REGION": self.region, **overrides})

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
        return clean_aws_env(**{"AWS_ACCESS_KEY_ID": self.access_key,
                                "AWS_SECRET_ACCESS_KEY": self.secret_key,
                                "AWS_REGION": self.region, **overrides})


class S3rverServer(S3Server):
    name = "s3rver"
    checks_access_key_id = True
    keeps_unsafe_keys = False
    long_segment_keys = False
    multipart_etags = False
    virtual_hosted = True
    GAP_REASONS = {
        **S3Server.GAP_REASONS,
        "keeps_unsafe_keys": (
            "s3rver does not keep such keys: it maps keys to files, so a PUT of "
            "'../evil' or 'a/../../x' lands outside the bucket folder and never "
            "appears in a listing, './x' is listed as 'x', 'a//b' is refused with "
            "404, and a key with a control character makes ListObjectsV2 fail with 500"),
        "verifies_signatures": (
            "s3rver checks that the access key id exists, not the signature: a "
            "wrong secret is accepted"),
        "refuses_anonymous": "s3rver serves unsigned requests on any bucket",
        "multipart_etags": (
            "s3rver stores a completed multipart upload as one plain object: its "
            "ETag is the MD5 of the whole content, without -N"),
        "long_segment_keys": (
            "s3rver stores an object in files named after the key's last segment plus "
            "suffixes of up to 22 bytes ('._S3rver_metadata.json'): a PUT with a last "
            "segment over 233 bytes fails with InternalError (ENAMETOOLONG), and one "
            "of 255 bytes has made s3rver exit"),
    }

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
        # --service-endpoint localhost: Host BUCKET.s3.localhost is a
        # virtual-hosted request (see virtual_endpoint_url); requests to
        # 127.0.0.1 stay path-style.
        return ([node, str(script), "--directory", str(self.data_dir),
                 "--address", "127.0.0.1", "--port", "0", "--silent",
                 "--service-endpoint", "localhost"], env)

    def _ready_port(self, log_text):
        m = re.search(r"S3rver listening on 127\.0\.0\.1:(\d+)", log_text)
        return int(m.group(1)) if m else None

    @property
    def virtual_endpoint_url(self):
        # s3rver takes Host BUCKET.s3.SERVICE_ENDPOINT as virtual-hosted;
        # libcurl resolves any *.localhost name to 127.0.0.1 by itself.
        return f"http://s3.localhost:{self.port}"


class MotoServer(S3Server):
    name = "moto"
    keeps_unsafe_keys = True
    virtual_hosted = True
    GAP_REASONS = {
        **S3Server.GAP_REASONS,
        "verifies_signatures": "moto's server started without auth checks no signature",
        "checks_access_key_id": "moto's server started without auth accepts any access key id",
        "refuses_anonymous": "moto's server started without auth serves unsigned requests",
    }

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
        self.refuses_anonymous = auth
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

    @property
    def virtual_endpoint_url(self):
        # moto takes the bucket from Host BUCKET.localhost:PORT; libcurl
        # resolves any *.localhost name to 127.0.0.1 by itself.
        return f"http://localhost:{self.port}"


class RadosgwServer(S3Server):
    """Ceph's RADOS Gateway (Ceph 16 from Debian), a production S3 server: a
    one-node cluster (monitor, memstore OSD, radosgw) started by
    `scripts/ceph-rgw start` in a temporary folder and stopped by
    `scripts/ceph-rgw stop`. It verifies SigV4 signatures, answers
    InvalidAccessKeyId and AccessDenied like S3, keeps keys such as '../x',
    'a//b' and '/x' byte for byte, gives multipart objects -N ETags, and
    answers virtual-hosted requests for BUCKET.localhost:PORT.

    Its data lives in RAM (the OSD uses about twice what is stored) and the
    test user has a quota (1 GiB by default): keep what a suite uploads well
    under ~600 MiB. radosgw logs each request in log/client.rgw.log under
    cluster_dir."""

    name = "radosgw"
    keeps_unsafe_keys = True
    verifies_signatures = True
    checks_access_key_id = True
    refuses_anonymous = True
    virtual_hosted = True
    SCRIPT = REPO_ROOT / "scripts" / "ceph-rgw"
    TOOLS = ("ceph", "ceph-authtool", "monmaptool", "ceph-mon", "ceph-osd", "radosgw",
             "radosgw-admin")
    # scripts/ceph-rgw start sometimes gives up on a radosgw that is still
    # starting ("client.rgw died while waiting for radosgw to answer HTTP",
    # although the daemon runs and writes its pid file a moment later); a
    # fresh start in an empty folder then succeeds.
    START_ATTEMPTS = 3

    def __init__(self, startup_timeout: float = 60.0):
        super().__init__(startup_timeout)
        self._endpoint: str | None = None
        self.start_failures: list[str] = []  # why earlier attempts failed

    @property
    def cluster_dir(self) -> Path:
        assert self.workdir is not None
        return self.workdir / "ceph"

    @property
    def log_path(self) -> Path:
        return self.cluster_dir / "log" / "client.rgw.log"

    @property
    def endpoint_url(self) -> str:
        return self._endpoint or super().endpoint_url

    @property
    def virtual_endpoint_url(self):
        # ceph-rgw sets rgw_dns_name = localhost; libcurl resolves any
        # *.localhost name to 127.0.0.1 by itself (glibc and Python do not).
        return f"http://localhost:{self.port}"

    def start(self) -> "RadosgwServer":
        missing = [tool for tool in self.TOOLS if shutil.which(tool) is None]
        if missing:
            raise ServerUnavailable(
                f"radosgw: Ceph is not installed here ({', '.join(missing)} not found); "
                "scripts/install-deps installs it (or: scripts/ceph-rgw install)")
        self.workdir = Path(tempfile.mkdtemp(prefix="s3pull-radosgw-"))
        try:
            for attempt in range(1, self.START_ATTEMPTS + 1):
                shutil.rmtree(self.cluster_dir, ignore_errors=True)
                why = self._start_cluster()
                if why is None:
                    return self
                self.start_failures.append(why)
                print(f"radosgw: start attempt {attempt} of {self.START_ATTEMPTS} failed: {why}",
                      file=sys.stderr)
                self._stop_cluster()
            raise ServerUnavailable(
                f"radosgw: scripts/ceph-rgw start failed {self.START_ATTEMPTS} times:\n"
                + "\n".join(self.start_failures))
        except BaseException:
            self.stop()
            raise

    def _start_cluster(self) -> str | None:
        """One `scripts/ceph-rgw start`: None when it is up, else why not."""
        try:
            proc = subprocess.run([str(self.SCRIPT), "start", str(self.cluster_dir)],
                                  stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                  timeout=self.startup_timeout)
        except subprocess.TimeoutExpired:
            return f"no answer within {self.startup_timeout:g} s"
        except OSError as e:
            return f"cannot run {self.SCRIPT.name}: {e}"
        if proc.returncode != 0:
            tail = "\n".join("    " + line for line in proc.stderr.splitlines()[-15:])
            return f"exit status {proc.returncode}:\n{tail}"
        values = {}
        for line in proc.stdout.splitlines():
            name, sep, value = line.partition("=")
            if sep:
                words = shlex.split(value)
                values[name] = words[0] if words else ""
        wanted = ("S3_ENDPOINT_URL", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "S3_REGION")
        if any(not values.get(name) for name in wanted):
            return f"its output lacks some of {', '.join(wanted)}: {proc.stdout!r}"
        self._endpoint = values["S3_ENDPOINT_URL"]
        self.port = urllib.parse.urlsplit(self._endpoint).port
        self.access_key = values["S3_ACCESS_KEY_ID"]
        self.secret_key = values["S3_SECRET_ACCESS_KEY"]
        self.region = values["S3_REGION"]
        return None

    def _stop_cluster(self) -> None:
        if self.workdir is None or not self.cluster_dir.exists():
            return
        try:
            subprocess.run([str(self.SCRIPT), "stop", str(self.cluster_dir)],
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
        except (subprocess.TimeoutExpired, OSError) as e:
            print(f"radosgw: scripts/ceph-rgw stop failed: {e}", file=sys.stderr)

    def stop(self) -> None:
        self._stop_cluster()
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None


class ExternalServer(S3Server):
    """An S3 endpoint that is already running: a MinIO, a Ceph, an AWS
    account. Configured by the environment:

      S3PULL_TEST_ENDPOINT_URL        e.g. http://127.0.0.1:9000 or
                                      https://s3.eu-west-1.amazonaws.com
      S3PULL_TEST_ACCESS_KEY_ID, S3PULL_TEST_SECRET_ACCESS_KEY
      S3PULL_TEST_REGION              default us-east-1
      S3PULL_TEST_BUCKET_PREFIX       the suites create buckets named
                                      PREFIX + their own names (e.g.
                                      PREFIX + "data"), empty a bucket of that
                                      name left by an interrupted run, and
                                      delete them with their objects at the end
      S3PULL_TEST_VIRTUAL_HOSTED=1    the endpoint's host name also answers
                                      BUCKET.HOST (AWS does; a MinIO needs
                                      MINIO_DOMAIN): test virtual-hosted style

    Which checks the endpoint makes (signatures, unknown keys, anonymous
    requests, keys such as '../x') is probed at start, in a bucket PREFIX +
    "probe" that is deleted again; tests that need what it lacks skip."""

    name = "external"
    VARIABLES = ("S3PULL_TEST_ENDPOINT_URL", "S3PULL_TEST_ACCESS_KEY_ID",
                 "S3PULL_TEST_SECRET_ACCESS_KEY", "S3PULL_TEST_BUCKET_PREFIX")

    def __init__(self, startup_timeout: float = 60.0):
        super().__init__(startup_timeout)
        self._endpoint = ""
        self.prefix = ""
        self.created: list[str] = []
        self.GAP_REASONS = dict(S3Server.GAP_REASONS)

    @property
    def endpoint_url(self) -> str:
        return self._endpoint

    @property
    def virtual_endpoint_url(self):
        return self._endpoint if self.virtual_hosted else None

    def bucket_name(self, name: str) -> str:
        return self.prefix + name

    def start(self) -> "ExternalServer":
        env = os.environ
        missing = [v for v in self.VARIABLES if not env.get(v)]
        if missing:
            raise ServerUnavailable(
                f"external: set {', '.join(missing)} (see the Tests section of README.md)")
        self._endpoint = env["S3PULL_TEST_ENDPOINT_URL"].rstrip("/")
        url = urllib.parse.urlsplit(self._endpoint)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ServerUnavailable(f"external: S3PULL_TEST_ENDPOINT_URL is not an http(s) URL: "
                                    f"{self._endpoint!r}")
        self.port = url.port or (443 if url.scheme == "https" else 80)
        self.access_key = env["S3PULL_TEST_ACCESS_KEY_ID"]
        self.secret_key = env["S3PULL_TEST_SECRET_ACCESS_KEY"]
        self.region = env.get("S3PULL_TEST_REGION") or "us-east-1"
        self.prefix = env["S3PULL_TEST_BUCKET_PREFIX"]
        # Bucket names: 3-63 of a-z 0-9 . -; the suites' own names are short.
        if not re.fullmatch(r"[a-z0-9][a-z0-9.-]{0,39}", self.prefix):
            raise ServerUnavailable(
                "external: S3PULL_TEST_BUCKET_PREFIX must be 1-40 characters of a-z 0-9 . - "
                f"starting with a letter or digit, not {self.prefix!r}")
        self.virtual_hosted = env.get("S3PULL_TEST_VIRTUAL_HOSTED") == "1"
        self.GAP_REASONS["virtual_hosted"] = (
            "not asked to test virtual-hosted requests (S3PULL_TEST_VIRTUAL_HOSTED=1)")
        self.workdir = Path(tempfile.mkdtemp(prefix="s3pull-external-"))
        self.log_path.write_text("")
        try:
            self.client().list_buckets()
        except Exception as e:  # noqa: BLE001 - any failure means unusable
            self.stop()
            raise ServerUnavailable(f"external: ListBuckets on {self._endpoint} failed: {e}") from e
        try:
            self._probe()
        except BaseException:
            self.stop()
            raise
        return self

    def _error_code(self, call) -> str:
        try:
            call()
        except Exception as e:  # noqa: BLE001
            return getattr(e, "response", {}).get("Error", {}).get("Code", type(e).__name__)
        return ""

    def _probe(self) -> None:
        """Sets the capability flags from what the endpoint does."""
        code = self._error_code(lambda: self.client(
            access_key="AKIAS3PULLNOSUCHKEY00", secret_key="x" * 40).list_buckets())
        self.checks_access_key_id = code == "InvalidAccessKeyId"
        self.GAP_REASONS["checks_access_key_id"] = (
            f"the endpoint answered an unknown access key id with {code or 'success'}")
        code = self._error_code(lambda: self.client(
            secret_key=self.secret_key + "x").list_buckets())
        self.verifies_signatures = code == "SignatureDoesNotMatch"
        self.GAP_REASONS["verifies_signatures"] = (
            f"the endpoint answered a wrong secret with {code or 'success'}")
        client = self.client()
        bucket = self.create_bucket("probe", client)
        code = self._error_code(lambda: make_client(
            self._endpoint, "", "", region=self.region, unsigned=True).list_objects_v2(
                Bucket=bucket))
        self.refuses_anonymous = code == "AccessDenied"
        self.GAP_REASONS["refuses_anonymous"] = (
            f"the endpoint answered an unsigned listing of a new bucket with {code or 'success'}")
        unsafe = ["../s3pull-probe", "a//b", "/leading", "x/./y"]
        codes = [self._error_code(lambda k=k: client.put_object(Bucket=bucket, Key=k, Body=b"p"))
                 for k in unsafe]
        stored = set(list_keys(client, bucket))
        self.keeps_unsafe_keys = stored == set(unsafe)
        self.GAP_REASONS["keeps_unsafe_keys"] = (
            f"the endpoint did not keep {unsafe} as given (PUT answers {codes}; listed "
            f"{sorted(stored)})")
        long_key = "s" * 255
        code = self._error_code(lambda: client.put_object(Bucket=bucket, Key=long_key, Body=b"p"))
        self.long_segment_keys = not code and long_key in set(list_keys(client, bucket))
        self.GAP_REASONS["long_segment_keys"] = (
            f"the endpoint did not keep a 255-byte key (PUT answered {code or 'success'})")
        self._delete_bucket(bucket, client)

    def create_bucket(self, name: str, client=None) -> str:
        client = client or self.client()
        real = self.bucket_name(name)
        if real not in self.created:
            ensure_bucket(client, real)
            self.created.append(real)
        _empty_bucket(client, real)  # left by an interrupted run
        return real

    def _delete_bucket(self, bucket: str, client) -> None:
        try:
            _empty_bucket(client, bucket)
            client.delete_bucket(Bucket=bucket)
        except Exception as e:  # noqa: BLE001 - report, do not hide other errors
            print(f"external: could not delete bucket {bucket}: {e}", file=sys.stderr)
        if bucket in self.created:
            self.created.remove(bucket)

    def stop(self) -> None:
        if self.created:
            client = self.client()
            for bucket in list(self.created):
                self._delete_bucket(bucket, client)
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None


def _empty_bucket(client, bucket: str) -> None:
    """Deletes every object (and unfinished multipart upload) in bucket."""
    for page in client.get_paginator("list_multipart_uploads").paginate(Bucket=bucket):
        for upload in page.get("Uploads", []):
            client.abort_multipart_upload(Bucket=bucket, Key=upload["Key"],
                                          UploadId=upload["UploadId"])
    keys = list_keys(client, bucket)
    for i in range(0, len(keys), 1000):
        batch = keys[i:i + 1000]
        try:
            client.delete_objects(Bucket=bucket, Delete={
                "Objects": [{"Key": k} for k in batch], "Quiet": True})
        except Exception:  # noqa: BLE001 - e.g. a control character in a key: no XML 1.0 for it
            for key in batch:
                client.delete_object(Bucket=bucket, Key=key)


SERVER_CLASSES: dict[str, type[S3Server]] = {
    "s3rver": S3rverServer,
    "moto": MotoServer,
    "radosgw": RadosgwServer,
    "external": ExternalServer,
}


def server_names(default: str = "s3rver,moto,radosgw") -> list[str]:
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
                session_token: str | None = None, max_pool: int = 32,
                unsigned: bool = False, addressing_style: str = "path",
                verify: str | None = None):
    """A boto3 client for a server (path-style addressing for S3 by
    default; unsigned=True sends anonymous requests; `verify` a CA bundle
    for HTTPS)."""
    config = Config(s3={"addressing_style": addressing_style}, max_pool_connections=max_pool,
                    retries={"max_attempts": 3, "mode": "standard"},
                    **({"signature_version": UNSIGNED} if unsigned else {}))
    return boto3.session.Session().client(
        service, endpoint_url=endpoint_url, region_name=region,
        aws_access_key_id=access_key, aws_secret_access_key=secret_key,
        aws_session_token=session_token, config=config, verify=verify)


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
    region = client.meta.region_name
    # us-east-1 takes no LocationConstraint (radosgw refuses one that is not
    # its zonegroup's name); AWS's other regions need theirs.
    where = ({} if region in (None, "", "us-east-1")
             else {"CreateBucketConfiguration": {"LocationConstraint": region}})
    try:
        client.create_bucket(Bucket=bucket, **where)
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
    path = os.path.abspath(os.environ.get("S3PULL_BIN") or str(REPO_ROOT / "build" / "s3pull"))
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
               binary: bool = False, cwd: str | None = None,
               measure_peak_rss: bool = False) -> S3pullRun:
    """Runs s3pull with `args`; returns (exit code, stdout, stderr).
    `env` replaces the environment (use S3Server.s3pull_env()).
    measure_peak_rss: run it under GNU time and set the result's
    peak_rss_mib (not os.wait4(): the kernel carries a parent's peak RSS into
    a child across fork + exec, so this test process's size would be a floor)."""
    argv = [s3pull_bin(), *args]
    prefix, rss_path = [], None
    if measure_peak_rss:
        fd, rss_path = tempfile.mkstemp(prefix="s3pull-rss-")
        os.close(fd)
        prefix = ["/usr/bin/time", "-q", "-f", "%M", "-o", rss_path]
    try:
        proc = subprocess.run(prefix + argv, input=input if input is not None else b"",
                              capture_output=True, env=dict(env) if env is not None else None,
                              timeout=timeout, cwd=cwd)
        peak_kib = int(Path(rss_path).read_text().split()[-1]) if rss_path else None
    finally:
        if rss_path:
            os.unlink(rss_path)
    decode = lambda b: b.decode("utf-8", errors="surrogateescape")
    stdout = proc.stdout if binary else decode(proc.stdout)
    run = S3pullRun(proc.returncode, stdout, decode(proc.stderr), argv)
    run.peak_rss_mib = peak_kib / 1024 if peak_kib is not None else None
    return run


OK_LINE = re.compile(r"^ok s3://(?P<bucket>[^/]+)/(?P<key>.*) -> (?P<path>.*) \((?P<size>\d+) bytes\)$")
UNCHANGED_LINE = re.compile(r"^unchanged s3://(?P<bucket>[^/]+)/(?P<key>.*) -> (?P<path>.*)$")
FAILED_LINE = re.compile(r"^failed s3://(?P<bucket>[^/]+)/(?P<key>.*?): (?P<error>.*)$")
SUMMARY_LINE = re.compile(
    r"^Summary: (?P<total>\d+) objects, (?P<downloaded>\d+) downloaded, "
    r"(?P<unchanged>\d+) unchanged, (?P<failed>\d+) failed, "
    r"(?P<bytes>\d+) bytes in (?P<seconds>\d+\.\d\d) s \((?P<rate>\d+\.\d) MB/s\)$")


def ok_lines(text: str) -> list[re.Match]:
    return [m for m in map(OK_LINE.match, text.splitlines()) if m]


def unchanged_lines(text: str) -> list[re.Match]:
    return [m for m in map(UNCHANGED_LINE.match, text.splitlines()) if m]


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


class PerTestFolder:
    """Mixed into a suite whose class sets `scratch`: each test gets its own
    folder, self.root, with an empty self.dest ("dest") inside, removed after."""

    def setUp(self):
        self.root = tempfile.mkdtemp(dir=self.scratch, prefix=self._testMethodName + "-")
        self.dest = os.path.join(self.root, "dest")
        os.mkdir(self.dest)

    def tearDown(self):
        shutil.rmtree(self.root, ignore_errors=True)


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


# --- the AWS CLI ---------------------------------------------------------------

def aws_cli_argv() -> list[str] | None:
    """How to run the AWS CLI: `aws` on PATH, else the awscli module of the
    Python running the tests; None when neither is there."""
    exe = shutil.which("aws")
    if exe:
        return [exe]
    try:
        import awscli  # noqa: F401
    except ImportError:
        return None
    return [sys.executable, "-m", "awscli"]


def run_aws(server: S3Server, *args: str, timeout: float = 300,
            env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess:
    """Runs `aws --endpoint-url ENDPOINT ARGS...` with the server's keys
    (AWS_* environment, no config files); raises RuntimeError with its output
    when it fails, unittest.SkipTest when there is no AWS CLI."""
    argv = aws_cli_argv()
    if argv is None:
        raise unittest.SkipTest("the AWS CLI is not installed for this python3 (pip install awscli)")
    argv = [*argv, "--endpoint-url", server.endpoint_url, *args]
    proc = subprocess.run(argv, env=dict(env) if env is not None else server.aws_cli_env(),
                          capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(shlex.quote, argv))} failed with status "
                           f"{proc.returncode}:\n{proc.stderr.decode(errors='replace')[-3000:]}")
    return proc


# --- recording requests --------------------------------------------------------

class RecordedRequest:
    """The head of one HTTP request: method, target (path and query, as
    sent), headers (lower-case names)."""

    __slots__ = ("method", "target", "headers")

    def __init__(self, method: str, target: str, headers: dict[str, str]):
        self.method, self.target, self.headers = method, target, headers

    def __repr__(self) -> str:
        return f"{self.method} {self.target} {self.headers}"


class RecordingProxy:
    """A TCP relay on 127.0.0.1 in front of a plain-HTTP endpoint that
    records the head of every request passing through (`requests`), so that
    tests can check what s3pull sent (Range, If-Match, Host, the path) on any
    server. Bytes go through unchanged: the Host header s3pull signed is the
    one the server sees (the relay's address), so signatures still verify.
    Use it as a context manager; point s3pull at `endpoint_url` (or at
    http://localhost:PORT for virtual-hosted requests)."""

    def __init__(self, upstream_url: str):
        url = urllib.parse.urlsplit(upstream_url)
        if url.scheme != "http" or not url.hostname:
            raise ValueError(f"RecordingProxy relays plain http:// only, not {upstream_url!r}")
        self.upstream = (url.hostname, url.port or 80)
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._acceptor = threading.Thread(target=self._accept, daemon=True)

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "RecordingProxy":
        self._acceptor.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._listener.close()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def take(self) -> list[RecordedRequest]:
        """The requests recorded so far; forgets them."""
        with self._lock:
            taken, self.requests = self.requests, []
        return taken

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.upstream, timeout=10)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets.update((client, upstream))
            state = {"open": 2}
            threading.Thread(target=self._relay, args=(client, upstream, True, state),
                             daemon=True).start()
            threading.Thread(target=self._relay, args=(upstream, client, False, state),
                             daemon=True).start()

    def _relay(self, src: socket.socket, dst: socket.socket, sniff: bool, state: dict) -> None:
        parser = _RequestHeadParser(self._record) if sniff else None
        try:
            while True:
                data = src.recv(256 * 1024)
                if not data:
                    dst.shutdown(socket.SHUT_WR)
                    break
                if parser is not None:
                    parser.feed(data)
                dst.sendall(data)
        except OSError:
            for sock in (src, dst):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        finally:
            with self._lock:
                state["open"] -= 1
                done = state["open"] == 0
                if done:
                    self._sockets.difference_update((src, dst))
            if done:
                src.close()
                dst.close()

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)


class _RequestHeadParser:
    """Splits a client's byte stream into request heads (bodies skipped by
    Content-Length; a chunked body ends the parsing of that connection)."""

    def __init__(self, on_request: Callable[[RecordedRequest], None]):
        self.on_request = on_request
        self.buffer = b""
        self.skip = 0
        self.lost = False

    def feed(self, data: bytes) -> None:
        if self.lost:
            return
        self.buffer += data
        while True:
            if self.skip:
                dropped = min(self.skip, len(self.buffer))
                self.buffer = self.buffer[dropped:]
                self.skip -= dropped
                if self.skip:
                    return
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head, self.buffer = self.buffer[:end].decode("latin-1"), self.buffer[end + 4:]
            lines = head.split("\r\n")
            method, _, rest = lines[0].partition(" ")
            target = rest.rpartition(" ")[0]
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            self.on_request(RecordedRequest(method, target, headers))
            if "chunked" in headers.get("transfer-encoding", "").lower():
                self.lost = True
                return
            self.skip = int(headers.get("content-length", "0") or 0)
