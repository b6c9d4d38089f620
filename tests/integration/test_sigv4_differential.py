"""Differential test of s3pull's SigV4 signer and request builders against botocore.

Thousands of generated object keys and listing queries are signed by
botocore's S3SigV4Auth (the reference) and by s3pull, through the
sigv4_dump tool (tests/tools/sigv4_dump.cc) with s3pull's own request
builders, at the same time with the same credentials. The canonical
request, string to sign, signature and Authorization header must be equal,
and so must the URL path that would be sent.

Needs S3PULL_TOOLS_DIR (the build's tests/ folder, holding sigv4_dump) and
botocore; run with the python3 on PATH:
    S3PULL_TOOLS_DIR=BUILD/tests python3 -m unittest -v test_sigv4_differential
"""

import datetime
import json
import os
import random
import string
import subprocess
import unittest
from unittest import mock
from urllib.parse import unquote_to_bytes

try:
    import botocore.auth
    import botocore.awsrequest
    import botocore.credentials
    import botocore.utils
except ImportError:  # reported by the skip below
    botocore = None

ENDPOINT = "http://127.0.0.1:9000"
HOST = "127.0.0.1:9000"
BASE_TIME = 1440938160  # 2015-08-30T12:36:00Z
IDENTITIES = [
    # (access key, secret, session token, region)
    ("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", "us-east-1"),
    ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "", "eu-west-1"),
    ("ASIAEXAMPLE", "s3cr3t+/=", "FwoGZXIvYXdzE+/token==", "ap-southeast-2"),
]
EXTRA_HEADERS = [
    [],
    [("Range", "bytes=0-8388607")],
    [("range", "  bytes=100-199  "), ("If-Match", '"0123456789abcdef-3"')],
    [("X-Amz-Server-Side-Encryption-Customer-Algorithm", "AES256"), ("If-Match", '"a  b"')],
]


def generated_keys():
    """Object keys as bytes: every printable ASCII character, dot segments,
    repeated slashes, spaces, multi-byte UTF-8, control bytes, long keys."""
    printable = [chr(c) for c in range(0x20, 0x7F)]
    specials = [c for c in printable if not c.isalnum()]
    keys = []
    for c in printable:
        keys += [c, "a" + c + "b", c + c, "dir/" + c + "/x", c + "/"]
    keys += [a + b for a in specials for b in specials]
    keys += [
        "//", "a//b", "///x///", "/leading", "trailing/", "/../", "a/../b", "../../etc/passwd",
        "./", "./a", "a/./b", ".", "..", "...", "a/.", "a/..", ".hidden", "%", "%2F", "%252F",
        "a%20b", "+", "a+b", " ", "  ", " leading", "trailing ", "a  b", "a b/c d",
        "caf\u00e9", "\u00df", "\u0436\u0443\u043a", "\u1234",
        "\u65e5\u672c\u8a9e/\u30d5\u30a1\u30a4\u30eb",
        "\u20ac100", "\U0001f600", "\U0001d11e", "\u00a0nbsp", "line\u2028sep", "\ufeffbom",
        "e\u0301", "\u05e9\u05dc\u05d5\u05dd", "\U00010348", "mixed/\u00e9/\U0001f600/ /+/%",
        "a" * 1024, "/" * 200, ("k\u00e9y/" * 100)[:700], "".join(printable) * 4,
    ]
    encoded = [k.encode("utf-8") for k in keys]
    encoded += [b"\x01", b"tab\tkey", b"new\nline", b"cr\r", b"\x7f", b"\xff", b"\xc3",
                b"\x80abc", b"bad\xe2\x82utf8"]
    rng = random.Random(20150830)
    alphabet = printable + ["\u00e9", "\u1234", "\U0001f600", "/", "/", " "]
    for _ in range(600):
        length = rng.randint(1, 60)
        encoded.append("".join(rng.choice(alphabet) for _ in range(length)).encode("utf-8"))
    return encoded


