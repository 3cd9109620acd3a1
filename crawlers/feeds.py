"""Feed bytes in, entries out. No network here (feedparser has no timeout:
the bytes are always fetched by Scrapy, under its limits).

RSS 0.9x/1.0/2.0 and Atom go through feedparser; JSON Feed 1/1.1 is parsed
here. One bad entry is skipped with a warning; a feed fails only when nothing
usable comes out, with an error a community manager can act on.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field

from .dates import from_struct, parse_date
from .text import clean_name, html_to_text

_BOM = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*(<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])", re.I | re.S)
_FEED_ROOT = re.compile(rb"<(rss|feed|rdf:rdf|rdf|channel)[\s>:]", re.I)
_DOCTYPE_SUBSET = re.compile(rb"<!DOCTYPE[^\[>]*\[(.*?)\]\s*>", re.I | re.S)
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.I)


@dataclass
class ParsedFeed:
    entries: list[dict] = field(default_factory=list)
    feed_language: str | None = None
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    title: str | None = None
    fast: bool = False  # read by crawlers.fastfeed rather than feedparser


def _strip_bom_ws(data: bytes) -> bytes:
    for bom in _BOM:
        if data.startswith(bom):
            data = data[len(bom):]
            break
    return data.lstrip()


def looks_like_html(data: bytes, content_type: str | None = None) -> bool:
    head = _strip_bom_ws(data[:4096])
    if _HTML_START.match(head):
        return True
    if content_type and "html" in content_type.lower() and not _FEED_ROOT.search(data[:8192]):
        return True
    return False


def _defuse_entities(data: bytes, warnings: list[str]) -> bytes:
    """Drop a DOCTYPE internal subset that declares entities.

    Expat has billion-laughs protection, but feedparser falls back to a loose
    parser on errors, and an external entity would be a fetch we did not
    decide. Without the declarations the references stay unexpanded.
    """
    head = data[:65536]
    m = _DOCTYPE_SUBSET.search(head)
    if m and _ENTITY_DECL.search(m.group(1)):
        warnings.append("the feed declares XML entities in its DOCTYPE; they were ignored")
        return data[:m.start()] + data[m.end():]
    return data


def parse_feed(data: bytes, url: str, content_type: str | None = None, headers=None, fast: bool = True) -> ParsedFeed:
    """Parse one fetched feed body. Never raises on bad input; see ParsedFeed.error.

    fast=False forces feedparser for RSS/Atom (the fast path yields the same
    entries; the switch is there to prove it, see benchmarks/corpus_check.py).
    """
    result = ParsedFeed()
    if data is None or not data.strip():
        result.error = "not a feed: the response body is empty"
        return result
    head = _strip_bom_ws(data[:64])
    if head[:1] in (b"{", b"[") or (content_type and "json" in content_type.lower()):
        return _parse_json_feed(data, url, result)
    if looks_like_html(data, content_type):
        result.error = "not a feed: got an HTML page"
        return result
    try:
        return _parse_xml_feed(data, url, content_type, headers, result, fast)
    except Exception as exc:  # feedparser on hostile input: record, never crash the run
        result.error = f"not a feed: the parser failed ({type(exc).__name__}: {exc})"[:300]
        return result


def _parse_xml_feed(data, url, content_type, headers, result: ParsedFeed, fast: bool = True) -> ParsedFeed:
    parsed = None
    if fast:
        # Plain RSS 2.0 / Atom 1.0 without a DOCTYPE: ~10x faster, same entries;
        # None for anything it cannot reproduce exactly.
        from .fastfeed import parse_plain_feed  # noqa: PLC0415

        parsed = parse_plain_feed(data, url, content_type, headers)
        result.fast = parsed is not None
    if parsed is None:
        parsed = _feedparser_parse(data, url, content_type, headers, result)
    return _read_parsed(parsed, headers, result)


def _feedparser_parse(data, url, content_type, headers, result: ParsedFeed):
    import feedparser  # noqa: PLC0415

    data = _defuse_entities(data, result.warnings)
    # Without a type feedparser flags every feed as bozo; XML is what we asked for.
    response_headers = {"content-location": url, "content-type": content_type or "application/xml"}
    if headers:
        for key in ("content-language",):
            if headers.get(key):
                response_headers[key] = headers[key]
    # A BytesIO, not bytes: feedparser would treat bytes naming a path as a local file to open.
    # Text is reduced to plain text by html_to_text (scripts dropped), so feedparser
    # need not sanitize or resolve links inside it: ~15% of parse time saved.
    return feedparser.parse(io.BytesIO(data), response_headers=response_headers,
                            sanitize_html=False, resolve_relative_uris=False)


def _read_parsed(parsed, headers, result: ParsedFeed) -> ParsedFeed:
    feed = parsed.get("feed", {}) or {}
    result.feed_language = _lang(feed.get("language") or (headers or {}).get("content-language"))
    result.title = html_to_text(feed.get("title")) or None
    if parsed.get("bozo") and type(parsed.get("bozo_exception")).__name__ != "NonXMLContentType":
        exc = parsed.get("bozo_exception")
        result.warnings.append(f"malformed feed, parsed leniently: {type(exc).__name__}: {exc}"[:300])
    raw_entries = parsed.get("entries") or []
    if not raw_entries:
        if not parsed.get("version") and (parsed.get("bozo") or not feed):
            exc = parsed.get("bozo_exception")
            result.error = "not a feed: no RSS, Atom or JSON Feed found" + (f" ({exc})" if exc else "")
            result.error = result.error[:300]
        return result
    failed = 0
    for i, raw in enumerate(raw_entries):
        try:
            entry = _entry_from_feedparser(raw, result.feed_language)
        except Exception as exc:  # one broken entry must not lose the others
            failed += 1
            result.warnings.append(f"entry {i + 1} skipped: {type(exc).__name__}: {exc}"[:200])
            continue
        if entry is None:
            failed += 1
            result.warnings.append(f"entry {i + 1} skipped: no title, link or text")
            continue
        result.entries.append(entry)
    if not result.entries and failed:
        result.error = f"no usable entry: none of its {failed} entries has a title, link or text"
    return result


def _lang(value) -> str | None:
    if not value or not isinstance(value, str):
        return None
    value = value.strip().replace("_", "-")
    return value[:16] or None


def _is_media_caption(raw) -> bool:
    """True when feedparser's "content" is really a Media RSS caption.

    feedparser reads <media:description> as a second <description>, and a second
    description becomes the entry's content: Le Monde's 2024 feeds would then
    store every photo caption as the article's text. An entry with media
    elements, a summary and only plain-text content is that case; its summary
    (the RSS description) is the article's text.
    """
    if not (raw.get("media_content") or raw.get("media_thumbnail")) or not raw.get("summary"):
        return False
    return all((c.get("type") or "text/plain") == "text/plain" for c in raw.get("content") or [])


def _entry_from_feedparser(raw, feed_language) -> dict | None:
    title = html_to_text(raw.get("title"))
    body_html = None
    content = raw.get("content")
    if content and _is_media_caption(raw):
        content = None
    if content:
        body_html = " ".join(c.get("value", "") for c in content if c.get("value"))
    if not body_html:
        body_html = raw.get("summary") or raw.get("description")
    body = html_to_text(body_html)
    link = raw.get("link")
    if not link:
        for l in raw.get("links") or []:
            if l.get("href"):
                link = l["href"]
                break
    guid = raw.get("id") or raw.get("guid")
    published_raw = raw.get("published") or raw.get("updated") or raw.get("created") or raw.get("dc_date")
    published = (from_struct(raw.get("published_parsed")) or from_struct(raw.get("updated_parsed"))
                 or from_struct(raw.get("created_parsed")))
    if published is None and published_raw:
        published = parse_date(published_raw)
    if not (title or link or body or guid):
        return None
    author = raw.get("author")
    if not author and raw.get("authors"):
        author = (raw["authors"][0] or {}).get("name")
    engagement = None
    comments = raw.get("slash_comments")
    if comments is not None:
        try:
            engagement = int(str(comments).strip())
        except ValueError:
            pass
    return {
        "guid": str(guid).strip() if guid else None,
        "url": link.strip() if isinstance(link, str) else None,
        "title": title,
        "body": body,
        "author": clean_name(author),
        "published_at": published,
        "published": published_raw or (published.isoformat() if published else None),
        "language": _lang(raw.get("language")) or feed_language,
        "engagement": engagement,
    }


def _parse_json_feed(data: bytes, url: str, result: ParsedFeed) -> ParsedFeed:
    try:
        doc = json.loads(data.decode("utf-8", "replace").lstrip("\ufeff"))
    except (ValueError, RecursionError) as exc:
        result.error = f"not a feed: invalid JSON ({exc})"[:300]
        return result
    if not isinstance(doc, dict) or "jsonfeed.org/version" not in str(doc.get("version", "")):
        result.error = "not a feed: JSON that is not a JSON Feed (no jsonfeed.org version)"
        return result
    result.feed_language = _lang(doc.get("language"))
    result.title = html_to_text(doc.get("title")) if isinstance(doc.get("title"), str) else None
    items = doc.get("items")
    if not isinstance(items, list):
        result.error = "not a feed: JSON Feed without an items list"
        return result
    failed = 0
    for i, item in enumerate(items):
        try:
            if not isinstance(item, dict):
                raise ValueError("item is not an object")
            body = item.get("content_text")
            if not body and item.get("content_html"):
                body = html_to_text(item["content_html"])
            if not body and item.get("summary"):
                body = html_to_text(item["summary"])
            author = None
            authors = item.get("authors") or ([item["author"]] if isinstance(item.get("author"), dict) else [])
            if authors and isinstance(authors[0], dict):
                author = authors[0].get("name")
            published_raw = item.get("date_published") or item.get("date_modified")
            entry = {
                "guid": str(item["id"]) if item.get("id") is not None else None,
                "url": item.get("url") or item.get("external_url"),
                "title": html_to_text(item.get("title")) if isinstance(item.get("title"), str) else None,
                "body": html_to_text(body) if isinstance(body, str) else None,
                "author": clean_name(author) if isinstance(author, str) else None,
                "published_at": parse_date(published_raw),
                "published": published_raw,
                "language": _lang(item.get("language")) or result.feed_language,
                "engagement": None,
            }
            if not (entry["title"] or entry["url"] or entry["body"] or entry["guid"]):
                raise ValueError("no title, link or text")
            result.entries.append(entry)
        except Exception as exc:  # one broken item must not lose the others
            failed += 1
            result.warnings.append(f"item {i + 1} skipped: {exc}"[:200])
    if not result.entries and failed:
        result.error = f"not a feed: none of its {failed} items could be read"
    return result
