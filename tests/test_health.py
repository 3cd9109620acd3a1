import datetime as dt
from types import SimpleNamespace

from warehouse.health import PARK_AFTER, RETRY_CAP, classify, compute_health, next_poll_interval, next_source_state

UTC = dt.timezone.utc
NOW = dt.datetime(2024, 5, 6, 12, 0, tzinfo=UTC)
COLLECT = SimpleNamespace(min_poll_minutes=10, max_poll_minutes=24 * 60, silence_factor=4.0)


def test_adaptive_polling_media_cloud_rule():
    assert next_poll_interval(3600, seen_items=10, new_items=1, status="ok", collect=COLLECT) == 5400
    assert next_poll_interval(3600, seen_items=10, new_items=9, status="ok", collect=COLLECT) == 2412
    assert next_poll_interval(3600, seen_items=10, new_items=5, status="ok", collect=COLLECT) == 3600
    assert next_poll_interval(700, seen_items=10, new_items=10, status="ok", collect=COLLECT) == 600  # floor
    assert next_poll_interval(80000, seen_items=10, new_items=0, status="ok", collect=COLLECT) == 86400  # ceiling


def test_not_modified_keeps_the_failure_streak():
    failing = next_source_state(None, source="s", status="error", now=NOW, error="HTTP 500", collect=COLLECT)
    after_304 = next_source_state(failing, source="s", status="not_modified", now=NOW, collect=COLLECT)
    assert after_304["consecutive_failures"] == 1 and after_304["last_error"] == "HTTP 500"
    assert after_304["last_success_at"] is None
    ok = next_source_state(after_304, source="s", status="ok", now=NOW, seen_items=3, new_items=3, etag='"x"',
                           collect=COLLECT)
    assert ok["consecutive_failures"] == 0 and ok["failing_since"] is None and ok["etag"] == '"x"'
    assert ok["last_new_item_at"] == NOW


def test_parked_sources_retry_forever_with_a_cap():
    state, delays = None, []
    for i in range(12):
        state = next_source_state(state, source="s", status="error", now=NOW, error="timeout", collect=COLLECT)
        delays.append(state["next_poll_at"] - NOW)
    assert delays == sorted(delays) and delays[-1] == RETRY_CAP and delays[0] == dt.timedelta(minutes=10)
    assert state["consecutive_failures"] == 12 and state["failing_since"] == NOW
    assert classify(state, now=NOW) == "parked"
    assert classify(dict(state, consecutive_failures=PARK_AFTER - 1), now=NOW) == "failing"


def test_silent_after_much_longer_than_usual():
    published = [NOW - dt.timedelta(days=10, hours=h) for h in range(0, 60, 2)]
    state = {"last_attempt_at": NOW, "consecutive_failures": 0, "last_new_item_at": NOW - dt.timedelta(days=10)}
    rows = compute_health({"s": state}, {"s": {"kind": "rss", "items_total": 30, "published": published}},
                          [("s", "rss"), ("new", "rss")], now=NOW, collect=COLLECT)
    by = {r["source"]: r for r in rows}
    assert by["s"]["state"] == "silent" and by["new"]["state"] == "never"
    recent = dict(state, last_new_item_at=NOW - dt.timedelta(hours=3))
    assert compute_health({"s": recent}, {"s": {"items_total": 30, "published": published}}, now=NOW,
                          collect=COLLECT)[0]["state"] == "ok"


def test_recent_items_equal_the_full_history_lists(tmp_path, monkeypatch):
    # The Sources page reads only recent dates; the lists must equal the full-history ones.
    import duckdb

    from warehouse import db as dbmod
    from warehouse import health

    path = str(tmp_path / "h.duckdb")
    now = dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc)
    rows = []
    for i in range(30):  # dense: many recent items
        rows.append((f"d{i}", "dense", now - dt.timedelta(hours=i)))
    for i in range(6):  # sparse: two recent, the rest months ago (uneven gaps)
        rows.append((f"s{i}", "sparse", now - dt.timedelta(days=1 if i < 2 else 100 + i)))
    rows += [("n1", "undated", None), ("n2", "undated", now - dt.timedelta(days=200)), ("n3", "undated", None)]
    with dbmod.transaction(path) as con:
        con.executemany("INSERT INTO raw_mentions (id, source, source_kind, published_at, collected_at) "
                        "VALUES (?, ?, 'rss', ?, ?)", [(*r, now) for r in rows])
    monkeypatch.setattr(health, "RECENT_ITEMS", 5)
    con = duckdb.connect(path, read_only=True)
    try:
        got = health._recent_items(con, recent=dt.timedelta(days=10))
        full = {r[0]: r[1:] for r in con.execute(
            "SELECT source, any_value(source_kind), count(*), max(collected_at), "
            "list(published_at ORDER BY published_at DESC)[1:5] FROM raw_mentions GROUP BY source").fetchall()}
    finally:
        con.close()
    assert set(got) == set(full) == {"dense", "sparse", "undated"}
    for source, (kind, total, last, published) in full.items():
        assert (got[source]["kind"], got[source]["items_total"], got[source]["last_item_at"]) == (kind, total, last)
        assert got[source]["median_gap"] == health.usual_gap(published), source
    assert got["dense"]["median_gap"] == dt.timedelta(hours=1)
