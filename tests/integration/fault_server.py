"""A scripted S3-compatible server on loopback, for faults that a real server
cannot produce on demand.

Python: the `python3` on PATH (3.11); standard library only.

FaultServer serves buckets and objects from memory, path-style, with the S3
semantics a downloader depends on:

  GET /BUCKET?list-type=2   ListObjectsV2: prefix, delimiter, max-keys,
                            start-after, continuation-token, encoding-type=url
                            (keys and prefixes %-encoded), pages of at most
                            `page_size` entries (IsTruncated and an opaque
                            NextContinuationToken)
  GET /BUCKET/KEY           the object; `Range: bytes=A-B`, `bytes=A-` and
                            `bytes=-N` answer 206 with Content-Range, 416
                            InvalidRange on an empty object or past the end;
                            `If-Match` answers 412 PreconditionFailed when it
                            is not the current ETag
  HEAD /BUCKET/KEY          the same headers, no body
  GET /BUCKET/KEY?attributes GetObjectAttributes: ETag, ObjectSize, and for an
                            object put with `part_sizes` its composite
                            Checksum and ObjectParts (each part's number,
                            size and checksum), at most `x-amz-max-parts` (and
                            `parts_page_size`) parts after
                            `x-amz-part-number-marker`, IsTruncated and
                            NextPartNumberMarker

The ETag is the quoted MD5 of the content, or a multipart-style "MD5-N" when
the object is put with `multipart_parts=N`. An object put with
`part_sizes=[...]` was "uploaded" in parts of those sizes with checksums
(`checksum_algorithm` CRC32, SHA1 or SHA256): whole replies (GET without
Range, HEAD) to requests with `x-amz-checksum-mode: ENABLED` carry its
composite checksum, `x-amz-checksum-ALGORITHM: BASE64-N` with
`x-amz-checksum-type: COMPOSITE`, as S3 sends them. Errors carry S3's XML body
(<Error><Code/><Message/><RequestId/></Error>). Every response has a Date
header and a Content-Length, and connections are kept alive (HTTP/1.1), so a
client's connection reuse works. Any Authorization is accepted; signatures
are not checked. With `max_skew` set, a request whose X-Amz-Date is further
than that from the server's clock (real time plus `clock_offset`) is refused
with 403 RequestTimeTooSkewed, as S3 does.

Every request is recorded (`requests`: method, path, query, headers, the
bucket and key, and the fault it got) for assertions.

Faults are scripted per object (`add_faults(bucket, key, ...)`) or per
listing (`add_listing_faults(bucket, ...)`) as a queue: each fault applies to
the next request that it matches (all requests, unless it was made with
`match=`) and is then used up. The kinds, made with the functions below:

  ok()                    serve normally (a placeholder that uses up one request)
  error(status, code)     an S3 error reply; `date_offset` moves its Date header
  reset_after(n)          headers and n body bytes, then a TCP reset (SO_LINGER 0)
  close_early()           headers with the full Content-Length, half the body, close
  flip_byte()             the right status and length, one byte of the body inverted
  wrong_content_range()   a Content-Range off by `first_delta`, or of another total
  ignore_range()          200 and the whole object in answer to a Range
  stall(seconds, after)   nothing (after=None) or headers and `after` body bytes,
                          then silence for `seconds` before the rest
  change_object(data)     serve this request, then replace the object (new ETag)
  ignore_if_match()       serve the current version whatever If-Match says (as
                          servers without conditional GETs do), with its ETag
  huge_error(size)        an error status with a body of `size` bytes
  repeat_token()          (listings) a page whose NextContinuationToken is the
                          token of the request itself: a server going round in
                          circles

Use as a context manager:

    with FaultServer(page_size=2) as server:
        server.put("bucket", "key", b"data")
        server.add_faults("bucket", "key", error(503, "SlowDown"))
        ... point a client at server.endpoint_url ...
        server.requests_for("bucket", "key")
"""

from __future__ import annotations

