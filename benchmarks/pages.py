"""Dashboard benchmark: each page's data, through the warehouse functions it calls.

The database at scale N is built without enrichment (hours at 10M): raw rows
from benchmarks.synth go in as Arrow, and the derived tables come from
synth.derived_tables (one brand and ~13 terms per mention, as the real Enricher
gives on this text). Chunks of CHUNK rows keep memory flat at 10M.

Each page's calls mirror dashboard/views/*.py for the default view (the last 30
days of data, all brands, no source filter, French). Since the synthetic year
ends before today, "now" is the newest mention, so every window holds data:
the worst case. Each page run shares one cold read-only connection
(db.read_session), as dashboard/app.py does; the figure is the median of REPEAT
runs. The bare SQL of each page's main aggregate runs on one already-open
connection and fetches Arrow: the floor the page's Python and connections add to.

The serving tables (warehouse/serving.py) are built after loading, as
enrichment builds them in a real file. A file left in --workdir by an earlier
run with the same number of mentions is reused (its schema is brought up to
date and its serving tables rebuilt when their version changed), so a 10M
database is built once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import statistics
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from .synth import SynthSpec, derived_tables, generate_with_truth

CHUNK = 1_000_000
REPEAT = 5
TZ = "America/Toronto"
DEFAULT_DAYS = 30  # dashboard.state.DEFAULT_DAYS
ENGAGEMENT_THRESHOLD = 100  # config.alerts.engagement_threshold default
PAGE_NAMES = ("today", "share_of_voice", "topics", "mentions", "sources", "briefing")


def build_db(path: str, n: int, log=print, chunk: int = CHUNK) -> dict:
    """A database of n synthetic mentions with derived rows, source state, crawl log and alerts."""
    import pyarrow as pa
    import pyarrow.compute  # noqa: F401

    from warehouse import db as dbmod
    from warehouse import serving

    reused = _reuse(path, n)
    if reused is not None:
        log(f"  build: reusing {path} ({n:,} mentions)")
        return reused
    for p in (path, path + ".wal"):
        if os.path.exists(p):
            os.unlink(p)
    t0 = time.perf_counter()
    gen_s = load_s = serving_s = 0.0
    rows = {"raw_mentions": 0, "mention_facts": 0, "mention_brands": 0, "mention_terms": 0, "mention_questions": 0}
    with dbmod.connect(path) as con:
        pass
    chunks = list(range(0, n, chunk))
    base = SynthSpec(n=0)
    span = -(-base.days // len(chunks))
    for k, start in enumerate(chunks):
        size = min(chunk, n - start)
        g0 = time.perf_counter()
        # Collections store items roughly in time order, which lets DuckDB's
        # zone maps skip row groups outside a 30-day window: each chunk covers
        # its own slice of the year and is sorted by date, as a real file is.
        end = base.end - dt.timedelta(days=span * (len(chunks) - 1 - k))
        spec = SynthSpec(n=size, seed=7 + k, id_offset=start, days=span, end=end)
        raw, truth = generate_with_truth(spec)
        order = pa.compute.sort_indices(raw, [("published_at", "ascending")])
        raw = raw.take(order)
        truth = {key: value[order.to_numpy()] for key, value in truth.items()}
        derived = derived_tables(raw, truth, seed=11 + k, id_offset=start)
        g1 = time.perf_counter()
        with dbmod.transaction(path) as con:
            for name, table in [("raw_mentions", raw), *derived.items()]:
                con.register("bench_rows", table)
                con.execute(f"INSERT INTO {name} ({', '.join(table.column_names)}) "
                            f"SELECT {', '.join(table.column_names)} FROM bench_rows")
                con.unregister("bench_rows")
                rows[name] += table.num_rows
            # Serving rows of this chunk from the chunk itself (enrichment does the same per
            # chunk): one join over 100M term rows at the end would not fit the session.
            s0 = time.perf_counter()
            for name, table in [("raw_mentions", raw), *derived.items()]:
                con.register(f"chunk_{name}", table)
            serving.insert_loaded(con, "chunk_raw_mentions", "chunk_mention_facts", "chunk_mention_brands",
                                  "chunk_mention_terms")
            for name, _ in [("raw_mentions", raw), *derived.items()]:
                con.unregister(f"chunk_{name}")
            chunk_serving_s = time.perf_counter() - s0
            serving_s += chunk_serving_s
        gen_s += g1 - g0
        load_s += time.perf_counter() - g1 - chunk_serving_s
        log(f"  build: {start + size:,}/{n:,} mentions")
        del raw, truth, derived
    _add_operational_rows(path)
    with dbmod.transaction(path) as con:
        serving.mark_ready(con)
    with dbmod.connect(path) as con:
        con.execute("CHECKPOINT")
    size_bytes = os.path.getsize(path)
    return {"rows": rows, "generate_s": gen_s, "load_s": load_s, "serving_s": serving_s,
            "total_s": time.perf_counter() - t0, "file_bytes": size_bytes, "bytes_per_mention": size_bytes / max(1, n)}


def _build_serving(path: str) -> None:
    from warehouse import db as dbmod
    from warehouse import serving
    with dbmod.transaction(path) as con:
        serving.rebuild_all(con)


def _reuse(path: str, n: int) -> dict | None:
    """Stats of a finished build of n mentions already at path (schema and serving brought
    up to date), or None when it must be built again."""
    import duckdb

    from warehouse import db as dbmod
    from warehouse import serving
    if not os.path.exists(path):
        return None
    try:
        con = duckdb.connect(path, read_only=True)
    except duckdb.Error:
        return None
    try:
        # The alerts are written last: their presence means the build finished.
        done = con.execute("SELECT (SELECT count(*) FROM raw_mentions) = ? AND "
                           "EXISTS (SELECT 1 FROM alerts WHERE id = 'bench-0')", [n]).fetchall()[0][0]
    except duckdb.Error:
        done = False
    finally:
        con.close()
    if not done:
        return None
    t0 = time.perf_counter()
    with dbmod.connect(path) as con:  # applies schema additions
        ready = serving.is_ready(con)
    if not ready:
        _build_serving(path)
        with dbmod.connect(path) as con:
            con.execute("CHECKPOINT")
    size_bytes = os.path.getsize(path)
    return {"rows": {}, "reused": True, "serving_s": time.perf_counter() - t0 if not ready else 0.0,
            "total_s": time.perf_counter() - t0, "file_bytes": size_bytes, "bytes_per_mention": size_bytes / max(1, n)}


def _add_operational_rows(path: str) -> None:
    """Source state for every source, a crawl log with some errors, and open alerts: what the
    Today and Sources pages read besides mentions."""
    from warehouse import db as dbmod

    with dbmod.transaction(path) as con:
        hi = con.execute("SELECT max(published_at) FROM raw_mentions").fetchone()[0]
        con.execute("""
            INSERT INTO source_state (source, last_attempt_at, last_success_at, last_new_item_at,
                                      consecutive_failures, poll_interval_s, next_poll_at)
            SELECT source, ?::TIMESTAMPTZ, ?::TIMESTAMPTZ, max(collected_at),
                   CASE WHEN hash(source) % 20 = 0 THEN 3 ELSE 0 END, 3600, ?::TIMESTAMPTZ + INTERVAL 1 HOUR
            FROM raw_mentions GROUP BY source
        """, [hi, hi, hi])
        con.execute("""
            INSERT INTO crawl_log (run_id, source, started_at, finished_at, status, new_items, error, http_status)
            SELECT r.i, s.source, ?::TIMESTAMPTZ - to_hours(r.i), ?::TIMESTAMPTZ - to_hours(r.i),
                   CASE WHEN (hash(s.source) + r.i) % 25 = 0 THEN 'error' ELSE 'ok' END, 5,
                   CASE WHEN (hash(s.source) + r.i) % 25 = 0 THEN 'HTTP 503' END,
                   CASE WHEN (hash(s.source) + r.i) % 25 = 0 THEN 503 ELSE 200 END
            FROM (SELECT DISTINCT source FROM raw_mentions) s, range(1, 200) r(i)
        """, [hi, hi])
        con.execute("""
            INSERT INTO alerts (id, rule, brand, kind, severity, window_start, window_end, observed, expected,
                                explanation, details, created_at)
            SELECT 'bench-' || i, 'volume_spike', 'Fluxo', 'volume', CASE WHEN i % 3 = 0 THEN 'critical' ELSE 'warning' END,
                   ?::TIMESTAMPTZ - to_days(i), ?::TIMESTAMPTZ - to_days(i) + INTERVAL 1 DAY, 120, 40,
                   'Fluxo: 120 mentions in 24 h, usual 40', '{"top_terms": [["panne", 12]]}',
                   ?::TIMESTAMPTZ - to_days(i)
            FROM range(0, 8) t(i)
        """, [hi, hi, hi])


@dataclasses.dataclass
class View:
    db: str
    config: object
    filters: object      # the sidebar's Filters for the default 30-day view
    now: dt.datetime
    own: tuple[str, ...]
    start_date: dt.date
    end_date: dt.date


def default_view(db: str, config) -> View:
    """What dashboard.state.sidebar computes on a first visit, with 'today' = the newest mention's day."""
    from warehouse import queries

    _, hi = queries.data_range(db)
    zone = ZoneInfo(TZ)
    end_date = hi.astimezone(zone).date()
    start_date = end_date - dt.timedelta(days=DEFAULT_DAYS - 1)
    lo = dt.datetime.combine(start_date, dt.time(), zone).astimezone(dt.timezone.utc)
    up = dt.datetime.combine(end_date + dt.timedelta(days=1), dt.time(), zone).astimezone(dt.timezone.utc)
    f = queries.Filters(start=lo, end=up, brands=(), sources=(), tz=TZ)
    return View(db=db, config=config, filters=f, now=hi, own=tuple(config.own_brands),
                start_date=start_date, end_date=end_date)


