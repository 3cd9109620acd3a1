"""Serving copies of the derived tables for the dashboard's reads.

Why: every dashboard aggregate joined mention_brands (and mention_terms, 11M
rows at 1M mentions) with raw_mentions and mention_facts on VARCHAR ids. The
30-day window prunes raw_mentions by its zone maps, but the derived tables have
no date, so each query hashed every row of them: 0.2-0.7 s per query at 1M.

The serving tables copy, for each mention_brands row (and each mention_terms x
mention_brands pair), the mention's date and filter columns, written in
published_at order so a date window reads only its own row groups and no join
is needed. They hold the same rows as the joins they replace, so the queries
give the same figures (tests/test_queries.py compares both paths).

Maintenance (all from warehouse/enrich.py, one call each):
- refresh(con, ids) after a chunk's derived rows are written;
- update_stories(con, table) after story ids change;
- rebuild_all(con) at the end of `rebuild` (recomputes and re-sorts everything).
Purge deletes from every table with a mention_id column, so these follow it;
backup/restore copy every table. A collection that changes a mention's text
drops its derived rows and its serving rows (store.forget_derived calls
forget), so between that collection and the next enrichment the mention is on
no page, as it is in the direct joins; the enrichment then writes them again.

The tables are only read when meta 'serving_version' equals VERSION (set by
rebuild_all, which refresh runs on a database that never had them); otherwise
warehouse.queries uses the direct joins. Bump VERSION when the columns change.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

VERSION = "2"
META_KEY = "serving_version"

# first_brand marks one row per mention (its first brand), so mention-level counts
# without a brand filter are count(*) FILTER (WHERE first_brand): 3-5x faster than
# count(DISTINCT mention_id), same number.
def _brand_select(where: str = "", raw: str = "raw_mentions", facts: str = "mention_facts",
                  brands: str = "mention_brands") -> str:
    return f"""
        SELECT b.mention_id, b.brand, r.published_at, r.source, r.source_kind, f.language, f.sentiment,
               f.sentiment_score, coalesce(f.story_id, r.id) AS story_key, r.engagement, r.date_estimated,
               row_number() OVER (PARTITION BY b.mention_id ORDER BY b.brand) = 1 AS first_brand
        FROM {brands} b JOIN {raw} r ON r.id = b.mention_id
        LEFT JOIN {facts} f ON f.mention_id = b.mention_id
        {where}
        ORDER BY r.published_at, b.mention_id
    """


_BRAND_COLUMNS = ("mention_id, brand, published_at, source, source_kind, language, sentiment, "
                  "sentiment_score, story_key, engagement, date_estimated, first_brand")


# One row per distinct (mention, brand, term): count(*) is the number of distinct
# mentions; copies keeps how many joined rows it stands for (engagement sums);
# first_brand marks one row per (mention, term).
def _term_select(where: str = "", raw: str = "raw_mentions", brands: str = "mention_brands",
                 terms: str = "mention_terms") -> str:
    return f"""
        SELECT mention_id, brand, term, published_at, source, engagement, copies,
               row_number() OVER (PARTITION BY mention_id, term ORDER BY brand) = 1 AS first_brand
        FROM (
            SELECT t.mention_id, b.brand, t.term, any_value(r.published_at) AS published_at,
                   any_value(r.source) AS source, any_value(r.engagement) AS engagement, count(*) AS copies
            FROM {terms} t JOIN {brands} b ON b.mention_id = t.mention_id
            JOIN {raw} r ON r.id = t.mention_id
            {where}
            GROUP BY t.mention_id, b.brand, t.term
        )
        ORDER BY published_at, mention_id
    """


_TERM_COLUMNS = "mention_id, brand, term, published_at, source, engagement, copies, first_brand"


def is_ready(con) -> bool:
    # fetchall, not fetchone: DuckDB refuses con.register() while a result is unfinished.
    rows = con.execute("SELECT value FROM meta WHERE key = ?", [META_KEY]).fetchall()
    return bool(rows) and rows[0][0] == VERSION


def _month_ranges(con) -> list[tuple]:
    return con.execute("""
        SELECT m, m + INTERVAL 1 MONTH FROM (
            SELECT DISTINCT date_trunc('month', published_at) AS m FROM raw_mentions WHERE published_at IS NOT NULL
        ) ORDER BY m
    """).fetchall()


def rebuild_all(con) -> None:
    """Recompute both serving tables from the derived tables, in date order, and mark them ready.

    One month at a time: in one statement the join and sort of every term row took
    18.2 GB at 10M mentions (DuckDB's default limit is 80% of RAM) and failed under a
    3 GB limit. Months appended in order keep the tables in published_at order, and
    each mention lies in one month, so the per-mention window functions are unchanged.
    """
    con.execute("DELETE FROM serving_brand_mentions")
    con.execute("DELETE FROM serving_brand_terms")
    ranges = [("WHERE r.published_at >= ? AND r.published_at < ?", [lo, hi]) for lo, hi in _month_ranges(con)]
    ranges.append(("WHERE r.published_at IS NULL", []))
    for where, params in ranges:
        con.execute(f"INSERT INTO serving_brand_mentions ({_BRAND_COLUMNS}) {_brand_select(where)}", params)
        con.execute(f"INSERT INTO serving_brand_terms ({_TERM_COLUMNS}) {_term_select(where)}", params)
    mark_ready(con)


def refresh(con, ids: Sequence[str]) -> None:
    """Replace the serving rows of these mentions (after their derived rows were rewritten)."""
    if not is_ready(con):
        # First enrichment of this file (or an older file): build everything once.
        rebuild_all(con)
        return
    if not ids:
        return
    con.register("serving_ids", pa.table({"id": pa.array(list(ids), pa.string())}))
    try:
        for table in ("serving_brand_mentions", "serving_brand_terms"):
            con.execute(f"DELETE FROM {table} WHERE mention_id IN (SELECT id FROM serving_ids)")
        con.execute(f"INSERT INTO serving_brand_mentions ({_BRAND_COLUMNS}) "
                    f"{_brand_select('WHERE b.mention_id IN (SELECT id FROM serving_ids)')}")
        con.execute(f"INSERT INTO serving_brand_terms ({_TERM_COLUMNS}) "
                    f"{_term_select('WHERE t.mention_id IN (SELECT id FROM serving_ids)')}")
    finally:
        con.unregister("serving_ids")


SERVING_TABLES = ("serving_brand_mentions", "serving_brand_terms")


def forget(con, ids_table: str) -> None:
    """Delete the serving rows of the mentions listed in ids_table (column id, registered on con):
    store.forget_derived, when a collection changed their text, so no page keeps their old tags."""
    for table in SERVING_TABLES:
        con.execute(f"DELETE FROM {table} WHERE mention_id IN (SELECT id FROM {ids_table})")


def update_stories(con, table: str = "story_map") -> None:
    """Copy new story ids (table: mention_id, story_id, registered on con) into the serving rows."""
    if not is_ready(con):
        return
    con.execute(f"""
        UPDATE serving_brand_mentions s SET story_key = coalesce(m.story_id, s.mention_id)
        FROM {table} m WHERE s.mention_id = m.mention_id
          AND s.story_key IS DISTINCT FROM coalesce(m.story_id, s.mention_id)
    """)


def rebuild_db(db: str) -> None:
    """rebuild_all in its own write transaction (end of `python -m warehouse rebuild`)."""
    from . import db as dbmod

    with dbmod.transaction(db) as con:
        rebuild_all(con)


def insert_loaded(con, raw: str, facts: str, brands: str, terms: str) -> None:
    """Append the serving rows of a batch of whole mentions given as relations (bulk loads,
    e.g. benchmarks.pages at 10M: one pass per chunk instead of one join over everything)."""
    con.execute(f"INSERT INTO serving_brand_mentions ({_BRAND_COLUMNS}) {_brand_select('', raw, facts, brands)}")
    con.execute(f"INSERT INTO serving_brand_terms ({_TERM_COLUMNS}) {_term_select('', raw, brands, terms)}")


def mark_ready(con) -> None:
    con.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [META_KEY, VERSION])
