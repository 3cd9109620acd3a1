"""Each preset on saved pages (written for these tests, modelled on real markup)."""

import datetime as dt
import json
from pathlib import Path

from parsel import Selector
from scrapy.http import HtmlResponse, Request, TextResponse

from crawlers.presets import PRESETS
from crawlers.spiders import forum
from crawlers.spiders.vigie import VigieSpider, items_in
from warehouse.config import Collect, Source

UTC = dt.timezone.utc
FORUMS = Path(__file__).parent / "fixtures" / "forums"


def sel(name):
    return Selector(text=(FORUMS / name).read_text(encoding="utf-8"))


def spider_for(source):
    return VigieSpider(job={"states": {}}, sources=[source], collect=Collect())


def respond(spider, source, url, body: bytes, cb, ctype=b"text/html; charset=utf-8", **meta):
    run = spider.runs[source.name]
    request = spider._request(run, url, cb, **meta)
    cls = HtmlResponse if b"html" in ctype else TextResponse
    response = cls(url, body=body, headers={"Content-Type": ctype}, request=request, encoding="utf-8")
    out = list(spider._dispatch(response))
    items = items_in(out)
    requests = [o for o in out if isinstance(o, Request)]
    return run, items, requests


def test_phpbb_topic_page():
    posts = forum.extract_posts(sel("phpbb_topic_101_p1.html"), PRESETS["phpbb"], "http://f/viewtopic.php?t=101")
    assert [p["post_id"] for p in posts] == ["1234", "1240"]
    assert [p["author"] for p in posts] == ["Ginette", "Jean-Guy"]
    assert posts[0]["published_at"] == dt.datetime(2024, 5, 6, 14, 3, tzinfo=UTC)
    assert posts[0]["title"] == "Vidéotron : facture qui augmente"
    assert "signature" not in posts[0]["body"] and "Vidéotron" in posts[0]["body"]
    assert forum.next_page(sel("phpbb_topic_101_p1.html"), PRESETS["phpbb"], "http://f/viewtopic.php?t=101") \
        == "http://f/viewtopic.php?t=101&start=2"
    assert forum.next_page(sel("phpbb_topic_101_p2.html"), PRESETS["phpbb"], "http://f/x") is None


def test_phpbb_board_follows_topics_and_pagination():
    source = Source(name="Forum", kind="forum", url="http://f/viewforum.php?f=3", preset="phpbb", max_pages=2)
    spider = spider_for(source)
    _, items, requests = respond(spider, source, source.url, (FORUMS / "phpbb_board.html").read_bytes(), "forum")
    assert items == [] and [r.url for r in requests] == ["http://f/viewtopic.php?t=101&sid=abc", "http://f/viewtopic.php?t=102"]
    run, items, requests = respond(spider, source, "http://f/viewtopic.php?t=101&sid=abc",
                                   (FORUMS / "phpbb_topic_101_p1.html").read_bytes(), "forum", vigie_page=1,
                                   vigie_thread="f/viewtopic.php?t=101")
    assert len(items) == 2 and items[0]["thread"] == "f/viewtopic.php?t=101"
    assert [r.url for r in requests] == ["http://f/viewtopic.php?t=101&start=2"]
    # max_pages = 2 stops the chain on page 2 even if it had a next link.
    assert json.loads(run.cursor_json())["topics"]["f/viewtopic.php?t=101"]["last"] == 1240


def test_vbulletin4_page():
    posts = forum.extract_posts(sel("vbulletin4_showthread.html"), PRESETS["vbulletin"], "http://vb/showthread.php?t=555")
    assert [p["post_id"] for p in posts] == ["9001", "9002"]
    assert [p["author"] for p in posts] == ["Rémi", "Sophie_Q"]
    assert posts[0]["published_at"] == dt.datetime(2024, 5, 6, 10, 3, tzinfo=UTC)
    assert posts[0]["title"] == "Forfaits Bell"
    assert forum.next_page(sel("vbulletin4_showthread.html"), PRESETS["vbulletin"], "http://vb/showthread.php?t=555") \
        == "http://vb/showthread.php?t=555&page=2"


