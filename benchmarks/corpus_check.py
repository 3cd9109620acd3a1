"""Collection against the real corpora in ../shared (skips cleanly when absent).

python benchmarks/corpus_check.py   -> prints counts and wall times.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPORA = SHARED / "corpora"


def _config(sources, **opts):
    from warehouse.config import parse_config
    collect = {"allow_private_addresses": True, "timeout_s": 10.0, "per_host_concurrency": 16, "concurrency": 32,
               "obey_robots": False}
    collect.update(opts)
    return parse_config({"collect": collect, "brands": [{"name": "Test", "aliases": ["Test"]}], "sources": sources},
                        str(ROOT / "vigie.toml"))


def feedparser_suite(srv):
    from crawlers.collect import collect
    from tests.fixtures.feeds.server import Route
    files = sorted(p for p in (CORPORA / "feedparser_tests" / "tests").rglob("*") if p.is_file())
    sources = []
    for i, path in enumerate(files):
        rel = path.relative_to(CORPORA / "feedparser_tests" / "tests").as_posix()
        url = srv.add("/fp/" + quote(rel), Route(path.read_bytes(), content_type="application/xml"))
        sources.append({"name": f"fp{i:04d} {rel}", "kind": "rss", "url": url})
    cfg = _config(sources)
    db = tempfile.mktemp(suffix=".duckdb")
    start = time.monotonic()
    summary = collect(cfg, db)
    wall = time.monotonic() - start
    ok = sum(1 for r in summary.results if r.status == "ok")
    with_entries = sum(1 for r in summary.results if r.seen)
    errors = [r for r in summary.results if r.status == "error"]
    silent_fail = [r for r in summary.results if r.status == "ok" and r.seen == 0]
    print(f"feedparser suite: {len(files)} files served, {len(summary.results)} sources reported in {wall:.1f} s; "
          f"{ok} ok ({with_entries} with entries, {len(silent_fail)} valid but empty), {len(errors)} recorded errors, "
          f"{summary.new} items stored")
    kinds = {}
    for r in errors:
        key = re.sub(r"\(.*", "", r.error or "")[:60]
        kinds[key] = kinds.get(key, 0) + 1
    for key, n in sorted(kinds.items(), key=lambda kv: -kv[1])[:6]:
        print(f"    {n:5d}  {key}")
    assert len(summary.results) == len(files), "every source must report"


def french_feeds(srv):
    from crawlers.collect import collect
    from tests.fixtures.feeds.server import Route
    from warehouse.db import query_df
    folder = CORPORA / "feeds_fr"
    sources = []
    for path in sorted(folder.glob("*.xml")):
        if "ledevoir" in path.name:
            continue
        sources.append({"name": path.stem, "kind": "rss", "url": srv.add("/fr/" + path.name, Route(path.read_bytes()))})
    devoir = srv.add("/fr/ledevoir", Route((folder / "ledevoir_fil_2022-03-18.xml").read_bytes()))
    sources.append({"name": "Le Devoir", "kind": "rss", "url": devoir})
    cfg = _config(sources)
    db = tempfile.mktemp(suffix=".duckdb")
    start = time.monotonic()
    first = collect(cfg, db)
    srv.routes["/fr/ledevoir"] = Route((folder / "ledevoir_fil_2022-03-22.xml").read_bytes())
    second = collect(cfg, db, only=["Le Devoir"])
    wall = time.monotonic() - start
    rows = query_df("SELECT source, count(*) n, count(DISTINCT canonical_url) urls, min(published_at) lo, "
                    "max(published_at) hi, sum(date_estimated::int) est FROM raw_mentions GROUP BY source ORDER BY source",
                    db=db)
    print(f"French feeds: {first.new} items, then the second Le Devoir snapshot: {second.new} new, "
          f"{second.updated} updated ({wall:.1f} s)")
    for r in rows.itertuples():
        print(f"    {r.source:45s} {r.n:5d} items, {r.urls:5d} distinct URLs, {r.est} without date, {r.lo} .. {r.hi}")
    dup = query_df("SELECT count(*) - count(DISTINCT canonical_url) d FROM raw_mentions WHERE source = 'Le Devoir'",
                   db=db).d[0]
    accents = query_df("SELECT count(*) n FROM raw_mentions WHERE title LIKE '%é%' OR title LIKE '%è%' OR title LIKE '%à%'",
                       db=db).n[0]
    mojibake = query_df("SELECT count(*) n FROM raw_mentions WHERE title LIKE '%Ã%' OR title LIKE '%â€%'", db=db).n[0]
    print(f"    Le Devoir duplicate URLs across snapshots: {dup}; titles with accents: {accents}; mojibake titles: {mojibake}")


def fast_path_check():
    """crawlers.fastfeed against feedparser on every real file: where the fast path
    accepts a document its entries, language, title, warnings and error must equal
    feedparser's (parse_feed(fast=False)); no file may crash either path."""
    from crawlers.feeds import parse_feed
    suites = {"feeds_fr": sorted((CORPORA / "feeds_fr").glob("*.xml")),
              "feedparser_tests": sorted(p for p in (CORPORA / "feedparser_tests").rglob("*") if p.is_file())}
    problems = []
    for suite, files in suites.items():
        accepted = entries = 0
        slow_s = fast_s = 0.0
        mismatched, crashed = [], []
        for path in files:
            data = path.read_bytes()
            url = "http://127.0.0.1:8000/" + quote(path.name)
            try:
                t0 = time.perf_counter()
                slow = parse_feed(data, url, "application/xml", fast=False)
                t1 = time.perf_counter()
                fast = parse_feed(data, url, "application/xml")
                t2 = time.perf_counter()
            except Exception as exc:  # parse_feed must never raise
                crashed.append(f"{path.name}: {type(exc).__name__}: {exc}")
                continue
            if not fast.fast:
                continue
            accepted += 1
            entries += len(fast.entries)
            slow_s, fast_s = slow_s + t1 - t0, fast_s + t2 - t1
            fields = ("entries", "feed_language", "title", "warnings", "error")
            if any(getattr(slow, f) != getattr(fast, f) for f in fields):
                mismatched.append(path.name)
        speed = f", {slow_s / fast_s:.1f}x faster on them" if fast_s else ""
        print(f"fast path, {suite}: {len(files)} files, {accepted} taken by the fast path ({entries} entries), "
              f"{len(mismatched)} differ from feedparser, {len(crashed)} crashed{speed}")
        for name in (mismatched + crashed)[:10]:
            print(f"    DIFF {name}")
        problems += mismatched + crashed
    assert not problems, "the fast path must equal feedparser wherever it accepts a document"


