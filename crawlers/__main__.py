"""python -m crawlers check | collect | sources | run

Exit codes: 0 done (even if some sources failed: they are recorded), 2 bad
configuration or arguments, 3 database not writable. Never a traceback for a
user mistake: one clear line instead.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from warehouse.config import load_config
from warehouse.errors import ConfigErrors, StorageError, VigieError


def _load(path: str):
    try:
        return load_config(path)
    except ConfigErrors as exc:
        for error in exc.errors:
            print(str(error), file=sys.stderr)
        print(f"{len(exc.errors)} problem(s) in {path}; fix them and run again.", file=sys.stderr)
        raise SystemExit(2) from None


def _db_path(args, config) -> str:
    if args.db:
        return args.db
    if config is not None and config.database_path:
        return config.database_path
    from warehouse.db import default_db_path  # noqa: PLC0415
    return default_db_path()


def cmd_check(args) -> int:
    config = _load(args.config)
    kinds = Counter(s.kind for s in config.sources)
    disabled = sum(1 for s in config.sources if not s.enabled)
    detail = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "none"
    own = ", ".join(config.own_brands) or "none"
    print(f"OK: {args.config}: {len(config.brands)} brand(s) (own: {own}), {len(config.sources)} source(s) ({detail})"
          + (f", {disabled} disabled" if disabled else ""))
    return 0


def cmd_collect(args) -> int:
    from .collect import UnknownSource, collect, describe_result  # noqa: PLC0415
    from .health import table  # noqa: PLC0415

    config = _load(args.config)
    db = _db_path(args, config)
    force = not args.respect_schedule or args.force

    def progress(done, total, result):
        print(f"[{done}/{total}] {result.name}: {describe_result(result)}", file=sys.stderr, flush=True)

    try:
        summary = collect(config, db, only=args.only or None, force=force, progress=progress)
    except UnknownSource as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except StorageError as exc:
        print(f"error: cannot write the database: {exc}", file=sys.stderr)
        return 3
    rows = [(r.name, r.status, str(r.new), str(r.updated), (r.error or "-")[:90]) for r in
            sorted(summary.results, key=lambda r: r.name.casefold())]
    if rows:
        print(table(("source", "status", "new", "updated", "errors"), rows))
    for name in summary.skipped:
        print(f"{name}: not due yet (adaptive schedule; use --force)", file=sys.stderr)
    for warning in summary.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"{len(summary.results)} source(s) collected in {summary.seconds:.1f} s: {summary.new} new, "
          f"{summary.updated} updated, {len(summary.failed)} failed" + (f", {len(summary.skipped)} not due" if summary.skipped else ""))
    return 0


def cmd_sources(args) -> int:
    from .health import format_health, source_health  # noqa: PLC0415

    config = _load(args.config) if args.config else None
    db = _db_path(args, config)
    frame = source_health(db, config)
    if frame.empty:
        print("no sources yet: add [[sources]] to the configuration and run `python -m crawlers collect`")
        return 0
    print(format_health(frame))
    return 0


def main(argv=None) -> int:
    from warehouse.redact import install
    install()  # secrets never reach a log line, ours or Scrapy's
    parser = argparse.ArgumentParser(prog="python -m crawlers", description="Vigie collection")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("check", help="validate the configuration")
    p.add_argument("--config", default="vigie.toml")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("collect", help="collect every source once")
    p.add_argument("--config", default="vigie.toml")
    p.add_argument("--db")
    p.add_argument("--only", nargs="+", metavar="NAME", help="collect only these sources")
    p.add_argument("--force", action="store_true", help="ignore the adaptive schedule (the default)")
    p.add_argument("--respect-schedule", action="store_true",
                   help="collect only sources whose next poll time has come")
    p.set_defaults(func=cmd_collect)
    p = sub.add_parser("sources", help="show source health")
    p.add_argument("--db")
    p.add_argument("--config")
    p.set_defaults(func=cmd_sources)
    from .run import add_parser as add_run_parser  # noqa: PLC0415  (the unattended loop, crawlers/run.py)
    add_run_parser(sub)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except StorageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    except VigieError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
