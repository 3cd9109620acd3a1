"""Derived facts: from raw mentions to brands, language, sentiment, terms, stories.

Everything here is recomputable from raw_mentions. Work is done in chunks:
read a chunk with a short connection, compute in Python with no connection
open (so the dashboard and other readers are never blocked by our CPU time),
then write the chunk's facts in one short transaction.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from . import db as dbmod
from . import serving
from .config import Config
from .store import now_utc

log = logging.getLogger(__name__)

CHUNK = 50_000
# Stories: wire copies are republished within days, so new items are compared
# with this recent window rather than with the whole history.
STORY_WINDOW_DAYS = 4


@dataclass
class EnrichResult:
    mentions: int = 0
    seconds: float = 0.0
    stale_config: bool = False

    @property
    def per_second(self) -> float:
        return self.mentions / self.seconds if self.seconds else 0.0


def brand_rules(config: Config):
    from .matching import BrandRule
    return [BrandRule(name=b.name, aliases=tuple(b.aliases), exclude=tuple(b.exclude), query=b.query)
            for b in config.brands]


def config_fingerprint(config: Config) -> str:
    from . import sentiment
    payload = json.dumps({
        "brands": [[b.name, list(b.aliases), list(b.exclude), b.query] for b in config.brands],
        "sentiment": sentiment.MODEL_VERSION,
    }, sort_keys=True, ensure_ascii=False)
    return hashlib.sha1(payload.encode()).hexdigest()[:16]


class Enricher:
    """Compiled once per run: matcher, models, exclusions."""

    def __init__(self, config: Config):
        from .matching import BrandMatcher
        self.config = config
        self.matcher = BrandMatcher(brand_rules(config))
        excluded: set[str] = set()
        for b in config.brands:
            excluded.add(b.name)
            excluded.update(a.lstrip("@#") for a in b.aliases)
        self.excluded_terms = sorted(excluded)

    def compute(self, rows: dict[str, list]) -> dict[str, pa.Table]:
        """Derived rows for one chunk of raw mentions (columns id, title, body, language_hint, thread)."""
        from .language import detect_languages
        from .questions import extract_questions
        from .sentiment import score_texts
        from .terms import extract_terms_many

        ids = rows["id"]
        titles = [t or "" for t in rows["title"]]
        bodies = [b or "" for b in rows["body"]]
        threads = rows.get("thread") or [None] * len(ids)
        # A forum post's title is its thread's title: matching it would tag every
        # reply in "Panne chez Fluxo" as a Fluxo mention. Posts count by their own text.
        texts = [b.strip() if th and b.strip() else f"{t}\n{b}".strip()
                 for t, b, th in zip(titles, bodies, threads)]
        languages = detect_languages(texts, rows.get("language_hint"))
        sentiments = score_texts(texts, languages)
        brands = self.matcher.match_many(texts)
        terms = extract_terms_many(texts, languages, self.excluded_terms)
        now = now_utc()
        questions = [extract_questions(text, lang) if text else [] for text, lang in zip(texts, languages)]

        id_array = pa.array(ids, pa.string())
        facts = pa.table({
            "mention_id": id_array,
            "language": pa.array(languages, pa.string()),
            "sentiment": pa.array([s.label for s in sentiments], pa.string()),
            "sentiment_score": pa.array([float(s.score) for s in sentiments], pa.float64()),
            "story_id": id_array,
            "is_question": pa.array([bool(q) for q in questions], pa.bool_()),
            "computed_at": pa.array([now] * len(ids), pa.timestamp("us", tz="UTC")),
        })
        return {
            "mention_facts": facts,
            "mention_brands": _exploded(id_array, brands, "brand"),
            "mention_terms": _exploded(id_array, terms, "term"),
            "mention_questions": _exploded(id_array, questions, "question"),
        }


def _exploded(ids: pa.Array, values: list[list[str]], column: str) -> pa.Table:
    """One row per (mention, value), mentions in order: Arrow's list flatten
    instead of a Python append per pair (mention_terms has ~11 per mention)."""
    lists = pa.array(values, pa.list_(pa.string()))
    return pa.table({"mention_id": ids.take(pc.list_parent_indices(lists)), column: pc.list_flatten(lists)})


def _write_derived(con, ids: Sequence[str], tables: dict[str, pa.Table], serving_rows: bool = True) -> None:
    con.register("chunk_ids", pa.table({"id": pa.array(list(ids), pa.string())}))
    try:
        for name, table in tables.items():
            con.execute(f"DELETE FROM {name} WHERE mention_id IN (SELECT id FROM chunk_ids)")
            if table.num_rows:
                con.register("derived_rows", table)
                try:
                    con.execute(f"INSERT INTO {name} ({', '.join(table.column_names)}) "
                                f"SELECT {', '.join(table.column_names)} FROM derived_rows")
                finally:
                    con.unregister("derived_rows")
    finally:
        con.unregister("chunk_ids")
    if serving_rows:  # rebuild skips it: it recomputes every serving row at its end
        serving.refresh(con, ids)  # the dashboard's serving copies of these rows


def _read_chunk(db: str, where: str, params: list, limit: int) -> dict[str, list]:
    with dbmod.connect(db) as con:
        return con.sql(
            f"SELECT r.id, r.title, r.body, r.language_hint, r.thread, r.published_at FROM raw_mentions r {where} "
            f"ORDER BY r.published_at, r.id LIMIT {int(limit)}", params=params
        ).to_arrow_table().to_pydict()


def _assign_stories(db: str, ids: Sequence[str] | None = None, serving_rows: bool = True) -> None:
    """Group near-duplicates of recent items (or of everything when ids is None) into stories."""
    from .stories import assign_stories

    with dbmod.connect(db) as con:
        if ids is None:
            rows = con.execute("SELECT id, coalesce(title,'') || ' ' || coalesce(body,'') FROM raw_mentions "
                               "ORDER BY published_at, id").fetchall()
        else:
            con.register("new_ids", pa.table({"id": pa.array(list(ids), pa.string())}))
            rows = con.execute(f"""
                WITH lo AS (SELECT min(published_at) - INTERVAL {STORY_WINDOW_DAYS} DAY AS t
                            FROM raw_mentions WHERE id IN (SELECT id FROM new_ids))
                SELECT id, coalesce(title,'') || ' ' || coalesce(body,'') FROM raw_mentions, lo
                WHERE published_at >= lo.t ORDER BY published_at, id
            """).fetchall()
            con.unregister("new_ids")
    if not rows:
        return
    mapping = assign_stories(rows)
    table = pa.table({"mention_id": pa.array(list(mapping.keys()), pa.string()),
                      "story_id": pa.array(list(mapping.values()), pa.string())})
    with dbmod.transaction(db) as con:
        con.register("story_map", table)
        con.execute("UPDATE mention_facts f SET story_id = s.story_id FROM story_map s "
                    "WHERE f.mention_id = s.mention_id AND f.story_id IS DISTINCT FROM s.story_id")
        if serving_rows:
            serving.update_stories(con, "story_map")
        con.unregister("story_map")


def _set_meta(db: str, key: str, value: str) -> None:
    with dbmod.transaction(db) as con:
        con.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    [key, value])


def _get_meta(db: str, key: str) -> str | None:
    with dbmod.connect(db, read_only=True) as con:
        row = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def enrich_pending(db: str, config: Config, progress: Callable[[int], None] | None = None) -> EnrichResult:
    """Compute derived facts for every mention that has none yet (after a collection)."""
    start = time.perf_counter()
    result = EnrichResult()
    fingerprint = config_fingerprint(config)
    stored = _get_meta(db, "config_fingerprint")
    result.stale_config = stored is not None and stored != fingerprint
    enricher = Enricher(config)
    new_ids: list[str] = []
    while True:
        rows = _read_chunk(db, "ANTI JOIN mention_facts f ON f.mention_id = r.id", [], CHUNK)
        if not rows["id"]:
            break
        tables = enricher.compute(rows)
        with dbmod.transaction(db) as con:
            _write_derived(con, rows["id"], tables)
        new_ids.extend(rows["id"])
        result.mentions += len(rows["id"])
        if progress:
            progress(result.mentions)
    if new_ids:
        _assign_stories(db, new_ids)
    if stored is None:
        _set_meta(db, "config_fingerprint", fingerprint)
    result.seconds = time.perf_counter() - start
    return result


def rebuild(db: str, config: Config, progress: Callable[[int], None] | None = None) -> EnrichResult:
    """Recompute every derived fact from raw mentions (after a configuration or model change)."""
    start = time.perf_counter()
    result = EnrichResult()
    enricher = Enricher(config)
    last = ""
    while True:
        with dbmod.connect(db) as con:
            rows = con.sql(
                f"SELECT id, title, body, language_hint, thread FROM raw_mentions WHERE id > ? ORDER BY id LIMIT {CHUNK}",
                params=[last]).to_arrow_table().to_pydict()
        if not rows["id"]:
            break
        tables = enricher.compute(rows)
        with dbmod.transaction(db) as con:
            _write_derived(con, rows["id"], tables, serving_rows=False)
        last = rows["id"][-1]
        result.mentions += len(rows["id"])
        if progress:
            progress(result.mentions)
    # Brands removed from the configuration must disappear from the tags too.
    with dbmod.transaction(db) as con:
        con.execute("DELETE FROM mention_brands WHERE mention_id NOT IN (SELECT id FROM raw_mentions)")
    _assign_stories(db, None, serving_rows=False)
    serving.rebuild_db(db)  # recomputed in date order (chunks above went by id)
    _set_meta(db, "config_fingerprint", config_fingerprint(config))
    result.seconds = time.perf_counter() - start
    return result
