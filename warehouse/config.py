"""Loading and validating vigie.toml.

Every problem is reported with the file, the entry (``brands[2] "Bell"``) and
the field, and all problems of a file are reported together. Secrets never live
here: SMTP passwords, webhook URLs marked secret and OIDC settings come from
the environment or Streamlit secrets.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import ConfigError, ConfigErrors

SOURCE_KINDS = ("rss", "forum", "search", "reddit")
FORUM_PRESETS = ("phpbb", "vbulletin", "xenforo", "discourse", "hfr")
SELECTOR_KEYS = ("topic_link", "post", "post_id", "author", "date", "body", "title", "next_page", "engagement")
WEBHOOK_FORMATS = ("slack", "teams", "mattermost", "discord", "json")
SENSITIVITIES = {"low": 3.0, "medium": 2.0, "high": 1.5}


@dataclass(frozen=True)
class Brand:
    name: str
    own: bool = False
    aliases: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    query: str | None = None


@dataclass(frozen=True)
class Source:
    name: str
    kind: str
    url: str
    preset: str | None = None
    selectors: dict[str, str] = field(default_factory=dict)
    # False for servers that send stale ETag/Last-Modified (NOTES: Taranis).
    conditional_get: bool = True
    language: str | None = None
    max_pages: int = 20
    # Listed sources make a single negative mention an alert (crisis rule).
    listed: bool = False
    enabled: bool = True
    # Search sources: the query placed in {query}; defaults to each brand's name.
    queries: tuple[str, ...] = ()


@dataclass(frozen=True)
class Collect:
    allow_private_addresses: bool = False
    timeout_s: float = 20.0
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    user_agent: str = "Vigie/0.1 (+https://example.org/vigie; social listening)"
    concurrency: int = 32
    per_host_concurrency: int = 2
    # Politeness: delay between requests to one host; 0 lets AutoThrottle decide.
    download_delay_s: float = 0.0
    obey_robots: bool = True
    # Adaptive polling bounds (NOTES: Media Cloud keeps a 10 min floor).
    min_poll_minutes: int = 10
    max_poll_minutes: int = 24 * 60
    # A source is "silent" when it has had no new item for this many times its
    # usual gap between items.
    silence_factor: float = 4.0


@dataclass(frozen=True)
class Webhook:
    format: str
    url: str | None = None
    url_env: str | None = None

    def resolved_url(self) -> str | None:
        if self.url_env:
            return os.environ.get(self.url_env)
        return self.url


@dataclass(frozen=True)
class QuietHours:
    start: str = "22:00"
    end: str = "07:00"


@dataclass(frozen=True)
class Alerts:
    email_to: tuple[str, ...] = ()
    email_from: str = "vigie@localhost"
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_security: str = "none"  # none | starttls | ssl
    watch_words: tuple[str, ...] = ()
    webhooks: tuple[Webhook, ...] = ()
    sensitivity: str = "medium"
    min_count: int = 5
    cooldown_hours: float = 6.0
    quiet_hours: QuietHours | None = None
    timezone: str = "America/Toronto"
    digest_time: str | None = "08:00"
    dashboard_url: str = "http://localhost:8501"
    engagement_threshold: int = 100
    enabled: bool = True

    @property
    def k(self) -> float:
        return SENSITIVITIES[self.sensitivity]


@dataclass(frozen=True)
class Privacy:
    retention_days: int | None = None
    pseudonymize_authors: bool = False


@dataclass(frozen=True)
class Config:
    path: str
    brands: tuple[Brand, ...]
    sources: tuple[Source, ...]
    collect: Collect = Collect()
    alerts: Alerts = Alerts()
    privacy: Privacy = Privacy()
    database_path: str | None = None
    language: str = "fr"

    @property
    def own_brands(self) -> tuple[str, ...]:
        return tuple(b.name for b in self.brands if b.own)

    def source(self, name: str) -> Source | None:
        return next((s for s in self.sources if s.name == name), None)


# --- validation helpers ---------------------------------------------------------

class _Checker:
    def __init__(self, file: str):
        self.file = file
        self.errors: list[ConfigError] = []

    def err(self, entry: str | None, fld: str | None, msg: str) -> None:
        self.errors.append(ConfigError(self.file, entry, fld, msg))

    def unknown_keys(self, table: dict, allowed: tuple[str, ...], entry: str | None) -> None:
        for key in table:
            if key not in allowed:
                hint = difflib.get_close_matches(key, allowed, n=1)
                extra = f" (did you mean '{hint[0]}'?)" if hint else f" (known keys: {', '.join(allowed)})"
                self.err(entry, key, f"unknown key{extra}")

    def get(self, table: dict, key: str, types: type | tuple, entry: str | None, default: Any = None,
            required: bool = False) -> Any:
        if key not in table:
            if required:
                self.err(entry, key, "is required")
            return default
        value = table[key]
        # bool is an int in Python: refuse true/false where a number is expected.
        if isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
            self.err(entry, key, f"must be {_type_name(types)}, not a boolean")
            return default
        if not isinstance(value, types):
            self.err(entry, key, f"must be {_type_name(types)}, not {type(value).__name__} ({value!r})")
            return default
        return value

    def str_list(self, table: dict, key: str, entry: str | None) -> tuple[str, ...]:
        value = self.get(table, key, list, entry, default=[])
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.err(entry, f"{key}[{i}]", "must be a non-empty string")
            else:
                out.append(item.strip())
        return tuple(out)


def _type_name(types: type | tuple) -> str:
    names = {str: "a string", bool: "true or false", int: "a whole number", float: "a number",
             list: "a list", dict: "a table"}
    if isinstance(types, tuple):
        return " or ".join(names.get(t, t.__name__) for t in types)
    return names.get(types, types.__name__)


def check_http_url(url: str) -> str | None:
    """Why a URL cannot be crawled, or None. Only http and https are allowed."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        return f"is not a valid URL ({exc})"
    if parts.scheme not in ("http", "https"):
        return f"must start with http:// or https:// (got {url!r})"
    if not parts.hostname:
        return f"has no host name ({url!r})"
    return None


