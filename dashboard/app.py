"""Vigie dashboard, the one entry point: streamlit run dashboard/app.py

Reads VIGIE_DB (default var/vigie.duckdb) and VIGIE_CONFIG (default vigie.toml).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# `streamlit run dashboard/app.py` puts dashboard/ on sys.path, not the
# repository root that holds the dashboard and warehouse packages.
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

import streamlit as st  # noqa: E402

from dashboard import i18n, state  # noqa: E402

st.set_page_config(page_title="Vigie", page_icon="🔭", layout="wide")
state.APP_RAN = True

# Before anything reads data: served beyond loopback, nobody sees it unsigned.
from dashboard.auth import require_sign_in  # noqa: E402

require_sign_in()

ctx = state.sidebar()
lang = ctx.lang

pages = [
    st.Page("pages/today.py", title=i18n.t("nav_today", lang), icon="☀️", url_path="today", default=True),
    st.Page("pages/share_of_voice.py", title=i18n.t("nav_sov", lang), icon="📊", url_path="share_of_voice"),
    st.Page("pages/topics.py", title=i18n.t("nav_topics", lang), icon="💡", url_path="topics"),
    st.Page("pages/mentions.py", title=i18n.t("nav_mentions", lang), icon="🔎", url_path="mentions"),
    st.Page("pages/sources.py", title=i18n.t("nav_sources", lang), icon="📡", url_path="sources"),
]
# The briefing page is written by another part of the project; the app runs with or without it.
if (HERE / "pages" / "briefing.py").exists():
    pages.append(st.Page("pages/briefing.py", title=i18n.t("nav_briefing", lang), icon="📰", url_path="briefing"))

st.navigation(pages).run()
