"""The lxml fast path (crawlers/fastfeed.py) gives feedparser's entries, or steps aside.

Every document here is parsed twice through crawlers.feeds.parse_feed: once
forced through feedparser (fast=False), once normally. Plain documents must be
taken by the fast path AND give equal results; unusual ones must fall back.
"""

import datetime as dt
import random
from pathlib import Path

import pytest
from feedparser.datetimes import _parse_date
from feedparser.urls import _urljoin

from crawlers.fastfeed import _PLAIN_URL, fast_date
from crawlers.feeds import parse_feed

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"

URL = "https://news.example.org/rss/une.xml"
RSS_NS = ('xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
          'xmlns:atom="http://www.w3.org/2005/Atom" xmlns:slash="http://purl.org/rss/1.0/modules/slash/" '
          'xmlns:media="http://search.yahoo.com/mrss/" xmlns:x="urn:example:unknown"')


def rss(items: str, channel: str = "<title>Le Fil</title><language>fr-ca</language>", root_attrs: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" {RSS_NS} {root_attrs}><channel>'
            f"{channel}{items}</channel></rss>").encode("utf-8")


def atom(entries: str, head: str = "<title>Atom fil</title>", lang: str = 'xml:lang="fr"') -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" {lang}>'
            f"{head}{entries}</feed>").encode("utf-8")


def both(data: bytes, content_type="application/rss+xml", headers=None):
    slow = parse_feed(data, URL, content_type, headers, fast=False)
    fast = parse_feed(data, URL, content_type, headers)
    return slow, fast


def same(slow, fast) -> bool:
    fields = ("entries", "feed_language", "title", "warnings", "error")
    return all(getattr(slow, f) == getattr(fast, f) for f in fields)


PLAIN = {
    "rss basics": rss("""
        <item><title>Vidéotron : panne &amp; colère</title><link>https://news.example.org/a/1?x=1&amp;y=2</link>
        <guid isPermaLink="false">id-1</guid><pubDate>Mon, 06 May 2024 10:03:00 -0400</pubDate>
        <description><![CDATA[<p>Le <b>réseau</b> est tombé.</p><script>alert(1)</script>]]></description>
        <author>redaction@example.org (Sandrine Côté)</author><category>Techno</category></item>
        <!-- a comment between items -->
        <item><title>Deux</title><guid>https://news.example.org/a/2</guid>
        <pubDate>Tue, 07 May 2024 10:03:00 GMT</pubDate><description>Texte  avec   espaces</description></item>"""),
    "guid as link, enclosure as link, atom:link": rss("""
        <item><guid>https://news.example.org/g/1</guid><title>Guid seul</title></item>
        <item><title>Enclosure</title><enclosure url="https://cdn.example.org/a.mp3" type="audio/mpeg" length="1"/></item>
        <item><title>Atom link</title><atom:link href="https://news.example.org/al/1" rel="alternate"/></item>
        <item><title>Relative</title><link>/relatif/3</link><guid>../g/3</guid></item>"""),
    "content and description in both orders": rss("""
        <item><title>A</title><description>Court</description><content:encoded><![CDATA[<p>Long</p>]]></content:encoded></item>
        <item><title>B</title><content:encoded>Long B</content:encoded><description>Court B</description></item>
        <item><title>C</title><content:encoded></content:encoded><description>Seul C</description></item>
        <item><title></title><description>Sans titre</description></item>"""),
    "dublin core, slash, unknown elements": rss("""
        <item><title>DC</title><dc:creator>Jean Tremblay</dc:creator><dc:date>2024-05-06T14:03:00Z</dc:date>
        <slash:comments>42</slash:comments><dc:language>en</dc:language><surtitle/><x:score a="1">3</x:score>
        <media:content url="https://img.example.org/1.jpg"><media:credit>AFP</media:credit></media:content></item>"""),
    "repairs feedparser makes": rss("""
        <item><title>Ã©tÃ© mojibake</title><description>&#146;apostrophe cp1252&#133;</description></item>
        <item><title>Dates</title><pubDate>Fri, 30 Feb 2024 10:00:00 +0000</pubDate></item>
        <item><title>Date fr</title><pubDate>lun., 06 mai 2024 10:03:00 -0400</pubDate></item>
        <item><title>ISO</title><pubDate>2024-05-06T10:03:00+02:00</pubDate></item>"""),
    "empty channel": rss("", channel="<title>Vide</title>"),
    "atom basics": atom("""
        <entry><title type="html">Bell &lt;b&gt;hausse&lt;/b&gt;</title><id>urn:uuid:1</id>
        <link rel="alternate" type="text/html" href="https://news.example.org/e/1"/>
        <link rel="enclosure" href="https://cdn.example.org/e/1.mp3"/>
        <published>2024-05-06T10:03:00-04:00</published><updated>2024-05-07T10:03:00Z</updated>
        <author><name>Marie</name><email>marie@example.org</email></author>
        <summary>Résumé</summary><content type="html">&lt;p&gt;Contenu&lt;/p&gt;</content></entry>
        <entry><id>https://news.example.org/e/2</id><title>Id comme lien</title><author><name>Luc</name></author>
        <updated>2024-05-07T10:03:00.123Z</updated><content>Texte brut</content></entry>"""),
}


