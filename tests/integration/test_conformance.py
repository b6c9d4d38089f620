"""Conformance of s3pull with real S3 servers: odd keys, multipart objects,
objects that change, authentication failures, addressing styles, `s3pull ls`.

Python: the `python3` on PATH (3.11 with boto3, moto and the AWS CLI v1),
standard unittest:
    cd tests/integration && S3PULL_BIN=../../build/s3pull python3 -m unittest -v test_conformance

One suite (ConformanceSuite), run once per server: ConformanceOnS3rver,
ConformanceOnMoto, ConformanceOnRadosgw (S3PULL_TEST_SERVERS picks them;
default "s3rver,moto,radosgw"; "external" runs it against your own endpoint,
see s3servers.ExternalServer). A server that cannot start skips its class
with the reason (or fails it, when S3PULL_REQUIRE_SERVERS names it). Where a
server lacks what a test needs, the test skips with the reason the server
class states (s3servers.S3Server.gap); nothing is skipped silently.

What each test needs:
  keys: every printable ASCII character (one key each, and keys holding all
      of them), Unicode (2-, 3- and 4-byte UTF-8, NFC and NFD forms), a
      1,000-byte key, uploaded with the AWS CLI: every server. A 255-byte
      last segment: not s3rver (long_segment_keys). Keys no local path can
      hold ('..', '.', '//'), refused per object while the others download,
      and fetched byte for byte as single keys: servers that keep such keys
      (moto, radosgw; keeps_unsafe_keys).
  multipart: ETags ending in -N: moto, radosgw (multipart_etags). Ranged
      GETs with If-Match covering each object exactly, recorded by a relay
      (s3servers.RecordingProxy), and byte-exact files: every server.
      Ranges that never cross a stored part boundary: moto, radosgw (they
      need a -N ETag). One GET for an object within --part-size: every
      server (it fails only where ETags say -N).
  changed object: every server.
  wrong secret: radosgw (verifies_signatures); unknown access key id:
      s3rver, radosgw (checks_access_key_id); anonymous refused: radosgw
      (refuses_anonymous). moto's server runs without auth here.
  virtual-hosted addressing: radosgw (BUCKET.localhost), moto
      (BUCKET.localhost), s3rver (BUCKET.s3.localhost) (virtual_hosted).
  ls: every server.
Data stays small (about 85 MiB per server; radosgw keeps it in RAM).
"""

from __future__ import annotations

import base64
import concurrent.futures
import os
import random
import shutil
import tempfile
import unittest
import urllib.parse
import zlib

import botocore.exceptions

from s3servers import (MiB, PerTestFolder, RecordingProxy, ServerPool, assert_tree_equal,
                       clean_aws_env, failed_lines, list_keys, make_scratch_dir, ok_lines, run_aws,
                       run_s3pull, server_names, summary, upload_objects, walk_tree)

# --- data ------------------------------------------------------------------------

PRINTABLE = "".join(chr(c) for c in range(0x20, 0x7F))  # the 95 printable ASCII characters
GLOB_SPECIALS = "*?[]\\"


def _long_key(head: str, total: int, last: int) -> str:
    """A key of `total` bytes: head, segments of at most 200 bytes, and a
    last segment of `last` bytes."""
    middle = total - len(head.encode()) - last
    segments, letter = [], 0
    while middle > 0:
        size = min(200, middle - 1) if middle != 202 else 100  # never leave 1 byte
        segments.append(chr(ord("a") + letter) * size + "/")
        middle -= size + 1
        letter += 1
    key = head + "".join(segments) + "z" * last
    assert len(key.encode()) == total, (len(key.encode()), total)
    return key


OK_PREFIX = "keys/ok/"


def safe_keys(long_segments: bool) -> dict[str, bytes]:
    """Keys (full) -> bytes under OK_PREFIX that any local path can hold."""
    rng = random.Random(1234)
    names = [f"ascii/{ord(ch):02x}-x{ch}y" for ch in PRINTABLE]
    names += ["all/" + PRINTABLE,  # its '/' makes a folder " !\"#$%&'()*+,-."
              "all-but-slash/" + PRINTABLE.replace("/", ""),
              "unicode/2-byte é ß ñ ü Ω",
              "unicode/3-byte 日本語 € ✓",
              "unicode/4-byte 😀 🚀 𝄞",
              "unicode/café-nfc-caf\u00e9",  # the same text as the next,
              "unicode/café-nfc-cafe\u0301",  # in another normal form: two keys
              "unicode/ünï/日本/😀 mixed.bin"]
    keys = [OK_PREFIX + n for n in names]
    keys.append(_long_key(OK_PREFIX + "long/k1000-s200/", 1000, 200))
    if long_segments:
        keys.append(_long_key(OK_PREFIX + "long/k1000-s255/", 1000, 255))
        keys.append(OK_PREFIX + "long/s255-utf8/" + "日" * 85)  # 255 bytes
    return {k: rng.randbytes(rng.randrange(0, 3000)) + k.encode() for k in keys}


# Keys that no local path can hold: refused under a prefix, fetched as single keys.
UNSAFE_KEYS = {k: b"unsafe key " + k.encode() for k in [
    "keys/bad/../escape", "keys/bad/../../outside", "keys/bad/a//b", "keys/bad//lead",
    "keys/bad/x/./y", "keys/bad/up/.."]}


def multipart_objects() -> dict[str, tuple[bytes, int]]:
    """key -> (bytes, part size of its upload)."""
    rng = random.Random(5678)
    return {
        "p5/5MiB+1": (rng.randbytes(5 * MiB + 1), 5 * MiB),  # 2 parts
        "p5/12MiB": (rng.randbytes(12 * MiB), 5 * MiB),  # 3 parts
        "p5/21MiB": (rng.randbytes(21 * MiB), 5 * MiB),  # 5 parts
        "p6/13MiB": (rng.randbytes(13 * MiB), 6 * MiB),  # 3 parts
        "p6/12MiB": (rng.randbytes(12 * MiB), 6 * MiB),  # 2 parts, the last one full
    }


