import datetime as dt
from pathlib import Path

from crawlers.feeds import parse_feed
from warehouse import store
from warehouse.db import query_df
from warehouse.identity import dedup_keys, mention_id

UTC = dt.timezone.utc
FEEDS = Path(__file__).parent / "fixtures" / "feeds"


def load(name, url="https://example.org/feed", ctype=None):
    return parse_feed((FEEDS / name).read_bytes(), url, ctype)


def test_rss2_french_dates_and_plain_text():
    feed = load("rss2_fr.xml")
    assert feed.error is None and feed.feed_language == "fr-CA"
    assert len(feed.entries) == 5
    first = feed.entries[0]
    assert first["title"] == "Vidéotron annonce une hausse de ses forfaits"
    assert "<" not in first["body"] and "Vidéotron" in first["body"] and "« déçu »" in first["body"]
    assert first["author"] == "Anne-Marie Tremblay"
    dates = [e["published_at"] for e in feed.entries]
    assert dates[0] == dt.datetime(2024, 5, 6, 14, 3, tzinfo=UTC)
    assert dates[1] == dt.datetime(2024, 5, 6, 14, 3, tzinfo=UTC)  # "lun., 06 mai 2024 ... -0400"
    assert dates[2] == dt.datetime(2024, 5, 7, 13, 30, tzinfo=UTC)  # EST
    assert dates[3] == dt.datetime(2024, 5, 6, 10, 3, tzinfo=UTC)  # "6 mai 2024 à 10h03"
    assert all(d.tzinfo == UTC for d in dates)
    assert feed.entries[1]["title"] == "Bell et Telus : la guerre des prix"


def test_atom_strips_script_and_converts_zones():
    feed = load("atom.xml")
    assert [e["guid"] for e in feed.entries] == ["tag:conso.example.fr,2024:post-77", "tag:conso.example.fr,2024:post-78"]
    assert feed.entries[0]["title"] == "Orange & Free : qui baisse ses prix ?"
    assert "alert" not in feed.entries[0]["body"]
    assert feed.entries[0]["published_at"] == dt.datetime(2024, 5, 6, 14, 0, tzinfo=UTC)
    assert feed.entries[1]["published_at"] == dt.datetime(2024, 5, 7, 8, 15, tzinfo=UTC)
    assert feed.feed_language == "fr-FR"


def test_rss1_latin1():
    feed = load("rss1.rdf")
    assert feed.error is None
    assert feed.entries[0]["title"] == "Hausse des tarifs à Besançon"
    assert feed.entries[0]["published_at"] == dt.datetime(2024, 5, 6, 9, 0, tzinfo=UTC)


def test_json_feed_skips_bad_items():
    feed = load("jsonfeed.json", ctype="application/feed+json")
    assert feed.error is None
    assert [e["guid"] for e in feed.entries] == ["ep-12", "ep-13", "ep-14"]
    assert feed.entries[0]["body"] == "On parle de Vidéotron et de Bell."
    assert feed.entries[0]["author"] == "Marc-André Côté"
    assert feed.entries[0]["published_at"] == dt.datetime(2024, 5, 6, 14, 3, tzinfo=UTC)
    assert feed.entries[2]["published_at"] is None
    assert any("item 3 skipped" in w for w in feed.warnings)


def test_feed_without_dates():
    feed = load("nodates.xml")
    assert len(feed.entries) == 2 and all(e["published_at"] is None for e in feed.entries)


def test_guid_http_to_https_keeps_ids():
    a = load("guid_http.xml").entries
    b = load("guid_https.xml").entries
    ka, _ = dedup_keys(a)
    kb, _ = dedup_keys(b)
    assert ka == kb


def _items(entries, source="Maj"):
    keys, _ = dedup_keys(entries)
    return [{"id": mention_id(source, k), "source": source, "source_kind": "rss", "url": e["url"],
             "canonical_url": None, "title": e["title"], "body": e["body"], "author": e["author"],
             "published_at": e["published_at"], "engagement": None, "language_hint": None, "thread": None}
            for k, e in zip(keys, entries)]


def test_updated_article_updates_the_same_mention(tmp_path):
    db = str(tmp_path / "v.duckdb")
    r1 = store.write_items(db, _items(load("updated_v1.xml").entries))
    r2 = store.write_items(db, _items(load("updated_v2.xml").entries))
    assert len(r1.new_ids) == 1 and r2.new_ids == [] and r2.updated_ids == r1.new_ids
    rows = query_df("SELECT title, updated_at FROM raw_mentions", db=db)
    assert len(rows) == 1 and rows.title[0].endswith("(mis à jour)")


def test_not_feeds_are_errors():
    assert parse_feed(b"", "u").error.startswith("not a feed")
    assert parse_feed(b"<!DOCTYPE html><html><body>hi</body></html>", "u").error == "not a feed: got an HTML page"
    assert parse_feed(b"<html><head></head></html>", "u", "text/html").error == "not a feed: got an HTML page"
    assert parse_feed(b'{"a": 1}', "u").error.startswith("not a feed")
    assert parse_feed(b"just some text", "u").error.startswith("not a feed")


def test_path_like_body_is_not_opened_as_a_file():
    # feedparser opens a str/bytes that names a file; we must hand it a stream.
    assert parse_feed(b"/etc/passwd", "u").entries == []


MEDIA_CAPTION_FEED = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Une</title>
<item><title>Panne chez Fluxo</title><link>https://example.org/a</link>
<description><![CDATA[Le service de Fluxo est interrompu depuis ce matin.]]></description>
<media:content url="https://example.org/p.jpg" width="644" height="322">
<media:description><![CDATA[Une antenne de Fluxo, photo d'archives.]]></media:description>
</media:content></item>
<item><title>Sans image</title><link>https://example.org/b</link>
<description>Texte seul.</description><content:encoded xmlns:content="http://purl.org/rss/1.0/modules/content/"><![CDATA[<p>Article complet.</p>]]></content:encoded></item>
</channel></rss>"""


def test_media_caption_is_not_the_article_text():
    # feedparser reads <media:description> as the entry's content (Le Monde 2024 feeds).
    for fast in (True, False):
        entries = parse_feed(MEDIA_CAPTION_FEED, "https://example.org/rss", fast=fast).entries
        assert entries[0]["body"] == "Le service de Fluxo est interrompu depuis ce matin."
        assert entries[1]["body"] == "Article complet."