def generated_listings():
    """ListObjectsV2 parameters: prefixes, delimiters, continuation tokens
    with '=', '+' and '/', max-keys."""
    rng = random.Random(1440938160)
    prefixes = ["", "a", "dir/", "a b/", "x+y=z&w", "%", "\u00e9t\u00e9/", "\U0001f600",
                "//", "../", "~user/", "q?#[]", "".join(chr(c) for c in range(0x20, 0x7F))]
    tokens = ["", "abc", "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=",
              "a+b/c==", "+/=", "token with space"]
    b64 = string.ascii_letters + string.digits + "+/"
    for _ in range(40):
        body = "".join(rng.choice(b64) for _ in range(rng.randint(8, 120)))
        tokens.append(body + "=" * rng.randint(0, 2))
    listings = []
    for prefix in prefixes:
        for token in tokens[:8]:
            for delimiter, max_keys in (("", 1000), ("/", 2)):
                listings.append({"prefix": prefix, "continuation_token": token,
                                 "delimiter": delimiter, "max_keys": max_keys})
    for token in tokens[8:]:
        listings.append({"prefix": rng.choice(prefixes), "continuation_token": token,
                         "delimiter": rng.choice(["", "/", "-"]), "max_keys": rng.randint(1, 1000)})
    return listings


def botocore_sign(method, url, params, headers, identity, unix_time):
    """The reference: botocore's S3 signer on a path-style request."""
    access_key, secret, token, region = identity
    request = botocore.awsrequest.AWSRequest(method=method, url=url, params=params)
    for name, value in headers:
        request.headers[name] = value
    credentials = botocore.credentials.Credentials(access_key, secret, token or None)
    signer = botocore.auth.S3SigV4Auth(credentials, "s3", region)
    recorded = {}
    string_to_sign = signer.string_to_sign

    def record(request, canonical_request):
        recorded["canonical_request"] = canonical_request
        recorded["string_to_sign"] = string_to_sign(request, canonical_request)
        return recorded["string_to_sign"]

    # add_auth() reads the clock through get_current_datetime: pin it.
    when = datetime.datetime.fromtimestamp(unix_time, datetime.timezone.utc).replace(tzinfo=None)
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=when), \
            mock.patch.object(signer, "string_to_sign", record):
        signer.add_auth(request)
    authorization = request.headers["Authorization"]
    recorded["signature"] = authorization.rsplit("Signature=", 1)[1]
    recorded["authorization"] = authorization
    return recorded


def query_params(url):
    """The query of `url`, decoded, as [(name, value)] in the order sent."""
    query = url.partition("?")[2]
    pairs = []
    for item in query.split("&") if query else []:
        name, _, value = item.partition("=")
        pairs.append((unquote_to_bytes(name).decode("utf-8"),
                      unquote_to_bytes(value).decode("utf-8")))
    return pairs


@unittest.skipIf(botocore is None, "botocore is not installed")
@unittest.skipUnless(os.environ.get("S3PULL_TOOLS_DIR"),
                     "S3PULL_TOOLS_DIR is not set (the build folder holding sigv4_dump)")
