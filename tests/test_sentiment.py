"""Sentiment tests on the project's own hand-written phrases (no ../shared)."""

import json
import math
from pathlib import Path

import pytest

from warehouse import sentiment as S
from warehouse.sentiment import Sentiment, classify_records, score_text, score_texts

PHRASES = Path(S.DATA_DIR) / "eval_phrases.tsv"


def _rows(status):
    out = []
    for line in PHRASES.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        label, lang, st, text = line.split("\t", 3)
        if st == status:
            out.append((label, lang, text))
    return out


@pytest.mark.parametrize("label,lang,text", _rows("ok"))
def test_phrase(label, lang, text):
    assert score_text(text, lang).label == label


def test_known_failures_still_fail():
    # When one starts passing, move it to "ok" in eval_phrases.tsv.
    for label, lang, text in _rows("known_failure"):
        assert score_text(text, lang).label != label, text


def test_score_range_and_sign():
    texts = [t for _, _, t in _rows("ok")] + ["", "ok", "🙂", "1234"]
    for s in score_texts(texts):
        assert isinstance(s, Sentiment)
        assert -1.0 <= s.score <= 1.0 and not math.isnan(s.score)
        if s.label == "positive":
            assert s.score > 0
        elif s.label == "negative":
            assert s.score < 0
        else:
            assert abs(s.score) < 0.5


def test_neutral_exists_in_both_languages():
    m = S._get_models()
    assert set(m) == {"fr", "en"}
    labels_fr = {s.label for s in score_texts(["La boutique ouvre à 9 h demain"], ["fr"])}
    labels_en = {s.label for s in score_texts(["What time does the gate open?"], ["en"])}
    assert labels_fr == labels_en == {"neutral"}


def test_vectorized_matches_single_and_other_language():
    texts = ["service lent et cher", "I love this app", "Muy buen servicio"]
    langs = ["fr", "en", "other"]
    batch = score_texts(texts, langs)
    assert batch == [score_text(t, lg) for t, lg in zip(texts, langs)]
    assert score_texts([]) == []
    with pytest.raises(ValueError):
        score_texts(["a", "b"], ["fr"])


def test_model_version_and_file():
    assert S.MODEL_VERSION.startswith(S.FEATURES_VERSION + "-")
    assert "missing" not in S.MODEL_VERSION
    assert S.MODEL_PATH.stat().st_size < 5_000_000


def test_classify_records_errors_per_line():
    lines = [
        json.dumps({"text": "merci pour la réponse rapide"}),
        "{not json",
        json.dumps({"txt": "x"}),
        "",
        json.dumps([1, 2]),
        json.dumps({"text": "My flight was delayed again", "language": "en-us"}),
    ]
    out = list(classify_records(lines))
    assert out[0] == {"language": "fr", "sentiment": "positive", "score": out[0]["score"]}
    assert out[1] == {"error": "line 2: not valid JSON"}
    assert out[2]["error"].startswith("line 3:")
    assert out[3]["error"].startswith("line 5:")
    assert out[4]["language"] == "en" and out[4]["sentiment"] == "negative"
    assert len(out) == 5


def test_long_text_head_keeps_neutral_and_sign():
    # Long French texts (reviews) take their positive/negative split from the
    # NB-LR long-text head; neutral mass still comes from the general head.
    m = S._get_models()["fr"]
    assert m.long_coef is not None and m.long_min_chars > 0
    pos = ("Une série formidable, des acteurs excellents et un scénario passionnant "
           "du début à la fin. J'ai adoré chaque épisode, je la recommande vivement "
           "à tous ceux qui aiment les histoires bien écrites et bien jouées.")
    neg = ("Une série très décevante, des acteurs mauvais et un scénario ennuyeux "
           "du début à la fin. Je me suis ennuyé à chaque épisode, je la déconseille "
           "à tous ceux qui aiment les histoires bien écrites, quelle perte de temps.")
    assert len(pos) >= m.long_min_chars and len(neg) >= m.long_min_chars
    p = S.predict_proba([pos, neg], ["fr", "fr"])
    assert abs(float(p.sum(axis=1).max()) - 1.0) < 1e-4
    assert [s.label for s in score_texts([pos, neg], ["fr", "fr"])] == ["positive", "negative"]