# --- the pages' calls -------------------------------------------------------------

def sidebar(v: View):
    from warehouse import actions, queries
    queries.brands_present(db=v.db)
    queries.sources_present(db=v.db)
    queries.mention_count(db=v.db)
    queries.data_range(v.db)
    actions.last_review(v.db)


def today(v: View):
    from warehouse import queries
    cur = queries.Filters(v.now - dt.timedelta(hours=24), v.now, v.filters.brands, v.filters.sources, tz=TZ)
    queries.overview(cur, v.own, db=v.db)
    queries.overview(cur.previous(), v.own, db=v.db)
    queries.open_alerts(db=v.db)
    return queries.triage_queue(v.filters, db=v.db, statuses=("to_handle",),
                                engagement_threshold=ENGAGEMENT_THRESHOLD, limit=15)


def share_of_voice(v: View):
    from warehouse import queries
    f = v.filters
    queries.share_of_voice_daily(f, db=v.db)
    queries.share_of_voice_totals(f, db=v.db)
    queries.share_of_voice_by_kind(f, db=v.db)
    queries.sentiment_by_brand(f, db=v.db)
    return queries.normalized_attention(f, db=v.db)


def topics(v: View):
    import pandas as pd

    from warehouse import queries
    f = v.filters
    end = min(f.end, v.now + dt.timedelta(seconds=1))
    wide = dataclasses.replace(f, start=end - dt.timedelta(days=1 + 28), end=end)
    counts = queries.term_counts_daily(wide, db=v.db)
    rising = pd.DataFrame()
    try:
        from warehouse.terms import rising_terms
        now_local = pd.Timestamp(end).tz_convert(TZ).tz_localize(None)
        rising = rising_terms(counts, now_local, recent_days=1, baseline_days=28, min_count=3)
    except ImportError:
        pass
    top = queries.top_terms_by_brand(f, db=v.db, per_brand=10)
    options = list(dict.fromkeys([*rising.get("term", pd.Series(dtype=str)).head(15).tolist(),
                                  *top.get("term", pd.Series(dtype=str)).tolist()]))
    if options:
        queries.term_timeline(f, options[0], db=v.db)
        queries.term_mentions(f, options[0], db=v.db, limit=50)
    asked = queries.questions_asked(f, db=v.db)
    if not asked.empty:
        queries.question_themes(asked)  # as dashboard/views/topics.py
    return queries.competitor_engagement_terms(f, v.own, db=v.db, limit=15)