def _expected_counts():
    out = {}
    text = (CORPORA / "forums" / "hfr_forum_hardware_fr" / "EXPECTED.md").read_text(encoding="utf-8")
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) >= 7 and cells[0].endswith(".html"):
            out[cells[0]] = (cells[4], cells[5], cells[6])
    return out


def forums():
    from parsel import Selector
    from crawlers.presets import PRESETS
    from crawlers.spiders.forum import error_message, extract_posts
    hfr = CORPORA / "forums" / "hfr_forum_hardware_fr"
    expected = _expected_counts()
    print("HFR (preset hfr) against EXPECTED.md:")
    for name, (count, first_id, first_author) in sorted(expected.items()):
        sel = Selector(text=(hfr / name).read_bytes().decode("utf-8", "replace"))
        posts = extract_posts(sel, PRESETS["hfr"], "https://forum.hardware.fr/x")
        got = (len(posts), posts[0]["post_id"] if posts else None, posts[0]["author"] if posts else None)
        good = (str(got[0]) == count or (count == ">0" and got[0] > 0)) and first_id in ("–", got[1]) and \
            (first_author in ("–", got[2]) or (first_author == "non-blank" and got[2]))
        print(f"    {'OK  ' if good else 'FAIL'} {name:28s} posts {got[0]:3d} (exp {count}), first {got[1]} "
              f"(exp {first_id}), author {got[2]} (exp {first_author})")
    sa = CORPORA / "forums" / "somethingawful_vbulletin_awfulapp"
    print("Something Awful (preset vbulletin):")
    checks = {"showthread.html": (40, "407741839", "Majuju"), "showthread2.html": (40, None, None),
              "showthread-last.html": (None, None, None), "showthread-oneuser.html": (None, None, None),
              "database-unavailable.html": (0, None, None), "error-must-register.html": (0, None, None),
              "announcement.html": (0, None, None)}
    for name, (count, first_id, author) in checks.items():
        sel = Selector(text=(sa / name).read_bytes().decode("utf-8", "replace"))
        posts = extract_posts(sel, PRESETS["vbulletin"], "https://forums.somethingawful.com/x")
        good = (count is None or len(posts) == count) and (first_id is None or posts[0]["post_id"] == first_id) and \
            (author is None or posts[0]["author"] == author)
        extra = f"last author {posts[-1]['author']}" if posts else f"error: {error_message(sel)[:70]}"
        print(f"    {'OK  ' if good else 'FAIL'} {name:28s} posts {len(posts):3d}, first "
              f"{posts[0]['post_id'] if posts else None} {posts[0]['author'] if posts else ''}; {extra}")


def discourse():
    import json
    from crawlers.spiders.vigie import discourse_entry
    folder = CORPORA / "forums" / "discourse_api_examples"
    print("Discourse JSON:")
    for path in sorted(folder.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        posts = doc.get("latest_posts") or (doc.get("post_stream") or {}).get("posts") or []
        entries = [discourse_entry(p, "https://discuss.example", doc.get("title")) for p in posts]
        good = [e for e in entries if e and e["body"] and e["author"] and e["published_at"]]
        print(f"    {'OK  ' if len(good) == len(posts) else 'FAIL'} {path.name:28s} {len(good)}/{len(posts)} posts")


def main() -> int:
    if not CORPORA.is_dir():
        print(f"skipped: {CORPORA} not found")
        return 0
    from tests.fixtures.feeds.server import FixtureServer
    total = time.monotonic()
    fast_path_check()
    forums()
    discourse()
    with FixtureServer() as srv:
        french_feeds(srv)
        feedparser_suite(srv)
    print(f"total wall time {time.monotonic() - total:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
