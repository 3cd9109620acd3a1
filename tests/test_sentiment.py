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


# Community-manager French (France and Québec), written for these tests and
# never used for training. (text, expected label); the ones the shipped model
# gets wrong are listed in warehouse/models/README.md ("Known failures"), not
# asserted here.
CM_FRENCH = [
    ("c'est pas pire pantoute", "positive"),
    ("Pas pire pantoute le nouveau forfait", "positive"),
    ("Le nouveau forfait est pas terrible", "negative"),
    ("C'est vraiment plate d'attendre deux heures au téléphone", "negative"),
    ("Ostie que le service est bon", "positive"),
    ("Câlisse que c'est lent, encore en panne", "negative"),
    ("Encore en panne 😡", "negative"),
    ("Service impeccable 👍", "positive"),
    ("Ça marche pas depuis ce matin", "negative"),
    ("Je ne suis pas content du tout", "negative"),
    ("Très déçue du service client", "negative"),
    ("Génial, enfin la fibre chez moi !", "positive"),
    ("Le magasin ferme à 18 h samedi", "neutral"),
    ("Merci beaucoup pour votre aide rapide 🙏", "positive"),
    ("Bravo pour la panne 👏", "negative"),
    ("Merci pour rien", "negative"),
    ("Le show était écœurant, une soirée malade!", "positive"),
    ("C'est le fun en masse", "positive"),
    ("Ça fait dur, trois jours sans internet", "negative"),
    ("Super, encore une facture erronée...", "negative"),
]
# Wrong with the shipped model (also listed in warehouse/models/README.md);
# test_cm_known_failures_still_fail notices when one gets fixed.
CM_KNOWN_FAILURES = {
    "Merci pour rien",
    "C'est le fun en masse",
    "Super, encore une facture erronée...",
}


def _cm_ok():
    return [(t, y) for t, y in CM_FRENCH if t not in CM_KNOWN_FAILURES]


@pytest.mark.parametrize("text,label", _cm_ok())
def test_community_manager_french(text, label):
    assert score_text(text, "fr").label == label


def test_cm_known_failures_still_fail():
    labels = dict(CM_FRENCH)
    for text in CM_KNOWN_FAILURES:
        assert score_text(text, "fr").label != labels[text], text


def test_table_scoring_matches_feature_matrix():
    # Scoring sums cached per-token contributions; it must equal the explicit
    # feature matrix the model was trained on, times the weights.
    import numpy as np

    m = S._get_models()["fr"]
    texts = [t for t, _ in CM_FRENCH] + ["", "!!", "😍", "pas pas pas bon", "x" * 300]
    x = m.feat.transform(texts)
    parts = [m.coef] + ([m.nb_coef] if m.nb_coef is not None else []) + (
        [m.long_coef[:, None]] if m.long_coef is not None else [])
    w = np.column_stack(parts)
    np.testing.assert_allclose(x @ w, m.feat.logits(texts, m._dense_w), atol=1e-4)


def test_word_cache_and_fast_marking_match_reference():
    lex = S._get_models()["fr"].feat.lex
    texts = [t for t, _ in CM_FRENCH] + [
        "Je n'aime pas ça!!! https://x.co/a @bob :) :-( cooool", "c'est pas pire, pas bon ? non",
        "I can't stand it, don't", "", "   "]
    for t in texts:
        raw = S._TOKEN.findall(S.normalize(t))
        assert S.raw_tokens(t) == raw
        assert S.tokenize(raw, lex) == S.mark(raw, lex)


def test_scoring_does_not_import_sklearn():
    # sklearn costs ~1.5 s to import per process; scoring needs only numpy.
    import subprocess
    import sys

    code = ("import sys; from warehouse.sentiment import score_texts; "
            "score_texts(['pas terrible', 'great'], ['fr', 'en']); "
            "print('sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[1], check=True)
    assert out.stdout.strip() == "False"


def test_table_scoring_matches_matrix_with_trigrams_and_repeats():
    # The word-trigram option (off in the shipped model) and repeated tokens
    # go through the same cached sums.
    import numpy as np

    lex = S._get_models()["fr"].feat.lex
    f = S.Featurizer(lex, 2**12, 2, 4, 0.5, word_trigrams=True)
    texts = ["pas pas pas bon bon bon", "super super !! 😍 😍", "", "a b c d e f g", "ok"]
    f.fit_idf(texts)
    rng = np.random.default_rng(0)
    w = rng.normal(size=(2**12 + S.N_DENSE, 3)).astype(np.float32)
    x = f.transform(texts)
    f.set_weights(w[:2**12])
    np.testing.assert_allclose(x @ w, f.logits(texts, w[2**12:].astype(np.float64)),
                               rtol=1e-4, atol=1e-4)
