"""Credentials and SigV4 signing of `s3pull cp`, against a server that checks them.

Python: the `python3` on PATH (3.11 with boto3 and moto), standard unittest:
    cd tests/integration && S3PULL_BIN=../../build/s3pull python3 -m unittest -v test_auth

moto's server runs with INITIAL_NO_AUTH_ACTION_COUNT: its first requests
create an IAM user (allowed s3:*) with an access key, and temporary role
credentials with a session token; from then on every request must be signed
with those keys. Two moto quirks shape the data here:
  - its signature check is wrong for keys with '+', '=', '&', '(', ')' or
    non-ASCII characters, and for query values with '/' or ' ' (so a listing
    with prefix "dir/" fails with SignatureDoesNotMatch although it is signed
    correctly): object keys are plain, and listings are of whole buckets;
  - an unsigned ListObjectsV2 makes it fail with HTTP 500, and an unsigned
    GET gets an empty 403: --no-sign-request is tested on single keys.
"""

from __future__ import annotations

import os
import random
import shutil
import unittest

from s3servers import (MiB, PerTestFolder, ServerPool, assert_tree_equal, clean_aws_env,
                       ensure_bucket, failed_lines, make_scratch_dir, ok_lines, run_s3pull,
                       summary, upload_objects, walk_tree)

BUCKET = "authdata"


def build_dataset() -> dict[str, bytes]:
    rng = random.Random(4242)
    objects = {f"docs/page-{i:02d}.txt": rng.randbytes(rng.randrange(0, 20000)) for i in range(40)}
    objects.update({
        "docs/with space.txt": b"space in the key",
        "docs/tilde~dash-under_score.dot.txt": rng.randbytes(777),
        "deep/a/b/c/d.bin": rng.randbytes(65536),
        "empty": b"",
        "big/twelve.bin": rng.randbytes(12 * MiB),  # multipart upload: 2 parts
    })
    return objects


DATA = build_dataset()
SERVERS = ServerPool()


def setUpModule():
    SERVERS.start("moto", auth=True)


def tearDownModule():
    SERVERS.stop_all()


