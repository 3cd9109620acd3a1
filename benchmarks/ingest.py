"""Ingest benchmark: feed bytes -> stored, enriched mentions, against a raw Arrow load.

The end-to-end path is the one a collection takes, minus the network (timed
separately by benchmarks.collection): parse_feed on RSS bytes, the dedup
ladder and mention ids exactly as crawlers/spiders/vigie.py builds items, the
pipeline's store write (items_to_table + write_table, one transaction per
batch of WarehousePipeline.FLUSH_ITEMS items), then enrich_pending
(brands, language, sentiment, terms, questions, stories). All in this process,
so "one core".
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from .synth import SynthSpec, brand_config_toml, generate, rss_feeds

ITEMS_PER_FEED = 500
LOAD_REPEAT = 3


def _pipeline_batch() -> int:
    # The crawl pipeline's real batch size, read rather than copied so the two never drift.
    from crawlers.pipelines import WarehousePipeline
    return WarehousePipeline.FLUSH_ITEMS


PIPELINE_BATCH = _pipeline_batch()


def bench_config(workdir: Path, extra: str = ""):
    from warehouse.config import load_config

    path = Path(workdir) / "bench.toml"
    path.write_text(extra + "\n" + brand_config_toml(), encoding="utf-8")
    return load_config(path)


def _fresh(path: Path) -> str:
    for p in (path, Path(str(path) + ".wal")):
        if p.exists():
            p.unlink()
    return str(path)


def items_from_feed(name: str, data: bytes, url: str) -> tuple[list[dict], float, float]:
    """Crawler items for one feed body, as VigieSpider._parse_feed makes them; (items, parse s, identify s)."""
    from crawlers.feeds import parse_feed
    from warehouse.identity import canonical_url, dedup_keys, mention_id

    t0 = time.perf_counter()
    parsed = parse_feed(data, url, "application/rss+xml")
    t1 = time.perf_counter()
    keys, _rung = dedup_keys(parsed.entries)
    items = []
    for key, e in zip(keys, parsed.entries):
        items.append({
            "id": mention_id(name, key), "source": name, "source_kind": "rss", "url": e.get("url"),
            "canonical_url": canonical_url(e.get("url")), "title": e.get("title"), "body": e.get("body"),
            "author": e.get("author"), "published_at": e.get("published_at"), "engagement": e.get("engagement"),
            "language_hint": e.get("language") or parsed.feed_language, "thread": None,
        })
    return items, t1 - t0, time.perf_counter() - t1


def write_batches(db: str, items: list[dict], batch: int = PIPELINE_BATCH) -> float:
    """The pipeline's write: items_to_table + write_table, one short transaction per batch."""
    from warehouse import db as dbmod
    from warehouse import store

    t0 = time.perf_counter()
    for start in range(0, len(items), batch):
        table = store.items_to_table(items[start:start + batch])
        with dbmod.transaction(db) as con:
            store.write_table(con, table)
    return time.perf_counter() - t0


def arrow_insert_s(db: str, table) -> tuple[float, float]:
    """The floor: one Arrow table straight into raw_mentions (NOTES: 0.67 s per 1M).

    Returns (insert statement alone, open + insert + commit + close). The second
    is the fair floor for write_table_s, which pays a commit and a close (the
    WAL checkpoint, most of a 10k batch's time) per transaction.
    """
    from warehouse import db as dbmod

    with dbmod.connect(db) as con:  # schema applied outside the timing
        pass
    t0 = time.perf_counter()
    with dbmod.transaction(db) as con:
        t1 = time.perf_counter()
        con.register("arrow_rows", table)
        con.execute("INSERT INTO raw_mentions SELECT * FROM arrow_rows")
        con.unregister("arrow_rows")
        insert_s = time.perf_counter() - t1
    return insert_s, time.perf_counter() - t0


def write_table_s(db: str, table, batch: int | None = PIPELINE_BATCH) -> float:
    """store.write_table alone on prepared Arrow batches (batch=None: the whole table at once)."""
    from warehouse import db as dbmod
    from warehouse import store

    with dbmod.connect(db) as con:
        pass
    batch = batch or table.num_rows
    t0 = time.perf_counter()
    for start in range(0, table.num_rows, batch):
        with dbmod.transaction(db) as con:
            store.write_table(con, table.slice(start, batch))
    return time.perf_counter() - t0


