"""Hostile input and access: SQL metacharacters are data, hostile configuration is
refused with a located message, the dashboard does not go on the network
without sign-in, and secrets never reach a log line.
"""

from __future__ import annotations

import inspect
import io
import logging
import os
import subprocess
import sys
import typing
from pathlib import Path

import pandas as pd
import pytest

from warehouse import maintenance, queries
from warehouse.config import load_config
from warehouse.errors import ConfigErrors, VigieError

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = "'; DROP TABLE mentions; --"
HOSTILE_VALUES = (HOSTILE, "x' OR '1'='1", "\") OR 1=1 --", "%' OR 1=1 --", "Robert'); DELETE FROM raw_mentions;--")


# --- SQL metacharacters are data ----------------------------------------------------

def _public_query_functions():
    for name, fn in inspect.getmembers(queries, inspect.isfunction):
        if fn.__module__ != queries.__name__ or name.startswith("_"):
            continue
        params = inspect.signature(fn).parameters
        # Functions whose only input is the database have nothing to inject into.
        if set(params) - {"db", "limit", "offset", "per_brand", "min_mentions", "engagement_threshold"}:
            yield name, fn


def _hostile_args(fn, db: str, value: str, fixture) -> dict | None:
    hints = typing.get_type_hints(fn)
    kwargs = {}
    for name, param in inspect.signature(fn).parameters.items():
        ann = hints.get(name)
        text = str(ann)
        # Every filter field holds the hostile text; the period covers all data.
        hostile = queries.Filters(
            start=fixture["now"] - pd.Timedelta(days=400), end=fixture["now"] + pd.Timedelta(days=1),
            brands=(value,), sources=(value,), kinds=(value,), languages=(value,), sentiments=(value,))
        if name == "db":
            kwargs[name] = db
        elif ann is queries.Filters:
            kwargs[name] = hostile
        elif "Filters" in text:  # several periods at once (the briefing's both-periods queries)
            kwargs[name] = (hostile, hostile)
        elif ann is pd.DataFrame:
            return None  # pure pandas helpers take no user text
        elif "tuple" in text or "list" in text:
            kwargs[name] = (value,)
        elif ann is str or text in ("str | None", "typing.Optional[str]"):
            kwargs[name] = value
        elif param.default is not inspect.Parameter.empty:
            continue
        else:
            return None
    return kwargs


def _is_empty(result) -> bool:
    if isinstance(result, pd.DataFrame):
        return result.empty
    if isinstance(result, (int, float)):
        return result == 0
    if isinstance(result, (list, tuple)) and result and all(isinstance(v, pd.DataFrame) for v in result):
        return all(v.empty for v in result)  # one frame per period
    if isinstance(result, (list, tuple)):
        return len(result) == 0
    if isinstance(result, dict):
        return all(_is_empty(v) or v is None for v in result.values())
    if isinstance(result, str):
        return True  # e.g. a status label for an unknown id
    return result is None


def test_sql_metacharacters_in_every_query_parameter_are_data(fresh_db):
    db = fresh_db["db"]
    before = maintenance.table_counts(db)
    tried, not_empty = [], []
    for name, fn in _public_query_functions():
        for value in HOSTILE_VALUES[:3]:
            kwargs = _hostile_args(fn, db, value, fresh_db)
            if kwargs is None:
                continue
            try:
                result = fn(**kwargs)
            except (ValueError, VigieError):
                # Refusing a value (an unknown sort order) is fine; executing it is not.
                result = None
            tried.append(name)
            if not _is_empty(result):
                not_empty.append((name, value, result))
    assert len(set(tried)) >= 10, sorted(set(tried))
    assert not_empty == [], not_empty
    assert maintenance.table_counts(db) == before
    assert queries.mention_count(db) == fresh_db["n_mentions"]


def test_hostile_search_text_finds_nothing_and_drops_nothing(fresh_db):
    db = fresh_db["db"]
    f = queries.Filters(start=fresh_db["now"] - pd.Timedelta(days=400), end=fresh_db["now"] + pd.Timedelta(days=1))
    for value in HOSTILE_VALUES:
        assert queries.count_mentions(f, text=value, db=db) == 0
        assert queries.search_mentions(f, text=value, db=db).empty
        assert queries.term_mentions(f, term=value, db=db).empty
    assert queries.search_mentions(f, text=None, db=db).shape[0] > 0  # the table is still there
    assert queries.mention_count(db) == fresh_db["n_mentions"]


