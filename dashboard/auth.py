"""Who may see the dashboard.

Vigie shows what people wrote and, for the own brand, what the team plans to
answer: not public. Rules:

- Bound to a loopback address (the default of ``python -m dashboard serve``),
  with no proxy in front, the dashboard is a local tool: no sign-in.
- Served to others (a non-loopback bind, an unset ``server.address`` which
  makes Streamlit listen on every interface, or a request that came through a
  reverse proxy), sign-in is required: OpenID Connect through ``st.login``
  when an ``[auth]`` section is in Streamlit secrets, else a shared password
  whose salted hash is ``[vigie] password_hash``. Neither configured: the page
  shows an error and stops before any data is read.
- Once either is configured it is always required, even on loopback, because
  "loopback + reverse proxy" is the usual way to serve a team.

Password hashes are ``scrypt$n,r,p$salt$hash`` or
``pbkdf2_sha256$iterations$salt$hash`` (base64), made by
``python -m dashboard hash-password``, compared with hmac.compare_digest.
"""

from __future__ import annotations

import base64
import collections
import hashlib
import hmac
import ipaddress
import os
import threading
import time
from collections.abc import Mapping
from typing import Any

from warehouse import redact

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 15, 8, 1
PBKDF2_ITERATIONS = 600_000
SALT_BYTES = 16
# Bounds on parameters read from a hash, so a typo cannot freeze the server.
_MAX_SCRYPT_N, _MAX_PBKDF2 = 2 ** 20, 10_000_000

SESSION_KEY = "vigie_signed_in"
# Failed password attempts, process-wide: a script opening many sessions is slowed like one.
FAILURE_WINDOW_S = 600
MAX_FAILURES_PER_WINDOW = 20
FAILURE_DELAY_S = 1.0
_failures: collections.deque[float] = collections.deque()
_failures_lock = threading.Lock()

PROXY_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip", "x-forwarded-host")

TEXT = {
    "fr": {
        "title": "Vigie — connexion",
        "no_auth": ("Ce tableau de bord est servi sur le réseau ({where}) sans connexion configurée : "
                    "personne ne peut l'ouvrir. Configurez OpenID Connect ([auth] dans .streamlit/secrets.toml) "
                    "ou un mot de passe ([vigie] password_hash, voir « python -m dashboard hash-password »), "
                    "ou servez-le sur 127.0.0.1."),
        "bad_hash": "[vigie] password_hash dans les secrets Streamlit est illisible : {err}",
        "password": "Mot de passe",
        "submit": "Se connecter",
        "wrong": "Mot de passe incorrect.",
        "too_many": "Trop de tentatives échouées. Réessayez dans quelques minutes.",
        "login_oidc": "Se connecter avec {provider}",
        "need_oidc": "Connectez-vous pour voir le tableau de bord.",
        "not_allowed": "Le compte {email} n'a pas accès à ce tableau de bord.",
        "logout": "Se déconnecter",
        "no_authlib": "La connexion OpenID Connect demande le paquet Authlib (pip install 'Authlib>=1.3.2').",
    },
    "en": {
        "title": "Vigie — sign in",
        "no_auth": ("This dashboard is served on the network ({where}) with no sign-in configured, so it "
                    "stays closed. Configure OpenID Connect ([auth] in .streamlit/secrets.toml) or a password "
                    "([vigie] password_hash, see `python -m dashboard hash-password`), or serve it on 127.0.0.1."),
        "bad_hash": "[vigie] password_hash in Streamlit secrets cannot be read: {err}",
        "password": "Password",
        "submit": "Sign in",
        "wrong": "Wrong password.",
        "too_many": "Too many failed attempts. Try again in a few minutes.",
        "login_oidc": "Sign in with {provider}",
        "need_oidc": "Sign in to see the dashboard.",
        "not_allowed": "The account {email} has no access to this dashboard.",
        "logout": "Sign out",
        "no_authlib": "OpenID Connect sign-in needs the Authlib package (pip install 'Authlib>=1.3.2').",
    },
}


# --- password hashes ----------------------------------------------------------------

def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, method: str = "scrypt", *, salt: bytes | None = None) -> str:
    """A salted hash for ``[vigie] password_hash``."""
    if not password:
        raise ValueError("the password must not be empty")
    salt = salt or os.urandom(SALT_BYTES)
    secret = password.encode("utf-8")
    if method == "scrypt":
        digest = hashlib.scrypt(secret, salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P,
                                maxmem=256 * SCRYPT_N * SCRYPT_R, dklen=32)
        return f"scrypt${SCRYPT_N},{SCRYPT_R},{SCRYPT_P}${_b64(salt)}${_b64(digest)}"
    if method == "pbkdf2_sha256":
        digest = hashlib.pbkdf2_hmac("sha256", secret, salt, PBKDF2_ITERATIONS)
        return f"pbkdf2_sha256${PBKDF2_ITERATIONS}${_b64(salt)}${_b64(digest)}"
    raise ValueError(f"unknown method {method!r}; use scrypt or pbkdf2_sha256")


