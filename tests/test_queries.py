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


# --- serving tables (warehouse/serving.py) give the same answers as the direct joins ---

@pytest.fixture
def served_db(fresh_db):
    from warehouse import db as dbmod
    from warehouse import serving
    with dbmod.transaction(fresh_db["db"]) as con:
        serving.rebuild_all(con)
    return fresh_db


def _serving_calls(now: dt.datetime, own: tuple[str, ...]):
    end = now + dt.timedelta(seconds=1)
    month = Filters(end - dt.timedelta(days=30), end)
    views = [
        month,
        Filters(end - dt.timedelta(days=60), end, brands=("Bell",)),
        Filters(end - dt.timedelta(days=60), end, brands=("Bell", "Fizz"), sources=("La Presse",)),
        Filters(end - dt.timedelta(days=60), end, kinds=("forum",), languages=("fr",), sentiments=("negative",)),
        Filters(end - dt.timedelta(hours=24), end, tz="UTC"),
        Filters(end - dt.timedelta(days=2), end - dt.timedelta(days=1)),  # maybe empty
    ]
    for f in views:
        yield "share_of_voice_daily", (f,), {}
        yield "share_of_voice_totals", (f,), {}
        yield "share_of_voice_totals_plain", (f,), {}
        yield "share_of_voice_by_kind", (f,), {}
        yield "sentiment_by_brand", (f,), {}
        yield "normalized_attention", (f,), {}
        yield "overview", (f, own), {}
        yield "overview", (f, ()), {}
        for status in ("to_handle", "handled"):
            yield "triage_queue", (f,), {"statuses": (status,), "engagement_threshold": 50, "limit": 7}
        yield "search_mentions", (f, ""), {"limit": 5, "offset": 2}
        yield "search_mentions", (f, "panne"), {"limit": 50}
        yield "count_mentions", (f, ""), {}
        yield "count_mentions", (f, "panne"), {}
        yield "term_counts_daily", (f,), {}
        yield "top_terms_by_brand", (f,), {"per_brand": 3}
        yield "term_timeline", (f, "panne"), {}
        yield "term_mentions", (f, "panne"), {"limit": 4}
        yield "questions_asked", (f,), {}
        yield "competitor_engagement_terms", (f, own), {"limit": 5}
        yield "volume_by_source_daily", (f,), {}
        yield "briefing_sentiment", (f,), {}
        yield "briefing_top_terms", (f,), {"per_brand": 2}
        yield "briefing_rising_terms", (f,), {"min_mentions": 1}
        yield "briefing_notable_mentions", (f,), {"order": "engagement"}
        yield "briefing_notable_mentions", (f,), {"order": "negative", "limit": 3}
        yield "briefing_sources", (f,), {}
        prev = f.previous()
        yield "briefing_sentiment_periods", ((f, prev),), {}
        yield "briefing_sources_periods", ((f, prev),), {}
        yield "briefing_notable_pair", (f,), {"limit": 3}


def _same(a, b, label):
    import pandas as pd
    if isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple)) and len(a) == len(b), label
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{label}[{i}]")
    elif isinstance(a, pd.DataFrame):
        assert list(a.columns) == list(b.columns), label
        assert len(a) == len(b), label
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False,
                                      obj=label)
    else:
        assert a == b, label


def test_serving_tables_give_the_direct_answers(served_db, monkeypatch):
    from warehouse import db as dbmod
    db = served_db["db"]
    own = ("Vidéotron",)
    actions.set_mention_status(db, served_db["script_id"], "handled")
    calls = list(_serving_calls(served_db["now"], own))
    assert queries._serving(db)
    for name, args, kwargs in calls:
        label = f"{name}{args[1:]}{kwargs} {args[0]}"
        monkeypatch.setattr(queries, "SERVING", True)
        with dbmod.read_session(db):
            served = getattr(queries, name)(*args, **kwargs, db=db)
        monkeypatch.setattr(queries, "SERVING", False)
        direct = getattr(queries, name)(*args, **kwargs, db=db)
        _same(served, direct, label)
    # Some views must hold data, or the comparison proves nothing.
    monkeypatch.setattr(queries, "SERVING", True)
    f = Filters(served_db["now"] - dt.timedelta(days=30), served_db["now"] + dt.timedelta(seconds=1))
    assert not queries.share_of_voice_daily(f, db).empty
    assert not queries.top_terms_by_brand(f, db).empty
    assert not queries.triage_queue(f, db, engagement_threshold=50).empty