def test_try_query_command_treats_sql_as_text(fresh_db, capsys):
    from warehouse.cli import main
    db = fresh_db["db"]
    before = maintenance.table_counts(db)
    for value in HOSTILE_VALUES:
        code = main(["try-query", "--db", db, "--query", value])
        out, err = capsys.readouterr()
        # Either a query-syntax error (quotes, parentheses) or zero matches: never executed.
        assert code in (0, 2), (code, out, err)
        if code == 0:
            matched, total = (int(x.replace(",", "")) for x in out.split(" stored")[0].split(" of "))
            # Words of the brand-query language may match ("x OR 1" finds "11"); an
            # injected condition would match every row.
            assert matched < total, out
            if value == HOSTILE:
                assert matched == 0, out
        else:
            assert "query error" in err
    assert maintenance.table_counts(db) == before


# --- hostile configuration -------------------------------------------------------------

BRAND = '[[brands]]\nname = "Bell"\naliases = ["Bell"]\n'


@pytest.mark.parametrize("snippet, entry, field", [
    ('colour = "blue"\n' + BRAND, None, "colour"),                                             # unknown key
    ('[[brands]]\nname = "Bell"\naliases = ["Bell"]\nown = "yes"\n', 'brands[0] "Bell"', "own"),   # wrong type
    ('[[brands]]\nname = "Bell"\naliases = []\n', 'brands[0] "Bell"', "aliases"),               # no alias
    (BRAND + '[[sources]]\nname = "A"\nkind = "rss"\nurl = "https://a.example/f"\n'
     '[[sources]]\nname = "A"\nkind = "rss"\nurl = "https://b.example/f"\n', 'sources[1] "A"', "name"),  # duplicate
    ('[database]\npath = "/etc/vigie.duckdb"\n' + BRAND, "[database]", "path"),                  # outside project
    ('[database]\npath = "../x.duckdb"\n' + BRAND, "[database]", "path"),
    (BRAND + '[[sources]]\nname = "Local"\nkind = "rss"\nurl = "file:///etc/passwd"\n', 'sources[0] "Local"', "url"),
    (BRAND + '[[sources]]\nname = "F"\nkind = "rss"\nurl = "ftp://x.org/feed"\n', 'sources[0] "F"', "url"),
    (BRAND + '[alerts]\nwebhooks = [{ format = "slack", url = "file:///tmp/x" }]\n', "[alerts] webhooks[0]", "url"),
])
def test_hostile_configuration_is_refused_with_file_entry_and_field(tmp_path, snippet, entry, field):
    path = tmp_path / "vigie.toml"
    path.write_text(snippet, encoding="utf-8")
    with pytest.raises(ConfigErrors) as info:
        load_config(path)
    located = [e for e in info.value.errors if e.file == str(path) and e.entry == entry and e.field == field]
    assert located, str(info.value)
    line = str(located[0])
    assert line.startswith(str(path)) and f"field '{field}'" in line and (entry is None or entry in line)


# --- the dashboard's sign-in gate ------------------------------------------------------

from dashboard import auth  # noqa: E402


def test_password_hash_round_trip_and_format():
    for method in ("scrypt", "pbkdf2_sha256"):
        stored = auth.hash_password("une phrase de passe longue", method)
        assert stored.startswith(method + "$")
        assert "une phrase" not in stored
        assert auth.verify_password("une phrase de passe longue", stored)
        assert not auth.verify_password("une phrase de passe longuE", stored)
        assert not auth.verify_password("", stored)
    # Salted: the same password twice gives two different hashes.
    assert auth.hash_password("même mot de passe") != auth.hash_password("même mot de passe")
    for broken in ("", "plain-text-password", "md5$1$AAAA$BBBB", "scrypt$3,8,1$AAAAAAAAAAA=$" + "A" * 44,
                   "pbkdf2_sha256$10$c2FsdHNhbHQ=$" + "A" * 44):
        assert not auth.verify_password("x", broken)
        with pytest.raises(ValueError):
            auth.parse_hash(broken)


def test_constant_time_comparison_is_used(monkeypatch):
    import hmac
    calls, real = [], hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    stored = auth.hash_password("une phrase de passe longue", "pbkdf2_sha256")
    monkeypatch.setattr(auth.hmac, "compare_digest", spy)
    assert auth.verify_password("une phrase de passe longue", stored)
    assert not auth.verify_password("autre chose", stored)
    assert len(calls) == 2