def test_vbulletin_error_pages_give_no_posts_and_an_error():
    source = Source(name="VB", kind="forum", url="http://vb/showthread.php?t=1", preset="vbulletin")
    for page, words in (("vbulletin_db_error.html", "database"), ("vbulletin_must_register.html", "not logged in")):
        spider = spider_for(source)
        run, items, _ = respond(spider, source, source.url, (FORUMS / page).read_bytes(), "forum")
        assert items == [] and run.status == "error" and words in run.error_text.lower()


def test_xenforo_page():
    posts = forum.extract_posts(sel("xenforo_thread.html"), PRESETS["xenforo"], "http://xf/threads/free-ou-orange.77/")
    assert [p["post_id"] for p in posts] == ["31337", "31340"]
    assert [p["author"] for p in posts] == ["Lucie75", "Marc"]
    assert posts[0]["published_at"] == dt.datetime(2024, 5, 6, 16, 3, tzinfo=UTC)
    assert posts[0]["engagement"] == 4
    assert "Cliquez pour agrandir" not in posts[1]["body"]
    assert forum.next_page(sel("xenforo_thread.html"), PRESETS["xenforo"], "http://xf/threads/free-ou-orange.77/") \
        == "http://xf/threads/free-ou-orange.77/page-2"


def test_hfr_page_skips_ads_and_zero_width_spaces():
    posts = forum.extract_posts(sel("hfr_topic_4242_p1.html"), PRESETS["hfr"], "http://hfr/sujet_4242_1.htm")
    assert [p["post_id"] for p in posts] == ["7770001", "7770005"]
    assert posts[0]["author"] == "Pascal"
    assert posts[0]["published_at"] == dt.datetime(2024, 5, 13, 7, 15, 2, tzinfo=UTC)  # Paris, summer time
    assert posts[0]["body"] == "La Freebox Ultra débite bien :o"
    assert posts[0]["title"] == "[Topic Unique] Box Free vs Orange"


def test_selectors_override_and_xpath():
    custom = dict(PRESETS["phpbb"], author="//dl[contains(@class,'postprofile')]//a[contains(@class,'username')]/text()")
    posts = forum.extract_posts(sel("phpbb_topic_102.html"), custom, "http://f/t")
    assert posts[0]["author"] == "Martine"


def test_discourse_topic_follows_the_post_stream():
    source = Source(name="Disc", kind="forum", url="http://d/t/forfait-mobile/88", preset="discourse")
    spider = spider_for(source)
    run, items, requests = respond(spider, source, "http://d/t/forfait-mobile/88.json",
                                   (FORUMS / "discourse_topic_88.json").read_bytes(), "discourse",
                                   ctype=b"application/json", vigie_page=1)
    assert [i["author"] for i in items] == ["mathieu", "ariane"]
    assert items[0]["body"] == "Fizz ou Koodo ?" and items[0]["engagement"] == 4
    assert items[0]["url"] == "http://d/t/forfait-mobile/88/1" and items[0]["thread"] == "88"
    assert [r.url for r in requests] == ["http://d/t/88/posts.json?post_ids%5B%5D=503"]
    run, items, requests = respond(spider, source, requests[0].url,
                                   (FORUMS / "discourse_topic_88_posts_503.json").read_bytes(), "discourse",
                                   ctype=b"application/json", vigie_page=2)
    assert [i["author"] for i in items] == ["kevin"] and requests == []


def test_reddit_json_listing():
    source = Source(name="r/Quebec", kind="reddit", url="https://www.reddit.com/r/Quebec/new/")
    spider = spider_for(source)
    run, items, _ = respond(spider, source, "https://www.reddit.com/r/Quebec/new/.json",
                            (FORUMS / "reddit_quebec.json").read_bytes(), "reddit", ctype=b"application/json",
                            vigie_page=1)
    assert [i["engagement"] for i in items] == [59, 4]
    assert items[0]["title"] == "Vidéotron vs Bell, votre avis ?"
    assert items[0]["body"] == "Je déménage à Québec & je cherche un fournisseur."
    assert items[0]["url"] == "https://www.reddit.com/r/Quebec/comments/1cl0a1/videotron_vs_bell/"
    assert items[0]["published_at"] == dt.datetime(2024, 5, 6, 14, 3, tzinfo=UTC)
