"""End to end: a real 127.0.0.1 server, the CLI, a child crawl process, DuckDB."""

import subprocess
import sys
from pathlib import Path

import pytest

from crawlers.collect import collect
from tests.fixtures.feeds.server import FixtureServer, Route
from warehouse.config import parse_config
from warehouse.db import query_df
from warehouse.health import source_health

ROOT = Path(__file__).resolve().parents[1]
HTML = "text/html; charset=utf-8"


def config(sources, **collect_opts):
    opts = {"allow_private_addresses": True, "timeout_s": 2.0}
    opts.update(collect_opts)
    return parse_config({"collect": opts, "brands": [{"name": "Vidéotron", "aliases": ["Vidéotron"]},
                                                     {"name": "Bell", "aliases": ["Bell"]}],
                         "sources": sources}, str(ROOT / "vigie.toml"))


def serve_forum(srv):
    srv.add_file("/f/viewforum.php?f=3", "forums/phpbb_board.html", content_type=HTML)
    srv.add_file("/f/viewtopic.php?t=101&sid=abc", "forums/phpbb_topic_101_p1.html", content_type=HTML)
    srv.add_file("/f/viewtopic.php?t=101&start=2", "forums/phpbb_topic_101_p2.html", content_type=HTML)
    srv.add_file("/f/viewtopic.php?t=102", "forums/phpbb_topic_102.html", content_type=HTML)


@pytest.fixture
def server():
    with FixtureServer() as srv:
        yield srv


def test_collect_twice_etag_and_one_broken_source(server, tmp_path):
    serve_forum(server)
    cfg = config([
        {"name": "Quotidien", "kind": "rss", "url": server.add_file("/rss.xml", "feeds/rss2_fr.xml", etag=True)},
        {"name": "Balado", "kind": "rss", "url": server.add_file("/feed.json", "feeds/jsonfeed.json",
                                                                  content_type="application/feed+json")},
        {"name": "Forum", "kind": "forum", "preset": "phpbb", "url": server.url("/f/viewforum.php?f=3")},
        {"name": "Cassé", "kind": "rss", "url": server.add("/500", Route(b"oops", status=500))},
        {"name": "Recherche", "kind": "search", "url": server.url("/search?q={query}")},
    ])
    server.add_file("/search?q=Vid%C3%A9otron", "feeds/atom.xml")
    server.add_file("/search?q=Bell", "feeds/rss1.rdf")
    db = str(tmp_path / "v.duckdb")
    seen = []
    first = collect(cfg, db, progress=lambda d, n, r: seen.append((d, n, r.name)))
    assert sorted(n for _, _, n in seen) == sorted(s.name for s in cfg.sources) and seen[-1][:2] == (5, 5)
    by = {r.name: r for r in first.results}
    assert by["Quotidien"].new == 5 and by["Balado"].new == 3 and by["Forum"].new == 4 and by["Recherche"].new == 4
    assert by["Cassé"].status == "error" and "HTTP 500" in by["Cassé"].error
    rows = query_df("SELECT count(*) AS n FROM raw_mentions", db=db).n[0]
    # Scrapy's counters come back from the child (what a slow crawl is diagnosed with).
    assert first.crawl_stats["downloader/request_count"] >= 7 and first.crawl_stats["elapsed_time_seconds"] > 0
    second = collect(cfg, db)
    assert query_df("SELECT count(*) AS n FROM raw_mentions", db=db).n[0] == rows == 16
    by2 = {r.name: r for r in second.results}
    assert by2["Quotidien"].status == "not_modified" and second.new == 0
    assert any(h.get("If-None-Match") for p, h in server.requests if p == "/rss.xml")
    log = query_df("SELECT source, status FROM crawl_log WHERE run_id = ?", [second.run_id], db=db)
    assert dict(zip(log.source, log.status))["Quotidien"] == "not_modified"
    health = source_health(db, cfg).set_index("source")
    assert health.loc["Cassé", "state"] == "failing" and health.loc["Cassé", "consecutive_failures"] == 2
    assert health.loc["Quotidien", "state"] == "ok"
    # Incremental forum: the second run resumed topic 101 at its last page.
    assert [p for p, _ in server.requests].count("/f/viewtopic.php?t=101&sid=abc") == 1
    # The adaptive schedule applies only when asked for.
    third = collect(cfg, db, force=False)
    assert third.results == [] and len(third.skipped) == 5


def run_cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "crawlers", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=60)