class SigV4DifferentialTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tool = os.path.join(os.environ["S3PULL_TOOLS_DIR"], "sigv4_dump")
        if not os.access(cls.tool, os.X_OK):
            raise unittest.SkipTest(f"{cls.tool} is not built")

    def run_tool(self, inputs):
        """Signs every input in one sigv4_dump process; one output per input."""
        text = "".join(json.dumps(item) + "\n" for item in inputs)
        done = subprocess.run([self.tool], input=text.encode(), capture_output=True, timeout=120)
        self.assertEqual(done.returncode, 0, done.stderr.decode(errors="replace"))
        outputs = [json.loads(line) for line in done.stdout.decode().splitlines()]
        self.assertEqual(len(outputs), len(inputs))
        return outputs

    def assert_all_equal(self, cases, outputs, describe):
        mismatches = []
        for case, got in zip(cases, outputs):
            expected = case["expected"]
            if "error" in got:
                mismatches.append(f"{describe(case)}: sigv4_dump failed: {got['error']}")
                continue
            for field in ("url", "canonical_request", "string_to_sign", "signature",
                          "authorization"):
                if field in expected and got.get(field) != expected[field]:
                    mismatches.append(f"{describe(case)}: {field} differs\n"
                                      f"  s3pull:   {got.get(field)!r}\n"
                                      f"  botocore: {expected[field]!r}")
                    break
        if mismatches:
            self.fail(f"{len(mismatches)} of {len(cases)} requests differ; the first ones:\n"
                      + "\n".join(mismatches[:5]))

    def test_get_object_keys(self):
        cases = []
        for i, key in enumerate(generated_keys()):
            identity = IDENTITIES[i % len(IDENTITIES)]
            headers = EXTRA_HEADERS[i % len(EXTRA_HEADERS)]
            bucket = ("bkt", "my.bucket-1")[i % 2]
            unix_time = BASE_TIME + i * 7919  # crosses days
            # How botocore's serializer puts a {Key+} label into a path-style URL.
            url = f"{ENDPOINT}/{bucket}/{botocore.utils.percent_encode(key, safe='/~')}"
            expected = botocore_sign("GET", url, {}, headers, identity, unix_time)
            expected["url"] = url
            cases.append({
                "input": {"endpoint": ENDPOINT, "bucket": bucket, "key_hex": key.hex(),
                          "headers": headers, "access_key": identity[0],
                          "secret_key": identity[1], "session_token": identity[2],
                          "region": identity[3], "time": unix_time},
                "expected": expected, "key": key})
        self.assertGreater(len(cases), 2000)
        outputs = self.run_tool([case["input"] for case in cases])
        self.assert_all_equal(cases, outputs, lambda case: f"key {case['key']!r}")

    def test_list_objects_queries(self):
        listings = generated_listings()
        inputs = []
        for i, listing in enumerate(listings):
            identity = IDENTITIES[i % len(IDENTITIES)]
            inputs.append({
                "endpoint": ENDPOINT, "bucket": "bkt",
                "list": {"prefix_hex": listing["prefix"].encode().hex(),
                         "continuation_token": listing["continuation_token"],
                         "delimiter": listing["delimiter"], "max_keys": listing["max_keys"]},
                "access_key": identity[0], "secret_key": identity[1],
                "session_token": identity[2], "region": identity[3], "time": BASE_TIME + i})
        # The builder chooses which optional parameters to send (S3 reads an
        # empty one as absent); botocore encodes and orders whatever was sent.
        built = self.run_tool(inputs)
        cases = []
        for listing, item, out in zip(listings, inputs, built):
            self.assertNotIn("error", out, repr(listing))
            params = query_params(out["url"])
            sent = dict(params)
            self.assertEqual(len(sent), len(params), f"repeated parameter in {out['url']!r}")
            wanted = {"list-type": "2", "encoding-type": "url",
                      "max-keys": str(listing["max_keys"]), "prefix": listing["prefix"],
                      "delimiter": listing["delimiter"],
                      "continuation-token": listing["continuation_token"]}
            for name, value in wanted.items():
                self.assertEqual(sent.get(name, ""), value, f"{name} in {out['url']!r}")
            self.assertEqual(set(sent) - set(wanted), set(), out["url"])
            url = f"{ENDPOINT}/bkt"
            identity = (item["access_key"], item["secret_key"], item["session_token"],
                        item["region"])
            expected = botocore_sign("GET", url, params, [], identity, item["time"])
            expected["url"] = f"{url}?{expected['canonical_request'].split(chr(10))[2]}"
            cases.append({"input": item, "expected": expected, "listing": listing})
        # The URL sent must be exactly what was signed: path and sorted query.
        self.assert_all_equal(cases, built, lambda case: f"listing {case['listing']!r}")

    def test_signing_input_as_given(self):
        """The first input form: the canonical pieces given directly."""
        cases = []
        for i, key in enumerate(generated_keys()[:300]):
            identity = IDENTITIES[i % len(IDENTITIES)]
            path = f"/bkt/{botocore.utils.percent_encode(key, safe='/~')}"
            expected = botocore_sign("HEAD", ENDPOINT + path, {}, EXTRA_HEADERS[i % 4], identity,
                                     BASE_TIME - i * 86399)
            cases.append({
                "input": {"method": "HEAD", "host": HOST, "canonical_uri": path,
                          "canonical_query": "", "headers": EXTRA_HEADERS[i % 4],
                          "access_key": identity[0], "secret_key": identity[1],
                          "session_token": identity[2], "region": identity[3],
                          "time": BASE_TIME - i * 86399},
                "expected": expected, "key": key})
        outputs = self.run_tool([case["input"] for case in cases])
        self.assert_all_equal(cases, outputs, lambda case: f"key {case['key']!r}")


if __name__ == "__main__":
    unittest.main()
