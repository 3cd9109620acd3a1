"""The benchmark driver: every phase, one JSON object, and benchmarks/RESULTS.md."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

from . import collection, ingest, memory, pages

RESULTS = Path(__file__).with_name("RESULTS.md")
PHASES = ("ingest", "rebuild", "pages", "collect", "sentiment")

TARGETS = {
    # key: (description, test on the value, scale-dependent?)
    "ingest_mentions_per_s": ("≥ 5,000 mentions/s end to end, one core", lambda v, n: v >= 5000),
    "load_vs_arrow_ratio": ("store.write_table ≥ 0.5 × raw Arrow insert", lambda v, n: v >= 0.5),
    "collect_500_feeds_s": ("< 15 s", lambda v, n: v < 15),
    "collect_vs_sequential_speedup": ("≥ 10× the sequential loop", lambda v, n: v >= 10),
}


def machine() -> dict:
    import duckdb
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        ram_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        ram_gb = None
    return {"nproc": os.cpu_count(), "ram_gb": round(ram_gb, 1) if ram_gb else None, "cpu": cpu,
            "python": platform.python_version(), "duckdb": duckdb.__version__,
            "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


def run(scale: int = 1_000_000, skip: tuple[str, ...] = (), ingest_sample: int | None = None,
        rebuild_sample: int | None = None, workdir: str | None = None, repeat: int = pages.REPEAT,
        feeds: int = collection.FEEDS, log=None) -> dict:
    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    own_tmp = workdir is None
    work = Path(workdir or tempfile.mkdtemp(prefix="vigie-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()
    out: dict = {"scale": scale, "machine": machine()}
    config = ingest.bench_config(work)
    config_path = str(work / "bench.toml")
    try:
        if "ingest" not in skip:
            sample = min(scale, ingest_sample or 100_000)
            out.update(ingest.run(sample, work, config, log=log))
            out["enrich_step_mentions_per_s"] = ingest.enrich_stage_profile(min(sample, 5000))

        if "rebuild" not in skip:
            sample = min(scale, rebuild_sample or 100_000)
            db = str(work / "rebuild.duckdb")
            log(f"rebuild: sample database of {sample:,} mentions")
            pages.build_db(db, sample, log=lambda m: None)
            r = memory.run_phase("rebuild", db=db, config=config_path)
            out["rebuild_sample"] = sample
            out["rebuild_mentions_per_s"] = r["mentions"] / r["seconds"]
            out.setdefault("peak_rss_mb", {})["rebuild"] = r["peak_rss_mb"]
            log(f"rebuild: {out['rebuild_mentions_per_s']:,.0f} mentions/s, peak {r['peak_rss_mb']:.0f} MB")
            os.unlink(db)

        if "pages" not in skip:
            db = pages.workdir_db(work, scale)
            log(f"pages: building a database of {scale:,} mentions")
            built = pages.build_db(db, scale, log=log)
            out["build_db_s"] = built["total_s"]
            out.update(pages.storage(db, scale))
            log(f"storage: {out['bytes_per_mention']:.0f} bytes per mention (file {out['file_mb']:.0f} MB, "
                "derived rows included, after CHECKPOINT)")
            out.update(pages.run(db, config, repeat=repeat, log=log))
            core = {k: v for k, v in out["page_data_ms"].items() if k in pages.PAGE_NAMES}
            largest = max(core, key=core.get)
            m = memory.run_phase("dashboard", db=db, config=config_path, page=largest)
            out.setdefault("peak_rss_mb", {})["dashboard"] = m["peak_rss_mb"]
            out["dashboard_largest_page"] = largest
            log(f"dashboard: largest page {largest}, peak {m['peak_rss_mb']:.0f} MB")
            if own_tmp:  # a --workdir keeps it: the next run at this scale reuses it (pages.build_db)
                os.unlink(db)

        if "collect" not in skip:
            log(f"collect: {feeds} feeds on {collection.HOSTS} loopback hosts, "
                f"{collection.LATENCY_S * 1000:.0f} ms latency, {collection.ITEMS} items each")
            with collection.FeedServer(feeds=feeds) as srv:
                cfg = work / "collect.toml"
                cfg.write_text(collection.config_toml(srv.urls), encoding="utf-8")
                db = work / "collect.duckdb"
                c = memory.run_phase("collect", config=str(cfg), db=str(db))
                seq = collection.sequential(srv.urls)
            out["collect_500_feeds_s"] = c["seconds"]
            out["collect_enrich_s"] = c["enrich_s"]
            out["collect_crawl_s"] = c.get("crawl_s")  # the child crawl alone (enrichment overlaps it)
            out["collect_new_items"] = c["new"]
            out["collect_failed_sources"] = c["failed"]
            out["sequential_500_feeds_s"] = seq["seconds"]
            out["collect_vs_sequential_speedup"] = seq["seconds"] / c["seconds"]
            out.setdefault("peak_rss_mb", {})["collect"] = c["peak_rss_mb"]
            log(f"collect: {c['seconds']:.1f} s (enrichment {c['enrich_s'] or 0:.1f} s of it), "
                f"sequential {seq['seconds']:.1f} s, peak {c['peak_rss_mb']:.0f} MB")

        if "sentiment" not in skip:
            try:
                from . import sentiment
                sp = sentiment.run(quiet=True).get("speed") or {}
                out["sentiment_texts_per_s"] = sp.get("score_texts_per_s")
            except Exception as exc:  # someone else's benchmark: its failure is not ours
                out["sentiment_texts_per_s"] = None
                out["sentiment_error"] = f"{type(exc).__name__}: {exc}"[:200]
    finally:
        if own_tmp:
            shutil.rmtree(work, ignore_errors=True)
    out["seconds"] = time.perf_counter() - t_start
    return out


def verdicts(out: dict) -> list[tuple[str, str, str, str]]:
    """(figure, value, target, pass/fail) rows."""
    rows = []
    n = out["scale"]

    def fmt(v, unit=""):
        return "—" if v is None else (f"{v:,.0f}{unit}" if abs(v) >= 100 else f"{v:.3g}{unit}")

    for key, (target, ok) in TARGETS.items():
        if key in out and out[key] is not None:
            rows.append((key, fmt(out[key]), target, "pass" if ok(out[key], n) else "FAIL"))
    limit = 300 if n <= 1_000_000 else 2000
    for page, ms in (out.get("page_data_ms") or {}).items():
        target = f"< {limit} ms at {n:,}" if page in pages.PAGE_NAMES else "(info)"
        verdict = ("pass" if ms < limit else "FAIL") if page in pages.PAGE_NAMES else "info"
        ratio = out["page_vs_sql_ratio"].get(page)
        rows.append((f"page {page} (× bare SQL)", f"{ms:,.0f} ms ({ratio:.1f}×)", target, verdict))
    for key in ("rebuild_mentions_per_s", "bytes_per_mention", "ingest_vs_arrow_ratio"):
        if key in out:
            rows.append((key, fmt(out[key], ""), "(info)", "info"))
    for phase, mb in (out.get("peak_rss_mb") or {}).items():
        rows.append((f"peak RSS {phase}", f"{mb:,.0f} MB", "(info)", "info"))
    return rows


def write_results(out: dict, path: Path = RESULTS, notes: str | None = None) -> None:
    notes = FINDINGS if notes is None else notes
    m = out["machine"]
    lines = [
        "# Benchmark results",
        "",
        "Written by `python -m benchmarks --write-results` (see `python -m benchmarks --help`).",
        f"Machine: {m['nproc']} cores, {m['ram_gb']} GB RAM, {m['cpu']}; Python {m['python']}, "
        f"DuckDB {m['duckdb']}; {m['date']}. The machine is shared and noisy: "
        "compare ratios and medians from the same run, not across runs.",
        "",
        f"Scale N = {out['scale']:,} mentions. Ingest sample: {out.get('ingest_sample', '—'):,} mentions "
        f"(RSS feeds of {ingest.ITEMS_PER_FEED} items); rebuild sample: {out.get('rebuild_sample', '—'):,}; "
        f"pages: cold read-only connection per call, median of {pages.REPEAT}, default view (last 30 days "
        "of data, all brands).",
        "",
        "| figure | value | target | result |",
        "|---|---|---|---|",
    ]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in verdicts(out)]
    if out.get("ingest_stage_mentions_per_s"):
        lines += ["", "Ingest stages (mentions/s): " + ", ".join(
            f"{k} {v:,.0f}" for k, v in out["ingest_stage_mentions_per_s"].items())]
    if out.get("enrich_step_mentions_per_s"):
        lines += ["", "Enricher steps (texts/s, 5k sample): " + ", ".join(
            f"{k} {v:,.0f}" for k, v in out["enrich_step_mentions_per_s"].items())]
    if notes:
        lines += ["", notes.strip()]
    lines += ["", "## Raw JSON", "", "```json", json.dumps(out, indent=1, default=str), "```", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


# Profiles and the fixes they point to (pyinstrument 5.1.3, same machine). Kept
# here so RESULTS.md always carries them next to the figures they explain.
FINDINGS = """
## Where the time goes, and the fixes (before/after)

