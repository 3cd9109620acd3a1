"""Revue du jour / Today: what changed, open alerts, the queue of mentions to handle."""

from __future__ import annotations

import sys
from pathlib import Path

# Run on its own (AppTest.from_file), only this folder is on sys.path, not the root.
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import datetime as dt
import json

import pandas as pd  # noqa: E402
import streamlit as st

from dashboard import components as c
from dashboard import i18n, state
from warehouse import actions
from warehouse.queries import Filters

UTC = dt.timezone.utc
SEVERITY_ICON = {"critical": ":red[:material/error:]", "warning": ":orange[:material/warning:]",
                 "info": ":blue[:material/info:]"}

ctx = state.ctx()
lang, tz = ctx.lang, ctx.tz
st.title(":material/wb_sunny: " + ctx.t("today_title"))
c.config_notice(ctx)
if c.no_data(ctx):
    st.stop()


def _acknowledge(alert_id: str) -> None:
    try:
        from warehouse.alerting import acknowledge_alert
    except Exception:  # absent or broken: acknowledging must still work from the dashboard
        acknowledge_alert = actions.acknowledge_alert
    acknowledge_alert(ctx.db, alert_id, by="dashboard")
    state.clear_cache()
    st.toast(ctx.t("acked"))


def _review_done() -> None:
    actions.mark_reviewed(ctx.db)
    state.clear_cache()
    st.toast(ctx.t("review_saved"))


def _set_status(mention_id: str, key: str) -> None:
    actions.set_mention_status(ctx.db, mention_id, st.session_state[key])
    state.clear_cache()


# --- what changed -------------------------------------------------------------------
now = dt.datetime.now(UTC)
last = state.last_review()
if last is not None and last < now:
    start = last
    st.caption(ctx.t("since_review", when=i18n.fmt_datetime(last, lang, tz)))
else:
    start = now - dt.timedelta(hours=24)
    st.caption(ctx.t("since_24h"))
f = ctx.filters
cur = Filters(start, now, f.brands, f.sources, tz=tz)
prev = cur.previous()
ov, ov_prev = state.q("overview", cur, ctx.own), state.q("overview", prev, ctx.own)

cols = st.columns([1, 1, 1, 0.8])
with cols[0]:
    c.metric(ctx.t("m_mentions"), i18n.fmt_number(ov["mentions"], lang),
             c.delta_text(ov["mentions"] - ov_prev["mentions"], lang))
with cols[1]:
    if ctx.own:
        share, pshare = ov["own_share"], ov_prev["own_share"]
        delta = None if share is None or pshare is None else share - pshare
        c.metric(ctx.t("m_own_share", brand=c.escape_md(", ".join(ctx.own))), i18n.fmt_percent(share, lang),
                 c.delta_text(delta, lang, 1, " " + ctx.t("pts")), help=ctx.t("formula_sov"))
    else:
        c.metric(ctx.t("m_own_share_none"), "—")
with cols[2]:
    net, pnet = ov["net_sentiment"], ov_prev["net_sentiment"]
    c.metric(ctx.t("m_net"), i18n.fmt_number(net, lang, 2) if net is not None else "—",
             c.delta_text(None if net is None or pnet is None else net - pnet, lang, 2), help=ctx.t("formula_net"))
with cols[3]:
    st.button(ctx.t("review_done"), type="primary", on_click=_review_done, width="stretch", key="review_done")
c.formula(ctx.t("formula_net"))

# --- alerts ---------------------------------------------------------------------------
st.subheader(":material/notifications_active: " + ctx.t("alerts"))
alerts = state.q("open_alerts")
target = state.url_get("alert")
if alerts.empty:
    c.empty_state(ctx.t("no_alert"), icon=":material/check_circle:")


def _pairs(items, key: str) -> str:
    parts = []
    for item in items or []:
        if isinstance(item, dict):
            parts.append(f"{item.get(key, '?')} ({item.get('n', '?')})")
        elif isinstance(item, (list, tuple)) and item:
            parts.append(f"{item[0]} ({item[1]})" if len(item) > 1 else str(item[0]))
        else:
            parts.append(str(item))
    return ", ".join(parts)


