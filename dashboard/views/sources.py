"""Sources: health of every source, volume per source over time, recent errors."""

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

STATE_COLOR = {"ok": "#2e933c", "failing": "#c5283d", "silent": "#b7791f", "parked": "#6c757d", "never": "#6c757d"}

ctx = state.ctx()
lang, tz, f = ctx.lang, ctx.tz, ctx.filters
st.title(":material/rss_feed: " + ctx.t("sources_title"))
c.config_notice(ctx)

configured = bool(ctx.config and ctx.config.sources)
if not configured and not ctx.source_options:
    c.empty_state(ctx.t("no_source", path=c.escape_md(ctx.config_path)), icon=":material/rss_feed:")
    st.stop()


@st.cache_data(ttl=state.CACHE_TTL_S, show_spinner=False)
def _health(db: str, config_key: str, version: float):
    from warehouse.health import source_health
    return source_health(db, ctx.config)


try:
    health = _health(ctx.db, ctx.config_path, state.file_mtime(ctx.db) + state.file_mtime(ctx.config_path))
except ImportError:
    st.warning(ctx.t("health_unavailable"))
    health = state.q("source_states")
    health["state"] = None

if ctx.filters.sources:
    health = health[health["source"].isin(ctx.filters.sources)]

counts = health["state"].value_counts().to_dict() if "state" in health else {}
st.markdown(ctx.t("health_counts", **{k: counts.get(k, 0) for k in ("ok", "failing", "silent", "parked", "never")}))


def when(v):
    return i18n.fmt_datetime(v, lang, tz) if pd.notna(v) else "—"


cols = {
    "source": ctx.t("col_source"),
    "state": ctx.t("col_state"),
    "kind": ctx.t("col_kind"),
    "last_success_at": ctx.t("col_last_success"),
    "consecutive_failures": ctx.t("col_failures"),
    "failing_since": ctx.t("col_failing_since"),
    "last_new_item_at": ctx.t("col_last_new"),
    "next_poll_at": ctx.t("col_next_poll"),
    "items_total": ctx.t("col_items"),
    "last_error": ctx.t("col_last_error"),
}
view = health.reindex(columns=list(cols)).copy()
raw_state = view["state"].tolist()
view["state"] = view["state"].map(lambda s: "● " + ctx.t("state_" + s) if isinstance(s, str) else "—")
for col in ("last_success_at", "failing_since", "last_new_item_at", "next_poll_at"):
    view[col] = view[col].map(when)
view["items_total"] = view["items_total"].map(lambda v: i18n.fmt_number(v, lang) if pd.notna(v) else "0")
view["consecutive_failures"] = view["consecutive_failures"].map(lambda v: str(int(v)) if pd.notna(v) else "0")
view = view.rename(columns=cols)
colors = [f"color: {STATE_COLOR.get(s, '#333')}; font-weight: 600" for s in raw_state]
styled = view.style.apply(lambda _: colors, subset=[cols["state"]], axis=0)
st.dataframe(styled, hide_index=True, width="stretch")

st.subheader(ctx.t("volume"))
volume = state.q("volume_by_source_daily", f)
if volume.empty:
    c.empty_state(ctx.t("no_data") if not ctx.has_data else ctx.t("no_data_filters"))
else:
    c.chart(charts.source_volume(volume, lang), lang)

st.subheader(ctx.t("errors"))
errors = state.q("crawl_errors", sources=ctx.filters.sources)
if errors.empty:
    c.empty_state(ctx.t("no_errors"), icon=":material/check_circle:")
else:
    st.dataframe(pd.DataFrame({
        ctx.t("col_started"): errors["started_at"].map(when),
        ctx.t("col_source"): errors["source"],
        ctx.t("col_http"): errors["http_status"].map(lambda v: str(int(v)) if pd.notna(v) else "—"),
        ctx.t("col_error"): errors["error"],
    }), hide_index=True, width="stretch")
