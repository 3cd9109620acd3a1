"""Downloader middlewares: refuse where we must not go, back off when asked to."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest

from .settings import BACKOFF_RETRIES, MAX_RETRY_AFTER_S


class RefusedAddress(IgnoreRequest):
    pass


def _blocked_ip(ip: ipaddress._BaseAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_multicast or ip.is_reserved
            or ip.is_unspecified)


def address_problem(url: str, allow_private: bool, resolve=socket.getaddrinfo) -> str | None:
    """Why this URL must not be fetched, or None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return f"refused: only http and https are collected (got {parts.scheme}://)"
    host = parts.hostname
    if not host:
        return "refused: the URL has no host"
    if allow_private:
        return None
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            infos = resolve(host, parts.port or (443 if parts.scheme == "https" else 80), proto=socket.IPPROTO_TCP)
        except (socket.gaierror, UnicodeError, OSError):
            return None  # let the downloader report the DNS failure in its own words
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    for ip in addresses:
        if _blocked_ip(ip):
            return (f"refused: {host} resolves to a private or local address ({ip}); "
                    "set [collect] allow_private_addresses = true to collect from it")
    return None


class AddressGuardMiddleware:
    """Refuse loopback, private, link-local and multicast targets (SSRF guard), redirects included."""

    def __init__(self, allow_private: bool):
        self.allow_private = allow_private
        self._cache: dict[str, str | None] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.getbool("ALLOW_PRIVATE_ADDRESSES"))

    def process_request(self, request, spider=None):
        parts = urlsplit(request.url)
        key = f"{parts.scheme}://{parts.hostname}:{parts.port}"
        if key not in self._cache:
            # Blocking DNS, once per host and run; the resolver result is cached.
            self._cache[key] = address_problem(request.url, self.allow_private)
        problem = self._cache[key]
        if problem:
            raise RefusedAddress(problem)
        return None


class BackoffMiddleware:
    """429/503: wait Retry-After (bounded) and try again a couple of times."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_response(self, request, response, spider=None):
        if response.status not in (429, 503):
            return response
        tries = request.meta.get("vigie_backoff", 0)
        if tries >= BACKOFF_RETRIES:
            return response
        delay = _retry_after(response.headers.get(b"Retry-After"), default=2.0 * (tries + 1))
        if delay is None:
            return response
        from twisted.internet import reactor, task  # noqa: PLC0415
        from scrapy.utils.defer import maybe_deferred_to_future  # noqa: PLC0415
        await maybe_deferred_to_future(task.deferLater(reactor, delay, lambda: None))
        retry = request.replace(dont_filter=True)
        retry.meta["vigie_backoff"] = tries + 1
        return retry


def _retry_after(value: bytes | None, default: float) -> float | None:
    if not value:
        return min(default, MAX_RETRY_AFTER_S)
    text = value.decode("latin-1").strip()
    try:
        seconds = float(text)
    except ValueError:
        import email.utils  # noqa: PLC0415
        import datetime as dt  # noqa: PLC0415
        try:
            when = email.utils.parsedate_to_datetime(text)
            seconds = (when - dt.datetime.now(dt.timezone.utc)).total_seconds()
        except (TypeError, ValueError):
            seconds = default
    if seconds > MAX_RETRY_AFTER_S:
        return None  # the server asks for longer than a run can wait: record the 429/503
    return max(0.0, seconds)