Measured with pyinstrument on this machine while other jobs ran (load average 5-7 on 2 cores),
so absolute rates are low; the shares and the before/after ratios are what to read.

1. **Ingest end to end is enrichment-bound** (stage rates above). `Enricher.compute` per step on
   synthetic text: sentiment ≈ 1,500 texts/s, language ≈ 5,600/s, terms ≈ 13,000/s, questions
   ≈ 13,000/s, brands ≈ 39,000/s. Every step but sentiment is above 5,000/s alone, but the costs add up
   (1 / sum of 1/rate ≈ 900/s before stories and writes); sentiment is ~65% of it.
   - `warehouse/sentiment.py`, `Featurizer._counts` + `_ngrams`: 73% of `score_texts` builds char
     2-5-grams per word in Python and hashes every string again in `HashingVectorizer.transform`.
     Words repeat (Zipf), so cache per word the hashed column indices
     (`abs(murmurhash3_32(s, seed=0)) % n_features`, which is what HashingVectorizer computes with
     alternate_sign=False) and build the CSR from index lists. Prototype: identical matrix and
     identical probabilities (np.allclose 1e-6), `score_texts` 861 -> 2,422 texts/s (2.8x) in one run.
     Bound the cache (e.g. clear above 500k words).
   - `warehouse/language.py`, `detect_languages`: one py3langid `rank` per text (~40% of it) plus
     the priors; a cheap path for texts whose hint and function-word prior agree strongly
     (skip langid when the word evidence already exceeds the hint weight) would cut a large part of it (estimate, not measured).
   - `warehouse/enrich.py`: `enrich_pending` also spends ~1.5 s on the first sklearn import and
     0.5 s on loading the langid model per process: fine for `run`, visible in a 10k collection.
