"""Integration tests of `s3pull cp` against real S3-compatible servers.

Python: the `python3` on PATH (3.11 with boto3 and moto), standard unittest:
    cd tests/integration && S3PULL_BIN=../../build/s3pull python3 -m unittest -v test_cp

One suite, run once per server: CpOnS3rver, CpOnMoto, CpOnRadosgw
(S3PULL_TEST_SERVERS picks them; default "s3rver,moto,radosgw"; "external"
runs it against an endpoint of yours, see s3servers.ExternalServer). Each
server is started once for the module; a server that cannot start skips its
class with the reason (or fails it, when S3PULL_REQUIRE_SERVERS names it, as
scripts/test does). Data is generated from fixed seeds (about 70 MiB) and
uploaded in parallel; downloads go to tmpfs.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
import unittest

from s3servers import (MiB, PerTestFolder, ServerPool, assert_tree_equal, clean_aws_env,
                       failed_lines, make_scratch_dir, ok_lines, relative_to_prefix,
                       run_s3pull, server_names, summary, unchanged_lines, upload_objects,
                       walk_tree)

BUCKET = "data"


def build_dataset() -> dict[str, bytes]:
    """Every object of bucket BUCKET, by key (deterministic)."""
    rng = random.Random(20260126)
    objects: dict[str, bytes] = {}

    # tree/: a few hundred objects in nested folders, assorted sizes.
    folders = ["", "alpha/", "alpha/beta/", "alpha/beta/gamma/", "delta/",
               "delta/epsilon/", "zeta/eta/theta/iota/", "k=v/", "2026-01-01/"]
    sizes = [0, 1, 7, 100, 511, 4096, 4097, 65536, 100_000, 262_147]
    for i in range(320):
        size = rng.choice(sizes) if i % 40 else rng.choice([1 * MiB + 1, 3 * MiB + 5])
        name = f"{rng.choice(folders)}file-{i:03d}{rng.choice(['.txt', '.bin', '.json', ''])}"
        objects[f"tree/{name}"] = rng.randbytes(size)
    special = ["with space.txt", "plus+sign.bin", "percent%.txt", "pct%20literal.txt",
               "tilde~home", "a=b&c=d", "(paren) name", "ünïcødé/日本語.txt",
               "emoji 😀.dat", "semi;colon,comma", "quote'single", "at@sign", "dollar$x",
               "hash#frag", "q?mark", "trailing space ", " leading space", "star*name",
               "brackets[1]", "caret^back`tick", "excl!amation"]
    for name in special:
        objects[f"tree/special/{name}"] = rng.randbytes(rng.randrange(1, 3000))
    objects["tree/empty.bin"] = b""
    objects["tree/empty-dir/zero"] = b""
    objects["tree/marker/"] = b""  # folder marker: skipped, makes the folder
    objects["tree/big/fifty.bin"] = rng.randbytes(50 * MiB)  # multipart upload, 7 parts

    # many/: more than one listing page (servers page at 1000 keys).
    for i in range(1234):
        objects[f"many/{i // 100:02d}/obj-{i:05d}"] = rng.randbytes(rng.randrange(0, 64))

    # logs/: for globs.
    for key in ["logs/2026-01-01/a.gz", "logs/2026-01-01/b.txt", "logs/2026-02-15/c.gz",
                "logs/2025-12-31/d.gz", "logs/2026-03-01/sub/e.gz", "logs/2026-x/f.gz",
                "logs/readme.gz", "logs/a1.gz", "logs/ab.gz", "logs/abc.gz", "logs/a/.gz",
                "logs/star*name.gz", "logs/starXname.gz", "logs/2026-01-01.gz",
                "other/2026-01-01/a.gz"]:
        objects[key] = rng.randbytes(rng.randrange(10, 5000))
    objects["root1.top"] = b"root one"
    objects["root2.top"] = b"root two"

    # list/: for --from-file.
    for key in ["list/with space.txt", "list/plus+plus.txt", "list/100%.txt", "list/100%25.txt",
                "list/ünï/çødé.txt", "list/nested/deep/x.bin", "list/ leading.txt",
                "list/decoy-not-listed.txt", "list/#not-a-comment.txt"]:
        objects[key] = rng.randbytes(rng.randrange(1, 20000))

    objects["single/report.csv"] = rng.randbytes(3 * MiB + 123)
    objects["single/empty"] = b""
    return objects


DATA = build_dataset()
SMALL_BUCKET = "small"
SMALL = {"one.txt": b"1", "dir/two.txt": b"22", "dir/sub/three.txt": b"333"}

SERVERS = ServerPool()
SERVER_NAMES = server_names()


def setUpModule():
    for name in SERVER_NAMES:
        SERVERS.start(name)


def tearDownModule():
    SERVERS.stop_all()


class CpSuite(PerTestFolder):
    """The tests; mixed into one unittest.TestCase per server below."""

    server_name = ""

    @classmethod
    def setUpClass(cls):
        cls.server = SERVERS.get(cls.server_name)  # SkipTest with the reason
        cls.client = cls.server.client()
        # Real bucket names: the same, except on an external endpoint (a prefix).
        cls.bucket = cls.server.create_bucket(BUCKET, cls.client)
        upload_objects(cls.client, cls.bucket, DATA)
        cls.small_bucket = cls.server.create_bucket(SMALL_BUCKET, cls.client)
        upload_objects(cls.client, cls.small_bucket, SMALL)
        cls.env = cls.server.s3pull_env()
        cls.scratch = make_scratch_dir(f"s3pull-cp-{cls.server_name}-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.scratch, ignore_errors=True)

    # --- helpers ---------------------------------------------------------------
    def cp(self, *args, env=None, **kwargs):
        return run_s3pull(["cp", "--endpoint-url", self.server.endpoint_url, *args],
                          env=self.env if env is None else env, **kwargs)

    def assertExit(self, run, code):
        self.assertEqual(run.code, code, f"unexpected exit status{run.describe()}")

    def assertOkLines(self, run, bucket, expected_keys_to_paths, stream="stdout"):
        """One ok line per object: the key, the path it was written at, its size."""
        text = run.stdout if stream == "stdout" else run.stderr
        seen = {}
        for m in ok_lines(text):
            self.assertEqual(m["bucket"], bucket)
            self.assertNotIn(m["key"], seen, f"two ok lines for {m['key']!r}{run.describe()}")
            seen[m["key"]] = m
        self.assertEqual(sorted(seen), sorted(expected_keys_to_paths),
                         f"keys of the ok lines{run.describe()}")
        for key, path in expected_keys_to_paths.items():
            m = seen[key]
            self.assertEqual(os.path.realpath(m["path"]), os.path.realpath(path), key)
            self.assertEqual(int(m["size"]), len(DATA.get(key, b"")) if bucket == self.bucket
                             else len(SMALL[key]), key)

    def assertSummary(self, run, downloaded, failed, nbytes):
        s = summary(run.stderr)
        self.assertIsNotNone(s, f"no summary line on stderr{run.describe()}")
        self.assertEqual(int(s["downloaded"]), downloaded, run.describe())
        self.assertEqual(int(s["failed"]), failed, run.describe())
        self.assertEqual(int(s["bytes"]), nbytes, run.describe())
        self.assertGreaterEqual(int(s["total"]), downloaded + failed, run.describe())

    def assertNothingOutside(self, allowed_top=("dest",)):
        """Nothing was written in this test's folder except under dest/."""
        entries, dirs = walk_tree(self.root)
        stray = [p for p in list(entries) + list(dirs) if p.split("/")[0] not in allowed_top]
        self.assertEqual(stray, [], f"written outside the destination: {stray}")

    # --- a prefix --------------------------------------------------------------
    def test_prefix_nested_special_big_byte_exact(self):
        """A few hundred nested objects, special-character keys, a 0-byte and
        a 50 MiB object: exactly these files, byte for byte, nothing else."""
        run = self.cp(f"s3://{self.bucket}/tree/", self.dest)
        self.assertExit(run, 0)
        expected = relative_to_prefix(DATA, "tree/")
        assert_tree_equal(self, self.dest, expected, run.describe())
        self.assertTrue(os.path.isdir(os.path.join(self.dest, "marker")),
                        "a folder marker key makes its folder")
        self.assertOkLines(run, self.bucket, {f"tree/{rel}": os.path.join(self.dest, rel)
                                         for rel in expected})
        self.assertEqual(failed_lines(run.stderr), [], run.describe())
        self.assertSummary(run, len(expected), 0, sum(map(len, expected.values())))
        self.assertNothingOutside()

    def test_prefix_more_than_one_listing_page(self):
        run = self.cp("--concurrency", "16", f"s3://{self.bucket}/many/", self.dest)
        self.assertExit(run, 0)
        expected = relative_to_prefix(DATA, "many/")
        self.assertGreater(len(expected), self.server.list_page_size)
        assert_tree_equal(self, self.dest, expected, run.describe())
        self.assertEqual(len(ok_lines(run.stdout)), len(expected))
        self.assertSummary(run, len(expected), 0, sum(map(len, expected.values())))

    def test_several_event_loops(self):
        """Objects spread over more event loops, each with its own connections
        (a fixed concurrency shared among them): the same exact files, one ok
        line each."""
        for prefix, args in (("tree/", ("--event-loops", "3")),
                             ("many/", ("--event-loops", "2", "--concurrency", "3"))):
            with self.subTest(prefix=prefix, args=args):
                dest = tempfile.mkdtemp(dir=self.dest)
                run = self.cp(*args, f"s3://{self.bucket}/{prefix}", dest)
                self.assertExit(run, 0)
                expected = relative_to_prefix(DATA, prefix)
                assert_tree_equal(self, dest, expected, run.describe())
                self.assertOkLines(run, self.bucket, {f"{prefix}{rel}": os.path.join(dest, rel)
                                                 for rel in expected})
                self.assertSummary(run, len(expected), 0, sum(map(len, expected.values())))

    def test_prefix_into_missing_destination_folder(self):
        dest = os.path.join(self.dest, "new", "sub")
        run = self.cp(f"s3://{self.bucket}/logs/2026-01-01/", dest)
        self.assertExit(run, 0)
        assert_tree_equal(self, dest, relative_to_prefix(DATA, "logs/2026-01-01/"), run.describe())

    def test_whole_bucket_with_and_without_slash(self):
        for source in (f"s3://{self.small_bucket}", f"s3://{self.small_bucket}/"):
            with self.subTest(source=source):
                dest = tempfile.mkdtemp(dir=self.dest)
                run = self.cp(source, dest)
                self.assertExit(run, 0)
                assert_tree_equal(self, dest, SMALL, run.describe())
                self.assertOkLines(run, self.small_bucket,
                                   {k: os.path.join(dest, k) for k in SMALL})

    def test_fsync_and_checksum_options(self):
        """--fsync and every --checksum mode still give the exact files (what
        the server offers to verify differs: an MD5 ETag, a CRC checksum)."""
        for extra in (["--fsync"], ["--checksum", "off"], ["--checksum", "auto"]):
            with self.subTest(options=extra):
                dest = tempfile.mkdtemp(dir=self.dest)
                run = self.cp(*extra, f"s3://{self.small_bucket}/", dest)
                self.assertExit(run, 0)
                assert_tree_equal(self, dest, SMALL, run.describe())

    def test_rerun_keeps_finished_files_and_fetches_what_changed(self):
        """The same command again reports finished files as unchanged; an
        edited file, or an object changed in the bucket, is downloaded."""
        prefix = "rerun/"
        objects = {f"{prefix}k{i}": f"object {i}".encode() * (i + 1) for i in range(5)}
        upload_objects(self.client, self.bucket, objects)
        source = f"s3://{self.bucket}/{prefix}"
        keys = sorted(objects)
        self.assertExit(self.cp(source, self.dest), 0)

        again = self.cp(source, self.dest)
        self.assertExit(again, 0)
        self.assertEqual(ok_lines(again.stdout), [], again.describe())
        self.assertEqual(sorted(m["key"] for m in unchanged_lines(again.stdout)), keys)
        self.assertEqual((summary(again.stderr)["downloaded"], summary(again.stderr)["unchanged"]),
                         ("0", "5"), again.describe())

        with open(os.path.join(self.dest, "k0"), "ab") as f:
            f.write(b" edited")
        upload_objects(self.client, self.bucket, {f"{prefix}k1": b"a new version"})
        objects[f"{prefix}k1"] = b"a new version"
        changed = self.cp(source, self.dest)
        self.assertExit(changed, 0)
        self.assertEqual(sorted(m["key"] for m in ok_lines(changed.stdout)), keys[:2],
                         changed.describe())
        assert_tree_equal(self, self.dest, relative_to_prefix(objects, prefix), changed.describe())

        # Named keys (no listing) ask with If-None-Match.
        named = self.cp("--from-file", "-", source, self.dest, input="\n".join(
            key.removeprefix(prefix) for key in keys).encode())
        self.assertExit(named, 0)
        self.assertEqual(len(unchanged_lines(named.stdout)), 5, named.describe())

        refetch = self.cp("--refetch", source, self.dest)
        self.assertExit(refetch, 0)
        self.assertEqual(len(ok_lines(refetch.stdout)), 5, refetch.describe())

    def test_quiet_prints_no_ok_lines_and_no_summary(self):
        run = self.cp("--quiet", f"s3://{self.bucket}/logs/", self.dest)
        self.assertExit(run, 0)
        self.assertEqual(run.stdout, "")
        self.assertEqual(run.stderr, "")
        assert_tree_equal(self, self.dest, relative_to_prefix(DATA, "logs/"), run.describe())

    def test_quiet_still_prints_failures(self):
        keys = b"a1.gz\nno-such-key.gz\n"
        run = self.cp("-q", "--from-file", "-", f"s3://{self.bucket}/logs/", self.dest, input=keys)
        self.assertExit(run, 1)
        self.assertEqual(run.stdout, "")
        failed = failed_lines(run.stderr)
        self.assertEqual([m["key"] for m in failed], ["logs/no-such-key.gz"], run.describe())
        self.assertIsNone(summary(run.stderr))
        assert_tree_equal(self, self.dest, {"a1.gz": DATA["logs/a1.gz"]}, run.describe())

    # --- one key ---------------------------------------------------------------
    def test_single_key_to_file_path(self):
        path = os.path.join(self.dest, "out.csv")
        run = self.cp(f"s3://{self.bucket}/single/report.csv", path)
        self.assertExit(run, 0)
        assert_tree_equal(self, self.dest, {"out.csv": DATA["single/report.csv"]}, run.describe())
        self.assertOkLines(run, self.bucket, {"single/report.csv": path})
        self.assertSummary(run, 1, 0, len(DATA["single/report.csv"]))

    def test_single_big_multipart_key_to_file_path(self):
        path = os.path.join(self.dest, "fifty")
        run = self.cp(f"s3://{self.bucket}/tree/big/fifty.bin", path)
        self.assertExit(run, 0)
        assert_tree_equal(self, self.dest, {"fifty": DATA["tree/big/fifty.bin"]}, run.describe())

    def test_single_key_into_existing_directory(self):
        run = self.cp(f"s3://{self.bucket}/single/report.csv", self.dest)
        self.assertExit(run, 0)
        assert_tree_equal(self, self.dest, {"report.csv": DATA["single/report.csv"]},
                          run.describe())
        self.assertOkLines(run, self.bucket,
                           {"single/report.csv": os.path.join(self.dest, "report.csv")})

    def test_single_key_to_path_ending_in_slash(self):
        run = self.cp(f"s3://{self.bucket}/tree/special/with space.txt",
                      os.path.join(self.dest, "newdir") + "/")
        self.assertExit(run, 0)
        assert_tree_equal(self, self.dest,
                          {"newdir/with space.txt": DATA["tree/special/with space.txt"]},
                          run.describe())

    def test_single_special_keys_to_files(self):
        # Keys with '*', '?' or '[' are written with those escaped ("\\*"),
        # else they would be globs.
        escaped = {"star*name": "star\\*name", "q?mark": "q\\?mark",
                   "brackets[1]": "brackets\\[1\\]"}
        for name in ["plus+sign.bin", "pct%20literal.txt", "ünïcødé/日本語.txt", "a=b&c=d",
                     "(paren) name", "hash#frag", "tilde~home", "emoji 😀.dat",
                     "trailing space ", " leading space", *escaped]:
            with self.subTest(key=name):
                key = f"tree/special/{name}"
                path = os.path.join(self.dest, "single.out")
                run = self.cp(f"s3://{self.bucket}/tree/special/{escaped.get(name, name)}", path)
                self.assertExit(run, 0)
                with open(path, "rb") as f:
                    self.assertEqual(f.read(), DATA[key])
                os.remove(path)

    def test_single_key_to_stdout(self):
        for key in ("single/report.csv", "single/empty", "tree/big/fifty.bin"):
            with self.subTest(key=key):
                run = self.cp(f"s3://{self.bucket}/{key}", "-", binary=True)
                self.assertExit(run, 0)
                self.assertEqual(len(run.stdout), len(DATA[key]))
                self.assertTrue(run.stdout == DATA[key], "stdout bytes differ from the object")
                # The ok line goes to stderr, so stdout holds the object alone.
                ok = ok_lines(run.stderr)
                self.assertEqual([m["key"] for m in ok], [key], run.describe())
                self.assertEqual(int(ok[0]["size"]), len(DATA[key]))
        self.assertEqual(walk_tree(self.dest), ({}, set()))

    def test_single_missing_key_leaves_no_file(self):
        path = os.path.join(self.dest, "nothing.bin")
        run = self.cp(f"s3://{self.bucket}/single/no-such-key", path)
        self.assertExit(run, 1)
        failed = failed_lines(run.stderr)
        self.assertEqual([m["key"] for m in failed], ["single/no-such-key"], run.describe())
        self.assertIn("NoSuchKey", failed[0]["error"])
        self.assertIn("404", failed[0]["error"])
        self.assertEqual(walk_tree(self.dest), ({}, set()), "no file, no temp file")

    # --- globs -----------------------------------------------------------------
    GLOBS = {
        # pattern: (keys it matches, the base dir cut from them)
        "logs/2026-*/*.gz": (["logs/2026-01-01/a.gz", "logs/2026-02-15/c.gz",
                              "logs/2026-x/f.gz"], "logs/"),
        "logs/**.gz": (["logs/2026-01-01/a.gz", "logs/2026-02-15/c.gz", "logs/2025-12-31/d.gz",
                        "logs/2026-03-01/sub/e.gz", "logs/2026-x/f.gz", "logs/readme.gz",
                        "logs/a1.gz", "logs/ab.gz", "logs/abc.gz", "logs/a/.gz",
                        "logs/star*name.gz", "logs/starXname.gz", "logs/2026-01-01.gz"], "logs/"),
        # A whole-segment "**/" may also match no folder at all.
        "logs/**/*.gz": (["logs/2026-01-01/a.gz", "logs/2026-02-15/c.gz", "logs/2025-12-31/d.gz",
                          "logs/2026-03-01/sub/e.gz", "logs/2026-x/f.gz", "logs/readme.gz",
                          "logs/a1.gz", "logs/ab.gz", "logs/abc.gz", "logs/a/.gz",
                          "logs/star*name.gz", "logs/starXname.gz", "logs/2026-01-01.gz"], "logs/"),
        "logs/**/sub/*.gz": (["logs/2026-03-01/sub/e.gz"], "logs/"),
        "**/a.gz": (["logs/2026-01-01/a.gz", "other/2026-01-01/a.gz"], ""),
        "logs/2026**.gz": (["logs/2026-01-01/a.gz", "logs/2026-02-15/c.gz",
                            "logs/2026-03-01/sub/e.gz", "logs/2026-x/f.gz",
                            "logs/2026-01-01.gz"], "logs/"),
        "logs/a?.gz": (["logs/a1.gz", "logs/ab.gz"], "logs/"),
        "logs/a[0-9].gz": (["logs/a1.gz"], "logs/"),
        "logs/a[!0-9].gz": (["logs/ab.gz"], "logs/"),
        "logs/a[^b].gz": (["logs/a1.gz"], "logs/"),
        "logs/a[bx]*.gz": (["logs/ab.gz", "logs/abc.gz"], "logs/"),
        "logs/2026-0[12]-*/*": (["logs/2026-01-01/a.gz", "logs/2026-01-01/b.txt",
                                 "logs/2026-02-15/c.gz"], "logs/"),
        "logs/st?r\\*name.gz": (["logs/star*name.gz"], "logs/"),
        "logs/2026-01-0*": (["logs/2026-01-01.gz"], "logs/"),
        "*/2026-01-01/a.gz": (["logs/2026-01-01/a.gz", "other/2026-01-01/a.gz"], ""),
        "*.top": (["root1.top", "root2.top"], ""),
        "lo?s/2026-01-01/*.gz": (["logs/2026-01-01/a.gz"], ""),
    }

    def test_glob_patterns(self):
        for pattern, (keys, base) in self.GLOBS.items():
            with self.subTest(pattern=pattern):
                dest = tempfile.mkdtemp(dir=self.dest)
                run = self.cp(f"s3://{self.bucket}/{pattern}", dest)
                self.assertExit(run, 0)
                expected = {k[len(base):]: DATA[k] for k in keys}
                assert_tree_equal(self, dest, expected, run.describe())
                self.assertOkLines(run, self.bucket, {k: os.path.join(dest, k[len(base):])
                                                 for k in keys})

    def test_glob_never_crosses_folder_with_single_star(self):
        run = self.cp(f"s3://{self.bucket}/tree/*", self.dest)
        self.assertExit(run, 0)
        top = {k: v for k, v in relative_to_prefix(DATA, "tree/").items() if "/" not in k}
        self.assertGreater(len(top), 10)
        assert_tree_equal(self, self.dest, top, run.describe())

    # --- key lists -------------------------------------------------------------
    FROM_FILE_LINES = (
        "# comment line\n"
        "\n"
        "with space.txt\n"
        "plus+plus.txt\r\n"          # CR before LF is dropped
        "100%.txt\n"
        "100%25.txt\n"
        "ünï/çødé.txt\n"
        "\n"
        "nested/deep/x.bin\n"
        " leading.txt\n"
        "s3://data/tree/special/a=b&c=d\n"
        "s3://data/single/report.csv")   # no final newline
    FROM_FILE_EXPECTED = {
        "with space.txt": "list/with space.txt", "plus+plus.txt": "list/plus+plus.txt",
        "100%.txt": "list/100%.txt", "100%25.txt": "list/100%25.txt",
        "ünï/çødé.txt": "list/ünï/çødé.txt", "nested/deep/x.bin": "list/nested/deep/x.bin",
        " leading.txt": "list/ leading.txt",
        "tree/special/a=b&c=d": "tree/special/a=b&c=d",
        "single/report.csv": "single/report.csv",
    }

    def _from_file_lines(self) -> bytes:
        return self.FROM_FILE_LINES.replace("s3://data/", f"s3://{self.bucket}/").encode()

    def _check_from_file(self, run):
        self.assertExit(run, 0)
        expected = {rel: DATA[key] for rel, key in self.FROM_FILE_EXPECTED.items()}
        assert_tree_equal(self, self.dest, expected, run.describe())
        self.assertOkLines(run, self.bucket, {key: os.path.join(self.dest, rel)
                                         for rel, key in self.FROM_FILE_EXPECTED.items()})
        self.assertSummary(run, len(expected), 0, sum(map(len, expected.values())))

    def test_from_file(self):
        list_path = os.path.join(self.root, "keys.txt")
        with open(list_path, "wb") as f:
            f.write(self._from_file_lines())
        self._check_from_file(self.cp("--from-file", list_path, f"s3://{self.bucket}/list/", self.dest))

    def test_from_stdin(self):
        self._check_from_file(self.cp("--from-file", "-", f"s3://{self.bucket}/list/", self.dest,
                                      input=self._from_file_lines()))

    def test_from_file_bucket_root_source(self):
        lines = b"list/with space.txt\nlist/#not-a-comment.txt\n#list/decoy-not-listed.txt\n"
        run = self.cp("--from-file", "-", f"s3://{self.bucket}/", self.dest, input=lines)
        self.assertExit(run, 0)
        assert_tree_equal(self, self.dest, {
            "list/with space.txt": DATA["list/with space.txt"],
            "list/#not-a-comment.txt": DATA["list/#not-a-comment.txt"]}, run.describe())

    def test_from_file_with_concurrency_one(self):
        lines = "".join(f"{k[len('many/'):]}\n" for k in sorted(DATA) if k.startswith("many/00/"))
        run = self.cp("--concurrency", "1", "--from-file", "-", f"s3://{self.bucket}/many/",
                      self.dest, input=lines.encode())
        self.assertExit(run, 0)
        assert_tree_equal(self, self.dest, {k[len("many/"):]: v for k, v in DATA.items()
                                            if k.startswith("many/00/")}, run.describe())

    def test_missing_key_among_good_ones(self):
        good = ["with space.txt", "plus+plus.txt", "nested/deep/x.bin"]
        lines = "\n".join(good[:2] + ["missing one.txt"] + good[2:]) + "\n"
        run = self.cp("--from-file", "-", f"s3://{self.bucket}/list/", self.dest, input=lines.encode())
        self.assertExit(run, 1)
        failed = failed_lines(run.stderr)
        self.assertEqual([m["key"] for m in failed], ["list/missing one.txt"], run.describe())
        self.assertRegex(failed[0]["error"], r"^NoSuchKey \(HTTP 404\)")
        assert_tree_equal(self, self.dest, {k: DATA[f"list/{k}"] for k in good}, run.describe())
        self.assertSummary(run, len(good), 1, sum(len(DATA[f"list/{k}"]) for k in good))

    # --- safety ----------------------------------------------------------------
    UNSAFE_KEYS = ["../evil", "a/../../x", "./dot", "x/./y", "x/..", "a//b", "/leading-slash",
                   "ctl\x01char", "tab\tkey", "del\x7fkey", "s" * 256, "d/" + "s" * 256 + "/f"]
    SAFE_KEYS = {"ok.txt": b"ok", "ok/nested.txt": b"nested", "s" * 255: b"longest name",
                 "dots..in..name": b"dots", "...": b"three dots", ".hidden": b"hidden"}

    def test_unsafe_keys_are_refused(self):
        if self.server.gap("keeps_unsafe_keys"):
            self.skipTest(self.server.gap("keeps_unsafe_keys"))
        bucket = self.server.create_bucket("unsafe-keys", self.client)
        upload_objects(self.client, bucket,
                       {**{k: b"EVIL " + k.encode() for k in self.UNSAFE_KEYS}, **self.SAFE_KEYS})
        inner = os.path.join(self.dest, "inner")
        os.mkdir(inner)
        run = self.cp(f"s3://{bucket}/", inner)
        self.assertExit(run, 1)
        failed = failed_lines(run.stderr)
        self.assertEqual(len(failed), len(self.UNSAFE_KEYS), run.describe())
        for m in failed:
            self.assertIn("unsafe path", m["error"], run.describe())
        # Keys without control characters are printed as they are.
        printable = {k for k in self.UNSAFE_KEYS if k.isprintable()}
        self.assertEqual(printable & {m["key"] for m in failed}, printable, run.describe())
        assert_tree_equal(self, inner, self.SAFE_KEYS, run.describe())
        self.assertNothingOutside()
        self.assertSummary(run, len(self.SAFE_KEYS), len(self.UNSAFE_KEYS),
                           sum(map(len, self.SAFE_KEYS.values())))

    def test_unsafe_relative_key_under_prefix(self):
        if self.server.gap("keeps_unsafe_keys"):
            self.skipTest(self.server.gap("keeps_unsafe_keys"))
        bucket = self.server.create_bucket("unsafe-prefix", self.client)
        upload_objects(self.client, bucket, {"p/../escape": b"x", "p/fine": b"fine"})
        inner = os.path.join(self.dest, "inner")
        run = self.cp(f"s3://{bucket}/p/", inner)
        self.assertExit(run, 1)
        self.assertEqual([m["key"] for m in failed_lines(run.stderr)], ["p/../escape"],
                         run.describe())
        assert_tree_equal(self, inner, {"fine": b"fine"}, run.describe())
        self.assertNothingOutside()

    def test_unsafe_line_in_key_list(self):
        lines = b"../../outside.txt\nwith space.txt\n"
        inner = os.path.join(self.dest, "inner")
        run = self.cp("--from-file", "-", f"s3://{self.bucket}/list/", inner, input=lines)
        self.assertExit(run, 1)
        failed = failed_lines(run.stderr)
        self.assertEqual(len(failed), 1, run.describe())
        self.assertIn("unsafe path", failed[0]["error"])
        assert_tree_equal(self, inner, {"with space.txt": DATA["list/with space.txt"]},
                          run.describe())
        self.assertNothingOutside()

    def test_symlink_in_destination_is_not_followed_outside(self):
        outside = os.path.join(self.root, "outside")
        os.mkdir(outside)
        os.symlink(outside, os.path.join(self.dest, "nested"))
        run = self.cp("--from-file", "-", f"s3://{self.bucket}/list/", self.dest,
                      input=b"nested/deep/x.bin\n")
        self.assertIn(run.code, (0, 1), run.describe())
        self.assertEqual(walk_tree(outside), ({}, set()),
                         f"a key was written through a symlink, outside the destination"
                         f"{run.describe()}")

    # --- errors ----------------------------------------------------------------
    def test_missing_bucket(self):
        missing = self.server.bucket_name("no-such-bucket-s3pull")
        for source in (f"s3://{missing}/", f"s3://{missing}/pre/fix/",
                       f"s3://{missing}/logs/*.gz"):
            with self.subTest(source=source):
                run = self.cp(source, self.dest)
                self.assertExit(run, 1)
                failed = failed_lines(run.stderr)
                self.assertEqual(len(failed), 1, run.describe())
                self.assertEqual(failed[0]["bucket"], missing)
                self.assertIn("NoSuchBucket", failed[0]["error"])
                self.assertEqual(walk_tree(self.dest), ({}, set()))

    def test_missing_bucket_single_key(self):
        missing = self.server.bucket_name("no-such-bucket-s3pull")
        run = self.cp(f"s3://{missing}/key.txt", os.path.join(self.dest, "k"))
        self.assertExit(run, 1)
        failed = failed_lines(run.stderr)
        self.assertEqual([m["key"] for m in failed], ["key.txt"], run.describe())
        self.assertIn("NoSuchBucket", failed[0]["error"])
        self.assertEqual(walk_tree(self.dest), ({}, set()))

    def test_unknown_access_key(self):
        if self.server.gap("checks_access_key_id"):
            self.skipTest(self.server.gap("checks_access_key_id"))
        env = dict(self.env, AWS_ACCESS_KEY_ID="NOSUCHKEYID", AWS_SECRET_ACCESS_KEY="whatever")
        run = self.cp(f"s3://{self.bucket}/logs/", self.dest, env=env)
        self.assertExit(run, 1)
        failed = failed_lines(run.stderr)
        self.assertEqual(len(failed), 1, run.describe())
        self.assertIn("InvalidAccessKeyId", failed[0]["error"])
        self.assertNotIn("whatever", run.stdout + run.stderr)
        self.assertEqual(walk_tree(self.dest), ({}, set()))

    # --- endpoint resolution ------------------------------------------------------
    def test_endpoint_from_environment(self):
        dead = "http://127.0.0.1:9"  # discard port: nothing listens there
        cases = {
            "AWS_ENDPOINT_URL_S3": {"AWS_ENDPOINT_URL_S3": self.server.endpoint_url},
            "AWS_ENDPOINT_URL": {"AWS_ENDPOINT_URL": self.server.endpoint_url},
            "S3 over generic": {"AWS_ENDPOINT_URL_S3": self.server.endpoint_url,
                                "AWS_ENDPOINT_URL": dead},
        }
        for label, extra in cases.items():
            with self.subTest(label):
                path = os.path.join(self.dest, label)
                run = run_s3pull(["cp", f"s3://{self.bucket}/logs/a1.gz", path],
                                 env=dict(self.env, **extra))
                self.assertExit(run, 0)
                with open(path, "rb") as f:
                    self.assertEqual(f.read(), DATA["logs/a1.gz"])
        # --endpoint-url beats the environment.
        run = self.cp(f"s3://{self.bucket}/logs/ab.gz", os.path.join(self.dest, "flag"),
                      env=dict(self.env, AWS_ENDPOINT_URL_S3=dead, AWS_ENDPOINT_URL=dead))
        self.assertExit(run, 0)


