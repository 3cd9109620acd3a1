"""The unattended loop: --once against a local feed, the lock against overlap, a clean SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from crawlers.run import EXIT_LOCKED, RunLock, parse_every

ROOT = Path(__file__).resolve().parents[1]

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Journal local</title><link>http://127.0.0.1/</link>
<description>Nouvelles</description><language>fr</language>
<item><title>Poutine Express : avis de rappel, clients malades</title><link>http://127.0.0.1/a1</link>
<guid>a1</guid><pubDate>{date}</pubDate>
<description>Rappel de produit chez Poutine Express après une intoxication. Très déçu, c'est horrible.</description></item>
<item><title>Poutine Express ouvre un nouveau restaurant</title><link>http://127.0.0.1/a2</link>
<guid>a2</guid><pubDate>{date}</pubDate><description>Une belle nouvelle pour le quartier.</description></item>
</channel></rss>
"""


@pytest.fixture
def feed_server():
    from email.utils import formatdate
    body = FEED.format(date=formatdate(time.time() - 600, usegmt=True)).encode("utf-8")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/robots.txt":
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def write_config(folder: Path, feed_url: str) -> Path:
    cfg = folder / "vigie.toml"
    cfg.write_text(f"""
[[brands]]
name = "Poutine Express"
own = true
aliases = ["Poutine Express"]

[[sources]]
name = "Journal local"
kind = "rss"
url = "{feed_url}/feed.xml"
listed = true

[collect]
allow_private_addresses = true
timeout_s = 5

[alerts]
watch_words = ["rappel", "intoxication"]
digest_time = ""
""", encoding="utf-8")
    return cfg


def run_cmd(*args, **kw):
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    return [sys.executable, "-m", "crawlers", "run", *args], dict(cwd=ROOT, env=env, **kw)


def test_parse_every():
    assert parse_every("45s") == 45
    assert parse_every("30m") == 1800
    assert parse_every("1h") == 3600
    assert parse_every("1h30m") == 5400
    assert parse_every("90") == 90
    for bad in ("", "soon", "30x", "0s", "5m later"):
        with pytest.raises(ValueError):
            parse_every(bad)


def test_once_collects_and_alerts(tmp_path, feed_server):
    pytest.importorskip("crawlers.collect")
    cfg = write_config(tmp_path, feed_server)
    db = tmp_path / "vigie.duckdb"
    cmd, kw = run_cmd("--config", str(cfg), "--db", str(db), "--once", "--no-send")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kw)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    out = proc.stdout
    assert "Journal local : 2 nouveau(x)" in out                # one line per source
    assert "cycle terminé" in out and "1 source(s), 2 nouveau(x)" in out
    assert "Vigie arrêtée proprement" in out
    from warehouse import db as dbmod
    with dbmod.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw_mentions").fetchone()[0] == 2
        rules = con.execute("SELECT rule, severity FROM alerts").fetchall()
    assert ("mention", "critical") in rules or ("mention", "warning") in rules


def test_lock_prevents_overlap(tmp_path):
    cfg = write_config(tmp_path, "http://127.0.0.1:9")
    db = tmp_path / "vigie.duckdb"
    with RunLock(str(db)):
        cmd, kw = run_cmd("--config", str(cfg), "--db", str(db), "--once", "--no-send")
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60, **kw)
    assert proc.returncode == EXIT_LOCKED
    assert f"pid {os.getpid()}" in proc.stderr and "déjà" in proc.stderr
    # Released: the next one may take it.
    with RunLock(str(db)):
        pass


def test_sigterm_finishes_the_cycle_and_exits_zero(tmp_path):
    # The source points at a closed port: collection fails fast, the cycle still completes.
    cfg = write_config(tmp_path, "http://127.0.0.1:9")
    db = tmp_path / "vigie.duckdb"
    cmd, kw = run_cmd("--config", str(cfg), "--db", str(db), "--every", "1h", "--no-send")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    lines = []
    deadline = time.monotonic() + 90
    try:
        for line in proc.stdout:
            lines.append(line)
            if "cycle terminé" in line or time.monotonic() > deadline:
                break
        assert any("cycle terminé" in line for line in lines), "".join(lines)
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        rest, _ = proc.communicate(timeout=20)
        assert proc.returncode == 0, "".join(lines) + rest
        assert time.monotonic() - started < 5            # it did not wait for the hour
        assert "SIGTERM" in rest and "Vigie arrêtée proprement" in rest
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
