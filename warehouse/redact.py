"""Masking secrets before they reach a log line, an error message or an export.

Secrets reach logs by accident: an SMTP error that echoes the login, a webhook
URL (the URL *is* the credential for Slack, Teams, Discord, Mattermost) in a
"delivery failed" line, an OIDC client secret in a config dump. So masking is
done on the final text, by value and by shape:

- by value: every value registered with ``register_secret()`` and every
  environment variable whose name contains PASSWORD, SECRET, TOKEN or KEY
  (read when masking, so a variable set after start-up is covered too);
- by shape: passwords in URLs (``https://user:pw@host``), webhook URLs of the
  known chat services, ``token=``/``key=``/``sig=`` query parameters,
  ``Authorization: Bearer ...`` headers, and ``password = ...`` style pairs.

Usage: ``redact(text)``; ``redact_obj(value)`` for dicts/lists (exports);
``install()`` once at start-up so every log record of every logger is masked;
``RedactingFilter`` to put on one handler.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterable
from typing import Any

MASK = "***"

SECRET_ENV_WORDS = ("PASSWORD", "PASSWD", "SECRET", "TOKEN", "KEY")
# Short values ("1", "on") would mask unrelated text everywhere.
MIN_SECRET_LEN = 6

_lock = threading.Lock()
_registered: set[str] = set()

# Whole webhook URLs: for these services possession of the URL is the permission to post.
_WEBHOOK_URL = re.compile(
    r"https?://(?:"
    r"hooks\.slack\.com/\S+"
    r"|(?:[\w-]+\.)*discord(?:app)?\.com/api/webhooks/\S+"
    r"|[\w.-]+\.webhook\.office\.com/\S+"
    r"|outlook\.office(?:365)?\.com/webhook\S*"
    r"|[\w.-]+\.logic\.azure\.com\S*"
    r"|[\w.:-]+/hooks/[A-Za-z0-9]{8,}\S*"       # Mattermost, Rocket.Chat, Gitea
    r")",
    re.I,
)
_URL_USERINFO = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^:/@\s]*):(?P<pw>[^@/\s]+)@", re.I)
_SECRET_PARAM = re.compile(
    r"(?P<k>[?&;](?:access_token|refresh_token|id_token|token|api[_-]?key|key|secret|client_secret|"
    r"password|passwd|pwd|sig|signature|auth|code)=)(?P<v>[^&#\s\"']+)",
    re.I,
)
_BEARER = re.compile(r"(?P<k>\b(?:authorization|proxy-authorization)\s*[:=]\s*(?:bearer|basic|token)?\s*)"
                     r"(?P<v>[^\s,;\"']+)", re.I)
_PAIR = re.compile(
    r"(?P<k>\b[\w.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|cookie_secret|client_secret)[\w.-]*"
    r"[\"']?\s*[:=]\s*[\"']?)(?P<v>[^\s\"',;}&]+)",
    re.I,
)


def register_secret(value: str | None) -> None:
    """Mask this exact value from now on (SMTP password, OIDC client secret...)."""
    if value and isinstance(value, str) and len(value) >= MIN_SECRET_LEN:
        with _lock:
            _registered.add(value)


def register_secrets(values: Iterable[str | None]) -> None:
    for value in values:
        register_secret(value)


def is_secret_name(name: str) -> bool:
    upper = name.upper()
    return any(word in upper for word in SECRET_ENV_WORDS)


def _secret_values() -> list[str]:
    values = {v for k, v in os.environ.items() if is_secret_name(k) and v and len(v) >= MIN_SECRET_LEN}
    with _lock:
        values |= _registered
    # Longest first, so a secret that contains another is masked whole.
    return sorted(values, key=len, reverse=True)


def redact(text: Any) -> Any:
    """The same text with secrets replaced by ***. Non-strings are returned unchanged."""
    if not isinstance(text, str) or not text:
        return text
    for value in _secret_values():
        if value in text:
            text = text.replace(value, MASK)
    text = _WEBHOOK_URL.sub(lambda m: _mask_webhook(m.group(0)), text)
    text = _URL_USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", text)
    text = _SECRET_PARAM.sub(lambda m: m["k"] + MASK, text)
    text = _BEARER.sub(lambda m: m["k"] + MASK, text)
    text = _PAIR.sub(lambda m: m["k"] + (m["v"] if m["v"] == MASK else MASK), text)
    return text


def _mask_webhook(url: str) -> str:
    # Keep scheme and host: "which service failed" is useful, the path is the credential.
    m = re.match(r"(https?://[^/]+)", url)
    return f"{m.group(1)}/{MASK}" if m else MASK


def redact_obj(value: Any, _key: str = "") -> Any:
    """Deep copy of dicts/lists/tuples with secret-named keys and secret-looking strings masked."""
    if isinstance(value, dict):
        return {k: (MASK if isinstance(k, str) and is_secret_name(k) and v not in (None, "")
                    else redact_obj(v, str(k))) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redact_obj(v) for v in value)
    return redact(value)


class RedactingFilter(logging.Filter):
    """A logging filter that masks the formatted message and any traceback text.

    Put it on a handler (handler filters see records from every logger,
    logger filters only see records logged on that very logger).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        _redact_record(record)
        return True


def _redact_record(record: logging.LogRecord) -> None:
    if getattr(record, "_vigie_redacted", False):
        return
    try:
        message = record.getMessage()
    except Exception:  # a broken %-format must not lose the record
        message = str(record.msg)
    record.msg, record.args = redact(message), ()
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    record._vigie_redacted = True


_installed = False


def install() -> None:
    """Mask every log record of every logger in this process, whatever its handlers.

    Done with a LogRecord factory rather than handler filters because libraries
    (scrapy, streamlit) add their own handlers after we start.
    """
    global _installed
    with _lock:
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args, **kwargs):
            record = previous(*args, **kwargs)
            _redact_record(record)
            return record

        logging.setLogRecordFactory(factory)
        _installed = True
