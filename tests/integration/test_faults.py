"""Fault injection: how `s3pull cp` survives a server that misbehaves.

Python: the `python3` on PATH (3.11), standard unittest:
    cd tests/integration && S3PULL_BIN=../../build/s3pull python3 -m unittest -v test_faults

Each test starts a FaultServer (fault_server.py, in this process, on a free
127.0.0.1 port), stores a few objects, scripts the faults of the next
requests, runs s3pull against it and checks what a user relies on: the files
(byte for byte, and nothing else: no temporary `.s3pull-*.part` file, no
file for an object that failed), the exit status, the report on stderr
(failure lines, the `Retries: N` line) and the requests s3pull sent (a
broken body resumes with `Range: bytes=RECEIVED-END` and `If-Match`).

Parts are 64 KiB (`--part-size 64KiB`) and `--concurrency 1` keeps the order
of requests fixed where the log is checked. Backoff starts around 0.1 s, so
fault counts stay small; the whole suite takes well under a minute.
"""

from __future__ import annotations

import calendar
import hashlib
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import unittest.mock

from fault_server import (FaultServer, change_object, close_early, error, flip_byte, huge_error,
                          ignore_if_match, ignore_range, repeat_token, reset_after, stall,
                          wrong_content_range)
from s3servers import (S3pullRun, assert_tree_equal, clean_aws_env, failed_lines,
                       make_scratch_dir, ok_lines, run_s3pull, s3pull_bin, summary)

BUCKET = "faults"
PART = 64 * 1024
KiB = 1024
MiB = 1024 * 1024
RETRIES_LINE = re.compile(r"^Retries: (\d+) requests were sent again after transient failures$",
                          re.M)


def data(seed: int, size: int) -> bytes:
    return random.Random(seed).randbytes(size)


def part_ranges(size: int, part: int = PART) -> list[str]:
    return [f"bytes={first}-{min(first + part, size) - 1}" for first in range(0, size, part)]


def in_range(first: int, last: int):
    """A fault matcher: requests whose Range is exactly bytes=first-last."""
    wanted = f"bytes={first}-{last}"
    return lambda request: request.range == wanted