def parse_hash(stored: str) -> tuple[str, tuple[int, ...], bytes, bytes]:
    """(method, parameters, salt, digest); ValueError naming what is wrong."""
    if not isinstance(stored, str):
        raise ValueError("must be a string")
    parts = stored.strip().split("$")
    if len(parts) != 4:
        raise ValueError("expected 4 fields separated by '$' (method$parameters$salt$hash)")
    method, params, salt_b64, digest_b64 = parts
    try:
        salt, digest = base64.b64decode(salt_b64, validate=True), base64.b64decode(digest_b64, validate=True)
    except ValueError:
        raise ValueError("salt or hash is not base64") from None
    if len(salt) < 8 or len(digest) < 16:
        raise ValueError("salt or hash too short")
    try:
        numbers = tuple(int(x) for x in params.split(","))
    except ValueError:
        raise ValueError(f"bad parameters {params!r}") from None
    if method == "scrypt":
        if len(numbers) != 3:
            raise ValueError("scrypt needs n,r,p")
        n, r, p = numbers
        if n < 2 or n & (n - 1) or n > _MAX_SCRYPT_N or not 1 <= r <= 32 or not 1 <= p <= 16:
            raise ValueError("scrypt parameters out of range")
    elif method == "pbkdf2_sha256":
        if len(numbers) != 1 or not 10_000 <= numbers[0] <= _MAX_PBKDF2:
            raise ValueError("pbkdf2_sha256 needs an iteration count between 10,000 and 10,000,000")
    else:
        raise ValueError(f"unknown method {method!r} (scrypt or pbkdf2_sha256)")
    return method, numbers, salt, digest


def verify_password(password: str, stored: str) -> bool:
    """True when the password matches the stored hash. Constant-time comparison."""
    try:
        method, numbers, salt, expected = parse_hash(stored)
    except ValueError:
        return False
    secret = (password or "").encode("utf-8")
    if method == "scrypt":
        n, r, p = numbers
        got = hashlib.scrypt(secret, salt=salt, n=n, r=r, p=p, maxmem=256 * n * r * p + (1 << 20),
                             dklen=len(expected))
    else:
        got = hashlib.pbkdf2_hmac("sha256", secret, salt, numbers[0], dklen=len(expected))
    return hmac.compare_digest(got, expected)


# --- what is configured -------------------------------------------------------------

def _oidc_provider(auth: Mapping) -> str | None:
    """The st.login provider name: None for a flat [auth] section, else the first [auth.NAME]."""
    required = ("client_id", "client_secret", "server_metadata_url")
    if all(k in auth for k in required):
        return "default"
    for name, section in auth.items():
        if isinstance(section, Mapping) and all(k in section for k in required):
            return name
    return None


def auth_mode(secrets: Mapping | None) -> str | None:
    """'oidc', 'password' or None, from a secrets mapping (as st.secrets or a parsed secrets.toml)."""
    if not secrets:
        return None
    auth = secrets.get("auth")
    if isinstance(auth, Mapping) and auth.get("redirect_uri") and auth.get("cookie_secret") and _oidc_provider(auth):
        return "oidc"
    vigie = secrets.get("vigie")
    if isinstance(vigie, Mapping) and vigie.get("password_hash"):
        return "password"
    return None


def secret_values(secrets: Mapping | None) -> list[str]:
    """Every value of [auth] and [vigie] secrets, to hand to the log redactor."""
    out: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, Mapping):
            for v in value.values():
                walk(v)
        elif isinstance(value, str):
            out.append(value)

    for section in ("auth", "vigie"):
        if secrets and isinstance(secrets.get(section), Mapping):
            walk(secrets[section])
    # The redirect URI and e-mail allow-lists are not secret, and masking them would hide useful text.
    return [v for v in out if not v.startswith(("http://", "https://")) and "@" not in v]


def is_loopback(address: str | None) -> bool:
    """True for 127.0.0.0/8, ::1 and 'localhost'. Unset or 0.0.0.0 (every interface) is not loopback."""
    if not address:
        return False
    address = address.strip().strip("[]")
    if address.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def authlib_available() -> bool:
    try:
        import authlib
    except ImportError:
        return False
    try:
        return tuple(int(x) for x in authlib.__version__.split(".")[:3]) >= (1, 3, 2)
    except ValueError:
        return True