def test_serving_follows_enrichment_purge_and_rebuild(served_db):
    from warehouse import db as dbmod
    from warehouse import serving
    db = served_db["db"]
    with dbmod.connect(db, read_only=True) as con:
        direct = con.execute("SELECT count(*) FROM mention_brands b JOIN raw_mentions r ON r.id = b.mention_id").fetchone()[0]
        served = con.execute("SELECT count(*) FROM serving_brand_mentions").fetchone()[0]
        terms = con.execute("SELECT count(*) FROM mention_terms t JOIN mention_brands b USING (mention_id) "
                            "JOIN raw_mentions r ON r.id = t.mention_id").fetchone()[0]
        served_terms = con.execute("SELECT count(*) FROM serving_brand_terms").fetchone()[0]
        some = con.execute("SELECT mention_id FROM serving_brand_mentions LIMIT 2").fetchall()
    assert served == direct and served_terms == terms
    ids = [r[0] for r in some]
    # A chunk re-enriched with no brand leaves no serving rows; new story ids are copied.
    with dbmod.transaction(db) as con:
        con.execute("DELETE FROM mention_brands WHERE mention_id = ?", [ids[0]])
        serving.refresh(con, [ids[0]])
        import pyarrow as pa
        con.register("story_map", pa.table({"mention_id": [ids[1]], "story_id": ["story-x"]}))
        serving.update_stories(con, "story_map")
        con.unregister("story_map")
        assert con.execute("SELECT count(*) FROM serving_brand_mentions WHERE mention_id = ?", [ids[0]]).fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM serving_brand_terms WHERE mention_id = ?", [ids[0]]).fetchone()[0] == 0
        assert con.execute("SELECT DISTINCT story_key FROM serving_brand_mentions WHERE mention_id = ?",
                           [ids[1]]).fetchall() == [("story-x",)]
    # Purge removes serving rows with the mentions (every table with a mention_id column).
    from warehouse.maintenance import purge
    purge(db, 10, now=served_db["now"], compact_file=False)
    with dbmod.connect(db, read_only=True) as con:
        left = con.execute("SELECT count(*) FROM serving_brand_mentions s ANTI JOIN raw_mentions r "
                           "ON r.id = s.mention_id").fetchone()[0]
    assert left == 0


def test_queries_ignore_serving_tables_until_built(fresh_db):
    # The fixture wrote derived rows directly: no serving_version, so the direct SQL answers.
    assert not queries._serving(fresh_db["db"])


@pytest.mark.parametrize("tz", ["America/Toronto", "Asia/Kolkata", "Australia/Lord_Howe", "UTC", "America/St_Johns"])
def test_fast_local_day_equals_timezone(tz):
    # The serving reads compute local days by arithmetic on the window's offsets; the
    # days must be timezone()'s, on both sides of DST changes and of local midnight.
    import duckdb
    start = dt.datetime(2026, 3, 1, tzinfo=UTC)
    end = dt.datetime(2026, 11, 15, tzinfo=UTC)
    f = Filters(start, end, tz=tz)
    con = duckdb.connect()
    try:
        con.execute("CREATE TABLE m AS SELECT t AS published_at FROM "
                    "(SELECT range AS t FROM range(TIMESTAMPTZ '2026-03-01 00:00:00+00', "
                    "TIMESTAMPTZ '2026-11-15 00:00:00+00', INTERVAL 17 MINUTE)) "
                    "UNION ALL SELECT TIMESTAMPTZ '2026-11-01 05:59:59.999999+00' "
                    "UNION ALL SELECT TIMESTAMPTZ '2026-11-01 06:00:00+00' "
                    "UNION ALL SELECT TIMESTAMPTZ '2026-03-08 06:59:59.999999+00'")
        day, params = queries._fast_local_day("m.published_at", f)
        bad = con.execute(f"SELECT count(*), count(*) FILTER (WHERE {day} IS DISTINCT FROM "
                          f"{queries._local_day('m.published_at')}) FROM m", [*params, tz]).fetchall()[0]
    finally:
        con.close()
    assert bad[0] > 20000 and bad[1] == 0


