"""Faults: concurrent reader and writer, a writer killed mid-batch, storage that
refuses writes, backup while the dashboard reads.

Every scenario uses real processes on a temporary DuckDB file. Counts are fixed
(cycles, batch sizes); time appears only as generous upper bounds.
"""

from __future__ import annotations

import inspect
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from warehouse import db as dbmod
from warehouse import maintenance, queries, store
from warehouse.errors import StorageError

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable

# Shared by the test process and its children so both build the same batches.
ITEMS_CODE = textwrap.dedent("""
    import datetime as _dt
    def make_items(prefix, start, n):
        base = _dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc)
        return [{"id": f"{prefix}{i:07d}", "source": f"src{i % 7}", "source_kind": "rss",
                 "title": f"Vidéotron panne {i}", "body": "Le service est lent et cher. " * 4,
                 "author": f"auteur{i % 50}", "published_at": base + _dt.timedelta(minutes=i)}
                for i in range(start, start + n)]
""")
_ns: dict = {}
exec(ITEMS_CODE, _ns)
make_items = _ns["make_items"]


def child(code: str, **kw) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([PY, "-c", ITEMS_CODE + textwrap.dedent(code)], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def count(db: str) -> int:
    return queries.mention_count(db)


# --- 1. the dashboard reads while a collection writes ------------------------------

WRITER_CYCLES = 30
WRITER_BATCH = 200


@pytest.fixture(scope="module")
def concurrent_run(tmp_path_factory):
    """One run of a reader (this process) against a writer (a child) for fixed cycles."""
    db = str(tmp_path_factory.mktemp("concurrent") / "v.duckdb")
    store.write_items(db, make_items("seed", 0, 10))
    writer = child(f"""
        import json, sys, time
        from warehouse import store
        print("started", flush=True)
        waits = []
        for cycle in range({WRITER_CYCLES}):
            t = time.monotonic()
            store.write_items({db!r}, make_items("w", cycle * {WRITER_BATCH}, {WRITER_BATCH}))
            waits.append(time.monotonic() - t)
            time.sleep(0.02)  # a collection fetches and parses between two batches
        from warehouse import db as dbmod
        print(json.dumps({{"max_write_s": max(waits), "lock": dbmod.LOCK_STATS}}), flush=True)
    """)
    assert writer.stdout.readline().strip() == "started"
    run = {"db": db, "reads": 0, "failures": [], "worst": 0.0, "seen": []}
    dbmod.LOCK_STATS.update(max_wait_s=0.0, conflicts=0)
    f = queries.Filters.last_days(3650, brands=("Vidéotron",))
    # Read as the dashboard does (short read-only connections, named queries)
    # for as long as the writer runs; at least a few reads even if it is quick.
    while writer.poll() is None or run["reads"] < 5:
        t = time.monotonic()
        try:
            run["seen"].append(count(db))
            queries.share_of_voice_totals(f, db=db)
            queries.sources_present(db)
        except Exception as exc:  # noqa: BLE001 - every failure is counted, none expected
            run["failures"].append(repr(exc))
        run["worst"] = max(run["worst"], time.monotonic() - t)
        run["reads"] += 1
    out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    run["writer"] = json.loads(out.strip().splitlines()[-1])
    run["lock"] = dict(dbmod.LOCK_STATS)
    return run


def test_reads_never_fail_while_another_process_writes(concurrent_run):
    run = concurrent_run
    assert run["failures"] == []
    seen = run["seen"]
    assert seen == sorted(seen), "a reader saw the count go backwards"
    assert all((n - 10) % WRITER_BATCH == 0 for n in seen), "a reader saw part of a batch"
    assert count(run["db"]) == 10 + WRITER_CYCLES * WRITER_BATCH
    # The reads overlapped the writes (otherwise this proves nothing).
    assert len(set(seen)) >= 3, f"{run['reads']} reads saw only {sorted(set(seen))}"
    assert run["worst"] < dbmod.LOCK_TIMEOUT_S


# Measured here: with db.py's retry backoff capped at 200 ms, reader and writer
# back off past each other and a read waited 1.0-3.2 s (3 runs of 30 batches);
# with a 20 ms cap the worst read was 0.2-0.5 s. What is bounded here is the
# wait for the lock itself (query time depends on how loaded the machine is).
def test_lock_wait_stays_under_one_second(concurrent_run):
    # (That they really overlapped is checked by the test above.)
    reader, writer = concurrent_run["lock"], concurrent_run["writer"]["lock"]
    assert reader["max_wait_s"] < 1.0, reader
    assert writer["max_wait_s"] < 1.0, writer


# --- 2. a writer killed in the middle of a large batch --------------------------------

FIRST, BIG = 5_000, 150_000  # BIG > one DuckDB row group, so rows hit the file before commit


def test_writer_killed_mid_batch_leaves_no_partial_batch(tmp_path):
    db = str(tmp_path / "v.duckdb")
    store.write_items(db, make_items("m", 0, FIRST))
    writer = child(f"""
        import time
        from warehouse import store
        original = store.write_table
        def write_then_hang(con, table):
            # The INSERT has run inside the transaction; COMMIT has not.
            result = original(con, table)
            print("inserted", flush=True)
            time.sleep(120)
            return result
        store.write_table = write_then_hang
        store.write_items({db!r}, make_items("m", 0, {FIRST + BIG}))
    """)
    try:
        line = writer.stdout.readline().strip()
        assert line == "inserted", writer.stderr.read()
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
    finally:
        if writer.poll() is None:
            writer.kill()
    assert writer.returncode == -signal.SIGKILL
    # The file opens (read-only, then read-write, which replays any WAL) and holds
    # exactly the committed batch.
    assert count(db) == FIRST
    with dbmod.connect(db) as con:
        assert con.execute("SELECT count(*) FROM raw_mentions").fetchone()[0] == FIRST
    # Rerunning the same load completes: nothing missing, nothing twice.
    result = store.write_items(db, make_items("m", 0, FIRST + BIG))
    assert len(result.new_ids) == BIG
    df = dbmod.query_df("SELECT count(*) AS n, count(DISTINCT id) AS d, min(id) AS lo, max(id) AS hi "
                        "FROM raw_mentions", db=db)
    assert int(df.n[0]) == int(df.d[0]) == FIRST + BIG
    assert (df.lo[0], df.hi[0]) == ("m0000000", f"m{FIRST + BIG - 1:07d}")


# --- 3. storage that refuses writes ----------------------------------------------------

def test_parent_path_is_a_file_gives_a_clear_error(tmp_path):
    # Simulation: the folder of the database cannot exist (its parent is a regular file).
    blocker = tmp_path / "notadir"
    blocker.write_text("x")
    with pytest.raises(StorageError, match="cannot create the folder"):
        store.write_items(str(blocker / "v.duckdb"), make_items("x", 0, 3))


def test_file_size_limit_mid_write_is_a_storage_error_and_keeps_the_data(tmp_path):
    """Disk full, simulated with RLIMIT_FSIZE in a child: the kernel really refuses the
    write (EFBIG) once the file would grow, as a full disk refuses it with ENOSPC."""
    db = str(tmp_path / "v.duckdb")
    store.write_items(db, make_items("f", 0, 1_000))
    with dbmod.connect(db) as con:
        con.execute("CHECKPOINT")
    size = os.path.getsize(db)
    writer = child(f"""
        import resource, signal, sys
        from warehouse import store
        from warehouse.errors import StorageError
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, ({size} + 64 * 1024, resource.RLIM_INFINITY))
        try:
            store.write_items({db!r}, make_items("g", 0, 200_000))
        except StorageError as exc:
            print("StorageError:", exc)
            sys.exit(3)
        print("no error")
    """)
    out, err = writer.communicate(timeout=120)
    assert writer.returncode == 3, (out, err)
    assert "File too large" in out and db in out
    assert count(db) == 1_000
    store.write_items(db, make_items("g", 0, 500))  # the file is still writable afterwards
    assert count(db) == 1_500


def test_write_on_a_read_only_connection_is_a_storage_error(tmp_path):
    # Simulation of a read-only database: DuckDB's own read-only mode (root ignores chmod).
    db = str(tmp_path / "v.duckdb")
    store.write_items(db, make_items("r", 0, 10))
    with pytest.raises(StorageError, match="(?i)read.only"):
        with dbmod.connect(db, read_only=True) as con:
            store.write_table(con, store.items_to_table(make_items("r", 10, 5)))
    assert count(db) == 10


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions; see the read-only simulations")
def test_chmod_444_database(tmp_path):
    db = tmp_path / "v.duckdb"
    store.write_items(str(db), make_items("c", 0, 10))
    db.chmod(0o444)
    try:
        with pytest.raises(StorageError, match="not writable"):
            store.write_items(str(db), make_items("c", 10, 5))
        assert count(str(db)) == 10
    finally:
        db.chmod(0o644)


# --- 4. backup while the dashboard holds a connection, then restore -------------------

def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([PY, "-m", "warehouse", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)


def test_backup_while_a_reader_is_connected_then_restore(tmp_path):
    db = str(tmp_path / "v.duckdb")
    store.write_items(db, make_items("b", 0, 3_000))
    with dbmod.transaction(db) as con:
        con.execute("INSERT INTO mention_brands SELECT id, 'Vidéotron' FROM raw_mentions")
        con.execute("INSERT INTO mention_status VALUES ('b0000001', 'handled', now(), 'répondu')")
        con.execute("INSERT INTO alerts (id, rule, kind, severity, created_at, details) VALUES "
                    "('a1', 'volume_spike', 'spike', 'warning', now(), '{\"mention_ids\": [\"b0000002\"]}')")
    for _ in range(4):
        store.new_run_id(db)
    before = maintenance.table_counts(db)
    reader = child(f"""
        import duckdb, time
        con = duckdb.connect({db!r}, read_only=True)
        con.execute("SELECT count(*) FROM raw_mentions").fetchone()
        print("open", flush=True)
        time.sleep(60)
    """)
    try:
        assert reader.stdout.readline().strip() == "open"
        done = _cli("backup", "--db", db, "--to", str(tmp_path / "bk"))
        assert done.returncode == 0, done.stderr
        assert reader.poll() is None, "the reader was still connected during the backup"
    finally:
        reader.kill()
        reader.wait()
    manifest = json.loads((tmp_path / "bk" / "manifest.json").read_text())
    assert manifest["schema_version"] == maintenance.schema_version()
    assert {k: v["rows"] for k, v in manifest["tables"].items()} == before

    restored = str(tmp_path / "restored.duckdb")
    done = _cli("restore", "--from", str(tmp_path / "bk"), "--db", restored)
    assert done.returncode == 0, done.stderr
    assert maintenance.table_counts(restored) == before
    # Run ids continue after the backup's last one.
    assert store.new_run_id(restored) == 5

    # A database with data is not overwritten without --force.
    again = _cli("restore", "--from", str(tmp_path / "bk"), "--db", restored)
    assert again.returncode != 0 and "--force" in again.stderr

    # An altered backup file is refused, and the existing database stays as it was.
    with open(tmp_path / "bk" / "raw_mentions.parquet", "r+b") as fh:
        fh.seek(100)
        fh.write(b"\x00garbage\x00")
    bad = _cli("restore", "--from", str(tmp_path / "bk"), "--db", restored, "--force")
    assert bad.returncode != 0 and "checksum" in bad.stderr
    assert maintenance.table_counts(restored) == before
