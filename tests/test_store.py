"""The one write path: idempotent, atomic, updates in place."""

import datetime as dt

from warehouse import db, store
from warehouse.identity import canonical_url, dedup_keys, mention_id, pseudonymize

UTC = dt.timezone.utc


def item(i, source="Le Devoir", **kw):
    base = dict(id=mention_id(source, f"g:{i}"), source=source, source_kind="rss", url=f"https://x.org/{i}",
                title=f"Titre {i} à Québec", body="Corps", author="Alice",
                published_at=dt.datetime(2024, 5, 6, 14, 3, tzinfo=dt.timezone(dt.timedelta(hours=-4))))
    base.update(kw)
    return base


def test_writing_twice_adds_nothing(tmp_path):
    path = str(tmp_path / "v.duckdb")
    first = store.write_items(path, [item(i) for i in range(10)])
    second = store.write_items(path, [item(i) for i in range(10)])
    assert len(first.new_ids) == 10 and first.new_by_source == {"Le Devoir": 10}
    assert second.new_ids == [] and second.updated_ids == []
    assert db.query_df("SELECT count(*) AS n FROM mentions", db=path).n[0] == 10


def test_timestamps_are_stored_in_utc_and_missing_dates_recorded(tmp_path):
    path = str(tmp_path / "v.duckdb")
    seen = dt.datetime(2024, 5, 7, 12, 0, tzinfo=UTC)
    store.write_items(path, [item(1), item(2, published_at=None)], collected_at=seen)
    rows = db.query_df("SELECT id, published_at, date_estimated FROM mentions ORDER BY date_estimated", db=path)
    assert rows.published_at[0].to_pydatetime() == dt.datetime(2024, 5, 6, 18, 3, tzinfo=UTC)
    assert rows.date_estimated.tolist() == [False, True]
    assert rows.published_at[1].to_pydatetime() == seen


def test_updated_article_is_the_same_mention_updated(tmp_path):
    path = str(tmp_path / "v.duckdb")
    store.write_items(path, [item(1)])
    with db.transaction(path) as con:
        con.execute("INSERT INTO mention_facts (mention_id, language) SELECT id, 'fr' FROM raw_mentions")
    result = store.write_items(path, [item(1, title="Titre corrigé")])
    assert result.updated_ids and not result.new_ids
    rows = db.query_df("SELECT title, updated_at FROM raw_mentions", db=path)
    assert rows.title.tolist() == ["Titre corrigé"] and rows.updated_at.notna().all()
    # Derived facts of a changed mention are dropped so enrichment recomputes them.
    assert db.query_df("SELECT count(*) AS n FROM mention_facts", db=path).n[0] == 0


def test_canonical_urls_and_dedup_ladder():
    assert canonical_url("https://www.ledevoir.com/a/b/?utm_source=x&fbclid=1#top") == \
        canonical_url("http://ledevoir.com/a/b")
    # The same article fetched before and after a site moved to https.
    before, rung = dedup_keys([{"guid": "http://x.org/1"}])
    after, _ = dedup_keys([{"guid": "https://x.org/1/"}])
    assert rung == "guid" and before == after
    # More than 5% blank GUIDs: the whole feed switches to links.
    keys, rung = dedup_keys([{"guid": "", "url": "http://x.org/1"}, {"guid": "a", "url": "http://x.org/2"}])
    assert rung == "link" and keys == ["l:x.org/1", "l:x.org/2"]
    keys, rung = dedup_keys([{"title": "Même titre", "published": "2024-05-06"}, {"title": "Autre"}])
    assert rung == "title" and keys[0] != keys[1]


def test_pseudonyms_are_stable_and_keyed():
    assert pseudonymize("Alice", "k1") == pseudonymize("alice ", "k1")
    assert pseudonymize("Alice", "k1") != pseudonymize("Alice", "k2")
    assert "Alice" not in pseudonymize("Alice", "k1")


