"""Backup, restore, retention purge and author pseudonymization.

Commands (registered on ``python -m warehouse`` by ``register_cli``):

    backup      --db FILE --to DIR            Parquet copy of every table + manifest.json
    restore     --from DIR --db FILE [--force]
    purge       --config FILE [--db FILE] [--days N] [--no-compact]
    pseudonymize --config FILE [--db FILE] [--no-compact]

Why these shapes:

- Backups are taken on a *read-only* connection: DuckDB lets many readers
  share a file, so a backup runs while the dashboard is open. A writer (a
  collection) waits for it (db.py retries), which also makes the copy one
  consistent snapshot of every table.
- Restore builds the new database in a temporary file next to the target and
  renames it into place only once every count matches the manifest, so a bad
  backup never replaces a good database.
- DuckDB keeps the bytes of deleted or updated rows in the file until the
  blocks are reused (measured: a name UPDATEd away is still readable with
  ``strings`` after CHECKPOINT). Purge and pseudonymize therefore *compact*
  by default: copy the database into a fresh file and rename it over the old
  one, so erased data is really gone from the disk file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from . import db as dbmod
from .errors import StorageError, VigieError
from .identity import pseudonymize as _pseudonymize

UTC = dt.timezone.utc
MANIFEST = "manifest.json"
FORMAT = "vigie-backup/1"
PSEUDONYM_PREFIX = "anon-"
# The fallback key in identity.py is public: a pseudonym made with it can be
# reversed by hashing a list of likely names, so this command refuses it.
PSEUDONYM_KEY_ENV = "VIGIE_PSEUDONYM_KEY"


class BackupError(VigieError):
    """A backup folder is missing, incomplete, altered or from another schema."""


def schema_version() -> str:
    """Fingerprint of schema.sql: restore refuses a backup of another schema by default."""
    text = dbmod.SCHEMA_FILE.read_text(encoding="utf-8")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _tables(con) -> list[tuple[str, str]]:
    """(name, CREATE statement) of every user table, so tables added later are covered too."""
    return con.execute(
        "SELECT table_name, sql FROM duckdb_tables() "
        "WHERE database_name = current_database() AND schema_name = 'main' AND NOT temporary "
        "ORDER BY table_name").fetchall()


def _sequences(con) -> dict[str, int | None]:
    rows = con.execute(
        "SELECT sequence_name, last_value FROM duckdb_sequences() "
        "WHERE database_name = current_database() AND schema_name = 'main' AND NOT temporary").fetchall()
    return {name: last for name, last in rows}


def table_counts(db: str) -> dict[str, int]:
    """Row count of every table (read-only, safe while the dashboard reads)."""
    with dbmod.connect(db, read_only=True) as con:
        return {name: con.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()[0]
                for name, _ in _tables(con)}


# --- backup -----------------------------------------------------------------------

@dataclass
class BackupResult:
    folder: str
    counts: dict[str, int]
    seconds: float


def backup(db: str, to: str | os.PathLike) -> BackupResult:
    """Write every table as Parquet into ``to`` plus manifest.json (counts, checksums, schema version)."""
    t0 = time.monotonic()
    if not os.path.exists(db):
        raise StorageError(f"{db}: no such database file")
    folder = Path(to)
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder}: the backup folder is not empty; choose a new folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"{folder}: cannot create the backup folder: {exc.strerror}") from None
    manifest = {"format": FORMAT, "schema_version": schema_version(),
                "created_at": dt.datetime.now(UTC).isoformat(), "source_db": os.path.abspath(db),
                "duckdb_version": duckdb.__version__, "tables": {}, "sequences": {}}
    try:
        with dbmod.connect(db, read_only=True) as con:
            # One transaction: every table is read from the same snapshot.
            con.execute("BEGIN TRANSACTION")
            for name, ddl in _tables(con):
                rows = con.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()[0]
                file = folder / f"{name}.parquet"
                con.execute(f"COPY (SELECT * FROM {_quote(name)}) TO {_sql_str(str(file))} (FORMAT parquet)")
                manifest["tables"][name] = {"file": file.name, "rows": rows, "create": ddl}
            manifest["sequences"] = _sequences(con)
            con.execute("COMMIT")
    except OSError as exc:
        raise StorageError(f"{folder}: cannot write the backup: {exc.strerror}") from None
    for info in manifest["tables"].values():
        info["sha256"] = _sha256(folder / info["file"])
    # The manifest is written last: a folder without one is an unfinished backup.
    tmp = folder / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, folder / MANIFEST)
    counts = {k: v["rows"] for k, v in manifest["tables"].items()}
    return BackupResult(str(folder), counts, time.monotonic() - t0)


# --- restore ----------------------------------------------------------------------

def read_manifest(folder: str | os.PathLike, *, check_files: bool = True,
                  allow_other_schema: bool = False) -> dict:
    folder = Path(folder)
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{folder}: no {MANIFEST}; this is not a Vigie backup or it did not finish") from None
    except (OSError, ValueError) as exc:
        raise BackupError(f"{path}: unreadable manifest ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or not isinstance(manifest.get("tables"), dict):
        raise BackupError(f"{path}: not a {FORMAT} manifest")
    if manifest.get("schema_version") != schema_version() and not allow_other_schema:
        raise BackupError(f"{path}: the backup was made with schema {manifest.get('schema_version')}, this "
                          f"version uses {schema_version()}; pass --allow-other-schema to try anyway")
    if check_files:
        for name, info in manifest["tables"].items():
            file = folder / str(info.get("file", ""))
            if file.parent != folder or not file.is_file():
                raise BackupError(f"{folder}: table {name}: file {info.get('file')!r} is missing")
            if _sha256(file) != info.get("sha256"):
                raise BackupError(f"{folder}: table {name}: {file.name} does not match its checksum "
                                  "(altered or truncated)")
    return manifest


def _is_empty(db: str) -> bool:
    if not os.path.exists(db):
        return True
    counts = table_counts(db)
    return not any(counts.values())


@dataclass
class RestoreResult:
    db: str
    counts: dict[str, int]
    seconds: float


def restore(folder: str | os.PathLike, db: str, *, force: bool = False,
            allow_other_schema: bool = False) -> RestoreResult:
    """Recreate ``db`` from a backup folder; the same row counts or nothing changes."""
    t0 = time.monotonic()
    folder = Path(folder)
    manifest = read_manifest(folder, allow_other_schema=allow_other_schema)
    if not force and not _is_empty(db):
        raise BackupError(f"{db}: the database already holds data; pass --force to replace it "
                          "(it is replaced only after the restore succeeded)")
    target = Path(db).resolve()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=target.name + ".restore-", dir=target.parent)
    except OSError as exc:
        raise StorageError(f"{db}: cannot write next to the database: {exc.strerror}") from None
    os.close(fd)
    os.unlink(tmp_name)  # duckdb wants to create the file itself
    tmp = Path(tmp_name)
    try:
        with dbmod.transaction(str(tmp)) as con:
            existing = {name for name, _ in _tables(con)}
            for name, info in manifest["tables"].items():
                if name not in existing:
                    con.execute(info["create"])
                file = folder / info["file"]
                cols = [r[0] for r in con.execute(
                    f"DESCRIBE SELECT * FROM read_parquet({_sql_str(str(file))})").fetchall()]
                col_list = ", ".join(_quote(c) for c in cols)
                con.execute(f"DELETE FROM {_quote(name)}")
                con.execute(f"INSERT INTO {_quote(name)} ({col_list}) "
                            f"SELECT {col_list} FROM read_parquet({_sql_str(str(file))})")
                got = con.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()[0]
                if got != info["rows"]:
                    raise BackupError(f"{folder}: table {name}: restored {got} rows, the manifest says {info['rows']}")
            for seq, last in (manifest.get("sequences") or {}).items():
                if last is not None:
                    # Continue after the last value handed out, so run ids never repeat.
                    con.execute(f"CREATE OR REPLACE SEQUENCE {_quote(seq)} START WITH {int(last) + 1}")
        counts = table_counts(str(tmp))
        os.replace(tmp, target)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(str(target) + ".wal")
    finally:
        for leftover in (tmp, Path(str(tmp) + ".wal")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
    return RestoreResult(str(target), counts, time.monotonic() - t0)


# --- compaction -------------------------------------------------------------------

def compact(db: str) -> None:
    """Rewrite the database into a fresh file so deleted/updated values leave the disk file.

    The write connection on the old file is held until the new file has been
    renamed into place, so no other process writes to the old file meanwhile
    (a waiting writer then opens the new file).
    """
    target = Path(db).resolve()
    tmp = target.with_name(target.name + f".compact-{os.getpid()}")
    for leftover in (tmp, Path(str(tmp) + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
    try:
        with dbmod.connect(str(target)) as con:
            current = con.execute("SELECT current_database()").fetchone()[0]
            con.execute(f"ATTACH {_sql_str(str(tmp))} AS vigie_compact")
            try:
                con.execute(f"COPY FROM DATABASE {_quote(current)} TO vigie_compact")
            finally:
                con.execute("DETACH vigie_compact")
            con.execute("CHECKPOINT")
            os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


# --- retention purge ----------------------------------------------------------------

@dataclass
class PurgeResult:
    cutoff: dt.datetime
    mentions: int = 0
    deleted: dict[str, int] = field(default_factory=dict)
    scrubbed: dict[str, int] = field(default_factory=dict)
    compacted: bool = False


def _mention_id_tables(con) -> list[str]:
    """Every table with a mention_id column (derived tables, triage, and any added later)."""
    rows = con.execute(
        "SELECT DISTINCT c.table_name FROM duckdb_columns() c JOIN duckdb_tables() t "
        "ON t.table_name = c.table_name AND t.schema_name = c.schema_name AND t.database_name = c.database_name "
        "WHERE c.database_name = current_database() AND c.schema_name = 'main' AND c.column_name = 'mention_id' "
        "ORDER BY 1").fetchall()
    return [r[0] for r in rows]


def _json_columns(con) -> list[tuple[str, str, str]]:
    """(table, key column, JSON column) pairs whose documents may cite mention ids or authors."""
    rows = con.execute(
        "SELECT c.table_name, c.column_name FROM duckdb_columns() c JOIN duckdb_tables() t "
        "ON t.table_name = c.table_name AND t.schema_name = c.schema_name AND t.database_name = c.database_name "
        "WHERE c.database_name = current_database() AND c.schema_name = 'main' AND c.data_type = 'JSON' "
        "ORDER BY 1, 2").fetchall()
    out = []
    for table, column in rows:
        cols = {r[0] for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = 'main' AND table_name = ?", [table]).fetchall()}
        if "id" in cols:
            out.append((table, "id", column))
    return out


def _cites(value, forget: set[str]) -> bool:
    """A dict that describes a forgotten mention ({"id": ..., "title": ...}) goes whole."""
    return isinstance(value, dict) and any(isinstance(v, str) and v in forget for v in value.values())


def _scrub(value, forget: set[str], replace: dict[str, str] | None = None):
    """The JSON value without forgotten ids or the objects citing them (and with ``replace``
    applied to author fields); plus whether anything changed."""
    changed = False
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if isinstance(v, str) and v in forget:
                changed = True
                continue
            if replace and isinstance(v, str) and v in replace and "author" in str(k).lower():
                # Only author fields: a name like "Bell" may also be a brand elsewhere.
                out[k] = replace[v]
                changed = True
                continue
            nv, c = _scrub(v, forget, replace)
            changed |= c
            out[k] = nv
        return out, changed
    if isinstance(value, list):
        out = []
        for v in value:
            if (isinstance(v, str) and v in forget) or _cites(v, forget):
                changed = True
                continue
            nv, c = _scrub(v, forget, replace)
            changed |= c
            out.append(nv)
        return out, changed
    return value, False


def _scrub_json_columns(con, forget: set[str], replace: dict[str, str] | None = None) -> dict[str, int]:
    scrubbed = {}
    if not forget and not replace:
        return scrubbed
    for table, key, column in _json_columns(con):
        n = 0
        rows = con.execute(f"SELECT {_quote(key)}, CAST({_quote(column)} AS VARCHAR) FROM {_quote(table)} "
                           f"WHERE {_quote(column)} IS NOT NULL").fetchall()
        for row_id, text in rows:
            try:
                doc = json.loads(text)
            except ValueError:
                continue
            new, changed = _scrub(doc, forget, replace)
            if changed:
                con.execute(f"UPDATE {_quote(table)} SET {_quote(column)} = ? WHERE {_quote(key)} = ?",
                            [json.dumps(new, ensure_ascii=False), row_id])
                n += 1
        if n:
            scrubbed[f"{table}.{column}"] = n
    return scrubbed


def purge(db: str, retention_days: int, *, now: dt.datetime | None = None, compact_file: bool = True) -> PurgeResult:
    """Delete mentions published before now - retention_days from every relation, in one transaction.

    Removed: raw_mentions rows; rows of every table with a mention_id column
    (derived facts, brands, terms, questions, triage status); alerts and
    outbox messages created before the cutoff; and, in newer alerts/outbox
    JSON documents, the ids of the purged mentions.
    """
    if not isinstance(retention_days, int) or retention_days < 1:
        raise VigieError("retention_days must be a whole number of at least 1")
    now = now or dt.datetime.now(UTC)
    cutoff = now - dt.timedelta(days=retention_days)
    result = PurgeResult(cutoff=cutoff)
    if not os.path.exists(db):
        return result
    with dbmod.transaction(db) as con:
        old = [r[0] for r in con.execute(
            "SELECT id FROM raw_mentions WHERE published_at < ?", [cutoff]).fetchall()]
        result.mentions = len(old)
        con.register("purge_ids", pa.table({"id": pa.array(old, pa.string())}))
        try:
            for table in _mention_id_tables(con):
                n = con.execute(f"DELETE FROM {_quote(table)} WHERE mention_id IN (SELECT id FROM purge_ids)"
                                ).fetchone()[0]
                result.deleted[table] = n
            result.deleted["raw_mentions"] = con.execute(
                "DELETE FROM raw_mentions WHERE id IN (SELECT id FROM purge_ids)").fetchone()[0]
        finally:
            con.unregister("purge_ids")
        tables = {name for name, _ in _tables(con)}
        # Old alerts and messages quote titles and authors of old mentions: they age out too.
        for table in ("alerts", "outbox"):
            if table in tables:
                result.deleted[table] = con.execute(
                    f"DELETE FROM {table} WHERE created_at < ?", [cutoff]).fetchone()[0]
        result.scrubbed = _scrub_json_columns(con, set(old))
    if compact_file and result.mentions:
        compact(db)
        result.compacted = True
    return result


# --- pseudonymization ------------------------------------------------------------

@dataclass
class PseudonymizeResult:
    authors: int = 0
    rows: int = 0
    already: int = 0
    scrubbed: dict[str, int] = field(default_factory=dict)
    compacted: bool = False


def pseudonymize_authors(db: str, key: str | None = None, *, compact_file: bool = True) -> PseudonymizeResult:
    """Replace every stored clear-text author by its keyed pseudonym (HMAC-SHA256).

    Values that are already pseudonyms are left alone: an HMAC cannot be
    re-keyed without the original name, and that is the point. Rotating the
    key therefore makes old and new pseudonyms of one person unlinkable.
    """
    key = key or os.environ.get(PSEUDONYM_KEY_ENV)
    if not key:
        raise VigieError(f"set {PSEUDONYM_KEY_ENV} to a long random secret first (python -c \"import secrets; "
                         "print(secrets.token_urlsafe(32))\"); without it pseudonyms could be reversed")
    if len(key) < 16:
        raise VigieError(f"{PSEUDONYM_KEY_ENV} is too short: use at least 16 random characters")
    result = PseudonymizeResult()
    if not os.path.exists(db):
        return result
    with dbmod.transaction(db) as con:
        rows = con.execute("SELECT author, count(*) FROM raw_mentions WHERE author IS NOT NULL "
                           "AND author <> '' GROUP BY 1").fetchall()
        mapping = {}
        for author, n in rows:
            if author.startswith(PSEUDONYM_PREFIX):
                result.already += n
                continue
            mapping[author] = _pseudonymize(author, key)
            result.rows += n
        result.authors = len(mapping)
        if mapping:
            con.register("author_map", pa.table({"author": pa.array(list(mapping), pa.string()),
                                                 "pseudonym": pa.array(list(mapping.values()), pa.string())}))
            try:
                con.execute("UPDATE raw_mentions r SET author = m.pseudonym FROM author_map m "
                            "WHERE r.author = m.author")
            finally:
                con.unregister("author_map")
            # Alerts and queued messages may quote an author verbatim.
            result.scrubbed = _scrub_json_columns(con, set(), mapping)
    if compact_file and mapping:
        compact(db)
        result.compacted = True
    return result


# --- CLI --------------------------------------------------------------------------

def _config_db(args):
    from .config import load_config
    config = load_config(args.config)
    db = args.db or config.database_path or dbmod.default_db_path()
    return config, db


def cmd_backup(args) -> int:
    db = args.db or dbmod.default_db_path()
    result = backup(db, args.to)
    total = sum(result.counts.values())
    print(f"backup: {len(result.counts)} tables, {total:,} rows -> {result.folder} ({result.seconds:.1f} s)")
    for name, n in sorted(result.counts.items()):
        print(f"  {name}: {n:,}")
    return 0


def cmd_restore(args) -> int:
    db = args.db or dbmod.default_db_path()
    result = restore(args.source, db, force=args.force, allow_other_schema=args.allow_other_schema)
    print(f"restore: {sum(result.counts.values()):,} rows in {len(result.counts)} tables -> {result.db} "
          f"({result.seconds:.1f} s); counts match the manifest")
    return 0


def cmd_purge(args) -> int:
    config, db = _config_db(args)
    days = args.days or config.privacy.retention_days
    if not days:
        print(f"{config.path}: [privacy] retention_days is not set; nothing purged "
              "(set it, or pass --days)", file=sys.stderr)
        return 2
    result = purge(db, days, compact_file=not args.no_compact)
    print(f"purge: {result.mentions:,} mentions published before {result.cutoff:%Y-%m-%d %H:%M} UTC removed"
          + (" (file compacted)" if result.compacted else ""))
    for table, n in sorted(result.deleted.items()):
        if n:
            print(f"  {table}: {n:,} rows deleted")
    for where, n in sorted(result.scrubbed.items()):
        print(f"  {where}: {n:,} documents cleaned of purged ids")
    return 0


def cmd_pseudonymize(args) -> int:
    _, db = _config_db(args)
    result = pseudonymize_authors(db, compact_file=not args.no_compact)
    print(f"pseudonymize: {result.authors:,} authors ({result.rows:,} mentions) replaced by pseudonyms; "
          f"{result.already:,} already pseudonymous" + (" (file compacted)" if result.compacted else ""))
    if result.authors:
        print("  set [privacy] pseudonymize_authors = true so new collections store pseudonyms too")
    return 0


def register_cli(sub) -> None:
    b = sub.add_parser("backup", help="consistent Parquet copy of every table, with a manifest (safe while reading)")
    b.add_argument("--db")
    b.add_argument("--to", required=True, help="a new or empty folder")
    b.set_defaults(func=cmd_backup)

    r = sub.add_parser("restore", help="recreate a database from a backup folder and check its counts")
    r.add_argument("--from", dest="source", required=True)
    r.add_argument("--db")
    r.add_argument("--force", action="store_true", help="replace a database that already holds data")
    r.add_argument("--allow-other-schema", action="store_true")
    r.set_defaults(func=cmd_restore)

    p = sub.add_parser("purge", help="delete mentions older than [privacy] retention_days from every table")
    p.add_argument("--config", required=True)
    p.add_argument("--db")
    p.add_argument("--days", type=int, help="override retention_days")
    p.add_argument("--no-compact", action="store_true", help="skip rewriting the file (deleted bytes stay on disk)")
    p.set_defaults(func=cmd_purge)

    s = sub.add_parser("pseudonymize", help=f"replace stored author names by keyed pseudonyms ({PSEUDONYM_KEY_ENV})")
    s.add_argument("--config", required=True)
    s.add_argument("--db")
    s.add_argument("--no-compact", action="store_true")
    s.set_defaults(func=cmd_pseudonymize)