def test_enrichment_and_rebuild_keep_serving_tables_equal_to_the_joins(tmp_path, monkeypatch):
    # Through the real enrich_pending / rebuild paths, with a stand-in for the models.
    import pyarrow as pa

    from warehouse import db as dbmod
    from warehouse import enrich
    from warehouse.store import write_items

    def fake_compute(self, rows):
        ids = rows["id"]
        b_ids, b_names, t_ids, t_terms = [], [], [], []
        for i, mid in enumerate(ids):
            text = f"{rows['title'][i]} {rows['body'][i]}".lower()
            for brand in ("Bell", "Fizz"):
                if brand.lower() in text:
                    b_ids.append(mid)
                    b_names.append(brand)
            for term in sorted(set(text.split())):
                t_ids.append(mid)
                t_terms.append(term)
        n = len(ids)
        return {
            "mention_facts": pa.table({
                "mention_id": pa.array(ids, pa.string()), "language": pa.array(["fr"] * n, pa.string()),
                "sentiment": pa.array(["negative" if i % 3 == 0 else "positive" for i in range(n)], pa.string()),
                "sentiment_score": pa.array([-0.5 if i % 3 == 0 else 0.5 for i in range(n)], pa.float64()),
                "story_id": pa.array(ids, pa.string()), "is_question": pa.array([False] * n, pa.bool_()),
                "computed_at": pa.array([dt.datetime.now(UTC)] * n, pa.timestamp("us", tz="UTC"))}),
            "mention_brands": pa.table({"mention_id": pa.array(b_ids, pa.string()),
                                        "brand": pa.array(b_names, pa.string())}),
            "mention_terms": pa.table({"mention_id": pa.array(t_ids, pa.string()),
                                       "term": pa.array(t_terms, pa.string())}),
            "mention_questions": pa.table({"mention_id": pa.array([], pa.string()),
                                           "question": pa.array([], pa.string())}),
        }

    monkeypatch.setattr(enrich.Enricher, "__init__", lambda self, config: None)
    monkeypatch.setattr(enrich.Enricher, "compute", fake_compute)
    monkeypatch.setattr(enrich, "_set_meta", lambda *a, **k: None)
    monkeypatch.setattr(enrich, "_get_meta", lambda *a, **k: None)
    monkeypatch.setattr(enrich, "config_fingerprint", lambda config: "x")
    db = str(tmp_path / "e.duckdb")
    now = dt.datetime(2026, 5, 20, 12, tzinfo=UTC)
    words = ["panne Bell réseau", "Fizz forfait prix", "Bell et Fizz panne", "rien à voir", "Bell service lent"]
    items = [{"id": f"e{i}", "source": "S" + str(i % 2), "source_kind": "rss", "url": f"https://exemple.ca/{i}",
              "title": words[i % 5], "body": f"texte {i} {words[(i + 2) % 5]}", "engagement": i * 10,
              "published_at": now - dt.timedelta(hours=7 * i)} for i in range(60)]
    write_items(db, items[:30], collected_at=now)
    enrich.enrich_pending(db, None)
    write_items(db, items[30:], collected_at=now)
    enrich.enrich_pending(db, None)  # second chunk: incremental refresh

    f = Filters(now - dt.timedelta(days=20), now + dt.timedelta(hours=1))
    names = [("share_of_voice_daily", (f,), {}), ("top_terms_by_brand", (f,), {}), ("term_counts_daily", (f,), {}),
             ("competitor_engagement_terms", (f, ("Bell",)), {}), ("triage_queue", (f,), {"engagement_threshold": 200}),
             ("briefing_notable_mentions", (f,), {}), ("overview", (f, ("Bell",)), {}),
             ("briefing_rising_terms", (Filters(now - dt.timedelta(days=5), f.end),), {"min_mentions": 1})]

    def check():
        assert queries._serving(db)
        for name, args, kwargs in names:
            monkeypatch.setattr(queries, "SERVING", True)
            served = getattr(queries, name)(*args, **kwargs, db=db)
            monkeypatch.setattr(queries, "SERVING", False)
            direct = getattr(queries, name)(*args, **kwargs, db=db)
            _same(served, direct, name)
        monkeypatch.setattr(queries, "SERVING", True)

    check()
    assert not queries.top_terms_by_brand(f, db).empty
    enrich.rebuild(db, None)
    check()
    with dbmod.connect(db, read_only=True) as con:
        order = con.execute("SELECT published_at FROM serving_brand_mentions").fetchall()
    assert order == sorted(order)  # rebuild writes them in date order again