@pytest.mark.parametrize("address, loopback", [
    ("127.0.0.1", True), ("127.1.2.3", True), ("::1", True), ("[::1]", True), ("localhost", True),
    ("0.0.0.0", False), ("::", False), ("", False), (None, False), ("192.168.1.10", False), ("vigie.local", False),
])
def test_loopback_detection(address, loopback):
    assert auth.is_loopback(address) is loopback


def test_auth_mode_from_secrets():
    oidc = {"auth": {"redirect_uri": "https://v.example/oauth2callback", "cookie_secret": "c" * 32,
                     "client_id": "id", "client_secret": "s" * 20,
                     "server_metadata_url": "https://idp.example/.well-known/openid-configuration"}}
    named = {"auth": {"redirect_uri": "https://v.example/oauth2callback", "cookie_secret": "c" * 32,
                      "microsoft": {"client_id": "id", "client_secret": "s", "server_metadata_url": "https://login.example/.well-known/openid-configuration"}}}
    assert auth.auth_mode(oidc) == "oidc"
    assert auth.auth_mode(named) == "oidc"
    assert auth.auth_mode({"vigie": {"password_hash": "scrypt$..."}}) == "password"
    assert auth.auth_mode({"auth": {"client_id": "x"}}) is None   # incomplete OIDC is not sign-in
    assert auth.auth_mode({}) is None and auth.auth_mode(None) is None
    assert "s" * 20 in auth.secret_values(oidc) and "c" * 32 in auth.secret_values(oidc)


def _serve(tmp_path, *args: str) -> subprocess.CompletedProcess:
    # HOME and the working folder are the test's, so no real secrets.toml is read.
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)}
    env.pop("VIGIE_DASHBOARD_ADDRESS", None)
    return subprocess.run([sys.executable, "-m", "dashboard", "serve", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)


def test_serve_on_every_interface_without_sign_in_is_refused(tmp_path):
    done = _serve(tmp_path, "--address", "0.0.0.0", "--dry-run")
    assert done.returncode != 0
    assert "refusing to serve the dashboard on 0.0.0.0: no sign-in is configured" in done.stderr
    assert "password_hash" in done.stderr and "[auth]" in done.stderr
    bypass = _serve(tmp_path, "--dry-run", "--", "--server.address", "0.0.0.0")
    assert bypass.returncode != 0


def test_serve_with_a_password_hash_or_on_loopback_is_allowed(tmp_path):
    local = _serve(tmp_path, "--dry-run")
    assert local.returncode == 0 and "--server.address 127.0.0.1" in local.stdout
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        f'[vigie]\npassword_hash = "{auth.hash_password("phrase de passe du test")}"\n', encoding="utf-8")
    served = _serve(tmp_path, "--address", "0.0.0.0", "--dry-run")
    assert served.returncode == 0, served.stderr
    assert "--server.address 0.0.0.0" in served.stdout and "HTTPS" in served.stderr
    (tmp_path / ".streamlit" / "secrets.toml").write_text('[vigie]\npassword_hash = "hunter2"\n')
    broken = _serve(tmp_path, "--address", "0.0.0.0", "--dry-run")
    assert broken.returncode != 0 and "password_hash" in broken.stderr