import base64
import binascii
import calendar
import dataclasses
import email.utils
import fcntl
import hashlib
import http.server
import itertools
import os
import socket
import struct
import threading
import time
import urllib.parse
import zlib
from typing import Callable
from xml.sax.saxutils import escape

S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"
# Before a half-sent reply is reset, the bytes sent must have reached the
# client: a reset discards what is still in the sender's queue (the client
# keeps, and can read, what it has received). At most this long (seconds).
_DRAIN_TIMEOUT = 2.0
_SIOCOUTQ = 0x5411  # bytes not yet acknowledged by the peer (Linux TIOCOUTQ)


# --- faults ----------------------------------------------------------------------

@dataclasses.dataclass
class Fault:
    """One scripted misbehaviour (see the module docstring); build it with
    the functions below."""

    kind: str
    status: int = 0
    code: str = ""
    message: str = ""
    request_id: str | None = None
    date_offset: float = 0.0
    nbytes: int | None = None
    seconds: float = 0.0
    content: bytes | None = None
    multipart_parts: int | None = None
    first_delta: int = 0
    total_delta: int = 0
    size: int = 0
    match: Callable[["RecordedRequest"], bool] | None = None

    def matches(self, request: "RecordedRequest") -> bool:
        return self.match is None or bool(self.match(request))


def ok(match=None) -> Fault:
    return Fault("ok", match=match)


def error(status: int, code: str, message: str = "", *, request_id: str | None = None,
          date_offset: float = 0.0, match=None) -> Fault:
    """An S3 error reply. `date_offset` seconds are added to its Date header
    (for RequestTimeTooSkewed)."""
    return Fault("error", status=status, code=code, message=message or f"Injected {code}",
                 request_id=request_id, date_offset=date_offset, match=match)


def reset_after(nbytes: int, match=None) -> Fault:
    return Fault("reset", nbytes=nbytes, match=match)


def close_early(match=None) -> Fault:
    return Fault("close_early", match=match)


def flip_byte(match=None) -> Fault:
    return Fault("flip_byte", match=match)


def wrong_content_range(first_delta: int = 1, total_delta: int = 0, match=None) -> Fault:
    """The reported range is shifted by `first_delta` (both ends) and its
    total changed by `total_delta`; the body is the right one."""
    return Fault("wrong_content_range", first_delta=first_delta, total_delta=total_delta,
                 match=match)


def ignore_range(match=None) -> Fault:
    return Fault("ignore_range", match=match)


def stall(seconds: float, after_bytes: int | None = None, match=None) -> Fault:
    """Silence for `seconds`: before anything is sent (after_bytes None), or
    after the headers and `after_bytes` body bytes."""
    return Fault("stall", seconds=seconds, nbytes=after_bytes, match=match)


def change_object(content: bytes, multipart_parts: int | None = None, match=None) -> Fault:
    """This request is served as usual; afterwards the object holds `content`."""
    return Fault("change_object", content=content, multipart_parts=multipart_parts, match=match)


def ignore_if_match(match=None) -> Fault:
    return Fault("ignore_if_match", match=match)


def huge_error(size: int = 20 * 1024 * 1024, status: int = 500, code: str = "InternalError",
               match=None) -> Fault:
    return Fault("huge_error", status=status, code=code, size=size, match=match)


def repeat_token(match=None) -> Fault:
    """(listings) Answers a request that carries a continuation token with a
    truncated page whose NextContinuationToken is that same token."""
    if match is None:
        match = lambda request: "continuation-token" in request.query
    return Fault("repeat_token", match=match)


# --- the store -------------------------------------------------------------------

@dataclasses.dataclass
class StoredObject:
    data: bytes
    etag: str  # quoted
    last_modified: float
    part_sizes: list[int] | None = None  # an upload in parts with checksums
    checksum_algorithm: str = "CRC32"

    def part_digests(self) -> list[bytes]:
        digests, first = [], 0
        for size in self.part_sizes or []:
            digests.append(checksum_digest(self.checksum_algorithm, self.data[first:first + size]))
            first += size
        return digests

    def composite_checksum(self) -> str:
        """The value of x-amz-checksum-ALGORITHM: the digest of the parts'
        digests, base64, then "-N"."""
        digests = self.part_digests()
        composite = checksum_digest(self.checksum_algorithm, b"".join(digests))
        return f"{base64.b64encode(composite).decode()}-{len(digests)}"


