"""Short-lived DuckDB connections with lock retries.

DuckDB lets one process write OR many processes read a file, never both. A
dashboard that kept a connection open would block every collection, so every
caller opens a connection for one unit of work and closes it. Lock conflicts are
retried with backoff; anything else from duckdb becomes a StorageError here.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import random
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from .errors import DatabaseBusy, StorageError

SCHEMA_FILE = Path(__file__).with_name("schema.sql")
DEFAULT_DB = "var/vigie.duckdb"

# Lock waits are short in practice (a write batch takes ~10 ms); give up after
# this long so a stuck writer surfaces as a clear message instead of a hang.
LOCK_TIMEOUT_S = float(os.environ.get("VIGIE_LOCK_TIMEOUT", "15"))

_schema_applied: set[str] = set()

# Lock waits seen by this process (for tests and logs): the longest time one
# open took (retries for the file lock included), and how many opens were retried.
LOCK_STATS = {"max_wait_s": 0.0, "conflicts": 0}


def default_db_path() -> str:
    return os.environ.get("VIGIE_DB", DEFAULT_DB)


def _is_lock_error(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "lock" in text or "different configuration" in text or "conflicting" in text


def _open(path: str, read_only: bool) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + LOCK_TIMEOUT_S
    # Small steps: readers and the writer each hold the file for milliseconds,
    # and long sleeps make both sides keep missing each other's free moments
    # (a 200 ms cap gave 1-3 s read waits; 20 ms gives 0.2-0.5 s).
    delay = 0.002
    while True:
        try:
            return duckdb.connect(path, read_only=read_only)
        except duckdb.IOException as exc:
            if not _is_lock_error(exc):
                raise StorageError(f"{path}: cannot open the database: {exc}") from None
            if time.monotonic() >= deadline:
                raise DatabaseBusy(
                    f"{path}: the database stayed locked by another process for "
                    f"{LOCK_TIMEOUT_S:.0f} s; is another collection running?"
                ) from None
            conflicted = True
            time.sleep(delay + random.random() * delay)
            delay = min(delay * 2, 0.02)
        except duckdb.Error as exc:
            raise StorageError(f"{path}: cannot open the database: {exc}") from None


class _ReadSession:
    """One read-only connection shared by a burst of reads (a dashboard page run)."""

    def __init__(self, path: str):
        self.path = path
        self.con: duckdb.DuckDBPyConnection | None = None
        # Facts that cannot change during one page run (e.g. whether the
        # serving tables are ready), asked once per session instead of per query.
        self.memo: dict = {}

    def get(self) -> duckdb.DuckDBPyConnection:
        if self.con is None:
            self.con = _open(self.path, True)
        return self.con

    def close(self) -> None:
        if self.con is not None:
            with contextlib.suppress(duckdb.Error):
                self.con.close()
            self.con = None


_session: contextvars.ContextVar[_ReadSession | None] = contextvars.ContextVar("vigie_read_session", default=None)


@contextlib.contextmanager
def read_session(path: str | os.PathLike | None = None) -> Iterator[None]:
    """Share one read-only connection among the reads inside the block.

    A page makes 5 to 12 queries; opening the file for each one cost more than
    the queries themselves at 1M mentions. The block stays short (one page
    run), and a write inside it closes the shared connection first: DuckDB
    refuses a read-write and a read-only connection to one file in one process.
    """
    path = str(path or default_db_path())
    if _session.get() is not None or path == ":memory:" or not os.path.exists(path):
        yield
        return
    session = _ReadSession(path)
    token = _session.set(session)
    try:
        yield
    finally:
        _session.reset(token)
        session.close()


def session_memo(path: str | os.PathLike | None = None) -> dict | None:
    """The current read session's memo for this file, or None outside a session."""
    session = _session.get()
    if session is not None and session.path == str(path or default_db_path()):
        return session.memo
    return None


@contextlib.contextmanager
def connect(path: str | os.PathLike | None = None, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open, yield, close. Writers get the schema applied and one transaction.

    Read-only opens of a file that does not exist yet fall back to an empty
    in-memory database with the schema, so the dashboard shows empty states
    instead of an error before the first collection.
    """
    path = str(path or default_db_path())
    session = _session.get()
    if session is not None and session.path == path:
        if read_only:
            try:
                yield session.get()
            except duckdb.Error as exc:
                raise StorageError(f"{path}: {exc}") from None
            return
        session.close()
    if read_only and path != ":memory:" and not os.path.exists(path):
        con = duckdb.connect(":memory:")
        try:
            con.execute(SCHEMA_FILE.read_text(encoding="utf-8"))
            yield con
        finally:
            con.close()
        return
    if not read_only and path != ":memory:":
        parent = Path(path).parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"{path}: cannot create the folder {parent}: {exc.strerror}") from None
        if os.path.exists(path) and not os.access(path, os.W_OK):
            raise StorageError(f"{path}: the database file is not writable")
        if not os.access(parent, os.W_OK):
            raise StorageError(f"{path}: the folder {parent} is not writable")
    con = _open(path, read_only)
    try:
        if not read_only:
            ensure_schema(con, path)
        yield con
    except duckdb.Error as exc:
        raise StorageError(f"{path}: {exc}") from None
    finally:
        con.close()


@contextlib.contextmanager
def transaction(path: str | os.PathLike | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A write connection inside one transaction: all of a batch or nothing."""
    with connect(path) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            yield con
        except BaseException:
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            raise
        else:
            try:
                con.execute("COMMIT")
            except duckdb.Error as exc:
                with contextlib.suppress(duckdb.Error):
                    con.execute("ROLLBACK")
                raise StorageError(f"{path}: the write was not saved: {exc}") from None


def ensure_schema(con: duckdb.DuckDBPyConnection, key: str = "") -> None:
    # CREATE ... IF NOT EXISTS is cheap but not free; once per file per process.
    if key and key in _schema_applied and key != ":memory:":
        return
    con.execute(SCHEMA_FILE.read_text(encoding="utf-8"))
    if key:
        _schema_applied.add(key)


def query_df(sql: str, params: list | tuple | dict | None = None, db: str | None = None):
    """Run one read-only query and return a pandas DataFrame."""
    with connect(db, read_only=True) as con:
        return con.execute(sql, params or []).df()
