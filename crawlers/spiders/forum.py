"""Forum pages into posts, driven by selectors (see crawlers/presets.py).

Pure functions over parsel selectors so tests run on saved pages without a
crawl. A page is a topic page when it has posts, a board page when it has
topic links; a page with neither is an error page (vBulletin "database
unavailable", "you must register") and yields no posts.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from parsel import Selector

from ..dates import parse_date
from ..presets import ERROR_PAGE_MARKERS
from ..text import clean_name, html_to_text

_DIGITS = re.compile(r"(\d+)")


def select(node, expr: str):
    """CSS, or XPath when it starts with '/' or '('. '::attr(x)' / '::text' alone address the node itself."""
    expr = expr.strip()
    if expr.startswith(("/", "(")):
        return node.xpath(expr)
    if expr.startswith("::attr(") and expr.endswith(")"):
        return node.xpath(f"@{expr[7:-1]}")
    if expr == "::text":
        return node.xpath("./text()")
    return node.css(expr)


def _first(node, expr: str | None) -> str | None:
    if not expr:
        return None
    for part in _alternatives(expr):
        if part.endswith("::text"):
            base = part[:-len("::text")].strip()
            elems = select(node, base) if base else [node]
            if not elems:
                continue
            # First matching element only: breadcrumbs and titles often appear twice.
            value = " ".join(t.strip() for t in elems[0].xpath("./text()").getall() if t.strip())
        else:
            sel = select(node, part)
            if not sel:
                continue
            value = sel[0].get()
            if value.lstrip().startswith("<"):
                value = html_to_text(value)
        if value and value.strip():
            return value.strip()
    return None


def _alternatives(expr: str) -> list[str]:
    """Split 'a::text, b::text' into tries in order (first match wins), keep XPath whole."""
    if expr.strip().startswith(("/", "(")):
        return [expr]
    parts, depth, buf = [], 0, ""
    for ch in expr:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(buf.strip())
            buf = ""
        else:
            buf += ch
    if buf.strip():
        parts.append(buf.strip())
    return parts


def _nodes(node, expr: str):
    """All nodes matched by any alternative, in document order for CSS unions."""
    if expr.strip().startswith(("/", "(")):
        return node.xpath(expr)
    return node.css(expr)


def _body(node, expr: str | None, remove: str | None) -> str | None:
    if not expr:
        return None
    for part in _alternatives(expr):
        sel = select(node, part)
        if not sel:
            continue
        html = sel[0].get()
        if remove:
            inner = Selector(text=html)
            for junk in inner.css(remove):
                try:
                    junk.drop()
                except Exception:  # parsel refuses to drop the root; then keep it
                    pass
            html = inner.get()
        text = html_to_text(html)
        if text:
            return text
    return None


def _post_id(raw: str | None) -> str | None:
    if not raw:
        return None
    digits = _DIGITS.findall(raw)
    return digits[-1] if digits else raw.strip() or None


def _int(text: str | None) -> int | None:
    if not text:
        return None
    m = _DIGITS.search(text.replace("\u202f", "").replace(",", "").replace(" ", ""))
    return int(m.group(1)) if m else None


def page_title(sel: Selector, selectors: dict) -> str | None:
    title = _first(sel, selectors.get("title")) if selectors.get("title") else None
    return title or (sel.css("title::text").get() or "").strip() or None


def extract_posts(sel: Selector, selectors: dict, page_url: str) -> list[dict]:
    """Posts on one page: dicts with post_id, author, published_at, body, url, title, engagement."""
    post_expr = selectors.get("post")
    if not post_expr:
        return []
    title = page_title(sel, selectors)
    tz = selectors.get("_timezone")
    posts, seen = [], set()
    for node in _nodes(sel, post_expr):
        pid_expr = selectors.get("post_id")
        post_id = _post_id(_first(node, pid_expr)) if pid_expr else None
        if pid_expr and not post_id:
            continue  # ads and layout tables reuse post markup but carry no id
        body = _body(node, selectors.get("body"), selectors.get("_remove"))
        author = clean_name(_first(node, selectors.get("author")))
        if not body and not author:
            continue
        if post_id and post_id in seen:
            continue
        seen.add(post_id)
        date_text = _first(node, selectors.get("date"))
        posts.append({
            "post_id": post_id,
            "author": author,
            "published_at": parse_date(date_text, default_tz=tz) if date_text else None,
            "date_text": date_text,
            "body": body,
            "title": title,
            "url": f"{page_url.split('#')[0]}#p{post_id}" if post_id else page_url,
            "engagement": _int(_first(node, selectors["engagement"])) if selectors.get("engagement") else None,
        })
    return posts


def topic_links(sel: Selector, selectors: dict, page_url: str) -> list[str]:
    expr = selectors.get("topic_link")
    if not expr:
        return []
    links, seen = [], set()
    for value in _nodes(sel, expr).getall():
        value = value.strip()
        if not value or value.startswith(("javascript:", "#", "mailto:")):
            continue
        url = urljoin(page_url, value)
        if url not in seen:
            seen.add(url)
            links.append(url)
    return links


def next_page(sel: Selector, selectors: dict, page_url: str) -> str | None:
    value = _first(sel, selectors.get("next_page"))
    if not value or value.startswith(("javascript:", "#")):
        return None
    url = urljoin(page_url, value)
    return url if url.split("#")[0] != page_url.split("#")[0] else None


def error_message(sel: Selector) -> str:
    """Why a page with no posts and no topics is an error, in the page's own words when we can."""
    text = " ".join(" ".join(sel.css("h1 ::text, h2 ::text, title::text, div.standard_error ::text, "
                                     "div.blockrow ::text, #msg ::text, div.panel ::text").getall()).split())
    low = text.lower()
    for marker in ERROR_PAGE_MARKERS:
        if marker in low:
            i = low.find(marker)
            return f"the forum returned an error page: \"{text[i:i + 120].strip()}\""
    title = (sel.css("title::text").get() or "").strip()
    return "no posts or topic links found on the page" + (f" (title: \"{title[:100]}\")" if title else "") + \
        "; check the preset or selectors"
