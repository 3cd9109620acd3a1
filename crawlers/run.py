"""`python -m crawlers run`: the unattended loop.

Each cycle: collect the due sources (crawlers.collect, enrichment included),
evaluate the alert rules, queue the daily digest when due, send the outbox.
One step failing is logged and the others still run: a broken feed must not
stop alerts, and a down SMTP server must not stop collection.

Overlap: a lock file (fcntl.flock on <db>.lock) is held for the whole run. A
second run started while one holds it says so and exits with status 75
(EX_TEMPFAIL) at once rather than waiting: under cron, a slow cycle then makes
the next invocation skip instead of queueing up behind it.

Stopping: SIGTERM or Ctrl-C asks the loop to stop; the current cycle finishes
(so a batch is never half written and a claimed message is recorded) and the
process exits 0. A second signal stops at once (exit 130).

The configuration is re-read every cycle, so an edit takes effect without a
restart; if the new file is invalid the previous configuration is kept.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import fcntl
import os
import re
import signal
import sys
import threading
import time
from dataclasses import dataclass, field

from warehouse.config import load_config
from warehouse.errors import ConfigErrors, VigieError

UTC = dt.timezone.utc
EXIT_LOCKED = 75
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_every(text: str) -> float:
    """'45s', '30m', '1h', '1h30m' or plain seconds -> seconds (at least 1)."""
    value = str(text).strip().lower()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        seconds = float(value)
    else:
        parts = re.findall(r"(\d+(?:\.\d+)?)\s*([smhd])", value)
        if not parts or re.sub(r"(\d+(?:\.\d+)?)\s*([smhd])", "", value).strip():
            raise ValueError(f"{text!r} is not a duration like 45s, 30m, 1h or 1h30m")
        seconds = sum(float(n) * _UNITS[u] for n, u in parts)
    if seconds < 1:
        raise ValueError(f"{text!r}: the interval must be at least 1 second")
    return seconds


class AlreadyRunning(VigieError):
    pass


class RunLock:
    """An exclusive, non-blocking flock on <db>.lock; released by the kernel if the process dies."""

    def __init__(self, db: str):
        self.path = f"{db}.lock"
        self.fd: int | None = None

    def __enter__(self) -> "RunLock":
        os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            raise AlreadyRunning(f"une autre exécution de Vigie (pid {holder}) utilise déjà {self.path} ; "
                                 f"celle-ci s'arrête sans rien faire") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self.fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self.fd, 0)
            os.close(self.fd)   # closing releases the flock
            self.fd = None


@dataclass
class CycleSummary:
    started_at: dt.datetime
    seconds: float = 0.0
    sources: int = 0
    new: int = 0
    failed_sources: int = 0
    alerts: int = 0
    critical: int = 0
    digest: str | None = None
    sent: int = 0
    send_failed: int = 0
    errors: list[str] = field(default_factory=list)


def _say(text: str) -> None:
    stamp = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")
    print(f"{stamp} {text}", flush=True)


def run_cycle(config, db: str, now: dt.datetime | None = None, *, send: bool = True, force: bool = False,
              say=_say) -> CycleSummary:
    """One collect -> alerts -> digest -> send pass. Never raises for a failing step."""
    summary = CycleSummary(started_at=dt.datetime.now(UTC))
    t0 = time.monotonic()
    try:
        from .collect import collect, describe_result

        def progress(done, total, result):
            say(f"  [{done}/{total}] {result.name} : {describe_result(result, 'fr')}")

        result = collect(config, db, force=force, progress=progress)
        summary.sources = len(result.results)
        summary.new = result.new
        summary.failed_sources = len(result.failed)
        for name in result.skipped:
            say(f"  {name} : pas encore dû (calendrier adaptatif)")
        for warning in result.warnings:
            say(f"  avertissement : {warning}")
    except Exception as exc:  # collection failing must not stop alerts on what we already have
        summary.errors.append(f"collecte : {type(exc).__name__}: {exc}")
        say(f"  collecte en échec : {exc}")
    now = now or dt.datetime.now(UTC)
    try:
        from warehouse.alerting import evaluate_alerts
        evaluation = evaluate_alerts(db, config, now=now)
        summary.alerts, summary.critical = len(evaluation.fired), evaluation.critical
    except Exception as exc:
        summary.errors.append(f"alertes : {type(exc).__name__}: {exc}")
        say(f"  évaluation des alertes en échec : {exc}")
    try:
        from warehouse.digest import enqueue_digest_if_due
        summary.digest = enqueue_digest_if_due(db, config, now=now)
    except Exception as exc:
        summary.errors.append(f"résumé : {type(exc).__name__}: {exc}")
        say(f"  résumé quotidien en échec : {exc}")
    if send:
        try:
            from warehouse.delivery import deliver_pending
            report = deliver_pending(db, config, now=now)
            summary.sent, summary.send_failed = report.sent, report.failed
        except Exception as exc:
            summary.errors.append(f"envoi : {type(exc).__name__}: {exc}")
            say(f"  envoi en échec : {exc}")
    summary.seconds = time.monotonic() - t0
    say(f"cycle terminé en {summary.seconds:.1f} s : {summary.sources} source(s), {summary.new} nouveau(x), "
        f"{summary.failed_sources} en échec ; {summary.alerts} alerte(s) ({summary.critical} critique(s))"
        + (f" ; résumé {summary.digest} en file" if summary.digest else "")
        + (f" ; {summary.sent} message(s) envoyé(s), {summary.send_failed} à réessayer" if send else " ; envoi désactivé"))
    return summary


def run_loop(config_path: str, db: str | None, every: float, once: bool = False, send: bool = True,
             force: bool = False, stop: threading.Event | None = None) -> int:
    stop = stop or threading.Event()
    config = load_config(config_path)
    db = db or config.database_path
    if not db:
        from warehouse.db import default_db_path
        db = default_db_path()

    def on_signal(signum, _frame):
        if stop.is_set():
            raise KeyboardInterrupt
        _say(f"signal {signal.Signals(signum).name} reçu : arrêt après le cycle en cours")
        stop.set()

    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, on_signal)
    try:
        with RunLock(db):
            _say(f"Vigie démarre : base {db}, " + ("un seul cycle" if once else f"un cycle toutes les {every:g} s"))
            while True:
                run_cycle(config, db, send=send, force=force)
                if once or stop.is_set():
                    break
                if stop.wait(every):
                    break
                try:
                    config = load_config(config_path)
                except ConfigErrors as exc:
                    _say(f"configuration invalide, la précédente est conservée : {exc.errors[0]}")
            _say("Vigie arrêtée proprement")
            return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("run", help="collect, alert, send and digest repeatedly (unattended)")
    p.add_argument("--config", default="vigie.toml")
    p.add_argument("--db")
    p.add_argument("--every", default="30m", help="time between cycles: 45s, 30m, 1h (default 30m)")
    p.add_argument("--once", action="store_true", help="run one cycle and exit (for cron or a systemd timer)")
    p.add_argument("--no-send", action="store_true", help="queue messages but send nothing")
    p.add_argument("--force", action="store_true", help="collect every source, ignoring the adaptive schedule")
    p.set_defaults(func=cmd_run)


def cmd_run(args) -> int:
    try:
        every = parse_every(args.every)
    except ValueError as exc:
        print(f"--every : {exc}", file=sys.stderr)
        return 2
    try:
        return run_loop(args.config, args.db, every, once=args.once, send=not args.no_send, force=args.force)
    except AlreadyRunning as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_LOCKED
    except ConfigErrors as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrompu", file=sys.stderr)
        return 130


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawlers.run")
    sub = parser.add_subparsers(dest="command", required=True)
    add_parser(sub)
    args = parser.parse_args(["run", *(argv if argv is not None else sys.argv[1:])])
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
