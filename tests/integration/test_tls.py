"""HTTPS as users run it: the system's trust store, many connections.

Python: the `python3` on PATH (3.11 with boto3 and moto), standard unittest:
    cd tests/integration && S3PULL_BIN=../../build/s3pull python3 -m unittest -v test_tls

moto's server serves HTTPS with a certificate for 127.0.0.1 signed by a test
CA made here with `openssl`. s3pull trusts it the way a company CA is
trusted: through a bundle of the system's certificates (about 150) with the
test CA added. What is checked:
  - many connections at once stay within a memory bound: the bundle is
    parsed once per run, not once per connection (it used to cost about a
    megabyte and milliseconds of CPU for each of hundreds of connections);
  - every object arrives intact over HTTPS;
  - a server that the trust store does not vouch for fails at once with a
    TLS error and no retries, and the system's store (which lacks the test
    CA) is what is used when nothing is given;
  - an unreadable or empty CA bundle is a usage error before any request;
  - --ca-bundle names the bundle over AWS_CA_BUNDLE; --no-verify-ssl trusts
    any server, with a warning.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import ssl
import subprocess
import tempfile
import unittest
from pathlib import Path

from s3servers import (MiB, MotoServer, PerTestFolder, ServerUnavailable, assert_tree_equal,
                       failed_lines, make_client, make_scratch_dir, ok_lines, run_s3pull,
                       server_required, upload_objects)

BUCKET = "tls"
OBJECTS = 1500
# Requests (so connections) in flight at once, and the bound on the peak
# resident memory of that run: with a trust store per connection the run
# took 242 MiB (and 470 objects failed); with one per run it takes about 26 MiB.
CONCURRENCY = 256
PEAK_RSS_BOUND_MIB = 100


def system_ca_file() -> str:
    """The system's CA bundle (Debian: /etc/ssl/certs/ca-certificates.crt)."""
    path = ssl.get_default_verify_paths().cafile
    if not path or not os.path.isfile(path):
        raise unittest.SkipTest("this system has no CA bundle file")
    return path


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_ca(folder: Path, name: str) -> None:
    """`name`.key and `name`.pem: a self-signed CA certificate."""
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "2",
            "-subj", f"/CN=s3pull {name}", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=folder)


def make_server_certificate(folder: Path, ca: str) -> None:
    """server.key and server.pem for 127.0.0.1 and localhost, signed by `ca`."""
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1", cwd=folder)
    (folder / "server.ext").write_text(
        "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
        "extendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
            "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "server.ext",
            cwd=folder)


class HttpsMotoServer(MotoServer):
    """moto's server on HTTPS with the given certificate and key."""

    name = "moto-https"

    def __init__(self, cert: Path, key: Path, ca_bundle: Path):
        super().__init__()
        self.cert, self.key, self.ca_bundle = cert, key, ca_bundle

    def _command(self):
        argv, env = super()._command()
        return argv + ["-c", str(self.cert), "-k", str(self.key)], env

    def _ready_port(self, log_text):
        m = re.search(r"Running on https://127\.0\.0\.1:(\d+)", log_text)
        return int(m.group(1)) if m else None

    @property
    def endpoint_url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def client(self, service="s3", access_key=None, secret_key=None, session_token=None):
        return make_client(self.endpoint_url, self.access_key, self.secret_key,
                           region=self.region, service=service, verify=str(self.ca_bundle))


