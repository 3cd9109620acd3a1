"""Named read queries. Each returns a pandas DataFrame; pages never write SQL.

Every query takes the same Filters, so share of voice and its neighbours are
always computed over the same population for every brand (the definition of
share of voice requires it). All values are bound as parameters: text typed
by a user is data, never SQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from . import db as dbmod

UTC = dt.timezone.utc
DEFAULT_TZ = "America/Toronto"


@dataclass(frozen=True)
class Filters:
    start: dt.datetime
    end: dt.datetime
    brands: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    sentiments: tuple[str, ...] = ()
    tz: str = DEFAULT_TZ

    def previous(self) -> "Filters":
        """The period of the same length just before this one (for comparisons)."""
        span = self.end - self.start
        return Filters(self.start - span, self.start, self.brands, self.sources, self.kinds,
                       self.languages, self.sentiments, self.tz)

    @classmethod
    def last_days(cls, days: int, now: dt.datetime | None = None, **kw) -> "Filters":
        now = now or dt.datetime.now(UTC)
        return cls(start=now - dt.timedelta(days=days), end=now, **kw)


@dataclass
class _Where:
    clauses: list[str] = field(default_factory=list)
    params: list = field(default_factory=list)

    def add(self, clause: str, *params) -> None:
        self.clauses.append(clause)
        self.params.extend(params)

    def add_in(self, column: str, values: tuple) -> None:
        if values:
            self.add(f"{column} IN ({', '.join('?' * len(values))})", *values)

    @property
    def sql(self) -> str:
        return ("WHERE " + " AND ".join(self.clauses)) if self.clauses else ""


def _mention_where(f: Filters, with_brand: bool = True, alias: str = "m") -> _Where:
    w = _Where()
    w.add(f"{alias}.published_at >= ?", f.start)
    w.add(f"{alias}.published_at < ?", f.end)
    w.add_in(f"{alias}.source", f.sources)
    w.add_in(f"{alias}.source_kind", f.kinds)
    w.add_in(f"{alias}.language", f.languages)
    w.add_in(f"{alias}.sentiment", f.sentiments)
    if with_brand:
        w.add_in("b.brand", f.brands)
    return w


def _df(sql: str, params: list, db: str | None) -> pd.DataFrame:
    return dbmod.query_df(sql, params, db)


def _local_day(col: str) -> str:
    # Days are the user's days (a 23:30 Montréal post belongs to that evening, not to UTC's tomorrow).
    return f"CAST(timezone(?, {col}) AS DATE)"


# --- serving tables (warehouse/serving.py) ---------------------------------------
# When they are ready, the aggregates read serving_brand_mentions (sbm: one row per
# mention_brands row with the mention's date and filter columns) or
# serving_brand_terms (sbt: one row per term x brand of a mention) instead of joining
# the derived tables on ids. Same rows, same figures; the direct SQL stays as the
# path for files without them (and as the reference in tests).

SERVING = True  # tests switch it off to compare both paths


def _serving(db: str | None) -> bool:
    if not SERVING:
        return False
    memo = dbmod.session_memo(db)
    if memo is not None and "serving" in memo:
        return memo["serving"]
    from .serving import META_KEY, VERSION
    ready = not _df("SELECT 1 AS ok FROM meta WHERE key = ? AND value = ?", [META_KEY, VERSION], db).empty
    if memo is not None:
        memo["serving"] = ready
    return ready


def _offset_s(zone, t: dt.datetime) -> int:
    return int(t.astimezone(zone).utcoffset().total_seconds())


def _offset_segments(tz: str, start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, int]]:
    """[(from, utc offset in seconds)] covering [start, end): where the zone's offset changes."""
    from zoneinfo import ZoneInfo
    zone = ZoneInfo(tz)
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    segments = [(start, _offset_s(zone, start))]
    step = dt.timedelta(hours=1)
    t = start
    while t < end:
        nxt = min(t + step, end)
        if _offset_s(zone, nxt) != segments[-1][1]:
            lo, hi = t, nxt  # the change lies in (lo, hi]: find its microsecond
            while hi - lo > dt.timedelta(microseconds=1):
                mid = lo + (hi - lo) // 2
                if _offset_s(zone, mid) == segments[-1][1]:
                    lo = mid
                else:
                    hi = mid
            segments.append((hi, _offset_s(zone, hi)))
        t = nxt
    return segments


def _fast_local_day(col: str, f: Filters) -> tuple[str, list]:
    """The local day of col by integer arithmetic on the window's UTC offsets: the same day
    as _local_day, without timezone() per row (half the cost of the daily term counts)."""
    segments = _offset_segments(f.tz, f.start, f.end)
    # CASE WHEN col < change1 THEN offset0 WHEN col < change2 THEN offset1 ... ELSE last offset
    whens = " ".join(f"WHEN {col} < ? THEN {off * 1_000_000}"
                     for (_, off), _next in zip(segments, segments[1:]))
    offset = f"CASE {whens} ELSE {segments[-1][1] * 1_000_000} END" if whens else str(segments[0][1] * 1_000_000)
    params = [since for since, _ in segments[1:]]
    return f"(DATE '1970-01-01' + CAST((epoch_us({col}) + {offset}) // 86400000000 AS INTEGER))", params


def _serving_where(f: Filters, alias: str = "m", brand: bool = True) -> _Where:
    """The filters of _mention_where on a serving table (brand is a column there)."""
    w = _mention_where(f, with_brand=False, alias=alias)
    if brand:
        w.add_in(f"{alias}.brand", f.brands)
    return w


def _terms_serving(f: Filters, db: str | None) -> bool:
    # serving_brand_terms carries date, source and brand only (what the pages filter on).
    return not (f.kinds or f.languages or f.sentiments) and _serving(db)


def _raw_only(f: Filters) -> bool:
    # Without a language or sentiment filter, whole-population counts need raw_mentions alone.
    return not (f.languages or f.sentiments)


@dataclass
class _BrandRows:
    """Where brand-tagged mention rows come from: FROM clause, filters, column names."""
    sql: str
    where: _Where
    brand: str
    story: str
    mention: str


def _day_of(f: Filters, db: str | None, col: str = "m.published_at") -> tuple[str, list]:
    """Local day expression and its parameters: arithmetic on serving reads, timezone() otherwise."""
    return _fast_local_day(col, f) if _serving(db) else (_local_day(col), [f.tz])


def _brand_rows(f: Filters, db: str | None) -> _BrandRows:
    if _serving(db):
        return _BrandRows("serving_brand_mentions m", _serving_where(f), "m.brand", "m.story_key", "m.mention_id")
    return _BrandRows("mention_brands b JOIN mentions m ON m.id = b.mention_id", _mention_where(f), "b.brand",
                      "coalesce(m.story_id, m.id)", "m.id")


def share_of_voice_daily(f: Filters, db: str | None = None) -> pd.DataFrame:
    """day, brand, mentions, stories, share (% of mentions), story_share (% of stories).

    SoV_b = mentions_b / sum of mentions of all watched brands x 100, per day,
    with the same filters for every brand.
    """
    r = _brand_rows(f, db)
    w = r.where
    day, day_params = _day_of(f, db)
    sql = f"""
        WITH base AS (
            SELECT {day} AS day, {r.brand} AS brand,
                   count(*) AS mentions,
                   count(DISTINCT {r.story}) AS stories
            FROM {r.sql}
            {w.sql}
            GROUP BY 1, 2
        )
        SELECT day, brand, mentions, stories,
               100.0 * mentions / sum(mentions) OVER (PARTITION BY day) AS share,
               100.0 * stories / sum(stories) OVER (PARTITION BY day) AS story_share
        FROM base ORDER BY day, brand
    """
    return _df(sql, [*day_params, *w.params], db)