def test_cli_check_ok_and_bad_config(tmp_path):
    good = tmp_path / "vigie.toml"
    good.write_text('[[brands]]\nname = "Bell"\naliases = ["Bell"]\n\n[[sources]]\nname = "A"\nkind = "rss"\nurl = "https://a.example/rss"\n',
                    encoding="utf-8")
    out = run_cli("check", "--config", str(good))
    assert out.returncode == 0 and out.stdout.startswith("OK:")
    bad = tmp_path / "bad.toml"
    bad.write_text('[[brands]]\nname = "Bell"\naliases = ["Bell"]\n\n[[sources]]\nname = "A"\nkind = "rsss"\nurl = "ftp://x"\n',
                   encoding="utf-8")
    for cmd in (("check", "--config", str(bad)), ("collect", "--config", str(bad), "--db", str(tmp_path / "d.db"))):
        out = run_cli(*cmd)
        assert out.returncode == 2, out.stderr
        assert "Traceback" not in out.stderr
        assert f'{bad}, sources[0] "A", field \'kind\'' in out.stderr and "did you mean 'rss'" in out.stderr


def test_cli_collect_unwritable_db_and_summary(tmp_path, server):
    cfg = tmp_path / "vigie.toml"
    cfg.write_text(f'[collect]\nallow_private_addresses = true\ntimeout_s = 2.0\n\n[[brands]]\nname = "Bell"\naliases = ["Bell"]\n\n'
                   f'[[sources]]\nname = "Quotidien"\nkind = "rss"\nurl = "{server.add_file("/r.xml", "feeds/rss2_fr.xml")}"\n',
                   encoding="utf-8")
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    out = run_cli("collect", "--config", str(cfg), "--db", str(blocker / "vigie.duckdb"))
    assert out.returncode == 3 and "Traceback" not in out.stderr and "cannot" in out.stderr
    db = tmp_path / "v.duckdb"
    out = run_cli("collect", "--config", str(cfg), "--db", str(db))
    assert out.returncode == 0, out.stderr
    assert "[1/1] Quotidien: 5 new" in out.stderr
    assert "Quotidien" in out.stdout and "status" in out.stdout
    out = run_cli("sources", "--db", str(db), "--config", str(cfg))
    assert out.returncode == 0 and "Quotidien" in out.stdout and " ok " in out.stdout


def test_crawl_child_builds_no_debug_records():
    """Scrapy leaves the root logger at NOTSET; the child sets library levels so that
    DEBUG records (one per response and item) are never created (4.5 s of 25 s)."""
    import logging

    from crawlers._crawl import quiet_below

    logger = logging.getLogger("scrapy.core.scraper")
    before = {n: logging.getLogger(n).level for n in ("scrapy", "twisted", "py.warnings")}
    try:
        quiet_below("WARNING")
        assert not logger.isEnabledFor(logging.DEBUG) and logger.isEnabledFor(logging.WARNING)
    finally:
        for name, level in before.items():
            logging.getLogger(name).setLevel(level)


def test_pipeline_close_waits_for_the_batch_in_flight(monkeypatch):
    """Writes run in a worker thread; closing while one is in flight must still
    write and report every source exactly once (a race lost 261 of 500 once)."""
    from types import SimpleNamespace

    from twisted.internet import threads

    from crawlers import pipelines
    from crawlers.spiders.vigie import CONTROL, SourceRun

    pending = []
    monkeypatch.setattr(threads, "deferToThread", lambda fn, *a: _queued(pending, fn, a))
    events = []
    monkeypatch.setattr(pipelines, "emit", events.append)
    runs = {n: SourceRun(source=SimpleNamespace(name=n), state={}) for n in ("a", "b", "c")}
    spider = SimpleNamespace(job={"db": "unused", "run_id": 1}, runs=runs)
    crawler = SimpleNamespace(spider=spider, stats=SimpleNamespace(set_value=lambda *a: None))
    pipe = pipelines.WarehousePipeline(crawler)
    pipe.FLUSH_EVERY_S = 0.0  # every finished source asks for a write at once
    written = []

    def fake_write(items, done):
        written.append((len(items), list(done)))
        result = SimpleNamespace(new_by_source={}, updated_by_source={})
        return result, [{"source": n, "status": "ok", "new_items": 0, "updated_items": 0, "seen_items": 0,
                         "error": None} for n in done], None

    pipe._write = fake_write
    for name in ("a", "b"):
        runs[name].done = True
        pipe.process_item({"id": name, "source": name}, None)
        pipe.process_item({CONTROL: "source_done", "source": name}, None)
    pipe.flush()  # batch 1 in flight (not yet run by the "thread")
    assert len(pending) == 1 and pipe.writing is not None
    pipe.process_item({"id": "c", "source": "c"}, None)
    runs["c"].done = True
    pipe.process_item({CONTROL: "source_done", "source": "c"}, None)
    closed = pipe.close_spider(None)
    assert not closed.called  # waits for batch 1
    fn, args, d = pending.pop(0)
    d.callback(fn(*args))
    assert closed.called and not pending
    assert sorted(e["source"] for e in events) == ["a", "b", "c"]
    assert [n for w in written for n in w[1]] == ["a", "b", "c"]


