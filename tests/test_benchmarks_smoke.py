"""The benchmark code runs end to end at a tiny scale (no timing assertions)."""

from __future__ import annotations

import numbers

import pytest

from benchmarks import run as runmod

KEYS = ("scale", "ingest_mentions_per_s", "ingest_vs_arrow_ratio", "load_vs_arrow_ratio",
        "rebuild_mentions_per_s", "collect_500_feeds_s", "collect_vs_sequential_speedup", "bytes_per_mention")


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    return runmod.run(scale=2000, skip=("sentiment",), ingest_sample=1000, rebuild_sample=1000,
                      workdir=str(tmp_path_factory.mktemp("bench")), repeat=1, feeds=20, log=lambda m: None)


def test_keys_are_numbers(out):
    for key in KEYS:
        assert isinstance(out[key], numbers.Real), key
    for page in ("today", "share_of_voice", "topics", "mentions", "sources", "briefing"):
        assert isinstance(out["page_data_ms"][page], numbers.Real)
        assert isinstance(out["page_vs_sql_ratio"][page], numbers.Real)
    for phase in ("collect", "rebuild", "dashboard"):
        assert isinstance(out["peak_rss_mb"][phase], numbers.Real)


def test_collect_stored_every_item(out):
    assert out["collect_failed_sources"] == 0
    assert out["collect_new_items"] == 20 * 20


def test_results_file(out, tmp_path):
    path = tmp_path / "RESULTS.md"
    runmod.write_results(out, path)
    text = path.read_text(encoding="utf-8")
    assert "| figure | value | target | result |" in text and "DuckDB" in text


def test_results_file_keeps_history(out, tmp_path):
    # The before/after records below the marker are history: a new run must not erase them.
    path = tmp_path / "RESULTS.md"
    runmod.write_results(out, path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(runmod.KEEP_MARKER, runmod.KEEP_MARKER + "\n\n## Old record\n\nkept 42"),
                    encoding="utf-8")
    runmod.write_results(out, path)
    again = path.read_text(encoding="utf-8")
    assert again.count("## Old record") == 1 and "kept 42" in again
    assert again.count("## Raw JSON") == 1 and again.count("| figure | value | target | result |") == 1
