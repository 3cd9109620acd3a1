"""Source health for the command line. The computation lives in
warehouse/health.py so the dashboard can use it without importing crawlers."""

from __future__ import annotations

import datetime as dt

from warehouse.health import (PARK_AFTER, compute_health, next_poll_interval, next_source_state,  # noqa: F401
                              retry_delay, source_health)

UTC = dt.timezone.utc


def _when(value, now: dt.datetime) -> str:
    if value is None or (hasattr(value, "isna") and value.isna()) or str(value) == "NaT":
        return "-"
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    delta = (value - now).total_seconds()
    stamp = value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    minutes = abs(delta) / 60
    span = f"{minutes:.0f} min" if minutes < 90 else f"{minutes / 60:.1f} h" if minutes < 48 * 60 else f"{minutes / 1440:.0f} d"
    return f"{stamp} ({'in ' + span if delta > 0 else span + ' ago'})"


def format_health(frame, now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(UTC)
    headers = ("source", "state", "last success (UTC)", "failures", "last error", "next poll (UTC)", "items")
    rows = []
    for r in frame.itertuples(index=False):
        error = r.last_error if isinstance(r.last_error, str) else "-"
        rows.append((str(r.source), str(r.state), _when(r.last_success_at, now), str(r.consecutive_failures),
                     error[:70], _when(r.next_poll_at, now), str(r.items_total)))
    return table(headers, rows)


def table(headers, rows) -> str:
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    out = [line(headers), line(["-" * w for w in widths])]
    out += [line(r) for r in rows]
    return "\n".join(out)
