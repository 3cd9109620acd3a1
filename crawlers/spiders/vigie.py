"""One spider for every due source: Scrapy's engine runs them all at once,
under the global and per-host limits of crawlers/settings.py.

The spider only turns responses into items. Each request belongs to a source
run; when a run's last request is answered the spider emits a control item
("source_done") so the one pipeline can write that source's crawl_log row
after its items. Errors are recorded per source and never stop the others.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from urllib.parse import quote_plus, urlencode, urljoin, urlsplit, urlunsplit

import scrapy
from scrapy.http import TextResponse

from warehouse.identity import canonical_url, dedup_keys, mention_id

from ..dates import parse_date
from ..feeds import parse_feed
from ..presets import selectors_for
from ..text import clean_name, html_to_text
from . import forum as forum_parse

UTC = dt.timezone.utc
CONTROL = "_vigie_control"
# One response's items travel as ONE Scrapy item {CONTROL: BATCH, "items": [...]}:
# Scrapy spends ~0.4 ms per item on its own machinery (asyncio tasks, signals,
# middlewares), 4 s of a 7.6 s crawl of 10k items; per response it is 500 times.
BATCH = "items"
MAX_TOPICS_PER_PAGE = 60


def now_utc() -> dt.datetime:
    return dt.datetime.now(UTC)


@dataclass
class SourceRun:
    source: object
    state: dict
    started_at: dt.datetime = field(default_factory=now_utc)
    finished_at: dt.datetime | None = None
    pending: int = 0
    ok_fetches: int = 0
    not_modified: bool = False
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    http_status: int | None = None
    bytes: int = 0
    seen_ids: set = field(default_factory=set)
    new_items: int = 0
    updated_items: int = 0
    etag: str | None = None
    last_modified: str | None = None
    cursor: dict = field(default_factory=dict)
    visited: set = field(default_factory=set)
    done: bool = False

    @property
    def name(self) -> str:
        return self.source.name

    def error(self, message: str) -> None:
        if message not in self.errors:
            self.errors.append(message)

    def warn(self, message: str) -> None:
        if len(self.warnings) < 20 and message not in self.warnings:
            self.warnings.append(message)

    @property
    def status(self) -> str:
        if self.errors and not self.ok_fetches and not self.seen_ids:
            return "not_modified" if self.not_modified and not self.errors else "error"
        if self.not_modified and not self.ok_fetches and not self.seen_ids:
            return "not_modified"
        return "ok"

    @property
    def error_text(self) -> str | None:
        if not self.errors:
            return None
        extra = f" (+{len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
        return (self.errors[0] + extra)[:500]

    def cursor_json(self) -> str | None:
        kept = {k: v for k, v in self.cursor.items() if not k.startswith("_") and v}
        return json.dumps(kept, sort_keys=True) if kept else None


def _load_cursor(state: dict) -> dict:
    raw = (state or {}).get("cursor")
    if not raw:
        return {}
    try:
        value = json.loads(raw)
        return value if isinstance(value, dict) else {}
    except ValueError:
        return {}


def describe_failure(failure, collect) -> str:
    """One line a community manager can act on, for a failed download."""
    from scrapy.exceptions import IgnoreRequest
    from twisted.internet import defer, error as terror

    exc = failure.value
    text = str(exc)
    if "max size" in text.lower() or "maxsize" in text.lower():
        return f"response larger than the {collect.max_bytes:,}-byte limit ([collect] max_bytes)"
    if isinstance(exc, IgnoreRequest):
        low = text.lower()
        if "robots.txt" in low:
            return "blocked by the site's robots.txt ([collect] obey_robots = true)"
        if "redirect" in low:
            return f"too many redirects (more than {collect.max_redirects}): a redirect loop?"
        if "max size" in low or "maxsize" in low:
            return f"response larger than the {collect.max_bytes:,}-byte limit ([collect] max_bytes)"
        return text or "request refused"
    if isinstance(exc, (terror.TimeoutError, defer.TimeoutError, terror.TCPTimedOutError)) \
            or type(exc).__name__ in ("DownloadTimeoutError", "TimeoutError"):
        return f"timed out after {collect.timeout_s:g} s ([collect] timeout_s)"
    if isinstance(exc, defer.CancelledError) or type(exc).__name__ == "DownloadCancelledError":
        return f"download cancelled: response larger than the {collect.max_bytes:,}-byte limit ([collect] max_bytes)"
    if isinstance(exc, terror.DNSLookupError):
        return "cannot resolve the host name (DNS)"
    if isinstance(exc, terror.ConnectionRefusedError):
        return "connection refused"
    name = type(exc).__name__
    if name in ("ResponseNeverReceived", "ResponseFailed", "ConnectionLost", "ConnectionDone", "DownloadFailedError"):
        reasons = getattr(exc, "reasons", None)
        detail = f": {reasons[0].value}" if reasons else ""
        return f"the connection closed before a complete response{detail}"[:300]
    return f"{name}: {text}"[:300]


class VigieSpider(scrapy.Spider):
    name = "vigie"

    def __init__(self, job: dict, sources: list, collect, **kwargs):
        super().__init__(**kwargs)
        self.job = job
        self.collect_cfg = collect
        states = job.get("states") or {}
        self.runs: dict[str, SourceRun] = {}
        for source in sources:
            state = states.get(source.name) or {}
            run = SourceRun(source=source, state=state, cursor=_load_cursor(state))
            self.runs[source.name] = run
        self.brand_names = job.get("brands") or []

    # --- requests and bookkeeping ------------------------------------------------

    def _request(self, run: SourceRun, url: str, cb: str, headers: dict | None = None, **meta):
        run.pending += 1
        run.visited.add(url.split("#")[0])
        return scrapy.Request(url, callback=self._dispatch, errback=self._on_error, headers=headers or {},
                              dont_filter=True, meta={"vigie_source": run.name, "vigie_cb": cb, **meta})

    def _finish(self, run: SourceRun):
        run.finished_at = now_utc()
        run.done = True
        yield {CONTROL: "source_done", "source": run.name}

    async def start(self):
        for run in self.runs.values():
            requests = []
            try:
                requests = list(self._initial_requests(run))
            except Exception as exc:  # a bad source definition fails alone
                run.error(f"cannot build the request: {type(exc).__name__}: {exc}")
            if not requests:
                if not run.errors:
                    run.error("nothing to fetch for this source")
                for control in self._finish(run):
                    yield control
            for request in requests:
                yield request

    def _conditional_headers(self, run: SourceRun) -> dict:
        if not run.source.conditional_get:
            return {}
        headers = {}
        if run.state.get("etag"):
            headers["If-None-Match"] = run.state["etag"]
        if run.state.get("last_modified"):
            headers["If-Modified-Since"] = run.state["last_modified"]
        return headers

    def _initial_requests(self, run: SourceRun):
        source = run.source
        if source.kind == "rss":
            yield self._request(run, source.url, "feed", headers=self._conditional_headers(run))
        elif source.kind == "search":
            queries = list(source.queries) or list(self.brand_names)
            for query in queries:
                url = source.url.replace("{query}", quote_plus(query))
                yield self._request(run, url, "feed", vigie_query=query)
        elif source.kind == "reddit":
            yield self._request(run, reddit_url(source.url), "reddit", headers=self._conditional_headers(run),
                                vigie_page=1)
        elif source.kind == "forum":
            if source.preset == "discourse":
                yield self._request(run, discourse_url(source.url), "discourse", vigie_page=1)
            else:
                yield self._request(run, source.url, "forum", vigie_page=1, vigie_board_page=1)
        else:
            run.error(f"unknown source kind {source.kind!r}")

    def _dispatch(self, response):
        run = self.runs[response.meta["vigie_source"]]
        run.bytes += len(response.body)
        run.http_status = response.status
        batch = []
        try:
            if response.status == 304:
                run.not_modified = True
            elif response.status >= 400:
                reason = _reason(response.status)
                run.error(f"HTTP {response.status}{' ' + reason if reason else ''} from {response.url}")
            else:
                handler = getattr(self, "_parse_" + response.meta["vigie_cb"])
                for out in handler(run, response):
                    if isinstance(out, dict):
                        batch.append(out)
                    else:
                        yield out  # a request for the next page
        except Exception as exc:  # a parser bug on one page must not end the crawl
            run.error(f"could not read {response.url}: {type(exc).__name__}: {exc}"[:300])
        if batch:  # what was read before an error is kept, as before
            yield {CONTROL: BATCH, "items": batch}
        run.pending -= 1
        if run.pending <= 0 and not run.done:
            yield from self._finish(run)

    def _on_error(self, failure):
        request = failure.request
        run = self.runs[request.meta["vigie_source"]]
        run.error(describe_failure(failure, self.collect_cfg))
        run.pending -= 1
        if run.pending <= 0 and not run.done:
            yield from self._finish(run)

    # --- items ---------------------------------------------------------------------

    def _item(self, run: SourceRun, key: str, entry: dict, thread: str | None = None, language=None) -> dict:
        item_id = mention_id(run.name, key)
        run.seen_ids.add(item_id)
        return {
            "id": item_id,
            "source": run.name,
            "source_kind": run.source.kind,
            "url": entry.get("url"),
            "canonical_url": canonical_url(entry.get("url")),
            "title": entry.get("title"),
            "body": entry.get("body"),
            "author": entry.get("author"),
            "published_at": entry.get("published_at"),
            "engagement": entry.get("engagement"),
            "language_hint": run.source.language or entry.get("language") or language,
            "thread": thread,
        }

    def _entries_to_items(self, run: SourceRun, entries: list[dict], language=None):
        keys, rung = dedup_keys(entries)
        if rung != "guid":
            run.warn(f"unreliable GUIDs: entries identified by {rung}")
        for key, entry in zip(keys, entries):
            yield self._item(run, key, entry, language=language)

    def _parse_feed(self, run: SourceRun, response):
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1") or None
        headers = {"content-language": (response.headers.get(b"Content-Language") or b"").decode("latin-1")}
        parsed = parse_feed(response.body, response.url, content_type, headers)
        for w in parsed.warnings[:5]:
            run.warn(w)
        if parsed.error:
            query = response.meta.get("vigie_query")
            run.error(parsed.error + (f" (query {query!r})" if query else ""))
            return
        run.ok_fetches += 1
        if run.source.kind in ("rss", "reddit"):
            run.etag = _header(response, b"ETag")
            run.last_modified = _header(response, b"Last-Modified")
        yield from self._entries_to_items(run, parsed.entries, parsed.feed_language)

    # --- reddit ----------------------------------------------------------------------

    def _parse_reddit(self, run: SourceRun, response):
        body = response.body.lstrip()
        if not body.startswith((b"{", b"[")):
            yield from self._parse_feed(run, response)
            return
        try:
            doc = json.loads(response.body.decode("utf-8", "replace"))
        except ValueError as exc:
            run.error(f"not Reddit JSON: {exc}"[:300])
            return
        listings = doc if isinstance(doc, list) else [doc]
        entries, after = [], None
        for listing in listings:
            data = (listing or {}).get("data") if isinstance(listing, dict) else None
            if not isinstance(data, dict):
                continue
            after = after or data.get("after")
            for child in data.get("children") or []:
                entry = reddit_entry(child, response.url)
                if entry:
                    entries.append(entry)
        if not entries and not any(isinstance(l, dict) and "data" in l for l in listings):
            run.error("not a Reddit listing (no data.children)")
            return
        run.ok_fetches += 1
        if response.meta.get("vigie_page") == 1:
            run.etag = _header(response, b"ETag")
            run.last_modified = _header(response, b"Last-Modified")
        known_until = float(run.cursor.get("newest_utc") or 0)
        newest = max([e["created_utc"] for e in entries if e.get("created_utc")] + [known_until])
        run.cursor["newest_utc"] = newest
        keys = [f"g:{e['guid']}" for e in entries]
        for key, entry in zip(keys, entries):
            yield self._item(run, key, entry, thread=entry.get("thread"))
        page = response.meta.get("vigie_page", 1)
        # Incremental: stop paging once a page reaches items we already had.
        reached_known = any((e.get("created_utc") or 0) <= known_until for e in entries)
        if after and page < run.source.max_pages and not reached_known:
            parts = urlsplit(response.url)
            query = [p for p in parts.query.split("&") if p and not p.startswith("after=")] + [f"after={after}"]
            yield self._request(run, urlunsplit(parts._replace(query="&".join(query))), "reddit", vigie_page=page + 1)

    # --- forums (HTML) -----------------------------------------------------------------

    def _parse_forum(self, run: SourceRun, response):
        if not isinstance(response, TextResponse):
            run.error(f"not a web page ({response.headers.get(b'Content-Type', b'?').decode('latin-1')}): {response.url}")
            return
        selectors = selectors_for(run.source)
        sel = response.selector
        posts = forum_parse.extract_posts(sel, selectors, response.url)
        topics = run.cursor.setdefault("topics", {})
        if posts:
            run.ok_fetches += 1
            thread = response.meta.get("vigie_thread") or thread_key(response.url)
            for post in posts:
                key = f"p:{post['post_id']}" if post.get("post_id") else \
                    "t:" + mention_id(run.name, f"{post.get('author')}\x1f{(post.get('body') or '')[:300]}")
                yield self._item(run, key, post, thread=thread)
            ids = [int(p["post_id"]) for p in posts if (p.get("post_id") or "").isdigit()]
            topics[thread] = {"page": response.url, "last": max(ids) if ids else None}
            page = response.meta.get("vigie_page", 1)
            nxt = forum_parse.next_page(sel, selectors, response.url)
            if nxt and page < run.source.max_pages and nxt.split("#")[0] not in run.visited:
                yield self._request(run, nxt, "forum", vigie_page=page + 1, vigie_thread=thread)
            return
        links = forum_parse.topic_links(sel, selectors, response.url)
        if links:
            run.ok_fetches += 1
            for link in links[:MAX_TOPICS_PER_PAGE]:
                thread = thread_key(link)
                # Incremental: resume a known topic at the last page we read.
                resume = (topics.get(thread) or {}).get("page") or link
                if resume.split("#")[0] in run.visited:
                    continue
                yield self._request(run, resume, "forum", vigie_page=1, vigie_thread=thread)
            board_page = response.meta.get("vigie_board_page", 1)
            nxt = forum_parse.next_page(sel, selectors, response.url)
            if nxt and board_page < run.source.max_pages and nxt.split("#")[0] not in run.visited:
                yield self._request(run, nxt, "forum", vigie_page=1, vigie_board_page=board_page + 1)
            return
        run.error(f"{forum_parse.error_message(sel)} ({response.url})"[:400])

    # --- Discourse (JSON API) ------------------------------------------------------------

    def _parse_discourse(self, run: SourceRun, response):
        try:
            doc = json.loads(response.body.decode("utf-8", "replace"))
        except ValueError:
            run.error(f"not Discourse JSON ({response.url}); point the source at the forum root or a /t/<id> topic")
            return
        base = "{0.scheme}://{0.netloc}".format(urlsplit(response.url))
        page = response.meta.get("vigie_page", 1)
        if isinstance(doc, dict) and "topic_list" in doc:
            run.ok_fetches += 1
            for topic in (doc["topic_list"].get("topics") or [])[:MAX_TOPICS_PER_PAGE]:
                if isinstance(topic, dict) and topic.get("id") is not None:
                    url = f"{base}/t/{topic.get('slug') or 'x'}/{topic['id']}.json"
                    if url not in run.visited:
                        yield self._request(run, url, "discourse", vigie_page=1)
            return
        if isinstance(doc, dict) and isinstance(doc.get("latest_posts"), list):
            posts, title, topic_id = doc["latest_posts"], None, None
        elif isinstance(doc, dict) and isinstance(doc.get("post_stream"), dict):
            posts, title, topic_id = doc["post_stream"].get("posts") or [], doc.get("title"), doc.get("id")
        else:
            run.error(f"unrecognised Discourse JSON at {response.url} (no latest_posts, post_stream or topic_list)")
            return
        run.ok_fetches += 1
        got = run.cursor.setdefault("_seen", [])  # transient, removed before saving
        new_ids = []
        for p in posts:
            entry = discourse_entry(p, base, title)
            if entry is None:
                run.warn("a Discourse post without an id was skipped")
                continue
            if entry["post_id"] not in got:
                got.append(entry["post_id"])
                new_ids.append(entry["post_id"])
            yield self._item(run, f"d:{entry['post_id']}", entry, thread=entry["thread"])
        if page >= run.source.max_pages or not posts:
            return
        if topic_id is None:
            # posts.json (latest first): page back with ?before= until known posts.
            known = int(run.cursor.get("latest_max") or 0)
            ids = [int(p["id"]) for p in posts if isinstance(p, dict) and str(p.get("id", "")).isdigit()]
            if ids:
                run.cursor["latest_max"] = max([known] + ids)
                if min(ids) > known and new_ids:
                    yield self._request(run, f"{base}/posts.json?before={min(ids) - 1}", "discourse", vigie_page=page + 1)
            return
        stream = doc["post_stream"].get("stream")
        if isinstance(stream, list):
            missing = [i for i in stream if str(i) not in got]
            for start in range(0, len(missing), 20):
                if page + start // 20 >= run.source.max_pages:
                    break
                chunk = missing[start:start + 20]
                got.extend(str(i) for i in chunk)  # requested: not again from another page
                query = urlencode([("post_ids[]", i) for i in chunk])
                yield self._request(run, f"{base}/t/{topic_id}/posts.json?{query}", "discourse",
                                    vigie_page=page + 1 + start // 20)
            return
        numbers = [p.get("post_number") for p in posts if isinstance(p, dict) and isinstance(p.get("post_number"), int)]
        if numbers and new_ids:
            # ?post_number=N returns the ~20 posts before N (see the corpus README).
            yield self._request(run, f"{base}/t/{topic_id}/posts.json?post_number={max(numbers) + 21}", "discourse",
                                vigie_page=page + 1)


_SESSION_PARAMS = re.compile(r"(^|&)(sid|s|phpsessid|sessionid)=[^&]*", re.I)


def items_in(outputs) -> list[dict]:
    """The mention items among a callback's outputs (batches unpacked)."""
    found = []
    for out in outputs:
        if isinstance(out, dict) and out.get(CONTROL) == BATCH:
            found.extend(out["items"])
        elif isinstance(out, dict) and CONTROL not in out:
            found.append(out)
    return found