def _queued(pending, fn, args):
    from twisted.internet import defer

    d = defer.Deferred()
    pending.append((fn, args, d))
    return d


def test_enrichment_overlaps_the_crawl_and_adds_up(monkeypatch):
    """While the child crawls, stored items are enriched in a parent thread; the
    final pass after the child takes the rest; the summary adds both up."""
    import threading
    from types import SimpleNamespace

    import warehouse.enrich
    from crawlers import collect as collect_mod

    calls = []
    called = threading.Event()

    def fake_enrich_pending(db, config):
        calls.append(db)
        called.set()
        return warehouse.enrich.EnrichResult(mentions=10, seconds=1.0)

    monkeypatch.setattr(warehouse.enrich, "enrich_pending", fake_enrich_pending)
    overlap = collect_mod._OverlapEnricher("x.duckdb", None, SimpleNamespace(warnings=[]))
    assert not called.wait(0.2)  # nothing stored yet: no pass
    overlap.notify()
    assert called.wait(5)
    overlap.stop()
    merged = collect_mod._merge(overlap.results, warehouse.enrich.EnrichResult(mentions=3, seconds=0.5))
    assert calls == ["x.duckdb"] and merged.mentions == 13 and merged.seconds == 1.5
    assert collect_mod._merge(overlap.results, None) is None  # a failed final pass keeps its warning


def test_write_fetches_in_one_statement_equals_row_by_row(tmp_path):
    """store.write_fetches writes all rows of a batch in one statement per table
    (it was one per row: 1-2 s per batch of 200 sources); same rows as before."""
    import datetime as dt

    from warehouse import db as dbmod
    from warehouse import store
    from warehouse.config import Collect
    from warehouse.health import next_source_state

    now = dt.datetime(2026, 12, 6, 21, 0, tzinfo=dt.timezone.utc)
    records, states = [], []
    for i in range(30):
        status = ("ok", "error", "not_modified")[i % 3]
        records.append({"run_id": 7, "source": f"s{i}", "started_at": now, "finished_at": now + dt.timedelta(seconds=i),
                        "status": status, "new_items": i, "error": "HTTP 500" if status == "error" else None,
                        "updated_items": 1, "seen_items": 2 * i, "http_status": 200, "bytes": 10 ** 10 + i,
                        "warnings": None})
        states.append(next_source_state(None, source=f"s{i}", status=status, now=now, error=records[-1]["error"],
                                        new_items=i, seen_items=2 * i, etag=f'"e{i}"' if i % 2 else None,
                                        last_modified=None, cursor=None, collect=Collect()))
    states.append(dict(states[0], consecutive_failures=5))  # a source twice: the last state wins

    def row_by_row(con):
        for rec in records:
            cols = store.CRAWL_LOG_COLUMNS
            con.execute(f"INSERT INTO crawl_log ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                        [rec.get(c) for c in cols])
        for st in states:
            cols = [c for c in store.STATE_COLUMNS if c in st]
            updates = ", ".join(f"{c} = excluded.{c}" for c in cols if c != "source")
            con.execute(f"INSERT INTO source_state ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) "
                        f"ON CONFLICT (source) DO UPDATE SET {updates}", [st[c] for c in cols])

    results = []
    for name, write in (("old", row_by_row), ("new", lambda con: store.write_fetches(con, records, states))):
        path = str(tmp_path / f"{name}.duckdb")
        with dbmod.transaction(path) as con:
            write(con)
        with dbmod.connect(path, read_only=True) as con:
            results.append((con.execute("SELECT * FROM crawl_log ORDER BY source").fetchall(),
                            con.execute("SELECT * FROM source_state ORDER BY source").fetchall()))
    assert results[0] == results[1] and len(results[1][0]) == 30 and len(results[1][1]) == 30
