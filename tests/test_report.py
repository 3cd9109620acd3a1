"""The period briefing: figures equal the queries, text is escaped, both formats, the CLI."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from warehouse import db as dbmod
from warehouse import queries, report
from warehouse.config import Brand, Config
from warehouse.report_i18n import fmt_int, fmt_net, fmt_pct, fmt_pts, fmt_range
from warehouse.store import write_items

ROOT = Path(__file__).resolve().parents[1]
UTC = dt.timezone.utc
TZ = "America/Toronto"
HOSTILE_SCRIPT = "<script>alert(1)</script>"
HOSTILE_IMG = "<img src=x onerror=alert(1)>"

CONFIG_TOML = """
[[brands]]
name = "Vidéotron"
aliases = ["Vidéotron"]
own = true

[[brands]]
name = "Bell"
aliases = ["Bell"]

[[brands]]
name = "Rogers"
aliases = ["Rogers"]

[[sources]]
name = "La Presse"
kind = "rss"
url = "https://example.org/lapresse.xml"

[[sources]]
name = "Forum Mobile"
kind = "rss"
url = "https://example.org/forum.xml"
"""


def fixture_config() -> Config:
    return Config(path="test.toml", brands=(Brand("Vidéotron", own=True), Brand("Bell"), Brand("Rogers")),
                  sources=())


def _at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def make_fixture_db(path: str) -> str:
    """November 2026 (current) and October 2026 (previous) for three brands.

    Rogers gains share of voice; Bell carries the hostile titles, the most
    engaged and the most negative mention; two mentions have estimated dates.
    """
    nov, octo = dt.date(2026, 11, 1), dt.date(2026, 10, 2)
    # (period start, brand(s), count, sentiment cycle, terms)
    plan = [
        (nov, ("Vidéotron",), 12, ["positive", "positive", "neutral", "negative"], ["forfait", "fibre"]),
        (nov, ("Bell",), 10, ["negative", "neutral", "positive", "negative"], ["panne", "prix"]),
        (nov, ("Rogers",), 6, ["positive", "neutral"], ["5g", "panne"]),
        (nov, ("Vidéotron", "Bell"), 1, ["neutral"], ["comparatif"]),
        (octo, ("Vidéotron",), 10, ["positive", "neutral"], ["forfait"]),
        (octo, ("Bell",), 10, ["neutral", "negative"], ["prix"]),
        (octo, ("Rogers",), 2, ["neutral"], ["5g"]),
    ]
    items, facts, brands, terms = [], [], [], []
    n = 0
    for start, names, count, cycle, words in plan:
        for i in range(count):
            n += 1
            mid = f"m{n:03d}"
            day = start + dt.timedelta(days=(i * 3) % 29)
            title = f"{' et '.join(names)} : l’œuvre du réseau, nouvelle n° {n}"
            items.append({"id": mid, "source": "La Presse" if n % 3 else "Forum Mobile",
                          "source_kind": "rss" if n % 3 else "forum",
                          "url": f"https://example.org/article/{n}", "title": title,
                          "body": f"Texte de la mention {n}.", "author": "auteur",
                          "published_at": _at(day), "engagement": n})
            sentiment = cycle[i % len(cycle)]
            score = {"positive": 0.6, "neutral": 0.0, "negative": -0.5}[sentiment]
            facts.append((mid, "fr", sentiment, score, f"s{n // 2:03d}"))
            brands += [(mid, b) for b in names]
            terms += [(mid, w) for w in words]
    # Hostile and notable Bell mentions in November.
    hostile = [
        {"id": "h1", "title": HOSTILE_SCRIPT, "engagement": 5000, "sentiment": ("negative", -0.95),
         "url": "javascript:alert(1)"},
        {"id": "h2", "title": HOSTILE_IMG, "engagement": 3000, "sentiment": ("negative", -0.9),
         "url": "https://example.org/x?a=1&b=<2>"},
    ]
    for h in hostile:
        items.append({"id": h["id"], "source": "Forum Mobile", "source_kind": "forum", "url": h["url"],
                      "title": h["title"], "body": "corps", "published_at": _at(dt.date(2026, 11, 20)),
                      "engagement": h["engagement"]})
        facts.append((h["id"], "fr", *h["sentiment"], h["id"]))
        brands.append((h["id"], "Bell"))
        terms += [(h["id"], "panne"), (h["id"], "remboursement")]
    write_items(path, items, collected_at=_at(dt.date(2026, 12, 1)))
    # No date from the source: published_at becomes the collection time (estimated).
    estimated = [{"id": f"e{i}", "source": "Forum Mobile", "source_kind": "forum",
                  "url": f"https://example.org/forum/{i}", "title": f"Sans date {i}", "body": "x"}
                 for i in range(2)]
    write_items(path, estimated, collected_at=_at(dt.date(2026, 11, 15)))
    for i in range(2):
        facts.append((f"e{i}", "fr", "neutral", 0.0, f"e{i}"))
        brands.append((f"e{i}", "Rogers"))
    # Collected but naming no brand: counts in "items collected", not in mentions.
    write_items(path, [{"id": "x1", "source": "La Presse", "source_kind": "rss", "title": "Météo",
                        "published_at": _at(dt.date(2026, 11, 3))}], collected_at=_at(dt.date(2026, 11, 3)))
    now = _at(dt.date(2026, 12, 1))
    with dbmod.transaction(path) as con:
        con.executemany("INSERT INTO mention_facts VALUES (?, ?, ?, ?, ?, false, ?)",
                        [(*f, now) for f in facts])
        con.executemany("INSERT INTO mention_brands VALUES (?, ?)", brands)
        con.executemany("INSERT INTO mention_terms VALUES (?, ?)", terms)
        alerts = [
            ("a1", "volume_spike", "Bell", None, "volume", "critical", _at(dt.date(2026, 11, 20), 0),
             _at(dt.date(2026, 11, 21), 0), 14.0, 3.5, "Bell: 14 mentions vs 3.5 expected",
             json.dumps({"terms": ["panne"]})),
            ("a2", "source_failing", None, "Forum Mobile", "source", "warning", _at(dt.date(2026, 11, 8), 0),
             _at(dt.date(2026, 11, 9), 0), 3.0, 0.0, "3 failures in a row <b>HTTP 503</b>", None),
            ("a3", "volume_spike", "Rogers", None, "volume", "warning", _at(dt.date(2026, 9, 1), 0),
             _at(dt.date(2026, 9, 2), 0), 9.0, 2.0, "outside the period", None),
        ]
        con.executemany("INSERT INTO alerts (id, rule, brand, source, kind, severity, window_start, window_end, "
                        "observed, expected, explanation, details, created_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [(*a, now) for a in alerts])
    return path


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory) -> str:
    return make_fixture_db(str(tmp_path_factory.mktemp("briefing") / "vigie.duckdb"))


@pytest.fixture(scope="module")
def november() -> queries.Filters:
    return report.period_filters(dt.date(2026, 11, 1), dt.date(2026, 11, 30), TZ)


@pytest.fixture(scope="module")
def briefing_fr(fixture_db, november) -> report.Briefing:
    return report.build_briefing(fixture_db, november, "fr", fixture_config(), now=_at(dt.date(2026, 12, 1), 14))


@pytest.fixture(scope="module")
def html_fr(briefing_fr) -> str:
    return report.render_html(briefing_fr)


@pytest.fixture(scope="module")
def pdf_fr(briefing_fr) -> bytes:
    return report.render_pdf(briefing_fr)


def _text(html_doc: str) -> str:
    """Visible text of the HTML, entities decoded, so number checks match what a reader sees."""
    return html.unescape(re.sub(r"<[^>]+>", " ", html_doc))


# --- formatting --------------------------------------------------------------------

def test_french_and_english_ranges_in_words():
    assert fmt_range(dt.date(2026, 11, 1), dt.date(2026, 11, 30), "fr") == "du 1er au 30 novembre 2026"
    assert fmt_range(dt.date(2026, 10, 15), dt.date(2026, 11, 1), "fr") == "du 15 octobre au 1er novembre 2026"
    assert fmt_range(dt.date(2025, 12, 15), dt.date(2026, 1, 14), "fr") == "du 15 décembre 2025 au 14 janvier 2026"
    assert fmt_range(dt.date(2026, 11, 3), dt.date(2026, 11, 3), "fr") == "le 3 novembre 2026"
    assert fmt_range(dt.date(2026, 11, 1), dt.date(2026, 11, 30), "en") == "November 1\u201330, 2026"


def test_french_numbers():
    assert fmt_int(1234, "fr") == "1\u202f234"
    assert fmt_pct(12.5, "fr") == "12,5\u00a0%"
    assert fmt_pct(12.5, "en") == "12.5%"
    assert fmt_pts(2.34, "fr") == "+2,3\u00a0pts"
    assert fmt_pts(-0.5, "fr") == "\u22120,5\u00a0pt"
    assert fmt_pts(-0.04, "fr") == "±0,0\u00a0pt"
    assert fmt_net(float("nan"), "fr") == "n.d."


def test_period_filters_are_local_days():
    f = report.period_filters(dt.date(2026, 11, 1), dt.date(2026, 11, 30), TZ)
    assert f.start == dt.datetime(2026, 11, 1, 4, tzinfo=UTC)  # EDT until Nov 1, 2 a.m.
    assert f.end == dt.datetime(2026, 12, 1, 5, tzinfo=UTC)
    assert report.local_days(f) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    with pytest.raises(ValueError):
        report.period_filters(dt.date(2026, 11, 2), dt.date(2026, 11, 1), TZ)


# --- content -------------------------------------------------------------------------

def test_html_has_title_range_sections_and_chart(html_fr):
    assert html_fr.startswith("<!DOCTYPE html>")
    assert "Bilan de la période — Vidéotron" in html_fr
    assert "du 1er au 30 novembre 2026" in html_fr.lower()
    for heading in ("Résumé", "Part de voix", "Perception", "Sujets principaux", "Mentions notables",
                    "Alertes de la période", "Méthode"):
        assert f"</span>{heading}</h2>" in html_fr
    assert html_fr.count('src="data:image/png;base64,') == 2
    assert "<script" not in html_fr.lower()


def test_figures_equal_the_queries(fixture_db, november, briefing_fr, html_fr):
    text = _text(html_fr)
    totals = queries.share_of_voice_totals(november, fixture_db).set_index("brand")
    for brand, r in totals.iterrows():
        assert f"{fmt_int(r['mentions'], 'fr')}" in text
        assert fmt_pct(r["share"], "fr") in text
        assert fmt_pts(r["change_pts"], "fr") in text
    own = totals.loc["Vidéotron"]
    assert briefing_fr.figures["own_share"] == pytest.approx(own["share"])
    assert briefing_fr.figures["own_share_change"] == pytest.approx(own["change_pts"])
    senti = queries.briefing_sentiment(november, fixture_db).set_index("brand")
    assert briefing_fr.figures["own_net"] == pytest.approx(senti.loc["Vidéotron", "net_sentiment"])
    p, n = senti.loc["Vidéotron", "positive"], senti.loc["Vidéotron", "negative"]
    assert senti.loc["Vidéotron", "net_sentiment"] == pytest.approx(100.0 * (p - n) / (p + n))
    assert fmt_net(senti.loc["Vidéotron", "net_sentiment"], "fr") in text
    # Rogers goes from 2 of 22 to 9 of 32 mentions: the rising competitor.
    assert briefing_fr.figures["rising_brand"] == "Rogers"
    assert "Concurrent en hausse : Rogers" in text
    # Distinct mentions: the Vidéotron+Bell mention counts once.
    assert briefing_fr.figures["mentions"] == 12 + 10 + 6 + 1 + 2 + 2
    assert fmt_int(briefing_fr.figures["mentions"], "fr") in text


def test_method_and_alerts(briefing_fr, html_fr):
    text = _text(html_fr)
    assert "Part de voix = mentions de la marque" in text
    assert "Sentiment net = (positives − négatives)" in text
    assert "Attention normalisée" in text
    # 2 estimated of 33 mentions.
    assert fmt_pct(100 * 2 / 33, "fr") in text
    alerts = briefing_fr.data["alerts"]
    assert set(alerts["id"]) == {"a1", "a2"}  # a3 is outside the period
    assert alerts.iloc[0]["severity"] == "critical"
    assert "Pic de volume" in text and "Source en échec" in text
    assert "Bell : 14 mentions observées contre 3,5 attendues" in text


def test_rising_terms_and_top_terms(briefing_fr, html_fr):
    rising = briefing_fr.data["rising_terms"]
    assert "panne" in set(rising["term"])
    assert "Termes en hausse" in html_fr
    assert "panne (" in html_fr


def test_hostile_text_is_escaped_in_html(html_fr):
    assert HOSTILE_SCRIPT not in html_fr
    assert HOSTILE_IMG not in html_fr
    assert html.escape(HOSTILE_SCRIPT) in html_fr
    assert html.escape(HOSTILE_IMG) in html_fr
    assert "<img src=x" not in html_fr
    # A javascript: URL is never a link; an https URL's & and < are escaped in the attribute.
    assert 'href="javascript' not in html_fr
    assert 'href="https://example.org/x?a=1&amp;b=&lt;2&gt;"' in html_fr
    # Alert explanations are data too.
    assert "<b>HTTP 503</b>" not in html_fr


def test_pdf_is_a_pdf_with_sections(briefing_fr, pdf_fr):
    assert pdf_fr.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf_fr))
    assert pages > 1
    story = report.pdf_story(briefing_fr)
    texts = _story_texts(story)
    joined = "\n".join(texts)
    for heading in ("Résumé", "Part de voix", "Perception", "Sujets principaux", "Mentions notables",
                    "Alertes de la période", "Méthode"):
        assert heading in joined
    assert "du 1er au 30 novembre 2026" in joined.lower()
    # Paragraph text shows hostile titles literally (the markup source holds them escaped).
    assert HOSTILE_SCRIPT in joined and HOSTILE_IMG in joined
    # French glyphs outside Latin-1 survive.
    assert "l’œuvre" in joined


def _story_texts(flowables) -> list[str]:
    from reportlab.platypus import Paragraph
    from reportlab.platypus import Table as RLTable
    out = []
    for fl in flowables:
        if isinstance(fl, Paragraph):
            out.append(fl.getPlainText())
        elif isinstance(fl, RLTable):
            for row in fl._cellvalues:
                for c in row:
                    out.extend(_story_texts(c if isinstance(c, (list, tuple)) else [c]))
        elif hasattr(fl, "_content"):
            out.extend(_story_texts(fl._content))
        elif hasattr(fl, "_flowables"):
            out.extend(_story_texts(fl._flowables))
    return out


def test_english_variant(fixture_db, november):
    b = report.build_briefing(fixture_db, november, "en", fixture_config(), with_charts=False)
    doc = report.render_html(b)
    assert "Period briefing — Vidéotron" in doc
    assert "November 1–30, 2026" in doc
    for heading in ("Summary", "Share of voice", "Perception", "Main topics", "Notable mentions",
                    "Alerts in the period", "Method"):
        assert f"</span>{heading}</h2>" in doc
    assert report.render_pdf(b).startswith(b"%PDF")


def test_empty_period_is_explained(fixture_db):
    f = report.period_filters(dt.date(2025, 1, 1), dt.date(2025, 1, 31), TZ)
    b = report.build_briefing(fixture_db, f, "fr", fixture_config())
    assert b.empty and not b.charts
    doc = report.render_html(b)
    assert "Aucune mention des marques suivies" in doc
    assert "Rien à signaler" in doc
    assert report.render_pdf(b).startswith(b"%PDF")


def test_brand_scope_and_no_own_brand(fixture_db, november):
    f = queries.Filters(november.start, november.end, brands=("Bell", "Rogers"), tz=TZ)
    b = report.build_briefing(fixture_db, f, "fr", fixture_config(), with_charts=False)
    assert b.own_brand is None and b.title == "Bilan de la période"
    assert set(b.data["sov"]["brand"]) == {"Bell", "Rogers"}
    assert "Marques suivies : Bell, Rogers" in report.render_html(b)


# --- CLI ----------------------------------------------------------------------------------

def _cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "warehouse", "briefing", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_cli_writes_pdf_and_html(fixture_db, tmp_path):
    config = tmp_path / "vigie.toml"
    config.write_text(CONFIG_TOML, encoding="utf-8")
    pdf, page = tmp_path / "bilan.pdf", tmp_path / "bilan.html"
    for out in (pdf, page):
        r = _cli("--config", str(config), "--db", fixture_db, "--from", "2026-11-01", "--to", "2026-11-30",
                 "--lang", "fr", "--out", str(out))
        assert r.returncode == 0, r.stderr
        assert str(out) in r.stdout
    assert pdf.read_bytes().startswith(b"%PDF")
    assert "du 1er au 30 novembre 2026" in page.read_text(encoding="utf-8").lower()


def test_cli_bad_date_is_one_clear_line(fixture_db, tmp_path):
    r = _cli("--db", fixture_db, "--from", "2026-13-01", "--to", "2026-11-30", "--out", str(tmp_path / "x.pdf"))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert "2026-13-01" in r.stderr and "YYYY-MM-DD" in r.stderr
    r = _cli("--db", fixture_db, "--from", "2026-11-30", "--to", "2026-11-01", "--out", str(tmp_path / "x.pdf"))
    assert r.returncode == 2 and "Traceback" not in r.stderr and "before" in r.stderr
    r = _cli("--db", fixture_db, "--from", "2026-11-01", "--to", "2026-11-30", "--out", str(tmp_path / "x.docx"))
    assert r.returncode == 2 and "Traceback" not in r.stderr and ".pdf" in r.stderr
