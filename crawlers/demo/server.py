"""Static server for the demo site, loopback only.

Feeds and pages are served with the headers real publishers send (typed
Content-Type, Last-Modified, strong ETag) so the collectors' conditional-GET
path is exercised by the demo, not only by unit tests.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import threading
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

CONTENT_TYPES = {
    ".xml": "application/rss+xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
    ".css": "text/css; charset=utf-8",
}
ROBOTS = b"User-agent: *\nDisallow:\n"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Cache:
    """ETag per file, recomputed only when size or mtime changes."""

    def __init__(self):
        self._lock = threading.Lock()
        self._tags: dict[str, tuple[int, int, str]] = {}

    def etag(self, path: Path, st: os.stat_result) -> str:
        key = str(path)
        with self._lock:
            hit = self._tags.get(key)
            if hit and hit[0] == st.st_size and hit[1] == st.st_mtime_ns:
                return hit[2]
        tag = '"' + hashlib.sha256(path.read_bytes()).hexdigest()[:32] + '"'
        with self._lock:
            self._tags[key] = (st.st_size, st.st_mtime_ns, tag)
        return tag


class DemoHandler(BaseHTTPRequestHandler):
    server_version = "VigieDemo/1.0"
    protocol_version = "HTTP/1.1"
    root: Path = Path(".")
    cache = _Cache()

    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        # The collectors fetch hundreds of pages; per-request lines drown the demo output.
        pass

    def do_GET(self):
        self._serve(body=True)

    def do_HEAD(self):
        self._serve(body=False)

    def _resolve(self) -> Path | None:
        rel = unquote(urlsplit(self.path).path).lstrip("/")
        if not rel or rel.endswith("/"):
            rel += "index.html"
        root = self.root.resolve()
        target = (root / rel).resolve()
        if target != root and root not in target.parents:
            return None
        if target.is_dir():
            target = target / "index.html"
        return target if target.is_file() else None

    def _serve(self, body: bool) -> None:
        path = self._resolve()
        if path is None:
            if urlsplit(self.path).path == "/robots.txt":
                return self._send(HTTPStatus.OK, ROBOTS, "text/plain; charset=utf-8", body)
            return self._send(HTTPStatus.NOT_FOUND, b"Not found\n", "text/plain; charset=utf-8", body)
        st = path.stat()
        etag = self.cache.etag(path, st)
        last_modified = formatdate(st.st_mtime, usegmt=True)
        headers = {"ETag": etag, "Last-Modified": last_modified, "Cache-Control": "no-cache"}
        if self._not_modified(etag, int(st.st_mtime)):
            return self._send(HTTPStatus.NOT_MODIFIED, b"", None, False, headers)
        ctype = CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")
        self._send(HTTPStatus.OK, path.read_bytes(), ctype, body, headers)

    def _not_modified(self, etag: str, mtime: int) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:  # RFC 9110: If-None-Match wins over If-Modified-Since
            tags = [t.strip() for t in inm.split(",")]
            return "*" in tags or etag in tags or ("W/" + etag) in tags
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                return mtime <= int(parsedate_to_datetime(ims).timestamp())
            except (TypeError, ValueError, OverflowError):
                return False
        return False

    def _send(self, status, data: bytes, ctype, body: bool, headers: dict | None = None) -> None:
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if status != HTTPStatus.NOT_MODIFIED:
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body and data:
            self.wfile.write(data)


def make_server(directory, port: int = 8765, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    if not _is_loopback(host):
        raise ValueError(f"the demo server only binds to loopback addresses, not {host!r}")
    handler = type("BoundDemoHandler", (DemoHandler,), {"root": Path(directory), "cache": _Cache()})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def serve_in_thread(directory, port: int = 0, host: str = "127.0.0.1"):
    """Start the server on a daemon thread; returns (server, base_url).

    Call ``server.shutdown(); server.server_close()`` when done.
    """
    server = make_server(directory, port, host)
    thread = threading.Thread(target=server.serve_forever, name="vigie-demo-server", daemon=True)
    thread.start()
    h, p = server.server_address[:2]
    return server, f"http://{h}:{p}"


def serve_forever(directory, port: int = 8765, host: str = "127.0.0.1") -> None:
    server = make_server(directory, port, host)
    h, p = server.server_address[:2]
    print(f"Vigie demo site on http://{h}:{p}/ (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nStopped.", flush=True)
    finally:
        server.server_close()