def checksum_digest(algorithm: str, data: bytes) -> bytes:
    if algorithm == "CRC32":
        return zlib.crc32(data).to_bytes(4, "big")
    return hashlib.new(algorithm.lower(), data).digest()


def make_etag(data: bytes, multipart_parts: int | None = None) -> str:
    digest = hashlib.md5(data).hexdigest()
    if multipart_parts:
        # Like S3: the MD5 of the parts' MD5s; here simply derived from the
        # content (only the shape matters to a client).
        digest = hashlib.md5(bytes.fromhex(digest) * multipart_parts).hexdigest()
        return f'"{digest}-{multipart_parts}"'
    return f'"{digest}"'


@dataclasses.dataclass
class RecordedRequest:
    """One request as received: `path` is the raw path (still %-encoded),
    `query` the decoded query parameters, `headers` with lower-case names.
    `bucket` and `key` are decoded (key None for bucket requests); `fault` is
    the kind of the fault it got, or None."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    bucket: str | None
    key: str | None
    fault: str | None = None
    status: int | None = None
    time: float = 0.0

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def range(self) -> str | None:
        return self.headers.get("range")

    @property
    def if_match(self) -> str | None:
        return self.headers.get("if-match")

    @property
    def is_listing(self) -> bool:
        return self.key is None and self.query.get("list-type") == "2"

    def __repr__(self) -> str:
        extra = "".join(f" {n}={self.headers[n]!r}" for n in ("range", "if-match")
                        if n in self.headers)
        fault = f" [{self.fault}]" if self.fault else ""
        target = self.path + ("?" + urllib.parse.urlencode(self.query) if self.query else "")
        return f"<{self.method} {target}{extra} -> {self.status}{fault}>"


class FaultServer:
    """The server (see the module docstring). A context manager: it listens
    on 127.0.0.1 (a free port) from __enter__ to __exit__."""

    def __init__(self, page_size: int = 1000, clock_offset: float = 0.0,
                 max_skew: float | None = None, parts_page_size: int = 1000):
        self.page_size = page_size
        self.parts_page_size = parts_page_size
        self.clock_offset = clock_offset
        self.max_skew = max_skew
        self.buckets: dict[str, dict[str, StoredObject]] = {}
        self.requests: list[RecordedRequest] = []
        self._object_faults: dict[tuple[str, str], list[Fault]] = {}
        self._listing_faults: dict[str, list[Fault]] = {}
        self._lock = threading.Lock()
        self._request_ids = itertools.count(1)
        self.stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- life cycle
    def start(self) -> "FaultServer":
        self._httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.fault_server = self
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(timeout=5)
            self._httpd = None

    def __enter__(self) -> "FaultServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "the server is not started"
        return self._httpd.server_address[1]

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def now(self) -> float:
        """The server's clock (Unix time)."""
        return time.time() + self.clock_offset

    # --- content
    def create_bucket(self, bucket: str) -> None:
        with self._lock:
            self.buckets.setdefault(bucket, {})

    def put(self, bucket: str, key: str, data: bytes, multipart_parts: int | None = None,
            part_sizes: list[int] | None = None, checksum_algorithm: str = "CRC32") -> str:
        """Stores an object (creating the bucket); returns its quoted ETag.
        With `part_sizes` (which must add up to len(data)) it was uploaded in
        those parts, with checksums."""
        if part_sizes is not None:
            assert sum(part_sizes) == len(data), "the parts must add up to the object"
            multipart_parts = len(part_sizes)
        stored = StoredObject(bytes(data), make_etag(data, multipart_parts), self.now(),
                              list(part_sizes) if part_sizes is not None else None,
                              checksum_algorithm)
        with self._lock:
            self.buckets.setdefault(bucket, {})[key] = stored
        return stored.etag

    def delete(self, bucket: str, key: str) -> None:
        with self._lock:
            self.buckets.get(bucket, {}).pop(key, None)

    def etag(self, bucket: str, key: str) -> str:
        with self._lock:
            return self.buckets[bucket][key].etag

    # --- faults
    def add_faults(self, bucket: str, key: str, *faults: Fault) -> None:
        with self._lock:
            self._object_faults.setdefault((bucket, key), []).extend(faults)

    def add_listing_faults(self, bucket: str, *faults: Fault) -> None:
        with self._lock:
            self._listing_faults.setdefault(bucket, []).extend(faults)

    def clear_faults(self) -> None:
        """Forgets the faults not used yet."""
        with self._lock:
            self._object_faults.clear()
            self._listing_faults.clear()

    def pending_faults(self) -> list[tuple[str, str | None, str]]:
        """(bucket, key or None for a listing, kind) of the faults not used."""
        with self._lock:
            out = [(b, k, f.kind) for (b, k), q in self._object_faults.items() for f in q]
            out += [(b, None, f.kind) for b, q in self._listing_faults.items() for f in q]
        return out

    def _take_fault(self, request: RecordedRequest) -> Fault | None:
        with self._lock:
            if request.key is not None:
                queue = self._object_faults.get((request.bucket, request.key))
            else:
                queue = self._listing_faults.get(request.bucket)
            for i, fault in enumerate(queue or ()):
                if fault.matches(request):
                    del queue[i]
                    request.fault = fault.kind
                    return fault
        return None

    # --- the log
    def requests_for(self, bucket: str, key: str | None = None) -> list[RecordedRequest]:
        """The requests for one object, or (key None) the listings of a bucket."""
        with self._lock:
            if key is None:
                return [r for r in self.requests if r.bucket == bucket and r.is_listing]
            return [r for r in self.requests if r.bucket == bucket and r.key == key]

    def clear_log(self) -> None:
        with self._lock:
            self.requests.clear()

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _next_request_id(self) -> str:
        return f"FAULT{next(self._request_ids):011d}"