# --- the gate -------------------------------------------------------------------

def _secrets_dict() -> dict:
    import streamlit as st
    try:
        return st.secrets.to_dict()
    except Exception:  # no secrets file at all is the normal local case
        return {}


def _under_app_test() -> bool:
    # AppTest runs the script with a mocked Runtime and binds nothing, so an
    # unset server.address there does not mean "listening on every interface".
    try:
        from unittest import mock

        from streamlit.runtime import Runtime
        return Runtime.exists() and isinstance(Runtime.instance(), mock.Mock)
    except Exception:
        return False


def exposure() -> str | None:
    """Why this session is served to others (a short description), or None when local only."""
    import streamlit as st
    address = st.get_option("server.address")
    if not address and _under_app_test():
        address = "127.0.0.1"
    if not is_loopback(address):
        return f"server.address = {address or '(unset: every interface)'}"
    try:
        headers = {k.lower(): v for k, v in (st.context.headers or {}).items()}
    except Exception:
        headers = {}
    for name in PROXY_HEADERS:
        if headers.get(name):
            return f"via a reverse proxy ({name})"
    host = (headers.get("host") or "").rsplit(":", 1)[0].strip("[]")
    if host and not is_loopback(host):
        return f"Host: {host}"
    return None


def _lang() -> str:
    import streamlit as st
    try:
        return "en" if st.query_params.get("lang") == "en" else "fr"
    except Exception:
        return "fr"


def _too_many_failures(now: float) -> bool:
    with _failures_lock:
        while _failures and now - _failures[0] > FAILURE_WINDOW_S:
            _failures.popleft()
        return len(_failures) >= MAX_FAILURES_PER_WINDOW


def _record_failure(now: float) -> None:
    with _failures_lock:
        _failures.append(now)


def require_sign_in() -> None:
    """Call at the top of the app: returns when the viewer may see the dashboard, else st.stop()."""
    import streamlit as st

    secrets = _secrets_dict()
    redact.register_secrets(secret_values(secrets))
    mode = auth_mode(secrets)
    t = TEXT[_lang()]
    if mode is None:
        where = exposure()
        if where is None:
            return
        st.error(t["no_auth"].format(where=where), icon="🔒")
        st.stop()
    if mode == "oidc":
        _oidc_gate(st, secrets, t)
    else:
        _password_gate(st, secrets, t)


def _oidc_gate(st, secrets: dict, t: dict) -> None:
    if not authlib_available():
        st.error(t["no_authlib"], icon="🔒")
        st.stop()
    provider = _oidc_provider(secrets["auth"])
    if not st.user.is_logged_in:
        st.title(t["title"])
        st.info(t["need_oidc"])
        label = provider if provider != "default" else "OpenID Connect"
        if st.button(t["login_oidc"].format(provider=label), type="primary"):
            st.login(None if provider == "default" else provider)
        st.stop()
    vigie = secrets.get("vigie") or {}
    emails = {e.casefold() for e in vigie.get("allowed_emails", []) if isinstance(e, str)}
    domains = {d.casefold().lstrip("@") for d in vigie.get("allowed_domains", []) if isinstance(d, str)}
    try:
        email = str(st.user.to_dict().get("email") or "").casefold()
    except Exception:
        email = ""
    if (emails or domains) and not (email in emails or email.rpartition("@")[2] in domains):
        st.error(t["not_allowed"].format(email=email or "?"), icon="🔒")
        if st.button(t["logout"]):
            st.logout()
        st.stop()
    with st.sidebar:
        if st.button(t["logout"], key="vigie_logout"):
            st.logout()


def _password_gate(st, secrets: dict, t: dict) -> None:
    stored = secrets["vigie"]["password_hash"]
    try:
        parse_hash(stored)
    except ValueError as exc:
        st.error(t["bad_hash"].format(err=exc), icon="🔒")
        st.stop()
    if st.session_state.get(SESSION_KEY):
        with st.sidebar:
            if st.button(t["logout"], key="vigie_logout"):
                st.session_state[SESSION_KEY] = False
                st.rerun()
        return
    st.title(t["title"])
    with st.form("vigie_sign_in"):
        password = st.text_input(t["password"], type="password", key="vigie_password")
        submitted = st.form_submit_button(t["submit"], type="primary")
    if submitted:
        now = time.monotonic()
        if _too_many_failures(now):
            st.error(t["too_many"])
        elif verify_password(password, stored):
            st.session_state[SESSION_KEY] = True
            # The typed password must not stay in session state.
            st.session_state.pop("vigie_password", None)
            st.rerun()
        else:
            _record_failure(now)
            time.sleep(FAILURE_DELAY_S)
            st.error(t["wrong"])
    st.stop()