def test_hash_password_command(tmp_path):
    done = subprocess.run([sys.executable, "-m", "dashboard", "hash-password", "--stdin"], cwd=ROOT,
                          input="correct horse battery staple\n", capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    line = [x for x in done.stdout.splitlines() if x.startswith("password_hash")][0]
    assert auth.verify_password("correct horse battery staple", line.split('"')[1])
    short = subprocess.run([sys.executable, "-m", "dashboard", "hash-password", "--stdin"], cwd=ROOT,
                           input="court\n", capture_output=True, text=True, timeout=60)
    assert short.returncode != 0


GATED_APP = """
import sys
sys.path.insert(0, {root!r})
import streamlit as st
from dashboard.auth import require_sign_in
require_sign_in()
st.write("DONNÉES PRIVÉES")
"""


@pytest.fixture
def gated_app(tmp_path, monkeypatch):
    from streamlit import config as st_config
    from streamlit.testing.v1 import AppTest
    script = tmp_path / "gated.py"
    script.write_text(GATED_APP.format(root=str(ROOT)), encoding="utf-8")
    monkeypatch.setattr(auth, "FAILURE_DELAY_S", 0.0)
    original = st_config.get_option("server.address")

    def make(address: str | None, secrets: dict | None = None):
        st_config.set_option("server.address", address)
        at = AppTest.from_file(str(script), default_timeout=30)
        for key, value in (secrets or {}).items():
            at.secrets[key] = value
        return at

    yield make
    st_config.set_option("server.address", original)


def _texts(at) -> str:
    return " ".join(str(e.value) for e in [*at.markdown, *at.error, *at.info, *at.title])


def test_gate_open_on_loopback_without_auth(gated_app):
    at = gated_app("127.0.0.1").run()
    assert "DONNÉES PRIVÉES" in _texts(at)


def test_gate_stops_on_network_without_auth(gated_app):
    at = gated_app("0.0.0.0").run()
    assert "DONNÉES PRIVÉES" not in _texts(at)
    assert at.error and "0.0.0.0" in at.error[0].value and "password_hash" in at.error[0].value


def test_gate_password_flow(gated_app):
    secrets = {"vigie": {"password_hash": auth.hash_password("phrase de passe du test")}}
    at = gated_app("0.0.0.0", secrets).run()
    assert "DONNÉES PRIVÉES" not in _texts(at)
    at.text_input(key="vigie_password").input("mauvais mot de passe")
    at.button[0].click()
    at.run()
    assert "DONNÉES PRIVÉES" not in _texts(at) and any("incorrect" in e.value for e in at.error)
    at.text_input(key="vigie_password").input("phrase de passe du test")
    at.button[0].click()
    at.run()
    assert "DONNÉES PRIVÉES" in _texts(at)


def test_gate_requires_the_password_even_on_loopback_when_configured(gated_app):
    # Loopback behind a reverse proxy is how a team is served: a configured password always applies.
    secrets = {"vigie": {"password_hash": auth.hash_password("phrase de passe du test")}}
    at = gated_app("127.0.0.1", secrets).run()
    assert "DONNÉES PRIVÉES" not in _texts(at)


# --- secrets never reach logs ----------------------------------------------------------

from warehouse import redact  # noqa: E402


def _log_output(monkeypatch, emit) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(redact.RedactingFilter())
    logger = logging.getLogger("vigie.test.redact")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        emit(logger)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_secrets_never_appear_in_logs(monkeypatch):
    monkeypatch.setenv("VIGIE_SMTP_PASSWORD", "smtp-p4ssw0rd-xyz")
    monkeypatch.setenv("SLACK_TOKEN", "xoxb-123456-abcdef")
    redact.register_secret("oidc-client-secret-0123")
    slack = "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX"
    discord = "https://discord.com/api/webhooks/123456/abcDEF_ghi"

    def emit(log):
        log.warning("SMTP login failed for vigie with %s", "smtp-p4ssw0rd-xyz")
        log.error("webhook %s answered 500", slack)
        log.error("webhook %s timed out", discord)
        log.info("token %s", "xoxb-123456-abcdef")
        log.info("OIDC config: client_secret=oidc-client-secret-0123 cookie_secret='k3y-k3y-k3y'")
        log.info("fetching https://user:hunter22@feeds.example/rss?api_key=abc123&lang=fr")
        log.info("headers: Authorization: Bearer eyJhbGciOi.payload.sig")
        try:
            raise RuntimeError("connect smtp://vigie:smtp-p4ssw0rd-xyz@mail.example failed")
        except RuntimeError:
            log.exception("delivery failed")

    out = _log_output(monkeypatch, emit)
    for secret in ("smtp-p4ssw0rd-xyz", "XXXXXXXXXXXXXXXX", "abcDEF_ghi", "xoxb-123456-abcdef",
                   "oidc-client-secret-0123", "k3y-k3y-k3y", "hunter22", "abc123", "eyJhbGciOi"):
        assert secret not in out, (secret, out)
    # What is useful to debug stays: which service, which host, which parameter.
    assert "hooks.slack.com/***" in out and "feeds.example/rss" in out and "lang=fr" in out
    assert "RuntimeError" in out


def test_install_masks_records_of_any_logger(monkeypatch):
    monkeypatch.setenv("MY_API_TOKEN", "tok-987654321")
    redact.install()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    other = logging.getLogger("scrapy.some.library")
    other.addHandler(handler)
    other.propagate = False
    try:
        other.warning("retrying with %s", "tok-987654321")
    finally:
        other.removeHandler(handler)
    assert "tok-987654321" not in stream.getvalue() and redact.MASK in stream.getvalue()


def test_redact_obj_for_exports():
    row = {"title": "Panne chez Vidéotron", "smtp_password": "p4ss-word-1", "url": "https://a.example/x?token=zzz999"}
    clean = redact.redact_obj([row])[0]
    assert clean["title"] == "Panne chez Vidéotron"
    assert clean["smtp_password"] == redact.MASK and "zzz999" not in clean["url"]
