"""Getting messages to people: the outbox, SMTP email and chat webhooks.

Every message is stored in the `outbox` table before anything is sent; its
dedup_key is unique, so queuing the same message twice is a no-op. Sending is
"claim, close, send, record": a short transaction claims due rows (attempts+1
and next_attempt_at pushed out by exponential backoff, which doubles as a lease),
the connection is closed while we talk to the SMTP or HTTP server (DuckDB would
otherwise block the dashboard and the crawlers), then another short transaction
records sent_at or the error. A server that is down is retried later; a restart
loses nothing because the queue is in DuckDB.

Alert messages store only the alert ids and are rendered at send time, so an
alert acknowledged in the dashboard while its message waits (quiet hours,
retries) is left out, and a message whose alerts were all acknowledged is
cancelled. Collected text is data: it is escaped for HTML and chat markup, and
chat mentions (@channel, @everyone) in it are defused.

Secrets: the SMTP user and password come from VIGIE_SMTP_USER and
VIGIE_SMTP_PASSWORD only. Webhook URLs often are secrets (the token is in the
path): the outbox stores a hash of the URL as the target, and logs and errors
name the host only.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import json
import logging
import os
import smtplib
import socket
import ssl
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from . import db as dbmod
from .alert_i18n import fmt_datetime, fmt_number, lang_of, t
from .config import Config

log = logging.getLogger(__name__)
UTC = dt.timezone.utc

MAX_ATTEMPTS = 16
BACKOFF_BASE = dt.timedelta(minutes=1)
BACKOFF_CAP = dt.timedelta(hours=2)
DEFAULT_TIMEOUT_S = 10.0
MAX_MENTIONS_LISTED = 10
SEVERITY_RANK = {"info": 0, "warning": 1, "critical": 2}
COLORS = {"critical": "#c5283d", "warning": "#f3a712", "info": "#1f5fa8"}
DISCORD_CONTENT_MAX = 2000


class PermanentError(Exception):
    """The server refused for good (bad address, 4xx): retrying would not help."""


# --- messages --------------------------------------------------------------------------

@dataclass
class Section:
    title: str
    severity: str = "info"
    lines: list[dict] = field(default_factory=list)   # {"text": ..., "url": ... or None}
    link: str | None = None


@dataclass
class Message:
    subject: str
    intro: str = ""
    sections: list[Section] = field(default_factory=list)
    footer: str = ""
    severity: str = "info"
    link: str | None = None
    # Overrides for richer email bodies (the digest); built from sections otherwise.
    html: str | None = None
    text: str | None = None
    images: list[dict] = field(default_factory=list)   # {"cid": ..., "png_b64": ...}
    items: list[dict] = field(default_factory=list)    # structured data for the json format
    kind: str = "alerts"
    lang: str = "fr"

    def to_payload(self) -> dict:
        return asdict(self)

    @classmethod
    def from_payload(cls, data: dict) -> "Message":
        data = dict(data)
        data["sections"] = [Section(**s) for s in data.get("sections", [])]
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})

    def plain_text(self) -> str:
        if self.text is not None:
            return self.text
        out = [self.intro, ""] if self.intro else []
        for s in self.sections:
            out.append(f"[{s.severity.upper()}] {s.title}")
            for line in s.lines:
                out.append(f"  - {line['text']}" + (f"\n    {line['url']}" if line.get("url") else ""))
            if s.link:
                out.append(f"  {s.link}")
            out.append("")
        if self.footer:
            out.append(self.footer)
        return "\n".join(out).strip() + "\n"

    def html_body(self) -> str:
        if self.html is not None:
            return self.html
        e = html.escape
        parts = ['<html><body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222">']
        if self.intro:
            parts.append(f"<p>{e(self.intro)}</p>")
        for s in self.sections:
            color = COLORS.get(s.severity, "#444")
            parts.append(f'<div style="border-left:4px solid {color};padding:4px 12px;margin:12px 0">')
            parts.append(f'<h3 style="margin:4px 0;color:{color}">{e(s.title)}</h3><ul style="padding-left:18px">')
            for line in s.lines:
                text = e(line["text"])
                if line.get("url"):
                    text += f' &mdash; <a href="{e(line["url"], quote=True)}">{e(_host(line["url"]) or "lien")}</a>'
                parts.append(f"<li>{text}</li>")
            parts.append("</ul>")
            if s.link:
                parts.append(f'<p><a href="{e(s.link, quote=True)}">{e(self._open_label())}</a></p>')
            parts.append("</div>")
        if self.footer:
            parts.append(f'<p style="color:#777;font-size:12px">{e(self.footer)}</p>')
        parts.append("</body></html>")
        return "\n".join(parts)

    def _open_label(self) -> str:
        return t(self.lang, "open_link")


def _host(url: str | None) -> str | None:
    try:
        return urlsplit(url).hostname if url else None
    except ValueError:
        return None


def _brand_or_source(a: dict) -> str:
    return a.get("brand") or a.get("source") or "?"


def render_alerts(alerts: list[dict], config: Config, lang: str | None = None, now: dt.datetime | None = None) -> Message:
    """One message for alerts that fired together. Mention alerts of one brand share one section."""
    from .alerting import dashboard_link
    lang = lang_of(lang or config.language)
    tz = config.alerts.timezone
    alerts = sorted(alerts, key=lambda a: (-SEVERITY_RANK.get(a["severity"], 0), a["rule"], _brand_or_source(a),
                                           a.get("window_start") or dt.datetime.min.replace(tzinfo=UTC), a["id"]))
    sections: list[Section] = []
    mention_groups: dict[tuple[str, str], Section] = {}
    mention_counts: dict[tuple[str, str], int] = {}
    for a in alerts:
        link = dashboard_link(config, a)
        d = a.get("details") or {}
        if a["rule"] == "mention":
            key = (a["brand"], a["severity"])
            if key not in mention_groups:
                sec = Section(title=t(lang, "title_mention", brand=a["brand"]), severity=a["severity"], link=link)
                mention_groups[key] = sec
                mention_counts[key] = 0
                sections.append(sec)
            sec = mention_groups[key]
            mention_counts[key] += 1
            if mention_counts[key] > MAX_MENTIONS_LISTED:
                continue
            m = (d.get("mentions") or [{}])[0]
            reasons = []
            for r in d.get("reasons", []):
                if r["reason"] == "watch_word":
                    reasons.extend(t(lang, "reason_watch_word", word=w) for w in r["words"])
                elif r["reason"] == "listed":
                    reasons.append(t(lang, "reason_listed"))
                else:
                    reasons.append(t(lang, "reason_engagement", engagement=fmt_number(lang, r["engagement"])))
            title = (m.get("title") or m.get("excerpt") or "").strip()[:200]
            when = fmt_datetime(lang, a.get("window_start"), tz)
            sec.lines.append({"text": f"{when} · {t(lang, 'mention_line', source=m.get('source') or a.get('source'), title=title)}"
                                      f" ({'; '.join(reasons)})",
                              "url": m.get("url"), "alert_link": link})
            continue
        if a["rule"] in ("volume_spike", "negative_spike"):
            gran = d.get("granularity", "hour")
            sec = Section(title=t(lang, f"title_{a['rule']}", brand=a["brand"]), severity=a["severity"], link=link)
            sec.lines.append({"text": t(lang, "spike_line", observed=fmt_number(lang, a["observed"]),
                                        granularity=t(lang, f"granularity_{gran}"),
                                        start=fmt_datetime(lang, a.get("window_start"), tz),
                                        end=fmt_datetime(lang, a.get("window_end"), tz),
                                        expected=fmt_number(lang, a["expected"], 1))})
            sep = " : " if lang == "fr" else ": "
            if d.get("top_terms"):
                sec.lines.append({"text": t(lang, "top_terms") + sep + ", ".join(x["term"] for x in d["top_terms"][:6])})
            if d.get("top_sources"):
                sec.lines.append({"text": t(lang, "top_sources") + sep
                                  + ", ".join(f"{x['source']} ({x['n']})" for x in d["top_sources"][:4])})
            for m in (d.get("mentions") or [])[:3]:
                sec.lines.append({"text": f"{m.get('source')} — {(m.get('title') or '').strip()[:160]}",
                                  "url": m.get("url")})
            sections.append(sec)
            continue
        if a["rule"] == "source_failing":
            sec = Section(title=t(lang, "title_source_failing", source=a["source"]), severity=a["severity"], link=link)
            sec.lines.append({"text": t(lang, "source_failing_line", failures=d.get("consecutive_failures", "?"),
                                        since=fmt_datetime(lang, a.get("window_start"), tz),
                                        error=(d.get("last_error") or "–")[:200])})
        else:
            sec = Section(title=t(lang, "title_source_silent", source=a["source"]), severity=a["severity"], link=link)
            sec.lines.append({"text": t(lang, "source_silent_line", since=fmt_datetime(lang, a.get("window_start"), tz))})
        sections.append(sec)
    for key, sec in mention_groups.items():
        n = mention_counts[key]
        if n > 1:
            sec.title += f" ({n})"
            # Several mentions: the section links to the dashboard's list for that brand.
            sec.link = f"{config.alerts.dashboard_url.rstrip('/')}/today?brands={_q(key[0])}"
        if n > MAX_MENTIONS_LISTED:
            sec.lines.append({"text": t(lang, "more_mentions", n=n - MAX_MENTIONS_LISTED)})
    top = max((SEVERITY_RANK.get(a["severity"], 0) for a in alerts), default=0)
    severity = next(k for k, v in SEVERITY_RANK.items() if v == top)
    if severity == "critical":
        subject = t(lang, "subject_critical", what=next(s.title for s in sections if s.severity == "critical"))
    else:
        names = list(dict.fromkeys(_brand_or_source(a) for a in alerts))
        subject = t(lang, "subject_alerts", n=len(alerts), what=", ".join(names[:3]) + ("…" if len(names) > 3 else ""))
    when = fmt_datetime(lang, now or max((a["created_at"] for a in alerts), default=None), tz)
    items = []
    for a in alerts:
        items.append({k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in a.items()
                      if k in ("id", "rule", "kind", "severity", "brand", "source", "window_start", "window_end",
                               "observed", "expected", "explanation", "details", "status", "created_at")})
        items[-1]["link"] = dashboard_link(config, a)
    return Message(subject=subject, intro=t(lang, "intro_alerts", n=len(alerts), when=when), sections=sections,
                   footer=t(lang, "footer"), severity=severity, link=sections[0].link if sections else None,
                   items=items, kind="alerts", lang=lang)


def _q(value: str) -> str:
    from urllib.parse import quote
    return quote(value, safe="")


# --- webhook bodies ----------------------------------------------------------------------

def _defuse(text: str) -> str:
    # Collected text must not ping a whole channel (@channel, @everyone, @here).
    return text.replace("@", "@\u200b")


def _slack_escape(text: str) -> str:
    return _defuse(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _md_link(text: str, url: str | None) -> str:
    return f"[{text}]({url})" if url else text


def _md_escape(text: str) -> str:
    text = _defuse(text)
    for ch in ("\\", "*", "_", "`", "~", "[", "]", "|", ">"):
        text = text.replace(ch, "\\" + ch)
    return text


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def webhook_body(fmt: str, message: Message) -> dict:
    """The JSON body for one chat format (slack, teams, mattermost, discord, json)."""
    if fmt == "slack":
        blocks: list[dict] = [{"type": "header", "text": {"type": "plain_text", "text": _truncate(message.subject, 150)}}]
        if message.intro:
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _slack_escape(message.intro)}})
        for s in message.sections[:45]:
            lines = [f"*{_slack_escape(s.title)}*"]
            for line in s.lines:
                text = _slack_escape(line["text"])
                lines.append(f"• <{line['url']}|{text}>" if line.get("url") else f"• {text}")
            if s.link:
                lines.append(f"<{s.link}|{_slack_escape(message._open_label())}>")
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _truncate("\n".join(lines), 3000)}})
        if message.footer:
            blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": _slack_escape(message.footer)}]})
        return {"text": _slack_escape(message.subject), "blocks": blocks}
    if fmt == "mattermost":
        attachments = []
        for s in message.sections:
            body = "\n".join(("- " + _md_link(_md_escape(line["text"]), line.get("url"))) for line in s.lines)
            attachments.append({"fallback": _defuse(s.title), "color": COLORS.get(s.severity, "#444"),
                                "title": _defuse(s.title), "title_link": s.link, "text": body})
        return {"text": f"**{_md_escape(message.subject)}**\n{_md_escape(message.intro)}".strip(),
                "attachments": attachments}
    if fmt == "discord":
        embeds = []
        for s in message.sections[:10]:
            body = "\n".join(("• " + _md_link(_md_escape(line["text"]), line.get("url"))) for line in s.lines)
            embeds.append({"title": _truncate(_defuse(s.title), 256), "description": _truncate(body, 4096),
                           "url": s.link, "color": int(COLORS.get(s.severity, "#444444").lstrip("#"), 16)})
        content = f"**{_md_escape(message.subject)}**\n{_md_escape(message.intro)}".strip()
        if message.link:
            content += f"\n{message.link}"
        # allowed_mentions: Discord must not turn collected text into pings.
        return {"content": _truncate(content, DISCORD_CONTENT_MAX), "embeds": embeds,
                "allowed_mentions": {"parse": []}}
    if fmt == "teams":
        body: list[dict] = [{"type": "TextBlock", "size": "Large", "weight": "Bolder", "wrap": True,
                             "text": _defuse(message.subject)}]
        if message.intro:
            body.append({"type": "TextBlock", "wrap": True, "text": _defuse(message.intro)})
        actions = []
        for s in message.sections:
            body.append({"type": "TextBlock", "weight": "Bolder", "wrap": True, "spacing": "Medium",
                         "color": "Attention" if s.severity == "critical" else ("Warning" if s.severity == "warning" else "Default"),
                         "text": _defuse(s.title)})
            for line in s.lines:
                body.append({"type": "TextBlock", "wrap": True, "spacing": "None",
                             "text": "- " + _md_link(_md_escape(line["text"]), line.get("url"))})
        if message.link:
            actions.append({"type": "Action.OpenUrl", "title": message._open_label(), "url": message.link})
        card = {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard",
                "version": "1.4", "body": body, "actions": actions}
        return {"type": "message", "summary": message.subject,
                "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None,
                                 "content": card}]}
    if fmt == "json":
        out = {"type": message.kind, "subject": message.subject, "severity": message.severity,
               "text": message.plain_text(), "link": message.link}
        out["alerts" if message.kind == "alerts" else "digest"] = message.items
        if message.kind != "alerts":
            out["alerts"] = []
        return out
    raise ValueError(f"unknown webhook format {fmt!r}")


# --- channels and targets ------------------------------------------------------------------

def webhook_target(fmt: str, url: str) -> str:
    """What the outbox stores for a webhook: format and a hash, never the (secret) URL."""
    return f"{fmt}:{hashlib.sha256(url.encode('utf-8')).hexdigest()[:16]}"


def targets(config: Config) -> list[tuple[str, str]]:
    a = config.alerts
    out = []
    if a.email_to and a.smtp_host:
        out.append(("email", ",".join(a.email_to)))
    for hook in a.webhooks:
        url = hook.resolved_url()
        if not url:
            log.warning("webhook %s: no URL (environment variable %s is not set); skipped", hook.format, hook.url_env)
            continue
        out.append(("webhook", webhook_target(hook.format, url)))
    return out


def _resolve_webhook(config: Config, target: str) -> tuple[str, str] | None:
    for hook in config.alerts.webhooks:
        url = hook.resolved_url()
        if url and webhook_target(hook.format, url) == target:
            return hook.format, url
    return None


def quiet_until(config: Config, now: dt.datetime) -> dt.datetime | None:
    """End of the current quiet hours (UTC), or None when `now` is not in quiet hours."""
    q = config.alerts.quiet_hours
    if q is None or q.start == q.end:
        return None
    zone = ZoneInfo(config.alerts.timezone)
    local = now.astimezone(zone)
    sh, sm = map(int, q.start.split(":"))
    eh, em = map(int, q.end.split(":"))
    start, end, cur = sh * 60 + sm, eh * 60 + em, local.hour * 60 + local.minute
    quiet = (start <= cur < end) if start < end else (cur >= start or cur < end)
    if not quiet:
        return None
    end_day = local.date()
    if start > end and cur >= start:
        end_day += dt.timedelta(days=1)
    end_local = dt.datetime(end_day.year, end_day.month, end_day.day, eh, em, tzinfo=zone)
    return end_local.astimezone(UTC)


def outbox_id(dedup_key: str) -> str:
    return "ob_" + hashlib.sha1(dedup_key.encode("utf-8")).hexdigest()[:16]


def enqueue(con, *, dedup_key: str, channel: str, target: str, subject: str | None, payload: dict,
            now: dt.datetime, not_before: dt.datetime | None = None) -> bool:
    """Store one message (caller holds the transaction). False when the dedup key is already queued."""
    row = con.execute("""
        INSERT INTO outbox (id, dedup_key, channel, target, subject, payload, created_at, attempts, next_attempt_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?) ON CONFLICT DO NOTHING RETURNING id
    """, [outbox_id(dedup_key), dedup_key, channel, target, subject,
          json.dumps(payload, ensure_ascii=False, default=str), now, not_before]).fetchone()
    return row is not None


def enqueue_alert_messages(con, config: Config, alerts: list, now: dt.datetime) -> list[str]:
    """Queue one grouped message per channel for alerts that fired together.

    In quiet hours the critical alerts go in a message sent now and the others
    in one held until the end of quiet hours.
    """
    until = quiet_until(config, now)
    groups: list[tuple[list, dt.datetime | None]] = []
    if until is None:
        groups.append((list(alerts), None))
    else:
        critical = [a for a in alerts if a.severity == "critical"]
        rest = [a for a in alerts if a.severity != "critical"]
        if critical:
            groups.append((critical, None))
        if rest:
            groups.append((rest, until))
    keys = []
    for members, not_before in groups:
        ids = sorted(a.id for a in members)
        group = hashlib.sha1("|".join(ids).encode()).hexdigest()[:16]
        severity = max((a.severity for a in members), key=lambda s: SEVERITY_RANK[s])
        for channel, target in targets(config):
            key = f"alerts:{group}:{channel}:{target}"
            if enqueue(con, dedup_key=key, channel=channel, target=target,
                       subject=f"{len(ids)} alert(s), {severity}",
                       payload={"type": "alerts", "alert_ids": ids, "severity": severity},
                       now=now, not_before=not_before):
                keys.append(key)
    return keys


# --- sending -------------------------------------------------------------------------------

def build_email(message: Message, sender: str, recipients: list[str], message_id: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = message.subject
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Date"] = formatdate(localtime=False)
    msg["Auto-Submitted"] = "auto-generated"
    if message_id:
        # Stable per outbox row: a mail client folds a (rare) duplicate delivery.
        msg["Message-ID"] = f"<{message_id}@vigie.local>"
    msg.set_content(message.plain_text())
    msg.add_alternative(message.html_body(), subtype="html")
    if message.images:
        html_part = msg.get_payload()[1]
        for img in message.images:
            html_part.add_related(base64.b64decode(img["png_b64"]), "image", "png", cid=f"<{img['cid']}>",
                                  filename=img.get("filename", f"{img['cid'].split('@')[0]}.png"))
    return msg


def send_email(config: Config, msg: EmailMessage, timeout: float = DEFAULT_TIMEOUT_S) -> None:
    a = config.alerts
    user = os.environ.get("VIGIE_SMTP_USER")
    password = os.environ.get("VIGIE_SMTP_PASSWORD")
    context = ssl.create_default_context()
    if a.smtp_security == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(a.smtp_host, a.smtp_port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(a.smtp_host, a.smtp_port, timeout=timeout)
    with smtp:
        if a.smtp_security == "starttls":
            smtp.starttls(context=context)
        if user:
            smtp.login(user, password or "")
        try:
            smtp.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentError(f"recipients refused: {', '.join(exc.recipients)}") from None


def post_webhook(url: str, body: dict, timeout: float = DEFAULT_TIMEOUT_S) -> None:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(url, data=data, method="POST",
                                 headers={"Content-Type": "application/json; charset=utf-8",
                                          "User-Agent": "Vigie alerts"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            resp.read(1024)
    except urllib.error.HTTPError as exc:
        # Never include the URL: its path is often the secret token.
        if 400 <= exc.code < 500 and exc.code not in (408, 429):
            raise PermanentError(f"HTTP {exc.code} from {_host(url)}") from None
        raise OSError(f"HTTP {exc.code} from {_host(url)}") from None
    except urllib.error.URLError as exc:
        raise OSError(f"{_host(url)}: {exc.reason}") from None


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    cancelled: int = 0
    waiting: int = 0
    errors: list[str] = field(default_factory=list)


def backoff(attempts: int) -> dt.timedelta:
    """Delay before the next try after `attempts` tries: 1, 2, 4... minutes, capped at 2 h."""
    return min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(0, attempts - 1)))


def _claim(db: str, now: dt.datetime, limit: int) -> list[dict]:
    cols = ("id", "dedup_key", "channel", "target", "subject", "payload", "attempts")
    claimed = []
    with dbmod.transaction(db) as con:
        rows = con.execute(f"""
            SELECT {', '.join(cols)} FROM outbox
            WHERE sent_at IS NULL AND cancelled_at IS NULL AND attempts < ?
              AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
            ORDER BY created_at, id LIMIT ?
        """, [MAX_ATTEMPTS, now, limit]).fetchall()
        for r in rows:
            row = dict(zip(cols, r))
            attempts = row["attempts"] + 1
            # The pushed-out next_attempt_at is the lease: a crash mid-send means
            # one retry later, and a second sender does not pick the row up now.
            con.execute("UPDATE outbox SET attempts = ?, next_attempt_at = ? WHERE id = ?",
                        [attempts, now + backoff(attempts), row["id"]])
            row["attempts"] = attempts
            row["payload"] = json.loads(row["payload"]) if isinstance(row["payload"], str) else row["payload"]
            claimed.append(row)
    return claimed


def _record(db: str, outbox_row_id: str, now: dt.datetime, *, sent: bool = False, cancelled: bool = False,
            error: str | None = None) -> None:
    with dbmod.transaction(db) as con:
        if sent:
            con.execute("UPDATE outbox SET sent_at = ?, last_error = NULL, next_attempt_at = NULL WHERE id = ?",
                        [now, outbox_row_id])
        elif cancelled:
            con.execute("UPDATE outbox SET cancelled_at = ?, last_error = ?, next_attempt_at = NULL WHERE id = ?",
                        [now, error, outbox_row_id])
        else:
            con.execute("UPDATE outbox SET last_error = ? WHERE id = ?", [(error or "")[:500], outbox_row_id])


def _message_for(db: str, config: Config, row: dict, now: dt.datetime) -> Message | None:
    payload = row["payload"]
    if payload.get("type") == "alerts":
        from .alerting import load_alerts
        alerts = [a for a in load_alerts(db, payload.get("alert_ids", [])) if a["status"] == "open"]
        if not alerts:
            return None
        return render_alerts(alerts, config, now=min(a["created_at"] for a in alerts))
    return Message.from_payload(payload["message"])


def deliver_pending(db: str, config: Config, now: dt.datetime | None = None, *, limit: int = 50,
                    timeout: float = DEFAULT_TIMEOUT_S) -> DeliveryReport:
    """Send every due outbox message once; failures are retried later with backoff."""
    now = now.astimezone(UTC) if now else dt.datetime.now(UTC)
    report = DeliveryReport()
    for row in _claim(db, now, limit):
        label = f"{row['channel']} {row['target'].split(':')[0] if row['channel'] == 'webhook' else ''}".strip()
        try:
            message = _message_for(db, config, row, now)
        except Exception as exc:  # a rendering bug must not block the rest of the queue
            log.exception("outbox %s: cannot render the message", row["id"])
            _record(db, row["id"], now, error=f"render: {type(exc).__name__}: {exc}")
            report.failed += 1
            continue
        if message is None:
            _record(db, row["id"], now, cancelled=True, error="every alert of the message was acknowledged")
            report.cancelled += 1
            continue
        try:
            if row["channel"] == "email":
                a = config.alerts
                if not a.smtp_host:
                    raise PermanentError("no smtp_host in [alerts]")
                recipients = [r for r in row["target"].split(",") if r]
                send_email(config, build_email(message, a.email_from, recipients, row["id"]), timeout)
                where = f"{a.smtp_host}:{a.smtp_port}"
            else:
                resolved = _resolve_webhook(config, row["target"])
                if resolved is None:
                    raise PermanentError("this webhook is no longer in the configuration")
                fmt, url = resolved
                post_webhook(url, webhook_body(fmt, message), timeout)
                where = _host(url)
        except PermanentError as exc:
            log.warning("outbox %s (%s): refused for good: %s", row["id"], label, exc)
            _record(db, row["id"], now, cancelled=True, error=str(exc))
            report.cancelled += 1
            report.errors.append(str(exc))
            continue
        except (OSError, smtplib.SMTPException, socket.timeout, ssl.SSLError) as exc:
            error = f"{type(exc).__name__}: {exc}"
            if row["attempts"] >= MAX_ATTEMPTS:
                error = f"abandoned after {row['attempts']} attempts: {error}"
            log.warning("outbox %s (%s): attempt %d failed: %s", row["id"], label, row["attempts"], error)
            _record(db, row["id"], now, error=error)
            report.failed += 1
            report.errors.append(error)
            continue
        _record(db, row["id"], now, sent=True)
        log.info("outbox %s: sent by %s to %s", row["id"], label, where)
        report.sent += 1
    with dbmod.connect(db, read_only=True) as con:
        report.waiting = con.execute("""
            SELECT count(*) FROM outbox WHERE sent_at IS NULL AND cancelled_at IS NULL AND attempts < ?
        """, [MAX_ATTEMPTS]).fetchone()[0]
    return report
