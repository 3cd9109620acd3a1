"""The period briefing for management: one document, as HTML and as PDF.

build_briefing() runs the named queries once and lays the result out as a
small document model (sections of paragraphs, key figures, tables, figures)
holding plain text only. render_html() and render_pdf() are two printers of
that same model, so both formats always say the same thing, and escaping
happens in exactly one place per format: collected text (titles, bodies,
source names, URLs) is data and can never become markup in either output.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import json
import os
import re
import struct
import unicodedata
from dataclasses import dataclass, field
from typing import Union
from zoneinfo import ZoneInfo

import pandas as pd

from . import charts, queries
from . import db as dbmod
from .config import Config
from .queries import Filters
from .report_i18n import (MINUS, check_lang, fmt_change_pct, fmt_date, fmt_date_short, fmt_int, fmt_net,
                          fmt_num, fmt_pct, fmt_pts, fmt_range, fmt_rank, t)

UTC = dt.timezone.utc
TITLE_MAX = 160
# A share-of-voice gain below this is noise, not a "rising competitor".
RISING_MIN_PTS = 0.5


# --- document model ------------------------------------------------------------------

@dataclass
class Link:
    text: str
    url: str | None = None


Cell = Union[str, Link]


@dataclass
class Para:
    text: str
    style: str = "body"  # body | note | empty


@dataclass
class Bullets:
    items: list[str]


@dataclass
class Subheading:
    text: str


@dataclass
class KeyFigure:
    label: str
    value: str
    note: str = ""
    tone: str = "flat"  # good | bad | flat


@dataclass
class KeyFigures:
    items: list[KeyFigure]


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Cell]]
    align: list[str]          # "l" or "r" per column
    widths: list[float]       # relative column widths
    highlight: set[int] = field(default_factory=set)  # row indexes to emphasise (the own brand)


@dataclass
class Figure:
    png: bytes
    caption: str

    @property
    def size(self) -> tuple[int, int]:
        # PNG IHDR: width and height are the two big-endian ints after the signature and chunk header.
        return struct.unpack(">II", self.png[16:24])


Block = Union[Para, Bullets, Subheading, KeyFigures, Table, Figure]


@dataclass
class Section:
    key: str
    heading: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Briefing:
    lang: str
    title: str
    subtitle: str
    period_label: str
    previous_label: str
    generated_label: str
    scope_label: str
    filters: Filters
    own_brand: str | None
    empty: bool
    figures: dict
    data: dict[str, pd.DataFrame]
    charts: dict[str, bytes]
    sections: list[Section]

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


# --- periods ---------------------------------------------------------------------------

def period_filters(first: dt.date, last: dt.date, tz: str = queries.DEFAULT_TZ,
                   brands: tuple[str, ...] = ()) -> Filters:
    """Filters for the inclusive local days first..last (end is the next local midnight)."""
    if last < first:
        raise ValueError("the end date is before the start date")
    zone = ZoneInfo(tz)
    start = dt.datetime.combine(first, dt.time(), zone).astimezone(UTC)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), zone).astimezone(UTC)
    return Filters(start=start, end=end, brands=tuple(brands), tz=tz)


def local_days(f: Filters) -> tuple[dt.date, dt.date]:
    """The first and last local day an [start, end) window covers."""
    zone = ZoneInfo(f.tz)
    first = f.start.astimezone(zone).date()
    last = (f.end - dt.timedelta(microseconds=1)).astimezone(zone).date()
    return first, max(first, last)


def _range_label(f: Filters, lang: str) -> str:
    return fmt_range(*local_days(f), lang)


def _generated_label(now: dt.datetime, tz: str, lang: str) -> str:
    local = now.astimezone(ZoneInfo(tz))
    when = fmt_date(local.date(), lang)
    clock = f"{local.hour} h {local.minute:02d}" if lang == "fr" else local.strftime("%H:%M")
    return t(lang, "generated", date=f"{when} {'à' if lang == 'fr' else 'at'} {clock}")


# --- helpers ------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value, limit: int | None = None) -> str:
    """Collected text as one printable line (no control characters, collapsed spaces)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = _CONTROL.sub(" ", unicodedata.normalize("NFC", str(value)))
    text = " ".join(text.split())
    if limit and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def safe_url(url) -> str | None:
    """Only http(s) URLs become links: a javascript: or data: URL stays plain text."""
    text = clean_text(url)
    return text if re.match(r"^https?://[^\s]+$", text, re.IGNORECASE) else None


def _local_date(ts, tz: str) -> dt.date | None:
    if ts is None or pd.isna(ts):
        return None
    stamp = pd.Timestamp(ts)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize(UTC)
    return stamp.tz_convert(tz).date()


def _tone(delta, good_when_up: bool = True) -> str:
    if delta is None or pd.isna(delta) or round(float(delta), 1) == 0:
        return "flat"
    return "good" if (delta > 0) == good_when_up else "bad"