def share_of_voice_totals(f: Filters, db: str | None = None) -> pd.DataFrame:
    """brand, mentions, stories, share, story_share, prev_mentions, prev_share, change_pts."""
    def totals(ff: Filters) -> pd.DataFrame:
        r = _brand_rows(ff, db)
        w = r.where
        sql = f"""
            WITH base AS (
                SELECT {r.brand} AS brand, count(*) AS mentions, count(DISTINCT {r.story}) AS stories,
                       sum(coalesce(m.engagement, 0)) AS engagement
                FROM {r.sql}
                {w.sql} GROUP BY 1
            )
            SELECT brand, mentions, stories, engagement,
                   100.0 * mentions / nullif(sum(mentions) OVER (), 0) AS share,
                   100.0 * stories / nullif(sum(stories) OVER (), 0) AS story_share,
                   100.0 * engagement / nullif(sum(engagement) OVER (), 0) AS engagement_share
            FROM base
        """
        return _df(sql, w.params, db)

    if _serving(db):
        cur, prev = _totals_both_served(f, db)
    else:
        cur = totals(f)
        prev = totals(f.previous())[["brand", "mentions", "share"]].rename(
            columns={"mentions": "prev_mentions", "share": "prev_share"})
    out = cur.merge(prev, on="brand", how="outer")
    for col in ("mentions", "stories", "engagement", "prev_mentions"):
        out[col] = out[col].fillna(0).astype("int64")
    for col in ("share", "story_share", "engagement_share", "prev_share"):
        out[col] = out[col].astype("float64").fillna(0.0)
    out["change_pts"] = out["share"] - out["prev_share"]
    return out.sort_values(["mentions", "brand"], ascending=[False, True]).reset_index(drop=True)