def mentions(v: View, text: str = ""):
    from warehouse import queries
    queries.kinds_present(db=v.db)
    queries.languages_present(db=v.db)
    f = dataclasses.replace(v.filters, kinds=(), sentiments=(), languages=())
    queries.count_mentions(f, text, db=v.db)
    return queries.search_mentions(f, text, db=v.db, limit=50, offset=0)


def mentions_search(v: View):
    """Not a default view: the Mentions page with a keyword typed (ILIKE over the month)."""
    return mentions(v, "panne")


def sources(v: View):
    from warehouse import queries
    from warehouse.health import source_health
    source_health(v.db, v.config)
    queries.volume_by_source_daily(v.filters, db=v.db)
    return queries.crawl_errors(db=v.db, sources=())


def briefing(v: View):
    from warehouse import report
    from warehouse.queries import Filters
    f = report.period_filters(v.start_date, v.end_date, TZ, ())
    f = Filters(f.start, f.end, f.brands, (), tz=TZ)
    # The data only: charts (PNG) and PDF rendering are not data fetching.
    return report.build_briefing(v.db, f, lang="fr", config=v.config, now=v.now, with_charts=False)


PAGES = {"sidebar": sidebar, "today": today, "share_of_voice": share_of_voice, "topics": topics,
         "mentions": mentions, "sources": sources, "briefing": briefing, "mentions_search": mentions_search}


