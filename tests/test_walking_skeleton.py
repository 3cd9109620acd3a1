"""The walking skeleton, end to end: demo feeds served on 127.0.0.1 -> crawlers
-> DuckDB -> enrichment -> the share-of-voice query the dashboard draws.

Runs the real commands in subprocesses, as a user would.
"""

import datetime as dt
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from warehouse import db as dbmod
from warehouse.queries import Filters, share_of_voice_totals

ROOT = Path(__file__).resolve().parents[1]
END = dt.date(2024, 6, 1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(*args):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT, timeout=240)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from crawlers.demo.generate import build_site
    from crawlers.demo.server import serve_in_thread

    out = tmp_path_factory.mktemp("demo")
    port = free_port()
    summary = build_site(out, f"http://127.0.0.1:{port}", seed=7, end=END)
    server, _ = serve_in_thread(summary.site_dir, port=port)
    yield summary, out
    server.shutdown()
    server.server_close()


def test_collect_enrich_and_share_of_voice(demo):
    summary, out = demo
    dbfile = str(out / "vigie.duckdb")
    first = run("-m", "crawlers", "collect", "--config", summary.config_path, "--db", dbfile)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "Traceback" not in first.stderr
    stored = dbmod.query_df("SELECT count(*) AS n FROM mentions", db=dbfile).n[0]
    assert stored == summary.total_items

    # Every mention enriched; brand counts equal what the generator put in the text.
    facts = dbmod.query_df("SELECT count(*) AS n, count(language) AS lang FROM mention_facts", db=dbfile)
    assert facts.n[0] == stored and facts.lang[0] == stored
    filters = Filters(dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc), dt.datetime(2024, 7, 1, tzinfo=dt.timezone.utc))
    sov = share_of_voice_totals(filters, db=dbfile).set_index("brand")
    for brand, counts in summary.by_brand.items():
        assert sov.loc[brand, "mentions"] == counts["total"], brand
    assert abs(sov["share"].sum() - 100) < 1e-6

    # Collecting twice adds no rows.
    second = run("-m", "crawlers", "collect", "--config", summary.config_path, "--db", dbfile)
    assert second.returncode == 0
    assert dbmod.query_df("SELECT count(*) AS n FROM mentions", db=dbfile).n[0] == stored
    log = dbmod.query_df("SELECT status, sum(new_items) AS new FROM crawl_log WHERE run_id = "
                         "(SELECT max(run_id) FROM crawl_log) GROUP BY 1", db=dbfile)
    assert log.new.sum() == 0


def test_changing_an_alias_and_rebuilding_changes_the_counts(demo):
    summary, out = demo
    dbfile = str(out / "vigie.duckdb")
    if not Path(dbfile).exists():
        pytest.skip("needs the collection of the previous test")
    before = dbmod.query_df("SELECT count(*) AS n FROM mention_brands WHERE brand = 'Fluxo'", db=dbfile).n[0]
    config = Path(summary.config_path).read_text(encoding="utf-8")
    # Keep only the @handle of the own brand: far fewer mentions should match.
    narrowed = re.sub(r'(name = "Fluxo"\nown = true\naliases = )\[[^\]]*\]', r'\1["@fluxo"]', config)
    assert narrowed != config
    cfg = out / "narrowed.toml"
    cfg.write_text(narrowed, encoding="utf-8")
    proc = run("-m", "warehouse", "rebuild", "--config", str(cfg), "--db", dbfile)
    assert proc.returncode == 0, proc.stderr[-2000:]
    after = dbmod.query_df("SELECT count(*) AS n FROM mention_brands WHERE brand = 'Fluxo'", db=dbfile).n[0]
    assert 0 < after < before


def test_unwritable_database_and_broken_config_give_clear_messages(demo, tmp_path):
    summary, _ = demo
    blocker = tmp_path / "file"
    blocker.write_text("x")
    proc = run("-m", "crawlers", "collect", "--config", summary.config_path, "--db", str(blocker / "v.duckdb"))
    assert proc.returncode == 3 and "Traceback" not in proc.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text('[[brands]]\nname = "X"\naliases = ["X"]\n[[sources]]\nname = "S"\nkind = "rss"\n')
    proc = run("-m", "crawlers", "collect", "--config", str(bad), "--db", str(tmp_path / "v.duckdb"))
    assert proc.returncode == 2 and "field 'url': is required" in proc.stderr


def test_history_backfill_records_the_demo_outage(demo):
    summary, out = demo
    dbfile = str(out / "vigie.duckdb")
    if not Path(dbfile).exists():
        pytest.skip("needs the collection of the first test")
    now = dt.datetime(2024, 6, 1, 12, tzinfo=dt.timezone.utc)
    proc = run("-m", "warehouse", "alerts", "--config", summary.config_path, "--db", dbfile,
               "--no-send", "--backfill", "60", "--now", now.isoformat())
    assert proc.returncode == 0, proc.stderr[-2000:]
    outage = next(e for e in summary.events if "outage" in str(e).lower())
    spikes = dbmod.query_df("SELECT brand, rule, window_start, status, details FROM alerts "
                            "WHERE rule IN ('volume_spike', 'negative_spike')", db=dbfile)
    borealis = spikes[spikes.brand == "Borealis Mobile"]
    assert set(borealis.rule) == {"volume_spike", "negative_spike"}, (outage, spikes)
    assert (borealis.status == "resolved").all()
    # The explanation carries the terms and mentions behind the spike.
    assert '"top_terms"' in borealis.details.iloc[0] and '"mentions"' in borealis.details.iloc[0]
    # Replaying adds nothing.
    again = run("-m", "warehouse", "alerts", "--config", summary.config_path, "--db", dbfile,
                "--no-send", "--backfill", "60", "--now", now.isoformat())
    assert again.returncode == 0
    assert len(dbmod.query_df("SELECT id FROM alerts", db=dbfile)) == len(
        dbmod.query_df("SELECT DISTINCT id FROM alerts", db=dbfile))
