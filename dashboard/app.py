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

from dashboard import state  # noqa: E402

st.set_page_config(page_title="Vigie", page_icon=":material/visibility:", layout="wide")


# Before anything reads data: served beyond loopback, nobody sees it unsigned.
from dashboard.auth import require_sign_in  # noqa: E402
from warehouse.db import read_session  # noqa: E402

require_sign_in()

# One read-only connection for the whole page run, closed when it ends, so a
# collection can write between two runs (and a write inside closes it first).
with read_session(state.db_path()):
    ctx = state.sidebar()
    lang = ctx.lang
    st.navigation(state.build_pages(lang)).run()