# --- the bare SQL of each page's main aggregate ----------------------------------------

def _captured_sql(fn, *args, **kwargs) -> tuple[str, list]:
    """The first SQL a warehouse query function sends (so the bare SQL cannot drift from it)."""
    from warehouse import db as dbmod
    seen = []
    original = dbmod.query_df

    def spy(sql, params=None, db=None):
        if "FROM meta" not in sql:  # the serving readiness check is not the page's aggregate
            seen.append((sql, list(params or [])))
        return original(sql, params, db)

    dbmod.query_df = spy
    try:
        fn(*args, **kwargs)
    finally:
        dbmod.query_df = original
    return seen[0]


HEALTH_ITEMS_SQL = """
    SELECT source, any_value(source_kind), count(*), max(collected_at), max(published_at)
    FROM raw_mentions GROUP BY source
"""  # the first items query of warehouse.health._recent_items (it does not go through query_df)


def main_sql(page: str, v: View) -> tuple[str, list]:
    from warehouse import queries
    f = v.filters
    if page == "today":
        cur = queries.Filters(v.now - dt.timedelta(hours=24), v.now, tz=TZ)
        return _captured_sql(queries.overview, cur, v.own, db=v.db)
    if page == "share_of_voice":
        return _captured_sql(queries.share_of_voice_daily, f, db=v.db)
    if page == "topics":
        return _captured_sql(queries.top_terms_by_brand, f, db=v.db, per_brand=10)
    if page == "mentions":
        return _captured_sql(queries.search_mentions, f, "", db=v.db, limit=50)
    if page == "mentions_search":
        return _captured_sql(queries.search_mentions, f, "panne", db=v.db, limit=50)
    if page == "sources":
        return HEALTH_ITEMS_SQL, []
    if page == "briefing":
        return _captured_sql(queries.share_of_voice_totals, f, db=v.db)
    if page == "sidebar":
        return _captured_sql(queries.sources_present, db=v.db)
    raise KeyError(page)


def _median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def run(db: str, config, repeat: int = REPEAT, pages=None, log=print) -> dict:
    import duckdb

    from warehouse import db as dbmod

    v = default_view(db, config)
    names = list(pages or PAGES)
    page_ms, sql_ms = {}, {}
    for name in names:
        PAGES[name](v)  # first call imports modules; not a data cost

        def page_run(name=name):
            # As dashboard/app.py does: one read-only connection per page run.
            with dbmod.read_session(db):
                PAGES[name](v)

        page_ms[name] = _median_ms(page_run, repeat)
        sql, params = main_sql(name, v)
        con = duckdb.connect(db, read_only=True)
        try:
            con.sql(sql, params=params).to_arrow_table()
            sql_ms[name] = _median_ms(lambda: con.sql(sql, params=params).to_arrow_table(), repeat)
        finally:
            con.close()
        log(f"  page {name}: {page_ms[name]:.0f} ms (bare main SQL {sql_ms[name]:.1f} ms)")
    return {"page_data_ms": page_ms, "page_sql_ms": sql_ms,
            "page_vs_sql_ratio": {k: page_ms[k] / sql_ms[k] if sql_ms[k] else None for k in names},
            "view": {"start": v.filters.start.isoformat(), "end": v.filters.end.isoformat(), "tz": TZ}}


def storage(db: str, n: int) -> dict:
    import duckdb
    con = duckdb.connect(db, read_only=True)
    try:
        tables = {r[0]: r[1] for r in con.execute(
            "SELECT table_name, estimated_size FROM duckdb_tables() ORDER BY 1").fetchall()}
    finally:
        con.close()
    size = os.path.getsize(db)
    return {"bytes_per_mention": size / max(1, n), "file_mb": size / 1e6, "table_rows": tables}


def profile_page(db: str, config, page: str) -> str:
    from pyinstrument import Profiler
    from warehouse import db as dbmod
    v = default_view(db, config)
    PAGES[page](v)
    p = Profiler(interval=0.001)
    p.start()
    with dbmod.read_session(db):  # as run() and dashboard/app.py
        PAGES[page](v)
    p.stop()
    return p.output_text(unicode=False, color=False)


def workdir_db(workdir: Path, n: int) -> str:
    return str(Path(workdir) / f"pages-{n}.duckdb")
