"""A small, realistic Vigie database for the dashboard and query tests.

Three brands over 60 days (the own brand is Vidéotron), three sources of which
one is failing, sentiments, terms, questions, an open alert, and two hostile
titles: a <script> tag and Markdown with a link. Raw rows go through the real
write path (warehouse.store.write_items); derived tables are filled directly
so the numbers are known exactly.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
from pathlib import Path

import pytest


# Tests never touch the internet: any connection from the test process to an address
# other than loopback fails at once, naming the address. Strings such as the Slack and
# Discord webhook URLs in test_security.py are inert text for the redaction tests; this
# guard is what proves nothing dials them. (Child processes, e.g. the Scrapy crawl, are
# only ever given 127.0.0.1 servers by the tests.)
def _refuse_non_loopback(connect):
    import ipaddress
    import socket

    def guarded(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple):
            try:
                local = ipaddress.ip_address(address[0].split("%")[0]).is_loopback
            except ValueError:
                local = address[0] == "localhost"
            if not local:
                raise OSError(f"tests never touch the internet: connection to {address!r} refused by conftest")
        return connect(self, address)
    return guarded


def pytest_configure(config):
    import socket
    socket.socket.connect = _refuse_non_loopback(socket.socket.connect)
    socket.socket.connect_ex = _refuse_non_loopback(socket.socket.connect_ex)

UTC = dt.timezone.utc
SCRIPT_TITLE = "<script>alert(1)</script>"
MARKDOWN_TITLE = "**bold** [link](http://evil.example)"
FORMULA_TITLE = "=HYPERLINK(\"http://evil.example\",\"clic\")"

CONFIG = """
[[brands]]
name = "Vidéotron"
own = true
aliases = ["Vidéotron", "Videotron"]

[[brands]]
name = "Bell"
aliases = ["Bell Canada"]

[[brands]]
name = "Fizz"
aliases = ["Fizz"]

[[sources]]
name = "La Presse"
kind = "rss"
url = "http://127.0.0.1:9/lapresse.xml"

[[sources]]
name = "Forum Mobile"
kind = "forum"
url = "http://127.0.0.1:9/forum/"
preset = "phpbb"

[[sources]]
name = "Flux en panne"
kind = "rss"
url = "http://127.0.0.1:9/panne.xml"

