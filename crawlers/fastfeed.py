"""A fast path for plain RSS 2.0 and Atom 1.0 feeds, feedparser-shaped.

feedparser runs a SAX parser with Python callbacks for every element and every
text chunk: ~3,500 items/s per core, the ceiling of a whole collection (issue
#7). This module parses the same bytes with lxml (C) and builds, for the
documents it accepts, exactly the entry dicts feedparser would build for the
keys crawlers.feeds reads (title, link, links, id, content, summary, dates,
author, language, slash_comments), by repeating feedparser's own text steps:
whitespace strip, relative URI resolution, its UTF-8-read-as-Latin-1 repair,
its cp1252 mapping, its `&amp;` fix in links, first-title-wins, guid as link.

It accepts only what it can reproduce exactly and returns None for anything
else, so crawlers.feeds falls back to feedparser: declared or served encodings
other than UTF-8, text/xml without a charset (feedparser reads it as ASCII),
any DOCTYPE (hence no entity can ever be expanded here), xml:base, malformed
XML, RSS 0.9x/1.0, Atom 0.3, embedded XHTML, base64 content, repeated
elements whose order feedparser resolves in its own way, and any element
feedparser gives a meaning to that is not handled here (media:title,
itunes:summary, source...). lxml is told never to load a DTD or touch the
network. benchmarks/corpus_check.py and tests/test_fastfeed.py check the
equality against feedparser itself.
"""

from __future__ import annotations

import datetime as _dt
import re

from lxml import etree

_ATOM = "http://www.w3.org/2005/Atom"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                          huge_tree=False, collect_ids=False)
# Absolute http(s) URLs that feedparser's _urljoin returns unchanged whatever
# the base (no ';' params, no empty query or fragment, nothing urlsplit cleans):
# skipping the join for them saves ~7 us per link.
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::\d{1,5})?(?:/[A-Za-z0-9._~%!$&'()*+,=:@/-]*)?"
                        r"(?:\?[A-Za-z0-9._~%!$&'()*+,=:@/?-]+)?(?:#[A-Za-z0-9._~%!$&'()*+,=:@/?\[\]-]+)?\Z")
# The two date forms nearly every feed uses; anything else (or an impossible
# date) goes to feedparser's _parse_date, which tries its dozen handlers (~15 us).
_MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                                       "Dec"), 1)}
_RFC822 = re.compile(r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?(\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
                     r" (\d{4}) (\d{2}):(\d{2}):(\d{2}) (?:([+-])(\d{2})(\d{2})|GMT)\Z")
_W3DTF = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:Z|([+-])(\d{2}):(\d{2}))\Z")
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Keys crawlers.feeds reads that an unknown element of the same name would overwrite.
_RESERVED = frozenset({"authors", "links", "content", "summary", "guid", "id", "link", "title", "published",
                       "updated", "created", "author", "language", "description", "slash_comments"})
_DECL = re.compile(rb"^<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']", re.I)
_AMP_ENTITY = re.compile("&([A-Za-z0-9_]+);")
_C1 = re.compile("[\x80-\x9f]")  # what feedparser's cp1252 table maps; str.translate is slow
_UTF8 = ("utf-8", "utf8")

# feedparser's prefix for a namespace URI (lowercased) decides which handler an
# element gets; loaded from feedparser so the two can never disagree.
_fp = None


def _feedparser_tables():
    global _fp
    if _fp is None:
        from feedparser import mixin  # noqa: PLC0415
        from feedparser.datetimes import _parse_date  # noqa: PLC0415
        from feedparser.urls import _urljoin, make_safe_absolute_uri  # noqa: PLC0415

        cls = mixin._FeedParserMixin
        handled = {n[len("_start_"):] for n in dir(cls) if n.startswith("_start_")}
        handled |= {n[len("_end_"):] for n in dir(cls) if n.startswith("_end_")}
        _fp = {
            "ns": {k.lower(): v for k, v in cls.namespaces.items()},
            "handled": handled,
            "cp1252": mixin._cp1252,
            "parse_date": _parse_date,
            "urljoin": _urljoin,
            "safe_uri": make_safe_absolute_uri,
        }
    return _fp


def fast_date(value: str):
    """(Y, M, D, h, m, s) in UTC for the two common forms, as feedparser computes
    them (its w3dtf and rfc822 handlers); None for anything else."""
    m = _RFC822.match(value)
    if m:
        day, month, year, hh, mm, ss, sign, oh, om = m.groups()
        offset = 0 if sign is None else (int(oh) * 60 + int(om)) * (-1 if sign == "-" else 1)
        month = _MONTHS[month]
    else:
        m = _W3DTF.match(value)
        if not m:
            return None
        year, month, day, hh, mm, ss, sign, oh, om = m.groups()
        offset = 0 if sign is None else (int(oh) * 60 + int(om)) * (-1 if sign == "-" else 1)
        month = int(month)
    try:
        stamp = _dt.datetime(int(year), month, int(day), int(hh), int(mm), int(ss))
        if offset:
            stamp -= _dt.timedelta(minutes=offset)
    except (ValueError, OverflowError):
        return None  # feedparser's own handlers decide (they may accept 24:00, leap seconds...)
    return (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)


