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


def share_of_voice_daily(f: Filters, db: str | None = None) -> pd.DataFrame:
    """day, brand, mentions, stories, share (% of mentions), story_share (% of stories).

    SoV_b = mentions_b / sum of mentions of all watched brands x 100, per day,
    with the same filters for every brand.
    """
    w = _mention_where(f)
    sql = f"""
        WITH base AS (
            SELECT {_local_day('m.published_at')} AS day, b.brand,
                   count(*) AS mentions,
                   count(DISTINCT coalesce(m.story_id, m.id)) AS stories
            FROM mention_brands b JOIN mentions m ON m.id = b.mention_id
            {w.sql}
            GROUP BY 1, 2
        )
        SELECT day, brand, mentions, stories,
               100.0 * mentions / sum(mentions) OVER (PARTITION BY day) AS share,
               100.0 * stories / sum(stories) OVER (PARTITION BY day) AS story_share
        FROM base ORDER BY day, brand
    """
    return _df(sql, [f.tz, *w.params], db)


def share_of_voice_totals(f: Filters, db: str | None = None) -> pd.DataFrame:
    """brand, mentions, stories, share, story_share, prev_mentions, prev_share, change_pts."""
    def totals(ff: Filters) -> pd.DataFrame:
        w = _mention_where(ff)
        sql = f"""
            WITH base AS (
                SELECT b.brand, count(*) AS mentions, count(DISTINCT coalesce(m.story_id, m.id)) AS stories,
                       sum(coalesce(m.engagement, 0)) AS engagement
                FROM mention_brands b JOIN mentions m ON m.id = b.mention_id
                {w.sql} GROUP BY 1
            )
            SELECT brand, mentions, stories, engagement,
                   100.0 * mentions / nullif(sum(mentions) OVER (), 0) AS share,
                   100.0 * stories / nullif(sum(stories) OVER (), 0) AS story_share,
                   100.0 * engagement / nullif(sum(engagement) OVER (), 0) AS engagement_share
            FROM base
        """
        return _df(sql, w.params, db)

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


def normalized_attention(f: Filters, db: str | None = None) -> pd.DataFrame:
    """day, brand, mentions, collected (all items from the same sources that day), attention.

    attention = mentions of the brand that day / all items collected from the
    filtered sources that day, so a crawler outage is not read as a drop.
    """
    wb = _mention_where(f)
    wa = _mention_where(Filters(f.start, f.end, (), f.sources, f.kinds, f.languages, (), f.tz), with_brand=False)
    sql = f"""
        WITH brand_day AS (
            SELECT {_local_day('m.published_at')} AS day, b.brand, count(*) AS mentions
            FROM mention_brands b JOIN mentions m ON m.id = b.mention_id
            {wb.sql} GROUP BY 1, 2
        ), all_day AS (
            SELECT {_local_day('m.published_at')} AS day, count(*) AS collected
            FROM mentions m {wa.sql} GROUP BY 1
        )
        SELECT d.day, d.brand, d.mentions, a.collected, d.mentions::DOUBLE / a.collected AS attention
        FROM brand_day d JOIN all_day a USING (day) ORDER BY d.day, d.brand
    """
    return _df(sql, [f.tz, *wb.params, f.tz, *wa.params], db)


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
