"""The classic boto3 thread-pool download (the `seed` peer): what the tutorials show.

One boto3 client shared by a ThreadPoolExecutor(max_workers=8), the prefix
listed with the list_objects_v2 paginator, `download_file` per key, results
yielded as (key, "Success" | exception) as they finish.

Python: the `python3` on PATH with boto3 (not Debian's /usr/bin/python3).
Credentials and AWS_CA_BUNDLE come from the environment.

    python3 bench/peers/seed_get.py ENDPOINT BUCKET PREFIX DEST [--workers 8]

Exit status 0 when every key downloaded, 1 otherwise (failures on stderr).
"""

import argparse
import concurrent.futures
import os
import sys

import boto3
from botocore.config import Config


def classic_download(endpoint, bucket, prefix, dest, workers):
    s3 = boto3.client("s3", endpoint_url=endpoint,
                      config=Config(s3={"addressing_style": "path"}))
    keys = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix=prefix) for o in page.get("Contents", [])]

    def download(key):
        path = os.path.join(dest, key[len(prefix):])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        s3.download_file(bucket, key, path)

    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as executor:
        futures = {executor.submit(download, key): key for key in keys}
        for future in concurrent.futures.as_completed(futures):
            key = futures[future]
            try:
                future.result()
                yield key, "Success"
            except Exception as e:  # noqa: BLE001 (reported per key, as the tutorials do)
                yield key, e


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("endpoint")
    parser.add_argument("bucket")
    parser.add_argument("prefix")
    parser.add_argument("dest")
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    failed = 0
    for key, result in classic_download(args.endpoint, args.bucket, args.prefix, args.dest,
                                        args.workers):
        if result != "Success":
            failed += 1
            print(f"failed {key}: {result}", file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
