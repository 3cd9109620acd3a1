"""Who is who: canonical URLs, the dedup ladder and mention ids.

The ladder follows FreshRSS: entry GUID, else canonical link, else a hash of
link and date, else of the title. A feed whose GUIDs are unreliable (more than
5% blank or repeated) is switched down a rung for all its entries, so one bad
publisher cannot make every entry look new on each fetch.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import re
from collections import Counter
from collections.abc import Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PARAMS = re.compile(r"^(utm_[a-z_]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|ref_src|xtor|at_medium|at_campaign)$", re.I)
GUID_UNRELIABLE_SHARE = 0.05


# Pure and called twice per entry (the spider's row, then the dedup ladder);
# a feed refetch repeats the same links, so the cache also spares later fetches.
@functools.lru_cache(maxsize=1 << 16)
def canonical_url(url: str | None) -> str | None:
    """One spelling per article: no scheme difference, tracking parameters, fragment or trailing slash."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return url
    host = parts.hostname.lower()
    if host.startswith("www."):
        host = host[4:]
    port = f":{parts.port}" if parts.port and parts.port not in (80, 443) else ""
    path = re.sub(r"/{2,}", "/", parts.path or "/")
    if len(path) > 1:
        path = path.rstrip("/")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAMS.match(k)]
    query.sort()
    # The scheme is dropped on purpose: http -> https migrations must not duplicate.
    return urlunsplit(("", host + port, path, urlencode(query), "")).lstrip("/") or url


def _looks_like_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def normalize_guid(guid: str | None) -> str | None:
    if guid is None:
        return None
    guid = guid.strip()
    if not guid:
        return None
    # A GUID that is a URL changes spelling (http -> https) more often than meaning.
    return canonical_url(guid) if _looks_like_url(guid) else guid


def dedup_keys(entries: Sequence[dict]) -> tuple[list[str], str]:
    """Dedup key for each entry of one feed fetch, and the rung used.

    Each entry is a dict with optional ``guid``, ``url``, ``published`` (raw
    text or ISO) and ``title``. Returns (keys, rung) with rung one of
    guid | link | link_date | title.
    """
    n = len(entries)
    guids = [normalize_guid(e.get("guid")) for e in entries]
    links = [canonical_url(e.get("url")) for e in entries]

    def unreliable(values: list[str | None]) -> bool:
        if n == 0:
            return False
        blank = sum(1 for v in values if not v)
        repeated = sum(c - 1 for v, c in Counter(v for v in values if v).items() if c > 1)
        return (blank + repeated) / n > GUID_UNRELIABLE_SHARE

    if not unreliable(guids):
        rung = "guid"
    elif not unreliable(links):
        rung = "link"
    else:
        rung = "link_date" if any(links) else "title"
    keys = []
    for e, guid, link in zip(entries, guids, links):
        title = (e.get("title") or "").strip().casefold()
        published = str(e.get("published") or "")
        if rung == "guid":
            key = f"g:{guid}"
        elif rung == "link" and link:
            key = f"l:{link}"
        elif link and (published or rung == "link_date"):
            key = "ld:" + _digest(f"{link}\x1f{published}")
        else:
            key = "t:" + _digest(f"{title}\x1f{published}\x1f{(e.get('body') or '')[:200]}")
        keys.append(key)
    return keys, rung


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


def mention_id(source: str, key: str) -> str:
    return hashlib.sha1(f"{source}\x1f{key}".encode("utf-8", "surrogatepass")).hexdigest()[:24]


def content_hash(title: str | None, body: str | None) -> str:
    return _digest(f"{title or ''}\x1f{body or ''}")[:16]


def pseudonymize(author: str | None, key: str | None = None) -> str | None:
    """Keyed hash of an author name (Law 25 / GDPR). Same author, same pseudonym."""
    if not author:
        return author
    secret_text = key or os.environ.get("VIGIE_PSEUDONYM_KEY")
    if not secret_text:
        # A public default key would make pseudonyms reversible by guessing names.
        from .errors import VigieError
        raise VigieError("[privacy] pseudonymize_authors is on but VIGIE_PSEUDONYM_KEY is not set in the environment")
    secret = secret_text.encode()
    return "anon-" + hmac.new(secret, author.strip().casefold().encode("utf-8"), hashlib.sha256).hexdigest()[:12]
