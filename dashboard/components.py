"""Shared UI pieces. Collected text is data, never markup.

Titles, bodies, authors and even source names come from the outside world. A
title like ``<script>alert(1)</script>`` or ``**bold** [link](http://evil)``
must show as typed: such text goes through st.text / st.dataframe, or through
escape_md() before any st.markdown / st.caption / label.
"""

from __future__ import annotations

import re
import string
from urllib.parse import urlsplit

import streamlit as st

from dashboard import i18n

# CommonMark lets any ASCII punctuation be backslash-escaped; escaping all of it
# also covers Streamlit's extensions (:red[...], :material/x:, $math$, ~~).
_MD_SPECIAL = re.compile("([" + re.escape(string.punctuation) + "])")


def escape_md(text, max_len: int | None = None) -> str:
    """Collected text made inert for Markdown and HTML, on one line."""
    if text is None:
        return ""
    value = " ".join(str(text).split())
    if max_len and len(value) > max_len:
        value = value[: max_len - 1] + "…"
    return _MD_SPECIAL.sub(r"\\\1", value)


def safe_url(url) -> str | None:
    """Only http(s) links leave the dashboard; javascript: or data: URLs are dropped."""
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def safe_urls(series):
    return series.map(safe_url)


def empty_state(message: str, icon: str = ":material/info:") -> None:
    """An explained empty state (our own wording; no collected text inside)."""
    st.info(message, icon=icon)


def no_data(ctx) -> bool:
    """Show the 'run a collection' notice when the database is empty; True if shown."""
    if not ctx.has_data:
        empty_state(ctx.t("no_data"), icon=":material/inbox:")
        return True
    return False


def formula(text: str) -> None:
    st.caption(":material/functions: " + text)


def config_notice(ctx) -> None:
    if ctx.config_error:
        st.warning(ctx.t("config_error", path=escape_md(ctx.config_path), error=escape_md(ctx.config_error, 400)))


def metric(label: str, value: str, delta: str | None = None, *, help: str | None = None,
           inverse: bool = False) -> None:
    st.metric(label, value, delta=delta, delta_color="inverse" if inverse else "normal", help=help, border=True)


def delta_text(value, lang: str, decimals: int = 0, suffix: str = "") -> str | None:
    """A metric delta with an ASCII sign: st.metric reads the sign to pick arrow and colour."""
    if value is None or value != value:
        return None
    sign = "+" if value > 0 else ("-" if value < 0 else "")
    return f"{sign}{i18n.fmt_number(abs(value), lang, decimals)}{suffix}"


def localize_times(df, columns, tz: str):
    """Timestamps shown in the user's zone (DuckDB returns them in UTC)."""
    out = df.copy()
    for col in columns:
        if col in out.columns:
            import pandas as pd
            out[col] = pd.to_datetime(out[col], utc=True).dt.tz_convert(tz)
    return out


def datetime_column(label: str, lang: str):
    return st.column_config.DatetimeColumn(label, format="D MMM YYYY, HH:mm" if lang == "fr" else "MMM D, YYYY, h:mm a")


def link_column(ctx):
    return st.column_config.LinkColumn(ctx.t("col_link"), display_text=ctx.t("link_text") + " ↗")


def chart(ch, lang: str, **kw):
    """An Altair chart in the interface locale, given room for its axes and legend.

    With height="content" the discrete (band) bar charts were drawn a few pixels
    tall in chromium; an explicit element height (plot height + axes) fixes it.
    """
    from warehouse import charts
    height = getattr(ch, "height", None)
    if isinstance(height, int) and "height" not in kw:
        kw["height"] = height + 90
    return st.altair_chart(charts.localize(ch, lang), width="stretch", **kw)