class AuthTests(PerTestFolder, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = SERVERS.get("moto")
        client = cls.server.client()
        ensure_bucket(client, BUCKET)
        upload_objects(client, BUCKET, DATA, multipart_threshold=8 * MiB, part_size=8 * MiB)
        cls.scratch = make_scratch_dir("s3pull-auth-")
        cls.secrets = [cls.server.secret_key, cls.server.session_credentials["secret_key"],
                       cls.server.session_credentials["session_token"]]

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.scratch, ignore_errors=True)

    def cp(self, *args, env):
        run = run_s3pull(["cp", "--endpoint-url", self.server.endpoint_url, *args], env=env)
        self.assertNoSecrets(run, *env.values())
        return run

    def assertNoSecrets(self, run, *extra):
        output = run.stdout + run.stderr
        for secret in self.secrets + [v for v in extra if v.startswith(SECRET_MARK)]:
            self.assertNotIn(secret, output, "a secret appears in the output")

    def assertExit(self, run, code):
        self.assertEqual(run.code, code, f"unexpected exit status{run.describe()}")

    def assertOneFailure(self, run, key, code):
        """Exit 1, one failure line naming s3://BUCKET/key and the error code, no files."""
        self.assertExit(run, 1)
        failed = failed_lines(run.stderr)
        self.assertEqual([(m["bucket"], m["key"]) for m in failed], [(BUCKET, key)],
                         run.describe())
        self.assertIn(code, failed[0]["error"], run.describe())
        self.assertEqual(ok_lines(run.stdout), [])
        self.assertEqual(walk_tree(self.dest), ({}, set()), "nothing written")

    def key_env(self, access_key=None, secret_key=None, **extra):
        return clean_aws_env(AWS_ACCESS_KEY_ID=access_key or self.server.access_key,
                             AWS_SECRET_ACCESS_KEY=secret_key or self.server.secret_key,
                             **extra)

    # --- right credentials ---------------------------------------------------------
    def test_whole_bucket_with_environment_keys(self):
        run = self.cp(f"s3://{BUCKET}/", self.dest, env=self.key_env())
        self.assertExit(run, 0)
        assert_tree_equal(self, self.dest, DATA, run.describe())
        s = summary(run.stderr)
        self.assertIsNotNone(s, run.describe())
        self.assertEqual((int(s["downloaded"]), int(s["failed"]), int(s["bytes"])),
                         (len(DATA), 0, sum(map(len, DATA.values()))))

    def test_single_keys_with_environment_keys(self):
        for key in ("docs/with space.txt", "big/twelve.bin", "empty", "deep/a/b/c/d.bin"):
            with self.subTest(key=key):
                path = os.path.join(self.dest, "out")
                run = self.cp(f"s3://{BUCKET}/{key}", path, env=self.key_env())
                self.assertExit(run, 0)
                assert_tree_equal(self, self.dest, {"out": DATA[key]}, run.describe())
                os.remove(path)

    def test_get_object_attributes_is_signed(self):
        # A multipart upload with CRC32 part checksums: s3pull asks for its
        # parts with GetObjectAttributes, signing its x-amz-object-attributes
        # and x-amz-max-parts headers, which the server checks. Where the
        # server lists no parts (moto), --checksum required then fails for
        # that reason, not for the signature.
        client = self.server.client()
        bucket = "authcomposite"
        ensure_bucket(client, bucket)
        body = random.Random(7).randbytes(6 * MiB)
        upload = client.create_multipart_upload(Bucket=bucket, Key="obj", ChecksumAlgorithm="CRC32")
        parts = []
        for number, first in enumerate((0, 5 * MiB), start=1):
            reply = client.upload_part(Bucket=bucket, Key="obj", UploadId=upload["UploadId"],
                                       PartNumber=number, Body=body[first:first + 5 * MiB],
                                       ChecksumAlgorithm="CRC32")
            parts.append({"PartNumber": number, "ETag": reply["ETag"],
                          "ChecksumCRC32": reply["ChecksumCRC32"]})
        client.complete_multipart_upload(Bucket=bucket, Key="obj", UploadId=upload["UploadId"],
                                         MultipartUpload={"Parts": parts})
        listed = client.get_object_attributes(Bucket=bucket, Key="obj",
                                              ObjectAttributes=["ObjectParts"])
        path = os.path.join(self.dest, "obj")
        run = self.cp("--checksum", "required", "--part-size", "5MiB", f"s3://{bucket}/obj", path,
                      env=self.key_env())
        if listed.get("ObjectParts", {}).get("Parts"):
            self.assertExit(run, 0)
            assert_tree_equal(self, self.dest, {"obj": body}, run.describe())
        else:
            self.assertExit(run, 1)
            self.assertIn("its checksum is composite and the server lists no checksums of its "
                          "parts", run.stderr, run.describe())

    def test_glob_with_environment_keys(self):
        # No '/' before the first wildcard: the listing is of the whole bucket.
        run = self.cp(f"s3://{BUCKET}/*/page-1?.txt", self.dest, env=self.key_env())
        self.assertExit(run, 0)
        assert_tree_equal(self, self.dest, {k: v for k, v in DATA.items()
                                            if k.startswith("docs/page-1")}, run.describe())

    def test_region_from_environment_and_flag(self):
        # moto accepts any region in the credential scope; what matters is
        # that the request is signed consistently for it.
        for label, args, extra in [("AWS_REGION", [], {"AWS_REGION": "eu-west-3"}),
                                   ("AWS_DEFAULT_REGION", [], {"AWS_DEFAULT_REGION": "ap-south-1"}),
                                   ("--region", ["--region", "us-west-2"], {})]:
            with self.subTest(label):
                path = os.path.join(self.dest, "r")
                run = self.cp(*args, f"s3://{BUCKET}/docs/page-01.txt", path,
                              env=self.key_env(**extra))
                self.assertExit(run, 0)
                with open(path, "rb") as f:
                    self.assertEqual(f.read(), DATA["docs/page-01.txt"])
                os.remove(path)

    def test_session_token(self):
        creds = self.server.session_credentials
        env = self.key_env(creds["access_key"], creds["secret_key"],
                           AWS_SESSION_TOKEN=creds["session_token"])
        run = self.cp(f"s3://{BUCKET}/", self.dest, env=env)
        self.assertExit(run, 0)
        assert_tree_equal(self, self.dest, DATA, run.describe())

    def test_temporary_keys_without_their_token_fail(self):
        creds = self.server.session_credentials
        env = self.key_env(creds["access_key"], creds["secret_key"])
        run = self.cp(f"s3://{BUCKET}/empty", os.path.join(self.dest, "x"), env=env)
        self.assertOneFailure(run, "empty", "InvalidAccessKeyId")

    # --- wrong credentials -------------------------------------------------------------
    def test_wrong_secret_signature_does_not_match(self):
        env = self.key_env(secret_key=SECRET_MARK + "wrong-secret-0123456789")
        with self.subTest("listing"):
            run = self.cp(f"s3://{BUCKET}/", self.dest, env=env)
            self.assertOneFailure(run, "", "SignatureDoesNotMatch")
            self.assertIn("403", run.stderr)
        with self.subTest("single key"):
            run = self.cp(f"s3://{BUCKET}/docs/page-00.txt", os.path.join(self.dest, "x"),
                          env=env)
            self.assertOneFailure(run, "docs/page-00.txt", "SignatureDoesNotMatch")

    def test_unknown_access_key_id(self):
        env = self.key_env("AKIAUNKNOWNUNKNOWN00", SECRET_MARK + "unknown-key-secret")
        with self.subTest("listing"):
            run = self.cp(f"s3://{BUCKET}/", self.dest, env=env)
            self.assertOneFailure(run, "", "InvalidAccessKeyId")
        with self.subTest("single key"):
            run = self.cp(f"s3://{BUCKET}/empty", os.path.join(self.dest, "x"), env=env)
            self.assertOneFailure(run, "empty", "InvalidAccessKeyId")

    def test_no_sign_request_is_denied(self):
        # Wrong keys in the environment: --no-sign-request must not use them
        # (a signed request would get SignatureDoesNotMatch, not a plain 403).
        env = self.key_env(secret_key=SECRET_MARK + "ignored-secret")
        run = self.cp("--no-sign-request", f"s3://{BUCKET}/docs/page-00.txt",
                      os.path.join(self.dest, "x"), env=env)
        self.assertOneFailure(run, "docs/page-00.txt", "403")
        self.assertNotIn("SignatureDoesNotMatch", run.stderr)

    # --- credentials and config files ------------------------------------------------
    def write(self, name, text):
        path = os.path.join(self.root, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def files_env(self, credentials="", config="", **extra):
        return clean_aws_env(AWS_SHARED_CREDENTIALS_FILE=self.write("credentials", credentials),
                             AWS_CONFIG_FILE=self.write("config", config), **extra)

    def credentials_text(self):
        return (f"[default]\naws_access_key_id = AKIADEFAULTBOGUS0000\n"
                f"aws_secret_access_key = {SECRET_MARK}default-bogus\n\n"
                f"[tester]\naws_access_key_id = {self.server.access_key}\n"
                f"aws_secret_access_key = {self.server.secret_key}\n")

    def test_profile_from_shared_credentials_file(self):
        env = self.files_env(self.credentials_text())
        run = self.cp("--profile", "tester", f"s3://{BUCKET}/", self.dest, env=env)
        self.assertExit(run, 0)
        assert_tree_equal(self, self.dest, DATA, run.describe())

    def test_aws_profile_environment_variable(self):
        env = self.files_env(self.credentials_text(), AWS_PROFILE="tester")
        run = self.cp(f"s3://{BUCKET}/deep/a/b/c/d.bin", self.dest, env=env)
        self.assertExit(run, 0)
        assert_tree_equal(self, self.dest, {"d.bin": DATA["deep/a/b/c/d.bin"]}, run.describe())

    def test_default_profile_is_used_without_profile(self):
        env = self.files_env(self.credentials_text())
        run = self.cp(f"s3://{BUCKET}/empty", os.path.join(self.dest, "x"), env=env)
        self.assertOneFailure(run, "empty", "InvalidAccessKeyId")

    def test_explicit_profile_beats_environment_keys(self):
        env = self.files_env(self.credentials_text(), AWS_ACCESS_KEY_ID="AKIAENVBOGUS00000000",
                             AWS_SECRET_ACCESS_KEY=SECRET_MARK + "env-bogus")
        run = self.cp("--profile", "tester", f"s3://{BUCKET}/empty", self.dest, env=env)
        self.assertExit(run, 0)
        assert_tree_equal(self, self.dest, {"empty": b""}, run.describe())

    def test_environment_keys_beat_aws_profile(self):
        bogus = "[bogus]\naws_access_key_id = AKIABOGUS00000000000\n" \
                f"aws_secret_access_key = {SECRET_MARK}bogus\n"
        env = self.files_env(bogus, AWS_PROFILE="bogus", AWS_ACCESS_KEY_ID=self.server.access_key,
                             AWS_SECRET_ACCESS_KEY=self.server.secret_key)
        run = self.cp(f"s3://{BUCKET}/empty", self.dest, env=env)
        self.assertExit(run, 0)

    def test_missing_profile_is_a_configuration_error(self):
        env = self.files_env(self.credentials_text())
        run = self.cp("--profile", "no-such-profile", f"s3://{BUCKET}/empty", self.dest, env=env)
        self.assertExit(run, 2)
        self.assertIn("no-such-profile", run.stderr)
        self.assertEqual(walk_tree(self.dest), ({}, set()))

    def test_keys_and_region_in_config_file_profile(self):
        config = (f"[profile cfg]\nregion = eu-central-1\n"
                  f"aws_access_key_id = {self.server.access_key}\n"
                  f"aws_secret_access_key = {self.server.secret_key}\n")
        env = self.files_env("", config)
        run = self.cp("--profile", "cfg", f"s3://{BUCKET}/docs/with space.txt", self.dest, env=env)
        self.assertExit(run, 0)
        assert_tree_equal(self, self.dest, {"with space.txt": DATA["docs/with space.txt"]},
                          run.describe())

    def test_session_token_in_credentials_file(self):
        creds = self.server.session_credentials
        text = (f"[temp]\naws_access_key_id = {creds['access_key']}\n"
                f"aws_secret_access_key = {creds['secret_key']}\n"
                f"aws_session_token = {creds['session_token']}\n")
        run = self.cp("--profile", "temp", f"s3://{BUCKET}/big/twelve.bin", self.dest,
                      env=self.files_env(text))
        self.assertExit(run, 0)
        assert_tree_equal(self, self.dest, {"twelve.bin": DATA["big/twelve.bin"]}, run.describe())


# Secrets made up by the tests start with this, so assertNoSecrets finds them.
SECRET_MARK = "sEcReT-"


if __name__ == "__main__":
    unittest.main()
