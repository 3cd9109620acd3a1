"""CLI: python -m crawlers.demo {build,serve,up}."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from .generate import build_site
from .server import serve_forever


def _date(s: str) -> date:
    return date.fromisoformat(s)


def _build(out: Path, port: int, seed: int, end: date | None, host: str = "127.0.0.1"):
    summary = build_site(out, f"http://{host}:{port}", seed=seed, end=end)
    sov = ", ".join(f"{k} {v:.0%}" for k, v in summary.share_of_voice().items())
    ev = "; ".join(f"{e['kind']} {e['brand']} {e['start']}" for e in summary.events)
    print(f"Built {summary.total_items} items ({summary.news_items} news, {summary.forum_posts} forum posts "
          f"in {summary.forum_topics} topics), {summary.files} files in {summary.seconds:.2f}s")
    print(f"  {summary.start} .. {summary.end} (exclusive) | share of voice: {sov}")
    print(f"  events: {ev}")
    print(f"  site: {summary.site_dir}\n  config: {summary.config_path}")
    return summary


def _needs_build(out: Path, port: int, seed: int, end: date | None) -> bool:
    meta = out / "demo-summary.json"
    if not (out / "site" / "index.html").exists() or not (out / "vigie.toml").exists() or not meta.exists():
        return True
    try:
        s = json.loads(meta.read_text(encoding="utf-8"))
    except ValueError:
        return True
    # The config embeds the port, and an explicit --end/--seed means "this corpus".
    return (not s.get("base_url", "").endswith(f":{port}") or s.get("seed") != seed
            or (end is not None and s.get("end") != end.isoformat()))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m crawlers.demo", description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="write DIR/site/ and DIR/vigie.toml")
    b.add_argument("--out", required=True, type=Path)
    b.add_argument("--port", type=int, default=8765)
    b.add_argument("--seed", type=int, default=7)
    b.add_argument("--end", type=_date, default=None, help="YYYY-MM-DD, default today (UTC)")
    s = sub.add_parser("serve", help="serve a built site on loopback")
    s.add_argument("--dir", required=True, type=Path)
    s.add_argument("--port", type=int, default=8765)
    s.add_argument("--host", default="127.0.0.1")
    u = sub.add_parser("up", help="build if missing, then serve (foreground)")
    u.add_argument("--out", required=True, type=Path)
    u.add_argument("--port", type=int, default=8765)
    u.add_argument("--seed", type=int, default=7)
    u.add_argument("--end", type=_date, default=None)
    args = ap.parse_args(argv)

    if args.cmd == "build":
        _build(args.out, args.port, args.seed, args.end)
        return 0
    if args.cmd == "serve":
        if not (args.dir / "index.html").exists():
            print(f"{args.dir} is not a built demo site (run `build` first)", file=sys.stderr)
            return 2
        serve_forever(args.dir, args.port, args.host)
        return 0
    if _needs_build(args.out, args.port, args.seed, args.end):
        _build(args.out, args.port, args.seed, args.end)
    serve_forever(args.out / "site", args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