# Runs s3pull under a small Python parent that waits for it and reports its
# resource.getrusage(RUSAGE_CHILDREN).ru_maxrss. Measured from this test
# process instead, the figure would include this process's own size: a child
# started with vfork/exec inherits its parent's peak RSS as the start of its
# own (Linux folds the old address space's high-water mark into the exec'd
# process's maxrss).
_MEASURE = r"""
import os, resource, sys
out = sys.argv[1]
before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ)
_, status = os.waitpid(pid, 0)
after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(out, "w") as f:
    f.write(f"{before} {after}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


class FaultTest(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.server = FaultServer()
        self.server.start()
        self.addCleanup(self.server.stop)
        self.dest = make_scratch_dir("s3pull-faults-")
        self.addCleanup(shutil.rmtree, self.dest, True)

    # --- helpers ---------------------------------------------------------------
    def put(self, key: str, content: bytes, **kwargs) -> str:
        return self.server.put(BUCKET, key, content, **kwargs)

    def env(self) -> dict[str, str]:
        return clean_aws_env(AWS_ACCESS_KEY_ID="AKIDFAULTS", AWS_SECRET_ACCESS_KEY="fault/secret",
                             AWS_REGION="us-east-1")

    def argv(self, *args: str, concurrency: int = 1, part_size: str = "64KiB",
             retries: int | None = None, stall_timeout: int | None = None) -> list[str]:
        argv = ["cp", "--endpoint-url", self.server.endpoint_url,
                "--concurrency", str(concurrency), "--part-size", part_size]
        if retries is not None:
            argv += ["--retries", str(retries)]
        if stall_timeout is not None:
            argv += ["--stall-timeout", str(stall_timeout)]
        return argv + list(args)

    def s3pull(self, *args: str, input: bytes | None = None, **options) -> S3pullRun:
        return run_s3pull(self.argv(*args, **options), env=self.env(), timeout=30, input=input)

    def fresh_dest(self) -> str:
        shutil.rmtree(self.dest, ignore_errors=True)
        os.makedirs(self.dest)
        return self.dest

    def context(self, run: S3pullRun) -> str:
        log = "\n    ".join(map(repr, self.server.requests))
        return f"\n{run.describe()}\nrequests:\n    {log}"

    def assert_exit(self, run: S3pullRun, code: int) -> None:
        self.assertEqual(run.code, code, f"exit status {run.code}, expected {code}" + self.context(run))

    def assert_retries(self, run: S3pullRun, count: int) -> None:
        found = RETRIES_LINE.findall(run.stderr)
        if count == 0:
            self.assertEqual(found, [], "no Retries line expected" + self.context(run))
        else:
            self.assertEqual(found, [str(count)], f"expected 'Retries: {count} ...'" + self.context(run))

    def assert_files(self, run: S3pullRun, expected: dict[str, bytes]) -> None:
        assert_tree_equal(self, self.dest, expected, self.context(run))

    def assert_failures(self, run: S3pullRun, expected: dict[str, str]) -> None:
        """The failure lines: {key: the error text after 'failed s3://BUCKET/KEY: '}."""
        got = {m["key"]: m["error"] for m in failed_lines(run.stderr)}
        self.assertEqual(got, expected, self.context(run))

    def assert_ok(self, run: S3pullRun, keys: list[str]) -> None:
        self.assertEqual(sorted(m["key"] for m in ok_lines(run.stdout)), sorted(keys),
                         self.context(run))

    def object_requests(self, key: str) -> list[tuple[str | None, str | None]]:
        """(Range, If-Match) of every GET of `key`, in order."""
        return [(r.range, r.if_match) for r in self.server.requests_for(BUCKET, key)]

    def assert_no_pending_faults(self) -> None:
        self.assertEqual(self.server.pending_faults(), [], "some scripted faults were never used")

    # --- a clean run: the shapes of requests the fault tests rely on ------------
    def test_clean_download_shapes_of_requests(self):
        objects = {"d/small": data(1, 1000), "d/big": data(2, 200_000),
                   "d/odd name+plus ü": data(3, 10), "d/empty": b""}
        etags = {key: self.put(key, content) for key, content in objects.items()}
        self.put("other/x", b"not under the prefix")

        run = self.s3pull(f"s3://{BUCKET}/d/", self.dest)
        self.assert_exit(run, 0)
        self.assert_files(run, {k[2:]: v for k, v in objects.items()})
        self.assert_ok(run, list(objects))
        self.assert_retries(run, 0)
        self.assertEqual(self.object_requests("d/small"), [(None, None)])
        self.assertEqual(self.object_requests("d/empty"), [(None, None)])
        self.assertEqual(self.object_requests("d/odd name+plus ü"), [(None, None)])
        self.assertEqual(self.object_requests("d/big"),
                         [(r, etags["d/big"]) for r in part_ranges(200_000)])
        listing = self.server.requests_for(BUCKET)
        self.assertEqual(len(listing), 1)
        self.assertEqual(listing[0].query.get("prefix"), "d/")
        self.assertEqual(listing[0].query.get("encoding-type"), "url")

        # A key named alone: the first part discovers the size and the ETag.
        self.server.clear_log()
        self.fresh_dest()
        run = self.s3pull(f"s3://{BUCKET}/d/big", os.path.join(self.dest, "big.bin"))
        self.assert_exit(run, 0)
        self.assert_files(run, {"big.bin": objects["d/big"]})
        ranges = part_ranges(200_000)
        self.assertEqual(self.object_requests("d/big"),
                         [(ranges[0], None)] + [(r, etags["d/big"]) for r in ranges[1:]])

        # An empty key named alone: 416 to the discovery, then one plain GET.
        self.server.clear_log()
        self.fresh_dest()
        run = self.s3pull(f"s3://{BUCKET}/d/empty", os.path.join(self.dest, "empty"))
        self.assert_exit(run, 0)
        self.assert_files(run, {"empty": b""})
        self.assertEqual(self.object_requests("d/empty"), [("bytes=0-65535", None), (None, None)])
        self.assertEqual([r.status for r in self.server.requests_for(BUCKET, "d/empty")], [416, 200])

    # --- transient statuses are retried -------------------------------------------
    def test_transient_statuses_are_retried(self):
        content = data(10, 5000)
        self.put("obj", content)
        cases = [(503, "SlowDown"), (503, "ServiceUnavailable"), (500, "InternalError"),
                 (502, "BadGateway"), (504, "GatewayTimeout"), (429, "TooManyRequests"),
                 (400, "RequestTimeout"), (400, "ThrottlingException")]
        for status, code in cases:
            with self.subTest(status=status, code=code):
                self.server.clear_log()
                self.fresh_dest()
                self.server.add_faults(BUCKET, "obj", error(status, code), error(status, code))
                run = self.s3pull(f"s3://{BUCKET}/", self.dest)
                self.assert_exit(run, 0)
                self.assert_files(run, {"obj": content})
                self.assert_ok(run, ["obj"])
                self.assert_retries(run, 2)
                self.assertEqual(self.object_requests("obj"), [(None, None)] * 3)
                self.assertEqual([r.status for r in self.server.requests_for(BUCKET, "obj")],
                                 [status, status, 200])
                self.assert_no_pending_faults()

    def test_retries_run_out(self):
        self.put("obj", data(11, 5000))
        self.server.add_faults(BUCKET, "obj", *[error(503, "SlowDown", "Please reduce your request rate.",
                                                      request_id="REQ-SLOW")] * 3)
        run = self.s3pull(f"s3://{BUCKET}/", self.dest, retries=2)
        self.assert_exit(run, 1)
        self.assert_failures(run, {"obj": "SlowDown (HTTP 503): Please reduce your request rate. "
                                          "(request id REQ-SLOW)"})
        self.assert_retries(run, 2)
        self.assertEqual(len(self.object_requests("obj")), 3)
        self.assert_files(run, {})
        s = summary(run.stderr)
        self.assertIsNotNone(s, self.context(run))
        self.assertEqual((s["total"], s["downloaded"], s["failed"]), ("1", "0", "1"))

        # --retries 0: one try only.
        self.server.clear_log()
        self.server.add_faults(BUCKET, "obj", error(500, "InternalError", "We encountered an "
                                                    "internal error. Please try again.",
                                                    request_id="REQ-500"))
        run = self.s3pull(f"s3://{BUCKET}/", self.dest, retries=0)
        self.assert_exit(run, 1)
        self.assert_failures(run, {"obj": "InternalError (HTTP 500): We encountered an internal "
                                          "error. Please try again. (request id REQ-500)"})
        self.assert_retries(run, 0)
        self.assertEqual(len(self.object_requests("obj")), 1)
        self.assert_files(run, {})

    # --- 4xx are final ---------------------------------------------------------------
    def test_client_errors_are_not_retried(self):
        self.put("obj", data(12, 5000))
        cases = [(403, "AccessDenied", "Access Denied"),
                 (404, "NoSuchKey", "The specified key does not exist."),
                 (400, "InvalidArgument", "Invalid Argument"),
                 (409, "InvalidObjectState", "The operation is not valid for the object's "
                                             "storage class")]
        for status, code, message in cases:
            with self.subTest(status=status, code=code):
                self.server.clear_log()
                self.fresh_dest()
                self.server.add_faults(BUCKET, "obj", error(status, code, message,
                                                            request_id=f"REQ-{status}"))
                run = self.s3pull(f"s3://{BUCKET}/", self.dest)
                self.assert_exit(run, 1)
                self.assert_failures(run, {"obj": f"{code} (HTTP {status}): {message} "
                                                  f"(request id REQ-{status})"})
                self.assert_retries(run, 0)
                self.assertEqual(len(self.object_requests("obj")), 1)
                self.assert_files(run, {})

    # --- broken bodies resume where they stopped ---------------------------------------
    def test_reset_mid_body_resumes_at_the_byte_it_stopped(self):
        content = data(20, 50_000)
        etag = self.put("obj", content)
        self.server.add_faults(BUCKET, "obj", reset_after(12_345))
        run = self.s3pull(f"s3://{BUCKET}/", self.dest)
        self.assert_exit(run, 0)
        self.assert_files(run, {"obj": content})
        self.assert_retries(run, 1)
        self.assertEqual(self.object_requests("obj"), [(None, None), ("bytes=12345-49999", etag)])
        self.assert_no_pending_faults()

    def test_reset_in_a_part_resumes_within_the_part(self):
        size = 200_000
        content = data(21, size)
        etag = self.put("obj", content)
        self.server.add_faults(BUCKET, "obj", reset_after(1000, match=in_range(65536, 131071)))
        run = self.s3pull(f"s3://{BUCKET}/", self.dest)
        self.assert_exit(run, 0)
        self.assert_files(run, {"obj": content})
        self.assert_retries(run, 1)
        ranges = part_ranges(size)
        expected = [ranges[0], ranges[1], "bytes=66536-131071", ranges[2], ranges[3]]
        self.assertEqual(self.object_requests("obj"), [(r, etag) for r in expected])

    def test_reset_of_the_discovery_request_resumes(self):
        # A key named alone: the first ranged GET (no If-Match yet) breaks
        # off; its retry asks for the rest of the first part, pinned to the
        # ETag that the broken reply carried.
        size = 200_000
        content = data(22, size)
        etag = self.put("dir/obj", content)
        self.server.add_faults(BUCKET, "dir/obj", reset_after(30_000))
        out = os.path.join(self.dest, "obj.bin")
        run = self.s3pull(f"s3://{BUCKET}/dir/obj", out)
        self.assert_exit(run, 0)
        self.assert_files(run, {"obj.bin": content})
        self.assert_retries(run, 1)
        ranges = part_ranges(size)
        self.assertEqual(self.object_requests("dir/obj"),
                         [(ranges[0], None), ("bytes=30000-65535", etag)] +
                         [(r, etag) for r in ranges[1:]])

    def test_close_early_resumes(self):
        content = data(23, 50_001)
        etag = self.put("obj", content)
        self.server.add_faults(BUCKET, "obj", close_early())
        run = self.s3pull(f"s3://{BUCKET}/", self.dest)
        self.assert_exit(run, 0)
        self.assert_files(run, {"obj": content})
        self.assert_retries(run, 1)
        self.assertEqual(self.object_requests("obj"), [(None, None), ("bytes=25000-50000", etag)])

    def test_repeated_breaks_resume_each_time_from_the_new_point(self):
        size = 150_000
        content = data(24, size)
        etag = self.put("obj", content)
        part1 = in_range(65536, 131071)
        self.server.add_faults(
            BUCKET, "obj",
            reset_after(100, match=part1),
            close_early(match=lambda r: r.range == "bytes=65636-131071"),
            reset_after(5, match=lambda r: r.range == f"bytes={65636 + 32718}-131071"))
        run = self.s3pull(f"s3://{BUCKET}/", self.dest)
        self.assert_exit(run, 0)
        self.assert_files(run, {"obj": content})
        self.assert_retries(run, 3)
        self.assertEqual(self.object_requests("obj"),
                         [(r, etag) for r in ["bytes=0-65535", "bytes=65536-131071",
                                              "bytes=65636-131071", "bytes=98354-131071",
                                              "bytes=98359-131071", "bytes=131072-149999"]])
        self.assert_no_pending_faults()

    # --- stalls --------------------------------------------------------------------
    def test_stall_in_the_body_resumes_after_the_stall_timeout(self):
        content = data(30, 50_000)
        etag = self.put("obj", content)
        self.server.add_faults(BUCKET, "obj", stall(8, after_bytes=10_000))
        start = time.monotonic()
        run = self.s3pull(f"s3://{BUCKET}/", self.dest, stall_timeout=1)
        elapsed = time.monotonic() - start
        self.assert_exit(run, 0)
        self.assert_files(run, {"obj": content})
        self.assert_retries(run, 1)
        self.assertEqual(self.object_requests("obj"), [(None, None), ("bytes=10000-49999", etag)])
        # --stall-timeout 1: one second without a byte, plus time to notice
        # (the server would stay silent for 8).
        self.assertLess(elapsed, 4, "the stall was not cut short by --stall-timeout 1" +
                        self.context(run))

    def test_stall_before_the_headers_is_retried(self):
        content = data(31, 5000)
        self.put("obj", content)
        self.server.add_faults(BUCKET, "obj", stall(8))
        start = time.monotonic()
        run = self.s3pull(f"s3://{BUCKET}/", self.dest, stall_timeout=1)
        elapsed = time.monotonic() - start
        self.assert_exit(run, 0)
        self.assert_files(run, {"obj": content})
        self.assert_retries(run, 1)
        self.assertEqual(self.object_requests("obj"), [(None, None), (None, None)])
        self.assertLess(elapsed, 4, "the stall was not cut short by --stall-timeout 1" +
                        self.context(run))

    def test_stall_without_retries_fails_as_stalled(self):
        self.put("obj", data(32, 5000))
        self.server.add_faults(BUCKET, "obj", stall(8, after_bytes=0))
        start = time.monotonic()
        run = self.s3pull(f"s3://{BUCKET}/", self.dest, stall_timeout=1, retries=0)
        elapsed = time.monotonic() - start
        self.assert_exit(run, 1)
        failures = {m["key"]: m["error"] for m in failed_lines(run.stderr)}
        self.assertEqual(list(failures), ["obj"], self.context(run))
        # s3pull watches each transfer itself: nothing received for the
        # stall timeout ends it.
        self.assertRegex(failures["obj"], r"^transport error: stalled: nothing received for 1 s",
                         self.context(run))
        self.assertLess(elapsed, 4, self.context(run))
        self.assert_files(run, {})

    # --- replies that are not what was asked ----------------------------------------
    def test_wrong_content_range_is_retried_from_the_start_of_the_part(self):
        size = 200_000
        content = data(40, size)
        etag = self.put("obj", content)
        ranges = part_ranges(size)
        cases = [("start off by one", wrong_content_range(first_delta=1, match=in_range(131072, 196607)),
                  2),
                 ("other total", wrong_content_range(total_delta=1, match=in_range(65536, 131071)), 1)]
        for name, fault, index in cases:
            with self.subTest(name):
                self.server.clear_log()
                self.fresh_dest()
                self.server.add_faults(BUCKET, "obj", fault)
                run = self.s3pull(f"s3://{BUCKET}/", self.dest)
                self.assert_exit(run, 0)
                self.assert_files(run, {"obj": content})
                self.assert_retries(run, 1)
                expected = ranges[:index + 1] + [ranges[index]] + ranges[index + 1:]
                self.assertEqual(self.object_requests("obj"), [(r, etag) for r in expected])

        # The discovery request of a key named alone is checked as well.
        self.server.clear_log()
        self.fresh_dest()
        self.server.add_faults(BUCKET, "obj", wrong_content_range(first_delta=1))
        run = self.s3pull(f"s3://{BUCKET}/obj", os.path.join(self.dest, "one"))
        self.assert_exit(run, 0)
        self.assert_files(run, {"one": content})
        self.assert_retries(run, 1)
        self.assertEqual([r for r, _ in self.object_requests("obj")], [ranges[0]] + ranges)

    def test_full_body_in_answer_to_a_part_is_retried(self):
        size = 200_000
        content = data(41, size)
        etag = self.put("obj", content)
        self.server.add_faults(BUCKET, "obj", ignore_range(match=in_range(65536, 131071)))
        run = self.s3pull(f"s3://{BUCKET}/", self.dest)
        self.assert_exit(run, 0)
        self.assert_files(run, {"obj": content})
        self.assert_retries(run, 1)
        ranges = part_ranges(size)
        self.assertEqual(self.object_requests("obj"),
                         [(r, etag) for r in [ranges[0], ranges[1], ranges[1], *ranges[2:]]])
        self.assertEqual([r.status for r in self.server.requests_for(BUCKET, "obj")],
                         [206, 200, 206, 206, 206])

    def test_full_body_in_answer_to_the_discovery_request_is_accepted(self):
        # A 200 to the first ranged GET of a key named alone is the whole
        # object in one reply: nothing to retry, nothing more to ask.
        content = data(42, 200_000)
        self.put("obj", content)
        self.server.add_faults(BUCKET, "obj", ignore_range())
        run = self.s3pull(f"s3://{BUCKET}/obj", os.path.join(self.dest, "one"))
        self.assert_exit(run, 0)
        self.assert_files(run, {"one": content})
        self.assert_retries(run, 0)
        self.assertEqual(self.object_requests("obj"), [("bytes=0-65535", None)])

    # --- objects that change -------------------------------------------------------
    def test_object_changed_between_parts_fails_it(self):
        size = 4 * PART
        old, new = data(50, size), data(51, size)
        etag = self.put("obj", old)
        self.put("keep", b"unaffected")
        self.server.add_faults(BUCKET, "obj", change_object(new))
        run = self.s3pull(f"s3://{BUCKET}/", self.dest)
        self.assert_exit(run, 1)
        self.assert_failures(run, {"obj": "object changed: the object changed during the "
                                          f"download (If-Match {etag} failed: HTTP 412)"})
        self.assert_ok(run, ["keep"])
        self.assert_retries(run, 0)
        # Part 0 came from the old version; part 1 asked for it with If-Match
        # and was refused; parts 2 and 3 were never sent.
        self.assertEqual(self.object_requests("obj"),
                         [("bytes=0-65535", etag), ("bytes=65536-131071", etag)])
        self.assertEqual([r.status for r in self.server.requests_for(BUCKET, "obj")], [206, 412])
        self.assert_files(run, {"keep": b"unaffected"})

    def test_object_changed_after_discovery_fails_it(self):
        size = 3 * PART + 7
        old, new = data(52, size), data(53, size)
        etag = self.put("obj", old)
        self.server.add_faults(BUCKET, "obj", change_object(new))
        run = self.s3pull(f"s3://{BUCKET}/obj", os.path.join(self.dest, "one"))
        self.assert_exit(run, 1)
        failures = {m["key"]: m["error"] for m in failed_lines(run.stderr)}
        self.assertEqual(list(failures), ["obj"], self.context(run))
        self.assertIn("the object changed during the download", failures["obj"])
        self.assertIn(etag, failures["obj"])
        self.assertEqual(self.object_requests("obj"),
                         [("bytes=0-65535", None), ("bytes=65536-131071", etag)])
        self.assert_retries(run, 0)
        self.assert_files(run, {})

    def test_object_changed_on_a_server_that_ignores_if_match(self):
        # A server without conditional GETs sends the new version anyway; its
        # ETag gives it away, and nothing of it is spliced into the file.
        size = 4 * PART
        old, new = data(54, size), data(55, size)
        etag = self.put("obj", old)
        self.server.add_faults(BUCKET, "obj", change_object(new),
                               *[ignore_if_match() for _ in range(10)])
        new_etag = '"' + hashlib.md5(new).hexdigest() + '"'
        run = self.s3pull(f"s3://{BUCKET}/", self.dest, retries=1)
        self.assert_exit(run, 1)
        failures = {m["key"]: m["error"] for m in failed_lines(run.stderr)}
        self.assertEqual(list(failures), ["obj"], self.context(run))
        self.assertIn("the object changed during the download", failures["obj"])
        self.assertIn(new_etag, failures["obj"])
        self.assertEqual(self.object_requests("obj")[:2],
                         [("bytes=0-65535", etag), ("bytes=65536-131071", etag)])
        self.assert_files(run, {})

    # --- clocks ------------------------------------------------------------------------
    def test_request_time_too_skewed_resigns_with_the_server_clock(self):
        content = data(60, 3000)
        self.put("obj", content)
        offset = 2 * 3600
        self.server.add_faults(BUCKET, "obj", error(403, "RequestTimeTooSkewed",
                                                    "The difference between the request time "
                                                    "and the current time is too large.",
                                                    date_offset=offset))
        run = self.s3pull(f"s3://{BUCKET}/", self.dest)
        self.assert_exit(run, 0)
        self.assert_files(run, {"obj": content})
        self.assert_retries(run, 1)
        first, second = self.server.requests_for(BUCKET, "obj")
        # The retry went at once (no backoff) and was signed with the
        # server's time, two hours ahead of ours.
        self.assertLess(second.time - first.time, 0.5)
        now = time.time()
        for request, expected in ((first, now), (second, now + offset)):
            amz_date = calendar.timegm(time.strptime(request.headers["x-amz-date"], "%Y%m%dT%H%M%SZ"))
            self.assertLess(abs(amz_date - expected), 120, request.headers["x-amz-date"])
            self.assertIn(time.strftime("%Y%m%d", time.gmtime(amz_date)),
                          request.headers["authorization"])

    def test_server_clock_an_hour_ahead(self):
        # A server that, like S3, refuses every request signed more than 15
        # minutes away from its clock: the first one (the listing) is
        # refused, and everything after it is signed with the server's time.
        self.server.clock_offset = 3600
        self.server.max_skew = 900
        objects = {f"k{i}": data(61 + i, 100 * i) for i in range(3)}
        for key, content in objects.items():
            self.put(key, content)
        run = self.s3pull(f"s3://{BUCKET}/", self.dest)
        self.assert_exit(run, 0)
        self.assert_files(run, objects)
        self.assert_retries(run, 1)
        self.assertEqual([r.fault for r in self.server.requests],
                         ["clock_skew", None, None, None, None])

    # --- listings ------------------------------------------------------------------------
    def test_listing_that_repeats_its_continuation_token_fails(self):
        self.server.page_size = 2
        objects = {f"p/{i}": data(70 + i, 10 + i) for i in range(5)}
        for key, content in objects.items():
            self.put(key, content)
        self.server.add_listing_faults(BUCKET, *[repeat_token() for _ in range(10)])
        run = self.s3pull(f"s3://{BUCKET}/p/", self.dest)
        self.assert_exit(run, 1)
        failures = {m["key"]: m["error"] for m in failed_lines(run.stderr)}
        self.assertEqual(list(failures), ["p/"], self.context(run))
        self.assertRegex(failures["p/"],
                         r"^protocol error: .*continuation token repeated", self.context(run))
        # The pages that came were downloaded, each object once: p/0 and
        # p/1, then p/2 and p/3 from the page that repeated the token; p/4
        # was never listed.
        self.assert_ok(run, ["p/0", "p/1", "p/2", "p/3"])
        self.assert_files(run, {k[2:]: v for k, v in objects.items() if k != "p/4"})
        s = summary(run.stderr)
        self.assertIsNotNone(s, self.context(run))
        self.assertEqual((s["downloaded"], s["failed"]), ("4", "1"), self.context(run))
        listings = self.server.requests_for(BUCKET)
        self.assertNotIn("continuation-token", listings[0].query)
        self.assertEqual({r.fault for r in listings[1:]}, {"repeat_token"}, self.context(run))

    def test_listing_errors_are_retried_then_reported(self):
        self.server.page_size = 2
        objects = {f"p/{i}": data(80 + i, 10 + i) for i in range(5)}
        for key, content in objects.items():
            self.put(key, content)
        self.server.add_listing_faults(
            BUCKET, error(503, "SlowDown", match=lambda r: "continuation-token" in r.query))
        run = self.s3pull(f"s3://{BUCKET}/p/", self.dest)
        self.assert_exit(run, 0)
        self.assert_files(run, {k[2:]: v for k, v in objects.items()})
        self.assert_retries(run, 1)
        tokens = [r.query.get("continuation-token") for r in self.server.requests_for(BUCKET)]
        self.assertEqual(len(tokens), 4)
        self.assertIsNone(tokens[0])
        self.assertEqual(tokens[1], tokens[2], "the failed page was not asked for again")

        self.server.clear_log()
        self.fresh_dest()
        self.server.add_listing_faults(BUCKET, error(403, "AccessDenied", "Access Denied",
                                                     request_id="REQ-LIST"))
        run = self.s3pull(f"s3://{BUCKET}/p/", self.dest)
        self.assert_exit(run, 1)
        self.assert_failures(run, {"p/": "AccessDenied (HTTP 403): Access Denied (request id REQ-LIST)"})
        self.assertEqual(len(self.server.requests), 1)
        self.assert_files(run, {})

    # --- error bodies --------------------------------------------------------------------
    def run_measured(self, *args: str, **options) -> tuple[S3pullRun, int]:
        """Runs s3pull; returns its result and its peak RSS in KiB."""
        fd, report = tempfile.mkstemp(prefix="s3pull-rss-")
        os.close(fd)
        self.addCleanup(os.unlink, report)
        argv = [sys.executable, "-I", "-S", "-c", _MEASURE, report, s3pull_bin(),
                *self.argv(*args, **options)]
        proc = subprocess.run(argv, capture_output=True, env=self.env(), timeout=30,
                              stdin=subprocess.DEVNULL)
        decode = lambda b: b.decode("utf-8", errors="surrogateescape")
        run = S3pullRun(proc.returncode, decode(proc.stdout), decode(proc.stderr), argv)
        with open(report) as f:
            before, after = map(int, f.read().split())
        self.assertEqual(before, 0)
        return run, after

    def test_huge_error_body_is_cut_short(self):
        self.put("obj", data(90, 5000))
        self.put("fine", b"fine")
        self.server.add_faults(BUCKET, "obj", huge_error(20 * MiB), huge_error(20 * MiB))
        run, peak_kib = self.run_measured(f"s3://{BUCKET}/", self.dest, retries=1)
        self.assert_exit(run, 1)
        self.assertLess(len(run.stderr.encode()), 64 * KiB, "stderr is not short")
        failures = {m["key"]: m["error"] for m in failed_lines(run.stderr)}
        self.assertEqual(list(failures), ["obj"], self.context(run))
        self.assertTrue(failures["obj"].startswith("InternalError (HTTP 500): "), failures["obj"])
        self.assertLess(len(failures["obj"]), 1024, "the failure message is not capped")
        self.assert_retries(run, 1)
        self.assertEqual(len(self.object_requests("obj")), 2)
        self.assert_ok(run, ["fine"])
        self.assert_files(run, {"fine": b"fine"})
        self.assertLess(peak_kib, 100 * 1024, f"s3pull's peak RSS was {peak_kib} KiB")

        # Once, then a good reply: retried and downloaded.
        self.server.clear_log()
        self.fresh_dest()
        self.server.add_faults(BUCKET, "obj", huge_error(20 * MiB, status=503, code="SlowDown"))
        run = self.s3pull(f"s3://{BUCKET}/obj", os.path.join(self.dest, "obj"))
        self.assert_exit(run, 0)
        self.assert_files(run, {"obj": data(90, 5000)})
        self.assert_retries(run, 1)

    # --- corrupted bytes ---------------------------------------------------------------
    def test_flipped_byte_fails_the_md5_check(self):
        # The ETag of an object uploaded in one piece is the MD5 of its
        # content: a reply of the right length with one byte inverted must
        # not end up in a file.
        content = data(100, 50_000)
        self.put("obj", content)
        self.server.add_faults(BUCKET, "obj", flip_byte())
        run = self.s3pull(f"s3://{BUCKET}/", self.dest)

        with self.subTest("one bad reply, then a good one"):
            self.assert_exit(run, 0)
            self.assert_files(run, {"obj": content})
            self.assert_retries(run, 1)
            self.assertEqual(len(self.object_requests("obj")), 2)

        big = data(101, 200_000)
        self.put("big", big)
        parts = [(f"bytes={first}-{min(first + 65535, 199_999)}", self.server.etag(BUCKET, "big"))
                 for first in range(0, 200_000, 65536)]
        with self.subTest("an object of several parts, one part bad once"):
            self.server.clear_log()
            self.fresh_dest()
            self.server.add_faults(BUCKET, "big", flip_byte(match=in_range(65536, 131071)))
            run = self.s3pull(f"s3://{BUCKET}/big", os.path.join(self.dest, "big"))
            # The MD5 covers the whole object, so no part is to blame: every
            # part is fetched again (after the first, which discovered the size).
            self.assert_exit(run, 0)
            self.assert_files(run, {"big": big})
            self.assert_retries(run, 1)
            self.assertEqual(self.object_requests("big")[1:], parts[1:] + parts)
        with self.subTest("an object of several parts, one part always bad"):
            self.server.clear_log()
            self.fresh_dest()
            self.server.add_faults(BUCKET, "big",
                                   *[flip_byte(match=in_range(65536, 131071)) for _ in range(3)])
            run = self.s3pull(f"s3://{BUCKET}/big", os.path.join(self.dest, "big"))
            self.assertEqual(run.code, 1, self.context(run))
            self.assert_failures(run, {"big": unittest.mock.ANY})
            self.assertIn("checksum mismatch", failed_lines(run.stderr)[0]["error"])
            self.assert_files(run, {})
            # Fetched whole three times: the first and two more.
            self.assertEqual(self.object_requests("big")[1:], parts[1:] + parts + parts)
        self.server.delete(BUCKET, "big")
        self.server.clear_faults()

        with self.subTest("every reply bad"):
            self.server.clear_log()
            self.fresh_dest()
            self.server.add_faults(BUCKET, "obj", *[flip_byte() for _ in range(8)])
            run = self.s3pull(f"s3://{BUCKET}/", self.dest)
            self.assert_exit(run, 1)
            failures = {m["key"]: m["error"] for m in failed_lines(run.stderr)}
            self.assertEqual(list(failures), ["obj"], self.context(run))
            self.assertRegex(failures["obj"], r"^integrity error: checksum mismatch: MD5 .*"
                             + hashlib.md5(content).hexdigest(), self.context(run))
            self.assert_files(run, {})
            # A mismatch is retried once or twice, not as often as a
            # transient failure.
            self.assertIn(len(self.object_requests("obj")), (2, 3), self.context(run))

    # --- composite checksums: checked part by part -----------------------------------
    def calls(self, key: str) -> list[str]:
        """Each request for `key`: "HEAD", "ATTRIBUTES" (with the part number
        marker, if any) or the Range of a GET."""
        out = []
        for r in self.server.requests_for(BUCKET, key):
            if "attributes" in r.query:
                marker = r.header("x-amz-part-number-marker")
                out.append("ATTRIBUTES" + (f" after {marker}" if marker else ""))
            else:
                out.append("HEAD" if r.method == "HEAD" else r.range or "GET")
        return out

    def test_composite_checksum_is_checked_part_by_part(self):
        # Uploaded in parts of 70,000, 70,000 and 60,000 bytes with CRC32s:
        # the 64 KiB ranges cut elsewhere, and each stored part is checked.
        content = data(140, 200_000)
        self.put("cc/obj", content, part_sizes=[70_000, 70_000, 60_000])
        ranges = part_ranges(200_000)
        with self.subTest("one range corrupt once: every range fetched again"):
            self.server.add_faults(BUCKET, "cc/obj", flip_byte(match=in_range(65536, 131071)))
            run = self.s3pull("--checksum", "required", f"s3://{BUCKET}/cc/", self.dest)
            self.assert_exit(run, 0)
            self.assert_files(run, {"obj": content})
            self.assert_retries(run, 1)
            self.assertEqual(self.calls("cc/obj"), ["HEAD", "ATTRIBUTES"] + ranges + ranges)
            head = self.server.requests_for(BUCKET, "cc/obj")[0]
            self.assertEqual(head.if_match, self.server.etag(BUCKET, "cc/obj"))
            self.assertEqual(head.header("x-amz-checksum-mode"), "ENABLED")
        with self.subTest("a part that stays corrupt is named"):
            self.server.clear_log()
            self.fresh_dest()
            # The byte flipped is in the middle of bytes 65536-131071: in part 2.
            self.server.add_faults(BUCKET, "cc/obj",
                                   *[flip_byte(match=in_range(65536, 131071)) for _ in range(3)])
            run = self.s3pull(f"s3://{BUCKET}/cc/", self.dest)
            self.assert_exit(run, 1)
            self.assert_failures(run, {"cc/obj": unittest.mock.ANY})
            self.assertRegex(failed_lines(run.stderr)[0]["error"],
                             r"^integrity error: checksum mismatch: CRC32 of part 2 of 3 "
                             r"expected [0-9a-f]{8}, got [0-9a-f]{8}$")
            self.assert_files(run, {})
            self.assertEqual(self.calls("cc/obj"), ["HEAD", "ATTRIBUTES"] + ranges * 3)
        self.assert_no_pending_faults()

    def test_composite_checksum_parts_listed_in_pages(self):
        # SHA256 this time, five parts listed two at a time, a named key.
        self.server.parts_page_size = 2
        sizes = [50_000, 50_000, 50_000, 50_000, 1]
        content = data(141, sum(sizes))
        self.put("cc/paged", content, part_sizes=sizes, checksum_algorithm="SHA256")
        out = os.path.join(self.dest, "paged")
        run = self.s3pull("--checksum", "required", f"s3://{BUCKET}/cc/paged", out)
        self.assert_exit(run, 0)
        self.assert_files(run, {"paged": content})
        ranges = part_ranges(len(content))
        self.assertEqual(self.calls("cc/paged"),
                         [ranges[0], "HEAD", "ATTRIBUTES", "ATTRIBUTES after 2",
                          "ATTRIBUTES after 4"] + ranges[1:])

    def test_composite_checksum_without_its_parts(self):
        # A server (or a policy) that does not answer GetObjectAttributes:
        # the object downloads unchecked, unless a check is required.
        content = data(142, 150_000)
        self.put("cc/obj", content, part_sizes=[100_000, 50_000])
        refused = lambda: error(403, "AccessDenied", "Access Denied",
                                match=lambda r: "attributes" in r.query)
        self.server.add_faults(BUCKET, "cc/obj", refused())
        run = self.s3pull(f"s3://{BUCKET}/cc/", self.dest)
        self.assert_exit(run, 0)
        self.assert_files(run, {"obj": content})
        self.assert_retries(run, 0)
        self.assertEqual(self.calls("cc/obj"), ["HEAD", "ATTRIBUTES"] + part_ranges(150_000))

        self.server.clear_log()
        self.fresh_dest()
        self.server.add_faults(BUCKET, "cc/obj", refused())
        run = self.s3pull("--checksum", "required", f"s3://{BUCKET}/cc/", self.dest)
        self.assert_exit(run, 1)
        self.assert_failures(run, {"cc/obj": unittest.mock.ANY})
        self.assertRegex(failed_lines(run.stderr)[0]["error"],
                         r"^integrity error: no checksum to verify: GetObjectAttributes failed: "
                         r".*AccessDenied.*\(--checksum required\)$")
        self.assert_files(run, {})
        self.assertEqual(self.calls("cc/obj"), ["HEAD", "ATTRIBUTES"])
        self.assert_no_pending_faults()

    # --- one object's fault leaves the others alone ----------------------------------
    def test_one_failing_object_among_many(self):
        objects = {f"m/{i:02d}": data(110 + i, 500 * i) for i in range(10)}
        objects["m/big"] = data(120, 300_000)
        objects["m/bad"] = data(121, 1000)
        for key, content in objects.items():
            self.put(key, content)
        big_etag = self.server.etag(BUCKET, "m/big")
        self.server.add_faults(BUCKET, "m/bad", error(404, "NoSuchKey", "The specified key does not "
                                                      "exist.", request_id="REQ-GONE"))
        self.server.add_faults(BUCKET, "m/03", error(503, "SlowDown"))
        self.server.add_faults(BUCKET, "m/big", reset_after(777, match=in_range(131072, 196607)))
        run = self.s3pull(f"s3://{BUCKET}/m/", self.dest, concurrency=4)
        self.assert_exit(run, 1)
        self.assert_failures(run, {"m/bad": "NoSuchKey (HTTP 404): The specified key does not "
                                            "exist. (request id REQ-GONE)"})
        self.assert_ok(run, [k for k in objects if k != "m/bad"])
        self.assert_files(run, {k[2:]: v for k, v in objects.items() if k != "m/bad"})
        self.assert_retries(run, 2)
        s = summary(run.stderr)
        self.assertEqual((s["total"], s["downloaded"], s["failed"]), ("12", "11", "1"))
        self.assertIn(("bytes=131849-196607", big_etag), self.object_requests("m/big"))
        self.assertEqual(len(self.object_requests("m/bad")), 1)
        self.assert_no_pending_faults()

    def test_faults_met_by_several_event_loops(self):
        """Three event loops share the objects: each fault is retried by the
        loop that met it, every retry is counted once, and one object's
        failure stays its own."""
        objects = {f"e/{i:02d}": data(140 + i, 1000 + 3000 * i) for i in range(30)}
        objects["e/big"] = data(180, 400_000)
        for key, content in objects.items():
            self.put(key, content)
        self.put("e/bad", data(181, 10))
        self.server.add_faults(BUCKET, "e/bad", error(403, "AccessDenied", "Access Denied",
                                                      request_id="REQ-DENIED"))
        for i in range(0, 30, 3):
            self.server.add_faults(BUCKET, f"e/{i:02d}", error(503, "SlowDown"))
        self.server.add_faults(BUCKET, "e/07", reset_after(500))
        self.server.add_faults(BUCKET, "e/big", close_early(match=in_range(196608, 262143)))
        run = self.s3pull("--event-loops", "3", f"s3://{BUCKET}/e/", self.dest, concurrency=6)
        self.assert_exit(run, 1)
        self.assert_failures(run, {"e/bad": "AccessDenied (HTTP 403): Access Denied (request id "
                                            "REQ-DENIED)"})
        self.assert_ok(run, list(objects))
        self.assert_files(run, {k[2:]: v for k, v in objects.items()})
        self.assert_retries(run, 12)
        s = summary(run.stderr)
        self.assertEqual((s["total"], s["downloaded"], s["failed"]), ("32", "31", "1"))
        self.assert_no_pending_faults()

    def test_key_list_with_faults(self):
        objects = {"l/a": data(130, 100_000), "l/b": data(131, 10), "l/c": data(132, 70_000)}
        etags = {k: self.put(k, v) for k, v in objects.items()}
        self.server.add_faults(BUCKET, "l/a", error(500, "InternalError"))
        self.server.add_faults(BUCKET, "l/c", close_early(match=in_range(65536, 69999)))
        keys = b"a\nb\nmissing\nc\n"
        run = self.s3pull("--from-file", "-", f"s3://{BUCKET}/l/", self.dest, input=keys)
        self.assert_exit(run, 1)
        failures = {m["key"]: m["error"] for m in failed_lines(run.stderr)}
        self.assertEqual(list(failures), ["l/missing"], self.context(run))
        self.assertTrue(failures["l/missing"].startswith("NoSuchKey (HTTP 404): "), failures)
        self.assert_ok(run, ["l/a", "l/b", "l/c"])
        self.assert_files(run, {"a": objects["l/a"], "b": objects["l/b"], "c": objects["l/c"]})
        self.assert_retries(run, 2)
        # Keys from a list are discovered with a ranged GET of the first part.
        self.assertEqual(self.object_requests("l/a"),
                         [("bytes=0-65535", None), ("bytes=0-65535", None),
                          ("bytes=65536-99999", etags["l/a"])])
        self.assertEqual(self.object_requests("l/b"), [("bytes=0-65535", None)])
        self.assertEqual(self.object_requests("l/missing"), [("bytes=0-65535", None)])
        self.assertEqual(self.object_requests("l/c"),
                         [("bytes=0-65535", None), ("bytes=65536-69999", etags["l/c"]),
                          ("bytes=67768-69999", etags["l/c"])])


if __name__ == "__main__":
    unittest.main()
