"""The daily digest: yesterday's figures, a share-of-voice chart, top mentions, open alerts.

Queued once per local day after digest_time (dedup key digest:YYYY-MM-DD for
the email; webhooks get their own key with the target appended), so a loop
running every 30 minutes, a restart, or cron plus the loop never send it twice.
The message is rendered when queued (the chart PNG included, base64 in the
outbox payload): what was true yesterday does not change when a retry sends it
hours later.

Definitions shown in the digest (NOTES.md, from the field): share of voice =
mentions_b / mentions of all watched brands x 100; net sentiment (Talkwalker)
= (P - N) / (P + N).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import logging
from zoneinfo import ZoneInfo

from . import db as dbmod
from .alert_i18n import fmt_date, fmt_datetime, fmt_number, fmt_signed, lang_of, t
from .config import Config
from .delivery import Message, Section, enqueue, targets

log = logging.getLogger(__name__)
UTC = dt.timezone.utc
CHART_CID = "sov-chart@vigie"
CHART_DAYS = 14
TOP_MENTIONS = 5
OPEN_ALERTS = 10


def _local_midnight(day: dt.date, tz: str) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def digest_due(config: Config, now: dt.datetime) -> dt.date | None:
    """The local day the digest reports on, when it is due at `now` (after digest_time), else None."""
    a = config.alerts
    if not a.digest_time or not a.enabled:
        return None
    local = now.astimezone(ZoneInfo(a.timezone))
    hh, mm = map(int, a.digest_time.split(":"))
    if (local.hour, local.minute) < (hh, mm):
        return None
    return local.date() - dt.timedelta(days=1)


def digest_figures(db: str, config: Config, day: dt.date) -> dict:
    """Per brand: mentions, share (%), positive, negative, net sentiment; plus top mentions and open alerts."""
    tz = config.alerts.timezone
    start, end = _local_midnight(day, tz), _local_midnight(day + dt.timedelta(days=1), tz)
    with dbmod.connect(db, read_only=True) as con:
        rows = con.execute("""
            SELECT b.brand, count(*) AS mentions,
                   count(*) FILTER (WHERE m.sentiment = 'positive') AS pos,
                   count(*) FILTER (WHERE m.sentiment = 'negative') AS neg
            FROM mention_brands b JOIN mentions m ON m.id = b.mention_id
            WHERE m.published_at >= ? AND m.published_at < ? GROUP BY 1
        """, [start, end]).fetchall()
        top = con.execute("""
            SELECT m.id, b.brand, m.source, m.title, m.url, m.sentiment, m.engagement, m.published_at
            FROM mention_brands b JOIN mentions m ON m.id = b.mention_id
            WHERE m.published_at >= ? AND m.published_at < ?
            ORDER BY coalesce(m.engagement, -1) DESC, (m.sentiment = 'negative') DESC, m.published_at DESC, m.id
            LIMIT ?
        """, [start, end, TOP_MENTIONS]).fetchall()
        alerts = con.execute("""
            SELECT id, rule, severity, brand, source, explanation, created_at FROM alerts
            WHERE status = 'open' AND suppressed IS NULL AND created_at < ?
            ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, created_at DESC, id
        """, [end + dt.timedelta(days=1)]).fetchall()
    found = {r[0]: r for r in rows}
    total = sum(r[1] for r in rows)
    brands = []
    for name in list(dict.fromkeys([b.name for b in config.brands] + sorted(found))):
        _, mentions, pos, neg = found.get(name, (name, 0, 0, 0))
        brands.append({"brand": name, "mentions": mentions, "share": (100.0 * mentions / total) if total else 0.0,
                       "positive": pos, "negative": neg,
                       "net_sentiment": ((pos - neg) / (pos + neg)) if (pos + neg) else None})
    brands.sort(key=lambda b: (-b["mentions"], b["brand"]))
    return {
        "day": day.isoformat(), "start": start.isoformat(), "end": end.isoformat(), "total": total,
        "brands": brands,
        "top_mentions": [{"id": r[0], "brand": r[1], "source": r[2], "title": r[3], "url": r[4], "sentiment": r[5],
                          "engagement": r[6], "published_at": r[7].astimezone(UTC).isoformat()} for r in top],
        "open_alerts": [{"id": r[0], "rule": r[1], "severity": r[2], "brand": r[3], "source": r[4],
                         "explanation": r[5], "created_at": r[6].astimezone(UTC).isoformat()} for r in alerts],
    }


def sov_chart_png(db: str, config: Config, day: dt.date, lang: str) -> bytes | None:
    """Share of voice per day over the last CHART_DAYS days, as PNG (None when there is no data)."""
    from .charts import localize, sov_over_time, to_png
    from .queries import Filters, share_of_voice_daily
    tz = config.alerts.timezone
    f = Filters(start=_local_midnight(day - dt.timedelta(days=CHART_DAYS - 1), tz),
                end=_local_midnight(day + dt.timedelta(days=1), tz), tz=tz)
    df = share_of_voice_daily(f, db)
    if df.empty:
        return None
    chart = localize(sov_over_time(df, lang=lang).properties(width=560, height=260), lang)
    return to_png(chart, scale=1.5)


def build_digest(db: str, config: Config, day: dt.date, lang: str | None = None, chart: bool = True) -> Message:
    lang = lang_of(lang or config.language)
    tz = config.alerts.timezone
    fig = digest_figures(db, config, day)
    png = None
    if chart:
        try:
            png = sov_chart_png(db, config, day, lang)
        except Exception:  # a chart failure must not cost the figures
            log.exception("digest: the share-of-voice chart could not be drawn")
    e = html.escape
    base = config.alerts.dashboard_url.rstrip("/")
    sov_link = f"{base}/share_of_voice?from={(day - dt.timedelta(days=CHART_DAYS - 1)).isoformat()}&to={day.isoformat()}"
    day_text = fmt_date(lang, day)
    sep = " : " if lang == "fr" else ": "

    figures = Section(title=t(lang, "digest_intro", day=day_text), severity="info", link=sov_link)
    for b in fig["brands"]:
        figures.lines.append({"text": f"{b['brand']}{sep}{fmt_number(lang, b['mentions'])} {t(lang, 'digest_mentions').lower()}, "
                                      f"{t(lang, 'digest_share').lower()} {fmt_number(lang, b['share'], 1)} %, "
                                      f"{t(lang, 'digest_net').lower()} {fmt_signed(lang, b['net_sentiment'])}"})
    top = Section(title=t(lang, "digest_top"), severity="info")
    for m in fig["top_mentions"]:
        top.lines.append({"text": f"{m['brand']} · {m['source']} — {(m['title'] or '').strip()[:160]}", "url": m["url"]})
    if not fig["top_mentions"]:
        top.lines.append({"text": t(lang, "digest_no_mentions")})
    open_alerts = Section(title=f"{t(lang, 'digest_alerts')} ({len(fig['open_alerts'])})",
                          severity="warning" if fig["open_alerts"] else "info", link=f"{base}/today")
    for a in fig["open_alerts"][:OPEN_ALERTS]:
        open_alerts.lines.append({"text": f"[{t(lang, 'severity_' + a['severity'])}] {a['explanation']}",
                                  "url": f"{base}/today?alert={a['id']}"})
    if not fig["open_alerts"]:
        open_alerts.lines.append({"text": t(lang, "digest_no_alerts")})

    # The email body: the same content with a table and the inline chart.
    rows = "".join(
        f"<tr><td style='padding:4px 8px'>{e(b['brand'])}</td>"
        f"<td style='padding:4px 8px;text-align:right'>{e(fmt_number(lang, b['mentions']))}</td>"
        f"<td style='padding:4px 8px;text-align:right'>{e(fmt_number(lang, b['share'], 1))}&nbsp;%</td>"
        f"<td style='padding:4px 8px;text-align:right'>{e(fmt_signed(lang, b['net_sentiment']))}</td></tr>"
        for b in fig["brands"])
    def li(line):
        text = e(line["text"])
        return f"<li><a href=\"{e(line['url'], quote=True)}\">{text}</a></li>" if line.get("url") else f"<li>{text}</li>"
    parts = [
        '<html><body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222">',
        f"<h2>{e(t(lang, 'subject_digest', day=day_text).replace('[Vigie] ', ''))}</h2>",
        f"<p>{e(t(lang, 'digest_intro', day=day_text))}</p>",
        "<table style='border-collapse:collapse' border='1' cellspacing='0'>"
        f"<tr><th style='padding:4px 8px'>{e(t(lang, 'digest_brand'))}</th><th style='padding:4px 8px'>{e(t(lang, 'digest_mentions'))}</th>"
        f"<th style='padding:4px 8px'>{e(t(lang, 'digest_share'))}</th><th style='padding:4px 8px'>{e(t(lang, 'digest_net'))}</th></tr>"
        f"{rows}<tr><td style='padding:4px 8px'><b>{e(t(lang, 'digest_total'))}</b></td>"
        f"<td style='padding:4px 8px;text-align:right'><b>{e(fmt_number(lang, fig['total']))}</b></td><td></td><td></td></tr></table>",
    ]
    if png:
        parts.append(f"<h3>{e(t(lang, 'digest_chart'))}</h3>"
                     f"<p><a href=\"{e(sov_link, quote=True)}\"><img src=\"cid:{CHART_CID}\" width=\"560\" "
                     f"alt=\"{e(t(lang, 'digest_chart'))}\"></a></p>")
    parts.append(f"<h3>{e(t(lang, 'digest_top'))}</h3><ul>{''.join(li(x) for x in top.lines)}</ul>")
    parts.append(f"<h3>{e(open_alerts.title)}</h3><ul>{''.join(li(x) for x in open_alerts.lines)}</ul>")
    parts.append(f"<p><a href=\"{e(base + '/today', quote=True)}\">{e(t(lang, 'open_link'))}</a></p>")
    parts.append(f"<p style='color:#777;font-size:12px'>{e(t(lang, 'digest_definitions'))}</p></body></html>")
    return Message(
        subject=t(lang, "subject_digest", day=day_text), sections=[figures, top, open_alerts],
        footer=t(lang, "digest_definitions"), severity="info", link=f"{base}/today", html="\n".join(parts),
        images=[{"cid": CHART_CID, "png_b64": base64.b64encode(png).decode("ascii"), "filename": "part-de-voix.png"}]
        if png else [],
        items=[fig], kind="digest", lang=lang)


def digest_key(day: dt.date) -> str:
    return f"digest:{day.isoformat()}"


def enqueue_digest_if_due(db: str, config: Config, now: dt.datetime | None = None) -> str | None:
    """Queue yesterday's digest once (after digest_time, local). Returns the email dedup key when queued."""
    now = now.astimezone(UTC) if now else dt.datetime.now(UTC)
    day = digest_due(config, now)
    if day is None:
        return None
    chans = targets(config)
    if not chans:
        return None
    key = digest_key(day)
    with dbmod.connect(db, read_only=True) as con:
        if con.execute("SELECT 1 FROM outbox WHERE dedup_key LIKE ? LIMIT 1", [key + "%"]).fetchone():
            return None  # already queued: skip drawing the chart again
    message = build_digest(db, config, day)
    payload = message.to_payload()
    light = dict(payload, images=[], html=None)   # chat messages carry no image
    queued = []
    with dbmod.transaction(db) as con:
        for channel, target in chans:
            dedup = key if channel == "email" else f"{key}:{channel}:{target}"
            body = payload if channel == "email" else light
            if enqueue(con, dedup_key=dedup, channel=channel, target=target, subject=message.subject,
                       payload={"type": "digest", "day": day.isoformat(), "message": body}, now=now):
                queued.append(dedup)
    log.info("digest for %s queued (%d message(s))", day, len(queued))
    return queued[0] if queued else None


__all__ = ["build_digest", "digest_due", "digest_figures", "enqueue_digest_if_due", "fmt_datetime"]