LIST_SMALL = {  # key -> size; names chosen so that byte order is clear
    "ls/a.txt": 3, "ls/b/c.txt": 4, "ls/b/d/e.txt": 5, "ls/f/": 0, "ls/g h/i": 6,
    "ls/lo1": 7, "ls/logs/x": 8, "ls/ü/ß": 9, "ls/z": 10, "lone": 11, "lsx": 12,
}
MANY = {f"many/k-{i:05d}": i % 50 for i in range(2500)}  # three listing pages


def _upload_parallel(client, bucket: str, objects: dict[str, bytes], workers: int = 32) -> None:
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        for future in [pool.submit(client.put_object, Bucket=bucket, Key=k, Body=v)
                       for k, v in objects.items()]:
            future.result()


def glob_for_exact_key(key: str) -> str:
    """A glob that matches `key` alone: its glob characters escaped with '\\'
    and its last character as a one-character set. (A key with '*', '?' or
    '[' cannot be given as a single key: SOURCE would be a glob.)"""
    escaped = "".join("\\" + c if c in GLOB_SPECIALS else c for c in key[:-1])
    last = key[-1]
    return escaped + ("[\\" + last + "]" if last in GLOB_SPECIALS else "[" + last + "]")


def expected_ls(sizes: dict[str, int], prefix: str, recursive: bool = False,
                order: list[str] | None = None) -> list[str]:
    """What `s3pull ls [--recursive] s3://BUCKET/PREFIX` prints for a bucket
    holding `sizes` (key -> size), by the contract (like `aws s3 ls`): keys
    in the server's order (`order`, as ListObjectsV2 gave them; S3 sorts by
    UTF-8 bytes, which is the default here)."""
    keys = [k for k in (order or sorted(sizes, key=str.encode)) if k.startswith(prefix)]
    if recursive:
        return [f"{sizes[k]} {k}" for k in keys]
    cut = prefix[:prefix.rfind("/") + 1]
    folders: list[str] = []
    objects: list[str] = []
    for key in keys:
        rest = key[len(prefix):]
        if "/" in rest:
            folder = prefix + rest[:rest.index("/") + 1]
            if folder not in folders:
                folders.append(folder)
        else:
            objects.append(key)
    return ([f"PRE {f[len(cut):]}" for f in folders]
            + [f"{sizes[k]} {k[len(cut):]}" for k in objects])


def crc32_base64(data: bytes) -> str:
    """The CRC32 of `data` as S3 writes it (base64 of its 4 bytes big-endian)."""
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def parse_range(value: str) -> tuple[int, int]:
    """'bytes=A-B' -> (A, B)."""
    unit, _, span = value.partition("=")
    first, _, last = span.partition("-")
    assert unit == "bytes" and first.isdigit() and last.isdigit(), value
    return int(first), int(last)


SERVERS = ServerPool()
SERVER_NAMES = server_names()


def setUpModule():
    for name in SERVER_NAMES:
        SERVERS.start(name)


def tearDownModule():
    SERVERS.stop_all()


