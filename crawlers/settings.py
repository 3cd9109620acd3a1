"""Politeness and limits, in ONE place, derived from [collect] in vigie.toml.

Politeness is per host (CONCURRENT_REQUESTS_PER_DOMAIN, AutoThrottle keyed by
host), not a global DOWNLOAD_DELAY: the project template's DOWNLOAD_DELAY=1
made a 5-page local crawl take 6.4 s (NOTES.md) while many hosts can be
fetched side by side.
"""

from __future__ import annotations

# Retry-After values above this are not honoured in full: a run must end.
MAX_RETRY_AFTER_S = 60.0
BACKOFF_RETRIES = 2


def build_settings(collect) -> dict:
    delay = float(collect.download_delay_s)
    return {
        "BOT_NAME": "vigie",
        "USER_AGENT": collect.user_agent,
        "ROBOTSTXT_OBEY": bool(collect.obey_robots),
        # Whole-download timeout: a server trickling one byte a second still ends here.
        "DOWNLOAD_TIMEOUT": float(collect.timeout_s),
        # Also bounds the decompressed size (gzip bombs) in HttpCompressionMiddleware.
        "DOWNLOAD_MAXSIZE": int(collect.max_bytes),
        "DOWNLOAD_WARNSIZE": 0,
        "REDIRECT_MAX_TIMES": int(collect.max_redirects),
        "CONCURRENT_REQUESTS": int(collect.concurrency),
        "CONCURRENT_REQUESTS_PER_DOMAIN": int(collect.per_host_concurrency),
        "DOWNLOAD_DELAY": delay,
        # +-50% around a configured delay (RANDOMIZE_DOWNLOAD_DELAY is deprecated in Scrapy 2.19).
        "DOWNLOAD_DELAY_JITTER": 0.5 if delay > 0 else 0.0,
        "AUTOTHROTTLE_ENABLED": True,
        # The stock 5 s start delay would slow every host's second request.
        "AUTOTHROTTLE_START_DELAY": delay,
        "AUTOTHROTTLE_MAX_DELAY": 30.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(max(1, collect.per_host_concurrency)),
        # Retries of timeouts would double the time a dead source costs; 429/503
        # get a bounded, Retry-After-aware backoff in our middleware instead.
        "RETRY_ENABLED": False,
        # Spiders see every status and record it (500, 404, 304...).
        "HTTPERROR_ALLOW_ALL": True,
        "COOKIES_ENABLED": True,
        "TELNETCONSOLE_ENABLED": False,
        # Scrapy 2.19 starts, by default, an HTTP server that runs Python code sent
        # to it (for its MCP tool) and writes its token to a file in the home
        # directory: not something an unattended collector should expose. Listed
        # as None so that aiohttp is not even imported (~0.1 s of start-up).
        "REMOTE_CONTROL_ENABLED": False,
        "EXTENSIONS": {"scrapy.extensions.remote_control.RemoteControl": None},
        # A development aid that reads and parses the callback's source with ast on
        # every response (its cache is keyed by the bound method, a new object each
        # time): ~10% of the crawl's CPU. Our callbacks return no values.
        "WARN_ON_GENERATOR_RETURN_VALUE": False,
        "LOG_LEVEL": "WARNING",
        "LOGSTATS_INTERVAL": 0,
        "DNS_TIMEOUT": min(20.0, float(collect.timeout_s)),
        "DOWNLOADER_MIDDLEWARES": {
            # Before robots.txt (100) so even the robots.txt fetch is checked.
            "crawlers.middlewares.AddressGuardMiddleware": 50,
            "crawlers.middlewares.BackoffMiddleware": 560,
        },
        "ITEM_PIPELINES": {"crawlers.pipelines.WarehousePipeline": 300},
        # Scrapy starts CONCURRENT_ITEMS asyncio workers for EVERY response (100 by
        # default: 50,000 tasks for 500 feeds). A response yields one batch item
        # (crawlers.spiders.vigie.BATCH), a control item and a few requests.
        "CONCURRENT_ITEMS": 4,
        "ALLOW_PRIVATE_ADDRESSES": bool(collect.allow_private_addresses),
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        "SPIDER_MODULES": [],
    }