def sov_trend_data(daily: pd.DataFrame, f: Filters) -> tuple[pd.DataFrame, str]:
    """Daily share of voice regrouped for print: (bucket, brand, mentions, share), and "day" or "week".

    Periods of three weeks or more use weeks (a month of daily stacked shares
    is unreadable on paper); weeks are counted from the period's first day, so
    no bucket starts before the period. Brands absent from a bucket get an explicit 0.
    """
    first, last = local_days(f)
    unit = "week" if (last - first).days + 1 >= 21 else "day"
    cols = ["bucket", "brand", "mentions", "share"]
    if daily.empty:
        return pd.DataFrame(columns=cols), unit
    d = daily[["day", "brand", "mentions"]].copy()
    d["day"] = pd.to_datetime(d["day"]).dt.date
    if unit == "week":
        d["bucket"] = d["day"].map(lambda x: first + dt.timedelta(days=7 * ((x - first).days // 7)))
    else:
        d["bucket"] = d["day"]
    g = d.groupby(["bucket", "brand"])["mentions"].sum()
    full = g.reindex(pd.MultiIndex.from_product([sorted(d["bucket"].unique()), sorted(d["brand"].unique())],
                                                names=["bucket", "brand"]), fill_value=0).reset_index()
    totals = full.groupby("bucket")["mentions"].transform("sum")
    full["share"] = 100.0 * full["mentions"] / totals
    return full[cols], unit


def _chart_png(chart, lang: str, width: int = 640) -> bytes:
    return charts.to_png(charts.localize(chart.properties(width=width), lang), scale=2.0)


# --- building ------------------------------------------------------------------------

def build_briefing(db: str | None, filters: Filters, lang: str = "fr", config: Config | None = None,
                   title: str | None = None, now: dt.datetime | None = None,
                   with_charts: bool = True) -> Briefing:
    """Query the warehouse for the period of `filters` and lay the briefing out."""
    lang = check_lang(lang)
    now = now or dt.datetime.now(UTC)
    f, prev = filters, filters.previous()

    # One read-only connection for the queries (the dashboard's page run already has one;
    # the command line and the digest did not).
    with dbmod.read_session(db):
        # Also lists brands seen only in the previous period: falling to zero is news too.
        sov = queries.share_of_voice_totals(f, db)
        daily = queries.share_of_voice_daily(f, db)
        # Both periods in one statement, both notable lists in two (9 statements instead of 13).
        senti, senti_prev = queries.briefing_sentiment_periods((f, prev), db)
        terms = queries.briefing_top_terms(f, db, per_brand=6)
        rising = queries.briefing_rising_terms(f, db)
        engaged, negative = queries.briefing_notable_pair(f, db, limit=5)
        alerts = queries.briefing_alerts(f, db)
        sources, sources_prev = queries.briefing_sources_periods((f, prev), db)

    in_scope = set(f.brands) if f.brands else None
    own = None
    if config is not None:
        own = next((b for b in config.own_brands if in_scope is None or b in in_scope), None)

    mentions = int(sources["mentions"].sum()) if not sources.empty else 0
    prev_mentions = int(sources_prev["mentions"].sum()) if not sources_prev.empty else 0
    collected = int(sources["items"].sum()) if not sources.empty else 0
    estimated = int(sources["estimated"].sum()) if not sources.empty else 0

    def row(df: pd.DataFrame, brand: str | None) -> dict | None:
        if brand is None or df.empty:
            return None
        hit = df[df["brand"] == brand]
        return hit.iloc[0].to_dict() if not hit.empty else None

    own_sov = row(sov, own)
    own_senti, own_senti_prev = row(senti, own), row(senti_prev, own)
    own_net = own_senti["net_sentiment"] if own_senti else float("nan")
    own_net_prev = own_senti_prev["net_sentiment"] if own_senti_prev else float("nan")
    competitors = sov[sov["brand"] != own] if not sov.empty else sov
    rising_brand = None
    if not competitors.empty:
        best = competitors.sort_values(["change_pts", "brand"], ascending=[False, True]).iloc[0]
        if best["change_pts"] >= RISING_MIN_PTS:
            rising_brand = best.to_dict()
    leader = sov.iloc[0].to_dict() if not sov.empty else None

    figures = {
        "mentions": mentions, "prev_mentions": prev_mentions, "collected": collected,
        "estimated": estimated, "estimated_share": 100.0 * estimated / mentions if mentions else 0.0,
        "own_brand": own,
        "own_mentions": int(own_sov["mentions"]) if own_sov else 0,
        "own_share": float(own_sov["share"]) if own_sov else 0.0,
        "own_share_change": float(own_sov["change_pts"]) if own_sov else 0.0,
        "own_net": own_net, "own_net_change": own_net - own_net_prev,
        "rising_brand": rising_brand["brand"] if rising_brand else None,
        "rising_change": float(rising_brand["change_pts"]) if rising_brand else None,
        "leader": leader["brand"] if leader else None,
        "alerts": len(alerts), "critical_alerts": int((alerts["severity"] == "critical").sum()) if len(alerts) else 0,
    }

    empty = mentions == 0
    chart_png: dict[str, bytes] = {}
    if with_charts and not empty:
        trend, unit = sov_trend_data(daily, f)
        if trend["bucket"].nunique() >= 2:
            chart_png["sov"] = _chart_png(charts.sov_trend(trend, lang, unit), lang)
        if not senti.empty:
            chart_png["sentiment"] = _chart_png(charts.sentiment_split_bars(senti, lang), lang, width=560)

    brand_title = title or (t(lang, "title_own", brand=own) if own else t(lang, "title"))
    scope = ", ".join(f.brands) if f.brands else t(lang, "scope_all")
    b = Briefing(
        lang=lang, title=brand_title, subtitle=t(lang, "subtitle"),
        period_label=_range_label(f, lang), previous_label=_range_label(prev, lang),
        generated_label=_generated_label(now, f.tz, lang), scope_label=t(lang, "scope", brands=scope),
        filters=f, own_brand=own, empty=empty, figures=figures,
        data={"sov": sov, "sov_daily": daily, "sentiment": senti, "sentiment_prev": senti_prev,
              "top_terms": terms, "rising_terms": rising, "engaged": engaged, "negative": negative,
              "alerts": alerts, "sources": sources},
        charts=chart_png, sections=[],
    )
    b.sections = [
        _summary(b, leader, own_senti),
        _sov_section(b),
        _perception_section(b),
        _topics_section(b),
        _notable_section(b),
        _alerts_section(b),
        _method_section(b),
    ]
    return b


def fmt_signed_pct(cur: int, prev: int, lang: str) -> str:
    pct = 100.0 * (cur - prev) / prev
    r = round(pct)
    return ("+" if r > 0 else MINUS if r < 0 else "±") + fmt_pct(abs(r), lang, 0)


def _brand_label(b: Briefing, brand: str) -> str:
    return brand + (t(b.lang, "own_marker") if brand == b.own_brand else "")


def _summary(b: Briefing, leader: dict | None, own_senti: dict | None) -> Section:
    lang, fig = b.lang, b.figures
    sec = Section("summary", t(lang, "s_summary"))
    if b.empty:
        sec.blocks.append(Para(t(lang, "empty_period"), "empty"))
        return sec

    note = t(lang, "vs_prev_count", prev=fmt_int(fig["prev_mentions"], lang))
    if fig["prev_mentions"]:
        note += f" ({fmt_signed_pct(fig['mentions'], fig['prev_mentions'], lang)})"
    cards = [KeyFigure(t(lang, "k_mentions"), fmt_int(fig["mentions"], lang), note, "flat")]
    own = b.own_brand
    if own:
        cards.append(KeyFigure(t(lang, "k_sov", brand=own), fmt_pct(fig["own_share"], lang),
                               t(lang, "vs_prev", delta=fmt_pts(fig["own_share_change"], lang)),
                               _tone(fig["own_share_change"])))
        net_note = (t(lang, "vs_prev", delta=fmt_pts(fig["own_net_change"], lang, 0))
                    if not pd.isna(fig["own_net_change"]) else "")
        cards.append(KeyFigure(t(lang, "k_net", brand=own), fmt_net(fig["own_net"], lang), net_note,
                               _tone(fig["own_net_change"])))
    elif leader:
        cards.append(KeyFigure(t(lang, "k_leader"), leader["brand"], fmt_pct(leader["share"], lang)))
    if fig["rising_brand"]:
        cards.append(KeyFigure(t(lang, "k_rising"), fig["rising_brand"],
                               t(lang, "vs_prev", delta=fmt_pts(fig["rising_change"], lang)),
                               "bad" if own else "flat"))
    else:
        cards.append(KeyFigure(t(lang, "k_rising"), t(lang, "k_none"), ""))
    sec.blocks.append(KeyFigures(cards))

    lines = []
    if fig["prev_mentions"]:
        lines.append(t(lang, "sum_mentions", n=fmt_int(fig["mentions"], lang),
                       change=fmt_change_pct(fig["mentions"], fig["prev_mentions"], lang),
                       prev=fmt_int(fig["prev_mentions"], lang)))
    else:
        lines.append(t(lang, "sum_mentions_noprev", n=fmt_int(fig["mentions"], lang)))
    sov = b.data["sov"]
    if own:
        if fig["own_mentions"]:
            lines.append(t(lang, "sum_sov", brand=own, share=fmt_pct(fig["own_share"], lang),
                           delta=fmt_pts(fig["own_share_change"], lang)))
            # Ties share a rank: two brands with 13 mentions are both first.
            rank = 1 + int((sov["mentions"] > fig["own_mentions"]).sum())
            tied = int((sov["mentions"] == fig["own_mentions"]).sum()) > 1
            lines.append(t(lang, "sum_sov_rank", brand=own, rank=fmt_rank(rank, lang), total=len(sov),
                           tie=t(lang, "tie") if tied else ""))
            if own_senti is None or pd.isna(own_senti["net_sentiment"]):
                lines.append(t(lang, "sum_net_na"))
            else:
                key = "sum_net_noprev" if pd.isna(fig["own_net_change"]) else "sum_net"
                lines.append(t(lang, key, net=fmt_net(fig["own_net"], lang),
                               delta=fmt_pts(fig["own_net_change"], lang, 0),
                               pos=fmt_int(own_senti["positive"], lang), neg=fmt_int(own_senti["negative"], lang)))
        else:
            lines.append(t(lang, "sum_own_absent", brand=own))
        if leader and leader["brand"] != own and leader["mentions"] > fig["own_mentions"]:
            lines.append(t(lang, "sum_leader", brand=leader["brand"], share=fmt_pct(leader["share"], lang)))
    elif leader:
        lines.append(t(lang, "sum_leader", brand=leader["brand"], share=fmt_pct(leader["share"], lang)))
    if fig["rising_brand"]:
        share = float(sov.loc[sov["brand"] == fig["rising_brand"], "share"].iloc[0])
        lines.append(t(lang, "sum_rising", brand=fig["rising_brand"], delta=fmt_pts(fig["rising_change"], lang),
                       share=fmt_pct(share, lang)))
    else:
        lines.append(t(lang, "sum_no_rising"))
    lines.append(t(lang, "sum_alerts", n=fmt_int(fig["alerts"], lang), crit=fmt_int(fig["critical_alerts"], lang))
                 if fig["alerts"] else t(lang, "sum_no_alerts"))
    sec.blocks.append(Bullets(lines))
    sec.blocks.append(Para(t(lang, "previous", period=b.previous_label), "note"))
    return sec


def _sov_section(b: Briefing) -> Section:
    lang = b.lang
    sec = Section("sov", t(lang, "s_sov"))
    sov = b.data["sov"]
    if b.empty or sov.empty:
        sec.blocks.append(Para(t(lang, "empty_section"), "empty"))
        return sec
    sec.blocks.append(Para(t(lang, "sov_intro")))
    if "sov" in b.charts:
        unit = sov_trend_data(b.data["sov_daily"], b.filters)[1]
        sec.blocks.append(Figure(b.charts["sov"], t(lang, "sov_chart_week" if unit == "week" else "sov_chart")))
    elif b.data["sov_daily"]["day"].nunique() < 2:
        sec.blocks.append(Para(t(lang, "sov_single_day"), "note"))
    collected = b.figures["collected"]
    rows, highlight = [], set()
    for i, r in enumerate(sov.to_dict("records")):
        if r["brand"] == b.own_brand:
            highlight.add(i)
        attention = 100.0 * r["mentions"] / collected if collected else float("nan")
        rows.append([_brand_label(b, r["brand"]), fmt_int(r["mentions"], lang), fmt_pct(r["share"], lang),
                     fmt_pts(r["change_pts"], lang), fmt_int(r["stories"], lang),
                     fmt_pct(r["story_share"], lang), fmt_pct(attention, lang, 2)])
    sec.blocks.append(Table(
        [t(lang, k) for k in ("col_brand", "col_mentions", "col_share", "col_change", "col_stories",
                              "col_story_share", "col_attention")],
        rows, ["l", "r", "r", "r", "r", "r", "r"], [2.2, 1.1, 1.4, 1.3, 1.1, 1.4, 1.2], highlight))
    return sec


def _perception_section(b: Briefing) -> Section:
    lang = b.lang
    sec = Section("perception", t(lang, "s_perception"))
    senti = b.data["sentiment"]
    if b.empty or senti.empty:
        sec.blocks.append(Para(t(lang, "empty_section"), "empty"))
        return sec
    sec.blocks.append(Para(t(lang, "perception_intro")))
    if "sentiment" in b.charts:
        sec.blocks.append(Figure(b.charts["sentiment"], t(lang, "perception_chart")))
    prev = b.data["sentiment_prev"].set_index("brand")["net_sentiment"] if not b.data["sentiment_prev"].empty else {}
    rows, highlight = [], set()
    for i, r in enumerate(senti.to_dict("records")):
        if r["brand"] == b.own_brand:
            highlight.add(i)
        before = prev.get(r["brand"], float("nan")) if len(prev) else float("nan")
        rows.append([_brand_label(b, r["brand"]), fmt_int(r["mentions"], lang), fmt_int(r["positive"], lang),
                     fmt_int(r["neutral"], lang), fmt_int(r["negative"], lang), fmt_net(r["net_sentiment"], lang),
                     fmt_pts(r["net_sentiment"] - before, lang, 0)])
    sec.blocks.append(Table(
        [t(lang, k) for k in ("col_brand", "col_mentions", "col_positive", "col_neutral", "col_negative",
                              "col_net", "col_net_change")],
        rows, ["l", "r", "r", "r", "r", "r", "r"], [2.4, 1.1, 1.1, 1.1, 1.1, 1.3, 1.1], highlight))
    return sec


def _topics_section(b: Briefing) -> Section:
    lang = b.lang
    sec = Section("topics", t(lang, "s_topics"))
    terms = b.data["top_terms"]
    if b.empty or terms.empty:
        sec.blocks.append(Para(t(lang, "empty_section"), "empty"))
        return sec
    sec.blocks.append(Para(t(lang, "topics_intro")))
    order = [x for x in b.data["sov"]["brand"].tolist() if x in set(terms["brand"])]
    rows, highlight = [], set()
    for i, brand in enumerate(order):
        if brand == b.own_brand:
            highlight.add(i)
        sub = terms[terms["brand"] == brand].sort_values("rank")
        words = ", ".join(t(lang, "term_count", term=clean_text(r["term"]), n=fmt_int(r["mentions"], lang))
                          for r in sub.to_dict("records"))
        rows.append([_brand_label(b, brand), words])
    sec.blocks.append(Table([t(lang, "col_brand"), t(lang, "col_terms")], rows, ["l", "l"], [2.2, 7.8], highlight))
    sec.blocks.append(Subheading(t(lang, "rising_title")))
    rising = b.data["rising_terms"]
    if rising.empty:
        sec.blocks.append(Para(t(lang, "rising_none"), "note"))
    else:
        sec.blocks.append(Para(t(lang, "rising_intro")))
        rows = [[clean_text(r["term"]), fmt_int(r["mentions"], lang), fmt_int(r["prev_mentions"], lang),
                 ("+" if r["change"] > 0 else "") + fmt_int(r["change"], lang)]
                for r in rising.to_dict("records")]
        sec.blocks.append(Table([t(lang, k) for k in ("col_term", "col_mentions", "col_prev", "col_change")],
                                rows, ["l", "r", "r", "r"], [4, 1.5, 1.5, 1.5]))
    return sec


def _mention_rows(b: Briefing, df: pd.DataFrame, last: str) -> list[list[Cell]]:
    lang, tz = b.lang, b.filters.tz
    rows = []
    for r in df.to_dict("records"):
        day = _local_date(r["published_at"], tz)
        date = fmt_date_short(day, lang) if day else ""
        if r.get("date_estimated"):
            date += t(lang, "estimated_mark")
        text = clean_text(r["title"], TITLE_MAX) or clean_text(r.get("body"), TITLE_MAX) or t(lang, "untitled")
        value = (fmt_int(r["engagement"], lang) if last == "engagement"
                 else fmt_num(r["sentiment_score"], lang, 2))
        rows.append([date, clean_text(r["source"], 40), Link(text, safe_url(r["url"])),
                     clean_text(r["brands"]), value])
    return rows


def _notable_section(b: Briefing) -> Section:
    lang = b.lang
    sec = Section("notable", t(lang, "s_notable"))
    if b.empty:
        sec.blocks.append(Para(t(lang, "empty_section"), "empty"))
        return sec
    for key, df, last, none_key in (("notable_engaged", b.data["engaged"], "engagement", "notable_none_engaged"),
                                    ("notable_negative", b.data["negative"], "score", "notable_none_negative")):
        sec.blocks.append(Subheading(t(lang, key)))
        if df.empty:
            sec.blocks.append(Para(t(lang, none_key), "note"))
            continue
        headers = [t(lang, "col_date"), t(lang, "col_source"), t(lang, "col_title"), t(lang, "col_brands"),
                   t(lang, "col_engagement") if last == "engagement" else t(lang, "col_score")]
        sec.blocks.append(Table(headers, _mention_rows(b, df, last), ["l", "l", "l", "l", "r"],
                                [1.45, 1.55, 4.3, 1.45, 1.55]))
    return sec


def _alert_text(b: Briefing, r: dict) -> str:
    lang = b.lang
    brand, source = clean_text(r.get("brand")), clean_text(r.get("source"))
    observed = fmt_num(r["observed"], lang, 0) if not pd.isna(r.get("observed")) else t(lang, "na")
    expected = fmt_num(r["expected"], lang, 1) if not pd.isna(r.get("expected")) else t(lang, "na")
    explanation = clean_text(r.get("explanation"), 200)
    rule = r.get("rule")
    if rule == "volume_spike" and brand:
        return t(lang, "alert_spike", brand=brand, observed=observed, expected=expected)
    if rule == "negative_spike" and brand:
        return t(lang, "alert_neg_spike", brand=brand, observed=observed, expected=expected)
    try:
        details = json.loads(r["details"]) if r.get("details") else {}
    except (ValueError, TypeError):
        details = {}
    details = details if isinstance(details, dict) else {}
    if rule == "mention":
        first = (details.get("mentions") or [{}])[0]
        title = clean_text(first.get("title") if isinstance(first, dict) else "", 120)
        base = t(lang, "alert_mention", brand=brand or t(lang, "na"), source=source or t(lang, "na"))
        return t(lang, "alert_quote", base=base, title=title) if title else base
    if rule == "source_failing" and source:
        return t(lang, "alert_failing", source=source, n=observed)
    if rule == "source_silent" and source:
        return t(lang, "alert_silent", source=source)
    # Unknown rule: the stored one-line explanation (English) is better than nothing.
    return explanation or brand or source


def _alert_when(r: dict, tz: str, lang: str) -> str:
    """A short window reads as its start (date and hour); a long one as a range of days."""
    start = r["window_start"] if not pd.isna(r["window_start"]) else r["created_at"]
    if start is None or pd.isna(start):
        return ""
    start = pd.Timestamp(start).tz_convert(tz)
    end = pd.Timestamp(r["window_end"]).tz_convert(tz) if not pd.isna(r["window_end"]) else start
    if end - start <= pd.Timedelta(hours=36):
        clock = f"{start.hour}\u00a0h\u00a0{start.minute:02d}" if lang == "fr" else start.strftime("%H:%M")
        return f"{fmt_date_short(start.date(), lang)}, {clock}"
    # window_end is exclusive: a window ending at midnight does not cover that day.
    last = (end - pd.Timedelta(microseconds=1)).date()
    return f"{fmt_date_short(start.date(), lang)} → {fmt_date_short(last, lang)}"


def _alerts_section(b: Briefing) -> Section:
    lang, tz = b.lang, b.filters.tz
    sec = Section("alerts", t(lang, "s_alerts"))
    alerts = b.data["alerts"]
    if alerts.empty:
        sec.blocks.append(Para(t(lang, "sum_no_alerts"), "empty"))
        return sec
    sec.blocks.append(Para(t(lang, "alerts_intro")))
    rows = []
    for r in alerts.to_dict("records"):
        when = _alert_when(r, tz, lang)
        sev = r["severity"] if r["severity"] in ("critical", "warning", "info") else "info"
        rule_key = f"rule_{r['rule']}"
        rule = t(lang, rule_key) if rule_key in _strings(lang) else clean_text(r["rule"])
        status_key = f"status_{r['status']}"
        status = t(lang, status_key) if status_key in _strings(lang) else clean_text(r["status"])
        rows.append([t(lang, f"sev_{sev}"), rule, _alert_text(b, r), when, status])
    sec.blocks.append(Table([t(lang, k) for k in ("col_severity", "col_rule", "col_what", "col_window", "col_status")],
                            rows, ["l", "l", "l", "l", "l"], [1.7, 1.6, 3.9, 2.0, 1.2]))
    return sec


def _strings(lang: str) -> dict:
    from .report_i18n import STRINGS
    return STRINGS[lang]


def _kind_label(kind, lang: str) -> str:
    key = f"kind_{kind}"
    return t(lang, key) if key in _strings(lang) else clean_text(kind)


def _method_section(b: Briefing) -> Section:
    lang, fig = b.lang, b.figures
    sec = Section("method", t(lang, "s_method"))
    sources = b.data["sources"]
    sec.blocks.append(Bullets([t(lang, "m_sov"), t(lang, "m_story"), t(lang, "m_net"), t(lang, "m_attention"),
                               t(lang, "m_previous", period=b.previous_label)]))
    sec.blocks.append(Subheading(t(lang, "m_data")))
    if sources.empty:
        sec.blocks.append(Para(t(lang, "m_no_sources"), "empty"))
    else:
        sec.blocks.append(Para(t(lang, "m_sources", n=fmt_int(len(sources), lang),
                                 items=fmt_int(fig["collected"], lang), mentions=fmt_int(fig["mentions"], lang))
                               + " " + t(lang, "m_estimated", share=fmt_pct(fig["estimated_share"], lang),
                                         n=fmt_int(fig["estimated"], lang))))
    if not sources.empty:
        rows = [[clean_text(r["source"], 60), _kind_label(r["source_kind"], lang), fmt_int(r["items"], lang),
                 fmt_int(r["mentions"], lang), fmt_int(r["estimated"], lang)] for r in sources.to_dict("records")]
        sec.blocks.append(Table([t(lang, k) for k in ("col_source", "col_kind", "col_items", "col_mentions",
                                                      "col_estimated")],
                                rows, ["l", "l", "r", "r", "r"], [3.6, 1.2, 1.8, 1.4, 1.6]))
    return sec


# --- HTML ------------------------------------------------------------------------------

_CSS = """
@page { size: A4; margin: 16mm 15mm; }
* { box-sizing: border-box; }
body { margin: 0; background: #f3f5f8; color: #1d2733;
       font: 14px/1.5 "Segoe UI", "Helvetica Neue", Arial, "DejaVu Sans", sans-serif; }
.page { max-width: 900px; margin: 0 auto; background: #fff; padding: 0 0 32px; }
header.cover { background: #16324f; color: #fff; padding: 28px 40px 24px; }
header.cover .kicker { text-transform: uppercase; letter-spacing: .08em; font-size: 11px; opacity: .75; margin: 0; }
header.cover h1 { font-size: 26px; line-height: 1.25; margin: 6px 0 4px; font-weight: 600; }
header.cover .period { font-size: 17px; margin: 0 0 10px; }
header.cover .meta { font-size: 12px; opacity: .8; margin: 0; }
main { padding: 8px 40px 0; }
section { margin-top: 26px; page-break-inside: auto; }
h2 { font-size: 18px; color: #16324f; border-bottom: 2px solid #16324f; padding-bottom: 4px; margin: 0 0 12px; }
h2 .num { color: #7a8a9c; font-weight: 400; margin-right: 6px; }
h3 { font-size: 14px; color: #16324f; margin: 18px 0 8px; }
p { margin: 0 0 10px; }
p.note { color: #5b6876; font-size: 12px; }
p.empty { color: #5b6876; font-style: italic; background: #f6f7f9; border-left: 3px solid #c3cbd5; padding: 10px 12px; }
ul { margin: 0 0 12px; padding-left: 20px; }
li { margin-bottom: 4px; }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; margin: 4px 0 16px; }
.kpi { border: 1px solid #dde3ea; border-top: 4px solid #1f5fa8; border-radius: 4px; padding: 10px 12px; page-break-inside: avoid; }
.kpi .label { font-size: 11px; color: #5b6876; text-transform: uppercase; letter-spacing: .04em; }
.kpi .value { font-size: 24px; font-weight: 600; margin: 2px 0; overflow-wrap: anywhere; }
.kpi .note { font-size: 12px; color: #5b6876; }
.kpi.good .note { color: #1e7a34; } .kpi.bad .note { color: #b3202f; }
table { width: 100%; border-collapse: collapse; font-size: 12.5px; margin: 4px 0 14px; }
th { text-align: left; background: #eef2f6; color: #16324f; font-weight: 600; padding: 6px 8px; border-bottom: 1px solid #c3cbd5; }
td { padding: 6px 8px; border-bottom: 1px solid #e6eaef; vertical-align: top; overflow-wrap: anywhere; }
th.r, td.r { text-align: right; white-space: nowrap; }
tr.own td { background: #eaf2fb; font-weight: 600; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; }
figure { margin: 6px 0 16px; page-break-inside: avoid; }
figure img { max-width: 100%; height: auto; display: block; }
figcaption { font-size: 12px; color: #5b6876; margin-top: 4px; }
a { color: #1f5fa8; text-decoration: none; }
footer { color: #7a8a9c; font-size: 11px; padding: 24px 40px 0; }
@media print { body { background: #fff; } .page { max-width: none; } header.cover { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _html_cell(cell: Cell) -> str:
    if isinstance(cell, Link):
        if cell.url:
            return f'<a href="{_e(cell.url)}" rel="noopener noreferrer" target="_blank">{_e(cell.text)}</a>'
        return _e(cell.text)
    return _e(cell)


def _html_block(block: Block) -> str:
    if isinstance(block, Para):
        cls = f' class="{block.style}"' if block.style != "body" else ""
        return f"<p{cls}>{_e(block.text)}</p>"
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{_e(x)}</li>" for x in block.items) + "</ul>"
    if isinstance(block, Subheading):
        return f"<h3>{_e(block.text)}</h3>"
    if isinstance(block, KeyFigures):
        cards = "".join(
            f'<div class="kpi {k.tone}"><div class="label">{_e(k.label)}</div>'
            f'<div class="value">{_e(k.value)}</div><div class="note">{_e(k.note)}</div></div>'
            for k in block.items)
        return f'<div class="kpis">{cards}</div>'
    if isinstance(block, Table):
        head = "".join(f'<th class="{a}">{_e(h)}</th>' for h, a in zip(block.headers, block.align))
        total = sum(block.widths)
        cols = "".join(f'<col style="width:{100 * w / total:.1f}%">' for w in block.widths)
        body = []
        for i, row in enumerate(block.rows):
            cls = ' class="own"' if i in block.highlight else ""
            cells = "".join(f'<td class="{a}">{_html_cell(c)}</td>' for c, a in zip(row, block.align))
            body.append(f"<tr{cls}>{cells}</tr>")
        return f"<table><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    if isinstance(block, Figure):
        w, h = block.size
        data = base64.b64encode(block.png).decode("ascii")
        return (f'<figure><img src="data:image/png;base64,{data}" width="{w // 2}" height="{h // 2}" '
                f'alt="{_e(block.caption)}"><figcaption>{_e(block.caption)}</figcaption></figure>')
    raise TypeError(f"unknown block {type(block).__name__}")


def render_html(b: Briefing) -> str:
    """One self-contained page (inline CSS, charts as base64 PNG, no script), printable."""
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{t(b.lang, "html_lang")}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # Defence in depth behind the escaping: even an injected tag could not run or load anything.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; '
        'style-src \'unsafe-inline\'">',
        f"<title>{_e(b.title)} · {_e(b.period_label)}</title>",
        f"<style>{_CSS}</style></head><body><div class=\"page\">",
        '<header class="cover">',
        f'<p class="kicker">Vigie · {_e(b.subtitle)}</p>',
        f"<h1>{_e(b.title)}</h1>",
        f'<p class="period">{_e(b.period_label[:1].upper() + b.period_label[1:])}</p>',
        f'<p class="meta">{_e(b.scope_label)} · {_e(b.generated_label)}</p>',
        "</header><main>",
    ]
    for n, sec in enumerate(b.sections, 1):
        parts.append(f'<section id="{sec.key}"><h2><span class="num">{n}.</span>{_e(sec.heading)}</h2>')
        parts.extend(_html_block(block) for block in sec.blocks)
        parts.append("</section>")
    parts.append(f"</main><footer>Vigie · {_e(b.title)} · {_e(b.period_label)} · {_e(b.generated_label)}</footer>")
    parts.append("</div></body></html>")
    return "\n".join(parts)


# --- PDF --------------------------------------------------------------------------------

DEJAVU_DIR = "/usr/share/fonts/truetype/dejavu"
_FONTS: tuple[str, str] | None = None

# Outside cp1252 (what reportlab's built-in Helvetica can draw): map to look-alikes.
_FALLBACK_MAP = str.maketrans({"\u202f": " ", "\u00a0": " ", MINUS: "-", "\u2192": "->", "\u2009": " ",
                               "\u2011": "-", "\u2212": "-"})


def _fonts() -> tuple[str, str]:
    """(regular, bold) font names: DejaVu Sans when installed (covers œ, ’, −, narrow spaces), else Helvetica."""
    global _FONTS
    if _FONTS is None:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont
        from reportlab.lib.fonts import addMapping
        regular, bold = os.path.join(DEJAVU_DIR, "DejaVuSans.ttf"), os.path.join(DEJAVU_DIR, "DejaVuSans-Bold.ttf")
        try:
            pdfmetrics.registerFont(TTFont("VigieSans", regular))
            pdfmetrics.registerFont(TTFont("VigieSans-Bold", bold))
            addMapping("VigieSans", 0, 0, "VigieSans")
            addMapping("VigieSans", 1, 0, "VigieSans-Bold")
            addMapping("VigieSans", 0, 1, "VigieSans")
            addMapping("VigieSans", 1, 1, "VigieSans-Bold")
            _FONTS = ("VigieSans", "VigieSans-Bold")
        except Exception:  # noqa: BLE001 - any font problem means "use the built-in font"
            _FONTS = ("Helvetica", "Helvetica-Bold")
    return _FONTS


def _pdf_text(text: str) -> str:
    """Plain text -> reportlab Paragraph markup: escape &, <, > so collected text is never parsed as tags."""
    if _fonts()[0] == "Helvetica":
        text = text.translate(_FALLBACK_MAP).encode("cp1252", "replace").decode("cp1252")
    return html.escape(text, quote=False)


def pdf_story(b: Briefing) -> list:
    """The platypus flowables of the PDF (exposed so tests can read the text without a PDF parser)."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (CondPageBreak, Image, KeepTogether, ListFlowable, ListItem, Paragraph,
                                    Spacer)
    from reportlab.platypus import Table as RLTable
    from reportlab.platypus import TableStyle

    regular, bold = _fonts()
    navy, grey, light = colors.HexColor("#16324f"), colors.HexColor("#5b6876"), colors.HexColor("#eef2f6")
    width = A4[0] - 30 * mm
    st = {
        "kicker": ParagraphStyle("kicker", fontName=regular, fontSize=8.5, leading=11, textColor=colors.HexColor("#c9d6e3")),
        "title": ParagraphStyle("title", fontName=bold, fontSize=20, leading=25, textColor=colors.white),
        "period": ParagraphStyle("period", fontName=regular, fontSize=13, leading=17, textColor=colors.white),
        "meta": ParagraphStyle("meta", fontName=regular, fontSize=8.5, leading=11, textColor=colors.HexColor("#c9d6e3")),
        "h2": ParagraphStyle("h2", fontName=bold, fontSize=14, leading=18, textColor=navy, spaceBefore=14, spaceAfter=2),
        "h3": ParagraphStyle("h3", fontName=bold, fontSize=10.5, leading=14, textColor=navy, spaceBefore=8, spaceAfter=4),
        "body": ParagraphStyle("body", fontName=regular, fontSize=9.5, leading=13.5, spaceAfter=6),
        "note": ParagraphStyle("note", fontName=regular, fontSize=8.5, leading=12, textColor=grey, spaceAfter=6),
        "empty": ParagraphStyle("empty", fontName=regular, fontSize=9.5, leading=13.5, textColor=grey,
                                backColor=colors.HexColor("#f6f7f9"), borderPadding=(6, 6, 6, 6),
                                spaceBefore=4, spaceAfter=10, leftIndent=6, rightIndent=6),
        "cell": ParagraphStyle("cell", fontName=regular, fontSize=8.5, leading=11),
        "cell_r": ParagraphStyle("cell_r", fontName=regular, fontSize=8.5, leading=11, alignment=TA_RIGHT),
        "cell_b": ParagraphStyle("cell_b", fontName=bold, fontSize=8.5, leading=11),
        "cell_br": ParagraphStyle("cell_br", fontName=bold, fontSize=8.5, leading=11, alignment=TA_RIGHT),
        "head": ParagraphStyle("head", fontName=bold, fontSize=8.5, leading=11, textColor=navy),
        "head_r": ParagraphStyle("head_r", fontName=bold, fontSize=8.5, leading=11, textColor=navy, alignment=TA_RIGHT),
        "k_label": ParagraphStyle("k_label", fontName=regular, fontSize=7.5, leading=10, textColor=grey),
        "k_value": ParagraphStyle("k_value", fontName=bold, fontSize=16, leading=20, textColor=colors.HexColor("#1d2733")),
        "caption": ParagraphStyle("caption", fontName=regular, fontSize=8, leading=10, textColor=grey, spaceAfter=8),
    }
    tone_color = {"good": "#1e7a34", "bad": "#b3202f", "flat": "#5b6876"}

    def para(text: str, style: str) -> Paragraph:
        return Paragraph(_pdf_text(text), st[style])

    def cell(c: Cell, align: str, strong: bool) -> Paragraph:
        if align == "r":
            style = "cell_br" if strong else "cell_r"
        else:
            style = "cell_b" if strong else "cell"
        if isinstance(c, Link):
            if c.url:
                href = html.escape(c.url, quote=True)
                return Paragraph(f'<a href="{href}" color="#1f5fa8">{_pdf_text(c.text)}</a>', st[style])
            return Paragraph(_pdf_text(c.text), st[style])
        return Paragraph(_pdf_text(c), st[style])

    def flowables(block: Block) -> list:
        if isinstance(block, Para):
            return [para(block.text, block.style if block.style in st else "body")]
        if isinstance(block, Subheading):
            return [para(block.text, "h3")]
        if isinstance(block, Bullets):
            return [ListFlowable([ListItem(para(x, "body"), leftIndent=10) for x in block.items],
                                 bulletType="bullet", start="•", leftIndent=10, bulletFontName=regular,
                                 bulletFontSize=8)]
        if isinstance(block, KeyFigures):
            # One table for all cards so every card has the height of the tallest.
            k, gap = len(block.items), 3 * mm
            cw = (width - gap * (k - 1)) / k
            rows: list[list] = [[], [], []]
            widths: list[float] = []
            for i, item in enumerate(block.items):
                note = (f'<font color="{tone_color[item.tone]}">{_pdf_text(item.note)}</font>' if item.note else "")
                rows[0].append(para(item.label.upper(), "k_label"))
                rows[1].append(para(item.value, "k_value"))
                rows[2].append(Paragraph(note, st["note"]))
                widths.append(cw)
                if i < k - 1:
                    for r in rows:
                        r.append("")
                    widths.append(gap)
            grid = RLTable(rows, colWidths=widths)
            style = [("VALIGN", (0, 0), (-1, -1), "TOP"),
                     ("LEFTPADDING", (0, 0), (-1, -1), 7), ("RIGHTPADDING", (0, 0), (-1, -1), 7),
                     ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                     ("TOPPADDING", (0, 0), (-1, 0), 7), ("BOTTOMPADDING", (0, -1), (-1, -1), 4)]
            for i in range(k):
                c = 2 * i
                style += [("BOX", (c, 0), (c, -1), 0.6, colors.HexColor("#dde3ea")),
                          ("LINEABOVE", (c, 0), (c, 0), 3, colors.HexColor("#1f5fa8"))]
            grid.setStyle(TableStyle(style))
            return [grid, Spacer(1, 4 * mm)]
        if isinstance(block, Table):
            total = sum(block.widths)
            col_w = [width * w / total for w in block.widths]
            data = [[Paragraph(_pdf_text(h), st["head_r" if a == "r" else "head"])
                     for h, a in zip(block.headers, block.align)]]
            for i, r in enumerate(block.rows):
                data.append([cell(c, a, i in block.highlight) for c, a in zip(r, block.align)])
            tb = RLTable(data, colWidths=col_w, repeatRows=1)
            style = [("BACKGROUND", (0, 0), (-1, 0), light),
                     ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.HexColor("#c3cbd5")),
                     ("LINEBELOW", (0, 1), (-1, -1), 0.4, colors.HexColor("#e6eaef")),
                     ("VALIGN", (0, 0), (-1, -1), "TOP"),
                     ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                     ("LEFTPADDING", (0, 0), (-1, -1), 5), ("RIGHTPADDING", (0, 0), (-1, -1), 5)]
            for i in block.highlight:
                style.append(("BACKGROUND", (0, i + 1), (-1, i + 1), colors.HexColor("#eaf2fb")))
            tb.setStyle(TableStyle(style))
            return [tb, Spacer(1, 4 * mm)]
        if isinstance(block, Figure):
            w, h = block.size
            draw_w = min(width, w / 2 * 0.75)  # PNGs are rendered at scale 2; 0.75 pt per CSS px
            img = Image(io.BytesIO(block.png), width=draw_w, height=draw_w * h / w)
            img.hAlign = "LEFT"
            return [KeepTogether([img, para(block.caption, "caption")])]
        raise TypeError(f"unknown block {type(block).__name__}")

    story: list = []
    cover = RLTable([[para(f"VIGIE · {b.subtitle.upper()}", "kicker")], [para(b.title, "title")],
                     [para(b.period_label[:1].upper() + b.period_label[1:], "period")],
                     [para(f"{b.scope_label} · {b.generated_label}", "meta")]],
                    colWidths=[width])
    cover.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), navy),
                               ("LEFTPADDING", (0, 0), (-1, -1), 14), ("RIGHTPADDING", (0, 0), (-1, -1), 14),
                               ("TOPPADDING", (0, 0), (-1, 0), 14), ("BOTTOMPADDING", (0, -1), (-1, -1), 14),
                               ("TOPPADDING", (0, 1), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -2), 3)]))
    story += [cover, Spacer(1, 4 * mm)]

    for n, sec in enumerate(b.sections, 1):
        heading = Paragraph(f'<font color="#7a8a9c">{n}.</font> {_pdf_text(sec.heading)}', st["h2"])
        rule = RLTable([[""]], colWidths=[width], rowHeights=[1.2])
        rule.setStyle(TableStyle([("LINEABOVE", (0, 0), (-1, 0), 1.2, navy)]))
        # Never strand a heading at the bottom of a page.
        story += [CondPageBreak(45 * mm), heading, rule, Spacer(1, 2 * mm)]
        pending: list = []
        for block in sec.blocks:
            flow = flowables(block)
            if isinstance(block, Subheading):
                pending = flow
                continue
            if pending:
                # A subheading travels with what it introduces, never alone at a page foot.
                story.append(KeepTogether(pending + flow[:1]))
                story.extend(flow[1:])
                pending = []
            else:
                story.extend(flow)
        story.extend(pending)
    return story
    return story


def render_pdf(b: Briefing) -> bytes:
    """An A4 PDF of the briefing (reportlab platypus), with a footer carrying title, period and page number."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    regular, _ = _fonts()
    buf = io.BytesIO()
    footer_left = _pdf_plain(f"Vigie · {b.title} · {b.period_label}")

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(regular, 7.5)
        canvas.setFillColor(colors.HexColor("#7a8a9c"))
        canvas.drawString(15 * mm, 9 * mm, footer_left[:120])
        canvas.drawRightString(A4[0] - 15 * mm, 9 * mm, _pdf_plain(t(b.lang, "page", n=doc.page)))
        canvas.restoreState()

    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=14 * mm,
                            bottomMargin=16 * mm, title=_pdf_plain(b.title), author="Vigie",
                            subject=_pdf_plain(b.period_label), lang=t(b.lang, "html_lang"))
    doc.build(pdf_story(b), onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


def _pdf_plain(text: str) -> str:
    # Canvas strings and metadata are not parsed as markup, only made drawable.
    if _fonts()[0] == "Helvetica":
        return text.translate(_FALLBACK_MAP).encode("cp1252", "replace").decode("cp1252")
    return text
