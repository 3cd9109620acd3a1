"""The crawl child process: `python -m crawlers._crawl JOB.json`.

Scrapy's reactor cannot restart in a process (NOTES.md), and forking with an
open DuckDB connection is unsafe, so every collection runs here, started
fresh by crawlers.collect. Progress goes to stdout as JSON lines.
"""

from __future__ import annotations

import json
import logging
import sys

from warehouse.config import Collect, Source


def source_from_dict(d: dict) -> Source:
    d = dict(d)
    d["queries"] = tuple(d.get("queries") or ())
    d["selectors"] = dict(d.get("selectors") or {})
    return Source(**d)


def collect_from_dict(d: dict) -> Collect:
    return Collect(**d)


def _emit_stats(stats: dict) -> None:
    """Scrapy's counters for the parent (CollectSummary.crawl_stats): request
    counts, robots.txt outcomes, elapsed time; what a slow crawl is diagnosed with."""
    from .pipelines import emit  # noqa: PLC0415

    keep = {k: v for k, v in stats.items()
            if isinstance(v, (int, float, str)) or hasattr(v, "isoformat")}
    emit({"event": "crawl_stats", "stats": keep})


def quiet_below(level: str) -> None:
    """Make Scrapy's DEBUG records (one "Crawled" and one "Scraped from" per
    response and item) cost nothing instead of being built and then dropped.

    Scrapy leaves the root logger at NOTSET and filters in its handler, so every
    record was created, and our redacting record factory (warehouse.redact) ran
    on each: 4.5 s of a 25 s crawl of 10k items in one profile. A level on the
    library loggers stops them before a record exists; Scrapy does not reset it.
    """
    for name in ("scrapy", "twisted", "py.warnings"):
        logging.getLogger(name).setLevel(level)


def main(argv: list[str]) -> int:
    from warehouse.redact import install
    install()
    if len(argv) != 1:
        print("usage: python -m crawlers._crawl JOB.json", file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as fh:
        job = json.load(fh)
    from scrapy.crawler import CrawlerProcess  # noqa: PLC0415

    from .settings import build_settings  # noqa: PLC0415
    from .spiders.vigie import VigieSpider  # noqa: PLC0415

    collect = collect_from_dict(job["collect"])
    sources = [source_from_dict(s) for s in job["sources"]]
    settings = build_settings(collect)
    process = CrawlerProcess(settings, install_root_handler=True)
    quiet_below(settings["LOG_LEVEL"])
    crawler = process.create_crawler(VigieSpider)
    process.crawl(crawler, job=job, sources=sources, collect=collect)
    process.start()
    _emit_stats(crawler.stats.get_stats())
    if crawler.stats.get_value("vigie/storage_error"):
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