for alert in alerts.to_dict("records"):
    try:
        details = json.loads(alert["details"]) if alert["details"] else {}
    except (TypeError, ValueError):
        details = {}
    if not isinstance(details, dict):
        details = {}
    who = alert["brand"] or alert["source"] or ""
    rule = ctx.t(f"rule_{alert['rule']}")
    label = (f"{SEVERITY_ICON.get(alert['severity'], ':material/info:')} {c.escape_md(rule)} : {c.escape_md(who)} · "
             f"{c.escape_md(ctx.t('sev_' + alert['severity']))} · {c.escape_md(i18n.fmt_datetime(alert['created_at'], lang, tz))}")
    with st.expander(label, expanded=(target == alert["id"]) or len(alerts) <= 3):
        left, right = st.columns([4, 1])
        with left:
            # The stored explanation is English and names collected things: shown as text.
            st.text(alert["explanation"] or "")
            obs = alert["observed"]
            exp = alert["expected"]
            if obs is not None and obs == obs:
                st.caption(ctx.t("observed_expected", obs=i18n.fmt_number(obs, lang, 1 if obs % 1 else 0),
                                 exp=i18n.fmt_number(exp, lang, 1) if exp is not None and exp == exp else "—"))
            terms = _pairs(details.get("top_terms"), "term")
            if terms:
                st.caption(f"{ctx.t('top_terms')} : {c.escape_md(terms)}")
            sources = _pairs(details.get("top_sources"), "source")
            if sources:
                st.caption(f"{ctx.t('top_sources')} : {c.escape_md(sources)}")
            if details.get("last_error"):
                st.text(details["last_error"])
            behind = pd.DataFrame(details.get("mentions") or [])
            if not behind.empty:
                behind["url"] = c.safe_urls(behind.get("url", pd.Series([None] * len(behind))))
                behind["published_at"] = behind.get("published_at").map(
                    lambda v: i18n.fmt_datetime(pd.Timestamp(v), lang, tz) if v else "—")
                show = behind.reindex(columns=["published_at", "title", "source", "url"])
                show.columns = [ctx.t("col_date"), ctx.t("col_title"), ctx.t("col_source"), ctx.t("col_link")]
                st.caption(ctx.t("behind"))
                st.dataframe(show, hide_index=True, width="stretch",
                             column_config={ctx.t("col_link"): c.link_column(ctx)})
        with right:
            st.button(ctx.t("ack"), key=f"ack_{alert['id']}", on_click=_acknowledge, args=(alert["id"],))

# --- queue ----------------------------------------------------------------------------
st.subheader(":material/inbox: " + ctx.t("queue"))
show_status = st.radio(ctx.t("queue_show"), actions.STATUSES, key="queue_status", horizontal=True,
                       format_func=lambda s: i18n.status_label(s, lang))
threshold = ctx.config.alerts.engagement_threshold if ctx.config else 100
queue = state.q("triage_queue", ctx.filters, statuses=(show_status,), engagement_threshold=threshold, limit=15)
if queue.empty:
    c.empty_state(ctx.t("no_queue"), icon=":material/done_all:")
for row in queue.to_dict("records"):
    with st.container(border=True):
        text_col, status_col = st.columns([4, 1.3])
        with text_col:
            st.text(row["title"] or ctx.t("untitled"))
            meta = [row["source"], i18n.fmt_datetime(row["published_at"], lang, tz), row["brands"] or "",
                    ctx.t("reason_" + row["reason"])]
            if row["engagement"] is not None and row["engagement"] == row["engagement"]:
                meta.append(f"{ctx.t('col_engagement')} {i18n.fmt_number(row['engagement'], lang)}")
            st.caption(" · ".join(c.escape_md(m) for m in meta if m))
            if row["body"]:
                st.text(" ".join(str(row["body"]).split())[:280])
            url = c.safe_url(row["url"])
            if url:
                st.link_button(ctx.t("open_original"), url)
        with status_col:
            key = f"status_{row['id']}"
            st.radio(ctx.t("status"), actions.STATUSES, index=actions.STATUSES.index(row["status"]), key=key,
                     format_func=lambda s: i18n.status_label(s, lang), on_change=_set_status, args=(row["id"], key))
