"""Enricher.compute builds its derived tables with Arrow (list flatten, no per-pair
Python appends): the rows must be exactly those of the per-step functions."""

from warehouse.config import load_config
from warehouse.enrich import Enricher
from warehouse.language import detect_languages
from warehouse.questions import extract_questions
from warehouse.terms import extract_terms_many

from .conftest import CONFIG

ROWS = {
    "id": ["a", "b", "c", "d", "e", "f"],
    "title": ["Panne chez Vidéotron", None, "Bell augmente ses prix", "", "Fizz", "Question"],
    "body": ["Internet coupé depuis ce matin. Quelqu'un sait quand ça revient ?",
             "Le service client de Bell est vraiment pas terrible. Pourquoi si lent?",
             None, "", "😍😍", "Comment changer de forfait chez Fizz ? Et chez Bell ?"],
    "language_hint": ["fr-CA", None, "fr", None, "en", "fr"],
    "thread": [None, None, None, None, None, "Forfaits"],
}


def test_compute_rows_equal_the_per_step_functions(tmp_path):
    path = tmp_path / "vigie.toml"
    path.write_text(CONFIG, encoding="utf-8")
    enricher = Enricher(load_config(path))
    tables = enricher.compute(ROWS)

    # The texts as compute() makes them (a forum post counts by its own body).
    texts = []
    for t, b, th in zip(ROWS["title"], ROWS["body"], ROWS["thread"]):
        t, b = t or "", b or ""
        texts.append(b.strip() if th and b.strip() else f"{t}\n{b}".strip())
    langs = detect_languages(texts, ROWS["language_hint"])
    brands = enricher.matcher.match_many(texts)
    terms = extract_terms_many(texts, langs, enricher.excluded_terms)
    questions = [extract_questions(t, lang) for t, lang in zip(texts, langs)]

    facts = tables["mention_facts"].to_pydict()
    assert facts["mention_id"] == ROWS["id"] and facts["story_id"] == ROWS["id"]
    assert facts["language"] == langs
    assert facts["is_question"] == [bool(q) for q in questions]
    pairs = lambda name, col: list(zip(tables[name]["mention_id"].to_pylist(), tables[name][col].to_pylist()))
    assert pairs("mention_brands", "brand") == [(m, b) for m, bs in zip(ROWS["id"], brands) for b in bs]
    assert pairs("mention_terms", "term") == [(m, t) for m, ts in zip(ROWS["id"], terms) for t in ts]
    assert pairs("mention_questions", "question") == [(m, q) for m, qs in zip(ROWS["id"], questions) for q in qs]
    assert pairs("mention_brands", "brand") and pairs("mention_questions", "question")


def test_compute_on_no_rows(tmp_path):
    path = tmp_path / "vigie.toml"
    path.write_text(CONFIG, encoding="utf-8")
    tables = Enricher(load_config(path)).compute({k: [] for k in ROWS})
    assert all(t.num_rows == 0 for t in tables.values())
    assert tables["mention_terms"].column_names == ["mention_id", "term"]
