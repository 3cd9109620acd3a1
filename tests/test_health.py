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
