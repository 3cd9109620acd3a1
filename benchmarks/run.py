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


# Everything after this line in RESULTS.md is history (profiles, before/after
# records by area) and survives a new --write-results run, which only rewrites
# the figures above it and the raw JSON.
KEEP_MARKER = "<!-- Sections below this line are kept by --write-results. -->"


def kept_sections(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return ""
    at = text.find(KEEP_MARKER)
    if at < 0:
        return ""
    kept = text[at:]
    raw = kept.find("\n## Raw JSON")
    return (kept[:raw] if raw >= 0 else kept).rstrip()


def write_results(out: dict, path: Path = RESULTS, notes: str | None = None) -> None:
    notes = FINDINGS if notes is None else notes
    kept = kept_sections(path)
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
    lines += ["", kept or KEEP_MARKER]
    lines += ["", "## Raw JSON", "", "```json", json.dumps(out, indent=1, default=str), "```", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


# What the figures above are made of, for the code as it is now. The profiles of
# the first 1M run and each area's before/after are kept below KEEP_MARKER.
FINDINGS = """
## Where the time goes now (profiles with pyinstrument, same machine)

- **Ingest** is enrichment-bound. CPU per mention on synthetic text, in order: language (py3langid,
  walked for all texts at once with numpy; ~0.4 s per process decompressing its model), stories (MinHash
  signatures and LSH candidates), terms (simplemma; ~0.3 s per process loading its dictionaries),
  sentiment (per-word and per-token caches, no sklearn at scoring time), questions, the fact and
  serving writes, brand matching. Feed parsing takes the lxml fast path for plain RSS 2.0 / Atom 1.0
  (feedparser for everything else, identical entries). Each step splits the text with its own regex: a
  shared tokenisation is the next gain.
- **Load**: `store.write_table` is one LEFT JOIN that classifies new / changed / same rows and inserts the
  new ones straight from the Arrow batch; `load_vs_arrow_ratio` compares it with a durable Arrow insert
  (open, insert, commit, close: the same work per batch); `load_vs_arrow_insert_only_ratio` compares it with
  the INSERT statement alone on an open connection.
- **Collection**: the crawl child is CPU-bound (Scrapy imports ~1.2 s, Scrapy's per-request machinery,
  parsing); the parent enriches new items in a thread while the child crawls, so on 2 cores the two
  compete. 10x the sequential loop would need the crawl child under ~3 s of CPU.
- **Pages** read date-ordered serving tables (`warehouse/serving.py`), one read-only connection per page
  run; Topics and the briefing are the heaviest (term rows of the window, 9 statements for the briefing).
"""
