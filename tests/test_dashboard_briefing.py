"""The briefing page: preview in an iframe, two download buttons, hostile text escaped, both languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_report import CONFIG_TOML, HOSTILE_SCRIPT, make_fixture_db

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "dashboard" / "views" / "briefing.py")
APP = str(ROOT / "dashboard" / "app.py")


@pytest.fixture(scope="module")
def briefing_env(tmp_path_factory):
    folder = tmp_path_factory.mktemp("briefing_page")
    db = make_fixture_db(str(folder / "vigie.duckdb"))
    config = folder / "vigie.toml"
    config.write_text(CONFIG_TOML, encoding="utf-8")
    return {"db": db, "config": str(config)}


@pytest.fixture
def env(briefing_env, monkeypatch):
    monkeypatch.setenv("VIGIE_DB", briefing_env["db"])
    monkeypatch.setenv("VIGIE_CONFIG", briefing_env["config"])
    return briefing_env


def _page(lang: str | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["from"] = "2026-11-01"
    at.query_params["to"] = "2026-11-30"
    if lang:
        at.query_params["lang"] = lang
    return at.run()


def _preview(at: AppTest) -> str:
    frames = at.get("iframe")
    assert len(frames) == 1
    return frames[0].proto.srcdoc


def test_page_shows_preview_and_two_downloads(env):
    at = _page()
    assert not at.exception, at.exception
    assert at.title[0].value.endswith("Bilan de la période")
    doc = _preview(at)
    assert "Bilan de la période — Vidéotron" in doc
    assert "du 1er au 30 novembre 2026" in doc.lower()
    assert HOSTILE_SCRIPT not in doc and "&lt;script&gt;" in doc
    buttons = at.download_button
    assert [b.label for b in buttons] == ["Télécharger le PDF", "Télécharger le HTML"]


def test_custom_period_and_brand_scope(env):
    at = _page()
    at.radio(key="b_period").set_value("custom").run()
    assert not at.exception, at.exception
    at.multiselect(key="b_brands").set_value(["Bell", "Rogers"]).run()
    assert not at.exception, at.exception
    doc = _preview(at)
    assert "Marques suivies : Bell, Rogers" in doc
    assert len(at.download_button) == 2


def test_english_page(env):
    at = _page("en")
    assert not at.exception, at.exception
    assert "Period briefing — Vidéotron" in _preview(at)
    assert [b.label for b in at.download_button] == ["Download PDF", "Download HTML"]


def test_page_is_in_the_app_navigation(env):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["from"] = "2026-11-01"
    at.query_params["to"] = "2026-11-30"
    at.run()
    assert not at.exception, at.exception
    at.switch_page("views/briefing.py").run()
    assert not at.exception, at.exception
    assert "Bilan de la période — Vidéotron" in _preview(at)
