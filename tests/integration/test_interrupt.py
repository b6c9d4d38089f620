"""Killing s3pull mid-download: a final path only ever holds a complete file.

Python: the `python3` on PATH (3.11), standard unittest:
    cd tests/integration && S3PULL_BIN=../../build/s3pull python3 -m unittest -v test_interrupt

A 192 MiB object (S3PULL_KILL_TEST_MIB=2048 for a multi-GiB one; about a
minute more) and a few small ones, served by fault_server's in-memory S3
server, downloaded in 8 MiB parts; s3pull is stopped at random moments:
  - SIGKILL: the final path is absent or byte-identical, never partial; each
    re-run fetches only the parts the journal beside the temporary file does
    not name as done, and the last one completes every file;
  - SIGINT (Ctrl-C): exit 130, nothing at the final path of an unfinished
    object, nothing left but the big object's resumable state (its temporary
    file and journal), from which a re-run fetches only the missing parts.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import time
import unittest

from fault_server import FaultServer
from s3servers import clean_aws_env, make_scratch_dir, s3pull_bin

BUCKET = "interrupt"
MiB = 1024 * 1024
PART = 8 * MiB
BIG_MIB = int(os.environ.get("S3PULL_KILL_TEST_MIB", "192"))


def random_bytes(seed: int, size: int) -> bytes:
    rng = random.Random(seed)
    return b"".join(rng.randbytes(min(MiB, size - at)) for at in range(0, size, MiB))


OBJECTS = {
    "big.bin": random_bytes(1, BIG_MIB * MiB),
    "small/a": random.Random(2).randbytes(1000),
    "small/b": random.Random(3).randbytes(300_000),
}


class InterruptTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = FaultServer().start()
        cls.server.create_bucket(BUCKET)
        for key, content in OBJECTS.items():
            cls.server.put(BUCKET, key, content)
        cls.env = clean_aws_env(AWS_ACCESS_KEY_ID="AKIDINTERRUPT", AWS_SECRET_ACCESS_KEY="secret")
        cls.scratch = make_scratch_dir("s3pull-interrupt-")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.scratch, ignore_errors=True)

    def start(self, dest: str, source: str = f"s3://{BUCKET}/",
              event_loops: int = 1) -> subprocess.Popen:
        return subprocess.Popen(
            [s3pull_bin(), "cp", "-q", "--endpoint-url", self.server.endpoint_url,
             "--concurrency", "8", "--part-size", "8MiB", "--event-loops", str(event_loops),
             source, dest],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def final_files(self, dest: str) -> dict[str, bytes]:
        found = {}
        for dirpath, _, names in os.walk(dest):
            for name in names:
                if name.startswith(".s3pull-"):
                    continue
                path = os.path.join(dirpath, name)
                with open(path, "rb") as f:
                    found[os.path.relpath(path, dest)] = f.read()
        return found

    def temp_files(self, dest: str) -> list[str]:
        return sorted(name for _, _, names in os.walk(dest) for name in names
                      if name.startswith(".s3pull-"))

    def parts_done(self, dest: str) -> set[int]:
        """The parts of big.bin the journal names as on disk."""
        done = set()
        for name in self.temp_files(dest):
            if name.endswith(".journal"):
                with open(os.path.join(dest, name)) as f:
                    done |= {int(line[5:]) for line in f.read().split("\n")
                             if line.startswith("done ")}
        return done

    def big_ranges_requested(self) -> set[int]:
        """The parts of big.bin requested since the log was cleared."""
        parts = set()
        for request in self.server.requests_for(BUCKET, "big.bin"):
            first = int(request.range.removeprefix("bytes=").split("-")[0])
            parts.add(first // PART)
        return parts

    def interrupt_when(self, proc: subprocess.Popen, condition, never: str) -> str:
        """Sends SIGINT once condition() holds (within 20 s; else fails with
        `never`); asserts exit status 130 and returns stderr."""
        deadline = time.monotonic() + 20
        while not condition() and time.monotonic() < deadline:
            time.sleep(0.01)
        self.assertTrue(condition(), never)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=30)
        text = stderr.decode(errors="replace")
        self.assertEqual(proc.returncode, 130, text)
        return text

    def rerun_fetches_only_missing_parts(self, dest: str) -> None:
        # A kill after the rename leaves the object complete: the re-run
        # keeps it (its file is as the killed run left it) and fetches none
        # of it.
        already_complete = "big.bin" in self.final_files(dest)
        done = self.parts_done(dest)
        self.server.clear_log()
        proc = self.start(dest)
        _, stderr = proc.communicate(timeout=120)
        self.assertEqual(proc.returncode, 0, stderr.decode(errors="replace"))
        self.assertEqual(self.final_files(dest), OBJECTS)
        self.assertEqual(self.temp_files(dest), [])
        requested = self.big_ranges_requested()
        all_parts = set(range(len(OBJECTS["big.bin"]) // PART))
        if already_complete:
            self.assertEqual(requested, set())
        elif done == all_parts:  # everything was on disk: one part is fetched to finish
            self.assertEqual(len(requested), 1)
        else:
            self.assertEqual(requested, all_parts - done)

    def test_sigkill_never_leaves_a_partial_file(self):
        rng = random.Random(20261126)
        dest = os.path.join(self.scratch, "kill")
        for attempt in range(6):
            proc = self.start(dest)
            time.sleep(rng.uniform(0.05, 1.2 * BIG_MIB / 192))  # within a download's time
            proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=30)
            final = self.final_files(dest)
            for key, content in final.items():
                self.assertEqual(content, OBJECTS[key],
                                 f"attempt {attempt}: {key} at its final path is not complete")
            # Only objects not at their final path may leave temporary files:
            # big.bin its .part and .journal (kept to resume), a small one its
            # .part when the kill came during its download.
            missing = [key for key in OBJECTS if key not in final]
            bound = sum(2 if key == "big.bin" else 1 for key in missing)
            self.assertLessEqual(len(self.temp_files(dest)), bound, self.temp_files(dest))
        self.rerun_fetches_only_missing_parts(dest)

    def test_ctrl_c_stops_cleanly(self):
        self.ctrl_c_stops_cleanly(os.path.join(self.scratch, "interrupt"), event_loops=1)

    def test_ctrl_c_stops_every_event_loop_cleanly(self):
        self.ctrl_c_stops_cleanly(os.path.join(self.scratch, "interrupt-loops"), event_loops=3)

    def ctrl_c_stops_cleanly(self, dest: str, event_loops: int) -> None:
        proc = self.start(dest, event_loops=event_loops)
        # Once the big object's journal exists, its download is under way.
        text = self.interrupt_when(
            proc, lambda: any(name.endswith(".journal") for name in self.temp_files(dest)),
            "the big object's download never started")
        self.assertIn("Interrupted", text)
        left = self.temp_files(dest)
        self.assertEqual(len(left), 2, f"expected the resumable state only: {left}")
        self.assertTrue(left[0].endswith(".journal") and left[1].endswith(".part"), left)
        for key, content in self.final_files(dest).items():
            self.assertEqual(content, OBJECTS[key], f"{key} at its final path is not complete")
        self.assertNotIn("big.bin", self.final_files(dest))
        self.rerun_fetches_only_missing_parts(dest)

    def test_a_named_key_resumes_after_its_first_part(self):
        """A key named on the command line has no listed size: the re-run's
        first request discovers it (fetching part 0 again), then only the
        parts the journal does not name follow."""
        dest = os.path.join(self.scratch, "named")
        os.makedirs(dest)
        target = os.path.join(dest, "big.bin")
        source = f"s3://{BUCKET}/big.bin"
        proc = self.start(target, source)
        self.interrupt_when(proc, lambda: self.parts_done(dest), "no part was ever finished")
        done = self.parts_done(dest)
        self.server.clear_log()
        proc = self.start(target, source)
        _, stderr = proc.communicate(timeout=120)
        self.assertEqual(proc.returncode, 0, stderr.decode(errors="replace"))
        self.assertEqual(self.final_files(dest), {"big.bin": OBJECTS["big.bin"]})
        self.assertEqual(self.temp_files(dest), [])
        all_parts = set(range(len(OBJECTS["big.bin"]) // PART))
        self.assertEqual(self.big_ranges_requested(), (all_parts - done) | {0})


if __name__ == "__main__":
    unittest.main()
