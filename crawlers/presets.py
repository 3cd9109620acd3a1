"""Selectors for common forum engines. A source's [sources.selectors] table
overrides keys of its preset. CSS by default; XPath when the selector starts
with "/" or "(". Keys starting with "_" are ours (not user selectors):
_remove (nodes dropped from a post body: quotes' chrome, signatures),
_timezone (for dates printed without a zone)."""

from __future__ import annotations

PRESETS: dict[str, dict[str, str]] = {
    # phpBB 3 prosilver.
    "phpbb": {
        "topic_link": "a.topictitle::attr(href)",
        "post": "div.post[id^=p]",
        "post_id": "::attr(id)",
        "author": "dl.postprofile a.username::text, dl.postprofile a.username-coloured::text, p.author a.username::text, p.author a.username-coloured::text, p.author strong::text",
        "date": "p.author time::attr(datetime)",
        "body": "div.content",
        "title": "h2.topic-title a::text, h2.topic-title::text, h2 a::text",
        "next_page": "div.pagination a[rel=next]::attr(href), div.pagination li.next a::attr(href)",
        "_remove": "div.signature",
    },
    # vBulletin 3/4 and its Something Awful offshoot (table.post / dt.author).
    "vbulletin": {
        "topic_link": "a[id^=thread_title_]::attr(href), h3.threadtitle a.title::attr(href), a.thread_title::attr(href)",
        "post": "table.post[id^=post], li.postcontainer[id^=post_], div[id^=edit] > table[id^=post]",
        "post_id": "::attr(id)",
        "author": "dt.author::text, a.username strong::text, a.username::text, a.bigusername::text",
        "date": "td.postdate::text, div.posthead span.date, span.date",
        "body": "td.postbody, div[id^=post_message_], blockquote.postcontent",
        "title": "span.threadtitle a::text, h1 span.threadtitle::text, div.breadcrumbs a.bclast::text, td.navbar strong::text",
        "next_page": "a[rel=next]::attr(href), a[title^='Next Page']::attr(href), div.pages a[title='Next page']::attr(href)",
        "_remove": "p.editedby, div.bbc-block h4",
    },
    # XenForo 2.
    "xenforo": {
        "topic_link": "div.structItem-title a[data-tp-primary]::attr(href), div.structItem-title a:last-child::attr(href)",
        "post": "article.message[data-content^=post-], article.message--post",
        "post_id": "::attr(data-content)",
        "author": "::attr(data-author)",
        "date": "header.message-attribution time::attr(datetime), time.u-dt::attr(datetime)",
        "body": "div.message-content article.message-body div.bbWrapper, div.bbWrapper",
        "title": "h1.p-title-value::text",
        "next_page": "a.pageNav-jump--next::attr(href)",
        "engagement": "a.reactionsBar-link::text",
        "_remove": "div.bbCodeBlock-expandLink, aside.message-signature",
    },
    # forum.hardware.fr ("HFR"): one table.messagetable per post; ads reuse the
    # table but have no t<id> anchor, so they fall out for lack of a post id.
    "hfr": {
        "topic_link": "a.cCatTopic::attr(href)",
        "post": "table.messagetable",
        "post_id": "td.messCase1 a[name^=t]::attr(name)",
        "author": "td.messCase1 b.s2::text",
        "date": "td.messCase2 div.toolbar div.left::text",
        "body": "td.messCase2 div[id^=para]",
        "title": "h3::text",
        "next_page": "a[accesskey=x]::attr(href)",
        "_remove": "span.signature, div.edited",
        "_timezone": "Europe/Paris",
    },
    # Discourse is read through its JSON API (see spiders/discourse.py).
    "discourse": {},
}

ERROR_PAGE_MARKERS = (
    "database unavailable", "database error", "the database is currently not available",
    "you must register", "must be registered", "you are not logged in", "not logged in or you do not have permission",
    "vous devez être inscrit", "vous devez vous connecter", "vous n'avez pas l'autorisation", "accès refusé",
    "access denied", "no permission", "invalid thread specified", "invalid forum specified", "sujet inexistant",
)


def selectors_for(source) -> dict[str, str]:
    merged = dict(PRESETS.get(source.preset or "", {}))
    merged.update(source.selectors or {})
    return merged
