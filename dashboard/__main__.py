"""`python -m dashboard serve` and `python -m dashboard hash-password`.

serve launches `streamlit run dashboard/app.py` bound to 127.0.0.1 unless told
otherwise, and refuses a non-loopback address when no sign-in is configured in
Streamlit secrets, so the team's data is never put on a network by accident.
The app checks again at every page view (dashboard/auth.py): this check is the
early, clear message; that one is the lock.
"""

from __future__ import annotations

import argparse
import getpass
import os
import subprocess
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

from dashboard import auth  # noqa: E402

EXIT_REFUSED = 2


def secrets_files() -> list[str]:
    """The secrets.toml files Streamlit will read, in its order (later ones win)."""
    try:
        from streamlit import config
        files = config.get_option("secrets.files")
    except Exception:
        files = None
    if not files:
        files = [str(Path.home() / ".streamlit" / "secrets.toml"), str(Path.cwd() / ".streamlit" / "secrets.toml")]
    return [str(f) for f in files]


def load_secrets(files: list[str] | None = None) -> tuple[dict, list[str]]:
    """Merged secrets and the problems met (unreadable files are reported, not fatal)."""
    merged: dict = {}
    problems = []
    for file in files if files is not None else secrets_files():
        path = Path(file)
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            problems.append(f"{path}: cannot read the secrets file: {exc}")
            continue
        for key, value in data.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
    return merged, problems


def check_serve(address: str, secrets: dict) -> tuple[bool, list[str]]:
    """(allowed, messages) for serving on ``address`` with these secrets."""
    messages = []
    mode = auth.auth_mode(secrets)
    if mode == "password":
        try:
            auth.parse_hash(secrets["vigie"]["password_hash"])
        except ValueError as exc:
            return False, [f"[vigie] password_hash in Streamlit secrets is not valid: {exc}. "
                           "Make a new one with: python -m dashboard hash-password"]
    if mode == "oidc" and not auth.authlib_available():
        return False, ["[auth] is configured for OpenID Connect but the Authlib package is missing: "
                       "pip install 'Authlib>=1.3.2' (or streamlit[auth])"]
    if auth.is_loopback(address):
        return True, messages
    if mode is None:
        return False, [
            f"refusing to serve the dashboard on {address or 'every interface'}: no sign-in is configured.",
            "Anyone on the network could read the mentions. Configure one of, in .streamlit/secrets.toml:",
            "  [auth]   redirect_uri, cookie_secret, client_id, client_secret, server_metadata_url (OpenID Connect)",
            "  [vigie]  password_hash = \"...\"   (make it with: python -m dashboard hash-password)",
            "or serve on 127.0.0.1 (the default) behind your own authenticating proxy.",
            f"Secrets files looked at: {', '.join(secrets_files())}",
        ]
    messages.append(f"sign-in: {'OpenID Connect' if mode == 'oidc' else 'password'}. Serve over HTTPS "
                    "(a TLS reverse proxy, or --server.sslCertFile/--server.sslKeyFile) so passwords and "
                    "cookies do not cross the network in clear.")
    return True, messages


def cmd_serve(args, extra: list[str]) -> int:
    if any(a.startswith("--server.address") for a in extra):
        # Would bypass the check below (the in-app gate would still stop it, later and less clearly).
        print("give the address with --address, not after --", file=sys.stderr)
        return EXIT_REFUSED
    secrets, problems = load_secrets()
    for line in problems:
        print(line, file=sys.stderr)
    allowed, messages = check_serve(args.address, secrets)
    for line in messages:
        print(line, file=sys.stderr)
    if not allowed:
        return EXIT_REFUSED
    command = [sys.executable, "-m", "streamlit", "run", str(HERE / "app.py"),
               "--server.address", args.address, "--server.port", str(args.port),
               "--server.headless", "true", "--browser.gatherUsageStats", "false", *extra]
    if args.dry_run:
        print(" ".join(command))
        return 0
    try:
        return subprocess.call(command)
    except KeyboardInterrupt:
        return 130


def cmd_hash_password(args) -> int:
    if args.stdin or not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Mot de passe / Password: ")
        if getpass.getpass("Encore / Again: ") != password:
            print("the two passwords differ", file=sys.stderr)
            return 1
    if len(password) < 12:
        print("use at least 12 characters (a passphrase of several words is easiest)", file=sys.stderr)
        return 1
    value = auth.hash_password(password, args.method)
    print("# .streamlit/secrets.toml")
    print("[vigie]")
    print(f'password_hash = "{value}"')
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m dashboard", description="Vigie dashboard.")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="run the dashboard (127.0.0.1 unless --address)",
                       epilog="Arguments after -- go to `streamlit run` unchanged.")
    s.add_argument("--address", default=os.environ.get("VIGIE_DASHBOARD_ADDRESS", "127.0.0.1"))
    s.add_argument("--port", type=int, default=8501)
    s.add_argument("--dry-run", action="store_true", help="check and print the command without running it")
    h = sub.add_parser("hash-password", help="make [vigie] password_hash for Streamlit secrets")
    h.add_argument("--method", choices=("scrypt", "pbkdf2_sha256"), default="scrypt")
    h.add_argument("--stdin", action="store_true", help="read the password from standard input")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1:]
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return cmd_serve(args, extra)
    return cmd_hash_password(args)


if __name__ == "__main__":
    sys.exit(main())