def run(sample: int, workdir: Path, config=None, log=print) -> dict:
    from warehouse.enrich import enrich_pending

    workdir = Path(workdir)
    config = config or bench_config(workdir)
    table = generate(SynthSpec(n=sample, seed=21))
    feeds = rss_feeds(table, ITEMS_PER_FEED)
    feed_bytes = sum(len(b) for _, b in feeds)
    log(f"ingest: {sample:,} mentions as {len(feeds)} RSS feeds of {ITEMS_PER_FEED} ({feed_bytes / 1e6:.0f} MB)")

    db = _fresh(workdir / "ingest.duckdb")
    t_parse = t_ident = 0.0
    items: list[dict] = []
    t0 = time.perf_counter()
    cpu0 = time.process_time()  # CPU time too: on a shared machine wall time includes waiting
    for k, (name, data) in enumerate(feeds):
        got, tp, ti = items_from_feed(name, data, f"https://example.org/feed/{k}")
        t_parse += tp
        t_ident += ti
        items.extend(got)
    t_store = write_batches(db, items)
    enriched = enrich_pending(db, config)
    total = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    n = len(items)

    # The same rows, loaded three ways into empty databases.
    from warehouse.store import items_to_table
    prepared = items_to_table(items)
    # Median of LOAD_REPEAT runs each, interleaved, on new files (a path must not be
    # reused in one process: db.py remembers which paths already have the schema).
    runs: dict[str, list[float]] = {"arrow_only": [], "arrow": [], "load": [], "load1": []}
    for rep in range(LOAD_REPEAT):
        only, durable = arrow_insert_s(_fresh(workdir / f"arrow{rep}.duckdb"), prepared)
        runs["arrow_only"].append(only)
        runs["arrow"].append(durable)
        runs["load"].append(write_table_s(_fresh(workdir / f"load{rep}.duckdb"), prepared, PIPELINE_BATCH))
        runs["load1"].append(write_table_s(_fresh(workdir / f"load1_{rep}.duckdb"), prepared, None))
        for name in ("arrow", "load", "load1_"):
            _fresh(workdir / f"{name}{rep}.duckdb")
    arrow_only_s, arrow_s, load_s, load_one_s = (statistics.median(runs[k]) for k in ("arrow_only", "arrow", "load", "load1"))

    arrow_rate = n / arrow_s
    e2e_rate = n / total
    out = {
        "ingest_sample": n,
        "ingest_mentions_per_s": e2e_rate,
        "ingest_cpu_mentions_per_s": n / cpu,
        "arrow_insert_mentions_per_s": arrow_rate,
        "ingest_vs_arrow_ratio": e2e_rate / arrow_rate,
        "load_mentions_per_s": n / load_s,
        "load_vs_arrow_ratio": (n / load_s) / arrow_rate,
        "load_one_batch_vs_arrow_ratio": (n / load_one_s) / arrow_rate,
        # RESULTS.md runs up to 2026-12-06 used the INSERT statement alone as the floor.
        "arrow_insert_only_mentions_per_s": n / arrow_only_s,
        "load_vs_arrow_insert_only_ratio": (n / load_s) / (n / arrow_only_s),
        "ingest_stage_s": {"parse": t_parse, "identify": t_ident, "store": t_store,
                           "enrich": enriched.seconds, "total": total},
        "ingest_stage_mentions_per_s": {"parse": n / t_parse, "identify": n / t_ident, "store": n / t_store,
                                        "enrich": n / enriched.seconds if enriched.seconds else 0.0},
    }
    log(f"ingest: {e2e_rate:,.0f} mentions/s end to end; arrow {arrow_rate:,.0f}/s; "
        f"write_table (batches of {PIPELINE_BATCH}) {n / load_s:,.0f}/s; stages "
        + ", ".join(f"{k} {v:.2f} s" for k, v in out["ingest_stage_s"].items()))
    return out


def enrich_stage_profile(sample: int = 5000) -> dict:
    """Per-step rate of Enricher.compute on synthetic text (where enrichment time goes)."""
    from warehouse.enrich import Enricher
    from warehouse.language import detect_languages
    from warehouse.questions import extract_questions
    from warehouse.sentiment import score_texts
    from warehouse.terms import extract_terms_many

    with tempfile.TemporaryDirectory() as tmp:
        enricher = Enricher(bench_config(Path(tmp)))
    rows = generate(SynthSpec(n=sample, seed=5)).select(["title", "body", "language_hint"]).to_pydict()
    texts = [f"{t}\n{b}".strip() for t, b in zip(rows["title"], rows["body"])]
    out = {}

    def rate(name, fn):
        t0 = time.perf_counter()
        value = fn()
        out[name] = sample / (time.perf_counter() - t0)
        return value

    score_texts(texts[:20], rows["language_hint"][:20])  # model load outside the timing
    langs = rate("language", lambda: detect_languages(texts, rows["language_hint"]))
    rate("sentiment", lambda: score_texts(texts, langs))
    rate("brands", lambda: enricher.matcher.match_many(texts))
    rate("terms", lambda: extract_terms_many(texts, langs, enricher.excluded_terms))
    rate("questions", lambda: [extract_questions(t, lang) for t, lang in zip(texts, langs)])
    return out