def test_benchmark_build_fills_serving_per_chunk_and_is_reused(tmp_path):
    # benchmarks/pages.py fills the serving tables chunk by chunk (10M cannot join at the end):
    # they must equal serving.rebuild_all's, and a second build of the same size reuses the file.
    import duckdb

    from benchmarks import pages
    from warehouse import serving
    path = str(tmp_path / "p.duckdb")
    first = pages.build_db(path, 3000, log=lambda m: None, chunk=1000)
    assert not first.get("reused")
    again = pages.build_db(path, 3000, log=lambda m: None, chunk=1000)
    assert again.get("reused")
    con = duckdb.connect(path)
    try:
        assert serving.is_ready(con)
        before = [con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
                  for t in ("serving_brand_mentions", "serving_brand_terms")]
        serving.rebuild_all(con)
        after = [con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
                 for t in ("serving_brand_mentions", "serving_brand_terms")]
    finally:
        con.close()
    assert before == after and len(before[1]) > 0


def test_combined_briefing_queries_equal_the_single_ones(served_db, monkeypatch):
    """The briefing's one-statement forms (both periods, both notable lists) give the frames of
    the separate calls, on both paths."""
    from warehouse import db as dbmod
    db = served_db["db"]
    end = served_db["now"] + dt.timedelta(seconds=1)
    for f in (Filters(end - dt.timedelta(days=7), end), Filters(end - dt.timedelta(days=30), end, brands=("Bell",)),
              Filters(end - dt.timedelta(days=2), end - dt.timedelta(days=1))):
        prev = f.previous()
        for serving in (True, False):
            monkeypatch.setattr(queries, "SERVING", serving)
            with dbmod.read_session(db):
                _same(queries.briefing_sentiment_periods((f, prev), db),
                      [queries.briefing_sentiment(f, db), queries.briefing_sentiment(prev, db)], "sentiment")
                _same(queries.briefing_sources_periods((f, prev), db),
                      [queries.briefing_sources(f, db), queries.briefing_sources(prev, db)], "sources")
                for limit in (1, 5):
                    _same(queries.briefing_notable_pair(f, db, limit=limit),
                          [queries.briefing_notable_mentions(f, db, "engagement", limit),
                           queries.briefing_notable_mentions(f, db, "negative", limit)], f"notable {limit}")
    monkeypatch.setattr(queries, "SERVING", True)
    month = Filters(end - dt.timedelta(days=30), end)
    engaged, negative = queries.briefing_notable_pair(month, db)
    assert len(engaged) and len(negative)  # the comparison saw rows


def test_exact_question_grouping_folds_and_keeps_the_newest():
    import pandas as pd
    t = pd.Timestamp("2024-05-06 12:00", tz="UTC")
    asked = pd.DataFrame({
        "question": ["Pourquoi la panne ?", "pourquoi LA  panne?", "Quand ?", "Pourquoi la Panne !", "Où ?"],
        "mention_id": list("abcde"), "source": ["s1", "s2", "s3", "s4", "s5"],
        "published_at": [t, t, t - pd.Timedelta(hours=1), t - pd.Timedelta(hours=2), t],
        "language": ["fr"] * 5, "url": ["u1", "u2", "u3", "u4", "u5"], "brands": ["A", "B", "A", "A", "B"]})
    out = queries.group_questions_exact(asked)
    assert out.columns.tolist() == ["question", "count", "source", "last_asked", "url", "brands"]
    assert out["question"].tolist() == ["Pourquoi la panne ?", "Où ?", "Quand ?"]
    assert out["count"].tolist() == [3, 1, 1]
    assert out["url"].tolist() == ["u1", "u5", "u3"]  # ties on the date: the first row given wins
    assert out["last_asked"].tolist() == [t, t, t - pd.Timedelta(hours=1)]
    assert queries.group_questions_exact(asked.iloc[:0]).empty


