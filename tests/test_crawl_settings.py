"""Settings of the crawl child that are about safety or cost, not politeness."""

from crawlers.settings import build_settings
from warehouse.config import Collect


def test_no_remote_control_server():
    # Scrapy 2.19's RemoteControl runs code sent over HTTP; a collector must not offer it.
    s = build_settings(Collect())
    assert s["REMOTE_CONTROL_ENABLED"] is False
    assert s["EXTENSIONS"]["scrapy.extensions.remote_control.RemoteControl"] is None


def test_politeness_defaults_kept():
    s = build_settings(Collect())
    assert s["ROBOTSTXT_OBEY"] is True
    assert s["AUTOTHROTTLE_ENABLED"] is True
    assert s["CONCURRENT_REQUESTS_PER_DOMAIN"] == Collect().per_host_concurrency
    assert s["DOWNLOAD_TIMEOUT"] == Collect().timeout_s
    assert s["DOWNLOAD_MAXSIZE"] == Collect().max_bytes
    assert s["ALLOW_PRIVATE_ADDRESSES"] is False
    assert "crawlers.middlewares.AddressGuardMiddleware" in s["DOWNLOADER_MIDDLEWARES"]
