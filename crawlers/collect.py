"""Collect every due source once, in a child crawl process.

collect() is the API the CLI and the unattended `run` loop call. The parent
never imports Scrapy and holds no DuckDB connection while the child writes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from warehouse import db as dbmod
from warehouse import store
from warehouse.errors import StorageError
from warehouse.identity import pseudonymize
from warehouse.health import next_source_state

UTC = dt.timezone.utc
PROJECT_ROOT = Path(__file__).resolve().parents[1]


@dataclass
class SourceResult:
    name: str
    kind: str
    status: str  # ok | not_modified | error | skipped
    new: int = 0
    updated: int = 0
    seen: int = 0
    error: str | None = None


@dataclass
class CollectSummary:
    run_id: int | None
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    results: list[SourceResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # not due yet (adaptive schedule)
    enrich: dict | None = None
    warnings: list[str] = field(default_factory=list)
    crawl_stats: dict = field(default_factory=dict)  # Scrapy's counters from the child
    crawl_seconds: float | None = None  # child start to exit; the rest is enrichment and bookkeeping

    @property
    def new(self) -> int:
        return sum(r.new for r in self.results)

    @property
    def updated(self) -> int:
        return sum(r.updated for r in self.results)

    @property
    def failed(self) -> list[SourceResult]:
        return [r for r in self.results if r.status == "error"]

    @property
    def seconds(self) -> float:
        end = self.finished_at or dt.datetime.now(UTC)
        return (end - self.started_at).total_seconds()


Progress = Callable[[int, int, SourceResult], None]


class UnknownSource(ValueError):
    pass


def due_sources(config, states: dict, only=None, force=True, now=None):
    """(to collect, skipped as not due) among enabled sources."""
    now = now or dt.datetime.now(UTC)
    sources = [s for s in config.sources if s.enabled]
    if only:
        wanted = {n.casefold() for n in only}
        known = {s.name.casefold() for s in config.sources}
        missing = [n for n in only if n.casefold() not in known]
        if missing:
            raise UnknownSource(f"unknown source(s): {', '.join(missing)}; see `python -m crawlers sources`")
        sources = [s for s in config.sources if s.name.casefold() in wanted]
    if force:
        return sources, []
    due, skipped = [], []
    for s in sources:
        nxt = (states.get(s.name) or {}).get("next_poll_at")
        if nxt is not None and nxt.tzinfo is None:
            nxt = nxt.replace(tzinfo=UTC)
        (skipped if nxt is not None and nxt > now else due).append(s)
    return due, [s.name for s in skipped]


def _jsonable_state(state: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in state.items()}


_RESULT_WORDS = {
    "en": ("error: {error}", "not modified", "{new} new", ", {updated} updated"),
    "fr": ("échec : {error}", "inchangé (304)", "{new} nouveau(x)", ", {updated} mis à jour"),
}


def describe_result(result: SourceResult, lang: str = "en") -> str:
    """One source's outcome in a few words, for progress lines (CLI and the run loop)."""
    error, not_modified, new, updated = _RESULT_WORDS.get(lang, _RESULT_WORDS["en"])
    if result.status == "error":
        return error.format(error=result.error)
    if result.status == "not_modified":
        return not_modified
    return new.format(new=result.new) + (updated.format(updated=result.updated) if result.updated else "")


def _check_writable(db: str) -> None:
    """Fail early and clearly (exit 3 in the CLI) when the database cannot be written."""
    with dbmod.connect(db):
        pass


def collect(config, db: str, only=None, force: bool = True, progress: Progress | None = None) -> CollectSummary:
    """Collect every due source once; one failing source never stops the others.

    force=True (the default, and plain `collect`) fetches every enabled source;
    force=False applies the adaptive schedule (next_poll_at in source_state).
    Raises StorageError when the database cannot be written and UnknownSource
    for --only names that are not configured.
    """
    db = str(db)
    started = dt.datetime.now(UTC)
    if config.privacy.pseudonymize_authors:
        pseudonymize("check", None)  # refuses before fetching anything when the key is missing
    _check_writable(db)
    states = store.load_source_states(db)
    sources, skipped = due_sources(config, states, only, force, started)
    summary = CollectSummary(run_id=None, started_at=started, skipped=skipped)
    if sources:
        summary.run_id = store.new_run_id(db)
        overlap = _OverlapEnricher(db, config, summary) if ENRICH_WHILE_CRAWLING else None
        try:
            _run_child(config, db, sources, states, summary, progress, overlap)
        finally:
            if overlap is not None:
                overlap.stop()
        summary.enrich = _merge(overlap.results if overlap else [], _enrich(db, config, summary))
    else:
        summary.enrich = _enrich(db, config, summary)
    summary.finished_at = dt.datetime.now(UTC)
    return summary


