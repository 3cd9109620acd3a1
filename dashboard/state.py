"""Session state of the dashboard: where the data is, the language, the filters.

Environment:
  VIGIE_DB      the DuckDB file to read (default var/vigie.duckdb)
  VIGIE_CONFIG  the configuration file (default vigie.toml)

Filters live in the URL (?from=2024-05-01&to=2024-05-31&brands=A&brands=B
&sources=X&lang=en) so a view can be shared. st.navigation clears query
parameters when the user changes page, so the sidebar widgets (keyed, rendered
on every run by app.py) are the memory, and every run writes them back to the
URL.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import streamlit as st

from dashboard import i18n
from warehouse import actions, queries
from warehouse.config import load_config
from warehouse.errors import ConfigErrors

DEFAULT_DB = "var/vigie.duckdb"
DEFAULT_CONFIG = "vigie.toml"
DEFAULT_TZ = "America/Toronto"
DEFAULT_DAYS = 30
# Results are cached this long at most; the file's modification time is part of
# the cache key too, so a new collection shows up on the next rerun anyway.
CACHE_TTL_S = 60


def db_path() -> str:
    return os.environ.get("VIGIE_DB", DEFAULT_DB)


def config_path() -> str:
    return os.environ.get("VIGIE_CONFIG", DEFAULT_CONFIG)


def file_mtime(path: str) -> float:
    """A cache key that changes when the file (or its WAL) is written."""
    total = 0.0
    for p in (path, path + ".wal"):
        try:
            total += os.path.getmtime(p)
        except OSError:
            pass
    return total


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def _load_config(path: str, mtime: float):
    if not os.path.exists(path):
        return None, None
    try:
        return load_config(path), None
    except ConfigErrors as exc:
        return None, str(exc)


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False, max_entries=256)
def _cached_query(name: str, args: tuple, kwargs: tuple, db: str, version: float):
    return getattr(queries, name)(*args, **dict(kwargs), db=db)


def q(name: str, *args, **kwargs):
    """Run the named query function of warehouse.queries through the cache."""
    db = db_path()
    return _cached_query(name, args, tuple(sorted(kwargs.items())), db, file_mtime(db))


def clear_cache() -> None:
    """After a write from the dashboard, so the page shows the decision at once."""
    _cached_query.clear()


@dataclass
class Ctx:
    db: str
    config: object | None
    config_path: str
    config_error: str | None
    lang: str
    tz: str
    filters: queries.Filters
    start_date: dt.date
    end_date: dt.date
    own: tuple[str, ...]
    brand_options: list[str]
    source_options: list[str]
    has_data: bool

    def t(self, key: str, **kw) -> str:
        return i18n.t(key, self.lang, **kw)


# --- URL <-> widgets -------------------------------------------------------------

def url_list(key: str) -> list[str]:
    return [v for v in st.query_params.get_all(key) if v != ""]


def url_get(key: str, default: str | None = None) -> str | None:
    value = st.query_params.get(key)
    return value if value not in (None, "") else default


def url_set(key: str, value) -> None:
    """Write one parameter only when it changed (each write is a message to the browser)."""
    if value in (None, "", [], ()):
        if key in st.query_params:
            del st.query_params[key]
        return
    value = [str(v) for v in value] if isinstance(value, (list, tuple)) else str(value)
    current = st.query_params.get_all(key)
    wanted = value if isinstance(value, list) else [value]
    if current != wanted:
        st.query_params[key] = value


def _parse_date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _default_dates(tz: str, db: str) -> tuple[dt.date, dt.date]:
    today = dt.datetime.now(ZoneInfo(tz)).date()
    start = today - dt.timedelta(days=DEFAULT_DAYS - 1)
    try:
        _, hi = queries.data_range(db)
    except Exception:
        hi = None
    if hi is not None:
        last = hi.astimezone(ZoneInfo(tz)).date()
        if last < start:
            # Old data (an archive, a demo built last month): show its last month, not an empty one.
            return last - dt.timedelta(days=DEFAULT_DAYS - 1), last
    return start, today


def _seed_from_url(tz: str, db: str, brand_options: list[str], source_options: list[str], lang: str) -> None:
    """First run of a session: the URL decides the widgets' initial values."""
    ss = st.session_state
    if ss.get("_seeded"):
        return
    d0, d1 = _default_dates(tz, db)
    lo, hi = _parse_date(url_get("from")), _parse_date(url_get("to"))
    if lo and hi and lo > hi:
        lo, hi = hi, lo
    ss["f_dates"] = (lo or d0, hi or d1)
    # Unknown names in a shared link are dropped rather than crashing the widget.
    ss["f_brands"] = [b for b in url_list("brands") if b in brand_options]
    ss["f_sources"] = [s for s in url_list("sources") if s in source_options]
    url_lang = url_get("lang")
    ss["lang"] = url_lang if url_lang in i18n.LANGS else lang
    ss["_seeded"] = True


