"""Bilan de la période / Period briefing: pick a period and brands, preview, download PDF or HTML.

UI only: the document is built by warehouse.report (which runs the named
queries); this page chooses the period, shows the HTML in an iframe and offers
both files. The HTML is escaped by warehouse.report (collected text is data)
and carries a Content-Security-Policy that forbids scripts, so the preview
iframe never runs anything from a mention.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

# Run on its own (AppTest.from_file), this file lacks what app.py does,
# which is what puts the repository root on sys.path.
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import streamlit as st  # noqa: E402

from dashboard import components as c  # noqa: E402
from dashboard import state  # noqa: E402
from warehouse import report  # noqa: E402
from warehouse.errors import VigieError  # noqa: E402
from warehouse.queries import Filters  # noqa: E402
from warehouse.report_i18n import fmt_int, t  # noqa: E402

PREVIEW_HEIGHT = 1100
PERIODS = ("filters", "last_month", "this_month", "custom")



@st.cache_data(ttl=300, show_spinner=False, max_entries=16)
def _build(db: str, version: float, config_key: tuple, first: dt.date, last: dt.date, brands: tuple,
           sources: tuple, tz: str, lang: str, _config=None) -> dict:
    """Both files for one choice; the database's mtime is in the key so a new collection rebuilds."""
    f = report.period_filters(first, last, tz, brands)
    f = Filters(f.start, f.end, f.brands, sources, tz=tz)
    b = report.build_briefing(db, f, lang=lang, config=_config)
    return {"html": report.render_html(b), "pdf": report.render_pdf(b), "title": b.title,
            "period": b.period_label, "mentions": b.figures["mentions"], "empty": b.empty}


def _month_bounds(today: dt.date, previous: bool) -> tuple[dt.date, dt.date]:
    first = today.replace(day=1)
    if previous:
        last = first - dt.timedelta(days=1)
        return last.replace(day=1), last
    return first, today


ctx = state.ctx()
lang, tz = ctx.lang, ctx.tz
st.title(":material/article: " + t(lang, "ui_title"))
st.caption(t(lang, "ui_intro"))
c.config_notice(ctx)
if c.no_data(ctx):
    st.stop()

left, right = st.columns([1, 2])
with left:
    choice = st.radio(t(lang, "ui_period"), PERIODS, key="b_period", horizontal=False,
                      format_func=lambda p: t(lang, f"ui_p_{p}"))
today = dt.datetime.now(ZoneInfo(tz)).date()
if choice == "filters":
    first, last = ctx.start_date, ctx.end_date
elif choice == "last_month":
    first, last = _month_bounds(today, previous=True)
elif choice == "this_month":
    first, last = _month_bounds(today, previous=False)
else:
    with left:
        picked = st.date_input(t(lang, "ui_dates"), value=(ctx.start_date, ctx.end_date), key="b_dates",
                               format="DD/MM/YYYY" if lang == "fr" else "YYYY-MM-DD")
    if not (isinstance(picked, (tuple, list)) and len(picked) == 2):
        st.info(t(lang, "ui_pick_range"))
        st.stop()
    first, last = picked
with right:
    brands = st.multiselect(t(lang, "ui_brands"), ctx.brand_options, default=list(ctx.filters.brands),
                            key="b_brands", placeholder=t(lang, "ui_all_brands"),
                            format_func=lambda b: f"★ {b}" if b in ctx.own else b)

config_key = (ctx.config_path, state.file_mtime(ctx.config_path)) if ctx.config is not None else ("", 0.0)
try:
    with st.spinner(t(lang, "ui_building")):
        doc = _build(ctx.db, state.file_mtime(ctx.db), config_key, first, last, tuple(brands), tuple(ctx.filters.sources),
                     tz, lang, _config=ctx.config)
except (VigieError, ValueError) as exc:
    st.error(t(lang, "ui_error", error=c.escape_md(str(exc), 300)))
    st.stop()

# Our own wording with the period and a count: nothing collected goes into Markdown here.
st.markdown(f"**{c.escape_md(doc['title'])}** — {c.escape_md(t(lang, 'ui_summary', period=doc['period'], n=fmt_int(doc['mentions'], lang)))}")
if doc["empty"]:
    c.empty_state(t(lang, "ui_empty"))

stem = ("bilan" if lang == "fr" else "briefing") + f"-{first.isoformat()}-{last.isoformat()}"
with st.container(horizontal=True):
    st.download_button(t(lang, "ui_download_pdf"), data=doc["pdf"], file_name=f"{stem}.pdf",
                       mime="application/pdf", key="b_pdf", type="primary", on_click="ignore",
                       icon=":material/picture_as_pdf:")
    st.download_button(t(lang, "ui_download_html"), data=doc["html"].encode("utf-8"), file_name=f"{stem}.html",
                       mime="text/html", key="b_html", on_click="ignore", icon=":material/html:")
st.caption(c.escape_md(t(lang, "ui_cli", start=first.isoformat(), end=last.isoformat())))

st.subheader(t(lang, "ui_preview"))
st.iframe(doc["html"], height=PREVIEW_HEIGHT)
