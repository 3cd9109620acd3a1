"""User decisions written from the dashboard: triage status, daily review.

Each write is one short transaction (db.transaction) so a collection running
at the same time waits a few milliseconds, never the length of a page view.
"""

from __future__ import annotations

import datetime as dt

from . import db as dbmod

UTC = dt.timezone.utc
STATUSES = ("to_handle", "handled", "ignored")


def set_mention_status(db: str | None, mention_id: str, status: str, note: str | None = None,
                       now: dt.datetime | None = None) -> None:
    """Record what the community manager decided about a mention (upsert)."""
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
    now = now or dt.datetime.now(UTC)
    with dbmod.transaction(db) as con:
        con.execute(
            "INSERT INTO mention_status (mention_id, status, updated_at, note) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (mention_id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at, "
            "note = coalesce(excluded.note, mention_status.note)",
            [mention_id, status, now, note])


def mark_reviewed(db: str | None, now: dt.datetime | None = None) -> dt.datetime:
    """Store the moment the daily review was finished; "since last review" starts there."""
    now = now or dt.datetime.now(UTC)
    with dbmod.transaction(db) as con:
        con.execute("INSERT INTO reviews (reviewed_at) VALUES (?)", [now])
    return now


def last_review(db: str | None = None) -> dt.datetime | None:
    df = dbmod.query_df("SELECT max(reviewed_at) AS at FROM reviews", [], db)
    value = df.iloc[0]["at"]
    if value is None or value != value:  # None or NaT
        return None
    return value.to_pydatetime().astimezone(UTC)


def acknowledge_alert(db: str | None, alert_id: str, by: str | None = None,
                      now: dt.datetime | None = None) -> None:
    """Fallback used only when warehouse.alerting does not provide its own."""
    now = now or dt.datetime.now(UTC)
    with dbmod.transaction(db) as con:
        con.execute("UPDATE alerts SET status = 'acknowledged', acknowledged_at = ?, acknowledged_by = ? "
                    "WHERE id = ? AND status = 'open'", [now, by, alert_id])
