"""Locale formatting and string tables of the dashboard."""

from __future__ import annotations

import datetime as dt

from dashboard import components, i18n


def test_french_and_english_numbers():
    assert i18n.fmt_number(1234.5, "fr", 1) == "1\u202f234,5"
    assert i18n.fmt_number(1234.5, "en", 1) == "1,234.5"
    assert i18n.fmt_percent(12.34, "fr") == "12,3\u00a0%"
    assert i18n.fmt_signed(-2.5, "fr") == "−2,5"
    assert i18n.fmt_number(None) == "—"


def test_dates_in_the_users_zone():
    at = dt.datetime(2024, 5, 7, 2, 30, tzinfo=dt.timezone.utc)  # 6 May, 22:30 in Montréal
    assert i18n.fmt_date(at, "fr") == "6 mai 2024"
    assert i18n.fmt_date(at, "en") == "May 6, 2024"
    assert i18n.fmt_datetime(at, "fr") == "6 mai 2024, 22 h 30"
    assert i18n.fmt_date(dt.date(2024, 6, 1), "fr") == "1er juin 2024"


def test_every_string_has_both_languages():
    missing = [k for k, v in i18n.STRINGS.items() if not v.get("fr") or not v.get("en")]
    assert not missing


def test_escape_md_makes_markup_inert():
    assert components.escape_md("<script>alert(1)</script>") == r"\<script\>alert\(1\)\<\/script\>"
    assert components.escape_md("**bold** [link](http://evil.example.org)").startswith(r"\*\*bold\*\* \[link\]")
    assert components.safe_url("javascript:alert(1)") is None
    assert components.safe_url("https://example.org/a") == "https://example.org/a"
