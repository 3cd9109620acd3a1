"""Every timestamp to an aware UTC datetime, or None.

Feeds carry dates in RFC 822 (with -0400, EST, Z...), ISO 8601, or French that
feedparser leaves unparsed ("lun., 06 mai 2024 10:03:00 -0400", "6 mai 2024 à
10h03"). Cheap parsers run first; dateparser (slow to import, offline) is the
last resort. A date we cannot trust returns None so the store records the
first-seen time and flags it as estimated, instead of inventing one.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import time
from zoneinfo import ZoneInfo

UTC = dt.timezone.utc

_FR_DAYS = {"lun": "Mon", "mar": "Tue", "mer": "Wed", "jeu": "Thu", "ven": "Fri", "sam": "Sat", "dim": "Sun"}
_FR_MONTHS = {
    "janv": "Jan", "janvier": "Jan", "jan": "Jan", "févr": "Feb", "fevr": "Feb", "février": "Feb", "fevrier": "Feb",
    "fév": "Feb", "fev": "Feb", "mars": "Mar", "avr": "Apr", "avril": "Apr", "mai": "May", "juin": "Jun",
    "juil": "Jul", "juillet": "Jul", "août": "Aug", "aout": "Aug", "aoû": "Aug", "sept": "Sep", "septembre": "Sep",
    "sep": "Sep", "oct": "Oct", "octobre": "Oct", "nov": "Nov", "novembre": "Nov", "déc": "Dec", "dec": "Dec",
    "décembre": "Dec", "decembre": "Dec",
}
_WORD = re.compile(r"[A-Za-zÀ-ÿ]+\.?")
_HOUR_H = re.compile(r"(\d{1,2})\s*h\s*(\d{2})\b")
_NUMERIC_DMY = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:\D+(\d{1,2})[:h](\d{2})(?::(\d{2}))?)?")

# Dates further in the future than this are publisher mistakes (or time zone
# confusion); keeping them would pin the item at the top of every timeline.
FUTURE_TOLERANCE = dt.timedelta(days=2)
EARLIEST = dt.datetime(1995, 1, 1, tzinfo=UTC)

_dateparser = None


def _plausible(value: dt.datetime | None, now: dt.datetime | None = None) -> dt.datetime | None:
    if value is None:
        return None
    value = value.astimezone(UTC)
    now = now or dt.datetime.now(UTC)
    if value < EARLIEST or value > now + FUTURE_TOLERANCE:
        return None
    return value


def _aware(value: dt.datetime, default_tz: str | None) -> dt.datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(default_tz) if default_tz else UTC)
    return value.astimezone(UTC)


def from_struct(value: time.struct_time | tuple | None) -> dt.datetime | None:
    """feedparser's *_parsed fields are already UTC."""
    if not value:
        return None
    try:
        return _plausible(dt.datetime(*value[:6], tzinfo=UTC))
    except (TypeError, ValueError, OverflowError):
        return None


def _english_rfc822(text: str) -> str:
    def repl(m: re.Match) -> str:
        word = m.group(0).rstrip(".").lower()
        return _FR_DAYS.get(word) or _FR_MONTHS.get(word) or m.group(0)
    return _WORD.sub(repl, text)


def _try_rfc822(text: str) -> dt.datetime | None:
    try:
        value = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if value is None:
        return None
    # email.utils gives naive datetimes for "-0000" (unknown zone): treat as UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _try_iso(text: str) -> dt.datetime | None:
    candidate = text.strip()
    if not re.match(r"^\d{4}-\d{2}-\d{2}", candidate):
        return None
    try:
        return dt.datetime.fromisoformat(candidate.replace(" UTC", "+00:00"))
    except ValueError:
        return None


def _try_dateparser(text: str, default_tz: str | None) -> dt.datetime | None:
    global _dateparser
    if _dateparser is None:
        import dateparser  # noqa: PLC0415 - ~0.5 s import, only when cheaper parsers failed
        _dateparser = dateparser
    try:
        value = _dateparser.parse(text, languages=["fr", "en"], settings={
            "TIMEZONE": default_tz or "UTC", "RETURN_AS_TIMEZONE_AWARE": True, "TO_TIMEZONE": "UTC",
            "PREFER_DATES_FROM": "past", "DATE_ORDER": "DMY",
        })
    except Exception:  # dateparser raises assorted errors on junk; junk is not a date
        return None
    return value


def parse_date(value, default_tz: str | None = None, now: dt.datetime | None = None) -> dt.datetime | None:
    """Parse anything a feed or forum calls a date. Naive times are taken in default_tz (else UTC)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return _plausible(_aware(value, default_tz), now)
    if isinstance(value, (time.struct_time, tuple)):
        return from_struct(value)
    if isinstance(value, (int, float)):
        try:
            return _plausible(dt.datetime.fromtimestamp(float(value), UTC), now)
        except (OverflowError, OSError, ValueError):
            return None
    text = " ".join(str(value).split())
    if not text or len(text) > 200:
        return None
    for attempt in (_try_iso(text), _try_rfc822(text)):
        if attempt is not None:
            return _plausible(_aware(attempt, default_tz), now)
    # French RFC 822: "lun., 06 mai 2024 10:03:00 -0400".
    english = _english_rfc822(text)
    if english != text:
        attempt = _try_rfc822(english)
        if attempt is not None:
            return _plausible(_aware(attempt, default_tz), now)
    # "6 mai 2024 à 10h03", "Posté le 20-08-2010 à 11:53:34".
    cleaned = _HOUR_H.sub(r"\1:\2", text)
    cleaned = re.sub(r"\s+à\s+", " ", cleaned)
    m = _NUMERIC_DMY.search(cleaned)
    if m:
        d, mo, y, hh, mm, ss = m.groups()
        try:
            naive = dt.datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
            return _plausible(_aware(naive, default_tz), now)
        except ValueError:
            pass
    cleaned = re.sub(r"^(posté|publié|mis à jour|posted|published|updated)( le| on)?\s+", "", cleaned, flags=re.I)
    return _plausible(_try_dateparser(cleaned, default_tz), now)
