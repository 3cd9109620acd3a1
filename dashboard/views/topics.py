"""Sujets et idées / Topics and ideas: rising terms, top terms per brand, a term's
timeline and mentions, questions people ask, topics where competitors engage."""

from __future__ import annotations

import sys
from pathlib import Path

# Run on its own (AppTest.from_file), only this folder is on sys.path, not the root.
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import dataclasses
import datetime as dt

import pandas as pd  # noqa: E402
import streamlit as st

from dashboard import components as c
from dashboard import i18n, state
from warehouse import charts
from warehouse.queries import question_themes

BASELINE_DAYS = 28

ctx = state.ctx()
lang, tz, f = ctx.lang, ctx.tz, ctx.filters
st.title(":material/lightbulb: " + ctx.t("topics_title"))
c.config_notice(ctx)
if c.no_data(ctx):
    st.stop()

# --- rising terms ---------------------------------------------------------------------
st.subheader(ctx.t("rising"))
recent_days = st.radio(ctx.t("recent_window"), (1, 7), key="t_recent", horizontal=True,
                       format_func=lambda d: ctx.t("last_days", n=d))
c.formula(ctx.t("formula_rising", recent=recent_days, baseline=BASELINE_DAYS))
end = min(f.end, dt.datetime.now(dt.timezone.utc))
# The baseline reaches before the chosen period: a term is rising relative to its own past.
wide = dataclasses.replace(f, start=end - dt.timedelta(days=recent_days + BASELINE_DAYS), end=end)
counts = state.q("term_counts_daily", wide)
rising = pd.DataFrame()
try:
    from warehouse.terms import RISING_FORMULA, rising_terms
    now_local = pd.Timestamp(end).tz_convert(tz).tz_localize(None)
    rising = rising_terms(counts, now_local, recent_days=recent_days, baseline_days=BASELINE_DAYS, min_count=3)
    st.caption(c.escape_md(RISING_FORMULA))
except ImportError:
    c.empty_state(ctx.t("rising_unavailable"))

picked_from_chart = None
if not rising.empty:
    top = rising.head(15)
    event = c.chart(charts.term_bars(top, lang, value="score"), lang,
                            on_select="rerun", selection_mode=charts.TERM_SELECTION, key="rising_chart")
    points = (event or {}).get("selection", {}).get(charts.TERM_SELECTION) or []
    if points and isinstance(points, list) and isinstance(points[0], dict):
        picked_from_chart = points[0].get("term")
    st.dataframe(pd.DataFrame({
        ctx.t("col_term"): top["term"],
        ctx.t("col_recent"): top["recent"].map(lambda v: i18n.fmt_number(v, lang)),
        ctx.t("col_baseline"): top["baseline"].map(lambda v: i18n.fmt_number(v, lang)),
        ctx.t("col_score"): top["score"].map(lambda v: i18n.fmt_number(v, lang, 1)),
    }), hide_index=True, width="stretch")
elif counts is not None:
    c.empty_state(ctx.t("no_rising"))

# --- top terms per brand ----------------------------------------------------------------
st.subheader(ctx.t("top_by_brand"))
top_terms = state.q("top_terms_by_brand", f, per_brand=10)
if top_terms.empty:
    c.empty_state(ctx.t("no_data_filters"))
else:
    top_terms["cell"] = top_terms.apply(lambda r: f"{r['term']} ({i18n.fmt_number(r['mentions'], lang)})", axis=1)
    pivot = top_terms.pivot(index="rank", columns="brand", values="cell").fillna("")
    pivot.columns = [f"★ {b}" if b in ctx.own else b for b in pivot.columns]
    st.dataframe(pivot, hide_index=True, width="stretch")

# --- one term -----------------------------------------------------------------------------
options = list(dict.fromkeys([*rising.get("term", pd.Series(dtype=str)).head(15).tolist(),
                              *top_terms.get("term", pd.Series(dtype=str)).tolist()]))
if options:
    ss = st.session_state
    if picked_from_chart and picked_from_chart in options and ss.get("_last_chart_pick") != picked_from_chart:
        # A click on a bar drives the selectbox (set before the widget exists, as Streamlit requires).
        ss["term_pick"] = picked_from_chart
        ss["_last_chart_pick"] = picked_from_chart
    if ss.get("term_pick") not in options:
        ss["term_pick"] = options[0]
    term = st.selectbox(ctx.t("pick_term"), options, key="term_pick")
    st.markdown("#### " + c.escape_md(ctx.t("term_timeline", term=term)))
    timeline = state.q("term_timeline", f, term)
    if not timeline.empty:
        c.chart(charts.term_timeline(timeline, lang), lang)
    st.markdown("#### " + c.escape_md(ctx.t("term_mentions", term=term)))
    behind = state.q("term_mentions", f, term, limit=50)
    st.dataframe(pd.DataFrame({
        ctx.t("col_date"): behind["published_at"].map(lambda v: i18n.fmt_datetime(v, lang, tz)),
        ctx.t("col_brands"): behind["brands"],
        ctx.t("col_source"): behind["source"],
        ctx.t("col_title"): behind["title"],
        ctx.t("col_sentiment"): behind["sentiment"].map(lambda s: i18n.sentiment_label(s, lang)),
        ctx.t("col_link"): c.safe_urls(behind["url"]),
    }), hide_index=True, width="stretch", column_config={ctx.t("col_link"): c.link_column(ctx)})

# --- questions ----------------------------------------------------------------------------
st.subheader(":material/help: " + ctx.t("questions"))
asked = state.q("questions_asked", f)
if asked.empty:
    c.empty_state(ctx.t("no_questions"))
else:
    grouped = question_themes(asked)
    g = grouped.head(30)
    st.dataframe(pd.DataFrame({
        ctx.t("col_theme"): g["theme"].fillna("—"),
        ctx.t("col_question"): g["question"],
        ctx.t("col_count"): g["count"].map(lambda v: i18n.fmt_number(v, lang)),
        ctx.t("col_variants"): g["variants"].map(lambda v: i18n.fmt_number(v, lang)),
        ctx.t("col_example_source"): g.get("source"),
        ctx.t("col_last_asked"): g.get("last_asked", pd.Series([None] * len(g))).map(
            lambda v: i18n.fmt_date(v, lang, tz) if pd.notna(v) else "—"),
        ctx.t("col_link"): c.safe_urls(g.get("url", pd.Series([None] * len(g)))),
    }), hide_index=True, width="stretch", column_config={ctx.t("col_link"): c.link_column(ctx)})

# --- competitors -----------------------------------------------------------------------------
st.subheader(":material/trending_up: " + ctx.t("competitor_topics"))
comp = state.q("competitor_engagement_terms", f, ctx.own, limit=15)
if comp.empty:
    c.empty_state(ctx.t("no_competitor"))
else:
    st.dataframe(pd.DataFrame({
        ctx.t("col_brand"): comp["brand"],
        ctx.t("col_term"): comp["term"],
        ctx.t("col_engagement"): comp["engagement"].map(lambda v: i18n.fmt_number(v, lang)),
        ctx.t("col_mentions"): comp["mentions"].map(lambda v: i18n.fmt_number(v, lang)),
    }), hide_index=True, width="stretch")
