"""Alert rules: from stored mentions and source health to `alerts` rows.

One evaluation reads (short read-only connections), decides in Python, then
writes the new alerts and their outgoing messages in ONE short transaction, so
a crash never leaves an alert without its message or the other way round.

Rules (each alert row says which):
- volume_spike / negative_spike: per brand, hourly and daily, from
  warehouse.spikes at the configured sensitivity (k) and min_count.
- mention: one mention that matters: negative and (from a `listed` source or
  engagement >= engagement_threshold), or containing a watch word (whole word,
  accent- and case-insensitive). Watch word + negative = critical.
- source_failing / source_silent: from warehouse.health states.

Idempotence: alert ids are hashes of what identifies the event (rule, brand,
window or mention, failure streak), so evaluating twice inserts nothing new.
Cool-down: once a rule fired for a brand (or a source), new alerts of that rule
and brand within cooldown_hours are not sent. Spike and source alerts are not
even stored then (it is the same ongoing event); mention alerts are stored with
suppressed = 'cooldown' so the dashboard still lists the mention and a later
evaluation does not send it late. A critical alert is never held back by the
cool-down of a non-critical one (an escalation must reach a person).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import sys
from dataclasses import asdict, dataclass, field
from typing import Any, Callable
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pandas as pd

from . import db as dbmod
from .config import Config
from .textnorm import fold

log = logging.getLogger(__name__)
UTC = dt.timezone.utc

RULES = ("volume_spike", "negative_spike", "mention", "source_failing", "source_silent")
SEVERITY_RANK = {"info": 0, "warning": 1, "critical": 2}
# Mentions published this long before the evaluation are still considered (a
# feed polled every few hours delivers items hours after they were written);
# deterministic ids keep a mention from being alerted twice.
MENTION_LOOKBACK = dt.timedelta(hours=24)
# History handed to the spike detector (it picks its own baseline within it).
HOURLY_HISTORY = dt.timedelta(days=14)
DAILY_HISTORY = dt.timedelta(days=28)
SAMPLE_MENTIONS = 5
ALERT_COLUMNS = ("id", "rule", "brand", "source", "kind", "severity", "window_start", "window_end", "observed",
                 "expected", "explanation", "details", "created_at", "status", "suppressed")


@dataclass
class Alert:
    id: str
    rule: str
    kind: str
    severity: str
    created_at: dt.datetime
    brand: str | None = None
    source: str | None = None
    window_start: dt.datetime | None = None
    window_end: dt.datetime | None = None
    observed: float | None = None
    expected: float | None = None
    explanation: str = ""
    details: dict = field(default_factory=dict)
    status: str = "open"
    suppressed: str | None = None

    @property
    def cooldown_key(self) -> tuple[str, str]:
        return self.rule, (self.brand if self.brand is not None else f"source:{self.source}")

    def row(self) -> list:
        values = asdict(self)
        values["details"] = json.dumps(self.details, ensure_ascii=False, default=str)
        return [values[c] for c in ALERT_COLUMNS]


@dataclass
class Evaluation:
    now: dt.datetime
    fired: list[Alert] = field(default_factory=list)       # new and to be sent
    suppressed: list[Alert] = field(default_factory=list)  # new but within a cool-down
    known: int = 0                                          # candidates already stored
    messages: list[str] = field(default_factory=list)      # outbox dedup keys enqueued

    @property
    def critical(self) -> int:
        return sum(1 for a in self.fired if a.severity == "critical")


def alert_id(*parts: Any) -> str:
    text = "|".join("" if p is None else str(p) for p in parts)
    return "al_" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def _utc(value) -> dt.datetime | None:
    if value is None or (not isinstance(value, dt.datetime) and pd.isna(value)):
        return None
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _iso(value) -> str | None:
    value = _utc(value)
    return value.isoformat() if value else None


def dashboard_link(config: Config, alert: Alert | dict) -> str:
    """Where the dashboard explains this alert (its filters live in st.query_params)."""
    base = config.alerts.dashboard_url.rstrip("/")
    get = alert.get if isinstance(alert, dict) else lambda k: getattr(alert, k)
    return f"{base}/today?{urlencode({'alert': get('id')})}"


def share_of_voice_link(config: Config, brand: str, start: dt.datetime, end: dt.datetime) -> str:
    tz = ZoneInfo(config.alerts.timezone)
    lo = start.astimezone(tz).date()
    hi = (end - dt.timedelta(microseconds=1)).astimezone(tz).date()
    base = config.alerts.dashboard_url.rstrip("/")
    return f"{base}/share_of_voice?{urlencode({'from': lo.isoformat(), 'to': hi.isoformat(), 'brands': brand})}"


# --- watch words -------------------------------------------------------------------

def watch_word_matcher(words) -> Callable[[str], list[str]]:
    """A function returning the watch words found in a text (whole words, accents ignored)."""
    patterns = []
    for word in words:
        folded = fold(word).strip()
        if folded:
            patterns.append((word, re.compile(r"(?<!\w)" + re.escape(folded) + r"(?!\w)")))

    def find(text: str) -> list[str]:
        if not patterns or not text:
            return []
        folded = fold(text)
        return [word for word, rx in patterns if rx.search(folded)]
    return find


# --- spikes ---------------------------------------------------------------------------

def _brand_names(config: Config) -> list[str]:
    return [b.name for b in config.brands]


def spike_counts(db: str, config: Config, now: dt.datetime, granularity: str) -> pd.DataFrame:
    """brand, bucket, n, negative; every bucket of the history present (zeros included).

    Hourly buckets are UTC hours; daily buckets are the user's local days (a
    23:30 Montréal post belongs to that evening), given as tz-aware local midnights.
    """
    tz = config.alerts.timezone
    history = HOURLY_HISTORY if granularity == "hour" else DAILY_HISTORY
    start = now - history
    if granularity == "hour":
        bucket_sql = "date_trunc('hour', timezone('UTC', m.published_at))"
    else:
        bucket_sql = "date_trunc('day', timezone(?, m.published_at))"
    params: list = [] if granularity == "hour" else [tz]
    with dbmod.connect(db, read_only=True) as con:
        df = con.execute(f"""
            SELECT b.brand, {bucket_sql} AS bucket, count(*) AS n,
                   count(*) FILTER (WHERE m.sentiment = 'negative') AS negative
            FROM mention_brands b JOIN mentions m ON m.id = b.mention_id
            WHERE m.published_at >= ? AND m.published_at <= ?
            GROUP BY 1, 2
        """, [*params, start, now]).df()
    if granularity == "hour":
        first = pd.Timestamp(start).tz_convert("UTC").floor("h")
        last = pd.Timestamp(now).tz_convert("UTC").floor("h")
        grid = pd.date_range(first, last, freq="h")
        if not df.empty:
            df["bucket"] = pd.to_datetime(df["bucket"]).dt.tz_localize("UTC")
    else:
        zone = ZoneInfo(tz)
        d0 = start.astimezone(zone).date()
        d1 = now.astimezone(zone).date()
        grid = pd.DatetimeIndex([pd.Timestamp(d).tz_localize(tz, nonexistent="shift_forward", ambiguous=False)
                                 for d in pd.date_range(d0, d1, freq="D")])
        if not df.empty:
            df["bucket"] = pd.to_datetime(df["bucket"]).dt.tz_localize(tz, nonexistent="shift_forward",
                                                                       ambiguous=False)
    brands = sorted(set(_brand_names(config)) | set(df["brand"].unique() if not df.empty else []))
    full = pd.MultiIndex.from_product([brands, grid], names=["brand", "bucket"]).to_frame(index=False)
    full["bucket"] = pd.to_datetime(full["bucket"], utc=True)
    if df.empty:
        full["n"] = 0
        full["negative"] = 0
        return full
    out = full.merge(df, on=["brand", "bucket"], how="left")
    # UTC instants in one datetime64 column: local midnights across a DST
    # change have two offsets and would otherwise make an object column.
    out["bucket"] = pd.to_datetime(out["bucket"], utc=True)
    if granularity == "day":
        # Kept in the local zone: spikes.detect_latest pads the day being
        # evaluated with a local-midnight timestamp, and mixing zones in one
        # column would make it an object column.
        out["bucket"] = out["bucket"].dt.tz_convert(tz)
    out["n"] = out["n"].fillna(0).astype("int64")
    out["negative"] = out["negative"].fillna(0).astype("int64")
    return out


def _default_detector():
    """warehouse.spikes.detect_latest, or None while that module is not installed."""
    try:
        from . import spikes
    except ImportError:
        log.warning("warehouse.spikes is not available: spike rules skipped")
        return None
    return spikes.detect_latest


def _spike_details(db: str, brand: str, start: dt.datetime, end: dt.datetime, negative: bool) -> dict:
    neg = "AND m.sentiment = 'negative'" if negative else ""
    base = f"""FROM mention_brands b JOIN mentions m ON m.id = b.mention_id
               WHERE b.brand = ? AND m.published_at >= ? AND m.published_at < ? {neg}"""
    params = [brand, start, end]
    with dbmod.connect(db, read_only=True) as con:
        terms = con.execute(f"""
            SELECT t.term, count(*) AS n
            FROM mention_terms t JOIN mention_brands b ON b.mention_id = t.mention_id
            JOIN mentions m ON m.id = b.mention_id
            WHERE b.brand = ? AND m.published_at >= ? AND m.published_at < ? {neg}
            GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 8
        """, params).fetchall()
        sources = con.execute(f"SELECT m.source, count(*) AS n {base} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5",
                              params).fetchall()
        sample = con.execute(f"""
            SELECT m.id, m.title, m.url, m.source, m.published_at, m.sentiment, m.engagement {base}
            ORDER BY coalesce(m.engagement, 0) DESC, m.published_at DESC LIMIT {SAMPLE_MENTIONS}
        """, params).fetchall()
    return {
        "top_terms": [{"term": t, "n": n} for t, n in terms],
        "top_sources": [{"source": s, "n": n} for s, n in sources],
        "mentions": [{"id": r[0], "title": r[1], "url": r[2], "source": r[3], "published_at": _iso(r[4]),
                      "sentiment": r[5], "engagement": r[6]} for r in sample],
    }


def _spike_alert(db: str, config: Config, s, granularity: str, now: dt.datetime) -> Alert:
    """One spike from warehouse.spikes as an alert row, with what drives it in details."""
    kind = getattr(s, "kind", "volume")
    rule = "negative_spike" if kind == "negative" else "volume_spike"
    start, end = _utc(s.window_start), _utc(s.window_end)
    observed, expected = float(s.observed), float(s.expected)
    details = _spike_details(db, s.brand, start, end, negative=(kind == "negative"))
    details.update(granularity=granularity, threshold=_num(getattr(s, "threshold", None)),
                   z=_num(getattr(s, "z", None)), method=getattr(s, "method", None),
                   window_observed=_num(getattr(s, "window_observed", None)),
                   window_expected=_num(getattr(s, "window_expected", None)),
                   buckets=getattr(s, "n_buckets", 1),
                   share_of_voice_url=share_of_voice_link(config, s.brand, start, end))
    what = "negative mentions" if kind == "negative" else "mentions"
    return Alert(
        id=alert_id(rule, s.brand, granularity, start.isoformat()),
        rule=rule, kind=f"{kind}_{granularity}", brand=s.brand,
        severity="warning" if kind == "negative" else "info",
        window_start=start, window_end=end, observed=observed, expected=expected,
        explanation=(f"{observed:.0f} {what} for {s.brand} in the {granularity} from {start:%Y-%m-%d %H:%M} UTC, "
                     f"expected about {expected:.1f} (threshold {_num(getattr(s, 'threshold', None))})"),
        details=details, created_at=now,
    )


def spike_candidates(db: str, config: Config, now: dt.datetime, detector=None) -> list[Alert]:
    detector = detector or _default_detector()
    if detector is None:
        return []
    a = config.alerts
    out: list[Alert] = []
    for granularity in ("hour", "day"):
        counts = spike_counts(db, config, now, granularity)
        if counts.empty:
            continue
        # partial="scale": the ongoing bucket is checked as it fills (a Friday
        # 17:00-17:30 burst is reported at 17:30, not after 18:00); daily
        # buckets are local days, hence tz.
        extra = {"tz": a.timezone} if granularity == "day" else {}
        spikes = detector(counts, now, granularity=granularity, k=a.k, min_count=a.min_count,
                          partial="scale", **extra)
        out.extend(_spike_alert(db, config, s, granularity, now) for s in spikes or [])
    return out


def backfill_spikes(db: str, config: Config, now: dt.datetime | None = None, days: int = 60) -> int:
    """Store the daily spikes of the past `days` (a first collection brings history).

    Nothing is sent: these are past events, recorded so the dashboard, the
    briefing and the spike explanations show them. A spike whose window ended
    more than a day ago is stored as resolved. Returns the number stored.
    """
    from . import spikes

    now = _utc(now) or dt.datetime.now(UTC)
    a = config.alerts
    counts = spike_counts(db, config, now, "day")
    if counts.empty:
        return 0
    counts = counts[counts["bucket"] >= pd.Timestamp(now - dt.timedelta(days=days)).tz_convert(a.timezone)]
    found = spikes.detect_spikes(counts, granularity="day", k=a.k, min_count=a.min_count, tz=a.timezone)
    rows = [_spike_alert(db, config, s, "day", now) for s in found]
    stored = 0
    with dbmod.transaction(db) as con:
        for alert in rows:
            if con.execute("SELECT 1 FROM alerts WHERE id = ?", [alert.id]).fetchone():
                continue
            if alert.window_end and alert.window_end < now - dt.timedelta(days=1):
                alert.status = "resolved"
            con.execute(f"INSERT INTO alerts ({', '.join(ALERT_COLUMNS)}) VALUES ({', '.join('?' * len(ALERT_COLUMNS))})",
                        alert.row())
            stored += 1
    return stored


def _num(value):
    if value is None:
        return None
    try:
        return round(float(value), 3)
    except (TypeError, ValueError):
        return None


# --- single mentions ------------------------------------------------------------------------

def mention_candidates(db: str, config: Config, now: dt.datetime) -> list[Alert]:
    a = config.alerts
    listed = {s.name for s in config.sources if s.listed}
    find_words = watch_word_matcher(a.watch_words)
    with dbmod.connect(db, read_only=True) as con:
        rows = con.execute("""
            SELECT m.id, b.brand, m.source, m.title, m.body, m.url, m.published_at, m.sentiment,
                   m.sentiment_score, m.engagement
            FROM mention_brands b JOIN mentions m ON m.id = b.mention_id
            WHERE m.published_at >= ? AND m.published_at <= ? AND m.collected_at <= ?
            ORDER BY m.published_at, m.id
        """, [now - MENTION_LOOKBACK, now, now]).fetchall()
    out: list[Alert] = []
    for mid, brand, source, title, body, url, published, sentiment, score, engagement in rows:
        negative = sentiment == "negative"
        words = find_words(f"{title or ''}\n{body or ''}")
        reasons = []
        if words:
            reasons.append({"reason": "watch_word", "words": words})
        if negative and source in listed:
            reasons.append({"reason": "listed"})
        if negative and engagement is not None and engagement >= a.engagement_threshold:
            reasons.append({"reason": "engagement", "engagement": int(engagement)})
        if not reasons:
            continue
        severity = "critical" if (words and negative) else "warning"
        kind = "watch_word" if words else ("listed_negative" if source in listed else "engaged_negative")
        published = _utc(published)
        why = ", ".join(
            f"watch word {', '.join(r['words'])}" if r["reason"] == "watch_word"
            else ("negative, listed source" if r["reason"] == "listed" else f"negative, engagement {r['engagement']}")
            for r in reasons)
        out.append(Alert(
            id=alert_id("mention", brand, mid), rule="mention", kind=kind, brand=brand, source=source,
            severity=severity, window_start=published, window_end=published,
            observed=float(engagement) if engagement is not None else None, expected=None,
            explanation=f"Mention of {brand} on {source}: {why}",
            details={"reasons": reasons, "watch_words": words, "negative": negative,
                     "mentions": [{"id": mid, "title": title, "url": url, "source": source,
                                   "published_at": _iso(published), "sentiment": sentiment,
                                   "sentiment_score": _num(score), "engagement": engagement,
                                   "excerpt": (body or "")[:280]}]},
            created_at=now,
        ))
    return out


# --- sources --------------------------------------------------------------------------------

def source_candidates(db: str, config: Config, now: dt.datetime, health=None) -> list[Alert]:
    if health is None:
        from .health import source_health
        health = source_health(db, config, now=now)
    out: list[Alert] = []
    for row in health.to_dict("records"):
        state = row.get("state")
        source = row["source"]
        if state in ("failing", "parked"):
            since = _utc(row.get("failing_since"))
            failures = int(row.get("consecutive_failures") or 0)
            # One alert per failure streak: the streak's start identifies it.
            out.append(Alert(
                id=alert_id("source_failing", source, since.isoformat() if since else None),
                rule="source_failing", kind=state, source=source, severity="warning",
                window_start=since, window_end=now, observed=float(failures), expected=0.0,
                explanation=f"Source {source} failing: {failures} consecutive failures",
                details={"state": state, "consecutive_failures": failures, "failing_since": _iso(since),
                         "last_error": (row.get("last_error") or "")[:300],
                         "last_success_at": _iso(row.get("last_success_at"))},
                created_at=now))
        elif state == "silent":
            last_new = _utc(row.get("last_new_item_at"))
            out.append(Alert(
                id=alert_id("source_silent", source, last_new.isoformat() if last_new else None),
                rule="source_silent", kind="silent", source=source, severity="info",
                window_start=last_new, window_end=now, observed=0.0, expected=None,
                explanation=f"Source {source} silent: nothing new since {_iso(last_new)}",
                details={"state": state, "last_new_item_at": _iso(last_new),
                         "last_success_at": _iso(row.get("last_success_at"))},
                created_at=now))
    return out


# --- evaluation ------------------------------------------------------------------------------

def _last_fired(con, cutoff: dt.datetime) -> dict[tuple[str, str], int]:
    """Highest severity rank fired (and not suppressed) per cool-down key since cutoff."""
    rows = con.execute("""
        SELECT rule, coalesce(brand, 'source:' || coalesce(source, 'None')), severity
        FROM alerts WHERE created_at >= ? AND suppressed IS NULL
    """, [cutoff]).fetchall()
    out: dict[tuple[str, str], int] = {}
    for rule, key, severity in rows:
        rank = SEVERITY_RANK.get(severity, 0)
        out[(rule, key)] = max(rank, out.get((rule, key), -1))
    return out


def evaluate_alerts(db: str, config: Config, now: dt.datetime | None = None, *, enqueue: bool = True,
                    detector=None, health=None) -> Evaluation:
    """Run every rule at `now`, store the new alerts, enqueue their grouped messages.

    detector(counts, now, granularity=, k=, min_count=) -> spikes defaults to
    warehouse.spikes.detect_latest; health (a source_health DataFrame) defaults
    to warehouse.health.source_health. Both are parameters so tests can pin them.
    """
    now = _utc(now) or dt.datetime.now(UTC)
    result = Evaluation(now=now)
    candidates = (spike_candidates(db, config, now, detector) + mention_candidates(db, config, now)
                  + source_candidates(db, config, now, health))
    # Same id twice in one evaluation (a mention naming a brand twice): keep one.
    unique = list({c.id: c for c in candidates}.values())
    cooldown = dt.timedelta(hours=config.alerts.cooldown_hours)
    with dbmod.transaction(db) as con:
        known = set()
        if unique:
            ids = [c.id for c in unique]
            known = {r[0] for r in con.execute(
                f"SELECT id FROM alerts WHERE id IN ({', '.join('?' * len(ids))})", ids).fetchall()}
        fired_before = _last_fired(con, now - cooldown) if cooldown.total_seconds() > 0 else {}
        for alert in unique:
            if alert.id in known:
                result.known += 1
                continue
            previous = fired_before.get(alert.cooldown_key)
            if previous is not None and SEVERITY_RANK[alert.severity] <= previous:
                if alert.rule != "mention":
                    continue
                alert.suppressed = "cooldown"
                result.suppressed.append(alert)
            else:
                result.fired.append(alert)
            con.execute(f"INSERT INTO alerts ({', '.join(ALERT_COLUMNS)}) VALUES ({', '.join('?' * len(ALERT_COLUMNS))})",
                        alert.row())
        if enqueue and result.fired and config.alerts.enabled:
            from .delivery import enqueue_alert_messages
            result.messages = enqueue_alert_messages(con, config, result.fired, now)
    for alert in result.fired:
        log.info("alert %s %s %s %s", alert.severity, alert.rule, alert.brand or alert.source, alert.id)
    return result


def acknowledge_alert(db: str, alert_id: str, by: str | None = None, now: dt.datetime | None = None) -> bool:
    """Mark an alert acknowledged (from the dashboard). False when no open alert has that id.

    Pending messages re-read alert statuses before sending, so an alert
    acknowledged while its message waits (quiet hours, retries) is not sent.
    """
    now = _utc(now) or dt.datetime.now(UTC)
    with dbmod.transaction(db) as con:
        row = con.execute("""
            UPDATE alerts SET status = 'acknowledged', acknowledged_at = ?, acknowledged_by = ?
            WHERE id = ? AND status = 'open' RETURNING id
        """, [now, by, alert_id]).fetchone()
    return row is not None


def load_alerts(db: str, ids: list[str]) -> list[dict]:
    """Alert rows (details decoded), in the given order; unknown ids are skipped."""
    if not ids:
        return []
    cols = ALERT_COLUMNS + ("acknowledged_at", "acknowledged_by")
    with dbmod.connect(db, read_only=True) as con:
        rows = con.execute(f"SELECT {', '.join(cols)} FROM alerts WHERE id IN ({', '.join('?' * len(ids))})",
                           list(ids)).fetchall()
    by_id = {}
    for r in rows:
        d = dict(zip(cols, r))
        d["details"] = json.loads(d["details"]) if isinstance(d["details"], str) else (d["details"] or {})
        for k in ("window_start", "window_end", "created_at", "acknowledged_at"):
            d[k] = _utc(d[k])
        by_id[d["id"]] = d
    return [by_id[i] for i in ids if i in by_id]


# --- CLI -----------------------------------------------------------------------------------------

def _parse_now(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    value = dt.datetime.fromisoformat(text)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def cmd_alerts(args) -> int:
    from .alert_i18n import t  # noqa: F401  (kept for the translated summary below)
    from .config import load_config
    config = load_config(args.config)
    db = args.db or config.database_path or dbmod.default_db_path()
    try:
        now = _parse_now(args.now)
    except ValueError:
        print(f"--now: {args.now!r} is not an ISO date-time like 2026-11-13T17:30:00-05:00", file=sys.stderr)
        return 2
    fr = config.language == "fr"
    if args.backfill:
        n = backfill_spikes(db, config, now=now, days=args.backfill)
        print((f"historique : {n} pic(s) enregistré(s)" if fr else f"history: {n} spike(s) recorded"))
    result = evaluate_alerts(db, config, now=now)
    if fr:
        print(f"alertes : {len(result.fired)} nouvelle(s) ({result.critical} critique(s)), "
              f"{len(result.suppressed)} en délai de relance, {result.known} déjà connue(s), "
              f"{len(result.messages)} message(s) en file")
    else:
        print(f"alerts: {len(result.fired)} new ({result.critical} critical), {len(result.suppressed)} in cool-down, "
              f"{result.known} already known, {len(result.messages)} message(s) queued")
    if not args.no_digest:
        from .digest import enqueue_digest_if_due
        key = enqueue_digest_if_due(db, config, now=result.now)
        if key:
            print(("résumé quotidien en file : " if fr else "daily digest queued: ") + key)
    if not args.no_send:
        from .delivery import deliver_pending
        report = deliver_pending(db, config, now=result.now)
        if fr:
            print(f"envoi : {report.sent} envoyé(s), {report.failed} échec(s) (nouvel essai plus tard), "
                  f"{report.cancelled} annulé(s), {report.waiting} en attente")
        else:
            print(f"delivery: {report.sent} sent, {report.failed} failed (will retry), "
                  f"{report.cancelled} cancelled, {report.waiting} waiting")
        return 0 if report.failed == 0 else 4
    return 0


def register_cli(subparsers) -> None:
    p = subparsers.add_parser("alerts", help="evaluate alert rules, queue the messages and send them")
    p.add_argument("--config", required=True)
    p.add_argument("--db")
    p.add_argument("--no-send", action="store_true", help="evaluate and queue only; send nothing")
    p.add_argument("--no-digest", action="store_true", help="do not queue the daily digest even when due")
    p.add_argument("--now", help="evaluate as of this ISO date-time (replaying, testing)")
    p.add_argument("--backfill", type=int, metavar="DAYS", default=0,
                   help="also record the daily spikes of the past DAYS days (nothing is sent for them)")
    p.set_defaults(func=cmd_alerts)