class _NotPlain(Exception):
    """The document needs feedparser's full treatment."""


# Elements feedparser handles that change nothing crawlers.feeds reads (they
# fill media_content, tags, rights... which we never look at).
_HARMLESS = frozenset({
    "category", "media_content", "media_thumbnail", "media_credit", "media_category", "media_keywords",
    "media_rating", "media_group", "media_restriction", "media_license", "media_player", "dc_subject",
    "dc_rights", "rights", "itunes_image", "itunes_explicit", "itunes_block", "itunes_category",
    "itunes_keywords", "width", "height",
})


def _media_type(content_type: str | None) -> tuple[str, str | None]:
    if not content_type:
        return "application/xml", None
    parts = [p.strip() for p in content_type.split(";")]
    charset = None
    for p in parts[1:]:
        if p.lower().startswith("charset="):
            charset = p[8:].strip().strip("\"'").lower()
    return parts[0].lower(), charset


def _acceptable_bytes(data: bytes, content_type: str | None) -> bool:
    media, charset = _media_type(content_type)
    if charset is not None and charset not in _UTF8:
        return False
    xml_type = media == "application/xml" or (media.startswith("application/") and media.endswith("+xml"))
    if not xml_type and not (media in ("text/xml",) or (media.startswith("text/") and media.endswith("+xml"))):
        return False
    if not xml_type and charset is None:
        return False  # RFC 3023: text/xml without a charset is US-ASCII to feedparser
    if data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00", b"\x4c\x6f\xa7\x94")):
        return False
    head = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    m = _DECL.match(head.lstrip()[:200])
    if m and m.group(1).decode("ascii").lower() not in _UTF8:
        return False
    # No DOCTYPE anywhere (the only place entities can be declared). XML keywords
    # are case-sensitive, so two plain byte searches cover it (lxml rejects
    # "<!doctype"); a "<!DOCTYPE" inside CDATA only costs the fast path.
    return b"<!DOCTYPE" not in data and b"<!ENTITY" not in data and b"xml:base" not in data


