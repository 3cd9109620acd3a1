"""Alert rules: spikes, single mentions, sources; idempotence, cool-down, grouping, acknowledgement.

The corpus goes through the real write path (warehouse.store.write_items);
derived rows (sentiment, brands, terms) are written directly so the numbers
are known. Time is pinned: Friday 2026-11-13 17:30 in Montréal (22:30 UTC).
Helpers here are imported by the delivery, digest and run-loop tests.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
from types import SimpleNamespace

import pandas as pd
import pytest

from warehouse import db as dbmod
from warehouse.alerting import acknowledge_alert, evaluate_alerts, watch_word_matcher
from warehouse.config import parse_config
from warehouse.store import write_items

UTC = dt.timezone.utc
FRIDAY_1730 = dt.datetime(2026, 11, 13, 22, 30, tzinfo=UTC)  # 17:30 America/Toronto (EST)
OWN, OTHER = "Poutine Express", "Frites Inc"
WATCH_WORDS = ["rappel", "boycott", "intoxication", "poursuite", "recall", "lawsuit"]


def make_config(tmp_path, **alerts) -> "Config":  # noqa: F821
    base = {"email_to": ["cm@example.org", "equipe@example.org"], "email_from": "vigie@example.org",
            "smtp_host": "127.0.0.1", "smtp_port": 2525, "watch_words": WATCH_WORDS,
            "dashboard_url": "http://vigie.test", "timezone": "America/Toronto", "cooldown_hours": 6,
            "min_count": 5, "sensitivity": "medium", "engagement_threshold": 100}
    base.update(alerts)
    base = {k: v for k, v in base.items() if v is not None}
    data = {
        "brands": [{"name": OWN, "own": True, "aliases": ["Poutine Express"]},
                   {"name": OTHER, "aliases": ["Frites Inc"]}],
        "sources": [{"name": "Journal", "kind": "rss", "url": "http://127.0.0.1:9/journal.xml", "listed": True},
                    {"name": "Forum", "kind": "forum", "url": "http://127.0.0.1:9/forum/", "preset": "phpbb"}],
        "alerts": base,
    }
    return parse_config(data, str(tmp_path / "vigie.toml"))


class Corpus:
    """Writes mentions with known derived facts."""

    def __init__(self, db: str):
        self.db = db
        self.n = 0

    def add(self, published: dt.datetime, brand: str = OWN, sentiment: str = "neutral", title: str | None = None,
            body: str = "", source: str = "Forum", engagement: int | None = None, terms=("frites",),
            collected_at: dt.datetime | None = None) -> str:
        return self.add_many([dict(published=published, brand=brand, sentiment=sentiment, title=title, body=body,
                                   source=source, engagement=engagement, terms=terms)],
                             collected_at or published)[0]

    def add_many(self, rows: list[dict], collected_at: dt.datetime) -> list[str]:
        items, facts, brands, terms, ids = [], [], [], [], []
        for r in rows:
            mid = f"m{self.n:05d}"
            self.n += 1
            ids.append(mid)
            source = r.get("source", "Forum")
            items.append({"id": mid, "source": source, "source_kind": "rss" if source == "Journal" else "forum",
                          "url": f"https://exemple.ca/{mid}", "title": r.get("title") or f"{r.get('brand', OWN)} {mid}",
                          "body": r.get("body", ""), "published_at": r["published"], "engagement": r.get("engagement")})
            sentiment = r.get("sentiment", "neutral")
            score = {"positive": 0.7, "neutral": 0.0, "negative": -0.7}[sentiment]
            facts.append((mid, "fr", sentiment, score, mid, False, collected_at))
            brands.append((mid, r.get("brand", OWN)))
            terms.extend((mid, t) for t in r.get("terms", ("frites",)))
        write_items(self.db, items, collected_at=collected_at)
        with dbmod.transaction(self.db) as con:
            con.executemany("INSERT INTO mention_facts VALUES (?, ?, ?, ?, ?, ?, ?)", facts)
            con.executemany("INSERT INTO mention_brands VALUES (?, ?)", brands)
            if terms:
                con.executemany("INSERT INTO mention_terms VALUES (?, ?)", terms)
        return ids


def background(corpus: Corpus, now: dt.datetime, days: int = 14) -> None:
    """One neutral mention per brand per hour, for `days` days before now (a quiet baseline)."""
    rows = []
    start = (now - dt.timedelta(days=days)).replace(minute=10, second=0, microsecond=0)
    t = start
    while t < now - dt.timedelta(hours=1):
        for brand in (OWN, OTHER):
            rows.append(dict(published=t, brand=brand, sentiment="neutral", engagement=3, terms=("menu",)))
        t += dt.timedelta(hours=1)
    corpus.add_many(rows, collected_at=now - dt.timedelta(hours=1))


def friday_burst(corpus: Corpus, now: dt.datetime = FRIDAY_1730, n: int = 20) -> list[str]:
    """n negative, much-shared mentions of the own brand between 17:00 and 17:29 local."""
    rows = [dict(published=now - dt.timedelta(minutes=29 - i), brand=OWN, sentiment="negative",
                 title=f"Poutine Express m'a rendu malade #{i}", body="Service lent, poutine froide, déçu.",
                 engagement=150 + i, terms=("froide", "malade")) for i in range(n)]
    return corpus.add_many(rows, collected_at=now)


def fake_detect_latest(counts: pd.DataFrame, now, granularity="hour", k=2.0, min_count=5, **_):
    """Stand-in for warehouse.spikes.detect_latest: the bucket holding `now` vs mean + k·sigma of the others."""
    out = []
    step = dt.timedelta(hours=1) if granularity == "hour" else dt.timedelta(days=1)
    for brand, g in counts.groupby("brand"):
        g = g.sort_values("bucket")
        last = g.iloc[-1]
        base = g.iloc[:-1].tail(24 * 7 if granularity == "hour" else 14)
        for kind, col in (("volume", "n"), ("negative", "negative")):
            mu = float(base[col].mean()) if len(base) else 0.0
            sd = float(statistics.pstdev(base[col])) if len(base) > 1 else 0.0
            threshold = mu + k * sd
            if last[col] >= min_count and last[col] > threshold:
                start = last["bucket"].to_pydatetime()
                out.append(SimpleNamespace(brand=brand, kind=kind, window_start=start, window_end=start + step,
                                           observed=float(last[col]), expected=mu, threshold=threshold,
                                           z=(last[col] - mu) / sd if sd else None, method="fake"))
    return out


def detector():
    """The real detector once warehouse.spikes exists, the stand-in before."""
    try:
        from warehouse.spikes import detect_latest  # noqa: F401
    except ImportError:
        return fake_detect_latest
    return None


def no_health():
    return pd.DataFrame(columns=["source", "state", "consecutive_failures", "failing_since", "last_error",
                                 "last_success_at", "last_new_item_at"])


def outbox_rows(db: str) -> list[dict]:
    with dbmod.connect(db, read_only=True) as con:
        cur = con.execute("SELECT dedup_key, channel, target, payload, next_attempt_at, sent_at, cancelled_at, "
                          "attempts FROM outbox ORDER BY created_at, dedup_key")
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]


def alerts_rows(db: str) -> list[dict]:
    with dbmod.connect(db, read_only=True) as con:
        cur = con.execute("SELECT * FROM alerts ORDER BY created_at, id")
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]


@pytest.fixture
def db(tmp_path):
    return str(tmp_path / "vigie.duckdb")


@pytest.fixture
def friday(tmp_path, db):
    corpus = Corpus(db)
    background(corpus, FRIDAY_1730)
    burst = friday_burst(corpus)
    return SimpleNamespace(db=db, corpus=corpus, burst=burst, config=make_config(tmp_path), now=FRIDAY_1730)


# --- tests --------------------------------------------------------------------------------

def test_watch_words_whole_word_accent_insensitive():
    find = watch_word_matcher(["rappel", "intoxication", "poursuite", "lawsuit"])
    assert find("Avis de RAPPEL du produit") == ["rappel"]
    assert find("Rappél urgent") == ["rappel"]
    assert find("Je te rappelle demain") == []
    assert find("Cas d'intoxication à Laval") == ["intoxication"]
    assert find("Une poursuite-bâillon ?") == ["poursuite"]
    assert find("poursuites") == []
    assert find("Class-action LAWSUIT filed") == ["lawsuit"]


def test_friday_burst_gives_one_grouped_message(friday):
    result = evaluate_alerts(friday.db, friday.config, now=friday.now, detector=detector(), health=no_health())
    rules = sorted({a.rule for a in result.fired})
    assert "negative_spike" in rules and "volume_spike" in rules and "mention" in rules
    mentions = [a for a in result.fired if a.rule == "mention"]
    assert len(mentions) == 20                      # every mention is on record for the dashboard...
    rows = outbox_rows(friday.db)
    assert len(rows) == 1                           # ...but one message goes out (email only configured)
    payload = json.loads(rows[0]["payload"])
    assert sorted(payload["alert_ids"]) == sorted(a.id for a in result.fired)
    assert rows[0]["target"] == "cm@example.org,equipe@example.org"
    assert rows[0]["next_attempt_at"] is None       # not quiet hours: due now

    spike = next(a for a in result.fired if a.rule == "negative_spike" and a.details["granularity"] == "hour")
    assert spike.brand == OWN and spike.observed >= 20 and spike.expected < 1
    assert spike.window_start <= friday.now < spike.window_end
    assert {"term": "froide", "n": 20} in spike.details["top_terms"]
    assert spike.details["top_sources"][0] == {"source": "Forum", "n": 20}
    assert {m["id"] for m in spike.details["mentions"]} <= set(friday.burst)
    assert spike.details["mentions"][0]["url"].startswith("https://exemple.ca/")
    assert "brands=Poutine+Express" in spike.details["share_of_voice_url"]

    stored = {r["id"]: r for r in alerts_rows(friday.db)}
    assert stored[spike.id]["observed"] == spike.observed
    assert json.loads(stored[spike.id]["details"])["top_terms"]


def test_evaluating_twice_adds_nothing(friday):
    first = evaluate_alerts(friday.db, friday.config, now=friday.now, detector=detector(), health=no_health())
    again = evaluate_alerts(friday.db, friday.config, now=friday.now, detector=detector(), health=no_health())
    assert again.fired == [] and again.suppressed == [] and again.messages == []
    assert again.known == len(first.fired)
    assert len(alerts_rows(friday.db)) == len(first.fired)
    assert len(outbox_rows(friday.db)) == 1


def test_nothing_refires_during_the_cooldown(friday):
    evaluate_alerts(friday.db, friday.config, now=friday.now, detector=detector(), health=no_health())
    later = friday.now + dt.timedelta(hours=1)
    friday_burst(friday.corpus, now=later, n=6)
    during = evaluate_alerts(friday.db, friday.config, now=later, detector=detector(), health=no_health())
    assert during.fired == []
    assert len(during.suppressed) == 6              # recorded for the dashboard, not sent
    assert all(a.suppressed == "cooldown" for a in during.suppressed)
    assert len(outbox_rows(friday.db)) == 1
    # Re-evaluating later must not send the held-back mentions late.
    after = friday.now + dt.timedelta(hours=7)
    late = evaluate_alerts(friday.db, friday.config, now=after, detector=detector(), health=no_health())
    assert not [a for a in late.fired if a.rule == "mention"]
    # After the cool-down a new mention fires again.
    friday.corpus.add(after - dt.timedelta(minutes=5), sentiment="negative", engagement=500, title="Encore froide",
                      collected_at=after)
    fresh = evaluate_alerts(friday.db, friday.config, now=after, detector=detector(), health=no_health())
    assert [a.rule for a in fresh.fired] == ["mention"]
    assert len(outbox_rows(friday.db)) == 2


def test_critical_escalates_through_a_cooldown(tmp_path, db):
    config = make_config(tmp_path)
    corpus = Corpus(db)
    now = FRIDAY_1730
    corpus.add(now - dt.timedelta(minutes=10), sentiment="negative", source="Journal", title="Service décevant")
    first = evaluate_alerts(db, config, now=now, detector=fake_detect_latest, health=no_health())
    assert [(a.rule, a.severity, a.kind) for a in first.fired] == [("mention", "warning", "listed_negative")]
    corpus.add(now + dt.timedelta(minutes=20), sentiment="negative", title="Avis de RAPPEL : intoxication",
               body="Plusieurs clients malades.", collected_at=now + dt.timedelta(minutes=30))
    second = evaluate_alerts(db, config, now=now + dt.timedelta(minutes=30), detector=fake_detect_latest,
                             health=no_health())
    assert [(a.severity, tuple(a.details["watch_words"])) for a in second.fired] == [("critical", ("rappel", "intoxication"))]
    # A watch word in a neutral mention is a warning, not critical.
    corpus.add(now + dt.timedelta(hours=8), sentiment="neutral", brand=OTHER, title="Frites Inc : rappel de produit",
               collected_at=now + dt.timedelta(hours=8))
    third = evaluate_alerts(db, config, now=now + dt.timedelta(hours=8), detector=fake_detect_latest, health=no_health())
    assert [(a.brand, a.severity) for a in third.fired] == [(OTHER, "warning")]


def test_positive_or_small_mentions_do_not_alert(tmp_path, db):
    config = make_config(tmp_path)
    corpus = Corpus(db)
    corpus.add(FRIDAY_1730 - dt.timedelta(minutes=5), sentiment="positive", source="Journal", engagement=10_000)
    corpus.add(FRIDAY_1730 - dt.timedelta(minutes=5), sentiment="negative", source="Forum", engagement=99)
    result = evaluate_alerts(db, config, now=FRIDAY_1730, detector=fake_detect_latest, health=no_health())
    assert result.fired == []


def test_failing_and_silent_sources(tmp_path, db):
    config = make_config(tmp_path)
    Corpus(db)  # schema
    since = FRIDAY_1730 - dt.timedelta(hours=3)
    health = pd.DataFrame([
        {"source": "Journal", "state": "failing", "consecutive_failures": 3, "failing_since": since,
         "last_error": "HTTP 503", "last_success_at": since - dt.timedelta(hours=1), "last_new_item_at": None},
        {"source": "Forum", "state": "silent", "consecutive_failures": 0, "failing_since": None, "last_error": None,
         "last_success_at": FRIDAY_1730, "last_new_item_at": FRIDAY_1730 - dt.timedelta(days=3)},
    ])
    result = evaluate_alerts(db, config, now=FRIDAY_1730, detector=fake_detect_latest, health=health)
    assert sorted((a.rule, a.source) for a in result.fired) == [("source_failing", "Journal"), ("source_silent", "Forum")]
    # The same failure streak an hour later is the same alert.
    again = evaluate_alerts(db, config, now=FRIDAY_1730 + dt.timedelta(hours=1), detector=fake_detect_latest,
                            health=health)
    assert again.fired == [] and again.known == 2


def test_real_health_states_feed_the_source_rule(tmp_path, db):
    from warehouse.store import record_fetches
    config = make_config(tmp_path)
    since = FRIDAY_1730 - dt.timedelta(hours=2)
    record_fetches(db, [], [{"source": "Journal", "last_attempt_at": FRIDAY_1730 - dt.timedelta(minutes=5),
                             "consecutive_failures": 2, "failing_since": since, "last_error": "timeout"}])
    result = evaluate_alerts(db, config, now=FRIDAY_1730, detector=fake_detect_latest)
    failing = [a for a in result.fired if a.rule == "source_failing"]
    assert [a.source for a in failing] == ["Journal"]
    assert failing[0].details["last_error"] == "timeout"


def test_acknowledge_alert(friday):
    result = evaluate_alerts(friday.db, friday.config, now=friday.now, detector=detector(), health=no_health())
    target = result.fired[0].id
    assert acknowledge_alert(friday.db, target, by="marie", now=friday.now) is True
    assert acknowledge_alert(friday.db, target, by="marie", now=friday.now) is False   # already acknowledged
    assert acknowledge_alert(friday.db, "al_unknown") is False
    row = next(r for r in alerts_rows(friday.db) if r["id"] == target)
    assert row["status"] == "acknowledged" and row["acknowledged_by"] == "marie"


def test_disabled_alerts_are_stored_but_not_queued(tmp_path, friday):
    config = make_config(tmp_path, enabled=False)
    result = evaluate_alerts(friday.db, config, now=friday.now, detector=detector(), health=no_health())
    assert result.fired and result.messages == [] and outbox_rows(friday.db) == []


def test_cli_alerts_no_send(friday, tmp_path, capsys, monkeypatch):
    from warehouse import alerting
    from warehouse.cli import main
    monkeypatch.setattr(alerting, "_default_detector", lambda: detector() or __import__(
        "warehouse.spikes", fromlist=["detect_latest"]).detect_latest)
    cfg = tmp_path / "cli.toml"
    cfg.write_text(f"""
[[brands]]
name = "{OWN}"
own = true
aliases = ["{OWN}"]

[[sources]]
name = "Forum"
kind = "forum"
url = "http://127.0.0.1:9/forum/"
preset = "phpbb"

[alerts]
email_to = ["cm@example.org"]
smtp_host = "127.0.0.1"
smtp_port = 9
watch_words = ["rappel"]
webhooks = [{{ format = "slack", url = "http://127.0.0.1:9/hook" }}]
digest_time = ""
""", encoding="utf-8")
    rc = main(["alerts", "--config", str(cfg), "--db", friday.db, "--no-send", "--now", "2026-11-13T17:30:00-05:00"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "alertes :" in out and "message(s) en file" in out
    assert {r["channel"] for r in outbox_rows(friday.db)} == {"email", "webhook"}
    assert all(r["sent_at"] is None for r in outbox_rows(friday.db))
    rc = main(["alerts", "--config", str(cfg), "--db", friday.db, "--no-send", "--now", "not a date"])
    assert rc == 2
