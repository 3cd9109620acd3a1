"""Demo corpus: determinism, feed validity, phpBB markup, events, server, config."""

from __future__ import annotations

import hashlib
import re
import statistics
import tomllib
import urllib.error
import urllib.request
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import feedparser
import pytest
from parsel import Selector

from crawlers.demo.generate import BRANDS, build_site
from crawlers.demo.server import make_server, serve_in_thread

END = date(2024, 6, 1)
BASE = "http://127.0.0.1:8765"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    return out, build_site(out, BASE, seed=7, end=END)


def _digest(site: Path) -> dict[str, str]:
    return {str(p.relative_to(site)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


def test_same_seed_and_end_give_identical_site(built, tmp_path):
    out, summary = built
    again = build_site(tmp_path / "a", BASE, seed=7, end=END)
    assert _digest(out / "site") == _digest(Path(again.site_dir))
    assert (out / "vigie.toml").read_text() == (tmp_path / "a" / "vigie.toml").read_text()
    assert again.by_brand == summary.by_brand and again.daily == summary.daily
    other = build_site(tmp_path / "b", BASE, seed=8, end=END)
    assert _digest(Path(other.site_dir)) != _digest(out / "site")


def test_rebuild_keeps_unchanged_files_and_prunes_stale_ones(tmp_path):
    build_site(tmp_path, BASE, seed=7, end=END)
    feed = tmp_path / "site" / "feeds" / "plateau.xml"
    stale = tmp_path / "site" / "forum" / "t" / "99999" / "index.html"
    stale.parent.mkdir(parents=True)
    stale.write_text("old")
    mtime = feed.stat().st_mtime_ns
    build_site(tmp_path, BASE, seed=7, end=END)
    assert feed.stat().st_mtime_ns == mtime  # Last-Modified survives an identical rebuild
    assert not stale.exists()


def test_volume_share_of_voice_and_period(built):
    _, s = built
    assert 1500 <= s.total_items <= 3000
    sov = s.share_of_voice()
    own = next(b.name for b in BRANDS if b.own)
    assert 0.20 <= sov[own] <= 0.32
    top = max(sov, key=sov.get)
    assert top != own and sov[top] > sov[own]
    assert s.no_brand_items > 100 and s.multi_brand_items > 20
    assert all(s.decoys.get(b.name, 0) > 0 for b in BRANDS if b.name in ("Nordik",))
    days = sorted(s.daily)
    assert days[0] >= (END - timedelta(days=60)).isoformat()
    assert days[-1] <= END.isoformat()  # nothing published after the end date (UTC)


def test_weekly_rhythm(built):
    _, s = built
    per_weekday = {i: [] for i in range(7)}
    for d, counts in s.daily.items():
        per_weekday[date.fromisoformat(d).weekday()].append(sum(counts.values()))
    week = statistics.mean(statistics.median(per_weekday[i]) for i in range(5))
    weekend = statistics.mean(statistics.median(per_weekday[i]) for i in (5, 6))
    assert weekend < 0.8 * week


def test_outage_and_launch_bursts(built):
    _, s = built
    outage = next(e for e in s.events if e["kind"] == "outage")
    launch = next(e for e in s.events if e["kind"] == "launch")
    assert outage["start"] == (END - timedelta(days=12)).isoformat()
    assert launch["start"] == (END - timedelta(days=25)).isoformat()

    def series(brand):
        return {d: c.get(brand, 0) for d, c in s.daily.items()}

    bor = series(outage["brand"])
    burst_days = [outage["start"], outage["end"]]
    baseline = statistics.median(v for d, v in bor.items() if d not in burst_days)
    assert min(bor[d] for d in burst_days) >= 4 * max(baseline, 1)
    flux = series(launch["brand"])
    base_f = statistics.median(v for d, v in flux.items() if not launch["start"] <= d <= launch["end"])
    assert flux[launch["start"]] >= 3 * max(base_f, 1)


def _feeds(site: Path):
    return sorted((site / "feeds").glob("*"))


def test_feeds_parse_cleanly(built):
    out, s = built
    feeds = _feeds(out / "site")
    assert len(feeds) == 6
    langs, formats = set(), set()
    for path in feeds:
        d = feedparser.parse(path.read_bytes())
        assert d.bozo == 0, (path.name, d.get("bozo_exception"))
        langs.add(d.feed.get("language"))
        formats.add(d.version)
        expected = next(x["items"] for x in s.sources if x["url"].endswith(path.name))
        assert len(d.entries) == expected > 20
        for e in d.entries:
            assert e.title and e.link.startswith(BASE) and e.get("published")
        if path.name == "echo-capitale.xml":
            # French-locale dates on purpose: feedparser can't read them, collectors must.
            assert all(e.published_parsed is None for e in d.entries)
            assert re.match(r"^(lun|mar|mer|jeu|ven|sam|dim)\., \d\d \S+ \d{4} \d\d:\d\d:\d\d [-+]\d{4}$",
                            d.entries[0].published)
            assert not any("id" in e for e in d.entries)  # a feed without guids
        else:
            assert all(e.published_parsed for e in d.entries)
    assert {"fr-ca", "fr-fr", "en-ca"} <= {(x or "").lower() for x in langs}
    assert "atom10" in formats and "rss20" in formats


def test_wire_story_republished_with_varied_titles(built):
    out, _ = built
    titles = {}
    for path in _feeds(out / "site"):
        for e in feedparser.parse(path.read_bytes()).entries:
            if "Agence Presse Laurentienne" in e.get("summary", ""):
                key = re.sub(r"\W+", "", re.sub(r"^Télécoms \| |\(APL\)", "", e.title)).lower()
                titles.setdefault(key, set()).add((path.name, e.title))
    assert len(titles) >= 6
    assert all(2 <= len({f for f, _ in v}) <= 3 for v in titles.values())
    assert any(len({t for _, t in v}) > 1 for v in titles.values())


def test_phpbb_markup(built):
    out, s = built
    site = out / "site"
    all_ids, topic_dirs = [], set()
    for board in (1, 2):
        page = site / "forum" / "f" / str(board) / "index.html"
        seen_pages = 0
        while True:
            seen_pages += 1
            sel = Selector(text=page.read_text(encoding="utf-8"))
            for href in sel.css("a.topictitle::attr(href)").getall():
                assert re.fullmatch(r"\.\./\.\./t/\d+/index\.html", href)
                topic_dirs.add((page.parent / href).resolve().parent)
            nxt = sel.css('div.pagination li.arrow.next a[rel="next"]::attr(href)').get()
            if not nxt:
                break
            page = page.parent / nxt
        assert seen_pages >= 2
    assert len(topic_dirs) == s.forum_topics
    for tdir in sorted(topic_dirs):
        page, pages = tdir / "index.html", 0
        while True:
            pages += 1
            sel = Selector(text=page.read_text(encoding="utf-8"))
            title = sel.css("h2.topic-title a::text").get()
            posts = sel.css("div.post.has-profile")
            assert title and posts
            for post in posts:
                pid = post.attrib["id"]
                assert re.fullmatch(r"p\d+", pid)
                all_ids.append(pid)
                assert post.css("div.inner dl.postprofile dt a.username::text").get()
                body = post.css(f"div.postbody div#post_content{pid[1:]}")
                assert body.css("h3 a::attr(href)").get() == f"#{pid}"
                author = body.css("p.author span.responsive-hide strong a.username::text").get()
                assert author
                stamp = body.css("p.author time::attr(datetime)").get()
                assert datetime.fromisoformat(stamp).utcoffset() == timedelta(0)
                assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", stamp)
                assert body.css("div.content").get()
            nxt = sel.css('div.pagination li.arrow.next a[rel="next"]::attr(href)').get()
            if not nxt:
                break
            assert len(posts) == 10
            page = tdir / nxt
        assert 3 <= pages <= 6
    assert len(all_ids) == len(set(all_ids)) == s.forum_posts
    quoted = list(site.glob("forum/t/*/page-2.html"))
    assert any("<blockquote><cite>" in p.read_text(encoding="utf-8") for p in quoted)


def _match(text: str, config: dict) -> set[str]:
    low = text.lower()
    found = set()
    for b in config["brands"]:
        t = low
        for x in b["exclude"]:
            t = t.replace(x.lower(), " ")
        if any(re.search(r"(?<![\w@#])" + re.escape(a.lower()) + r"(?!\w)", t) for a in b["aliases"]):
            found.add(b["name"])
    return found


def test_counts_match_what_a_matcher_finds(built):
    """The summary's ground truth equals alias matching with exclusions over the served text."""
    out, s = built
    config = tomllib.loads((out / "vigie.toml").read_text(encoding="utf-8"))
    counts = {b["name"]: 0 for b in config["brands"]}
    naive_nordik = 0
    for path in _feeds(out / "site"):
        for e in feedparser.parse(path.read_bytes()).entries:
            text = e.title + " " + re.sub(r"<[^>]+>", " ", e.get("summary", ""))
            for b in _match(text, config):
                counts[b] += 1
            naive_nordik += "nordik" in text.lower()
    for page in (out / "site" / "forum" / "t").rglob("*.html"):
        for content in Selector(text=page.read_text(encoding="utf-8")).css("div.content"):
            own_text = " ".join(content.xpath("./text()|./*[not(self::blockquote)]//text()").getall())
            for b in _match(own_text, config):
                counts[b] += 1
    assert counts == {k: v["total"] for k, v in s.by_brand.items()}
    assert naive_nordik > s.by_brand["Nordik"]["news"]  # the Spa Nordik items exist and are excluded


def test_generated_config(built):
    out, _ = built
    cfg = tomllib.loads((out / "vigie.toml").read_text(encoding="utf-8"))
    assert set(cfg) == {"collect", "brands", "sources"}  # no [database]: the CLI takes --db
    assert cfg["collect"]["allow_private_addresses"] is True
    assert len(cfg["brands"]) == 5 and sum(b["own"] for b in cfg["brands"]) == 1
    for b in cfg["brands"]:
        assert set(b) == {"name", "own", "aliases", "exclude"}
        assert b["name"] in b["aliases"] and b["exclude"]
        assert any(a.startswith("@") for a in b["aliases"]) and any(a.startswith("#") for a in b["aliases"])
    kinds = [s["kind"] for s in cfg["sources"]]
    assert kinds.count("rss") == 6 and kinds.count("forum") == 2
    for src in cfg["sources"]:
        assert {"name", "kind", "url"} <= set(src) and src["url"].startswith(BASE + "/")
        if src["kind"] == "forum":
            assert src["preset"] == "phpbb"
            assert (out / "site" / src["url"][len(BASE) + 1:]).is_file()


def test_server_conditional_get(built):
    out, _ = built
    server, base = serve_in_thread(out / "site")
    try:
        assert base.startswith("http://127.0.0.1:")

        def get(path, **headers):
            req = urllib.request.Request(base + path, headers=headers)
            try:
                with urllib.request.urlopen(req, timeout=5) as r:
                    return r.status, dict(r.headers), r.read()
            except urllib.error.HTTPError as e:
                return e.code, dict(e.headers), e.read()

        status, h, body = get("/feeds/plateau.xml")
        assert status == 200 and h["Content-Type"].startswith("application/rss+xml")
        assert h["ETag"].startswith('"') and not h["ETag"].startswith("W/")
        assert body == (out / "site" / "feeds" / "plateau.xml").read_bytes()
        assert get("/feeds/plateau.xml", **{"If-None-Match": h["ETag"]})[0] == 304
        assert get("/feeds/plateau.xml", **{"If-Modified-Since": h["Last-Modified"]})[0] == 304
        assert get("/feeds/plateau.xml", **{"If-None-Match": '"nope"'})[0] == 200
        assert get("/feeds/fil-numerique.atom")[1]["Content-Type"].startswith("application/atom+xml")
        assert get("/forum/f/1/index.html")[1]["Content-Type"] == "text/html; charset=utf-8"
        status, _, robots = get("/robots.txt")
        assert status == 200 and b"User-agent: *" in robots
        assert get("/nothing-here.html")[0] == 404
        assert get("/%2e%2e/%2e%2e/etc/passwd")[0] == 404
    finally:
        server.shutdown()
        server.server_close()


def test_server_refuses_non_loopback(built):
    out, _ = built
    with pytest.raises(ValueError):
        make_server(out / "site", 0, host="0.0.0.0")


def test_default_end_is_today_utc(tmp_path):
    s = build_site(tmp_path, BASE)
    assert s.end == datetime.now(timezone.utc).date().isoformat()