def test_topics_term_rankings_share_one_scan_per_session(served_db, monkeypatch):
    """top_terms_by_brand and competitor_engagement_terms rank one (brand, term) aggregate, read
    once per read session and filters; the answers stay those of the direct SQL."""
    from warehouse import db as dbmod
    db = served_db["db"]
    end = served_db["now"] + dt.timedelta(seconds=1)
    own = ("Vidéotron",)
    for f in (Filters(end - dt.timedelta(days=30), end), Filters(end - dt.timedelta(days=60), end, brands=("Bell", "Fizz")),
              Filters(end - dt.timedelta(days=60), end, sources=("La Presse",))):
        monkeypatch.setattr(queries, "SERVING", False)
        direct = (queries.top_terms_by_brand(f, db, per_brand=3), queries.top_terms_by_brand(f, db, per_brand=10),
                  queries.competitor_engagement_terms(f, own, db, limit=5), queries.competitor_engagement_terms(f, (), db))
        monkeypatch.setattr(queries, "SERVING", True)
        seen = []
        original = dbmod.query_df

        def spy(sql, params=None, db=None):
            seen.append(sql)
            return original(sql, params, db)

        monkeypatch.setattr(dbmod, "query_df", spy)
        with dbmod.read_session(db):
            served = (queries.top_terms_by_brand(f, db, per_brand=3), queries.top_terms_by_brand(f, db, per_brand=10),
                      queries.competitor_engagement_terms(f, own, db, limit=5),
                      queries.competitor_engagement_terms(f, (), db))
        monkeypatch.setattr(dbmod, "query_df", original)
        assert sum("serving_brand_terms" in sql for sql in seen) == 1
        _same(list(served), list(direct), f"term rankings {f}")
        assert not served[1].empty


def test_question_themes_groups_wordings_and_caps_the_fuzzy_pass():
    import datetime as dt

    import pandas as pd

    from warehouse.queries import question_themes

    t0 = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
    qs = ["Comment annuler mon forfait Fluxo ?", "comment annuler mon forfait fluxo?",
          "Comment résilier mon forfait ?", "Quand la panne sera-t-elle réparée ?",
          "La panne est-elle réparée ?", "Pourquoi ?"]
    df = pd.DataFrame({"question": qs, "mention_id": list("abcdef"), "source": list("ssssst"),
                       "published_at": [t0 + dt.timedelta(hours=i) for i in range(6)],
                       "language": ["fr"] * 6, "url": [f"https://example.org/{i}" for i in range(6)],
                       "brands": ["Fluxo"] * 6})
    out = question_themes(df)
    assert out["count"].tolist() == [3, 2, 1] and out["variants"].tolist() == [2, 2, 1]
    assert "forfait" in out["theme"][0] and "panne" in out["theme"][1]
    assert out["theme"].isna().tolist() == [False, False, True]  # "Pourquoi ?" has no content term
    assert out["last_asked"][1] == t0 + dt.timedelta(hours=4)  # newest asking of the theme
    # Beyond max_fuzzy distinct questions, each stays its own row; nothing is lost.
    capped = question_themes(df, max_fuzzy=1)
    assert capped["count"].sum() == 6 and len(capped) == 5
    assert question_themes(df.iloc[:0]).empty
    # A French question in a mention tagged "en" still gets French stop words removed.
    mislabelled = question_themes(df.assign(language="en"))
    assert not ({"est", "la", "le", "mon"} & set(" · ".join(mislabelled["theme"].dropna()).split(" · ")))
