"""Privacy: the retention period really removes old mentions (every table, the
exports, the bytes of the file) and stored authors can be pseudonymized with a
key, consistently and irreversibly without it.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from warehouse.errors import VigieError

from warehouse import db as dbmod
from warehouse import exports, maintenance, queries, store
from warehouse.cli import main
from warehouse.identity import pseudonymize

UTC = dt.timezone.utc
NOW = dt.datetime.now(UTC)
KEY = "k-" + "0123456789abcdef" * 2
CONFIG = """
[[brands]]
name = "Vidéotron"
aliases = ["Vidéotron"]

[privacy]
retention_days = 30
"""


def _items(prefix: str, n: int, age_days: int, author: str) -> list[dict]:
    return [{"id": f"{prefix}{i}", "source": "Forum Mobile", "source_kind": "forum",
             "title": f"{prefix.upper()}-TITRE-UNIQUE-{i} Vidéotron", "body": "Service lent et cher.",
             "author": author, "published_at": NOW - dt.timedelta(days=age_days, hours=i)} for i in range(n)]


def _find_everywhere(db: str, needle: str) -> list[str]:
    """table.column where the text appears, over every text and JSON column of every table."""
    hits = []
    with dbmod.connect(db, read_only=True) as con:
        cols = con.execute("SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'main' "
                           "AND data_type IN ('VARCHAR', 'JSON') AND table_name IN "
                           "(SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main')").fetchall()
        for table, column in cols:
            n = con.execute(f'SELECT count(*) FROM "{table}" WHERE CAST("{column}" AS VARCHAR) LIKE ?',
                            [f"%{needle}%"]).fetchone()[0]
            if n:
                hits.append(f"{table}.{column}")
    return hits


@pytest.fixture
def privacy_db(tmp_path):
    db = str(tmp_path / "vigie.duckdb")
    (tmp_path / "vigie.toml").write_text(CONFIG, encoding="utf-8")
    store.write_items(db, _items("old", 5, 90, "Jean Tremblay"))
    store.write_items(db, _items("new", 5, 2, "Jean Tremblay"))
    old_ids = [f"old{i}" for i in range(5)]
    with dbmod.transaction(db) as con:
        for table, extra in (("mention_brands", "'Vidéotron'"), ("mention_terms", "'panne'"),
                             ("mention_questions", "'Pourquoi ?'")):
            con.execute(f"INSERT INTO {table} SELECT id, {extra} FROM raw_mentions")
        con.execute("INSERT INTO mention_facts (mention_id, language, sentiment) "
                    "SELECT id, 'fr', 'negative' FROM raw_mentions")
        con.execute("INSERT INTO mention_status SELECT id, 'handled', now(), 'vu' FROM raw_mentions")
        # An old alert goes entirely; a recent one that cites an old mention keeps only the recent ones.
        con.execute("INSERT INTO alerts (id, rule, kind, severity, created_at, details) VALUES "
                    "('a-old', 'volume_spike', 'spike', 'warning', ?, ?)",
                    [NOW - dt.timedelta(days=80), json.dumps({"mention_ids": old_ids})])
        details = {"mention_ids": ["old0", "new0"],
                   "mentions": [{"id": "old1", "title": "OLD-TITRE-UNIQUE-1", "author": "Jean Tremblay"},
                                {"id": "new1", "title": "NEW-TITRE-UNIQUE-1", "author": "Jean Tremblay"}]}
        con.execute("INSERT INTO alerts (id, rule, kind, severity, created_at, details) VALUES "
                    "('a-new', 'mention', 'mention', 'critical', ?, ?)", [NOW, json.dumps(details)])
        con.execute("INSERT INTO outbox (id, dedup_key, channel, target, payload, created_at) VALUES "
                    "('o-old', 'k1', 'email', 'cm@example.org', ?, ?), ('o-new', 'k2', 'email', 'cm@example.org', ?, ?)",
                    [json.dumps({"mention_ids": ["old2"]}), NOW - dt.timedelta(days=60),
                     json.dumps({"mention_ids": ["old3", "new3"], "author": "Jean Tremblay"}), NOW])
    return {"db": db, "config": str(tmp_path / "vigie.toml"), "old_ids": old_ids}


def test_purge_removes_old_mentions_from_every_relation_and_the_file(privacy_db, capsys):
    db = privacy_db["db"]
    assert main(["purge", "--config", privacy_db["config"], "--db", db]) == 0
    out = capsys.readouterr().out
    assert "5 mentions" in out and "compacted" in out
    for mention_id in privacy_db["old_ids"]:
        assert _find_everywhere(db, mention_id) == [], mention_id
    assert _find_everywhere(db, "OLD-TITRE-UNIQUE") == []
    # Recent data is untouched, including what the recent alert says about recent mentions.
    counts = maintenance.table_counts(db)
    assert counts["raw_mentions"] == 5
    for table in ("mention_facts", "mention_brands", "mention_terms", "mention_questions", "mention_status"):
        assert counts[table] == 5, table
    assert counts["alerts"] == 1 and counts["outbox"] == 1
    details = json.loads(dbmod.query_df("SELECT CAST(details AS VARCHAR) AS d FROM alerts", db=db).d[0])
    assert details["mention_ids"] == ["new0"] and [m["id"] for m in details["mentions"]] == ["new1"]
    # Exports are made from the database: nothing old in them either.
    f = queries.Filters(start=NOW - dt.timedelta(days=365), end=NOW + dt.timedelta(days=1))
    csv = exports.to_csv_bytes(queries.search_mentions(f, db=db, limit=1000)).decode("utf-8-sig")
    assert "NEW-TITRE-UNIQUE-0" in csv and "OLD-TITRE-UNIQUE" not in csv
    # Compaction: the deleted text is gone from the bytes on disk, not just hidden.
    raw = open(db, "rb").read()
    assert b"OLD-TITRE-UNIQUE" not in raw and b"NEW-TITRE-UNIQUE" in raw


def test_purge_without_retention_does_nothing(tmp_path, privacy_db, capsys):
    config = tmp_path / "no-retention.toml"
    config.write_text(CONFIG.split("[privacy]")[0], encoding="utf-8")
    assert main(["purge", "--config", str(config), "--db", privacy_db["db"]]) == 2
    assert "retention_days is not set" in capsys.readouterr().err
    assert maintenance.table_counts(privacy_db["db"])["raw_mentions"] == 10


def test_pseudonyms_are_stable_keyed_and_not_the_name():
    a = pseudonymize("Jean Tremblay", KEY)
    assert a == pseudonymize("Jean Tremblay", KEY) == pseudonymize("  jean tremblay ", KEY)
    assert a != pseudonymize("Marie Gagnon", KEY)
    assert a != pseudonymize("Jean Tremblay", KEY + "x")
    assert "jean" not in a.lower() and "tremblay" not in a.lower()
    # There is no fallback key to guess with: without one, pseudonymizing refuses.
    with pytest.raises(VigieError, match="VIGIE_PSEUDONYM_KEY"):
        pseudonymize("Jean Tremblay", "")


def test_pseudonymize_command_rekeys_stored_authors(privacy_db, monkeypatch, capsys):
    db = privacy_db["db"]
    monkeypatch.delenv("VIGIE_PSEUDONYM_KEY", raising=False)
    assert main(["pseudonymize", "--config", privacy_db["config"], "--db", db]) != 0
    assert "VIGIE_PSEUDONYM_KEY" in capsys.readouterr().err
    assert _find_everywhere(db, "Jean Tremblay")  # refused: nothing changed

    monkeypatch.setenv("VIGIE_PSEUDONYM_KEY", KEY)
    assert main(["pseudonymize", "--config", privacy_db["config"], "--db", db]) == 0
    assert "1 authors (10 mentions)" in capsys.readouterr().out
    expected = pseudonymize("Jean Tremblay", KEY)
    authors = dbmod.query_df("SELECT DISTINCT author FROM raw_mentions", db=db).author.tolist()
    assert authors == [expected]
    # Nowhere in any table (alerts and outbox quoted the author), nor in the file's bytes.
    assert _find_everywhere(db, "Jean Tremblay") == []
    assert _find_everywhere(db, "Tremblay") == []
    assert b"Tremblay" not in open(db, "rb").read()
    # New collections with pseudonymize_authors on link to the same pseudonym.
    store.write_items(db, _items("later", 2, 1, "Jean Tremblay"), pseudonymize_authors=True)
    assert set(dbmod.query_df("SELECT DISTINCT author FROM raw_mentions", db=db).author) == {expected}
    # Running it again changes nothing (already pseudonymous).
    assert main(["pseudonymize", "--config", privacy_db["config"], "--db", db]) == 0
    assert "0 authors" in capsys.readouterr().out