class _HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    fault_server: FaultServer

    def handle_error(self, request, client_address):
        # Clients hang up on purpose in these tests (and the server resets
        # connections itself); nothing here is worth a traceback.
        pass


class _Aborted(Exception):
    """The reply was cut off on purpose (or the client left): stop handling
    this connection."""


def _format_date(timestamp: float) -> str:
    return email.utils.formatdate(timestamp, usegmt=True)


def _iso8601(timestamp: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(timestamp))


def _parse_amz_date(text: str) -> float | None:
    try:
        return calendar.timegm(time.strptime(text, "%Y%m%dT%H%M%SZ"))
    except ValueError:
        return None


def _parse_range(header: str, size: int) -> tuple[int, int] | None | str:
    """(first, last) of a single `bytes=` range; None when the header is not
    one S3 would honour (it is then ignored); "unsatisfiable" for 416."""
    unit, _, spec = header.strip().partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first_text, dash, last_text = spec.strip().partition("-")
    if not dash:
        return None
    try:
        if first_text == "":
            suffix = int(last_text)
            if suffix <= 0 or size == 0:
                return "unsatisfiable"
            return max(0, size - suffix), size - 1
        first = int(first_text)
        last = int(last_text) if last_text != "" else size - 1
    except ValueError:
        return None
    if first < 0 or last < first:
        return None
    if first >= size:
        return "unsatisfiable"
    return first, min(last, size - 1)


def _encode_token(last_key: str) -> str:
    return base64.urlsafe_b64encode(("k:" + last_key).encode("utf-8")).decode("ascii")