@pytest.mark.parametrize("name", list(PLAIN))
def test_plain_documents_take_the_fast_path_with_feedparser_results(name):
    slow, fast = both(PLAIN[name])
    assert fast.fast and not slow.fast
    assert same(slow, fast), name


def test_headers_and_xml_lang_give_the_same_language():
    data = atom("<entry><title>t</title><id>urn:x</id></entry>", lang="")
    for headers in (None, {"content-language": "fr_CA"}):
        slow, fast = both(data, "application/atom+xml", headers)
        assert fast.fast and same(slow, fast)
    slow, fast = both(atom("<entry><title>t</title><id>urn:x</id></entry>", lang='xml:lang="en-US"'),
                      "application/atom+xml; charset=utf-8", {"content-language": "fr"})
    assert fast.fast and same(slow, fast) and fast.feed_language == "en-US"


def test_project_fixtures_agree():
    for name in ("rss2_fr.xml", "atom.xml", "guid_http.xml", "guid_https.xml", "nodates.xml", "updated_v1.xml",
                 "updated_v2.xml", "rss1.rdf"):
        slow, fast = both((FIXTURES / name).read_bytes(), "application/xml")
        assert same(slow, fast), name


FALLBACK = {
    "DOCTYPE with entities": rss("<item><title>&x;</title></item>").replace(
        b"<rss", b'<!DOCTYPE rss [<!ENTITY x "boom">]>\n<rss', 1),
    "DOCTYPE after a comment that looks like a tag": rss("<item><title>&x;</title></item>").replace(
        b"<rss", b'<!-- <a> --><!DOCTYPE rss [<!ENTITY x "boom">]>\n<rss', 1),
    "media:description becomes content in feedparser": rss(
        "<item><title>t</title><description>d</description>"
        "<media:content url='u'><media:description>légende</media:description></media:content></item>"),
    "RSS 0.91": rss("<item><title>t</title></item>").replace(b'version="2.0"', b'version="0.91"'),
    "latin-1": rss("<item><title>été</title></item>").decode().replace("UTF-8", "ISO-8859-1").encode("latin-1"),
    "malformed": rss("<item><title>t</title></item>")[:-20],
    "undefined entity": rss("<item><title>a&nbsp;b</title></item>"),
    "xhtml content": atom('<entry><title>t</title><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
                          "<p>x</p></div></content></entry>"),
    "markup in description": rss("<item><title>t</title><description>a <b>b</b></description></item>"),
    "two descriptions": rss("<item><title>t</title><description>a</description><description>b</description></item>"),
    "xml:base": atom('<entry xml:base="https://other.example/"><title>t</title><link href="x"/></entry>'),
    "source element": rss("<item><title>t</title><source url='https://s.example/'>S</source></item>"),
}


