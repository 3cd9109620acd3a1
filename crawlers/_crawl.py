"""The crawl child process: `python -m crawlers._crawl JOB.json`.

Scrapy's reactor cannot restart in a process (NOTES.md), and forking with an
open DuckDB connection is unsafe, so every collection runs here, started
fresh by crawlers.collect. Progress goes to stdout as JSON lines.
"""

from __future__ import annotations

import json
import sys

from warehouse.config import Collect, Source


def source_from_dict(d: dict) -> Source:
    d = dict(d)
    d["queries"] = tuple(d.get("queries") or ())
    d["selectors"] = dict(d.get("selectors") or {})
    return Source(**d)


def collect_from_dict(d: dict) -> Collect:
    return Collect(**d)


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
    process = CrawlerProcess(build_settings(collect), install_root_handler=True)
    crawler = process.create_crawler(VigieSpider)
    process.crawl(crawler, job=job, sources=sources, collect=collect)
    process.start()
    if crawler.stats.get_value("vigie/storage_error"):
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