def parse_plain_feed(data: bytes, url: str, content_type: str | None = None, headers=None) -> dict | None:
    """{'version', 'feed': {'title', 'language'}, 'entries': [feedparser-shaped dicts]} or None."""
    if not _acceptable_bytes(data, content_type):
        return None
    try:
        root = etree.fromstring(data, _PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if root is None:
        return None
    try:
        return _Builder(url, headers).build(root)
    except _NotPlain:
        return None


class _Builder:
    def __init__(self, url: str, headers):
        fp = _feedparser_tables()
        self.fp = fp
        self.ns = fp["ns"]
        # feedparser's base URI: the response's Content-Location (our URL), made safe.
        self.base = fp["safe_uri"]("", url) or fp["safe_uri"](url) or ""
        self.header_lang = (headers or {}).get("content-language") or None
        self.names: dict[str, str] = {}

    # --- names and text, the feedparser way -----------------------------------------

    def name(self, el) -> str:
        """feedparser's name for an element: its handler is _start_<name>."""
        tag = el.tag
        known = self.names.get(tag)
        if known is not None:
            return known
        if not isinstance(tag, str):
            raise _NotPlain("processing instruction or entity")
        cacheable = True
        if tag[0] == "{":
            uri, local = tag[1:].split("}", 1)
            low = uri.lower()
            if "backend.userland.com/rss" in low:
                low = "http://backend.userland.com/rss"
            prefix = self.ns.get(low)
            if prefix is None:
                prefix = el.prefix or ""  # an unknown namespace: feedparser uses the document's prefix
                cacheable = False
        else:
            prefix, local = "", tag
        local = local.lower()
        name = f"{prefix.lower()}_{local}" if prefix else local
        if cacheable:
            self.names[tag] = name
        return name

    def text(self, el, uri: bool = False) -> str:
        if len(el):
            raise _NotPlain("markup inside a text element")
        value = (el.text or "").strip()
        if uri and value and not _PLAIN_URL.match(value):
            value = self.fp["urljoin"](self.base, value)
        if value.isascii():
            return value  # both steps below are the identity on ASCII
        try:
            value = value.encode("iso-8859-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
        return value.translate(self.fp["cp1252"]) if _C1.search(value) else value

    def check_harmless(self, el) -> None:
        """The element and its descendants must be unknown to feedparser or in _HARMLESS."""
        for sub in el.iter():
            if not isinstance(sub.tag, str):
                continue  # comments and processing instructions
            name = self.name(sub)
            if (name in self.fp["handled"] and name not in _HARMLESS) or name in _RESERVED \
                    or name.endswith(("_parsed", "_detail")):
                raise _NotPlain(name)

    def date(self, entry: dict, key: str, value: str) -> None:
        entry[key] = value
        entry[key + "_parsed"] = fast_date(value) or self.fp["parse_date"](value)

    # --- documents ----------------------------------------------------------------

    def build(self, root) -> dict:
        name = self.name(root)
        lang = root.get(_XML_LANG)
        feed = {}
        if self.header_lang:
            feed["language"] = self.header_lang.replace("_", "-")
        if lang:
            feed["language"] = lang.replace("_", "-")
        if name == "rss" and root.tag == "rss" and (root.get("version") or "").startswith("2."):
            return self.rss(root, feed)
        if name == "feed" and root.tag == f"{{{_ATOM}}}feed":
            return self.atom(root, feed)
        raise _NotPlain("not RSS 2.0 or Atom 1.0")

    def rss(self, root, feed: dict) -> dict:
        children = [c for c in root if isinstance(c.tag, str)]
        channels = [c for c in children if self.name(c) == "channel"]
        if len(channels) != 1 or len(children) != 1:
            raise _NotPlain("RSS without exactly one channel")
        entries = []
        titles = langs = 0
        for el in channels[0]:
            if not isinstance(el.tag, str):
                continue
            name = self.name(el)
            if name == "item":
                entries.append(self.rss_item(el))
            elif name in ("title", "dc_title"):
                titles += 1
                feed["title"] = self.text(el)
            elif name in ("language", "dc_language"):
                langs += 1
                feed["language"] = self.text(el)
            elif name in ("image", "textinput", "textInput"):
                continue  # their own context in feedparser
            else:
                self.check_harmless_channel(el)
        if titles > 1 or langs > 1:
            raise _NotPlain("repeated channel title or language")
        return {"version": "rss20", "feed": feed, "entries": entries}

    def check_harmless_channel(self, el) -> None:
        # Channel-level elements fill feed fields we do not read; only items
        # and entries must not hide inside them.
        for sub in el.iter():
            if isinstance(sub.tag, str) and \
                    self.name(sub) in ("item", "entry", "title", "language", "dc_title", "dc_language"):
                raise _NotPlain("item or title in an unexpected place")

    def rss_item(self, item) -> dict:
        if item.attrib:
            raise _NotPlain("attributes on item")
        entry: dict = {"links": []}
        seen: set[str] = set()
        for el in item:
            if not isinstance(el.tag, str):
                continue
            name = self.name(el)
            if name in ("category", "enclosure", "link"):
                pass
            elif name in seen:
                raise _NotPlain(f"repeated {name}")
            seen.add(name)
            if name == "title":
                self.no_attrs(el)
                entry["title"] = self.text(el)
            elif name == "link":
                if el.get("href") is not None or el.attrib:
                    self.atom_link(el, entry)  # an atom:link in an RSS item
                else:
                    if "rsslink" in seen:
                        raise _NotPlain("repeated link")
                    seen.add("rsslink")
                    value = self.text(el, uri=True)
                    if "&" in value:
                        value = _AMP_ENTITY.sub(r"&\g<1>", value.replace("&amp;", "&"))
                    entry["link"] = value
                    entry["links"].append({"href": value} if value else {})
            elif name == "description":
                self.no_attrs(el)
                entry["summary"] = self.text(el)
            elif name == "content_encoded":
                self.no_attrs(el)
                content = self.text(el)
                entry["content"] = [{"value": content}]
                entry.setdefault("summary", content)
            elif name == "guid":
                attrs = {k.lower(): v for k, v in el.attrib.items()}
                permalink = attrs.pop("ispermalink", "true") == "true"
                if attrs:
                    raise _NotPlain("guid attributes")
                value = self.text(el, uri=permalink)
                entry["id"] = value
                if permalink:
                    entry.setdefault("link", value)
            elif name in ("pubdate", "dcterms_issued"):
                self.no_attrs(el)
                self.date(entry, "published", self.text(el))
            elif name in ("dc_date", "dcterms_modified"):
                self.no_attrs(el)
                self.date(entry, "updated", self.text(el))
            elif name == "dcterms_created":
                self.no_attrs(el)
                self.date(entry, "created", self.text(el))
            elif name in ("author", "dc_creator", "dc_author"):
                if "author" in entry:
                    raise _NotPlain("two authors")
                self.no_attrs(el)
                entry["author"] = self.text(el)
            elif name in ("language", "dc_language"):
                self.no_attrs(el)
                entry["language"] = self.text(el)
            elif name == "slash_comments":
                entry["slash_comments"] = self.text(el)
            elif name == "enclosure":
                self.enclosure(el, entry)
            elif name in self.fp["handled"] and name not in _HARMLESS:
                raise _NotPlain(name)
            else:
                self.check_harmless(el)
        if {"pubdate", "dcterms_issued"} <= seen or {"dc_date", "dcterms_modified"} <= seen \
                or len(seen & {"author", "dc_creator", "dc_author"}) > 1 or {"language", "dc_language"} <= seen:
            raise _NotPlain("two elements for one field")
        return entry

    def no_attrs(self, el) -> None:
        for key in el.attrib:
            if key != _XML_LANG:
                raise _NotPlain("attributes on a text element")

    def enclosure(self, el, entry: dict) -> None:
        if len(el):
            raise _NotPlain("children in enclosure")
        attrs = {k.lower(): v for k, v in el.attrib.items()}
        href = attrs.get("url", attrs.get("href"))
        entry["links"].append({"href": href} if href is not None else {})

    def atom_link(self, el, entry: dict) -> None:
        if len(el):
            raise _NotPlain("children in link")
        attrs = {}
        for k, v in el.attrib.items():
            if k.startswith("{"):
                raise _NotPlain("namespaced link attribute")
            k = k.lower()
            attrs[k] = v.lower() if k in ("rel", "type") else v
        if "href" not in attrs:
            for alt in ("url", "uri"):
                if alt in attrs:
                    attrs["href"] = attrs.pop(alt)
                    break
        if "href" not in attrs:
            raise _NotPlain("link without href")
        rel = attrs.setdefault("rel", "alternate")
        attrs.setdefault("type", "application/atom+xml" if rel == "self" else "text/html")
        href = self.fp["urljoin"](self.base, attrs["href"])
        entry["links"].append({"href": href})
        if rel == "alternate" and attrs["type"] in ("text/html", "application/xhtml+xml", "html", "xhtml"):
            entry["link"] = href

    # --- Atom 1.0 --------------------------------------------------------------------

    def atom_text(self, el) -> str:
        kind = el.get("type", "text").lower()
        if kind not in ("text", "html", "text/plain", "text/html"):
            raise _NotPlain("xhtml or non-text content")
        for key in el.attrib:
            if key not in ("type", _XML_LANG):
                raise _NotPlain("content attributes (src, mode)")
        return self.text(el)

    def atom(self, root, feed: dict) -> dict:
        entries = []
        titles = 0
        for el in root:
            if not isinstance(el.tag, str):
                continue
            name = self.name(el)
            if name == "entry":
                entries.append(self.atom_entry(el))
            elif name == "title":
                titles += 1
                feed["title"] = self.atom_text(el)
            else:
                self.check_harmless_channel(el)
        if titles > 1:
            raise _NotPlain("repeated feed title")
        return {"version": "atom10", "feed": feed, "entries": entries}

    def atom_entry(self, item) -> dict:
        if any(k != _XML_LANG for k in item.attrib):
            raise _NotPlain("attributes on entry")
        entry: dict = {"links": []}
        seen: set[str] = set()
        for el in item:
            if not isinstance(el.tag, str):
                continue
            name = self.name(el)
            if name not in ("category", "link"):
                if name in seen:
                    raise _NotPlain(f"repeated {name}")
                seen.add(name)
            if name == "title":
                entry["title"] = self.atom_text(el)
            elif name == "link":
                self.atom_link(el, entry)
            elif name == "id":
                self.no_attrs(el)
                value = self.text(el, uri=True)
                entry["id"] = value
                entry.setdefault("link", value)
            elif name == "summary":
                entry["summary"] = self.atom_text(el)
            elif name == "content":
                content = self.atom_text(el)
                entry["content"] = [{"value": content}]
                entry.setdefault("summary", content)
            elif name == "published":
                self.no_attrs(el)
                self.date(entry, "published", self.text(el))
            elif name == "updated":
                self.no_attrs(el)
                self.date(entry, "updated", self.text(el))
            elif name == "author":
                entry["author"] = self.atom_person(el)
            elif name in self.fp["handled"] and name not in _HARMLESS:
                raise _NotPlain(name)
            else:
                self.check_harmless(el)
        return entry

    def atom_person(self, el) -> str | None:
        parts = {}
        for sub in el:
            if not isinstance(sub.tag, str):
                continue
            name = self.name(sub)
            if name not in ("name", "email", "uri") or name in parts:
                raise _NotPlain("unusual author")
            parts[name] = self.text(sub)
        name, email = parts.get("name"), parts.get("email")
        if name and email:
            return f"{name} ({email})"
        return name or email or None