def local_bounds(start: dt.date, end: dt.date, tz: str) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, end+1 00:00) in the user's zone, as UTC instants."""
    zone = ZoneInfo(tz)
    lo = dt.datetime.combine(start, dt.time(), zone).astimezone(dt.timezone.utc)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), zone).astimezone(dt.timezone.utc)
    return lo, hi


def sidebar() -> Ctx:
    """Render the language switch and the shared filters; return the context pages use."""
    db, cpath = db_path(), config_path()
    config, config_error = _load_config(cpath, file_mtime(cpath))
    tz = DEFAULT_TZ
    default_lang = "fr"
    if config is not None:
        tz = config.alerts.timezone or DEFAULT_TZ
        default_lang = config.language or "fr"
    try:
        present_brands = q("brands_present")
        present_sources = q("sources_present")["source"].tolist()
        has_data = q("mention_count") > 0
    except Exception as exc:  # a locked or corrupt file: say so instead of a traceback
        st.error(i18n.t("db_error", default_lang, error=str(exc)))
        present_brands, present_sources, has_data = [], [], False
    configured_brands = [b.name for b in config.brands] if config else []
    brand_options = configured_brands + [b for b in present_brands if b not in configured_brands]
    configured_sources = [s.name for s in config.sources] if config else []
    source_options = configured_sources + [s for s in present_sources if s not in configured_sources]
    own = config.own_brands if config else ()

    _seed_from_url(tz, db, brand_options, source_options, default_lang)
    ss = st.session_state
    with st.sidebar:
        lang = st.radio(i18n.t("language", ss.get("lang", default_lang)), i18n.LANGS, key="lang",
                        format_func=lambda code: i18n.LANG_NAMES[code], horizontal=True)
        st.subheader(i18n.t("filters", lang))
        dates = st.date_input(i18n.t("period", lang), key="f_dates",
                              format="DD/MM/YYYY" if lang == "fr" else "YYYY-MM-DD")
        st.multiselect(i18n.t("brands", lang), brand_options, key="f_brands", placeholder=i18n.t("all", lang),
                       format_func=lambda b: f"★ {b}" if b in own else b)
        st.multiselect(i18n.t("sources", lang), source_options, key="f_sources", placeholder=i18n.t("all", lang))
        st.caption(i18n.t("share_view", lang) + " " + i18n.t("tz_note", lang, tz=tz))
    # While the user is picking a range the widget holds one date: keep the last full range.
    if isinstance(dates, (tuple, list)) and len(dates) == 2:
        start, end = dates
        ss["_last_range"] = (start, end)
    else:
        start, end = ss.get("_last_range") or _default_dates(tz, db)
    lo, hi = local_bounds(start, end, tz)
    filters = queries.Filters(start=lo, end=hi, brands=tuple(ss["f_brands"]), sources=tuple(ss["f_sources"]), tz=tz)

    url_set("from", start.isoformat())
    url_set("to", end.isoformat())
    url_set("brands", list(ss["f_brands"]))
    url_set("sources", list(ss["f_sources"]))
    url_set("lang", lang if lang != default_lang else None)

    ctx = Ctx(db=db, config=config, config_path=cpath, config_error=config_error, lang=lang, tz=tz,
              filters=filters, start_date=start, end_date=end, own=tuple(own),
              brand_options=brand_options, source_options=source_options, has_data=has_data)
    ss["_ctx"] = ctx
    return ctx


def ctx() -> Ctx:
    """The context app.py computed for this run (or compute it when a page runs alone)."""
    value = st.session_state.get("_ctx")
    return value if value is not None else sidebar()


def last_review():
    return actions.last_review(db_path())


# --- pages ---------------------------------------------------------------------------
# The page scripts live in views/, not pages/: a pages/ folder beside app.py puts
# Streamlit in its legacy mode, where a deep link runs a page without app.py.
PAGES_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "views")


def build_pages(lang: str) -> list:
    """The app's pages, titled in the interface language (paths relative to app.py)."""
    pages = [
        st.Page("views/today.py", title=i18n.t("nav_today", lang), icon=":material/wb_sunny:",
                url_path="today", default=True),
        st.Page("views/share_of_voice.py", title=i18n.t("nav_sov", lang), icon=":material/donut_large:",
                url_path="share_of_voice"),
        st.Page("views/topics.py", title=i18n.t("nav_topics", lang), icon=":material/lightbulb:", url_path="topics"),
        st.Page("views/mentions.py", title=i18n.t("nav_mentions", lang), icon=":material/search:",
                url_path="mentions"),
        st.Page("views/sources.py", title=i18n.t("nav_sources", lang), icon=":material/rss_feed:",
                url_path="sources"),
    ]
    # The briefing page is written by another part of the project; the app runs with or without it.
    if os.path.exists(os.path.join(PAGES_DIR, "briefing.py")):
        pages.append(st.Page("views/briefing.py", title=i18n.t("nav_briefing", lang), icon=":material/article:",
                             url_path="briefing"))
    return pages