class ConformanceSuite(PerTestFolder):
    """The tests; mixed into one unittest.TestCase per server below."""

    server_name = ""

    @classmethod
    def setUpClass(cls):
        cls.server = SERVERS.get(cls.server_name)  # SkipTest with the reason
        cls.client = cls.server.client()
        cls.env = cls.server.s3pull_env()
        cls.scratch = make_scratch_dir(f"s3pull-conformance-{cls.server_name}-")
        # Fixtures upload in the background, all at once; each test waits for
        # the ones it uses (and errors, or skips, with their failure alone).
        cls._pool = concurrent.futures.ThreadPoolExecutor(max_workers=5)
        cls._fixtures = {name: cls._pool.submit(getattr(cls, f"_upload_{name}"))
                         for name in ("keys", "parts", "listing", "auth")}

    @classmethod
    def tearDownClass(cls):
        cls._pool.shutdown(wait=True)
        shutil.rmtree(cls.scratch, ignore_errors=True)

    def fixture(self, name: str):
        return self._fixtures[name].result()

    def need(self, capability: str) -> None:
        reason = self.server.gap(capability)
        if reason:
            self.skipTest(reason)

    def proxy(self) -> RecordingProxy:
        """A relay that records requests (plain http:// endpoints only)."""
        if not self.server.endpoint_url.startswith("http://"):
            self.skipTest(f"{self.server.endpoint_url} is not plain http: requests cannot be "
                          "recorded")
        return RecordingProxy(self.server.endpoint_url)

    # --- fixtures (run in setUpClass's pool) -------------------------------------
    @classmethod
    def _upload_keys(cls):
        """The AWS CLI uploads the safe keys from a local tree (`aws s3 cp
        --recursive`) and, where the server keeps them, the unsafe ones one
        by one (`aws s3api put-object`)."""
        server = cls.server
        bucket = server.create_bucket("conf-keys")
        safe = safe_keys(server.long_segment_keys)
        tree = tempfile.mkdtemp(dir=cls.scratch, prefix="upload-")
        for key, body in safe.items():
            path = os.path.join(tree, key[len(OK_PREFIX):])
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(body)
        run_aws(server, "s3", "cp", "--recursive", "--only-show-errors", tree,
                f"s3://{bucket}/{OK_PREFIX}")
        unsafe = dict(UNSAFE_KEYS) if server.keeps_unsafe_keys else {}

        def put(item):
            key, body = item
            path = os.path.join(tree, f"unsafe-{sorted(UNSAFE_KEYS).index(key)}")
            with open(path, "wb") as f:
                f.write(body)
            run_aws(server, "s3api", "put-object", "--bucket", bucket, f"--key={key}",
                    "--body", path)

        with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
            list(pool.map(put, unsafe.items()))
        shutil.rmtree(tree, ignore_errors=True)
        stored = set(list_keys(cls.client, bucket, "keys/"))
        wanted = set(safe) | set(unsafe)
        if stored != wanted:
            raise AssertionError(
                f"{server.name} did not store the keys the AWS CLI uploaded as given: "
                f"missing {sorted(wanted - stored)!r}, unexpected {sorted(stored - wanted)!r}")
        return bucket, safe, unsafe

    @classmethod
    def _upload_parts(cls):
        bucket = cls.server.create_bucket("conf-parts")
        objects = multipart_objects()
        for part_size in sorted({p for _, p in objects.values()}):
            upload_objects(cls.client, bucket,
                           {k: body for k, (body, p) in objects.items() if p == part_size},
                           multipart_threshold=5 * MiB, part_size=part_size)
        etags = {o["Key"]: o["ETag"] for o in
                 cls.client.list_objects_v2(Bucket=bucket)["Contents"]}
        return bucket, objects, etags

    @classmethod
    def _upload_listing(cls):
        bucket = cls.server.create_bucket("conf-list")
        rng = random.Random(99)
        objects = {k: rng.randbytes(size) for k, size in {**LIST_SMALL, **MANY}.items()}
        _upload_parallel(cls.client, bucket, objects)
        return bucket, objects

    @classmethod
    def _upload_auth(cls):
        bucket = cls.server.create_bucket("conf-auth")
        objects = {"a/one.txt": b"one", "a/two.txt": b"two two", "a/b/three.txt": b"3"}
        _upload_parallel(cls.client, bucket, objects)
        return bucket, objects

    # --- helpers -----------------------------------------------------------------
    def cp(self, *args, env=None, endpoint=None, **kwargs):
        return run_s3pull(["cp", "--endpoint-url", endpoint or self.server.endpoint_url, *args],
                          env=self.env if env is None else env, **kwargs)

    def ls(self, *args, env=None, endpoint=None, **kwargs):
        return run_s3pull(["ls", "--endpoint-url", endpoint or self.server.endpoint_url, *args],
                          env=self.env if env is None else env, **kwargs)

    def assertExit(self, run, code):
        self.assertEqual(run.code, code, f"unexpected exit status{run.describe()}")

    def assertLsLines(self, run, expected):
        self.assertExit(run, 0)
        self.assertEqual(run.stdout.splitlines(), expected, run.describe())

    def assertOkKeys(self, run, bucket, keys):
        got = [m["key"] for m in ok_lines(run.stdout)]
        self.assertTrue(all(m["bucket"] == bucket for m in ok_lines(run.stdout)), run.describe())
        self.assertEqual(sorted(got), sorted(keys), f"keys of the ok lines{run.describe()}")

    def assertNothingOutside(self):
        entries, dirs = walk_tree(self.root)
        stray = [p for p in list(entries) + list(dirs) if p.split("/")[0] != "dest"]
        self.assertEqual(stray, [], f"written outside the destination: {stray}")

    def assertNoSecret(self, run, *secrets):
        for secret in secrets:
            for name, text in (("stdout", run.stdout), ("stderr", run.stderr)):
                self.assertNotIn(secret, text, f"a secret appears on {name}{run.describe()}")

    # --- keys --------------------------------------------------------------------
    def test_keys_prefix_download_byte_exact(self):
        """Every printable ASCII character, Unicode, long keys: a prefix
        download writes exactly these files, byte for byte."""
        bucket, safe, _ = self.fixture("keys")
        run = self.cp(f"s3://{bucket}/{OK_PREFIX}", self.dest)
        self.assertExit(run, 0)
        expected = {k[len(OK_PREFIX):]: v for k, v in safe.items()}
        assert_tree_equal(self, self.dest, expected, run.describe())
        self.assertOkKeys(run, bucket, safe)
        self.assertEqual(failed_lines(run.stderr), [], run.describe())

    def test_keys_with_255_byte_segments(self):
        """A 1,000-byte key whose last segment has 255 bytes, and a last
        segment of 85 three-byte characters: downloaded as a prefix."""
        self.need("long_segment_keys")
        bucket, safe, _ = self.fixture("keys")
        prefix = OK_PREFIX + "long/"
        expected = {k[len(prefix):]: v for k, v in safe.items() if k.startswith(prefix)}
        self.assertEqual(sorted(len(k.rpartition("/")[2].encode()) for k in expected),
                         [200, 255, 255])
        run = self.cp(f"s3://{bucket}/{prefix}", self.dest)
        self.assertExit(run, 0)
        assert_tree_equal(self, self.dest, expected, run.describe())

    def test_keys_single_key_downloads(self):
        """Each key as a single SOURCE to a file path; keys with '*', '?' or
        '[' through a glob that matches them alone (as single keys they would
        be globs)."""
        bucket, safe, _ = self.fixture("keys")
        for i, (key, body) in enumerate(sorted(safe.items())):
            with self.subTest(key=key):
                if any(c in key for c in "*?["):
                    out = os.path.join(self.dest, f"glob-{i}")
                    run = self.cp(f"s3://{bucket}/{glob_for_exact_key(key)}", out)
                    self.assertExit(run, 0)
                    self.assertOkKeys(run, bucket, [key])
                    # Written under the glob's base folder: its literal text
                    # (all but the last character) cut after its last '/'.
                    base = key[:key[:-1].rfind("/") + 1]
                    assert_tree_equal(self, out, {key[len(base):]: body}, run.describe())
                else:
                    out = os.path.join(self.dest, f"single-{i}")
                    run = self.cp(f"s3://{bucket}/{key}", out)
                    self.assertExit(run, 0)
                    self.assertOkKeys(run, bucket, [key])
                    with open(out, "rb") as f:
                        self.assertTrue(f.read() == body, f"bytes differ{run.describe()}")

    def test_keys_from_file(self):
        """The keys as --from-file lines (relative to the prefix, and a few
        as s3:// URLs), taken byte for byte."""
        bucket, safe, _ = self.fixture("keys")
        rels = sorted(k[len(OK_PREFIX):] for k in safe)
        urls = [rel for rel in rels if rel.startswith("unicode/")]
        lines = [rel for rel in rels if rel not in urls]
        lines += [f"s3://{bucket}/{OK_PREFIX}{rel}" for rel in urls]
        run = self.cp("--from-file", "-", f"s3://{bucket}/{OK_PREFIX}", self.dest,
                      input="".join(line + "\n" for line in lines).encode())
        self.assertExit(run, 0)
        expected = {rel: safe[OK_PREFIX + rel] for rel in lines if not rel.startswith("s3://")}
        expected.update({OK_PREFIX + rel: safe[OK_PREFIX + rel] for rel in urls})
        assert_tree_equal(self, self.dest, expected, run.describe())
        self.assertOkKeys(run, bucket, safe)

    def test_keys_listed_exactly(self):
        """`ls --recursive` prints every key as stored, with its size."""
        bucket, safe, _ = self.fixture("keys")
        run = self.ls("--recursive", f"s3://{bucket}/{OK_PREFIX}")
        order = list_keys(self.client, bucket, OK_PREFIX)  # s3rver's is not byte order
        self.assertLsLines(run, expected_ls({k: len(v) for k, v in safe.items()}, OK_PREFIX,
                                            recursive=True, order=order))

    def test_unsafe_keys_refused_while_others_download(self):
        """Keys with '..', '.' or '//' segments: refused per object with
        'unsafe path' under a prefix and in a key list, while the other keys
        download; nothing is written outside the destination."""
        self.need("keeps_unsafe_keys")
        bucket, safe, unsafe = self.fixture("keys")
        inner = os.path.join(self.dest, "inner")
        run = self.cp(f"s3://{bucket}/keys/", inner)
        self.assertExit(run, 1)
        failed = failed_lines(run.stderr)
        self.assertEqual(sorted(m["key"] for m in failed), sorted(unsafe), run.describe())
        for m in failed:
            self.assertIn("unsafe path", m["error"], run.describe())
        assert_tree_equal(self, inner, {k[len("keys/"):]: v for k, v in safe.items()},
                          run.describe())
        self.assertOkKeys(run, bucket, safe)
        s = summary(run.stderr)
        self.assertIsNotNone(s, run.describe())
        self.assertEqual((int(s["downloaded"]), int(s["failed"])), (len(safe), len(unsafe)),
                         run.describe())
        self.assertNothingOutside()

        # The same keys in a key list.
        shutil.rmtree(inner)
        good = sorted(safe)[:3]
        lines = [k[len("keys/"):] for k in sorted(unsafe)] + [k[len("keys/"):] for k in good]
        run = self.cp("--from-file", "-", f"s3://{bucket}/keys/", inner,
                      input="".join(line + "\n" for line in lines).encode())
        self.assertExit(run, 1)
        failed = failed_lines(run.stderr)
        self.assertEqual(sorted(m["key"] for m in failed), sorted(unsafe), run.describe())
        for m in failed:
            self.assertIn("unsafe path", m["error"], run.describe())
        assert_tree_equal(self, inner, {k[len("keys/"):]: safe[k] for k in good}, run.describe())
        self.assertNothingOutside()

    def test_unsafe_keys_as_single_keys_are_sent_exactly(self):
        """A key with '//', '/./' or '/../' given as one SOURCE to a file
        path: the request names that key, not a normalised one."""
        self.need("keeps_unsafe_keys")
        bucket, _, unsafe = self.fixture("keys")
        for i, (key, body) in enumerate(sorted(unsafe.items())):
            with self.subTest(key=key):
                out = os.path.join(self.dest, f"single-{i}")
                run = self.cp(f"s3://{bucket}/{key}", out)
                self.assertExit(run, 0)
                with open(out, "rb") as f:
                    self.assertEqual(f.read(), body, run.describe())
        self.assertNothingOutside()

    # --- multipart objects and ranged GETs ---------------------------------------
    def test_multipart_etags_end_in_part_count(self):
        self.need("multipart_etags")
        bucket, objects, etags = self.fixture("parts")
        for key, (body, part_size) in objects.items():
            with self.subTest(key=key):
                parts = -(-len(body) // part_size)
                self.assertTrue(etags[key].strip('"').endswith(f"-{parts}"),
                                f"listed ETag {etags[key]} of a {parts}-part upload")
                head = self.client.head_object(Bucket=bucket, Key=key)
                self.assertEqual(head["ETag"], etags[key])

    def _check_ranged_gets(self, requests, bucket, key, size, etag, part_size, listed):
        """The GetObject requests of one object: each range within the
        object, together covering it exactly once; If-Match with the ETag on
        every ranged GET (listed=True: the ETag was known from the listing)
        or on every one after the first (single key: the first discovers
        size and ETag)."""
        path = f"/{bucket}/{key}"
        # (GetObjectAttributes, "?attributes", is a GET of the key too.)
        gets = [r for r in requests if r.method == "GET"
                and urllib.parse.unquote(r.target.partition("?")[0]) == path
                and "attributes" not in r.target.partition("?")[2]]
        self.assertTrue(gets, f"no GET of {key} recorded")
        spans = []
        for n, r in enumerate(gets):
            if "range" not in r.headers:
                spans.append((0, size - 1))
                continue
            spans.append(parse_range(r.headers["range"]))
            if listed or n > 0:
                self.assertEqual(r.headers.get("if-match"), etag,
                                 f"ranged GET without If-Match: {r}")
        if size > part_size:
            self.assertGreater(len(gets), 1, f"{key}: {size} bytes in one GET")
            self.assertTrue(all("range" in r.headers for r in gets), gets)
        covered = 0
        for first, last in sorted(spans):
            self.assertEqual(first, covered, f"{key}: ranges {sorted(spans)} leave a gap "
                             "or overlap")
            covered = min(last, size - 1) + 1
        self.assertEqual(covered, size, f"{key}: ranges {sorted(spans)} do not cover {size} bytes")
        return spans

    PART_SIZES = {"default (8MiB)": None, "1MiB": "1MiB", "5MiB": "5MiB"}

    def test_multipart_objects_byte_exact_with_ranged_gets(self):
        """Objects of 2-5 parts, downloaded with the default part size, 1 MiB
        and 5 MiB: byte-exact files; the relay in front of the server sees
        ranged GETs that cover each object exactly, pinned with If-Match."""
        bucket, objects, etags = self.fixture("parts")
        if self.server.multipart_etags:  # (else see test_multipart_etags_end_in_part_count)
            for key, (body, part_size) in objects.items():
                self.assertTrue(etags[key].strip('"').endswith(f"-{-(-len(body) // part_size)}"),
                                f"{key}: ETag {etags[key]}")
        expected = {k: body for k, (body, _) in objects.items()}
        with self.proxy() as proxy:
            for label, size_arg in self.PART_SIZES.items():
                with self.subTest(part_size=label):
                    dest = os.path.join(self.dest, label)
                    extra = ["--part-size", size_arg] if size_arg else []
                    run = self.cp(*extra, f"s3://{bucket}/", dest, endpoint=proxy.endpoint_url)
                    self.assertExit(run, 0)
                    assert_tree_equal(self, dest, expected, run.describe())
                    requests = proxy.take()
                    part = {"1MiB": MiB, "5MiB": 5 * MiB}.get(size_arg, 8 * MiB)
                    for key, body in expected.items():
                        self._check_ranged_gets(requests, bucket, key, len(body), etags[key],
                                                part, listed=True)
            # One key, size unknown until the first reply.
            key = "p5/21MiB"
            out = os.path.join(self.dest, "single")
            run = self.cp("--part-size", "5MiB", f"s3://{bucket}/{key}", out,
                          endpoint=proxy.endpoint_url)
            self.assertExit(run, 0)
            with open(out, "rb") as f:
                self.assertTrue(f.read() == expected[key], "single-key bytes differ")
            self._check_ranged_gets(proxy.take(), bucket, key, len(expected[key]), etags[key],
                                    5 * MiB, listed=False)

    def _upload_with_crc32_parts(self, bucket: str, key: str, body: bytes, part: int,
                                 full_object: bool) -> dict:
        """A multipart upload of `body` in parts of `part` bytes, each with
        its CRC32. The object's checksum is the CRC32 of the whole with
        `full_object` (ChecksumType FULL_OBJECT), else the composite of the
        parts'. Skips the test on a server that keeps no checksums of parts.
        Returns the object's HEAD (checksum mode enabled)."""
        kind = {"ChecksumType": "FULL_OBJECT"} if full_object else {}
        whole = {"ChecksumCRC32": crc32_base64(body), **kind} if full_object else {}
        try:
            upload = self.client.create_multipart_upload(
                Bucket=bucket, Key=key, ChecksumAlgorithm="CRC32", **kind)
            parts = []
            for number, first in enumerate(range(0, len(body), part), start=1):
                reply = self.client.upload_part(
                    Bucket=bucket, Key=key, UploadId=upload["UploadId"], PartNumber=number,
                    Body=body[first:first + part], ChecksumAlgorithm="CRC32")
                if "ChecksumCRC32" not in reply:
                    self.skipTest(f"{self.server_name} keeps no checksums of uploaded parts")
                parts.append({"PartNumber": number, "ETag": reply["ETag"],
                              "ChecksumCRC32": reply["ChecksumCRC32"]})
            self.client.complete_multipart_upload(
                Bucket=bucket, Key=key, UploadId=upload["UploadId"],
                MultipartUpload={"Parts": parts}, **whole)
            return self.client.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
        except botocore.exceptions.ClientError as error:
            self.skipTest(f"{self.server_name}: no checksums of multipart uploads ({error})")

    def _upload_full_object_crc32(self, bucket: str, key: str, body: bytes, part: int) -> str:
        """A multipart upload with a FULL_OBJECT CRC32; skips the test on a
        server that does not keep one. Returns the ETag."""
        full = crc32_base64(body)
        head = self._upload_with_crc32_parts(bucket, key, body, part, full_object=True)
        if head.get("ChecksumType") != "FULL_OBJECT" or head.get("ChecksumCRC32") != full:
            self.skipTest(f"{self.server_name} does not keep full-object checksums of multipart "
                          f"uploads (HEAD says {head.get('ChecksumType')}, "
                          f"{head.get('ChecksumCRC32')})")
        return head["ETag"]

    def test_multipart_full_object_checksum_is_verified(self):
        """A multipart object with a FULL_OBJECT CRC32: its ranged parts carry
        no checksum, so one HEAD (pinned with If-Match) asks for it, and even
        --checksum required downloads it; listed or named alike."""
        bucket = self.server.create_bucket("conf-fullcrc", self.client)
        body = random.Random(5).randbytes(12 * MiB)
        etag = self._upload_full_object_crc32(bucket, "fullcrc/obj", body, 5 * MiB)
        with self.proxy() as proxy:
            for source, dest in ((f"s3://{bucket}/fullcrc/", self.dest),
                                 (f"s3://{bucket}/fullcrc/obj", os.path.join(self.root, "named"))):
                with self.subTest(source=source):
                    run = self.cp("--checksum", "required", "--part-size", "5MiB", source, dest,
                                  endpoint=proxy.endpoint_url)
                    self.assertExit(run, 0)
                    path = dest if source.endswith("obj") else os.path.join(dest, "obj")
                    with open(path, "rb") as f:
                        self.assertTrue(f.read() == body, "bytes differ")
                    heads = [r for r in proxy.take() if r.method == "HEAD"]
                    self.assertEqual(len(heads), 1, heads)
                    self.assertEqual(heads[0].headers.get("if-match"), etag)
                    self.assertEqual(heads[0].headers.get("x-amz-checksum-mode"), "ENABLED")

    def test_multipart_composite_checksum(self):
        """A multipart upload with CRC32 part checksums (COMPOSITE): after the
        HEAD, GetObjectAttributes is asked for the parts. Where it lists them,
        even --checksum required downloads the object; where it does not,
        the object downloads unchecked, and --checksum required refuses it,
        saying why."""
        bucket = self.server.create_bucket("conf-composite", self.client)
        body = random.Random(6).randbytes(11 * MiB)
        head = self._upload_with_crc32_parts(bucket, "cc/obj", body, 5 * MiB, full_object=False)
        if "ChecksumCRC32" not in head:
            self.skipTest(f"{self.server_name} sends no checksum of a multipart upload")
        try:
            attributes = self.client.get_object_attributes(
                Bucket=bucket, Key="cc/obj", ObjectAttributes=["ObjectParts"])
            listed = bool(attributes.get("ObjectParts", {}).get("Parts"))
        except botocore.exceptions.ClientError:
            listed = False
        with self.proxy() as proxy:
            for mode in ("auto", "required"):
                with self.subTest(mode=mode, parts_listed=listed):
                    dest = os.path.join(self.root, mode)
                    run = self.cp("--checksum", mode, f"s3://{bucket}/cc/", dest,
                                  endpoint=proxy.endpoint_url)
                    calls = [("ATTRIBUTES" if "attributes" in r.target else r.method)
                             for r in proxy.take()
                             if r.target.partition("?")[0] == f"/{bucket}/cc/obj"]
                    self.assertEqual(calls[:2], ["HEAD", "ATTRIBUTES"], calls)
                    if mode == "required" and not listed:
                        self.assertExit(run, 1)
                        self.assertRegex(run.stderr, r"no checksum to verify: .*(composite|"
                                         r"GetObjectAttributes)")
                        self.assertFalse(os.path.exists(os.path.join(dest, "obj")))
                        continue
                    self.assertExit(run, 0)
                    with open(os.path.join(dest, "obj"), "rb") as f:
                        self.assertTrue(f.read() == body, "bytes differ")

    @staticmethod
    def _stored_part_sizes(size, parts):
        """The part sizes (whole MiB, at least S3's 5 MiB) that cut `size`
        bytes into exactly `parts` parts: all that a listing's size and -N
        ETag tell about how an object was uploaded."""
        return [p * MiB for p in range(5, size // MiB + 2) if -(-size // (p * MiB)) == parts]

    def test_multipart_ranges_align_with_stored_parts(self):
        """With a -N ETag, no ranged GET of a prefix download crosses a
        boundary between the parts the object was uploaded in, for every
        object whose size and part count determine its part size (13 MiB in
        3 parts could be 5 or 6 MiB parts: no client can tell from the
        listing, so that object is left out here)."""
        self.need("multipart_etags")
        bucket, objects, etags = self.fixture("parts")
        determined = {key for key, (body, stored) in objects.items()
                      if self._stored_part_sizes(len(body), -(-len(body) // stored)) == [stored]}
        self.assertIn("p5/12MiB", determined)
        self.assertNotIn("p6/13MiB", determined)
        problems = []
        with self.proxy() as proxy:
            for label, size_arg in self.PART_SIZES.items():
                dest = os.path.join(self.dest, label)
                extra = ["--part-size", size_arg] if size_arg else []
                run = self.cp(*extra, f"s3://{bucket}/", dest, endpoint=proxy.endpoint_url)
                self.assertExit(run, 0)
                requests = proxy.take()
                for key, (body, stored) in objects.items():
                    if key not in determined:
                        continue
                    gets = [r for r in requests if r.method == "GET" and urllib.parse.unquote(
                        r.target.partition("?")[0]) == f"/{bucket}/{key}"]
                    self.assertTrue(gets, f"no GET of {key} recorded")
                    spans = sorted(parse_range(r.headers["range"]) for r in gets
                                   if "range" in r.headers)
                    crossing = [s for s in spans if s[0] // stored != s[1] // stored]
                    if crossing:
                        problems.append(
                            f"--part-size {label}: {key} ({len(body)} bytes, uploaded in "
                            f"{stored // MiB} MiB parts, ETag {etags[key]}): ranges "
                            f"{[f'{a}-{b}' for a, b in crossing]} cross a part boundary")
        self.assertEqual(problems, [], "\n".join(problems))

    def test_multipart_object_within_part_size_is_one_get(self):
        """An object no larger than --part-size is fetched with one GET, even
        when its ETag says it was uploaded in parts."""
        bucket, objects, etags = self.fixture("parts")
        problems = []
        with self.proxy() as proxy:
            for size_arg, part in (("8MiB", 8 * MiB), ("16MiB", 16 * MiB)):
                run = self.cp("--part-size", size_arg, f"s3://{bucket}/",
                              os.path.join(self.dest, size_arg), endpoint=proxy.endpoint_url)
                self.assertExit(run, 0)
                requests = proxy.take()
                for key, (body, _) in objects.items():
                    if len(body) > part:
                        continue
                    gets = [r for r in requests if r.method == "GET" and urllib.parse.unquote(
                        r.target.partition("?")[0]) == f"/{bucket}/{key}"]
                    if len(gets) != 1:
                        problems.append(f"--part-size {size_arg}: {key} ({len(body)} bytes, ETag "
                                        f"{etags[key]}) took {len(gets)} GETs: "
                                        f"{[r.headers.get('range') for r in gets]}")
        self.assertEqual(problems, [], "\n".join(problems))

    # --- an object that changes --------------------------------------------------
    def test_object_changed_between_downloads(self):
        """Download, overwrite the object with other bytes of another size,
        download again into the same place: the new bytes exactly (a small
        object and a multipart one, as a prefix and as single keys)."""
        bucket = self.server.create_bucket("conf-change")
        rng = random.Random(31337)
        v1 = {"c/small.txt": rng.randbytes(1000), "c/big.bin": rng.randbytes(12 * MiB)}
        v2 = {"c/small.txt": rng.randbytes(1777), "c/big.bin": rng.randbytes(9 * MiB + 7)}
        for version in (v1, v2):
            upload_objects(self.client, bucket, version, multipart_threshold=5 * MiB,
                           part_size=5 * MiB)
            run = self.cp(f"s3://{bucket}/c/", self.dest)
            self.assertExit(run, 0)
            assert_tree_equal(self, self.dest, {k[2:]: v for k, v in version.items()},
                              run.describe())
            for key, body in version.items():
                out = os.path.join(self.root, "single-" + key[2:])
                run = self.cp(f"s3://{bucket}/{key}", out)
                self.assertExit(run, 0)
                with open(out, "rb") as f:
                    self.assertTrue(f.read() == body, f"{key}: bytes differ{run.describe()}")

    # --- authentication ----------------------------------------------------------
    def _refused(self, env, code, *secrets):
        """A prefix, a single key and ls with `env`: each fails with `code`,
        writes nothing and prints no secret."""
        bucket, _ = self.fixture("auth")
        runs = {
            "prefix": self.cp(f"s3://{bucket}/a/", self.dest, env=env),
            "single key": self.cp(f"s3://{bucket}/a/one.txt", os.path.join(self.dest, "one"),
                                  env=env),
        }
        for label, run in runs.items():
            with self.subTest(label):
                self.assertExit(run, 1)
                failed = failed_lines(run.stderr)
                self.assertEqual(len(failed), 1, run.describe())
                self.assertIn(code, failed[0]["error"], run.describe())
                self.assertNoSecret(run, *secrets)
        with self.subTest("ls"):
            run = self.ls(f"s3://{bucket}/a/", env=env)
            self.assertExit(run, 1)
            self.assertIn(code, run.stderr, run.describe())
            self.assertEqual(run.stdout, "", run.describe())
            self.assertNoSecret(run, *secrets)
        self.assertEqual(walk_tree(self.dest), ({}, set()), "nothing written")

    def test_wrong_secret_is_refused(self):
        self.need("verifies_signatures")
        wrong = "WrongSecret+/" + self.server.secret_key[::-1]
        self._refused(self.server.s3pull_env(AWS_SECRET_ACCESS_KEY=wrong),
                      "SignatureDoesNotMatch", wrong, self.server.secret_key)

    def test_unknown_access_key_is_refused(self):
        self.need("checks_access_key_id")
        secret = "Unknown/Key+Secret0123456789abcdefghijklm"
        self._refused(self.server.s3pull_env(AWS_ACCESS_KEY_ID="AKIAS3PULLNOSUCHKEY00",
                                             AWS_SECRET_ACCESS_KEY=secret),
                      "InvalidAccessKeyId", secret, self.server.secret_key)

    def test_anonymous_requests_are_refused(self):
        self.need("refuses_anonymous")
        bucket, _ = self.fixture("auth")
        env = clean_aws_env(AWS_REGION=self.server.region)
        for label, run in {
            "prefix": self.cp("--no-sign-request", f"s3://{bucket}/a/", self.dest, env=env),
            "single key": self.cp("--no-sign-request", f"s3://{bucket}/a/one.txt",
                                  os.path.join(self.dest, "one"), env=env),
        }.items():
            with self.subTest(label):
                self.assertExit(run, 1)
                failed = failed_lines(run.stderr)
                self.assertEqual(len(failed), 1, run.describe())
                self.assertIn("AccessDenied", failed[0]["error"], run.describe())
        with self.subTest("ls"):
            run = self.ls("--no-sign-request", f"s3://{bucket}/a/", env=env)
            self.assertExit(run, 1)
            self.assertIn("AccessDenied", run.stderr, run.describe())
        self.assertEqual(walk_tree(self.dest), ({}, set()), "nothing written")

    # --- addressing --------------------------------------------------------------
    def test_auto_addressing_is_path_style_on_a_custom_endpoint(self):
        bucket, objects = self.fixture("auth")
        with self.proxy() as proxy:
            run = self.cp(f"s3://{bucket}/a/", self.dest, endpoint=proxy.endpoint_url)
            self.assertExit(run, 0)
            requests = proxy.take()
        assert_tree_equal(self, self.dest, {k[2:]: v for k, v in objects.items()},
                          run.describe())
        for r in requests:
            self.assertEqual(r.headers.get("host"), f"127.0.0.1:{proxy.port}", r)
            self.assertTrue(r.target.startswith(f"/{bucket}/") or r.target.startswith(
                f"/{bucket}?"), r)

    def test_virtual_hosted_addressing(self):
        """--addressing-style virtual with a DNS-name endpoint: requests go to
        BUCKET.HOST (seen by the relay), a prefix of odd keys downloads byte
        for byte, and ls lists it."""
        self.need("virtual_hosted")
        bucket, safe, _ = self.fixture("keys")
        virtual = urllib.parse.urlsplit(self.server.virtual_endpoint_url)
        prefix = OK_PREFIX + "ascii/"
        expected = {k[len(prefix):]: v for k, v in safe.items() if k.startswith(prefix)}
        with self.proxy() as proxy:
            relayed = f"http://{virtual.hostname}:{proxy.port}"
            run = self.cp("--addressing-style", "virtual", f"s3://{bucket}/{prefix}", self.dest,
                          endpoint=relayed)
            self.assertExit(run, 0)
            assert_tree_equal(self, self.dest, expected, run.describe())
            requests = proxy.take()
        self.assertTrue(requests)
        for r in requests:
            self.assertEqual(r.headers.get("host"), f"{bucket}.{virtual.hostname}:{proxy.port}", r)
            self.assertFalse(r.target.startswith(f"/{bucket}/"), f"path-style request: {r}")
        # Straight to the server, and ls.
        direct = os.path.join(self.root, "direct")
        run = self.cp("--addressing-style", "virtual", f"s3://{bucket}/{prefix}", direct,
                      endpoint=self.server.virtual_endpoint_url)
        self.assertExit(run, 0)
        assert_tree_equal(self, direct, expected, run.describe())
        run = self.ls("--addressing-style", "virtual", f"s3://{bucket}/{prefix}",
                      endpoint=self.server.virtual_endpoint_url)
        self.assertLsLines(run, expected_ls({k: len(v) for k, v in safe.items()}, prefix,
                                            order=list_keys(self.client, bucket, prefix)))

    # --- ls ----------------------------------------------------------------------
    def test_ls_folders(self):
        """Without --recursive: one folder level, PRE lines first, names
        relative to the prefix's last '/', sizes in bytes."""
        bucket, _ = self.fixture("listing")
        s = LIST_SMALL
        cases = {
            f"s3://{bucket}/ls/": ["PRE b/", "PRE f/", "PRE g h/", "PRE logs/", "PRE ü/",
                                   f"{s['ls/a.txt']} a.txt", f"{s['ls/lo1']} lo1",
                                   f"{s['ls/z']} z"],
            f"s3://{bucket}/ls/lo": ["PRE logs/", f"{s['ls/lo1']} lo1"],
            f"s3://{bucket}/ls/b/": ["PRE d/", f"{s['ls/b/c.txt']} c.txt"],
            f"s3://{bucket}/ls/b/d/": [f"{s['ls/b/d/e.txt']} e.txt"],
            f"s3://{bucket}/ls/g h/": [f"{s['ls/g h/i']} i"],
            f"s3://{bucket}/ls": ["PRE ls/", f"{s['lsx']} lsx"],
            f"s3://{bucket}": ["PRE ls/", "PRE many/", f"{s['lone']} lone", f"{s['lsx']} lsx"],
            f"s3://{bucket}/": ["PRE ls/", "PRE many/", f"{s['lone']} lone", f"{s['lsx']} lsx"],
            f"s3://{bucket}/nothing/": [],
            f"s3://{bucket}/ls/q": [],
        }
        for source, expected in cases.items():
            with self.subTest(source=source):
                self.assertLsLines(self.ls(source), expected)

    def test_ls_recursive(self):
        bucket, _ = self.fixture("listing")
        under = lambda p: [f"{LIST_SMALL[k]} {k}" for k in sorted(LIST_SMALL, key=str.encode)
                           if k.startswith(p)]
        for source, prefix in {f"s3://{bucket}/ls/": "ls/", f"s3://{bucket}/ls/lo": "ls/lo",
                               f"s3://{bucket}/ls/b": "ls/b"}.items():
            for flag in ("--recursive", "-r"):
                with self.subTest(source=source, flag=flag):
                    self.assertLsLines(self.ls(flag, source), under(prefix))

    def test_ls_and_cp_over_several_listing_pages(self):
        """2,500 keys under one prefix (three pages of 1,000): ls --recursive
        and ls print exactly them, in order; cp downloads exactly them."""
        bucket, objects = self.fixture("listing")
        keys = sorted(MANY)
        self.assertGreater(len(keys), 2 * self.server.list_page_size)
        self.assertLsLines(self.ls("--recursive", f"s3://{bucket}/many/"),
                           [f"{MANY[k]} {k}" for k in keys])
        self.assertLsLines(self.ls(f"s3://{bucket}/many/"),
                           [f"{MANY[k]} {k[len('many/'):]}" for k in keys])
        run = self.cp("--quiet", f"s3://{bucket}/many/", self.dest)
        self.assertExit(run, 0)
        assert_tree_equal(self, self.dest, {k[len("many/"):]: objects[k] for k in keys},
                          run.describe())

    def test_ls_missing_bucket(self):
        missing = self.server.bucket_name("conf-no-such-bucket")
        for args in ([f"s3://{missing}"], ["--recursive", f"s3://{missing}/x/"]):
            with self.subTest(args=args):
                run = self.ls(*args)
                self.assertExit(run, 1)
                self.assertIn("NoSuchBucket", run.stderr, run.describe())
                self.assertEqual(run.stdout, "", run.describe())


SUITES = {}
for _name in SERVER_NAMES:
    _cls = type(f"ConformanceOn{_name.capitalize()}", (ConformanceSuite, unittest.TestCase),
                {"server_name": _name, "__doc__": f"S3 conformance of s3pull against {_name}."})
    globals()[_cls.__name__] = SUITES[_name] = _cls
del _name, _cls


class LsAndAddressingUsage(unittest.TestCase):
    """Command lines refused before any request: exit status 2 and a message
    (no server needed; the endpoint is a closed port)."""

    CASES = {
        "ls without SOURCE": ["ls"],
        "ls with a local path": ["ls", "bucket/key"],
        "ls with two sources": ["ls", "s3://bucket/a", "s3://bucket/b"],
        "ls unknown flag": ["ls", "--no-such-flag", "s3://bucket/"],
        "unknown addressing style": ["cp", "--addressing-style", "sideways", "s3://bucket/", "out"],
        "virtual on an IP endpoint (cp)": ["cp", "--addressing-style", "virtual",
                                           "--endpoint-url", "http://127.0.0.1:9",
                                           "s3://bucket/", "out"],
        "virtual on an IP endpoint (ls)": ["ls", "--addressing-style", "virtual",
                                           "--endpoint-url", "http://127.0.0.1:9", "s3://bucket/"],
    }

    def test_usage_errors_exit_2(self):
        scratch = make_scratch_dir("s3pull-usage-")
        self.addCleanup(shutil.rmtree, scratch, True)
        env = clean_aws_env(AWS_ACCESS_KEY_ID="k", AWS_SECRET_ACCESS_KEY="s",
                            AWS_ENDPOINT_URL="http://127.0.0.1:9")
        for label, args in self.CASES.items():
            with self.subTest(label):
                run = run_s3pull(args, env=env, timeout=30, cwd=scratch)
                self.assertEqual(run.code, 2, f"{label}{run.describe()}")
                self.assertNotEqual(run.stderr.strip(), "", label)
                self.assertEqual(run.stdout, "", label)
        self.assertEqual(os.listdir(scratch), [])

    def test_ls_help(self):
        run = run_s3pull(["ls", "--help"], env=clean_aws_env())
        self.assertEqual(run.code, 0, run.describe())
        for word in ("--recursive", "--endpoint-url", "--addressing-style", "--no-sign-request"):
            self.assertIn(word, run.stdout)


if __name__ == "__main__":
    unittest.main()
