"""`python -m warehouse briefing`: write the period briefing as PDF or HTML.

Registered by warehouse/cli.py through register_cli(); bad input (a date that
does not exist, an end before the start, an unknown output type) is one line
on stderr with exit status 2, like argparse's own usage errors.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys

from .errors import VigieError

FORMATS = (".pdf", ".html", ".htm")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid date {text!r} (expected YYYY-MM-DD, e.g. 2026-11-30)") from None


def _usage_error(message: str) -> int:
    print(f"python -m warehouse briefing: error: {message}", file=sys.stderr)
    return 2


def cmd_briefing(args) -> int:
    from .config import default_config_path, load_config
    from .db import default_db_path
    from .report import build_briefing, period_filters, render_html, render_pdf

    if args.to_date < args.from_date:
        return _usage_error(f"--to {args.to_date} is before --from {args.from_date}")
    ext = os.path.splitext(args.out)[1].lower()
    if ext not in FORMATS:
        return _usage_error(f"--out must end with .pdf or .html (got {args.out!r})")

    config_path = args.config or default_config_path()
    # Without a config the briefing still works, only without an own brand;
    # an explicitly named config that is missing is an error (load_config says so).
    config = load_config(config_path) if (args.config or os.path.exists(config_path)) else None
    db = args.db or (config.database_path if config else None) or default_db_path()
    if not os.path.exists(db):
        raise VigieError(f"{db}: no such database (collect first, or pass --db)")
    tz = config.alerts.timezone if config else "America/Toronto"
    lang = args.lang or (config.language if config else "fr")
    filters = period_filters(args.from_date, args.to_date, tz, tuple(args.brand or ()))
    briefing = build_briefing(db, filters, lang=lang, config=config, title=args.title)
    payload = render_pdf(briefing) if ext == ".pdf" else render_html(briefing).encode("utf-8")
    try:
        with open(args.out, "wb") as fh:
            fh.write(payload)
    except OSError as exc:
        raise VigieError(f"{args.out}: cannot write the report: {exc.strerror}") from None
    print(f"briefing {briefing.period_label}: {briefing.figures['mentions']:,} mentions -> {args.out}")
    return 0


def register_cli(subparsers) -> None:
    p = subparsers.add_parser("briefing", help="write the period briefing for management (PDF or HTML)")
    p.add_argument("--config", help="vigie.toml (own brand, time zone, language); default $VIGIE_CONFIG")
    p.add_argument("--db", help="DuckDB file; default the config's database, then $VIGIE_DB")
    p.add_argument("--from", dest="from_date", type=_date, required=True, metavar="YYYY-MM-DD",
                   help="first day of the period (local time of the config's time zone)")
    p.add_argument("--to", dest="to_date", type=_date, required=True, metavar="YYYY-MM-DD",
                   help="last day of the period, included")
    p.add_argument("--lang", choices=("fr", "en"), help="default: the config's dashboard language, else fr")
    p.add_argument("--brand", action="append", help="limit to this brand (repeat for several); default all")
    p.add_argument("--title", help="replace the default title")
    p.add_argument("--out", required=True, help="report.pdf or report.html")
    p.set_defaults(func=cmd_briefing)
