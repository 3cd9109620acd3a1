"""Delivery against real servers on 127.0.0.1: aiosmtpd for email, http.server for webhooks."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from warehouse.alerting import acknowledge_alert, evaluate_alerts
from warehouse.delivery import Message, Section, deliver_pending, quiet_until, webhook_body

from .test_alerting import (FRIDAY_1730, OWN, Corpus, background, detector, fake_detect_latest, friday_burst,
                            make_config, no_health, outbox_rows)

UTC = dt.timezone.utc


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"

    def messages(self):
        return [email.message_from_bytes(e.original_content or e.content, policy=email.policy.default)
                for e in self.envelopes]


class SMTPServer:
    def __init__(self):
        self.port = free_port()
        self.inbox = Inbox()
        self.controller = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


class Hooks:
    """A local webhook receiver: records (path, JSON body); /fail/* answers 500, /gone/* 404."""

    def __init__(self):
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                code = 500 if self.path.startswith("/fail") else (404 if self.path.startswith("/gone") else 200)
                if code == 200:
                    received.append((self.path, json.loads(body)))
                self.send_response(code)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hooks():
    h = Hooks()
    yield h
    h.close()


@pytest.fixture
def burst_db(tmp_path):
    db = str(tmp_path / "vigie.duckdb")
    corpus = Corpus(db)
    background(corpus, FRIDAY_1730, days=8)
    friday_burst(corpus)
    corpus.add(FRIDAY_1730 - dt.timedelta(minutes=40), brand=OWN, sentiment="negative", source="Journal",
               title="<script>alert('x')</script> & Cie", body="Texte <b>hostile</b> @everyone",
               collected_at=FRIDAY_1730)
    return db


def test_email_grouped_alert_with_links_and_escaping(tmp_path, burst_db, smtp, monkeypatch):
    monkeypatch.delenv("VIGIE_SMTP_USER", raising=False)
    config = make_config(tmp_path, smtp_port=smtp.port)
    result = evaluate_alerts(burst_db, config, now=FRIDAY_1730, detector=detector(), health=no_health())
    assert len(result.fired) > 20
    report = deliver_pending(burst_db, config, now=FRIDAY_1730)
    assert (report.sent, report.failed) == (1, 0)
    assert len(smtp.inbox.envelopes) == 1                       # one message for the whole burst
    env = smtp.inbox.envelopes[0]
    assert sorted(env.rcpt_tos) == ["cm@example.org", "equipe@example.org"]
    msg = smtp.inbox.messages()[0]
    assert msg["From"] == "vigie@example.org"
    assert msg["Subject"].startswith("[Vigie] ") and OWN in msg["Subject"]
    plain = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "Pic de mentions négatives : Poutine Express" in plain
    assert "Mention à surveiller : Poutine Express" in plain
    spike = next(a for a in result.fired if a.rule == "negative_spike")
    link = f"http://vigie.test/today?alert={spike.id}"
    assert link in plain and f'href="{link}"' in html
    assert "<script>" not in html and "&lt;script&gt;" in html     # collected text is data
    assert "… et " in plain                                        # long lists are cut, not dropped
    # Sent means sent: a second pass sends nothing.
    assert deliver_pending(burst_db, config, now=FRIDAY_1730 + dt.timedelta(hours=1)).sent == 0
    assert len(smtp.inbox.envelopes) == 1


def test_smtp_down_then_up_delivers_exactly_once(tmp_path, burst_db, smtp):
    config = make_config(tmp_path, smtp_port=smtp.port)
    evaluate_alerts(burst_db, config, now=FRIDAY_1730, detector=detector(), health=no_health())
    smtp.stop()
    down = deliver_pending(burst_db, config, now=FRIDAY_1730, timeout=2)
    assert (down.sent, down.failed, down.waiting) == (0, 1, 1)
    row = outbox_rows(burst_db)[0]
    assert row["attempts"] == 1 and row["sent_at"] is None
    assert row["next_attempt_at"] == FRIDAY_1730 + dt.timedelta(minutes=1)   # backoff
    # Before the backoff is over nothing is tried, even with the server back.
    smtp.start()
    early = deliver_pending(burst_db, config, now=FRIDAY_1730 + dt.timedelta(seconds=20))
    assert (early.sent, early.failed) == (0, 0)
    assert smtp.inbox.envelopes == []
    # Down again for the second try: the backoff doubles.
    smtp.stop()
    deliver_pending(burst_db, config, now=FRIDAY_1730 + dt.timedelta(minutes=1), timeout=2)
    assert outbox_rows(burst_db)[0]["next_attempt_at"] == FRIDAY_1730 + dt.timedelta(minutes=3)
    smtp.start()
    up = deliver_pending(burst_db, config, now=FRIDAY_1730 + dt.timedelta(minutes=3))
    assert (up.sent, up.failed, up.waiting) == (1, 0, 0)
    for minutes in (4, 60, 600):
        assert deliver_pending(burst_db, config, now=FRIDAY_1730 + dt.timedelta(minutes=minutes)).sent == 0
    assert len(smtp.inbox.envelopes) == 1
    assert outbox_rows(burst_db)[0]["attempts"] == 3


def test_smtp_credentials_come_from_the_environment(tmp_path, burst_db, smtp, monkeypatch, caplog):
    # aiosmtpd does not offer AUTH without TLS: the login attempt must fail and
    # be retried, and the password must appear nowhere.
    monkeypatch.setenv("VIGIE_SMTP_USER", "vigie")
    monkeypatch.setenv("VIGIE_SMTP_PASSWORD", "s3cr3t-pw")
    config = make_config(tmp_path, smtp_port=smtp.port)
    evaluate_alerts(burst_db, config, now=FRIDAY_1730, detector=detector(), health=no_health())
    with caplog.at_level(logging.DEBUG):
        report = deliver_pending(burst_db, config, now=FRIDAY_1730)
    assert report.failed == 1 and smtp.inbox.envelopes == []
    assert "s3cr3t-pw" not in caplog.text and "s3cr3t-pw" not in (outbox_rows(burst_db)[0].get("last_error") or "")


def test_webhook_formats(tmp_path, burst_db, hooks, monkeypatch, caplog):
    monkeypatch.setenv("VIGIE_TEAMS_URL", hooks.url("/teams/TOKEN-teams"))
    config = make_config(tmp_path, email_to=[], webhooks=[
        {"format": "slack", "url": hooks.url("/slack/TOKEN-slack")},
        {"format": "teams", "url_env": "VIGIE_TEAMS_URL"},
        {"format": "mattermost", "url": hooks.url("/mattermost/TOKEN-mm")},
        {"format": "discord", "url": hooks.url("/discord/TOKEN-discord")},
        {"format": "json", "url": hooks.url("/json/TOKEN-json")},
    ])
    result = evaluate_alerts(burst_db, config, now=FRIDAY_1730, detector=detector(), health=no_health())
    rows = outbox_rows(burst_db)
    assert len(rows) == 5
    assert not any("TOKEN" in r["target"] for r in rows)          # secret URLs are not stored
    with caplog.at_level(logging.DEBUG, logger="warehouse"):
        report = deliver_pending(burst_db, config, now=FRIDAY_1730)
    assert report.sent == 5
    assert "TOKEN" not in caplog.text and "127.0.0.1" in caplog.text
    got = {path.split("/")[1]: body for path, body in hooks.received}
    assert set(got) == {"slack", "teams", "mattermost", "discord", "json"}

    slack = got["slack"]
    assert isinstance(slack["text"], str) and slack["blocks"][0]["type"] == "header"
    assert all(b["type"] in ("header", "section", "context") for b in slack["blocks"])
    slack_text = json.dumps(slack["blocks"], ensure_ascii=False)
    assert "http://vigie.test/today?alert=" in slack_text
    assert "<script>" not in slack_text and "&lt;script&gt;" in slack_text

    card = got["teams"]["attachments"][0]
    assert got["teams"]["type"] == "message"
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["type"] == "AdaptiveCard" and card["content"]["body"]
    assert card["content"]["actions"][0]["url"].startswith("http://vigie.test/")

    mm = got["mattermost"]
    assert mm["text"] and mm["attachments"] and {"title", "text", "color"} <= set(mm["attachments"][0])

    discord = got["discord"]
    assert len(discord["content"]) <= 2000 and discord["embeds"] and len(discord["embeds"]) <= 10
    assert discord["allowed_mentions"] == {"parse": []}
    assert "@everyone" not in json.dumps(discord, ensure_ascii=False)   # defused

    js = got["json"]
    assert js["type"] == "alerts" and len(js["alerts"]) == len(result.fired)
    first = js["alerts"][0]
    assert {"id", "rule", "brand", "severity", "window_start", "window_end", "observed", "expected", "details",
            "link"} <= set(first)
    assert first["severity"] == "critical" or all(a["severity"] != "critical" for a in js["alerts"])


def test_discord_content_is_capped():
    long = Message(subject="x" * 3000, intro="y" * 3000, sections=[Section(title="t", lines=[{"text": "z" * 5000}])])
    body = webhook_body("discord", long)
    assert len(body["content"]) <= 2000 and len(body["embeds"][0]["description"]) <= 4096


def test_webhook_failures_retry_or_stop(tmp_path, burst_db, hooks):
    config = make_config(tmp_path, email_to=[], webhooks=[
        {"format": "json", "url": hooks.url("/fail/x")}, {"format": "json", "url": hooks.url("/gone/y")}])
    evaluate_alerts(burst_db, config, now=FRIDAY_1730, detector=detector(), health=no_health())
    report = deliver_pending(burst_db, config, now=FRIDAY_1730)
    assert (report.sent, report.failed, report.cancelled) == (0, 1, 1)   # 500 retried, 404 given up
    rows = {r["cancelled_at"] is None: r for r in outbox_rows(burst_db)}
    assert rows[True]["next_attempt_at"] > FRIDAY_1730
    assert "HTTP 404" in (report.errors[0] + report.errors[-1])


def test_quiet_hours_hold_all_but_critical(tmp_path, db_quiet, smtp):
    db, now = db_quiet
    config = make_config(tmp_path, smtp_port=smtp.port, quiet_hours={"start": "22:00", "end": "07:00"})
    until = quiet_until(config, now)
    assert until == dt.datetime(2026, 11, 14, 12, 0, tzinfo=UTC)   # 07:00 in Montréal
    result = evaluate_alerts(db, config, now=now, detector=fake_detect_latest, health=no_health())
    assert sorted(a.severity for a in result.fired) == ["critical", "warning"]
    assert len(outbox_rows(db)) == 2
    assert deliver_pending(db, config, now=now).sent == 1
    msg = smtp.inbox.messages()[0]
    assert "URGENT" in msg["Subject"] and "rappel" in msg.get_body(("plain",)).get_content()
    assert deliver_pending(db, config, now=until - dt.timedelta(minutes=1)).sent == 0
    assert deliver_pending(db, config, now=until).sent == 1
    assert "URGENT" not in smtp.inbox.messages()[1]["Subject"]
    assert len(smtp.inbox.envelopes) == 2


def test_acknowledged_alert_is_not_sent(tmp_path, db_quiet, smtp):
    db, now = db_quiet
    config = make_config(tmp_path, smtp_port=smtp.port, quiet_hours={"start": "22:00", "end": "07:00"})
    result = evaluate_alerts(db, config, now=now, detector=fake_detect_latest, health=no_health())
    held = next(a for a in result.fired if a.severity == "warning")
    critical = next(a for a in result.fired if a.severity == "critical")
    assert acknowledge_alert(db, held.id, by="cm", now=now + dt.timedelta(minutes=5))
    assert acknowledge_alert(db, critical.id, by="cm", now=now)
    report = deliver_pending(db, config, now=now + dt.timedelta(hours=12))
    assert report.sent == 0 and report.cancelled == 2
    assert smtp.inbox.envelopes == []
    # And evaluating again does not bring them back.
    again = evaluate_alerts(db, config, now=now + dt.timedelta(hours=12), detector=fake_detect_latest,
                            health=no_health())
    assert again.fired == [] and len(outbox_rows(db)) == 2


@pytest.fixture
def db_quiet(tmp_path):
    """23:15 in Montréal: one critical (watch word, negative) and one warning (negative, listed source)."""
    db = str(tmp_path / "quiet.duckdb")
    now = dt.datetime(2026, 11, 14, 4, 15, tzinfo=UTC)
    corpus = Corpus(db)
    corpus.add(now - dt.timedelta(minutes=10), sentiment="negative", title="Avis de rappel : Poutine Express",
               collected_at=now)
    corpus.add(now - dt.timedelta(minutes=8), sentiment="negative", brand="Frites Inc", source="Journal",
               title="Frites Inc déçoit", collected_at=now)
    return db, now
