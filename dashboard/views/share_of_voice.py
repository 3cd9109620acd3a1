"""Part de voix / Share of voice: per brand, over time, by story, source kind, sentiment."""

from __future__ import annotations

import sys
from pathlib import Path

# Run on its own (AppTest.from_file), only this folder is on sys.path, not the root.
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import pandas as pd  # noqa: E402
import streamlit as st

from dashboard import components as c
from dashboard import i18n, state
from warehouse import charts

ctx = state.ctx()
lang, f = ctx.lang, ctx.filters
st.title(":material/donut_large: " + ctx.t("sov_title"))
c.config_notice(ctx)
c.formula(ctx.t("formula_sov"))
if c.no_data(ctx):
    st.stop()


def chart(ch) -> None:
    c.chart(ch, lang)


def brand_label(brand: str) -> str:
    return f"★ {brand}" if brand in ctx.own else brand


daily = state.q("share_of_voice_daily", f)
if daily.empty:
    c.empty_state(ctx.t("no_data_filters"))
    st.stop()
# A brand absent one day is 0 that day, not a gap that tears the stacked areas.
grid = pd.MultiIndex.from_product([sorted(daily["day"].unique()), sorted(daily["brand"].unique())],
                                  names=["day", "brand"])
daily = daily.set_index(["day", "brand"]).reindex(grid, fill_value=0).reset_index()

left, right = st.columns(2)
by = left.radio(ctx.t("measure"), ("mentions", "stories"), key="sov_by", horizontal=True,
                format_func=lambda v: ctx.t("by_mentions" if v == "mentions" else "by_stories"))
as_ = right.radio(ctx.t("show_as"), ("share", "count"), key="sov_as", horizontal=True,
                  format_func=lambda v: ctx.t("as_share" if v == "share" else "as_count"))
measure = {("mentions", "share"): "share", ("stories", "share"): "story_share",
           ("mentions", "count"): "mentions", ("stories", "count"): "stories"}[(by, as_)]
if by == "stories":
    c.formula(ctx.t("formula_story"))

st.subheader(ctx.t("sov_over_time"))
chart(charts.sov_over_time(daily, lang, measure=measure, stacked=True))

st.subheader(ctx.t("sov_period"))
c.formula(ctx.t("formula_change"))
totals = state.q("share_of_voice_totals", f)
bars = totals.copy()
if by == "stories":
    bars["share"] = bars["story_share"]
chart(charts.sov_bars(bars[bars["mentions"] > 0], lang, own=ctx.own))
table = pd.DataFrame({
    ctx.t("col_brand"): totals["brand"].map(brand_label),
    ctx.t("col_mentions"): totals["mentions"].map(lambda v: i18n.fmt_number(v, lang)),
    ctx.t("col_share"): totals["share"].map(lambda v: i18n.fmt_number(v, lang, 1)),
    ctx.t("col_prev_share"): totals["prev_share"].map(lambda v: i18n.fmt_number(v, lang, 1)),
    ctx.t("col_change"): totals["change_pts"].map(lambda v: i18n.fmt_signed(v, lang, 1)),
    ctx.t("col_stories"): totals["stories"].map(lambda v: i18n.fmt_number(v, lang)),
    ctx.t("col_story_share"): totals["story_share"].map(lambda v: i18n.fmt_number(v, lang, 1)),
    ctx.t("col_engagement"): totals["engagement"].map(lambda v: i18n.fmt_number(v, lang)),
})
st.dataframe(table, hide_index=True, width="stretch")
st.caption(ctx.t("own_marker"))

k_col, s_col = st.columns(2)
with k_col:
    st.subheader(ctx.t("by_kind"))
    kinds = state.q("share_of_voice_by_kind", f)
    chart(charts.sov_by_kind(kinds, lang))
with s_col:
    st.subheader(ctx.t("by_sentiment"))
    sent = state.q("sentiment_by_brand", f)
    chart(charts.sentiment_bars(sent, lang))
    net = sent.drop_duplicates("brand")[["brand", "net_sentiment"]]
    st.dataframe(pd.DataFrame({
        ctx.t("col_brand"): net["brand"].map(brand_label),
        ctx.t("col_net"): net["net_sentiment"].map(lambda v: i18n.fmt_number(v, lang, 2) if pd.notna(v) else "—"),
    }), hide_index=True, width="stretch")
    c.formula(ctx.t("formula_net"))

st.subheader(ctx.t("attention"))
c.formula(ctx.t("formula_attention"))
chart(charts.attention_lines(state.q("normalized_attention", f), lang))
