"""Collection benchmark: 500 local feeds, one crawlers.collect.collect() vs a sequential loop.

Feeds are served by threaded http.server instances, one per loopback address
127.0.0.2 .. 127.0.0.(1 + HOSTS), each with FEEDS // HOSTS feeds. Scrapy's
per-host politeness slot is keyed by host name, not port, so separate
addresses (not ports) are what makes per_host_concurrency = 2 bite the way it
does on the real web: 50 hosts x 2 = 100 requests in flight at most, and the
config's global concurrency is set to that. Every response (robots.txt
included) waits LATENCY_S first. The server runs in its own process so its
threads do not share a GIL with the crawler or the loop being timed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FEEDS = 500
HOSTS = 50
ITEMS = 20
LATENCY_S = 0.05
PER_HOST = 2


def feed_urls(port: int, feeds: int = FEEDS, hosts: int = HOSTS) -> list[str]:
    return [f"http://127.0.0.{2 + i % hosts}:{port}/feed/{i}.xml" for i in range(feeds)]


def _serve(port: int, feeds: int, hosts: int, items: int, latency: float) -> None:
    from .synth import SynthSpec, generate, rss_feeds

    table = generate(SynthSpec(n=feeds * items, seed=33))
    bodies = {f"/feed/{i}.xml": data for i, (_, data) in enumerate(rss_feeds(table, items, "Local feed"))}
    robots = b"User-agent: *\nAllow: /\n"

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802
            time.sleep(latency)
            body = robots if self.path == "/robots.txt" else bodies.get(self.path)
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/plain" if self.path == "/robots.txt" else "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    servers = []
    for i in range(hosts):
        srv = ThreadingHTTPServer((f"127.0.0.{2 + i}", port), Handler)
        srv.daemon_threads = True
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
    print("ready", flush=True)
    sys.stdin.read()  # until the parent closes the pipe


class FeedServer:
    """The server process, as a context manager."""

    def __init__(self, port: int = 0, feeds: int = FEEDS, hosts: int = HOSTS, items: int = ITEMS,
                 latency: float = LATENCY_S):
        import socket
        if not port:
            with socket.socket() as s:
                s.bind(("127.0.0.2", 0))
                port = s.getsockname()[1]
        self.port, self.feeds, self.hosts, self.items, self.latency = port, feeds, hosts, items, latency
        self.proc = None

    def __enter__(self):
        root = str(Path(__file__).resolve().parents[1])
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.collection", "serve", json.dumps(
                [self.port, self.feeds, self.hosts, self.items, self.latency])],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=root, text=True)
        line = self.proc.stdout.readline()
        if line.strip() != "ready":
            raise RuntimeError("the feed server did not start")
        return self

    def __exit__(self, *exc):
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    @property
    def urls(self) -> list[str]:
        return feed_urls(self.port, self.feeds, self.hosts)


def config_toml(urls: list[str], hosts: int = HOSTS) -> str:
    head = ("[collect]\nallow_private_addresses = true\n"
            f"concurrency = {hosts * PER_HOST}\nper_host_concurrency = {PER_HOST}\ntimeout_s = 10.0\n\n")
    srcs = "".join(f'[[sources]]\nname = "Local feed {i:03d}"\nkind = "rss"\nurl = "{u}"\n\n'
                   for i, u in enumerate(urls))
    from .synth import brand_config_toml
    return head + brand_config_toml() + "\n" + srcs


def sequential(urls: list[str]) -> dict:
    """The naive way: fetch one feed after the other with urllib, parse with feedparser."""
    import feedparser

    t0 = time.perf_counter()
    entries = 0
    for url in urls:
        with urllib.request.urlopen(url, timeout=10) as resp:
            data = resp.read()
        entries += len(feedparser.parse(data).entries)
    return {"seconds": time.perf_counter() - t0, "entries": entries}


def collect_once(config_path: str, db: str) -> dict:
    """One crawlers.collect.collect() run (the phase measured for time and memory)."""
    from crawlers.collect import collect
    from warehouse.config import load_config

    config = load_config(config_path)
    t0 = time.perf_counter()
    summary = collect(config, db)
    seconds = time.perf_counter() - t0
    enrich = summary.enrich
    return {"seconds": seconds, "new": summary.new, "failed": len(summary.failed),
            "warnings": summary.warnings[:3], "crawl_s": summary.crawl_seconds,
            "requests": summary.crawl_stats.get("downloader/request_count"),
            "enrich_s": getattr(enrich, "seconds", None) if enrich is not None else None}


if __name__ == "__main__" and len(sys.argv) > 2 and sys.argv[1] == "serve":
    _serve(*json.loads(sys.argv[2]))