def thread_key(url: str) -> str | None:
    """A topic's identity across runs: canonical URL without forum session ids."""
    parts = urlsplit(url)
    query = _SESSION_PARAMS.sub("", parts.query).lstrip("&")
    return canonical_url(urlunsplit(parts._replace(query=query)))


def _header(response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _reason(status: int) -> str:
    from http import HTTPStatus
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def reddit_url(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path or "/"
    if path.endswith((".json", ".rss", ".xml")):
        return url
    return urlunsplit(parts._replace(path=path.rstrip("/") + "/.json" if path.endswith("/") else path + ".json"))


def reddit_entry(child, page_url: str) -> dict | None:
    if not isinstance(child, dict) or not isinstance(child.get("data"), dict):
        return None
    d = child["data"]
    name = d.get("name") or (f"{child.get('kind')}_{d['id']}" if d.get("id") else None)
    if not name or child.get("kind") not in ("t3", "t1"):
        return None
    score = d.get("score") if isinstance(d.get("score"), int) else 0
    comments = d.get("num_comments") if isinstance(d.get("num_comments"), int) else 0
    permalink = d.get("permalink")
    created = d.get("created_utc")
    return {
        "guid": name,
        "url": urljoin("https://www.reddit.com", permalink) if permalink else d.get("url"),
        "title": html_to_text(d.get("title")) if d.get("title") else html_to_text(d.get("link_title")),
        "body": html_to_text(d.get("selftext") or d.get("body")) or None,
        "author": clean_name(d.get("author")),
        "published_at": parse_date(float(created)) if isinstance(created, (int, float)) else None,
        "created_utc": float(created) if isinstance(created, (int, float)) else None,
        "engagement": score + comments,
        "language": None,
        "thread": d.get("link_id") or name,
    }


def discourse_url(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path or "/"
    if path.endswith(".json"):
        return url
    if "/t/" in path:
        return urlunsplit(parts._replace(path=path.rstrip("/") + ".json"))
    return urlunsplit(parts._replace(path="/posts.json", query=""))


def discourse_entry(p, base: str, title: str | None) -> dict | None:
    if not isinstance(p, dict) or p.get("id") is None:
        return None
    likes = 0
    for action in p.get("actions_summary") or []:
        if isinstance(action, dict) and action.get("id") == 2:
            likes = int(action.get("count") or 0)
    replies = p.get("reply_count") if isinstance(p.get("reply_count"), int) else 0
    post_url = p.get("post_url") or f"/t/{p.get('topic_slug') or 'x'}/{p.get('topic_id')}/{p.get('post_number')}"
    return {
        "post_id": str(p["id"]),
        "url": urljoin(base + "/", post_url),
        "title": html_to_text(p.get("topic_title") or title),
        "body": html_to_text(p.get("cooked")) or p.get("raw"),
        "author": clean_name(p.get("username") or p.get("name")),
        "published_at": parse_date(p.get("created_at")),
        "engagement": likes + replies,
        "thread": str(p.get("topic_id")) if p.get("topic_id") is not None else None,
    }