def _parse_brands(c: _Checker, raw: Any) -> tuple[Brand, ...]:
    if raw is None:
        c.err(None, "brands", "no brand is watched: add at least one [[brands]] table")
        return ()
    if not isinstance(raw, list):
        c.err(None, "brands", "must be a list of tables ([[brands]])")
        return ()
    brands, seen = [], set()
    allowed = ("name", "own", "aliases", "exclude", "query")
    for i, table in enumerate(raw):
        entry = f"brands[{i}]"
        if not isinstance(table, dict):
            c.err(entry, None, "must be a table")
            continue
        name = c.get(table, "name", str, entry, required=True)
        if name is not None:
            entry = f'brands[{i}] "{name}"'
            if not name.strip():
                c.err(entry, "name", "must not be empty")
            elif name.casefold() in seen:
                c.err(entry, "name", "the same brand is listed twice")
            seen.add(name.casefold())
        c.unknown_keys(table, allowed, entry)
        own = c.get(table, "own", bool, entry, default=False)
        aliases = c.str_list(table, "aliases", entry)
        exclude = c.str_list(table, "exclude", entry)
        query = c.get(table, "query", str, entry)
        if query is not None:
            try:
                from .matching import parse_query
                parse_query(query)
            except ImportError:
                pass
            except ValueError as exc:
                c.err(entry, "query", str(exc))
        if not aliases and not query:
            c.err(entry, "aliases", "a brand needs at least one alias (or a query) to be found in text")
        if name:
            brands.append(Brand(name=name.strip(), own=own, aliases=aliases or (name.strip(),),
                                exclude=exclude, query=query))
    if brands and not any(b.own for b in brands):
        # Not an error: an agency may watch a market without an own brand.
        pass
    return tuple(brands)


