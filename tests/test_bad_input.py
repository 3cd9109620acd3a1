"""Hostile and broken sources: each ends as a recorded error (or lenient entries)
within its limit, and the rest of the run is unaffected."""

import gzip
import time

from crawlers.collect import collect
from crawlers.feeds import parse_feed
from tests.fixtures.feeds.server import FixtureServer, Route
from tests.test_collect import config
from warehouse.db import query_df

RSS = (b'<?xml version="1.0" encoding="%s"?><rss version="2.0"><channel><title>t</title><link>http://example.org/</link>'
       b'<description>d</description><item><title>%s</title><link>http://example.org/1</link><guid>g1</guid></item>'
       b'</channel></rss>')
BOMB = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
        b'<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">'
        b'<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">]>'
        b'<rss version="2.0"><channel><title>&h;</title><item><title>bomb &h;</title><guid>b</guid></item></channel></rss>')


def test_entity_bomb_is_not_expanded():
    start = time.monotonic()
    feed = parse_feed(BOMB, "http://example.org/")
    assert time.monotonic() - start < 2
    assert all(len(e["title"] or "") < 1000 for e in feed.entries)
    assert any("entities" in w for w in feed.warnings)


def test_encoding_problems_never_crash():
    wrong = parse_feed(RSS % (b"utf-8", "Québec déçu".encode("latin-1")), "http://example.org/")
    assert wrong.error or wrong.entries[0]["title"]
    invalid = parse_feed(RSS % (b"utf-8", b"ok \xff\xfe\xc3 bad"), "http://example.org/")
    assert invalid.error or invalid.entries


def test_bad_sources_recorded_while_others_succeed(tmp_path):
    with FixtureServer() as srv, FixtureServer() as robots_srv:
        robots_srv.add("/robots.txt", Route(b"User-agent: *\nDisallow: /\n", content_type="text/plain"))
        robots_srv.add_file("/rss.xml", "feeds/rss2_fr.xml")
        sources = {
            "good": srv.add_file("/good.xml", "feeds/rss2_fr.xml"),
            "malformed": srv.add("/malformed.xml", Route(b"<rss><channel><item><title>x</titl></item>")),
            "wrong-encoding": srv.add("/enc.xml", Route(RSS % (b"utf-8", "Québec déçu".encode("latin-1")))),
            "invalid-utf8": srv.add("/bad8.xml", Route(RSS % (b"utf-8", b"ok \xff\xfe bad"))),
            "html": srv.add("/page.html", Route(b"<!DOCTYPE html><html><body>Accueil</body></html>",
                                                content_type="text/html")),
            "empty": srv.add("/empty.xml", Route(b"")),
            "huge": srv.add("/huge.xml", Route(b"<rss>" + b" " * 300_000 + b"</rss>")),
            "gzip-bomb": srv.add("/bomb.gz", Route(b"\0" * 20_000_000, gzip_body=True)),
            "entity-bomb": srv.add("/entities.xml", Route(BOMB)),
            "redirect-loop": srv.add("/loop-a", Route(redirect="/loop-b")),
            "never-answers": srv.add("/hang.xml", Route(hang=True)),
            "trickle": srv.add("/slow.xml", Route(b"x" * 5000, slow_s=0.01)),
            "robots": robots_srv.url("/rss.xml"),
        }
        srv.add("/loop-b", Route(redirect="/loop-a"))
        cfg = config([{"name": n, "kind": "rss", "url": u} for n, u in sources.items()],
                     timeout_s=1.5, max_bytes=100_000, max_redirects=3)
        db = str(tmp_path / "v.duckdb")
        start = time.monotonic()
        summary = collect(cfg, db)
        elapsed = time.monotonic() - start
    by = {r.name: r for r in summary.results}
    assert set(by) == set(sources)
    assert by["good"].status == "ok" and by["good"].new == 5
    assert by["html"].error.endswith("got an HTML page")
    assert "empty" in by["empty"].error
    assert "limit" in by["huge"].error and "limit" in by["gzip-bomb"].error
    assert "redirect" in by["redirect-loop"].error
    assert "timed out" in by["never-answers"].error and "timed out" in by["trickle"].error
    assert "robots.txt" in by["robots"].error
    for name in ("malformed", "wrong-encoding", "invalid-utf8", "entity-bomb"):
        assert by[name].status == "error" or by[name].seen >= 1, (name, by[name])
    assert elapsed < 20
    log = query_df("SELECT source, status, error FROM crawl_log", db=db)
    assert len(log) == len(sources) and set(log.status) <= {"ok", "error"}


def test_private_addresses_refused_unless_allowed(tmp_path):
    with FixtureServer() as srv:
        url = srv.add_file("/rss.xml", "feeds/rss2_fr.xml")
        cfg = config([{"name": "local", "kind": "rss", "url": url}], allow_private_addresses=False)
        summary = collect(cfg, str(tmp_path / "v.duckdb"))
    assert summary.results[0].status == "error"
    assert "private or local address" in summary.results[0].error
    assert srv.requests == []