def setUpModule():
    global PKI, SERVER, SOURCE, SCRATCH
    PKI = Path(tempfile.mkdtemp(prefix="s3pull-tls-pki-"))
    make_ca(PKI, "test-ca")
    make_ca(PKI, "other-ca")
    make_server_certificate(PKI, "test-ca")
    # The trust store of a machine whose administrator added a company CA.
    bundle = Path(system_ca_file()).read_bytes() + b"\n" + (PKI / "test-ca.pem").read_bytes()
    (PKI / "system-plus-test-ca.pem").write_bytes(bundle)
    (PKI / "not-pem.txt").write_text("not a certificate\n")
    try:
        SERVER = HttpsMotoServer(PKI / "server.pem", PKI / "server.key",
                                 PKI / "system-plus-test-ca.pem").start()
    except ServerUnavailable as e:
        if server_required("moto"):
            raise
        raise unittest.SkipTest(str(e))
    rng = random.Random(20261205)
    SOURCE = {f"many/{i // 100:02d}/obj-{i:05d}.bin": rng.randbytes(rng.randrange(1, 8192))
              for i in range(OBJECTS)}
    SOURCE["large/parts.bin"] = rng.randbytes(20 * MiB + 17)  # ranged GETs over TLS
    client = SERVER.client()
    client.create_bucket(Bucket=BUCKET)
    upload_objects(client, BUCKET, SOURCE, workers=16)
    SCRATCH = make_scratch_dir("s3pull-tls-")


def tearDownModule():
    SERVER.stop()
    shutil.rmtree(PKI, ignore_errors=True)
    shutil.rmtree(SCRATCH, ignore_errors=True)


