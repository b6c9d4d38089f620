"""The installed library: `cmake --install`, then examples/ built against the
install alone and run against a local S3 server.

Python: the `python3` on PATH (3.11 with boto3 and moto), standard unittest:
    cd tests/integration && S3PULL_BUILD_DIR=../../build python3 -m unittest -v test_install

Once for the module, each step failing the suite if it fails: the build tree
(S3PULL_BUILD_DIR, default build/, already built) is installed into a
temporary prefix with `cmake --install`; examples/ is configured and built
against that prefix alone (CMAKE_PREFIX_PATH), warnings as errors; and
prefix_to_folder.cc once more with g++ and `pkg-config --static`
(PKG_CONFIG_PATH). Then:
  - the prefix holds the binary, the public headers, the library, the CMake
    package and s3pull.pc, and none of them names the source or build tree;
  - the examples' compile commands find headers in the prefix only;
  - both builds of prefix_to_folder download a prefix from moto's server
    byte for byte, and exit 1 when the listing fails;
  - keys_to_memory fetches keys into memory (one in ranged parts) with a
    result per key, a missing one included.
A moto that cannot start skips the last two (fails them when
S3PULL_REQUIRE_SERVERS names moto).
"""

from __future__ import annotations

import json
import os
import random
import shlex
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from s3servers import (MiB, REPO_ROOT, PerTestFolder, ServerPool, assert_tree_equal,
                       ensure_bucket, make_scratch_dir, relative_to_prefix, upload_objects)

BUILD_DIR = Path(os.environ.get("S3PULL_BUILD_DIR") or REPO_ROOT / "build").absolute()
CMAKE = os.environ.get("S3PULL_CMAKE") or "cmake"
CXX = os.environ.get("CXX") or "g++"
WARNINGS = ["-Wall", "-Wextra", "-Wpedantic", "-Werror"]

BUCKET = "install"
PREFIX = "data/"
rng = random.Random(20260214)
OBJECTS = {
    "data/a.txt": b"the first object\n",
    "data/sub/b.bin": rng.randbytes(100_000),
    "data/sub/deeper/c.bin": rng.randbytes(9 * MiB + 5),  # ranged parts of 8 MiB
    "data/empty": b"",
    "other/d.txt": b"not under the prefix",
}

SERVERS = ServerPool()


def run(argv: list[str], **kwargs) -> str:
    """Runs argv; its stdout, or AssertionError with its output when it fails."""
    proc = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          timeout=300, **kwargs)
    if proc.returncode != 0:
        raise AssertionError(f"{shlex.join(argv)} failed with status {proc.returncode}:\n"
                             f"{proc.stdout[-4000:]}{proc.stderr[-4000:]}")
    return proc.stdout


def pkg_config(*args: str) -> str:
    return run(["pkg-config", *args],
               env={**os.environ, "PKG_CONFIG_PATH": str(PREFIX_DIR / "lib" / "pkgconfig")})


def setUpModule():
    global WORK, PREFIX_DIR, EXAMPLES_BUILD, PROGRAMS
    WORK = Path(tempfile.mkdtemp(prefix="s3pull-install-"))
    PREFIX_DIR = WORK / "prefix"
    EXAMPLES_BUILD = WORK / "examples"
    try:
        run([CMAKE, "--install", str(BUILD_DIR), "--prefix", str(PREFIX_DIR)])
        run([CMAKE, "-S", str(REPO_ROOT / "examples"), "-B", str(EXAMPLES_BUILD),
             f"-DCMAKE_PREFIX_PATH={PREFIX_DIR}", "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON",
             "-DCMAKE_CXX_FLAGS=" + " ".join(WARNINGS)])
        run([CMAKE, "--build", str(EXAMPLES_BUILD)])
        # The static library needs --static; the rpath finds a shared one.
        flags = shlex.split(pkg_config("--static", "--cflags", "--libs", "s3pull"))
        pkg_config_program = WORK / "prefix_to_folder-pkg-config"
        run([CXX, "-std=c++20", *WARNINGS, str(REPO_ROOT / "examples" / "prefix_to_folder.cc"),
             "-o", str(pkg_config_program), *flags, f"-Wl,-rpath,{PREFIX_DIR / 'lib'}"])
        PROGRAMS = {"cmake": EXAMPLES_BUILD / "prefix_to_folder",
                    "pkg-config": pkg_config_program}
        SERVERS.start("moto")
    except BaseException:
        shutil.rmtree(WORK, ignore_errors=True)
        raise


def tearDownModule():
    SERVERS.stop_all()
    shutil.rmtree(WORK, ignore_errors=True)


