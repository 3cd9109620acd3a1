import datetime as dt

import pytest

from crawlers.dates import parse_date

UTC = dt.timezone.utc


@pytest.mark.parametrize("text,expected", [
    ("Mon, 06 May 2024 10:03:00 -0400", dt.datetime(2024, 5, 6, 14, 3, tzinfo=UTC)),
    ("Mon, 06 May 2024 16:03:00 +0100", dt.datetime(2024, 5, 6, 15, 3, tzinfo=UTC)),
    ("Mon, 06 May 2024 10:03:00 EST", dt.datetime(2024, 5, 6, 15, 3, tzinfo=UTC)),
    ("Mon, 06 May 2024 10:03:00 EDT", dt.datetime(2024, 5, 6, 14, 3, tzinfo=UTC)),
    ("2024-05-06T14:03:00Z", dt.datetime(2024, 5, 6, 14, 3, tzinfo=UTC)),
    ("2024-05-06T16:03:00+02:00", dt.datetime(2024, 5, 6, 14, 3, tzinfo=UTC)),
    ("lun., 06 mai 2024 10:03:00 -0400", dt.datetime(2024, 5, 6, 14, 3, tzinfo=UTC)),
    ("ven., 18 mars 2022 13:10:00 +0100", dt.datetime(2022, 3, 18, 12, 10, tzinfo=UTC)),
    ("6 mai 2024 à 10h03", dt.datetime(2024, 5, 6, 10, 3, tzinfo=UTC)),
    ("Posté le 20-08-2010 à 11:53:34", dt.datetime(2010, 8, 20, 11, 53, 34, tzinfo=UTC)),
])
def test_any_zone_to_utc(text, expected):
    assert parse_date(text) == expected


def test_naive_times_in_the_given_zone():
    assert parse_date("6 mai 2024 à 10h03", default_tz="America/Toronto") == dt.datetime(2024, 5, 6, 14, 3, tzinfo=UTC)
    assert parse_date("Posté le 20-08-2010 à 11:53:34", default_tz="Europe/Paris").hour == 9


@pytest.mark.parametrize("junk", [None, "", "pas une date", "2999-01-01T00:00:00Z", "1970-01-01T00:00:00Z"])
def test_unusable_dates_are_none(junk):
    assert parse_date(junk) is None


def test_epoch_and_struct():
    assert parse_date(1715004180) == dt.datetime(2024, 5, 6, 14, 3, tzinfo=UTC)
    assert parse_date((2024, 5, 6, 14, 3, 0, 0, 127, 0)) == dt.datetime(2024, 5, 6, 14, 3, tzinfo=UTC)