def test_read_only_before_first_collection_shows_empty_schema(tmp_path):
    assert db.query_df("SELECT count(*) AS n FROM mentions", db=str(tmp_path / "none.duckdb")).n[0] == 0
    assert not (tmp_path / "none.duckdb").exists()


def test_read_session_shares_one_connection_and_yields_to_a_write(tmp_path):
    path = str(tmp_path / "v.duckdb")
    store.write_items(path, [item(1)])
    with db.read_session(path):
        with db.connect(path, read_only=True) as a, db.connect(path, read_only=True) as b:
            assert a is b
        # A write in the block closes the shared reader first (DuckDB refuses both in one process).
        store.write_items(path, [item(2)])
        assert db.query_df("SELECT count(*) AS n FROM raw_mentions", db=path).n[0] == 2


def test_mixed_batch_new_changed_same_and_repeated(tmp_path):
    """One batch holding new, changed, identical and in-batch repeated items (the LEFT JOIN plan)."""
    path = str(tmp_path / "v.duckdb")
    store.write_items(path, [item(i) for i in range(4)] + [item(i, source="Other") for i in range(2)])
    batch = [item(0), item(1, title="Titre 1 corrigé"), item(9), item(9), item(8, source="Other"),
             item(0, source="Other", body="Nouveau corps")]
    result = store.write_items(path, batch)
    assert sorted(result.new_ids) == sorted([item(9)["id"], item(8, source="Other")["id"]])
    assert sorted(result.updated_ids) == sorted([item(1)["id"], item(0, source="Other")["id"]])
    assert result.new_by_source == {"Le Devoir": 1, "Other": 1}
    assert result.updated_by_source == {"Le Devoir": 1, "Other": 1}
    rows = db.query_df("SELECT id, title, body FROM raw_mentions", db=path).set_index("id")
    assert len(rows) == 8
    assert rows.loc[item(1)["id"], "title"] == "Titre 1 corrigé"
    assert rows.loc[item(0, source="Other")["id"], "body"] == "Nouveau corps"
    again = store.write_items(path, batch)
    assert again.new_ids == [] and again.updated_ids == [] and again.new_by_source == {}


def test_changed_text_drops_the_serving_rows_until_enrichment(fresh_db):
    """A collection that changes a mention's text forgets its derived rows and its serving copies,
    so no dashboard figure keeps the old brand tags before the next enrichment (issue #7)."""
    import pandas as pd

    from warehouse import queries, serving
    from warehouse.queries import Filters

    path = fresh_db["db"]
    with db.transaction(path) as con:
        serving.rebuild_all(con)
    with db.connect(path, read_only=True) as con:
        row = con.execute("""
            SELECT r.id, r.source, r.source_kind, r.url, r.title, r.body, r.author, r.published_at
            FROM raw_mentions r JOIN serving_brand_terms t ON t.mention_id = r.id LIMIT 1
        """).fetchone()
    mid = row[0]
    changed = dict(zip(("id", "source", "source_kind", "url", "title", "body", "author", "published_at"), row))
    changed["title"] = (changed["title"] or "") + " (corrigé)"
    result = store.write_items(path, [changed])
    assert result.updated_ids == [mid]
    with db.connect(path, read_only=True) as con:
        for table in serving.SERVING_TABLES:
            assert con.execute(f"SELECT count(*) FROM {table} WHERE mention_id = ?", [mid]).fetchone()[0] == 0
    # The serving answers still equal the direct joins (which lost the mention's tags too).
    f = Filters(fresh_db["now"] - dt.timedelta(days=60), fresh_db["now"] + dt.timedelta(seconds=1))
    for name in ("share_of_voice_totals", "top_terms_by_brand", "sentiment_by_brand"):
        queries.SERVING = True
        served = getattr(queries, name)(f, db=path)
        queries.SERVING = False
        try:
            direct = getattr(queries, name)(f, db=path)
        finally:
            queries.SERVING = True
        if isinstance(served, pd.DataFrame):
            pd.testing.assert_frame_equal(served.reset_index(drop=True), direct.reset_index(drop=True),
                                          check_dtype=False)
        else:
            assert served == direct