[alerts]
timezone = "America/Toronto"
engagement_threshold = 100
"""

TERMS = ["forfait", "panne", "internet", "prix", "service client", "fibre", "5g", "facture", "promo", "réseau"]
QUESTIONS = ["Quel est le meilleur forfait cellulaire ?", "Pourquoi internet est lent le soir ?",
             "Comment changer de forfait ?", "quel est le meilleur forfait cellulaire?"]


def build_fixture_db(folder: Path, now: dt.datetime | None = None) -> dict:
    from warehouse import db as dbmod
    from warehouse.store import write_items

    now = now or dt.datetime.now(UTC)
    folder.mkdir(parents=True, exist_ok=True)
    db = str(folder / "vigie.duckdb")
    config = folder / "vigie.toml"
    config.write_text(CONFIG, encoding="utf-8")
    rng = random.Random(42)
    items, facts, brands, terms, questions = [], [], [], [], []
    sources = [("La Presse", "rss"), ("Forum Mobile", "forum")]
    weights = {"Vidéotron": 5, "Bell": 3, "Fizz": 2}

    def add(i, published, brand_list, sentiment, title, body, source=None, engagement=None, term_list=None,
            question=None, lang="fr"):
        src, kind = source or sources[i % 2]
        mid = f"m{i:05d}"
        items.append({"id": mid, "source": src, "source_kind": kind, "url": f"https://exemple.ca/{mid}",
                      "title": title, "body": body, "author": f"auteur{i % 7}", "published_at": published,
                      "engagement": engagement})
        score = {"positive": 0.7, "neutral": 0.0, "negative": -0.7}[sentiment]
        facts.append((mid, lang, sentiment, score, f"s{i // 2:05d}" if i % 5 == 0 else mid, question is not None))
        brands.extend((mid, b) for b in brand_list)
        terms.extend((mid, t) for t in (term_list or []))
        if question:
            questions.append((mid, question))

    i = 0
    # 2..60 days ago: a steady background.
    for day in range(2, 60):
        for _ in range(8):
            published = now - dt.timedelta(days=day, hours=rng.randint(0, 23), minutes=rng.randint(0, 59))
            brand = rng.choices(list(weights), weights=list(weights.values()))[0]
            sentiment = rng.choice(["positive", "positive", "neutral", "negative"])
            term_list = rng.sample(TERMS[2:], 2)
            q = QUESTIONS[i % 4] if i % 9 == 0 else None
            add(i, published, [brand], sentiment, f"{brand} : nouvelles du jour {i}",
                f"Texte sur {brand} et le {term_list[0]}.", engagement=rng.randint(0, 60),
                term_list=term_list, question=q, lang="fr" if i % 6 else "en")
            i += 1
    # The previous 24 h (24-48 h ago): 8 mentions, 6 Vidéotron, 2 Bell; 4 positive, 2 negative.
    prev_plan = [("Vidéotron", "positive"), ("Vidéotron", "positive"), ("Vidéotron", "positive"),
                 ("Vidéotron", "neutral"), ("Vidéotron", "negative"), ("Vidéotron", "neutral"),
                 ("Bell", "positive"), ("Bell", "negative")]
    for k, (brand, sentiment) in enumerate(prev_plan):
        add(i, now - dt.timedelta(hours=30 + k), [brand], sentiment, f"{brand} hier {k}", "Texte d'hier.",
            engagement=5, term_list=["forfait"])
        i += 1
    # The last 24 h: 12 mentions, 6 Vidéotron, 4 Bell, 2 Fizz; 3 positive, 6 negative: a "panne" burst.
    last_plan = [("Vidéotron", "negative"), ("Vidéotron", "negative"), ("Vidéotron", "negative"),
                 ("Vidéotron", "positive"), ("Vidéotron", "neutral"), ("Vidéotron", "neutral"),
                 ("Bell", "negative"), ("Bell", "positive"), ("Bell", "neutral"), ("Bell", "negative"),
                 ("Fizz", "positive"), ("Fizz", "negative")]
    titles = {0: SCRIPT_TITLE, 1: MARKDOWN_TITLE, 2: FORMULA_TITLE}
    script_id = f"m{i:05d}"
    for k, (brand, sentiment) in enumerate(last_plan):
        title = titles.get(k, f"{brand} panne réseau {k}")
        body = "Grosse panne à Montréal, le réseau est déçu et décevant." if k < 6 else "Texte du jour."
        add(i, now - dt.timedelta(hours=1 + k), [brand], sentiment, title, body,
            engagement=250 if k == 3 else 10 + k, term_list=["panne", "réseau"] if k < 8 else ["promo"],
            question="Pourquoi internet est lent le soir ?" if k == 4 else None)
        i += 1
    write_items(db, items, collected_at=now)

    with dbmod.transaction(db) as con:
        con.executemany("INSERT INTO mention_facts VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [(*f, now) for f in facts])
        con.executemany("INSERT INTO mention_brands VALUES (?, ?)", brands)
        con.executemany("INSERT INTO mention_terms VALUES (?, ?)", terms)
        con.executemany("INSERT INTO mention_questions VALUES (?, ?)", questions)
        for d in range(0, 10):
            for src in ("La Presse", "Forum Mobile"):
                at = now - dt.timedelta(days=d, hours=1)
                con.execute("INSERT INTO crawl_log (run_id, source, started_at, finished_at, status, new_items) "
                            "VALUES (?, ?, ?, ?, 'ok', 8)", [d + 1, src, at, at + dt.timedelta(seconds=3)])
            at = now - dt.timedelta(days=d, hours=1)
            con.execute("INSERT INTO crawl_log (run_id, source, started_at, finished_at, status, new_items, error, "
                        "http_status) VALUES (?, 'Flux en panne', ?, ?, 'error', 0, ?, 503)",
                        [d + 1, at, at, "HTTP 503 Service Unavailable <b>maintenance</b>"])
        for src in ("La Presse", "Forum Mobile"):
            con.execute("INSERT INTO source_state (source, last_attempt_at, last_success_at, last_new_item_at, "
                        "consecutive_failures, poll_interval_s, next_poll_at) VALUES (?, ?, ?, ?, 0, 1800, ?)",
                        [src, now - dt.timedelta(hours=1), now - dt.timedelta(hours=1), now - dt.timedelta(hours=1),
                         now + dt.timedelta(minutes=30)])
        con.execute("INSERT INTO source_state (source, last_attempt_at, last_success_at, consecutive_failures, "
                    "failing_since, last_error, poll_interval_s, next_poll_at) VALUES (?, ?, ?, 10, ?, ?, 3600, ?)",
                    ["Flux en panne", now - dt.timedelta(hours=1), now - dt.timedelta(days=12),
                     now - dt.timedelta(days=10), "HTTP 503 Service Unavailable", now + dt.timedelta(hours=1)])
        details = {"top_terms": [{"term": "panne", "n": 6}, {"term": "réseau", "n": 6}],
                   "top_sources": [{"source": "La Presse", "n": 3}, {"source": "Forum Mobile", "n": 3}],
                   "mentions": [{"id": script_id, "title": SCRIPT_TITLE, "url": f"https://exemple.ca/{script_id}",
                                 "source": "La Presse", "published_at": (now - dt.timedelta(hours=1)).isoformat(),
                                 "sentiment": "negative"}]}
        con.execute("INSERT INTO alerts (id, rule, brand, kind, severity, window_start, window_end, observed, "
                    "expected, explanation, details, created_at) VALUES ('a1', 'negative_spike', 'Vidéotron', "
                    "'negative', 'critical', ?, ?, 3, 0.5, ?, ?, ?)",
                    [now - dt.timedelta(hours=24), now, "Negative mentions of Vidéotron: 3 in 24 h, expected 0.5",
                     json.dumps(details, ensure_ascii=False), now - dt.timedelta(minutes=30)])
    return {"db": db, "config": str(config), "now": now, "folder": folder, "n_mentions": len(items), "script_id": script_id}


@pytest.fixture(scope="session")
def fixture_data(tmp_path_factory):
    return build_fixture_db(tmp_path_factory.mktemp("vigie") / "data")


@pytest.fixture
def fresh_db(fixture_data, tmp_path):
    """A private copy for tests that write (triage, review, acknowledge)."""
    folder = tmp_path / "copy"
    folder.mkdir()
    shutil.copy(fixture_data["db"], folder / "vigie.duckdb")
    shutil.copy(fixture_data["config"], folder / "vigie.toml")
    return {**fixture_data, "db": str(folder / "vigie.duckdb"), "config": str(folder / "vigie.toml"),
            "folder": folder}


@pytest.fixture
def app_env(monkeypatch):
    """Point the dashboard at a database and a configuration through the environment."""
    def use(data):
        monkeypatch.setenv("VIGIE_DB", data["db"])
        monkeypatch.setenv("VIGIE_CONFIG", data["config"])
        return data
    return use