class HttpsWithTheSystemTrustStore(PerTestFolder, unittest.TestCase):
    scratch = property(lambda self: SCRATCH)

    def env(self, **overrides):
        return SERVER.s3pull_env(**overrides)

    def test_many_connections_share_one_trust_store(self):
        """256 TLS connections at once, each verifying the server against the
        system's ~150 certificates plus the test CA: every object arrives,
        and the run's peak memory stays bounded."""
        run = run_s3pull(
            ["cp", "--endpoint-url", SERVER.endpoint_url, "--concurrency", str(CONCURRENCY),
             "--event-loops", "1", f"s3://{BUCKET}/many/", self.dest],
            env=self.env(AWS_CA_BUNDLE=str(SERVER.ca_bundle)), timeout=300,
            measure_peak_rss=True)
        code, out, err = run
        self.assertEqual(code, 0, err[-3000:])
        self.assertEqual(len(ok_lines(out)), OBJECTS, err[-3000:])
        expected = {k[len("many/"):]: v for k, v in SOURCE.items() if k.startswith("many/")}
        assert_tree_equal(self, self.dest, expected)
        self.assertLessEqual(run.peak_rss_mib, PEAK_RSS_BOUND_MIB,
                             f"peak RSS {run.peak_rss_mib:.0f} MiB with {CONCURRENCY} TLS "
                             "connections")

    def test_large_object_in_ranged_parts(self):
        path = os.path.join(self.dest, "parts.bin")
        code, out, err = run_s3pull(
            ["cp", "--endpoint-url", SERVER.endpoint_url, "--part-size", "4MiB",
             f"s3://{BUCKET}/large/parts.bin", path],
            env=self.env(AWS_CA_BUNDLE=str(SERVER.ca_bundle)))
        self.assertEqual(code, 0, err)
        self.assertEqual(Path(path).read_bytes(), SOURCE["large/parts.bin"])

    def assert_untrusted(self, code: int, out: str, err: str) -> None:
        failed = failed_lines(out + err)
        self.assertEqual(code, 1, err)
        self.assertEqual(len(failed), 1, out + err)
        self.assertRegex(failed[0]["error"], r"^TLS error: SSL certificate problem: ")
        self.assertNotIn("Retries:", err, "a certificate that does not verify is not retried")
        self.assertEqual(os.listdir(self.dest), [])

    def test_the_system_store_is_the_default(self):
        """Without AWS_CA_BUNDLE the system's certificates decide, and they do
        not include the test CA."""
        code, out, err = run_s3pull(
            ["cp", "--endpoint-url", SERVER.endpoint_url, f"s3://{BUCKET}/many/00/obj-00001.bin",
             self.dest + "/"], env=self.env())
        self.assert_untrusted(code, out, err)
        self.assertIn("trusted certificates: ", err)

    def test_a_bundle_without_the_servers_ca_is_refused(self):
        code, out, err = run_s3pull(
            ["cp", "--endpoint-url", SERVER.endpoint_url, f"s3://{BUCKET}/many/00/obj-00001.bin",
             self.dest + "/"], env=self.env(AWS_CA_BUNDLE=str(PKI / "other-ca.pem")))
        self.assert_untrusted(code, out, err)
        self.assertIn(f"(127.0.0.1:{SERVER.port}; trusted certificates: {PKI / 'other-ca.pem'})",
                      err)

    def test_an_unusable_bundle_is_a_usage_error(self):
        for bundle, message in [
                (PKI / "missing.pem", f"cannot read the CA bundle '{PKI / 'missing.pem'}': "
                                      "No such file or directory"),
                (PKI, f"cannot read the CA bundle '{PKI}': it is a folder, not a file"),
                (PKI / "not-pem.txt", f"no certificate in the CA bundle '{PKI / 'not-pem.txt'}'")]:
            with self.subTest(bundle=bundle.name):
                code, out, err = run_s3pull(
                    ["ls", "--endpoint-url", SERVER.endpoint_url, f"s3://{BUCKET}/"],
                    env=self.env(AWS_CA_BUNDLE=str(bundle)))
                self.assertEqual(code, 2, err)
                self.assertIn(message, err)
                self.assertIn("(named by AWS_CA_BUNDLE)", err)
                self.assertEqual(out, "")

    def test_the_ca_bundle_flag_comes_before_the_environment(self):
        """--ca-bundle names the trust store (as the AWS CLI's does), over
        AWS_CA_BUNDLE; an unusable one is a usage error that names it."""
        key = f"s3://{BUCKET}/many/00/obj-00001.bin"
        code, out, err = run_s3pull(
            ["cp", "--endpoint-url", SERVER.endpoint_url, "--ca-bundle",
             str(PKI / "other-ca.pem"), key, self.dest + "/"],
            env=self.env(AWS_CA_BUNDLE=str(SERVER.ca_bundle)))
        self.assert_untrusted(code, out, err)
        code, out, err = run_s3pull(
            ["cp", "--endpoint-url", SERVER.endpoint_url, "--ca-bundle", str(SERVER.ca_bundle),
             key, self.dest + "/"], env=self.env(AWS_CA_BUNDLE=str(PKI / "other-ca.pem")))
        self.assertEqual(code, 0, err)
        self.assertEqual(Path(self.dest, "obj-00001.bin").read_bytes(),
                         SOURCE["many/00/obj-00001.bin"])
        code, out, err = run_s3pull(
            ["ls", "--endpoint-url", SERVER.endpoint_url, "--ca-bundle", str(PKI / "missing.pem"),
             f"s3://{BUCKET}/"], env=self.env())
        self.assertEqual(code, 2, err)
        self.assertIn(f"cannot read the CA bundle '{PKI / 'missing.pem'}'", err)
        self.assertNotIn("AWS_CA_BUNDLE", err)

    def test_no_verify_ssl_trusts_any_server_and_says_so(self):
        code, out, err = run_s3pull(
            ["cp", "--endpoint-url", SERVER.endpoint_url, "--no-verify-ssl",
             f"s3://{BUCKET}/many/00/obj-00001.bin", self.dest + "/"],
            env=self.env(AWS_CA_BUNDLE=str(PKI / "other-ca.pem")))
        self.assertEqual(code, 0, err)
        self.assertIn("warning: --no-verify-ssl: HTTPS servers are not verified", err)
        self.assertEqual(Path(self.dest, "obj-00001.bin").read_bytes(),
                         SOURCE["many/00/obj-00001.bin"])

    def test_listing_over_https(self):
        code, out, err = run_s3pull(
            ["ls", "--recursive", "--endpoint-url", SERVER.endpoint_url, f"s3://{BUCKET}/many/"],
            env=self.env(AWS_CA_BUNDLE=str(SERVER.ca_bundle)))
        self.assertEqual(code, 0, err)
        self.assertEqual(len(out.splitlines()), OBJECTS)


if __name__ == "__main__":
    unittest.main()
