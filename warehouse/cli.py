"""`python -m warehouse ...`: rebuild, try-query, classify and maintenance commands.

Errors from the project (VigieError) are printed as one line and give a
non-zero exit status; no traceback reaches the user.
"""

from __future__ import annotations

import argparse
import sys

from .errors import ConfigErrors, StorageError, VigieError

EXIT_CONFIG = 2
EXIT_STORAGE = 3


def _config(path: str):
    from .config import load_config
    return load_config(path)


def _db(args) -> str:
    from .db import default_db_path
    return args.db or default_db_path()


def cmd_rebuild(args) -> int:
    from .enrich import rebuild
    config = _config(args.config)
    db = args.db or config.database_path or _db(args)

    def progress(n: int) -> None:
        print(f"  {n:,} mentions re-tagged", file=sys.stderr)

    result = rebuild(db, config, progress=progress)
    print(f"rebuild: {result.mentions:,} mentions in {result.seconds:.1f} s "
          f"({result.per_second:,.0f}/s)")
    return 0


def cmd_try_query(args) -> int:
    from .matching import QuerySyntaxError
    from .querytest import try_query
    try:
        report = try_query(_db(args), args.query, sample=args.sample)
    except QuerySyntaxError as exc:
        print(f"query error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    print(f"{report.matched:,} of {report.total:,} stored mentions match {args.query!r}")
    for row in report.sample:
        print(f"- [{row['published_at']:%Y-%m-%d}] {row['source']}: {row['snippet']}")
    return 0


def cmd_classify(args) -> int:
    import json

    from .sentiment import classify_records
    for record in classify_records(sys.stdin):
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m warehouse", description="Vigie's warehouse commands.")
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("rebuild", help="recompute brands, language, sentiment, terms and stories")
    r.add_argument("--config", required=True)
    r.add_argument("--db")
    r.set_defaults(func=cmd_rebuild)

    q = sub.add_parser("try-query", help="count the stored mentions a brand query matches, with a sample")
    q.add_argument("--db")
    q.add_argument("--query", required=True)
    q.add_argument("--sample", type=int, default=10)
    q.set_defaults(func=cmd_try_query)

    c = sub.add_parser("classify", help='JSON lines {"text": ...} on stdin -> language, sentiment, score')
    c.set_defaults(func=cmd_classify)

    for register in _extra_commands():
        register(sub)
    return p


def _extra_commands():
    """Commands contributed by other warehouse modules (backup, retention...)."""
    registers = []
    for module in ("maintenance", "alerting", "reporting_cli"):
        try:
            mod = __import__(f"warehouse.{module}", fromlist=["register_cli"])
        except ImportError:
            continue
        if hasattr(mod, "register_cli"):
            registers.append(mod.register_cli)
    return registers


def main(argv: list[str] | None = None) -> int:
    from .redact import install
    install()  # secrets never reach a log line
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ConfigErrors as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_CONFIG
    except StorageError as exc:
        print(f"database error: {exc}", file=sys.stderr)
        return EXIT_STORAGE
    except VigieError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