def _decode_token(token: str) -> str | None:
    try:
        text = base64.urlsafe_b64decode(token.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        return None
    return text[2:] if text.startswith("k:") else None


def _sort_key(key: str) -> bytes:
    # S3 lists keys in the order of their UTF-8 bytes.
    return key.encode("utf-8", "surrogateescape")


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FaultServer/1.0"
    sys_version = ""
    timeout = 60  # an idle kept-alive connection is closed after this

    # --- plumbing
    @property
    def fs(self) -> FaultServer:
        return self.server.fault_server

    def log_message(self, format, *args):  # noqa: A002 - quiet
        pass

    def date_time_string(self, timestamp=None):
        return _format_date(self.fs.now() + getattr(self, "_date_offset", 0.0))

    def _write(self, data: bytes) -> None:
        try:
            self.wfile.write(data)
        except OSError as e:
            raise _Aborted() from e

    def _start(self, status: int, headers: list[tuple[str, str]], date_offset: float = 0.0) -> None:
        """Status line and headers (Date and Server added)."""
        self.record.status = status
        self._date_offset = date_offset
        try:
            self.send_response(status)
            self._date_offset = 0.0
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("x-amz-request-id", self._request_id)
            self.end_headers()
        except OSError as e:
            raise _Aborted() from e

    def _reset(self) -> None:
        """Ends the connection with a TCP reset, once what was sent has
        reached the client."""
        sock = self.connection
        deadline = time.monotonic() + _DRAIN_TIMEOUT
        try:
            while time.monotonic() < deadline:
                unacked = struct.unpack("i", fcntl.ioctl(sock.fileno(), _SIOCOUTQ, b"\0" * 4))[0]
                if unacked == 0:
                    break
                time.sleep(0.002)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            # Close the descriptor itself: rfile and wfile still hold the
            # socket object, which would otherwise keep it open.
            os.close(sock.detach())
        except OSError:
            pass
        self.close_connection = True
        raise _Aborted()

    def _close(self) -> None:
        """Ends the connection normally (FIN) after a short reply."""
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.close_connection = True
        raise _Aborted()

    def _error(self, status: int, code: str, message: str, *, resource: str = "",
               request_id: str | None = None, date_offset: float = 0.0,
               extra: list[tuple[str, str]] = ()) -> None:
        if request_id is not None:
            self._request_id = request_id
        fields = f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
        if resource:
            fields += f"<Resource>{escape(resource)}</Resource>"
        fields += f"<RequestId>{escape(self._request_id)}</RequestId>"
        body = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error>{fields}</Error>'.encode("utf-8")
        if self.command == "HEAD":
            body_out = b""
        else:
            body_out = body
        self._start(status, [("Content-Type", "application/xml"),
                             ("Content-Length", str(len(body))), *extra], date_offset)
        if body_out:
            self._write(body_out)

    # --- dispatch
    def do_GET(self):
        self._serve()

    def do_HEAD(self):
        self._serve()

    def _unsupported(self):
        self._parse_target()
        self._discard_body()
        try:
            self._error(405, "MethodNotAllowed",
                        "The specified method is not allowed against this resource.")
        except _Aborted:
            self.close_connection = True

    do_PUT = do_POST = do_DELETE = do_PATCH = do_OPTIONS = _unsupported

    def _discard_body(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        while length > 0:
            chunk = self.rfile.read(min(length, 1 << 16))
            if not chunk:
                break
            length -= len(chunk)

    def _parse_target(self) -> None:
        raw_path, _, raw_query = self.path.partition("?")
        query = dict(urllib.parse.parse_qsl(raw_query, keep_blank_values=True))
        decoded = urllib.parse.unquote(raw_path, errors="surrogateescape")
        bucket, slash, key = decoded.lstrip("/").partition("/") if decoded.startswith("/") \
            else ("", "", "")
        self._request_id = self.fs._next_request_id()
        self.record = RecordedRequest(
            method=self.command, path=raw_path, query=query,
            headers={name.lower(): value for name, value in self.headers.items()},
            bucket=bucket or None, key=key if slash and key else None, time=time.time())
        self.fs._record(self.record)

    def _serve(self):
        self._parse_target()
        try:
            self._discard_body()
            record = self.record
            skew = self._skew_error()
            if skew:
                return
            if record.bucket is None:
                self._error(400, "InvalidRequest", "Path-style requests only: /BUCKET[/KEY]")
                return
            fault = self.fs._take_fault(record)
            if fault is not None and self._respond_with_fault(fault):
                return
            if record.key is None:
                self._bucket_get(fault)
            else:
                self._object_get(fault)
        except _Aborted:
            self.close_connection = True

    def _skew_error(self) -> bool:
        if self.fs.max_skew is None:
            return False
        sent = _parse_amz_date(self.headers.get("x-amz-date") or "")
        now = self.fs.now()
        if sent is not None and abs(sent - now) <= self.fs.max_skew:
            return False
        self.record.fault = "clock_skew"
        self._error(403, "RequestTimeTooSkewed",
                    "The difference between the request time and the current time is too large.")
        return True

    def _respond_with_fault(self, fault: Fault) -> bool:
        """Replies for faults that replace the reply; False for those that
        change the normal one."""
        if fault.kind == "error":
            self._error(fault.status, fault.code, fault.message, request_id=fault.request_id,
                        date_offset=fault.date_offset, resource=self.record.path)
            return True
        if fault.kind == "huge_error":
            self._huge_error(fault)
            return True
        if fault.kind == "stall" and fault.nbytes is None:
            self.fs.stopping.wait(fault.seconds)
            return False
        return False

    def _huge_error(self, fault: Fault) -> None:
        head = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{fault.code}</Code>'
                f"<Message>").encode()
        tail = f"</Message><RequestId>{self._request_id}</RequestId></Error>".encode()
        filler = b"The server is having a very bad day and says so at length. "
        body_size = max(fault.size, len(head) + len(tail))
        self._start(fault.status, [("Content-Type", "application/xml"),
                                   ("Content-Length", str(body_size))])
        if self.command == "HEAD":
            return
        self._write(head)
        remaining = body_size - len(head) - len(tail)
        block = filler * (65536 // len(filler) + 1)
        while remaining > 0:
            piece = block[:min(remaining, len(block))]
            self._write(piece)
            remaining -= len(piece)
        self._write(tail)

    # --- listings
    def _bucket_get(self, fault: Fault | None) -> None:
        record = self.record
        with self.fs._lock:
            objects = self.fs.buckets.get(record.bucket)
            snapshot = dict(objects) if objects is not None else None
        if snapshot is None:
            self._error(404, "NoSuchBucket", "The specified bucket does not exist",
                        resource=f"/{record.bucket}")
            return
        q = record.query
        if q.get("list-type") != "2":
            self._error(501, "NotImplemented", "Only ListObjectsV2 (list-type=2) is served here")
            return
        encoding = q.get("encoding-type", "")
        if encoding not in ("", "url"):
            self._error(400, "InvalidArgument", "Invalid Encoding Method specified in Request")
            return
        try:
            max_keys = int(q.get("max-keys", "1000"))
        except ValueError:
            self._error(400, "InvalidArgument", "Provided max-keys not an integer or within "
                        "integer range")
            return
        if max_keys < 0:
            self._error(400, "InvalidArgument", "max-keys must be at least 0")
            return
        prefix = q.get("prefix", "")
        delimiter = q.get("delimiter", "")
        token = q.get("continuation-token")
        after = q.get("start-after", "")
        if token is not None:
            decoded = _decode_token(token)
            if decoded is None:
                self._error(400, "InvalidArgument", "The continuation token provided is incorrect")
                return
            after = decoded
        limit = min(max_keys, self.fs.page_size)

        contents: list[tuple[str, StoredObject]] = []
        prefixes: list[str] = []
        last_entry = None
        truncated = False
        for key in sorted(snapshot, key=_sort_key):
            if not key.startswith(prefix) or _sort_key(key) <= _sort_key(after):
                continue
            entry_key = key
            if delimiter:
                cut = key.find(delimiter, len(prefix))
                if cut >= 0:
                    entry_key = key[:cut + len(delimiter)]
                    if prefixes and prefixes[-1] == entry_key:
                        continue
                    if _sort_key(entry_key) <= _sort_key(after):
                        continue  # that common prefix was on an earlier page
            if len(contents) + len(prefixes) >= limit:
                truncated = True
                break
            if entry_key != key:
                prefixes.append(entry_key)
                # Skip the rest of the folder on later pages too.
                last_entry = entry_key + "\U0010ffff"
            else:
                contents.append((key, snapshot[key]))
                last_entry = key

        next_token = _encode_token(last_entry) if truncated and last_entry is not None else None
        if truncated and next_token is None:
            next_token = _encode_token(after)  # max-keys=0
        if fault is not None and fault.kind == "repeat_token" and token is not None:
            truncated, next_token = True, token

        def enc(text: str) -> str:
            if encoding == "url":
                text = urllib.parse.quote(text, safe="/", errors="surrogateescape")
            return escape(text)

        parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="{S3_NAMESPACE}">',
                 f"<Name>{escape(record.bucket)}</Name>",
                 f"<Prefix>{enc(prefix)}</Prefix>"]
        if delimiter:
            parts.append(f"<Delimiter>{enc(delimiter)}</Delimiter>")
        if "start-after" in q:
            parts.append(f"<StartAfter>{enc(q['start-after'])}</StartAfter>")
        if token is not None:
            parts.append(f"<ContinuationToken>{escape(token)}</ContinuationToken>")
        parts.append(f"<KeyCount>{len(contents) + len(prefixes)}</KeyCount>")
        parts.append(f"<MaxKeys>{max_keys}</MaxKeys>")
        if encoding:
            parts.append(f"<EncodingType>{encoding}</EncodingType>")
        parts.append(f"<IsTruncated>{'true' if truncated else 'false'}</IsTruncated>")
        if truncated:
            parts.append(f"<NextContinuationToken>{escape(next_token)}</NextContinuationToken>")
        for key, obj in contents:
            etag = escape(obj.etag, {'"': "&quot;"})
            parts.append(f"<Contents><Key>{enc(key)}</Key>"
                         f"<LastModified>{_iso8601(obj.last_modified)}</LastModified>"
                         f"<ETag>{etag}</ETag>"
                         f"<Size>{len(obj.data)}</Size><StorageClass>STANDARD</StorageClass>"
                         f"</Contents>")
        for common in prefixes:
            parts.append(f"<CommonPrefixes><Prefix>{enc(common)}</Prefix></CommonPrefixes>")
        parts.append("</ListBucketResult>")
        body = "".join(parts).encode("utf-8", "surrogateescape")
        self._start(200, [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))])
        if self.command != "HEAD":
            self._write(body)

    # --- objects
    def _object_get(self, fault: Fault | None) -> None:
        record = self.record
        with self.fs._lock:
            bucket = self.fs.buckets.get(record.bucket)
            obj = bucket.get(record.key) if bucket is not None else None
        if bucket is None:
            self._error(404, "NoSuchBucket", "The specified bucket does not exist",
                        resource=f"/{record.bucket}")
            return
        if obj is None:
            self._error(404, "NoSuchKey", "The specified key does not exist.",
                        resource=record.path)
            return
        kind = fault.kind if fault is not None else "ok"
        if "attributes" in record.query:
            self._object_attributes(obj)
            return
        if_match = self.headers.get("If-Match")
        if (if_match is not None and kind != "ignore_if_match"
                and not self._etag_matches(if_match, obj.etag)):
            self._error(412, "PreconditionFailed",
                        "At least one of the pre-conditions you specified did not hold")
            return

        size = len(obj.data)
        common = [("ETag", obj.etag), ("Last-Modified", _format_date(obj.last_modified)),
                  ("Accept-Ranges", "bytes"), ("Content-Type", "application/octet-stream")]
        range_header = self.headers.get("Range")
        span = _parse_range(range_header, size) if range_header and kind != "ignore_range" else None
        if span == "unsatisfiable":
            self._error(416, "InvalidRange", "The requested range is not satisfiable",
                        extra=[("Content-Range", f"bytes */{size}")])
            return
        if span is None:
            status, body, headers = 200, obj.data, common
            if obj.part_sizes is not None and self.headers.get("x-amz-checksum-mode") == "ENABLED":
                headers = [*common,
                           (f"x-amz-checksum-{obj.checksum_algorithm.lower()}",
                            obj.composite_checksum()),
                           ("x-amz-checksum-type", "COMPOSITE")]
        else:
            first, last = span
            body = obj.data[first:last + 1]
            shown_first, shown_last, total = first, last, size
            if kind == "wrong_content_range":
                shown_first += fault.first_delta
                shown_last += fault.first_delta
                total += fault.total_delta
            status, headers = 206, [*common,
                                    ("Content-Range", f"bytes {shown_first}-{shown_last}/{total}")]
        if kind == "flip_byte" and body:
            middle = len(body) // 2
            body = body[:middle] + bytes([body[middle] ^ 0xFF]) + body[middle + 1:]

        self._start(status, [*headers, ("Content-Length", str(len(body)))])
        if self.command == "HEAD":
            return
        if kind == "reset":
            self._write(body[:fault.nbytes])
            self._reset()
        elif kind == "close_early":
            self._write(body[:len(body) // 2])
            self._close()
        elif kind == "stall" and fault.nbytes is not None:
            self._write(body[:fault.nbytes])
            self.fs.stopping.wait(fault.seconds)
            self._write(body[fault.nbytes:])
        else:
            self._write(body)
        if kind == "change_object":
            self.fs.put(record.bucket, record.key, fault.content, fault.multipart_parts)

    def _object_attributes(self, obj: StoredObject) -> None:
        wanted = {a.strip() for a in (self.headers.get("x-amz-object-attributes") or "").split(",")}
        marker = int(self.headers.get("x-amz-part-number-marker") or 0)
        max_parts = min(int(self.headers.get("x-amz-max-parts") or 1000), self.fs.parts_page_size)
        tag = f"Checksum{obj.checksum_algorithm}"
        out = [f'<?xml version="1.0" encoding="UTF-8"?>\n'
               f'<GetObjectAttributesOutput xmlns="{S3_NAMESPACE}">']
        if "ETag" in wanted:
            out.append(f"<ETag>{obj.etag.strip(chr(34))}</ETag>")
        if "Checksum" in wanted and obj.part_sizes is not None:
            out.append(f"<Checksum><{tag}>{obj.composite_checksum()}</{tag}>"
                       f"<ChecksumType>COMPOSITE</ChecksumType></Checksum>")
        if "ObjectParts" in wanted and obj.part_sizes is not None:
            numbered = list(enumerate(zip(obj.part_sizes, obj.part_digests()), start=1))
            page = [p for p in numbered if p[0] > marker][:max_parts]
            truncated = bool(page) and page[-1][0] < len(numbered)
            out.append(f"<ObjectParts><TotalPartsCount>{len(numbered)}</TotalPartsCount>"
                       f"<PartNumberMarker>{marker}</PartNumberMarker>"
                       f"<MaxParts>{max_parts}</MaxParts>"
                       f"<IsTruncated>{'true' if truncated else 'false'}</IsTruncated>")
            if page:
                out.append(f"<NextPartNumberMarker>{page[-1][0]}</NextPartNumberMarker>")
            for number, (size, digest) in page:
                out.append(f"<Part><PartNumber>{number}</PartNumber><Size>{size}</Size>"
                           f"<{tag}>{base64.b64encode(digest).decode()}</{tag}></Part>")
            out.append("</ObjectParts>")
        if "ObjectSize" in wanted:
            out.append(f"<ObjectSize>{len(obj.data)}</ObjectSize>")
        out.append("</GetObjectAttributesOutput>")
        body = "".join(out).encode()
        self._start(200, [("ETag", obj.etag), ("Content-Type", "application/xml"),
                          ("Content-Length", str(len(body)))])
        self._write(body)

    @staticmethod
    def _etag_matches(condition: str, etag: str) -> bool:
        for candidate in condition.split(","):
            candidate = candidate.strip()
            if candidate == "*" or candidate.strip('"') == etag.strip('"'):
                return True
        return False
