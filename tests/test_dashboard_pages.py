"""Every dashboard page on the fixture database, through streamlit's AppTest.

The fixture's last 24 h hold 12 mentions (6 of Vidéotron, the own brand; 3
positive, 6 negative) and the 24 h before hold 8 (6 Vidéotron; 4 positive, 2
negative), so the Today numbers are known exactly.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import MARKDOWN_TITLE, SCRIPT_TITLE

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")


def run_app(page: str | None = None, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    if query:
        at.query_params.update(query)
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def plain(markdown: str) -> str:
    """What a reader sees once Markdown backslash escapes are applied."""
    return re.sub(r"\\(.)", r"\1", markdown)


def texts(at: AppTest) -> list[str]:
    out = []
    for kind in ("markdown", "caption", "text", "title", "header", "subheader", "info", "warning", "success"):
        out.extend(plain(str(e.value)) for e in at.get(kind))
    return out


def markup_bodies(at: AppTest) -> list[str]:
    """Everything Streamlit will render as Markdown (where HTML or ** could come alive)."""
    out = [str(e.value) for kind in ("markdown", "caption", "title", "subheader", "info", "warning")
           for e in at.get(kind)]
    out += [e.label for e in at.expander]
    out += [m.label for m in at.metric]
    return out


def frames(at: AppTest):
    return [d.value for d in at.dataframe]


def all_cells(at: AppTest) -> set[str]:
    cells = set()
    for df in frames(at):
        frame = df.data if hasattr(df, "data") else df  # a Styler keeps its frame in .data
        cells.update(str(v) for v in frame.astype(str).to_numpy().ravel())
    return cells


def assert_no_live_markup(at: AppTest) -> None:
    for body in markup_bodies(at):
        assert "<script" not in body, body
        assert "**bold**" not in body and "](http://evil" not in body, body


@pytest.fixture(scope="session")
def served_fixture(fixture_data, tmp_path_factory):
    """The fixture database with the serving tables built, as enrichment leaves a real file."""
    import shutil

    from warehouse import db as dbmod
    from warehouse import serving
    folder = tmp_path_factory.mktemp("served")
    shutil.copy(fixture_data["db"], folder / "vigie.duckdb")
    shutil.copy(fixture_data["config"], folder / "vigie.toml")
    data = {**fixture_data, "db": str(folder / "vigie.duckdb"), "config": str(folder / "vigie.toml")}
    with dbmod.transaction(data["db"]) as con:
        serving.rebuild_all(con)
    return data


@pytest.fixture(params=["direct", "serving"])
def env(request, app_env, fixture_data):
    # Every page, with the same expected figures, read by the direct joins and by the serving tables.
    return app_env(fixture_data if request.param == "direct" else request.getfixturevalue("served_fixture"))


# --- Today ----------------------------------------------------------------------------------

def test_today_shows_changes_alerts_and_queue(env):
    at = run_app()
    assert at.title[0].value.endswith("Revue du jour")
    metrics = {m.label: (m.value, m.delta) for m in at.metric}
    assert metrics["Mentions"] == ("12", "+4")
    assert metrics["Part de voix de Vidéotron"] == ("50,0\u00a0%", "-25,0 pts")  # 6/12 vs 6/8
    assert metrics["Sentiment net"] == ("-0,33", "-0,67")  # (3-6)/9 vs (4-2)/6
    assert any("Sentiment net = (mentions positives − négatives)" in t for t in texts(at))
    # The open alert, explained from its details JSON, with an acknowledge button.
    labels = [e.label for e in at.expander]
    assert any("Pic de négatif" in lab and "Vidéotron" in lab and "critique" in lab for lab in labels)
    assert any("Termes principaux : panne (6), réseau (6)" in t for t in texts(at))
    assert any(b.label == "Acquitter" for b in at.button)
    # The queue: negative or high-engagement mentions, each with a status and its title as plain text.
    text_values = [t.value for t in at.text]
    assert SCRIPT_TITLE in text_values and MARKDOWN_TITLE in text_values
    assert "Vidéotron panne réseau 3" in text_values  # positive, but engagement 250 >= 100
    statuses = [r for r in at.radio if r.key and r.key.startswith("status_")]
    assert statuses and all(r.value == "to_handle" for r in statuses)
    assert {"à traiter", "traité", "ignoré"} <= set(statuses[0].options)
    assert SCRIPT_TITLE in all_cells(at)  # the alert's mention, in a table
    assert_no_live_markup(at)


def test_today_in_english(env):
    at = run_app()
    at.radio(key="lang").set_value("en").run()
    assert at.title[0].value.endswith("Today's review")
    labels = [m.label for m in at.metric]
    assert "Share of voice of Vidéotron" in labels and "Net sentiment" in labels
    assert {m.label: m.value for m in at.metric}["Share of voice of Vidéotron"] == "50.0%"
    assert any(b.label == "Review done" for b in at.button)
    assert at.query_params.get("lang") in ("en", ["en"])


def test_triage_status_survives_a_restart(app_env, fresh_db):
    app_env(fresh_db)
    at = run_app()
    key = f"status_{fresh_db['script_id']}"
    at.radio(key=key).set_value("handled").run()
    assert not at.exception
    # A new app run (a restart): the decision came back from mention_status.
    again = run_app()
    assert key not in [r.key for r in again.radio]  # no longer "to handle"
    again.radio(key="queue_status").set_value("handled").run()
    assert again.radio(key=key).value == "handled"
    assert SCRIPT_TITLE in [t.value for t in again.text]


def test_review_done_and_acknowledge(app_env, fresh_db):
    app_env(fresh_db)
    at = run_app()
    next(b for b in at.button if b.label == "Acquitter").click().run()
    assert not at.exception
    assert any("Aucune alerte ouverte" in i.value for i in at.info)
    at.button(key="review_done").click().run()
    again = run_app()
    assert any("Depuis votre dernière revue" in c.value for c in again.caption)
    assert {m.label: m.value for m in again.metric}["Mentions"] == "0"


def test_alert_from_a_link_opens_expanded(env):
    at = run_app(query={"alert": "a1"})
    assert at.expander[0].proto.expanded


# --- Share of voice ---------------------------------------------------------------------------

def test_share_of_voice_page(env):
    at = run_app("views/share_of_voice.py")
    assert at.title[0].value.endswith("Part de voix")
    assert any("Part de voix = mentions de la marque ÷ mentions de toutes les marques suivies × 100" in t
               for t in texts(at))
    assert any("Attention normalisée = mentions de la marque ce jour" in t for t in texts(at))
    charts = at.get("vega_lite_chart")
    assert len(charts) == 5
    import json
    specs = [json.loads(c.proto.spec) for c in charts]
    over_time = specs[0]
    assert over_time["encoding"]["y"]["field"] == "share"
    assert over_time["encoding"]["y"]["title"] == "Part de voix (%)"
    assert over_time["config"]["locale"]["number"]["decimal"] == ","  # French numbers in the chart
    # Own brand highlighted in the bars (opacity condition on the "own" field).
    bars = specs[1]
    assert "own" in json.dumps(bars["encoding"]["opacity"])
    table = frames(at)[0]
    assert list(table.columns)[:5] == ["Marque", "Mentions", "Part de voix (%)", "Période précédente (%)",
                                       "Variation (pts)"]
    assert "★ Vidéotron" in table["Marque"].tolist()
    shares = [float(v.replace(",", ".")) for v in table["Part de voix (%)"]]
    assert abs(sum(shares) - 100) < 0.5
    assert all("," in v for v in table["Part de voix (%)"])


def test_share_of_voice_by_story_and_counts(env):
    at = run_app("views/share_of_voice.py")
    at.radio(key="sov_by").set_value("stories").run()
    at.radio(key="sov_as").set_value("count").run()
    import json
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert spec["encoding"]["y"]["field"] == "stories"
    assert any("une reprise d'agence publiée par 12 médias" in t for t in texts(at))


def test_share_of_voice_english_and_url_filters(env):
    at = run_app(query={"lang": "en", "brands": ["Bell", "Fizz"], "from": "2020-01-01", "to": "2030-12-31"})
    at.switch_page("views/share_of_voice.py").run()
    assert at.title[0].value.endswith("Share of voice")
    assert any("Share of voice = brand mentions ÷ mentions of all watched brands × 100" in t for t in texts(at))
    table = frames(at)[0]
    assert set(table["Brand"]) == {"Bell", "Fizz"}
    # The filters are carried to the next page and stay in the URL.
    at.switch_page("views/mentions.py").run()
    assert at.multiselect(key="f_brands").value == ["Bell", "Fizz"]
    assert at.query_params["brands"] == ["Bell", "Fizz"]
    assert at.query_params["from"] in ("2020-01-01", ["2020-01-01"])


# --- Topics ---------------------------------------------------------------------------------

def test_topics_page(env):
    at = run_app("views/topics.py")
    assert at.title[0].value.endswith("Sujets et idées")
    assert any("Score de hausse = G² de Dunning" in t for t in texts(at))
    rising = frames(at)[0]
    assert rising["Terme"].iloc[0] in ("panne", "réseau")  # the burst of the last day
    # The term explorer: the default term's timeline and the mentions behind it.
    term = at.selectbox(key="term_pick").value
    assert term in ("panne", "réseau")
    behind = next(df for df in frames(at) if "Titre" in df.columns)
    assert SCRIPT_TITLE in behind["Titre"].tolist()
    # Questions grouped: the two spellings of the forfait question are one idea.
    questions = next(df for df in frames(at) if "Question" in df.columns)
    forfait = [q for q in questions["Question"] if "meilleur forfait" in q.lower()]
    assert len(forfait) == 1
    # ...grouped by theme, with its top terms shown (the themed pass really runs on the page).
    assert "Thème" in questions.columns and "Formulations" in questions.columns
    assert questions["Thème"].ne("—").any()
    assert not any(w in t.split(" · ") for t in questions["Thème"] for w in ("est", "le", "de", "comment"))
    assert any("concurrents" in s.value for s in at.subheader)
    assert_no_live_markup(at)


def test_topics_pick_another_term(env):
    at = run_app("views/topics.py")
    at.selectbox(key="term_pick").set_value("promo").run()
    assert any("« promo »" in m.value for m in at.markdown)


# --- Mentions -------------------------------------------------------------------------------

def test_mentions_search_folds_accents(env):
    at = run_app("views/mentions.py")
    at.text_input(key="m_q").input("decu").run()  # finds "déçu"
    table = frames(at)[0]
    assert len(table) == 6
    assert SCRIPT_TITLE in table["Titre"].tolist() and MARKDOWN_TITLE in table["Titre"].tolist()
    assert any("6 mentions trouvées" in c.value for c in at.caption)
    assert at.query_params["q"] in ("decu", ["decu"])
    assert {b.label for b in at.get("download_button")} >= {"Exporter en CSV", "Exporter en Excel"}
    assert all(str(v).startswith("https://") for v in table["Lien"])
    assert_no_live_markup(at)


def test_mentions_sql_injection_finds_nothing(env, fixture_data):
    at = run_app("views/mentions.py")
    at.text_input(key="m_q").input("'; DROP TABLE mentions; --").run()
    assert not at.exception
    assert any("Aucune mention pour ces filtres" in i.value for i in at.info)
    from warehouse import queries
    assert queries.mention_count(fixture_data["db"]) == fixture_data["n_mentions"]
    from warehouse.db import query_df
    assert int(query_df("SELECT count(*) AS n FROM mentions", db=fixture_data["db"]).iloc[0]["n"]) > 0


def test_mentions_filters_and_pagination(env):
    at = run_app("views/mentions.py")
    at.multiselect(key="m_sent").set_value(["negative"]).run()
    table = frames(at)[0]
    assert set(table["Tonalité"]) == {"négative"}
    at.selectbox(key="m_size").set_value(25).run()
    at.number_input(key="m_page").set_value(2).run()
    assert any("page 2 sur" in c.value for c in at.caption)
    assert len(frames(at)[0]) == 25


# --- Sources --------------------------------------------------------------------------------

def test_sources_page(env):
    at = run_app("views/sources.py")
    assert at.title[0].value.endswith("Santé des sources")
    health = frames(at)[0]
    health = health.data if hasattr(health, "data") else health
    states = dict(zip(health["Source"], health["État"]))
    # Ten failures in a row: failing, or parked by the back-off (warehouse.health decides).
    assert "en échec" in states["Flux en panne"] or "en pause" in states["Flux en panne"]
    assert "en ordre" in states["La Presse"]
    assert health.loc[health["Source"] == "Flux en panne", "Échecs consécutifs"].iloc[0] == "10"
    import json
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert spec["encoding"]["color"]["field"] == "source"
    errors = frames(at)[1]
    assert (errors["Source"] == "Flux en panne").all()
    assert errors["Erreur"].iloc[0].startswith("HTTP 503")
    assert_no_live_markup(at)


# --- empty database ---------------------------------------------------------------------------

@pytest.mark.parametrize("page", [None, "views/share_of_voice.py", "views/topics.py", "views/mentions.py"])
def test_empty_database_explains_itself(monkeypatch, tmp_path, page):
    monkeypatch.setenv("VIGIE_DB", str(tmp_path / "nothing-yet.duckdb"))
    monkeypatch.setenv("VIGIE_CONFIG", str(tmp_path / "absent.toml"))
    at = run_app(page)
    assert any("Aucune donnée : lancez une collecte (make demo ou python -m crawlers collect …)" in i.value
               for i in at.info)
    assert not at.get("vega_lite_chart")


def test_no_source_configured(monkeypatch, tmp_path):
    monkeypatch.setenv("VIGIE_DB", str(tmp_path / "nothing-yet.duckdb"))
    monkeypatch.setenv("VIGIE_CONFIG", str(tmp_path / "absent.toml"))
    at = run_app("views/sources.py")
    assert any("Aucune source configurée" in i.value for i in at.info)