def _parse_sources(c: _Checker, raw: Any) -> tuple[Source, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        c.err(None, "sources", "must be a list of tables ([[sources]])")
        return ()
    allowed = ("name", "kind", "url", "preset", "selectors", "conditional_get", "language",
               "max_pages", "listed", "enabled", "queries")
    sources, names, urls = [], {}, {}
    for i, table in enumerate(raw):
        entry = f"sources[{i}]"
        if not isinstance(table, dict):
            c.err(entry, None, "must be a table")
            continue
        name = c.get(table, "name", str, entry, required=True)
        if name:
            entry = f'sources[{i}] "{name}"'
            if name.casefold() in names:
                c.err(entry, "name", f"duplicate source name (also {names[name.casefold()]})")
            names[name.casefold()] = f"sources[{i}]"
        c.unknown_keys(table, allowed, entry)
        kind = c.get(table, "kind", str, entry, required=True)
        if kind is not None and kind not in SOURCE_KINDS:
            hint = difflib.get_close_matches(kind, SOURCE_KINDS, n=1)
            c.err(entry, "kind", f"unknown kind {kind!r}; use one of {', '.join(SOURCE_KINDS)}"
                  + (f" (did you mean '{hint[0]}'?)" if hint else ""))
        url = c.get(table, "url", str, entry, required=True)
        if url is not None:
            probe = url.replace("{query}", "q") if kind == "search" else url
            problem = check_http_url(probe)
            if problem:
                c.err(entry, "url", problem)
            elif kind == "search" and "{query}" not in url:
                c.err(entry, "url", "a search source's URL must contain {query} where the brand query goes")
            key = url.strip().rstrip("/").lower()
            if key in urls:
                c.err(entry, "url", f"duplicate source URL (also {urls[key]})")
            urls[key] = f"sources[{i}]"
        preset = c.get(table, "preset", str, entry)
        if preset is not None:
            if kind != "forum":
                c.err(entry, "preset", "only forum sources take a preset")
            elif preset not in FORUM_PRESETS:
                c.err(entry, "preset", f"unknown preset {preset!r}; use one of {', '.join(FORUM_PRESETS)}")
        selectors = c.get(table, "selectors", dict, entry, default={})
        for key, value in selectors.items():
            if key not in SELECTOR_KEYS:
                c.err(entry, f"selectors.{key}", f"unknown selector; known: {', '.join(SELECTOR_KEYS)}")
            elif not isinstance(value, str) or not value.strip():
                c.err(entry, f"selectors.{key}", "must be a CSS or XPath selector string")
        if kind == "forum" and preset is None and "post" not in selectors:
            c.err(entry, "preset", "a forum source needs a preset or a [sources.selectors] table with at least 'post'")
        max_pages = c.get(table, "max_pages", int, entry, default=20)
        if max_pages is not None and max_pages < 1:
            c.err(entry, "max_pages", "must be at least 1")
        if name and kind and url:
            sources.append(Source(
                name=name.strip(), kind=kind, url=url.strip(), preset=preset,
                selectors=dict(selectors),
                conditional_get=c.get(table, "conditional_get", bool, entry, default=True),
                language=c.get(table, "language", str, entry),
                max_pages=max_pages or 20,
                listed=c.get(table, "listed", bool, entry, default=False),
                enabled=c.get(table, "enabled", bool, entry, default=True),
                queries=c.str_list(table, "queries", entry),
            ))
    return tuple(sources)


def _parse_collect(c: _Checker, raw: Any) -> Collect:
    if raw is None:
        return Collect()
    if not isinstance(raw, dict):
        c.err(None, "collect", "must be a table ([collect])")
        return Collect()
    defaults = Collect()
    allowed = tuple(Collect.__dataclass_fields__)
    c.unknown_keys(raw, allowed, "[collect]")
    values = {}
    for key in allowed:
        default = getattr(defaults, key)
        types = (int, float) if isinstance(default, float) else type(default)
        value = c.get(raw, key, types, "[collect]", default=default)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
            c.err("[collect]", key, "must not be negative")
            value = default
        values[key] = float(value) if isinstance(default, float) else value
    if values["min_poll_minutes"] > values["max_poll_minutes"]:
        c.err("[collect]", "min_poll_minutes", "must not exceed max_poll_minutes")
    return Collect(**values)


def _parse_alerts(c: _Checker, raw: Any) -> Alerts:
    if raw is None:
        return Alerts()
    entry = "[alerts]"
    if not isinstance(raw, dict):
        c.err(None, "alerts", "must be a table ([alerts])")
        return Alerts()
    allowed = tuple(Alerts.__dataclass_fields__)
    c.unknown_keys(raw, allowed, entry)
    for secret in ("smtp_password", "password"):
        if secret in raw:
            c.err(entry, secret, "secrets do not go in the configuration file: set VIGIE_SMTP_PASSWORD in the environment")
    d = Alerts()
    hooks = []
    for i, hook in enumerate(c.get(raw, "webhooks", list, entry, default=[])):
        hentry = f"[alerts] webhooks[{i}]"
        if not isinstance(hook, dict):
            c.err(hentry, None, "must be a table like { format = \"slack\", url = \"...\" }")
            continue
        c.unknown_keys(hook, ("format", "url", "url_env"), hentry)
        fmt = c.get(hook, "format", str, hentry, required=True)
        if fmt is not None and fmt not in WEBHOOK_FORMATS:
            c.err(hentry, "format", f"unknown format {fmt!r}; use one of {', '.join(WEBHOOK_FORMATS)}")
        url = c.get(hook, "url", str, hentry)
        url_env = c.get(hook, "url_env", str, hentry)
        if url is None and url_env is None:
            c.err(hentry, "url", "give url, or url_env naming the environment variable that holds it")
        elif url is not None and (problem := check_http_url(url)):
            c.err(hentry, "url", problem)
        if fmt:
            hooks.append(Webhook(format=fmt, url=url, url_env=url_env))
    quiet = None
    q = c.get(raw, "quiet_hours", dict, entry)
    if q is not None:
        c.unknown_keys(q, ("start", "end"), "[alerts] quiet_hours")
        quiet = QuietHours(start=c.get(q, "start", str, "[alerts] quiet_hours", default="22:00"),
                           end=c.get(q, "end", str, "[alerts] quiet_hours", default="07:00"))
        for fld in ("start", "end"):
            if not _valid_hhmm(getattr(quiet, fld)):
                c.err("[alerts] quiet_hours", fld, "must be a time like \"22:00\"")
    sensitivity = c.get(raw, "sensitivity", str, entry, default=d.sensitivity)
    if sensitivity not in SENSITIVITIES:
        c.err(entry, "sensitivity", f"use one of {', '.join(SENSITIVITIES)}")
        sensitivity = d.sensitivity
    security = c.get(raw, "smtp_security", str, entry, default=d.smtp_security)
    if security not in ("none", "starttls", "ssl"):
        c.err(entry, "smtp_security", "use none, starttls or ssl")
    digest_time = c.get(raw, "digest_time", str, entry, default=d.digest_time)
    if digest_time is not None and digest_time != "" and not _valid_hhmm(digest_time):
        c.err(entry, "digest_time", "must be a time like \"08:00\" (or \"\" for no digest)")
    timezone = c.get(raw, "timezone", str, entry, default=d.timezone)
    try:
        from zoneinfo import ZoneInfo
        ZoneInfo(timezone)
    except Exception:
        c.err(entry, "timezone", f"unknown time zone {timezone!r} (use a name like America/Toronto)")
        timezone = d.timezone
    email_to = c.str_list(raw, "email_to", entry)
    for i, address in enumerate(email_to):
        if "@" not in address:
            c.err(entry, f"email_to[{i}]", f"{address!r} is not an email address")
    port = c.get(raw, "smtp_port", int, entry, default=d.smtp_port)
    if port is not None and not 0 < port < 65536:
        c.err(entry, "smtp_port", "must be between 1 and 65535")
    return Alerts(
        email_to=email_to,
        email_from=c.get(raw, "email_from", str, entry, default=d.email_from),
        smtp_host=c.get(raw, "smtp_host", str, entry),
        smtp_port=port or d.smtp_port,
        smtp_security=security or d.smtp_security,
        watch_words=c.str_list(raw, "watch_words", entry),
        webhooks=tuple(hooks),
        sensitivity=sensitivity,
        min_count=c.get(raw, "min_count", int, entry, default=d.min_count),
        cooldown_hours=float(c.get(raw, "cooldown_hours", (int, float), entry, default=d.cooldown_hours)),
        quiet_hours=quiet,
        timezone=timezone,
        digest_time=digest_time or None,
        dashboard_url=c.get(raw, "dashboard_url", str, entry, default=d.dashboard_url),
        engagement_threshold=c.get(raw, "engagement_threshold", int, entry, default=d.engagement_threshold),
        enabled=c.get(raw, "enabled", bool, entry, default=True),
    )


def _valid_hhmm(text: str) -> bool:
    try:
        hh, mm = text.split(":")
        return 0 <= int(hh) < 24 and 0 <= int(mm) < 60 and len(mm) == 2
    except (ValueError, AttributeError):
        return False


def _parse_privacy(c: _Checker, raw: Any) -> Privacy:
    if raw is None:
        return Privacy()
    entry = "[privacy]"
    if not isinstance(raw, dict):
        c.err(None, "privacy", "must be a table ([privacy])")
        return Privacy()
    c.unknown_keys(raw, ("retention_days", "pseudonymize_authors"), entry)
    days = c.get(raw, "retention_days", int, entry)
    if days is not None and days < 1:
        c.err(entry, "retention_days", "must be at least 1 (or leave it out to keep everything)")
        days = None
    return Privacy(retention_days=days,
                   pseudonymize_authors=c.get(raw, "pseudonymize_authors", bool, entry, default=False))


def _parse_database(c: _Checker, raw: Any, config_dir: Path) -> str | None:
    if raw is None:
        return None
    entry = "[database]"
    if not isinstance(raw, dict):
        c.err(None, "database", "must be a table ([database])")
        return None
    c.unknown_keys(raw, ("path",), entry)
    path = c.get(raw, "path", str, entry)
    if path is None:
        return None
    resolved = (config_dir / path).resolve()
    if not resolved.is_relative_to(config_dir.resolve()):
        c.err(entry, "path", f"{path!r} points outside the project folder {config_dir}; "
                             "keep the database beside the configuration, or pass --db explicitly")
        return None
    return str(resolved)


TOP_LEVEL = ("collect", "brands", "sources", "alerts", "privacy", "database", "dashboard")


def parse_config(data: dict, file: str = "vigie.toml") -> Config:
    c = _Checker(file)
    c.unknown_keys(data, TOP_LEVEL, None)
    config_dir = Path(file).resolve().parent
    brands = _parse_brands(c, data.get("brands"))
    sources = _parse_sources(c, data.get("sources"))
    collect = _parse_collect(c, data.get("collect"))
    alerts = _parse_alerts(c, data.get("alerts"))
    privacy = _parse_privacy(c, data.get("privacy"))
    database_path = _parse_database(c, data.get("database"), config_dir)
    language = "fr"
    dash = data.get("dashboard")
    if dash is not None:
        if not isinstance(dash, dict):
            c.err(None, "dashboard", "must be a table ([dashboard])")
        else:
            c.unknown_keys(dash, ("language",), "[dashboard]")
            language = c.get(dash, "language", str, "[dashboard]", default="fr")
            if language not in ("fr", "en"):
                c.err("[dashboard]", "language", "use fr or en")
                language = "fr"
    if c.errors:
        raise ConfigErrors(c.errors)
    return Config(path=str(file), brands=brands, sources=sources, collect=collect, alerts=alerts,
                  privacy=privacy, database_path=database_path, language=language)


def load_config(path: str | os.PathLike) -> Config:
    """Read and validate a configuration file; raise ConfigErrors listing every problem."""
    path = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise ConfigErrors([ConfigError(path, None, None, "file not found")]) from None
    except OSError as exc:
        raise ConfigErrors([ConfigError(path, None, None, f"cannot read the file: {exc.strerror}")]) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigErrors([ConfigError(path, None, None, f"not UTF-8 text (byte {exc.start})")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigErrors([ConfigError(path, None, None, f"not valid TOML: {exc}")]) from None
    return parse_config(data, path)


def default_config_path() -> str:
    return os.environ.get("VIGIE_CONFIG", "vigie.toml")
