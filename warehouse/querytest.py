"""Testing a brand query against stored mentions before saving it."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import db as dbmod
from .matching import compile_query

BATCH = 100_000


@dataclass
class QueryReport:
    total: int = 0
    matched: int = 0
    sample: list[dict] = field(default_factory=list)


def try_query(db: str, query: str, sample: int = 10) -> QueryReport:
    """Count matches of a boolean query over title + body of every stored mention."""
    matches = compile_query(query)  # raises QuerySyntaxError with the position
    report = QueryReport()
    last = ""
    while True:
        with dbmod.connect(db, read_only=True) as con:
            rows = con.execute(
                "SELECT id, source, published_at, coalesce(title, '') AS title, coalesce(body, '') AS body "
                f"FROM raw_mentions WHERE id > ? ORDER BY id LIMIT {BATCH}", [last]).fetchall()
        if not rows:
            break
        for mid, source, published, title, body in rows:
            report.total += 1
            if matches(f"{title}\n{body}"):
                report.matched += 1
                if len(report.sample) < sample:
                    snippet = (title or body)[:140].replace("\n", " ")
                    report.sample.append({"id": mid, "source": source, "published_at": published,
                                          "snippet": snippet})
        last = rows[-1][0]
    report.sample.sort(key=lambda r: r["published_at"], reverse=True)
    return report