def _totals_both_served(f: Filters, db: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """share_of_voice_totals' two periods from one scan of the serving rows (the previous
    period is just before the current one): the frames totals() gives for each."""
    prev = f.previous()
    w = _serving_where(Filters(prev.start, f.end, f.brands, f.sources, f.kinds, f.languages, f.sentiments, f.tz))
    cur = "m.published_at >= ?"
    sql = f"""
        WITH base AS (
            SELECT m.brand, count(*) FILTER (WHERE {cur}) AS mentions,
                   count(DISTINCT m.story_key) FILTER (WHERE {cur}) AS stories,
                   sum(coalesce(m.engagement, 0)) FILTER (WHERE {cur}) AS engagement,
                   count(*) FILTER (WHERE NOT {cur}) AS prev_mentions
            FROM serving_brand_mentions m {w.sql} GROUP BY 1
        )
        SELECT brand, mentions, stories, engagement,
               100.0 * mentions / nullif(sum(mentions) OVER (), 0) AS share,
               100.0 * stories / nullif(sum(stories) OVER (), 0) AS story_share,
               100.0 * engagement / nullif(sum(engagement) OVER (), 0) AS engagement_share,
               prev_mentions, 100.0 * prev_mentions / nullif(sum(prev_mentions) OVER (), 0) AS prev_share
        FROM base
    """
    both = _df(sql, [f.start, f.start, f.start, f.start, *w.params], db)
    current = both[both["mentions"] > 0][["brand", "mentions", "stories", "engagement", "share", "story_share",
                                          "engagement_share"]]
    previous = both[both["prev_mentions"] > 0][["brand", "prev_mentions", "prev_share"]]
    return current, previous


def normalized_attention(f: Filters, db: str | None = None) -> pd.DataFrame:
    """day, brand, mentions, collected (all items from the same sources that day), attention.

    attention = mentions of the brand that day / all items collected from the
    filtered sources that day, so a crawler outage is not read as a drop.
    """
    r = _brand_rows(f, db)
    wb = r.where
    everything = Filters(f.start, f.end, (), f.sources, f.kinds, f.languages, (), f.tz)
    wa = _mention_where(everything, with_brand=False)
    day, day_params = _day_of(f, db)
    sql = f"""
        WITH brand_day AS (
            SELECT {day} AS day, {r.brand} AS brand, count(*) AS mentions
            FROM {r.sql}
            {wb.sql} GROUP BY 1, 2
        ), all_day AS (
            SELECT {day} AS day, count(*) AS collected
            FROM {_all_items(everything)} {wa.sql} GROUP BY 1
        )
        SELECT d.day, d.brand, d.mentions, a.collected, d.mentions::DOUBLE / a.collected AS attention
        FROM brand_day d JOIN all_day a USING (day) ORDER BY d.day, d.brand
    """
    return _df(sql, [*day_params, *wb.params, *day_params, *wa.params], db)


def _all_items(f: Filters) -> str:
    """FROM clause for every collected item: raw_mentions alone unless facts are filtered on."""
    return "raw_mentions m" if _raw_only(f) else "mentions m"


def brands_present(db: str | None = None) -> list[str]:
    df = _df("SELECT DISTINCT brand FROM mention_brands ORDER BY brand", [], db)
    return df["brand"].tolist()


def sources_present(db: str | None = None) -> pd.DataFrame:
    return _df("SELECT source, any_value(source_kind) AS source_kind, count(*) AS mentions "
               "FROM raw_mentions GROUP BY 1 ORDER BY 1", [], db)


def data_range(db: str | None = None) -> tuple[dt.datetime | None, dt.datetime | None]:
    df = _df("SELECT min(published_at) AS lo, max(published_at) AS hi FROM raw_mentions", [], db)
    lo, hi = df.iloc[0]["lo"], df.iloc[0]["hi"]
    if pd.isna(lo):
        return None, None
    return lo.to_pydatetime(), hi.to_pydatetime()


def mention_count(db: str | None = None) -> int:
    return int(_df("SELECT count(*) AS n FROM raw_mentions", [], db).iloc[0]["n"])


# --- dashboard queries ------------------------------------------------------------
# Every function below reads through one short read-only connection (db.query_df),
# so a collection can write between two of them.

SENTIMENTS = ("positive", "neutral", "negative")
TRIAGE_STATUSES = ("to_handle", "handled", "ignored")


def _brand_exists(f: Filters, alias: str = "m", db: str | None = None) -> _Where:
    """Filters on mentions alone; the brand filter becomes EXISTS so a mention naming
    two brands is counted once (mention-level views, unlike share of voice)."""
    w = _mention_where(f, with_brand=False, alias=alias)
    if db is not None and _serving(db):
        # The same set from the serving rows of the window (no scan of all of mention_brands).
        w.add(f"{alias}.id IN (SELECT s.mention_id FROM serving_brand_mentions s "
              f"WHERE s.published_at >= ? AND s.published_at < ?"
              + (f" AND s.brand IN ({', '.join('?' * len(f.brands))})" if f.brands else "") + ")",
              f.start, f.end, *f.brands)
    elif f.brands:
        w.add(f"EXISTS (SELECT 1 FROM mention_brands bb WHERE bb.mention_id = {alias}.id "
              f"AND bb.brand IN ({', '.join('?' * len(f.brands))}))", *f.brands)
    else:
        w.add(f"EXISTS (SELECT 1 FROM mention_brands bb WHERE bb.mention_id = {alias}.id)")
    return w


def overview(f: Filters, own_brands: tuple[str, ...] = (), db: str | None = None) -> dict:
    """Headline numbers for a window: mentions naming a watched brand, sentiment, own share.

    net_sentiment = (P - N) / (P + N) on -1..1 (Talkwalker), None without polar mentions.
    own_share = mentions of the own brand(s) / mentions of all watched brands x 100.
    """
    if _serving(db):
        # One serving row per brand of a mention: count mentions, not rows.
        w = _serving_where(f)
        # Without a brand filter each mention's first brand row counts it once.
        n = "count(DISTINCT m.mention_id)" if f.brands else "count(*)"
        if not f.brands:
            w.add("m.first_brand")
        sql = f"""
            SELECT {n} AS mentions,
                   {n} FILTER (WHERE m.sentiment = 'positive') AS positive,
                   {n} FILTER (WHERE m.sentiment = 'negative') AS negative,
                   {n} FILTER (WHERE m.sentiment = 'neutral') AS neutral
            FROM serving_brand_mentions m {w.sql}
        """
    else:
        w = _brand_exists(f)
        sql = f"""
            SELECT count(*) AS mentions,
                   count(*) FILTER (WHERE m.sentiment = 'positive') AS positive,
                   count(*) FILTER (WHERE m.sentiment = 'negative') AS negative,
                   count(*) FILTER (WHERE m.sentiment = 'neutral') AS neutral
            FROM mentions m {w.sql}
        """
    row = _df(sql, w.params, db).iloc[0]
    pos, neg = int(row["positive"]), int(row["negative"])
    totals = share_of_voice_totals_plain(f, db)
    own_share = None
    if own_brands and not totals.empty and totals["mentions"].sum() > 0:
        own_share = 100.0 * totals.loc[totals["brand"].isin(own_brands), "mentions"].sum() / totals["mentions"].sum()
    return {"mentions": int(row["mentions"]), "positive": pos, "negative": neg, "neutral": int(row["neutral"]),
            "net_sentiment": (pos - neg) / (pos + neg) if pos + neg else None, "own_share": own_share}


def share_of_voice_totals_plain(f: Filters, db: str | None = None) -> pd.DataFrame:
    """brand, mentions, share for one period (no comparison), cheap for headline numbers."""
    r = _brand_rows(f, db)
    w = r.where
    sql = f"""
        SELECT brand, mentions, 100.0 * mentions / nullif(sum(mentions) OVER (), 0) AS share FROM (
            SELECT {r.brand} AS brand, count(*) AS mentions
            FROM {r.sql} {w.sql} GROUP BY 1
        ) ORDER BY mentions DESC, brand
    """
    return _df(sql, w.params, db)


def share_of_voice_by_kind(f: Filters, db: str | None = None) -> pd.DataFrame:
    """source_kind, brand, mentions, share (% of the brand mentions of that kind of source)."""
    r = _brand_rows(f, db)
    w = r.where
    sql = f"""
        SELECT source_kind, brand, mentions,
               100.0 * mentions / sum(mentions) OVER (PARTITION BY source_kind) AS share FROM (
            SELECT m.source_kind, {r.brand} AS brand, count(*) AS mentions
            FROM {r.sql} {w.sql} GROUP BY 1, 2
        ) ORDER BY source_kind, brand
    """
    return _df(sql, w.params, db)


def sentiment_by_brand(f: Filters, db: str | None = None) -> pd.DataFrame:
    """brand, sentiment, mentions, share (% of that brand's mentions), net_sentiment per brand."""
    r = _brand_rows(f, db)
    w = r.where
    sql = f"""
        SELECT brand, sentiment, mentions,
               100.0 * mentions / sum(mentions) OVER (PARTITION BY brand) AS share,
               (sum(mentions) FILTER (WHERE sentiment = 'positive') OVER (PARTITION BY brand)
                 - sum(mentions) FILTER (WHERE sentiment = 'negative') OVER (PARTITION BY brand))::DOUBLE
                 / nullif(sum(mentions) FILTER (WHERE sentiment IN ('positive', 'negative'))
                          OVER (PARTITION BY brand), 0) AS net_sentiment
        FROM (
            SELECT {r.brand} AS brand, coalesce(m.sentiment, 'neutral') AS sentiment, count(*) AS mentions
            FROM {r.sql} {w.sql} GROUP BY 1, 2
        ) ORDER BY brand, sentiment
    """
    df = _df(sql, w.params, db)
    if not df.empty:
        # The FILTERed windows are NULL on rows outside the filter: spread the brand's value.
        df["net_sentiment"] = df.groupby("brand")["net_sentiment"].transform("max")
    return df


def open_alerts(db: str | None = None, limit: int = 50) -> pd.DataFrame:
    """Open alerts, most severe and newest first; details is the JSON text as stored."""
    sql = """
        SELECT id, rule, brand, source, kind, severity, window_start, window_end, observed, expected,
               explanation, CAST(details AS VARCHAR) AS details, created_at
        FROM alerts WHERE status = 'open'
        ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, created_at DESC
        LIMIT ?
    """
    return _df(sql, [int(limit)], db)


def mentions_by_ids(ids: list[str] | tuple[str, ...], db: str | None = None) -> pd.DataFrame:
    """id, title, url, source, published_at, sentiment for the mentions an alert points at."""
    if not ids:
        return pd.DataFrame(columns=["id", "title", "url", "source", "published_at", "sentiment"])
    sql = f"""
        SELECT id, title, url, source, published_at, sentiment FROM mentions
        WHERE id IN ({', '.join('?' * len(ids))}) ORDER BY published_at DESC
    """
    return _df(sql, list(ids), db)


def triage_queue(f: Filters, db: str | None = None, statuses: tuple[str, ...] = ("to_handle",),
                 engagement_threshold: int = 100, limit: int = 30) -> pd.DataFrame:
    """Mentions to handle: negative, or urgent (engagement at or above the threshold).

    Status defaults to to_handle until the user decides (mention_status).
    Columns: id, title, body, url, source, source_kind, published_at, sentiment, engagement,
    brands, status, reason (negative | engagement).
    """
    if _serving(db):
        return _triage_queue_served(f, db, statuses, int(engagement_threshold), int(limit))
    w = _brand_exists(f)
    w.add("(m.sentiment = 'negative' OR coalesce(m.engagement, 0) >= ?)", int(engagement_threshold))
    w.add_in("coalesce(s.status, 'to_handle')", tuple(statuses))
    sql = f"""
        WITH q AS (
            SELECT m.id, m.title, left(m.body, 400) AS body, m.url, m.source, m.source_kind, m.published_at,
                   m.sentiment, m.engagement, coalesce(s.status, 'to_handle') AS status,
                   CASE WHEN m.sentiment = 'negative' THEN 'negative' ELSE 'engagement' END AS reason
            FROM mentions m LEFT JOIN mention_status s ON s.mention_id = m.id
            {w.sql}
            ORDER BY (coalesce(m.engagement, 0) >= ?) DESC, m.published_at DESC, m.id LIMIT ?
        )
        SELECT q.*, (SELECT string_agg(DISTINCT b.brand, ', ' ORDER BY b.brand) FROM mention_brands b
                     WHERE b.mention_id = q.id) AS brands
        FROM q ORDER BY (coalesce(q.engagement, 0) >= ?) DESC, q.published_at DESC, q.id
    """
    # Urgent (high engagement) first, then the newest: yesterday's crisis before last month's grumble.
    t = int(engagement_threshold)
    return _df(sql, [*w.params, t, int(limit), t], db)


def _id_list(ids: list) -> str:
    # Constant id lists let DuckDB use the primary-key index (about 1 ms for a page of 50),
    # where a join with the page read every text of the window first (about 60 ms at 1M).
    return ", ".join("?" * len(ids)) if ids else "NULL"


def _ids(sql: str, params: list, db: str | None) -> list:
    return _df(sql, params, db)["id"].tolist()


def _page_brands(f: Filters, ids: list, db: str | None, only: tuple[str, ...] = ()) -> tuple[str, list]:
    """JOIN clause adding brands (comma-separated; all of each mention's brands, or those in
    only) for a page of ids, from the serving rows of the window the page came from."""
    keep = f" AND s.brand IN ({', '.join('?' * len(only))})" if only else ""
    if _serving(db):
        sql = f"""
            LEFT JOIN (
                SELECT s.mention_id, string_agg(DISTINCT s.brand, ', ' ORDER BY s.brand) AS brands
                FROM serving_brand_mentions s
                WHERE s.published_at >= ? AND s.published_at < ? AND s.mention_id IN ({_id_list(ids)}){keep}
                GROUP BY 1
            ) pb ON pb.mention_id = r.id
        """
        return sql, [f.start, f.end, *ids, *only]
    sql = f"""
        LEFT JOIN (
            SELECT s.mention_id, string_agg(DISTINCT s.brand, ', ' ORDER BY s.brand) AS brands
            FROM mention_brands s WHERE s.mention_id IN ({_id_list(ids)}){keep} GROUP BY 1
        ) pb ON pb.mention_id = r.id
    """
    return sql, [*ids, *only]


def _triage_queue_served(f: Filters, db: str | None, statuses: tuple[str, ...], threshold: int,
                         limit: int) -> pd.DataFrame:
    """triage_queue from the serving rows: rank the window's candidates there, then read the
    rows of that page only, by id (limit-then-join)."""
    w = _serving_where(f)
    w.add("(m.sentiment = 'negative' OR coalesce(m.engagement, 0) >= ?)", threshold)
    status = _Where()
    status.add_in("coalesce(s.status, 'to_handle')", tuple(statuses))
    ids = _ids(f"""
        WITH c AS (
            SELECT m.mention_id AS id, any_value(m.published_at) AS published_at,
                   any_value(m.engagement) AS engagement
            FROM serving_brand_mentions m {w.sql} GROUP BY 1
        )
        SELECT c.id FROM c LEFT JOIN mention_status s ON s.mention_id = c.id {status.sql}
        ORDER BY (coalesce(c.engagement, 0) >= ?) DESC, c.published_at DESC, c.id LIMIT ?
    """, [*w.params, *status.params, threshold, limit], db)
    brands_sql, brands_params = _page_brands(f, ids, db)
    sql = f"""
        SELECT r.id, r.title, left(r.body, 400) AS body, r.url, r.source, r.source_kind, r.published_at,
               mf.sentiment, r.engagement, coalesce(s.status, 'to_handle') AS status,
               CASE WHEN mf.sentiment = 'negative' THEN 'negative' ELSE 'engagement' END AS reason,
               pb.brands
        FROM raw_mentions r
        LEFT JOIN mention_facts mf ON mf.mention_id = r.id AND mf.mention_id IN ({_id_list(ids)})
        LEFT JOIN mention_status s ON s.mention_id = r.id
        {brands_sql}
        WHERE r.id IN ({_id_list(ids)})
        ORDER BY (coalesce(r.engagement, 0) >= ?) DESC, r.published_at DESC, r.id
    """
    return _df(sql, [*ids, *brands_params, *ids, threshold], db)


def mention_status_of(mention_id: str, db: str | None = None) -> str:
    df = _df("SELECT status FROM mention_status WHERE mention_id = ?", [mention_id], db)
    return df.iloc[0]["status"] if not df.empty else "to_handle"


# --- search -------------------------------------------------------------------------

def _like_escape(text: str) -> str:
    # A user's % or _ is a character to find, not a wildcard.
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _search_where(f: Filters, text: str | None, db: str | None = None) -> _Where:
    w = _brand_exists(f, db=db) if f.brands else _mention_where(f, with_brand=False)
    for word in (text or "").split():
        # Every word must appear (AND), accents and case folded on both sides.
        w.add("strip_accents(coalesce(m.title, '') || ' ' || coalesce(m.body, '')) ILIKE "
              "'%' || strip_accents(?) || '%' ESCAPE '\\'", _like_escape(word))
    return w


def search_mentions(f: Filters, text: str | None = None, db: str | None = None,
                    limit: int = 100, offset: int = 0) -> pd.DataFrame:
    """Newest mentions matching every word of text (title or body), one page of them.

    Columns: published_at, brands, source, source_kind, title, body (first 300 chars), author,
    language, sentiment, engagement, url, id. Only one page leaves DuckDB.
    """
    if _raw_only(f):
        return _search_mentions_raw(f, text, db, int(limit), int(offset))
    w = _search_where(f, text)
    sql = f"""
        WITH page AS (
            SELECT m.id, m.published_at, m.source, m.source_kind, m.title, left(m.body, 300) AS body,
                   m.author, m.language, m.sentiment, m.engagement, m.url
            FROM mentions m {w.sql}
            ORDER BY m.published_at DESC, m.id LIMIT ? OFFSET ?
        )
        SELECT p.published_at,
               (SELECT string_agg(DISTINCT b.brand, ', ' ORDER BY b.brand) FROM mention_brands b
                WHERE b.mention_id = p.id) AS brands,
               p.source, p.source_kind, p.title, p.body, p.author, p.language, p.sentiment, p.engagement,
               p.url, p.id
        FROM page p ORDER BY p.published_at DESC, p.id
    """
    return _df(sql, [*w.params, int(limit), int(offset)], db)


def _search_mentions_raw(f: Filters, text: str | None, db: str | None, limit: int, offset: int) -> pd.DataFrame:
    """search_mentions without a language or sentiment filter: the page of ids comes from
    raw_mentions alone (pruned by date), then the page's rows are read by id."""
    w = _search_where(f, text, db)
    ids = _ids(f"SELECT m.id FROM raw_mentions m {w.sql} ORDER BY m.published_at DESC, m.id LIMIT ? OFFSET ?",
               [*w.params, limit, offset], db)
    return _mention_page(f, ids, db)


def _mention_page(f: Filters, ids: list, db: str | None) -> pd.DataFrame:
    """search_mentions' columns for a page of ids, newest first."""
    brands_sql, brands_params = _page_brands(f, ids, db)
    sql = f"""
        SELECT r.published_at, pb.brands, r.source, r.source_kind, r.title, left(r.body, 300) AS body,
               r.author, mf.language, mf.sentiment, r.engagement, r.url, r.id
        FROM raw_mentions r
        LEFT JOIN mention_facts mf ON mf.mention_id = r.id AND mf.mention_id IN ({_id_list(ids)})
        {brands_sql}
        WHERE r.id IN ({_id_list(ids)})
        ORDER BY r.published_at DESC, r.id
    """
    return _df(sql, [*ids, *brands_params, *ids], db)


def count_mentions(f: Filters, text: str | None = None, db: str | None = None) -> int:
    w = _search_where(f, text, db)
    return int(_df(f"SELECT count(*) AS n FROM {_all_items(f)} {w.sql}", w.params, db).iloc[0]["n"])


def languages_present(db: str | None = None) -> list[str]:
    df = _df("SELECT DISTINCT language FROM mention_facts WHERE language IS NOT NULL ORDER BY 1", [], db)
    return df["language"].tolist()


def kinds_present(db: str | None = None) -> list[str]:
    return _df("SELECT DISTINCT source_kind FROM raw_mentions ORDER BY 1", [], db)["source_kind"].tolist()


# --- terms, questions ---------------------------------------------------------------

def term_counts_daily(f: Filters, db: str | None = None) -> pd.DataFrame:
    """term, day, n: mentions per term per local day (input of warehouse.terms.rising_terms)."""
    if _terms_serving(f, db):
        w = _serving_where(f, "t")
        day, day_params = _fast_local_day("t.published_at", f)
        # One row per distinct (mention, brand, term): without a brand filter, the first
        # brand's row counts each mention once; with one, a mention may match twice.
        n = "count(DISTINCT t.mention_id)" if f.brands else "count(*)"
        if not f.brands:
            w.add("t.first_brand")
        sql = f"""
            SELECT t.term, {day} AS day, {n} AS n
            FROM serving_brand_terms t {w.sql}
            GROUP BY 1, 2 ORDER BY 2, 1
        """
        return _df(sql, [*day_params, *w.params], db)
    w = _brand_exists(f)
    sql = f"""
        SELECT t.term, {_local_day('m.published_at')} AS day, count(DISTINCT m.id) AS n
        FROM mention_terms t JOIN mentions m ON m.id = t.mention_id {w.sql}
        GROUP BY 1, 2 ORDER BY 2, 1
    """
    return _df(sql, [f.tz, *w.params], db)


def _brand_term_totals(f: Filters, db: str | None) -> pd.DataFrame:
    """brand, term, mentions, engagement over the window's serving term rows (~1,200 rows at 1M
    mentions): top_terms_by_brand and competitor_engagement_terms both rank it, so the Topics
    page scans the term rows once (kept in the read session's memo for the same filters)."""
    memo = dbmod.session_memo(db)
    key = ("brand_term_totals", f)
    if memo is not None and key in memo:
        return memo[key]
    w = _serving_where(f, "t")
    out = _df(f"""
        SELECT t.brand, t.term, count(*) AS mentions,  -- rows are distinct (mention, brand, term)
               sum(coalesce(t.engagement, 0) * t.copies) AS engagement
        FROM serving_brand_terms t {w.sql}
        GROUP BY t.brand, t.term
    """, w.params, db)
    out["mentions"] = out["mentions"].astype("int64")
    if memo is not None:
        memo[key] = out
    return out


def top_terms_by_brand(f: Filters, db: str | None = None, per_brand: int = 10) -> pd.DataFrame:
    """brand, term, mentions, rank: the most frequent terms in each brand's mentions."""
    if _terms_serving(f, db):
        agg = _brand_term_totals(f, db).sort_values(["brand", "mentions", "term"], ascending=[True, False, True],
                                                    kind="stable")
        agg = agg.assign(rank=agg.groupby("brand", sort=False).cumcount() + 1)
        out = agg[agg["rank"] <= int(per_brand)][["brand", "term", "mentions", "rank"]]
        out["rank"] = out["rank"].astype("int64")
        return out.reset_index(drop=True)
    w = _mention_where(f)
    sql = f"""
        SELECT brand, term, mentions, rank FROM (
            SELECT b.brand, t.term, count(DISTINCT m.id) AS mentions,
                   row_number() OVER (PARTITION BY b.brand ORDER BY count(DISTINCT m.id) DESC, t.term) AS rank
            FROM mention_brands b JOIN mentions m ON m.id = b.mention_id
            JOIN mention_terms t ON t.mention_id = m.id {w.sql}
            GROUP BY b.brand, t.term
        ) WHERE rank <= ? ORDER BY brand, rank
    """
    return _df(sql, [*w.params, int(per_brand)], db)


def term_timeline(f: Filters, term: str, db: str | None = None) -> pd.DataFrame:
    """day, brand, mentions: mentions containing term per brand per local day."""
    if _serving(db):
        w = _serving_where(f)
        w.add("m.mention_id IN (SELECT t.mention_id FROM serving_brand_terms t WHERE t.term = ? "
              "AND t.published_at >= ? AND t.published_at < ?)", term, f.start, f.end)
        day, day_params = _fast_local_day("m.published_at", f)
        sql = f"""
            SELECT {day} AS day, m.brand, count(*) AS mentions
            FROM serving_brand_mentions m {w.sql}
            GROUP BY 1, 2 ORDER BY 1, 2
        """
        return _df(sql, [*day_params, *w.params], db)
    w = _mention_where(f)
    w.add("EXISTS (SELECT 1 FROM mention_terms t WHERE t.mention_id = m.id AND t.term = ?)", term)
    sql = f"""
        SELECT {_local_day('m.published_at')} AS day, b.brand, count(*) AS mentions
        FROM mention_brands b JOIN mentions m ON m.id = b.mention_id {w.sql}
        GROUP BY 1, 2 ORDER BY 1, 2
    """
    return _df(sql, [f.tz, *w.params], db)


def term_mentions(f: Filters, term: str, db: str | None = None, limit: int = 50) -> pd.DataFrame:
    """The newest mentions behind a term (same columns as search_mentions)."""
    if _terms_serving(f, db):
        w = _serving_where(f, "t")
        w.add("t.term = ?", term)
        ids = _ids(f"""
            SELECT id FROM (SELECT DISTINCT t.mention_id AS id, t.published_at FROM serving_brand_terms t {w.sql})
            ORDER BY published_at DESC, id LIMIT ?
        """, [*w.params, int(limit)], db)
        page = _mention_page(f, ids, db)
        return page[["published_at", "brands", "source", "title", "body", "sentiment", "engagement", "url", "id"]]
    w = _brand_exists(f)
    w.add("EXISTS (SELECT 1 FROM mention_terms t WHERE t.mention_id = m.id AND t.term = ?)", term)
    sql = f"""
        SELECT m.published_at,
               (SELECT string_agg(DISTINCT b.brand, ', ' ORDER BY b.brand) FROM mention_brands b
                WHERE b.mention_id = m.id) AS brands,
               m.source, m.title, left(m.body, 300) AS body, m.sentiment, m.engagement, m.url, m.id
        FROM mentions m {w.sql} ORDER BY m.published_at DESC, m.id LIMIT ?
    """
    return _df(sql, [*w.params, int(limit)], db)


def questions_asked(f: Filters, db: str | None = None, limit: int = 2000) -> pd.DataFrame:
    """question, mention_id, source, published_at, language, url, brands: newest first."""
    if _serving(db):
        # Mentions of the window with their brands from the serving rows; text columns from
        # raw_mentions pruned to the window; mention_questions is small.
        w = _serving_where(f, brand=False)
        having = (f"HAVING count(*) FILTER (WHERE m.brand IN ({', '.join('?' * len(f.brands))})) > 0"
                  if f.brands else "")
        sql = f"""
            WITH c AS (
                SELECT m.mention_id AS id, any_value(m.source) AS source, any_value(m.published_at) AS published_at,
                       any_value(m.language) AS language, string_agg(DISTINCT m.brand, ', ' ORDER BY m.brand) AS brands
                FROM serving_brand_mentions m {w.sql}
                  AND m.mention_id IN (SELECT mention_id FROM mention_questions)  -- few ask: group those only
                GROUP BY 1 {having}
            )
            SELECT q.question, c.id AS mention_id, c.source, c.published_at, c.language, r.url, c.brands
            FROM mention_questions q JOIN c ON c.id = q.mention_id
            JOIN raw_mentions r ON r.id = c.id AND r.published_at >= ? AND r.published_at < ?
            ORDER BY c.published_at DESC, c.id, q.question LIMIT ?
        """
        return _df(sql, [*w.params, *f.brands, f.start, f.end, int(limit)], db)
    w = _brand_exists(f)
    sql = f"""
        SELECT q.question, m.id AS mention_id, m.source, m.published_at, m.language, m.url,
               (SELECT string_agg(DISTINCT b.brand, ', ' ORDER BY b.brand) FROM mention_brands b
                WHERE b.mention_id = m.id) AS brands
        FROM mention_questions q JOIN mentions m ON m.id = q.mention_id {w.sql}
        ORDER BY m.published_at DESC, m.id, q.question LIMIT ?
    """
    return _df(sql, [*w.params, int(limit)], db)


def competitor_engagement_terms(f: Filters, own_brands: tuple[str, ...] = (), db: str | None = None,
                                limit: int = 15) -> pd.DataFrame:
    """brand, term, engagement, mentions: terms where competitors (not own brands) get the
    most engagement (sum of likes/replies/score of the mentions containing the term)."""
    if _terms_serving(f, db):
        agg = _brand_term_totals(f, db)
        agg = agg[(agg["engagement"] > 0) & ~agg["brand"].isin(list(own_brands))]
        # brand last: the SQL leaves ties on (engagement, mentions, term) in any order.
        agg = agg.sort_values(["engagement", "mentions", "term", "brand"], ascending=[False, False, True, True],
                              kind="stable")
        return agg.head(int(limit))[["brand", "term", "engagement", "mentions"]].reset_index(drop=True)
    w = _mention_where(f)
    if own_brands:
        w.add(f"b.brand NOT IN ({', '.join('?' * len(own_brands))})", *own_brands)
    sql = f"""
        SELECT b.brand, t.term, sum(coalesce(m.engagement, 0)) AS engagement, count(DISTINCT m.id) AS mentions
        FROM mention_brands b JOIN mentions m ON m.id = b.mention_id
        JOIN mention_terms t ON t.mention_id = m.id {w.sql}
        GROUP BY 1, 2 HAVING sum(coalesce(m.engagement, 0)) > 0
        ORDER BY engagement DESC, mentions DESC, t.term LIMIT ?
    """
    return _df(sql, [*w.params, int(limit)], db)


# --- sources ------------------------------------------------------------------------

def volume_by_source_daily(f: Filters, db: str | None = None) -> pd.DataFrame:
    """day, source, items: every collected item (brand or not) per source per local day."""
    everything = Filters(f.start, f.end, (), f.sources, f.kinds, f.languages, (), f.tz)
    w = _mention_where(everything, with_brand=False)
    day, day_params = _day_of(f, db)
    sql = f"""
        SELECT {day} AS day, m.source, count(*) AS items
        FROM {_all_items(everything)} {w.sql} GROUP BY 1, 2 ORDER BY 1, 2
    """
    return _df(sql, [*day_params, *w.params], db)


def crawl_errors(db: str | None = None, limit: int = 50, sources: tuple[str, ...] = ()) -> pd.DataFrame:
    """started_at, source, status, http_status, error: the newest failed fetches."""
    w = _Where()
    w.add("status = 'error'")
    w.add_in("source", sources)
    sql = f"""
        SELECT started_at, source, status, http_status, error FROM crawl_log {w.sql}
        ORDER BY started_at DESC LIMIT ?
    """
    return _df(sql, [*w.params, int(limit)], db)


def source_states(db: str | None = None) -> pd.DataFrame:
    """Raw per-source memory, for when warehouse.health is not available."""
    return _df("SELECT source, last_success_at, consecutive_failures, failing_since, last_error, next_poll_at, "
               "last_new_item_at FROM source_state ORDER BY source", [], db)


# --- Period briefing (warehouse/report.py) ---------------------------------------
# Prefixed so they never collide with the dashboard pages' queries; same Filters,
# same population rules as share_of_voice_totals.

def _briefing_sentiment_sql(f: Filters, db: str | None) -> tuple[str, list]:
    r = _brand_rows(f, db)
    w = r.where
    sql = f"""
        SELECT {r.brand} AS brand, count(*) AS mentions,
               count_if(m.sentiment = 'positive') AS positive,
               count_if(m.sentiment = 'neutral') AS neutral,
               count_if(m.sentiment = 'negative') AS negative,
               100.0 * (count_if(m.sentiment = 'positive') - count_if(m.sentiment = 'negative'))
                 / nullif(count_if(m.sentiment IN ('positive', 'negative')), 0) AS net_sentiment
        FROM {r.sql}
        {w.sql} GROUP BY 1
    """
    return sql, w.params


def _briefing_sentiment_types(out: pd.DataFrame) -> pd.DataFrame:
    for col in ("mentions", "positive", "neutral", "negative"):
        out[col] = out[col].astype("int64")
    out["net_sentiment"] = out["net_sentiment"].astype("float64")
    return out


def _periods(build, periods: tuple[Filters, ...], order: str, db: str | None) -> list[pd.DataFrame]:
    """The same query for several periods in one statement (one round trip and one result to
    convert instead of one per period; the briefing reads the period and the previous one),
    split back into one frame per period, each in `order`."""
    parts, params = [], []
    for i, f in enumerate(periods):
        sql, p = build(f, db)
        parts.append(f"SELECT {i} AS _period, * FROM ({sql})")
        params.extend(p)
    out = _df(f"SELECT * FROM ({' UNION ALL '.join(parts)}) ORDER BY _period, {order}", params, db)
    frames = []
    for i in range(len(periods)):
        part = out[out["_period"] == i].drop(columns="_period").reset_index(drop=True)
        frames.append(part)
    return frames


def briefing_sentiment(f: Filters, db: str | None = None) -> pd.DataFrame:
    """brand, mentions, positive, neutral, negative, net_sentiment.

    net_sentiment = (P - N) / (P + N) x 100, from -100 to +100; neutral and
    unscored mentions do not count; NaN when a brand has neither P nor N.
    """
    return briefing_sentiment_periods((f,), db)[0]


def briefing_sentiment_periods(periods: tuple[Filters, ...], db: str | None = None) -> list[pd.DataFrame]:
    """briefing_sentiment of each period, in one query."""
    return [_briefing_sentiment_types(df) for df in
            _periods(_briefing_sentiment_sql, tuple(periods), "mentions DESC, brand", db)]


def briefing_top_terms(f: Filters, db: str | None = None, per_brand: int = 5) -> pd.DataFrame:
    """brand, term, mentions (distinct mentions of the brand using the term), rank (1 = most used)."""
    if _terms_serving(f, db):
        w = _serving_where(f, "t")
        source = "serving_brand_terms t"
        brand, n = "t.brand", "count(*)"  # rows are distinct (mention, brand, term)
    else:
        w = _mention_where(f)
        source = """mention_terms t
            JOIN mention_brands b ON b.mention_id = t.mention_id
            JOIN mentions m ON m.id = t.mention_id"""
        brand, n = "b.brand", "count(DISTINCT t.mention_id)"
    sql = f"""
        WITH counts AS (
            SELECT {brand} AS brand, t.term, {n} AS mentions
            FROM {source}
            {w.sql} GROUP BY 1, 2
        )
        SELECT brand, term, mentions,
               row_number() OVER (PARTITION BY brand ORDER BY mentions DESC, term) AS rank
        FROM counts QUALIFY rank <= ? ORDER BY brand, rank
    """
    return _df(sql, [*w.params, int(per_brand)], db)


def briefing_rising_terms(f: Filters, db: str | None = None, limit: int = 8,
                          min_mentions: int = 2) -> pd.DataFrame:
    """term, mentions, prev_mentions, change: terms used more than in the previous period of the same length."""
    prev = f.previous()
    span = Filters(prev.start, f.end, f.brands, f.sources, f.kinds, f.languages, f.sentiments, f.tz)
    if _terms_serving(span, db) and not span.brands:
        # One row per (mention, term) through first_brand: count rows, no per-mention grouping.
        w = _serving_where(span, "t")
        w.add("t.first_brand")
        sql = f"""
            SELECT term, count_if(t.published_at >= ?) AS mentions, count_if(t.published_at < ?) AS prev_mentions,
                   count_if(t.published_at >= ?) - count_if(t.published_at < ?) AS change
            FROM serving_brand_terms t {w.sql} GROUP BY 1
            HAVING count_if(t.published_at >= ?) >= ? AND count_if(t.published_at >= ?) > count_if(t.published_at < ?)
            ORDER BY change DESC, mentions DESC, term LIMIT ?
        """
        s0 = f.start
        return _df(sql, [s0, s0, s0, s0, *w.params, s0, int(min_mentions), s0, s0, int(limit)], db)
    if _terms_serving(span, db):
        w = _serving_where(span, "t")
        source, published = "serving_brand_terms t", "t.published_at"
    else:
        w = _mention_where(span)
        source = """mention_terms t
            JOIN mention_brands b ON b.mention_id = t.mention_id
            JOIN mentions m ON m.id = t.mention_id"""
        published = "m.published_at"
    sql = f"""
        WITH per AS (
            SELECT t.term, t.mention_id, any_value({published} >= ?) AS current
            FROM {source}
            {w.sql} GROUP BY 1, 2
        )
        SELECT term, count_if(current) AS mentions, count_if(NOT current) AS prev_mentions,
               count_if(current) - count_if(NOT current) AS change
        FROM per GROUP BY 1
        HAVING count_if(current) >= ? AND count_if(current) > count_if(NOT current)
        ORDER BY change DESC, mentions DESC, term LIMIT ?
    """
    return _df(sql, [f.start, *w.params, int(min_mentions), int(limit)], db)


_NOTABLE_ORDERS = {
    "engagement": ("m.engagement > 0", "engagement DESC, published_at DESC, id"),
    "negative": ("m.sentiment = 'negative'",
                 "sentiment_score ASC NULLS LAST, engagement DESC NULLS LAST, published_at DESC, id"),
}


def _notable_top(f: Filters, order: str) -> tuple[str, list, str]:
    """(ranking rows from the serving table, their params, ORDER BY) for one notable list.

    Rank in the serving rows, then read the page's rows by id. Without a brand filter
    one row per mention (first brand) makes it a top-N without grouping."""
    cond, order_sql = _NOTABLE_ORDERS[order]
    w = _serving_where(f)
    w.add(cond)
    if f.brands:
        top = f"""
            SELECT m.mention_id AS id, any_value(m.published_at) AS published_at,
                   any_value(m.engagement) AS engagement, any_value(m.sentiment_score) AS sentiment_score
            FROM serving_brand_mentions m {w.sql} GROUP BY 1"""
    else:
        w.add("m.first_brand")
        top = f"""
            SELECT m.mention_id AS id, m.published_at, m.engagement, m.sentiment_score
            FROM serving_brand_mentions m {w.sql}"""
    return top, list(w.params), order_sql


def briefing_notable_mentions(f: Filters, db: str | None = None, order: str = "engagement",
                              limit: int = 5) -> pd.DataFrame:
    """id, published_at, source, source_kind, title, url, engagement, sentiment, sentiment_score,
    date_estimated, brands (comma-separated), one row per mention.

    order="engagement": most engaged first (mentions with an engagement figure);
    order="negative": most negative first (mentions classified negative).
    """
    if order not in ("engagement", "negative"):
        raise ValueError(f"unknown order {order!r}")
    if _serving(db):
        top, top_params, order_sql = _notable_top(f, order)
        ids = _ids(f"SELECT id FROM ({top}) ORDER BY {order_sql} LIMIT ?", [*top_params, int(limit)], db)
        brands_sql, brands_params = _page_brands(f, ids, db, only=f.brands)
        sql = f"""
            SELECT r.id, r.published_at, r.source, r.source_kind, r.title, r.body, r.url,
                   r.engagement, mf.sentiment, mf.sentiment_score, r.date_estimated, pb.brands
            FROM raw_mentions r
            LEFT JOIN mention_facts mf ON mf.mention_id = r.id AND mf.mention_id IN ({_id_list(ids)})
            {brands_sql}
            WHERE r.id IN ({_id_list(ids)})
            ORDER BY {order_sql}
        """
        return _df(sql, [*ids, *brands_params, *ids], db)
    cond, order_sql = _NOTABLE_ORDERS[order]
    w = _mention_where(f)
    w.add(cond)
    sql = f"""
        SELECT m.id, any_value(m.published_at) AS published_at, any_value(m.source) AS source,
               any_value(m.source_kind) AS source_kind, any_value(m.title) AS title,
               any_value(m.body) AS body, any_value(m.url) AS url,
               any_value(m.engagement) AS engagement, any_value(m.sentiment) AS sentiment,
               any_value(m.sentiment_score) AS sentiment_score,
               any_value(m.date_estimated) AS date_estimated,
               string_agg(DISTINCT b.brand, ', ' ORDER BY b.brand) AS brands
        FROM mention_brands b JOIN mentions m ON m.id = b.mention_id
        {w.sql} GROUP BY m.id ORDER BY {order_sql} LIMIT ?
    """
    return _df(sql, [*w.params, int(limit)], db)


def briefing_notable_pair(f: Filters, db: str | None = None, limit: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(briefing_notable_mentions order="engagement", order="negative"), equal to the two calls:
    with the serving tables both rankings run in one query and both pages are read at once
    (two statements instead of four)."""
    if not _serving(db):
        return (briefing_notable_mentions(f, db, "engagement", limit),
                briefing_notable_mentions(f, db, "negative", limit))
    ranked, params = [], []
    for k, order in enumerate(("engagement", "negative")):
        top, top_params, order_sql = _notable_top(f, order)
        # ORDER BY ... LIMIT inside (a top-N, not a sort of the window), numbered after.
        ranked.append(f"SELECT {k} AS k, row_number() OVER (ORDER BY {order_sql}) AS rn, id "
                      f"FROM (SELECT * FROM ({top}) ORDER BY {order_sql} LIMIT ?)")
        params.extend([*top_params, int(limit)])
    picked = _df(f"SELECT k, rn, id FROM ({' UNION ALL '.join(ranked)}) ORDER BY k, rn", params, db)
    lists = [picked.loc[picked["k"] == k, "id"].tolist() for k in (0, 1)]
    ids = list(dict.fromkeys(lists[0] + lists[1]))
    brands_sql, brands_params = _page_brands(f, ids, db, only=f.brands)
    sql = f"""
        SELECT r.id, r.published_at, r.source, r.source_kind, r.title, r.body, r.url,
               r.engagement, mf.sentiment, mf.sentiment_score, r.date_estimated, pb.brands
        FROM raw_mentions r
        LEFT JOIN mention_facts mf ON mf.mention_id = r.id AND mf.mention_id IN ({_id_list(ids)})
        {brands_sql}
        WHERE r.id IN ({_id_list(ids)})
    """
    page = _df(sql, [*ids, *brands_params, *ids], db)
    pos = {mid: i for i, mid in enumerate(page["id"].tolist())}
    return tuple(page.iloc[[pos[i] for i in lst]].reset_index(drop=True) for lst in lists)


def briefing_alerts(f: Filters, db: str | None = None) -> pd.DataFrame:
    """Alerts whose window overlaps the period (brand alerts in scope and source alerts), most severe first."""
    w = _Where()
    # Cool-down repeats (suppressed) were never sent; counting them would inflate the period.
    w.add("a.suppressed IS NULL")
    w.add("coalesce(a.window_start, a.created_at) < ?", f.end)
    w.add("coalesce(a.window_end, a.window_start, a.created_at) >= ?", f.start)
    if f.brands:
        w.add(f"(a.brand IS NULL OR a.brand IN ({', '.join('?' * len(f.brands))}))", *f.brands)
    if f.sources:
        w.add(f"(a.source IS NULL OR a.source IN ({', '.join('?' * len(f.sources))}))", *f.sources)
    sql = f"""
        SELECT a.id, a.rule, a.brand, a.source, a.kind, a.severity, a.window_start, a.window_end,
               a.observed, a.expected, a.explanation, CAST(a.details AS VARCHAR) AS details,
               a.created_at, a.status
        FROM alerts a {w.sql}
        ORDER BY CASE a.severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END,
                 coalesce(a.window_start, a.created_at), a.id
    """
    return _df(sql, w.params, db)


def briefing_sources(f: Filters, db: str | None = None) -> pd.DataFrame:
    """source, source_kind, items (everything collected in the period), mentions (naming a brand in
    scope), estimated (of those mentions, how many have an estimated date)."""
    return briefing_sources_periods((f,), db)[0]


def briefing_sources_periods(periods: tuple[Filters, ...], db: str | None = None) -> list[pd.DataFrame]:
    """briefing_sources of each period, in one query."""
    frames = _periods(_briefing_sources_sql, tuple(periods), "items DESC, source", db)
    for out in frames:
        for col in ("items", "mentions", "estimated"):
            out[col] = out[col].astype("int64")
    return frames


def _briefing_sources_sql(f: Filters, db: str | None) -> tuple[str, list]:
    everything = Filters(f.start, f.end, (), f.sources, f.kinds, f.languages, (), f.tz)
    wa = _mention_where(everything, with_brand=False)
    r = _brand_rows(f, db)
    wb = r.where
    n = f"count(DISTINCT {r.mention})"
    if _serving(db) and not f.brands:
        # One serving row per mention (its first brand): count rows, not distinct ids.
        wb.add("m.first_brand")
        n = "count(*)"
    sql = f"""
        WITH items AS (
            SELECT m.source, any_value(m.source_kind) AS source_kind, count(*) AS items
            FROM {_all_items(everything)} {wa.sql} GROUP BY 1
        ), matched AS (
            SELECT m.source, {n} AS mentions,
                   {n} FILTER (WHERE m.date_estimated) AS estimated
            FROM {r.sql}
            {wb.sql} GROUP BY 1
        )
        SELECT i.source, i.source_kind, i.items, coalesce(x.mentions, 0) AS mentions,
               coalesce(x.estimated, 0) AS estimated
        FROM items i LEFT JOIN matched x USING (source)
    """
    return sql, [*wa.params, *wb.params]


def group_questions_exact(df: pd.DataFrame) -> pd.DataFrame:
    """Fallback grouping when warehouse.questions is absent: same question once case,
    accents, spaces and punctuation are folded. Columns: question, count, source,
    last_asked, url, brands (from the newest asking).

    Plain Python over the rows (a dict per folded key, one fold per distinct text): 2,000
    questions took ~55 ms through pandas groupby/map, a few ms this way. Newest first
    with ties in the input order (questions_asked gives published_at DESC, id)."""
    cols = ["question", "count", "source", "last_asked", "url", "brands"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    import re
    import unicodedata

    punct = re.compile(r"[^\w\s]")
    folded: dict[str, str] = {}

    def key(text) -> str:
        text = str(text)
        k = folded.get(text)
        if k is None:
            k = " ".join(punct.sub(" ", unicodedata.normalize("NFKD", text).encode("ascii", "ignore")
                                   .decode().casefold()).split())
            folded[text] = k
        return k

    published = df["published_at"]
    times = published.tolist()
    order = sorted(range(len(times)), key=times.__getitem__, reverse=True)  # stable: ties keep input order
    questions, sources, urls, brands = (df[c].tolist() for c in ("question", "source", "url", "brands"))
    groups: dict[str, list] = {}
    for i in order:
        g = groups.get(k := key(questions[i]))
        if g is None:
            groups[k] = [questions[i], 1, sources[i], times[i], urls[i], brands[i]]
        else:
            g[1] += 1
    rows = sorted(groups.values(), key=lambda g: (g[1], g[3]), reverse=True)
    out = pd.DataFrame({c: [g[j] for g in rows] for j, c in enumerate(cols)})
    out["count"] = out["count"].astype("int64")
    if len(out):
        out["last_asked"] = pd.Series([g[3] for g in rows], dtype=published.dtype)
    return out


def question_themes(df: pd.DataFrame, max_fuzzy: int = 300) -> pd.DataFrame:
    """Questions grouped by theme for content ideas: exact copies first, then similar wordings.

    Input: questions_asked rows. The themed pass (warehouse.questions.group_questions,
    average-link over TF-IDF terms) is cubic in the number of distinct questions, so it
    runs over the ``max_fuzzy`` most asked distinct questions; the rest stay one row each.
    Columns: theme (its top terms, None when a question has no content term), question
    (the theme's most asked wording), count (askings, all wordings), variants (distinct
    wordings), source, last_asked, url, brands (from the newest asking).
    """
    from .language import detect_languages
    from .questions import group_questions

    cols = ["theme", "question", "count", "variants", "source", "last_asked", "url", "brands"]
    exact = group_questions_exact(df)
    if exact.empty:
        return pd.DataFrame(columns=cols)
    language_of = dict(zip(df["question"], df["language"])) if "language" in df else {}
    head = exact.head(max_fuzzy).reset_index(drop=True)
    rows = []
    # The question's own language, the mention's as a hint: a French question quoted in a
    # mention tagged "en" would otherwise keep "est · le" as theme terms (English stop words).
    texts = head["question"].tolist()
    languages = detect_languages(texts, [language_of.get(q) for q in texts])
    for g in group_questions(texts, languages):
        part = head.iloc[g.members]  # members ascending = most asked first (exact is sorted by count)
        newest = part.loc[part["last_asked"].idxmax()] if part["last_asked"].notna().any() else part.iloc[0]
        rows.append({"theme": g.label if g.terms else None, "question": part.iloc[0]["question"],
                     "count": int(part["count"].sum()), "variants": len(part), "source": newest["source"],
                     "last_asked": newest["last_asked"], "url": newest["url"], "brands": newest["brands"]})
    for r in exact.iloc[len(head):].itertuples(index=False):
        rows.append({"theme": None, "question": r.question, "count": int(r.count), "variants": 1,
                     "source": r.source, "last_asked": r.last_asked, "url": r.url, "brands": r.brands})
    out = pd.DataFrame(rows, columns=cols)
    out["last_asked"] = pd.Series(list(out["last_asked"]), dtype=exact["last_asked"].dtype)
    return out.sort_values(["count", "last_asked"], ascending=False, kind="stable").reset_index(drop=True)