SERVER_CLASSES = {}
for _name in SERVER_NAMES:
    _cls = type(f"CpOn{_name.capitalize()}", (CpSuite, unittest.TestCase),
                {"server_name": _name, "__doc__": f"s3pull cp against {_name}."})
    globals()[_cls.__name__] = SERVER_CLASSES[_name] = _cls
del _name, _cls


class UsageErrors(unittest.TestCase):
    """Bad command lines: exit status 2, a message on stderr, nothing else.
    No server needed (the endpoint is a closed port)."""

    CASES = {
        "no arguments": [],
        "cp without arguments": ["cp"],
        "cp without DEST": ["cp", "s3://bucket/key"],
        "too many arguments": ["cp", "s3://bucket/key", "a", "b"],
        "unknown command": ["frobnicate", "s3://bucket/", "out"],
        "unknown flag": ["cp", "--no-such-flag", "s3://bucket/", "out"],
        "http URL": ["cp", "http://bucket/key", "out"],
        "no scheme": ["cp", "bucket/key", "out"],
        "empty bucket": ["cp", "s3://", "out"],
        "empty bucket with key": ["cp", "s3:///key", "out"],
        "invalid bucket": ["cp", "s3://b/", "out"],
        "concurrency zero": ["cp", "--concurrency", "0", "s3://bucket/", "out"],
        "concurrency negative": ["cp", "--concurrency", "-4", "s3://bucket/", "out"],
        "concurrency not a number": ["cp", "--concurrency", "many", "s3://bucket/", "out"],
        "concurrency missing value": ["cp", "s3://bucket/", "out", "--concurrency"],
        "event loops zero": ["cp", "--event-loops", "0", "s3://bucket/", "out"],
        "event loops too many": ["cp", "--event-loops", "65", "s3://bucket/", "out"],
        "event loops not a number": ["cp", "--event-loops", "two", "s3://bucket/", "out"],
        "glob with unclosed bracket": ["cp", "s3://bucket/logs/[a-", "out"],
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
                self.assertEqual(ok_lines(run.stdout), [])
        self.assertEqual(os.listdir(scratch), [])

    def test_no_credentials_is_a_configuration_error(self):
        scratch = make_scratch_dir("s3pull-usage-")
        self.addCleanup(shutil.rmtree, scratch, True)
        run = run_s3pull(["cp", "--endpoint-url", "http://127.0.0.1:9", "s3://bucket/key", "out"],
                         env=clean_aws_env(), cwd=scratch, timeout=30)
        self.assertEqual(run.code, 2, run.describe())
        self.assertIn("credentials", run.stderr)
        self.assertEqual(os.listdir(scratch), [])

    def test_help_and_version(self):
        run = run_s3pull(["--help"], env=clean_aws_env())
        self.assertEqual(run.code, 0, run.describe())
        self.assertIn("cp", run.stdout)
        run = run_s3pull(["cp", "--help"], env=clean_aws_env())
        self.assertEqual(run.code, 0, run.describe())
        for word in ("--from-file", "--concurrency", "--event-loops", "--endpoint-url",
                     "--no-sign-request", "s3://"):
            self.assertIn(word, run.stdout)
        run = run_s3pull(["--version"], env=clean_aws_env())
        self.assertEqual(run.code, 0, run.describe())
        self.assertRegex(run.stdout, r"\d+\.\d+\.\d+")


if __name__ == "__main__":
    unittest.main()