def _run_child(config, db, sources, states, summary: CollectSummary, progress, overlap=None):
    by_name = {s.name: s for s in sources}
    job = {
        "db": os.path.abspath(db),
        "run_id": summary.run_id,
        "collect": dataclasses.asdict(config.collect),
        "sources": [dataclasses.asdict(s) for s in sources],
        "states": {n: _jsonable_state(states[n]) for n in by_name if n in states},
        "brands": [b.name for b in config.brands],
        "pseudonymize_authors": bool(config.privacy.pseudonymize_authors),
    }
    child_start = dt.datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="vigie-crawl-") as tmp:
        job_path = Path(tmp) / "job.json"
        job_path.write_text(json.dumps(job, default=str), encoding="utf-8")
        env = dict(os.environ)
        env["PYTHONPATH"] = str(PROJECT_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
        env.setdefault("PYTHONIOENCODING", "utf-8")
        stderr_path = Path(tmp) / "stderr.txt"
        with open(stderr_path, "w+b") as err:
            proc = subprocess.Popen([sys.executable, "-m", "crawlers._crawl", str(job_path)], stdout=subprocess.PIPE,
                                    stderr=err, env=env, cwd=str(PROJECT_ROOT))
            done = 0
            for raw in proc.stdout:
                try:
                    event = json.loads(raw)
                except ValueError:
                    continue
                if event.get("event") == "source_done" and event.get("source") in by_name:
                    done += 1
                    result = SourceResult(name=event["source"], kind=by_name[event["source"]].kind,
                                          status=event["status"], new=event.get("new") or 0,
                                          updated=event.get("updated") or 0, seen=event.get("seen") or 0,
                                          error=event.get("error"))
                    summary.results.append(result)
                    if overlap is not None and (result.new or result.updated):
                        overlap.notify()
                    if progress:
                        progress(done, len(sources), result)
                elif event.get("event") == "crawl_stats":
                    summary.crawl_stats = event.get("stats") or {}
                elif event.get("event") == "storage_error":
                    summary.warnings.append(f"database write failed: {event.get('error')}")
            code = proc.wait()
            summary.crawl_seconds = (dt.datetime.now(UTC) - child_start).total_seconds()
            err.seek(0)
            tail = err.read().decode("utf-8", "replace").strip().splitlines()[-5:]
    if code == 3:
        raise StorageError(summary.warnings[-1] if summary.warnings else "the crawl could not write to the database")
    reported = {r.name for r in summary.results}
    missing = [s for s in sources if s.name not in reported]
    if missing:
        # The child died (killed, out of memory, bug): record it so health shows it.
        reason = f"the crawl process stopped unexpectedly (exit code {code})"
        if tail:
            reason += f": {tail[-1][:200]}"
        summary.warnings.append(reason)
        now = dt.datetime.now(UTC)
        records, new_states = [], []
        for s in missing:
            records.append({"run_id": summary.run_id, "source": s.name, "started_at": summary.started_at,
                            "finished_at": now, "status": "error", "error": reason})
            new_states.append(next_source_state(states.get(s.name), source=s.name, status="error", now=now,
                                                error=reason, collect=config.collect))
            result = SourceResult(name=s.name, kind=s.kind, status="error", error=reason)
            summary.results.append(result)
            if progress:
                progress(len(summary.results), len(sources), result)
        store.record_fetches(db, records, new_states)


# Enrich what the child has already stored while it crawls: the child is busy on
# one core (Scrapy's reactor), enrichment is CPU work in this process, so on two
# cores they overlap instead of adding up. Both sides write in short
# transactions and retry on the lock (warehouse.db), as the dashboard does.
ENRICH_WHILE_CRAWLING = True


class _OverlapEnricher:
    """A background thread calling enrich_pending whenever new items were stored."""

    def __init__(self, db, config, summary: CollectSummary):
        self.db, self.config, self.summary = db, config, summary
        self.results: list = []
        self._dirty = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="vigie-enrich", daemon=True)
        self._thread.start()

    def notify(self) -> None:
        self._dirty.set()

    def stop(self) -> None:
        self._stopping.set()
        self._dirty.set()
        self._thread.join()

    def _loop(self) -> None:
        try:
            from warehouse.enrich import Enricher, enrich_pending  # noqa: PLC0415
        except ImportError:
            return  # the final pass reports it
        try:
            # Load the models (sklearn, langid: ~2 s) while the child imports Scrapy
            # and fetches its first feeds; they are cached per process.
            Enricher(self.config).compute({"id": ["warm-up"], "title": ["Bonjour"], "body": ["Ceci est un essai."],
                                           "language_hint": [None], "thread": [None]})
        except Exception:  # noqa: BLE001 - only a warm-up; the real passes report errors
            pass
        while True:
            self._dirty.wait()
            if self._stopping.is_set():
                return  # what is left is done by the final pass, after the child
            self._dirty.clear()
            try:
                self.results.append(enrich_pending(self.db, self.config))
            except Exception:  # noqa: BLE001 - the final pass retries and reports
                return


def _merge(partial: list, last):
    """One EnrichResult for the whole run (counts and seconds added up)."""
    if not partial:
        return last
    if last is None:
        return None  # the final pass failed: its warning says why
    merged = dataclasses.replace(last)
    for r in partial:
        merged.mentions += r.mentions
        merged.seconds += r.seconds
        merged.stale_config = merged.stale_config or r.stale_config
    return merged


def _enrich(db, config, summary: CollectSummary) -> dict | None:
    try:
        from warehouse.enrich import enrich_pending  # noqa: PLC0415
    except ImportError as exc:
        summary.warnings.append(f"enrichment skipped: warehouse.enrich is not available ({exc})")
        return None
    try:
        return enrich_pending(db, config)
    except StorageError:
        raise
    except Exception as exc:  # enrichment is derived data: collected items are already safe
        summary.warnings.append(f"enrichment failed: {type(exc).__name__}: {exc}")
        return None
