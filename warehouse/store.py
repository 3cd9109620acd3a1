"""The one write path for collected data.

Crawlers hand over plain dicts; this module turns them into rows and writes a
whole batch in one transaction, so a crash never leaves half a batch behind.
Batches go in as one Arrow table (executemany is ~1,000 rows/s; Arrow
INSERT ... SELECT is hundreds of times faster, see NOTES.md).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from . import db as dbmod
from .identity import content_hash, pseudonymize

UTC = dt.timezone.utc

RAW_COLUMNS = ("id", "source", "source_kind", "url", "canonical_url", "title", "body", "author",
               "published_at", "date_estimated", "collected_at", "updated_at", "content_hash",
               "engagement", "language_hint", "thread")

_ARROW_SCHEMA = pa.schema([
    ("id", pa.string()), ("source", pa.string()), ("source_kind", pa.string()), ("url", pa.string()),
    ("canonical_url", pa.string()), ("title", pa.string()), ("body", pa.string()), ("author", pa.string()),
    ("published_at", pa.timestamp("us", tz="UTC")), ("date_estimated", pa.bool_()),
    ("collected_at", pa.timestamp("us", tz="UTC")), ("updated_at", pa.timestamp("us", tz="UTC")),
    ("content_hash", pa.string()), ("engagement", pa.int32()), ("language_hint", pa.string()),
    ("thread", pa.string()),
])


@dataclass
class WriteResult:
    new_ids: list[str] = field(default_factory=list)
    updated_ids: list[str] = field(default_factory=list)
    new_by_source: dict[str, int] = field(default_factory=dict)
    updated_by_source: dict[str, int] = field(default_factory=dict)


def now_utc() -> dt.datetime:
    return dt.datetime.now(UTC)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _clean_text(value) -> str | None:
    if value is None:
        return None
    text = str(value)
    # Lone surrogates (from bad decoding upstream) would make the Arrow conversion fail.
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")


def items_to_table(items: Sequence[dict], collected_at: dt.datetime | None = None,
                   pseudonymize_authors: bool = False) -> pa.Table:
    """Rows for raw_mentions from crawler items. Each item needs id, source, source_kind."""
    collected_at = _utc(collected_at) or now_utc()
    cols: dict[str, list] = {c: [] for c in RAW_COLUMNS}
    for item in items:
        published = _utc(item.get("published_at"))
        title, body = _clean_text(item.get("title")), _clean_text(item.get("body"))
        author = _clean_text(item.get("author"))
        if pseudonymize_authors:
            author = pseudonymize(author)
        cols["id"].append(item["id"])
        cols["source"].append(item["source"])
        cols["source_kind"].append(item["source_kind"])
        cols["url"].append(_clean_text(item.get("url")))
        cols["canonical_url"].append(_clean_text(item.get("canonical_url")))
        cols["title"].append(title)
        cols["body"].append(body)
        cols["author"].append(author)
        cols["published_at"].append(published or collected_at)
        cols["date_estimated"].append(published is None)
        cols["collected_at"].append(collected_at)
        cols["updated_at"].append(None)
        cols["content_hash"].append(content_hash(title, body))
        engagement = item.get("engagement")
        cols["engagement"].append(int(engagement) if isinstance(engagement, (int, float)) else None)
        cols["language_hint"].append(_clean_text(item.get("language_hint")))
        cols["thread"].append(_clean_text(item.get("thread")))
    return pa.Table.from_pydict(cols, schema=_ARROW_SCHEMA)


def write_table(con, batch: pa.Table) -> WriteResult:
    """Insert new rows, update changed ones, leave identical ones alone. Caller holds the transaction.

    One LEFT JOIN of the batch against raw_mentions classifies every row (new,
    changed, same) and comes back as Arrow; new rows are then inserted straight
    from the Arrow batch, with no temp table and no second join (that plan
    spent 2x the raw Arrow insert, benchmarks/RESULTS.md item 3).
    """
    result = WriteResult()
    if batch.num_rows == 0:
        return result
    if pc.count_distinct(batch["id"]).as_py() != batch.num_rows:
        batch = _last_copy_per_id(con, batch)
    with _registered(con, "incoming", batch):
        status = con.sql("""
            SELECT b.id, b.source, r.id IS NULL AS is_new FROM incoming b LEFT JOIN raw_mentions r ON r.id = b.id
            WHERE r.id IS NULL OR r.content_hash IS DISTINCT FROM b.content_hash
        """).to_arrow_table()
        is_new = status["is_new"]
        new = status.filter(is_new)
        changed = status.filter(pc.invert(is_new))
        if changed.num_rows:
            # Same mention, new content: keep the first publication date and the
            # first-seen time, take the new text, and drop derived facts so the
            # next enrichment recomputes them.
            con.execute("""
                UPDATE raw_mentions r SET title = b.title, body = b.body, url = b.url,
                       canonical_url = b.canonical_url, content_hash = b.content_hash,
                       engagement = coalesce(b.engagement, r.engagement), updated_at = b.collected_at
                FROM incoming b WHERE r.id = b.id AND r.content_hash IS DISTINCT FROM b.content_hash
            """)
    if new.num_rows:
        rows = batch if new.num_rows == batch.num_rows else batch.filter(pc.is_in(batch["id"], new["id"]))
        with _registered(con, "new_rows", rows.select(list(RAW_COLUMNS))):
            con.execute(f"INSERT INTO raw_mentions ({', '.join(RAW_COLUMNS)}) SELECT * FROM new_rows")
    result.new_ids = new["id"].to_pylist()
    result.updated_ids = changed["id"].to_pylist()
    forget_derived(con, result.updated_ids)
    result.new_by_source = _count_by(new["source"])
    result.updated_by_source = _count_by(changed["source"])
    return result


def _last_copy_per_id(con, batch: pa.Table) -> pa.Table:
    """Within one batch the last copy of an id wins (a feed may repeat an entry)."""
    with _registered(con, "incoming_dups", batch):
        return con.sql("""
            SELECT * FROM incoming_dups QUALIFY row_number() OVER (PARTITION BY id ORDER BY collected_at DESC) = 1
        """).to_arrow_table()


@contextlib.contextmanager
def _registered(con, name: str, table: pa.Table):
    """Register an Arrow table for the block. After a failed statement the
    transaction is aborted and unregister itself fails: that second error must
    not hide the first one (e.g. "File too large" when the disk is full)."""
    con.register(name, table)
    try:
        yield
    except BaseException:
        with contextlib.suppress(Exception):
            con.unregister(name)
        raise
    con.unregister(name)


def _count_by(column: pa.ChunkedArray) -> dict[str, int]:
    if not len(column):
        return {}
    counts = pc.value_counts(column)
    return dict(zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist()))


def forget_derived(con, mention_ids: Sequence[str]) -> None:
    if not mention_ids:
        return
    con.register("forget_ids", pa.table({"id": pa.array(list(mention_ids), pa.string())}))
    try:
        for table in ("mention_facts", "mention_brands", "mention_terms", "mention_questions"):
            con.execute(f"DELETE FROM {table} WHERE mention_id IN (SELECT id FROM forget_ids)")
        # The dashboard's serving copies carry the same brand and term tags.
        from . import serving

        serving.forget(con, "forget_ids")
    finally:
        con.unregister("forget_ids")


def write_items(db: str, items: Sequence[dict], collected_at: dt.datetime | None = None,
                pseudonymize_authors: bool = False) -> WriteResult:
    """Write one batch of crawler items atomically."""
    table = items_to_table(items, collected_at, pseudonymize_authors)
    with dbmod.transaction(db) as con:
        return write_table(con, table)


# --- runs, crawl log and source state -----------------------------------------

CRAWL_LOG_COLUMNS = ("run_id", "source", "started_at", "finished_at", "status", "new_items", "error",
                     "updated_items", "seen_items", "http_status", "bytes", "warnings")
STATE_COLUMNS = ("source", "etag", "last_modified", "last_attempt_at", "last_success_at", "last_new_item_at",
                 "consecutive_failures", "failing_since", "last_error", "poll_interval_s", "next_poll_at", "cursor")


def new_run_id(db: str) -> int:
    # A counter in `meta`, not a DuckDB sequence: sequence values were seen to
    # repeat after the file was reopened (duckdb 2.0), and run ids must not.
    with dbmod.transaction(db) as con:
        row = con.execute("""
            SELECT greatest(coalesce((SELECT max(run_id) FROM crawl_log), 0),
                            coalesce((SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'last_run_id'), 0)) + 1
        """).fetchone()
        con.execute("INSERT INTO meta VALUES ('last_run_id', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    [str(row[0])])
        return int(row[0])


def load_source_states(db: str) -> dict[str, dict]:
    with dbmod.connect(db, read_only=True) as con:
        rows = con.execute(f"SELECT {', '.join(STATE_COLUMNS)} FROM source_state").fetchall()
    return {row[0]: dict(zip(STATE_COLUMNS, row)) for row in rows}


def record_fetches(db: str, records: Iterable[dict], states: Iterable[dict]) -> None:
    """Append crawl_log rows and upsert source_state rows, in one transaction."""
    records, states = list(records), list(states)
    with dbmod.transaction(db) as con:
        write_fetches(con, records, states)


_TS = pa.timestamp("us", tz="UTC")
_FETCH_TYPES = {
    "run_id": pa.int64(), "source": pa.string(), "started_at": _TS, "finished_at": _TS, "status": pa.string(),
    "new_items": pa.int32(), "error": pa.string(), "updated_items": pa.int32(), "seen_items": pa.int32(),
    "http_status": pa.int32(), "bytes": pa.int64(), "warnings": pa.string(), "etag": pa.string(),
    "last_modified": pa.string(), "last_attempt_at": _TS, "last_success_at": _TS, "last_new_item_at": _TS,
    "consecutive_failures": pa.int32(), "failing_since": _TS, "last_error": pa.string(),
    "poll_interval_s": pa.int32(), "next_poll_at": _TS, "cursor": pa.string(),
}


def _insert_arrow(con, sql: str, columns: Sequence[str], rows: list[list]) -> None:
    table = pa.table({c: pa.array([r[i] for r in rows], type=_FETCH_TYPES[c]) for i, c in enumerate(columns)})
    con.register("_vigie_fetch_rows", table)
    try:
        con.execute(sql.format(rows="_vigie_fetch_rows"))
    finally:
        con.unregister("_vigie_fetch_rows")


def write_fetches(con, records: list[dict], states: list[dict]) -> None:
    """crawl_log rows appended, source_state rows upserted: one statement per table.

    One statement per row cost 2-5 ms each: 1-2 s per pipeline batch of 200
    finished sources, the slowest part of a 500-feed crawl (collection engineer).
    """
    if records:
        rows = [[rec.get(c, 0 if c in ("new_items", "updated_items", "seen_items") else None)
                 for c in CRAWL_LOG_COLUMNS] for rec in records]
        names = ", ".join(CRAWL_LOG_COLUMNS)
        _insert_arrow(con, f"INSERT INTO crawl_log ({names}) SELECT {names} FROM {{rows}}", CRAWL_LOG_COLUMNS, rows)
    # The last state of a source wins, as with one upsert per row (DuckDB refuses
    # to update one row twice in a statement); states with the same keys go together.
    latest = {st["source"]: st for st in states}
    groups: dict[tuple, list[dict]] = {}
    for st in latest.values():
        groups.setdefault(tuple(c for c in STATE_COLUMNS if c in st), []).append(st)
    for cols, group in groups.items():
        names = ", ".join(cols)
        updates = ", ".join(f"{c} = excluded.{c}" for c in cols if c != "source")
        conflict = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
        _insert_arrow(con, f"INSERT INTO source_state ({names}) SELECT {names} FROM {{rows}} "
                           f"ON CONFLICT (source) {conflict}", cols, [[st[c] for c in cols] for st in group])
