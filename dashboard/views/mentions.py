"""Mentions: keyword search with filters, a paginated table with links, CSV/Excel export."""

from __future__ import annotations

import sys
from pathlib import Path

# Run on its own (AppTest.from_file), only this folder is on sys.path, not the root.
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import dataclasses
import math

import pandas as pd  # noqa: E402
import streamlit as st

from dashboard import components as c
from dashboard import i18n, state
from warehouse import exports, queries

PAGE_SIZES = (25, 50, 100, 200)
# Exports are built on click, never for the whole table: a ceiling keeps a
# million-row search from filling the server's memory.
EXPORT_MAX = 50_000

ctx = state.ctx()
lang, tz = ctx.lang, ctx.tz
st.title(":material/search: " + ctx.t("mentions_title"))
c.config_notice(ctx)
if c.no_data(ctx):
    st.stop()

ss = st.session_state
kinds_all = state.q("kinds_present")
langs_all = state.q("languages_present")
if not ss.get("_m_seeded"):
    # Page filters come from the URL on the first visit, like the shared ones.
    ss["m_q"] = state.url_get("q", "")
    ss["m_kinds"] = [k for k in state.url_list("kinds") if k in kinds_all]
    ss["m_sent"] = [s for s in state.url_list("sentiments") if s in queries.SENTIMENTS]
    ss["m_langs"] = [x for x in state.url_list("languages") if x in langs_all]
    ss["_m_seeded"] = True

text = st.text_input(ctx.t("search"), key="m_q", placeholder="panne, déçu, forfait…")
a, b, d = st.columns(3)
kinds = a.multiselect(ctx.t("kinds"), kinds_all, key="m_kinds", placeholder=ctx.t("all"))
sentiments = b.multiselect(ctx.t("sentiments"), list(queries.SENTIMENTS), key="m_sent", placeholder=ctx.t("all"),
                           format_func=lambda s: i18n.sentiment_label(s, lang))
languages = d.multiselect(ctx.t("languages"), langs_all, key="m_langs", placeholder=ctx.t("all"))
state.url_set("q", text.strip() or None)
state.url_set("kinds", kinds)
state.url_set("sentiments", sentiments)
state.url_set("languages", languages)

f = dataclasses.replace(ctx.filters, kinds=tuple(kinds), sentiments=tuple(sentiments), languages=tuple(languages))
total = state.q("count_mentions", f, text)

s1, s2, _ = st.columns([1, 1, 3])
size = s1.selectbox(ctx.t("page_size"), PAGE_SIZES, index=1, key="m_size")
pages = max(1, math.ceil(total / size))
page = int(s2.number_input(ctx.t("page"), min_value=1, max_value=pages, value=1, step=1, key="m_page"))
st.caption(ctx.t("found", n=i18n.fmt_number(total, lang), page=i18n.fmt_number(page, lang),
                 pages=i18n.fmt_number(pages, lang)))

if total == 0:
    c.empty_state(ctx.t("no_data_filters"))
    st.stop()

rows = state.q("search_mentions", f, text, limit=size, offset=(page - 1) * size)


def display_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Columns in the interface language; dates as text in the user's zone and language."""
    return pd.DataFrame({
        ctx.t("col_date"): df["published_at"].map(lambda v: i18n.fmt_datetime(v, lang, tz)),
        ctx.t("col_brands"): df["brands"],
        ctx.t("col_source"): df["source"],
        ctx.t("col_title"): df["title"],
        ctx.t("col_body"): df["body"],
        ctx.t("col_sentiment"): df["sentiment"].map(lambda s: i18n.sentiment_label(s, lang)),
        ctx.t("col_language"): df["language"],
        ctx.t("col_engagement"): df["engagement"].astype("Int64"),
        ctx.t("col_author"): df["author"],
        ctx.t("col_link"): c.safe_urls(df["url"]),
    })


st.dataframe(display_frame(rows), hide_index=True, width="stretch", height=min(38 * (len(rows) + 1), 760),
             column_config={ctx.t("col_link"): c.link_column(ctx),
                            ctx.t("col_title"): st.column_config.TextColumn(width="large"),
                            ctx.t("col_body"): st.column_config.TextColumn(width="large")})


def export_frame() -> pd.DataFrame:
    df = queries.search_mentions(f, text, db=ctx.db, limit=EXPORT_MAX)
    out = df.copy()
    out["published_at"] = pd.to_datetime(out["published_at"], utc=True).dt.tz_convert(tz)
    return out


e1, e2, _ = st.columns([1, 1, 3])
e1.download_button(ctx.t("export_csv"), data=lambda: exports.to_csv_bytes(export_frame()),
                   file_name="vigie-mentions.csv", mime="text/csv", on_click="ignore", key="dl_csv")
e2.download_button(ctx.t("export_xlsx"), data=lambda: exports.to_excel_bytes(export_frame()),
                   file_name="vigie-mentions.xlsx", on_click="ignore", key="dl_xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
st.caption(ctx.t("export_note", n=i18n.fmt_number(min(total, EXPORT_MAX), lang),
                 max=i18n.fmt_number(EXPORT_MAX, lang)))
