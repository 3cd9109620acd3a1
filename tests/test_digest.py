"""The daily digest: figures, inline share-of-voice chart, top mentions, open alerts; queued once a day."""

from __future__ import annotations

import datetime as dt

from warehouse.alerting import evaluate_alerts
from warehouse.delivery import deliver_pending
from warehouse.digest import digest_due, digest_figures, enqueue_digest_if_due

from .test_alerting import OTHER, OWN, Corpus, fake_detect_latest, make_config, no_health, outbox_rows
from .test_delivery import smtp  # noqa: F401  (fixture)

UTC = dt.timezone.utc
SATURDAY_0805 = dt.datetime(2026, 11, 14, 13, 5, tzinfo=UTC)       # 08:05 in Montréal
FRIDAY_NOON = dt.datetime(2026, 11, 13, 17, 0, tzinfo=UTC)


def build(db):
    corpus = Corpus(db)
    # Friday (local): own brand 6 mentions (3 positive, 1 negative), other 2 (both negative).
    plan = [(OWN, "positive"), (OWN, "positive"), (OWN, "positive"), (OWN, "negative"), (OWN, "neutral"),
            (OWN, "neutral"), (OTHER, "negative"), (OTHER, "negative")]
    for i, (brand, sentiment) in enumerate(plan):
        corpus.add(FRIDAY_NOON + dt.timedelta(minutes=i), brand=brand, sentiment=sentiment,
                   title=f"{brand} <b>vendredi</b> {i}", engagement=10 * i, collected_at=FRIDAY_NOON + dt.timedelta(hours=1))
    # Earlier days for the chart, and one mention late Friday evening local (Saturday UTC) that is Friday's.
    for d in range(1, 6):
        corpus.add(FRIDAY_NOON - dt.timedelta(days=d), brand=OWN if d % 2 else OTHER, collected_at=FRIDAY_NOON)
    corpus.add(dt.datetime(2026, 11, 14, 4, 30, tzinfo=UTC), brand=OWN, sentiment="neutral",
               title="Poutine Express à 23 h 30", collected_at=SATURDAY_0805)
    # Saturday morning (not in yesterday's figures).
    corpus.add(SATURDAY_0805 - dt.timedelta(hours=1), brand=OTHER, collected_at=SATURDAY_0805)
    return corpus


def test_digest_due_after_local_digest_time(tmp_path):
    config = make_config(tmp_path, digest_time="08:00")
    assert digest_due(config, SATURDAY_0805 - dt.timedelta(minutes=10)) is None
    assert digest_due(config, SATURDAY_0805) == dt.date(2026, 11, 13)
    assert digest_due(make_config(tmp_path, digest_time=""), SATURDAY_0805) is None


def test_digest_figures(tmp_path):
    db = str(tmp_path / "d.duckdb")
    build(db)
    fig = digest_figures(db, make_config(tmp_path), dt.date(2026, 11, 13))
    by = {b["brand"]: b for b in fig["brands"]}
    assert fig["total"] == 9
    assert by[OWN]["mentions"] == 7 and by[OTHER]["mentions"] == 2
    assert round(by[OWN]["share"], 1) == 77.8
    assert by[OWN]["net_sentiment"] == (3 - 1) / (3 + 1)
    assert by[OTHER]["net_sentiment"] == -1.0
    assert fig["top_mentions"][0]["engagement"] == 70


def test_digest_email_with_inline_chart_once_a_day(tmp_path, smtp):  # noqa: F811
    db = str(tmp_path / "d.duckdb")
    corpus = build(db)
    config = make_config(tmp_path, smtp_port=smtp.port, digest_time="08:00")
    # An open alert appears in the digest.
    corpus.add(SATURDAY_0805 - dt.timedelta(minutes=20), sentiment="negative", source="Journal",
                   title="Journal : Poutine Express déçoit", collected_at=SATURDAY_0805)
    evaluate_alerts(db, config, now=SATURDAY_0805, detector=fake_detect_latest, health=no_health(), enqueue=False)

    assert enqueue_digest_if_due(db, config, now=SATURDAY_0805 - dt.timedelta(minutes=10)) is None
    key = enqueue_digest_if_due(db, config, now=SATURDAY_0805)
    assert key == "digest:2026-11-13"
    assert enqueue_digest_if_due(db, config, now=SATURDAY_0805 + dt.timedelta(minutes=30)) is None
    assert [r["dedup_key"] for r in outbox_rows(db)] == ["digest:2026-11-13"]

    assert deliver_pending(db, config, now=SATURDAY_0805).sent == 1
    msg = smtp.inbox.messages()[0]
    assert msg["Subject"] == "[Vigie] Résumé du ven. 13 nov. 2026"
    html = msg.get_body(("html",)).get_content()
    plain = msg.get_body(("plain",)).get_content()
    images = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 1
    cid = images[0]["Content-ID"].strip("<>")
    assert f'src="cid:{cid}"' in html
    png = images[0].get_content()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2000
    assert "77,8" in html and "+0,50" in html and "−1,00" in html       # share, net sentiment (French format)
    assert "77,8" in plain and "Poutine Express" in plain
    assert "&lt;b&gt;vendredi&lt;/b&gt;" in html and "<b>vendredi</b>" not in html
    assert "Alertes ouvertes (1)" in html and "http://vigie.test/today?alert=al_" in html
    assert "Sentiment net = (positives − négatives)" in html
    assert deliver_pending(db, config, now=SATURDAY_0805 + dt.timedelta(hours=1)).sent == 0
    assert len(smtp.inbox.envelopes) == 1
