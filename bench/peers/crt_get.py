"""The AWS Common Runtime S3 client as a benchmark peer (Debian's python3-awscrt).

One `awscrt.s3.S3Client.make_request(type=GET_OBJECT, recv_filepath=...)` per
key, up to --in-flight requests submitted at once; the CRT splits large
objects into ranged parts (--part-size) and sizes its connection pool from
--throughput-gbps. The CRT has no listing: the keys come from a file, one per
line (the harness writes it from its manifest, outside the timed run).

Python: Debian's /usr/bin/python3 (where python3-awscrt installs).
Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN).

    /usr/bin/python3 bench/peers/crt_get.py ENDPOINT BUCKET PREFIX KEYFILE DEST
        [--region us-east-1] [--ca-file FILE] [--in-flight 256]

Debian's awscrt 0.16 connects to the Host header's name on the scheme's
default port (80 or 443) whatever port the endpoint names: this script
refuses other ports rather than talk to the wrong server.

Exit status 0 when every key downloaded, 1 otherwise (failures on stderr).
"""

import argparse
import os
import sys
import threading
import urllib.parse

from awscrt.auth import AwsCredentialsProvider
from awscrt.http import HttpHeaders, HttpRequest
from awscrt.io import ClientBootstrap, ClientTlsContext, DefaultHostResolver, EventLoopGroup, \
    TlsContextOptions
from awscrt.s3 import S3Client, S3RequestTlsMode, S3RequestType


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("endpoint")
    parser.add_argument("bucket")
    parser.add_argument("prefix")
    parser.add_argument("keyfile")
    parser.add_argument("dest")
    parser.add_argument("--region", default=os.environ.get("AWS_REGION", "us-east-1"))
    parser.add_argument("--ca-file")
    parser.add_argument("--in-flight", type=int, default=256)
    parser.add_argument("--part-size", type=int, default=8 << 20)
    parser.add_argument("--throughput-gbps", type=float, default=10.0)
    args = parser.parse_args()

    url = urllib.parse.urlsplit(args.endpoint)
    tls = url.scheme == "https"
    default_port = 443 if tls else 80
    if url.port not in (None, default_port):
        sys.exit(f"crt_get: Debian's awscrt ignores the endpoint's port; {args.endpoint} "
                 f"must use port {default_port}")
    host = url.hostname

    with open(args.keyfile, encoding="utf-8") as f:
        keys = [line.rstrip("\n") for line in f if line.strip()]

    elg = EventLoopGroup()
    bootstrap = ClientBootstrap(elg, DefaultHostResolver(elg))
    credentials = AwsCredentialsProvider.new_static(
        os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"],
        os.environ.get("AWS_SESSION_TOKEN"))
    tls_options = None
    if tls:
        ctx_options = TlsContextOptions()
        if args.ca_file:
            ctx_options.override_default_trust_store_from_path(ca_filepath=args.ca_file)
        tls_options = ClientTlsContext(ctx_options).new_connection_options()
        tls_options.set_server_name(host)
    client = S3Client(bootstrap=bootstrap, region=args.region,
                      tls_mode=S3RequestTlsMode.ENABLED if tls else S3RequestTlsMode.DISABLED,
                      credential_provider=credentials, tls_connection_options=tls_options,
                      part_size=args.part_size, throughput_target_gbps=args.throughput_gbps)

    base_path = url.path.rstrip("/")
    slots = threading.Semaphore(args.in_flight)
    lock = threading.RLock()  # on_done may run on this thread, inside make_request
    all_done = threading.Event()
    state = {"pending": len(keys), "failed": []}
    requests = {}  # in flight: the S3Request objects are kept alive until their on_done
    finished_early = set()

    def finish(key, error, error_headers, error_body):
        with lock:
            if error is not None:
                body = (error_body or b"")[:300]
                state["failed"].append(f"{key}: {error!r} {body!r}")
            if requests.pop(key, None) is None:
                finished_early.add(key)
            state["pending"] -= 1
            if state["pending"] == 0:
                all_done.set()
        slots.release()

    made = set()
    for key in keys:
        path = os.path.join(args.dest, key[len(args.prefix):])
        parent = os.path.dirname(path)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        quoted = urllib.parse.quote(f"{base_path}/{args.bucket}/{key}", safe="/~")
        request = HttpRequest("GET", quoted, HttpHeaders([("Host", host)]))
        slots.acquire()

        def on_done(error=None, error_headers=None, error_body=None, _key=key, **kwargs):
            finish(_key, error, error_headers, error_body)

        with lock:
            req = client.make_request(request=request, type=S3RequestType.GET_OBJECT,
                                      recv_filepath=path, on_done=on_done)
            if key in finished_early:
                finished_early.discard(key)
            else:
                requests[key] = req
    if keys:
        all_done.wait()
    for failure in state["failed"]:
        print(f"failed {failure}", file=sys.stderr)
    sys.exit(1 if state["failed"] else 0)


if __name__ == "__main__":
    main()
