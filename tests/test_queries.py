"""Named queries on the fixture database: known numbers, parameters never become SQL."""

from __future__ import annotations

import datetime as dt

import pytest

from warehouse import actions, queries
from warehouse.queries import Filters

UTC = dt.timezone.utc


@pytest.fixture
def last24(fixture_data):
    now = fixture_data["now"] + dt.timedelta(seconds=1)
    return Filters(now - dt.timedelta(hours=24), now)


def test_overview_last_24h(fixture_data, last24):
    ov = queries.overview(last24, ("Vidéotron",), fixture_data["db"])
    assert ov["mentions"] == 12 and ov["positive"] == 3 and ov["negative"] == 6
    assert ov["net_sentiment"] == pytest.approx(-3 / 9)
    assert ov["own_share"] == pytest.approx(50.0)
    prev = queries.overview(last24.previous(), ("Vidéotron",), fixture_data["db"])
    assert prev["mentions"] == 8 and prev["own_share"] == pytest.approx(75.0)


def test_share_by_kind_and_sentiment_sum_to_100(fixture_data):
    f = Filters.last_days(60, now=fixture_data["now"] + dt.timedelta(seconds=1))
    kinds = queries.share_of_voice_by_kind(f, fixture_data["db"])
    assert set(kinds["source_kind"]) == {"rss", "forum"}
    assert kinds.groupby("source_kind")["share"].sum().round(6).eq(100).all()
    sent = queries.sentiment_by_brand(f, fixture_data["db"])
    assert sent.groupby("brand")["share"].sum().round(6).eq(100).all()
    assert sent["net_sentiment"].between(-1, 1).all()


def test_search_folds_accents_and_escapes_wildcards(fixture_data):
    f = Filters.last_days(60, now=fixture_data["now"] + dt.timedelta(seconds=1))
    db = fixture_data["db"]
    assert queries.count_mentions(f, "DECU montreal", db) == 6
    assert queries.count_mentions(f, "%", db) == 0  # a literal percent sign, not "anything"
    assert queries.count_mentions(f, "'; DROP TABLE mentions; --", db) == 0
    assert queries.mention_count(db) == fixture_data["n_mentions"]
    page = queries.search_mentions(f, "panne", db, limit=5, offset=0)
    assert len(page) == 5 and page["published_at"].is_monotonic_decreasing
    assert {"brands", "url", "title"} <= set(page.columns)


def test_triage_status_round_trip(fresh_db):
    db = fresh_db["db"]
    f = Filters.last_days(60, now=fresh_db["now"] + dt.timedelta(seconds=1))
    before = queries.triage_queue(f, db, limit=500)
    assert fresh_db["script_id"] in before["id"].tolist()
    actions.set_mention_status(db, fresh_db["script_id"], "ignored")
    actions.set_mention_status(db, fresh_db["script_id"], "handled")  # upsert, not a second row
    assert queries.mention_status_of(fresh_db["script_id"], db) == "handled"
    assert fresh_db["script_id"] not in queries.triage_queue(f, db, limit=500)["id"].tolist()
    handled = queries.triage_queue(f, db, statuses=("handled",))
    assert handled["id"].tolist() == [fresh_db["script_id"]]
    with pytest.raises(ValueError):
        actions.set_mention_status(db, "x", "done")


def test_review_and_acknowledge(fresh_db):
    db = fresh_db["db"]
    assert actions.last_review(db) is None
    at = actions.mark_reviewed(db)
    assert abs((actions.last_review(db) - at).total_seconds()) < 1e-3
    assert len(queries.open_alerts(db)) == 1
    actions.acknowledge_alert(db, "a1", by="test")
    assert queries.open_alerts(db).empty


def test_terms_questions_and_sources(fixture_data):
    f = Filters.last_days(60, now=fixture_data["now"] + dt.timedelta(seconds=1))
    db = fixture_data["db"]
    counts = queries.term_counts_daily(f, db)
    assert list(counts.columns) == ["term", "day", "n"]
    top = queries.top_terms_by_brand(f, db, per_brand=3)
    assert top.groupby("brand")["rank"].max().le(3).all()
    timeline = queries.term_timeline(f, "panne", db)
    assert timeline["mentions"].sum() >= 8
    grouped = queries.group_questions_exact(queries.questions_asked(f, db))
    assert grouped["question"].str.lower().str.contains("meilleur forfait").sum() == 1
    comp = queries.competitor_engagement_terms(f, ("Vidéotron",), db)
    assert "Vidéotron" not in set(comp["brand"])
    errors = queries.crawl_errors(db)
    assert len(errors) == 10 and set(errors["source"]) == {"Flux en panne"}
    vol = queries.volume_by_source_daily(f, db)
    assert set(vol["source"]) == {"La Presse", "Forum Mobile"}


def test_queries_on_a_missing_database(tmp_path):
    db = str(tmp_path / "none.duckdb")
    f = Filters.last_days(7)
    assert queries.count_mentions(f, "x", db) == 0
    assert queries.search_mentions(f, None, db).empty
    assert queries.overview(f, ("A",), db)["net_sentiment"] is None
    assert actions.last_review(db) is None