@pytest.mark.parametrize("name", list(FALLBACK))
def test_unusual_documents_fall_back_to_feedparser(name):
    slow, fast = both(FALLBACK[name])
    assert not fast.fast
    assert same(slow, fast)


def test_text_xml_without_charset_is_left_to_feedparser():
    # RFC 3023: feedparser reads text/xml without a charset as US-ASCII.
    data = PLAIN["rss basics"]
    assert not parse_feed(data, URL, "text/xml").fast
    assert parse_feed(data, URL, "text/xml; charset=utf-8").fast
    assert not parse_feed(data, URL, "application/xml; charset=iso-8859-1").fast


def test_entities_are_never_expanded():
    laughs = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
              b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><rss version="2.0"><channel><title>x</title>'
              b"<item><title>&c;</title><description>ok</description></item></channel></rss>")
    result = parse_feed(laughs, URL, "application/xml")
    assert not result.fast
    assert all("aaaaaaaaaa" not in (e["title"] or "") for e in result.entries)


def test_fast_date_matches_feedparser():
    rnd = random.Random(7)
    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    samples = ["Mon, 06 May 2024 10:03:00 GMT", "06 May 2024 10:03:00 +0000", "Sat, 29 Feb 2020 23:59:59 -1200",
               "Sun, 31 Dec 2023 23:30:00 -0100", "2024-01-01T00:00:00Z", "2023-12-31T23:00:00-05:30",
               "Fri, 30 Feb 2024 10:00:00 +0000", "2024-02-30T10:00:00Z", "Mon, 06 May 2024 24:00:00 +0000"]
    for _ in range(3000):
        when = dt.datetime(1999, 1, 1) + dt.timedelta(seconds=rnd.randrange(0, 40 * 365 * 86400))
        sign = rnd.choice("+-")
        oh, om = rnd.randrange(0, 15), rnd.choice([0, 30, 45])
        samples.append(f"{rnd.choice(days)}, {when:%d} {months[when.month - 1]} {when:%Y %H:%M:%S} {sign}{oh:02d}{om:02d}")
        samples.append(f"{when:%Y-%m-%dT%H:%M:%S}{sign}{oh:02d}:{om:02d}")
    for text in samples:
        mine = fast_date(text)
        theirs = _parse_date(text)
        if mine is not None:
            assert mine == tuple(theirs[:6]), text


def test_plain_urls_are_what_feedparser_urljoin_returns():
    bases = ["https://news.example.org/rss/une.xml", "http://127.0.0.2:8080/feed/1.xml", ""]
    urls = ["https://www.lemonde.fr/international/article/2024/01/18/x_6211.html?xtor=RSS-3208",
            "https://www.francetvinfo.fr/meteo/a_6310950.html#xtor=RSS-3-[lestitres]", "http://a.example",
            "https://a.example:8443/p/../q/./r", "https://a.example//double//slash", "http://A.Example/Up?Q=1&r=2"]
    for base in bases:
        for url in urls:
            assert _PLAIN_URL.match(url), url
            assert _urljoin(base, url) == url, (base, url)
    for odd in ("https://a.example/p;params", "https://a.example/p?", "https://a.example/p#", "/relative",
                "https:///three", "https://a.example/space here"):
        assert not _PLAIN_URL.match(odd), odd


def test_html_to_text_shortcut_equals_the_full_path():
    from crawlers.text import _full_html_to_text, html_to_text

    rnd = random.Random(3)
    alphabet = list("ab é’") + [" ", "  ", "\t", "\u00a0", "\u202f", "\x0b", "\u2003", "\x85", "\u2028", "x"]
    for _ in range(5000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randrange(0, 12)))
        assert html_to_text(text) == _full_html_to_text(text), repr(text)