class InstalledPackage(unittest.TestCase):
    def test_layout(self):
        headers = sorted(p.name for p in (REPO_ROOT / "include" / "s3pull").glob("*.h"))
        self.assertEqual(sorted(p.name for p in (PREFIX_DIR / "include" / "s3pull").iterdir()),
                         headers)
        for path in ["bin/s3pull", "lib/cmake/s3pull/s3pullConfig.cmake",
                     "lib/cmake/s3pull/s3pullConfigVersion.cmake",
                     "lib/cmake/s3pull/s3pullTargets.cmake", "lib/pkgconfig/s3pull.pc"]:
            self.assertTrue((PREFIX_DIR / path).is_file(), f"{path} is not installed")
        libraries = sorted(p.name for p in (PREFIX_DIR / "lib").glob("libs3pull*"))
        self.assertTrue(libraries == ["libs3pull.a"] or "libs3pull.so" in libraries, libraries)

    def test_no_source_or_build_paths(self):
        trees = {str(REPO_ROOT), os.path.realpath(REPO_ROOT), str(BUILD_DIR),
                 os.path.realpath(BUILD_DIR)}
        for folder in ["include", "lib/cmake", "lib/pkgconfig"]:
            for path in (PREFIX_DIR / folder).rglob("*"):
                if path.is_file():
                    text = path.read_text(errors="replace")
                    for tree in trees:
                        self.assertNotIn(tree, text, f"{path.relative_to(PREFIX_DIR)} names {tree}")

    def test_examples_see_the_installed_headers_only(self):
        cache = (EXAMPLES_BUILD / "CMakeCache.txt").read_text()
        self.assertIn(f"s3pull_DIR:PATH={PREFIX_DIR / 'lib' / 'cmake' / 's3pull'}\n", cache)
        commands = json.loads((EXAMPLES_BUILD / "compile_commands.json").read_text())
        self.assertTrue(commands)
        for command in commands:
            words = shlex.split(command["command"])
            dirs = [w[2:] or words[i + 1] for i, w in enumerate(words) if w.startswith("-I")]
            dirs += [words[i + 1] for i, w in enumerate(words) if w == "-isystem"]
            self.assertEqual({os.path.realpath(d) for d in dirs},
                             {os.path.realpath(PREFIX_DIR / "include")}, command["command"])

    def test_versions_agree(self):
        binary = run([str(PREFIX_DIR / "bin" / "s3pull"), "--version"]).split()[-1]
        pc = pkg_config("--modversion", "s3pull")
        config = (PREFIX_DIR / "lib" / "cmake" / "s3pull" / "s3pullConfigVersion.cmake").read_text()
        self.assertEqual(pc.strip(), binary)
        self.assertIn(f'set(PACKAGE_VERSION "{binary}")', config)


class ExampleTest(PerTestFolder, unittest.TestCase):
    """The examples against moto's server, holding OBJECTS."""

    @classmethod
    def setUpClass(cls):
        cls.server = SERVERS.get("moto")  # SkipTest with the reason
        client = cls.server.client()
        ensure_bucket(client, BUCKET)
        upload_objects(client, BUCKET, OBJECTS)
        # The endpoint the way users give it to the library: AWS_ENDPOINT_URL.
        cls.env = cls.server.s3pull_env(AWS_ENDPOINT_URL=cls.server.endpoint_url)
        cls.scratch = make_scratch_dir("s3pull-install-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.scratch, ignore_errors=True)

    def example(self, program: Path, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(program), *args], env=self.env, capture_output=True,
                              text=True, stdin=subprocess.DEVNULL, timeout=120)


class PrefixToFolder(ExampleTest):
    """examples/prefix_to_folder.cc, as built by CMake and with pkg-config."""

    def test_downloads_a_prefix(self):
        expected = relative_to_prefix(OBJECTS, PREFIX)
        for build, program in PROGRAMS.items():
            with self.subTest(build=build):
                dest = Path(self.dest) / build
                proc = self.example(program, f"s3://{BUCKET}/{PREFIX}", str(dest))
                self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
                assert_tree_equal(self, dest, expected)
                for name, data in expected.items():
                    self.assertIn(f"downloaded s3://{BUCKET}/{PREFIX}{name} -> {dest / name} "
                                  f"({len(data)} bytes)\n", proc.stdout)
                total = sum(map(len, expected.values()))
                self.assertRegex(proc.stdout, rf"(?m)^{len(expected)} objects: {len(expected)} "
                                 rf"downloaded, 0 unchanged, 0 failed, {total} bytes in ")

    def test_a_failed_listing_exits_1(self):
        for build, program in PROGRAMS.items():
            with self.subTest(build=build):
                proc = self.example(program, "s3://no-such-bucket/data/", self.dest)
                self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
                self.assertRegex(proc.stderr, r"^failed s3://no-such-bucket/data/: NoSuchBucket")
                self.assertIn("1 objects: 0 downloaded, 0 unchanged, 1 failed", proc.stdout)
                self.assertEqual(os.listdir(self.dest), [])


NEWLINE = b"\n"


def success_line(name: str, data: bytes) -> str:
    """What keys_to_memory prints for an object it fetched."""
    return f"{name}: Success ({len(data)} bytes, {data.count(NEWLINE)} lines)"


class KeysToMemory(ExampleTest):
    """examples/keys_to_memory.cc: a key list into memory, a result per key."""

    def test_a_result_per_key_as_each_finishes(self):
        keys = ["a.txt", "sub/deeper/c.bin", "empty", "missing", "sub/b.bin"]
        proc = self.example(EXAMPLES_BUILD / "keys_to_memory", f"s3://{BUCKET}/{PREFIX}", *keys)
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        lines = proc.stdout.splitlines()
        failures = [line for line in lines if not line.split(": ")[1].startswith("Success")]
        self.assertEqual(len(failures), 1, proc.stdout)
        self.assertRegex(failures[0], r"^missing: NoSuchKey \(HTTP 404\)")
        self.assertEqual(set(lines) - set(failures),
                         {success_line(key, OBJECTS[PREFIX + key])
                          for key in keys if PREFIX + key in OBJECTS})
        self.assertEqual(os.listdir(self.dest), [])

    def test_exits_0_when_every_key_is_fetched(self):
        proc = self.example(EXAMPLES_BUILD / "keys_to_memory", f"s3://{BUCKET}/data/sub/", "b.bin")
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(proc.stdout, success_line("b.bin", OBJECTS["data/sub/b.bin"]) + "\n")


if __name__ == "__main__":
    unittest.main()