2. **Feed parsing** (`crawlers/feeds.py`, `_parse_xml_feed`): 94% is inside `feedparser.parse`.
   `resolve_relative_uris=False` gains ~12% (we keep absolute links only; html_to_text drops
   markup anyway); `sanitize_html=False` another ~3% (html_to_text makes the body text, nothing is
   rendered as HTML). Feedparser stays the ceiling at ~4,000 items/s per core unloaded.
3. **store.write_table is 6-10x slower than the Arrow insert** (target: at most 2x). One 100k batch,
   statement by statement: QUALIFY row_number() dedup into a temp table 1.3 s (a plain copy 0.65 s),
   the ANTI JOIN fetch of new ids to Python 0.48 s, INSERT ... ANTI JOIN 3.2 s vs INSERT straight from
   Arrow 1.9 s. Fix in `warehouse/store.py`, `write_table`: skip the QUALIFY when
   `pc.count_distinct(batch['id']) == batch.num_rows` (the usual case; keep it for repeats), insert
   from the registered Arrow relation with one `LEFT JOIN raw_mentions` that yields new / changed /
   same per row, fetched once as Arrow (not fetchall); expected ~2x, bringing the ratio near 0.5.
   With pipeline batches of 2,000 a connection open + schema check + commit per batch adds
   ~30% more: `WarehousePipeline.FLUSH_ITEMS` 2,000 -> 10,000 for feeds-only runs.
4. **Topics page**: `warehouse/questions.py`, `group_questions`, called with up to 2,000 questions,
   compares them pairwise: 6.75 s for 1,069 questions at 200k mentions, most of the page.
   Group exact duplicates first (casefolded, accents stripped; the page already has
   `group_questions_exact`) and run the fuzzy pass over distinct texts only, with counts carried:
   on this data 1,069 -> 4 distinct texts, so milliseconds. Realistic data has more distinct texts,
   but repeats are the point of the feature.
5. **Sources page**: `warehouse/health.py`, `source_health`, sorts every mention of every source
   (`list(published_at ORDER BY published_at DESC)[1:200]` over all of raw_mentions). Restrict to
   the last 90 days (`WHERE published_at >= now() - INTERVAL 90 DAY`) or use
   `QUALIFY row_number() OVER (PARTITION BY source ORDER BY published_at DESC) <= 200`; the usual
   gap only needs recent items.
6. **Every page query opens a new DuckDB instance** (`warehouse/db.py`, `query_df`): a page
   making 5-12 calls pays 5-12 opens (35 ms each per NOTES, more under load). The pages are
   5-40x their main SQL; at 200k under load one cold open + count(*) took 108 ms, so 6 opens are ~0.6 s of the 0.95 s Today page. Keeping the read-only pattern, one connection per page
   run (a `queries.session(db)` context manager passed to the named functions) removes it; the
   lock behaviour is unchanged because the connection still closes at the end of the page.
7. **Mentions page**: `warehouse/queries.py`, `search_mentions` (and `triage_queue`) order and
   limit over the `mentions` view, i.e. after joining all of mention_facts. Taking the page of ids
   from raw_mentions first and joining facts for those 50 rows (when no language/sentiment
   filter is set) measured 177 -> 104 ms at 200k; the gap grows with N (bare SQL 2.1 s at 1M
   under load).
8. **Benchmark fix in my files** (before/after): the synthetic database was loaded in random date
   order, so DuckDB's zone maps could not skip row groups outside the 30-day window; a collection
   stores items roughly in time order. `benchmarks/pages.py` now loads time-ordered chunks.
   Before (200k, random order, one run): today 946 ms, share_of_voice 690, topics 3,591,
   mentions 571, sources 503, briefing 2,133.
"""
