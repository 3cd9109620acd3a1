"""Language detection tests; the corpus checks skip when ../shared is absent."""

import html
import re
from pathlib import Path

import pytest

from warehouse.language import detect_language, detect_languages

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"


@pytest.mark.parametrize("text", [
    "Super produit, j'adore !",
    "c'est pas pire pantoute",
    "ostie que c'est lent",
    "Netflix : le streaming en crise",
    "Top 10 des smartphones",
    "Live : Donald Trump et le Web",
    "Quinze ans de YouTube en\u00a0quinze vidéos.",
    "L'ARNAQUE ÉOLIENNE http",
    "merci",
])
def test_french(text):
    assert detect_language(text) == "fr"


@pytest.mark.parametrize("text", [
    "Great service!",
    "@united my flight was delayed again http://example.com/x",
    "Thanks for the quick reply",
])
def test_english(text):
    assert detect_language(text) == "en"


def test_other():
    assert detect_language("Hola, ¿qué tal? Muy buen servicio, gracias") == "other"
    assert detect_language("Das ist wirklich ein sehr guter Service") == "other"


def test_hint_decides_short_text():
    assert detect_language("ok", "fr-CA") == "fr"
    assert detect_language("ok", "en-us") == "en"
    assert detect_language("😍😍") == "other"
    assert detect_language("Bon ben", "fr-CA") == "fr"
    # A long clear text is not overridden by a wrong hint.
    assert detect_language("Le service à la clientèle a répondu très vite, merci beaucoup", "en") == "fr"


def test_batch():
    assert detect_languages(["merci beaucoup", "thank you so much"], ["fr", None]) == ["fr", "en"]
    with pytest.raises(ValueError):
        detect_languages(["a"], [None, None])


@pytest.mark.skipif(not (CORPORA / "feeds_fr").exists(), reason="../shared corpora absent")
def test_le_monde_headlines_are_french():
    x = (CORPORA / "feeds_fr" / "lemonde_une_2020_extracted_BAO_notRSS.xml").read_text(encoding="utf-8")
    titles = [html.unescape(t) for t in re.findall(r"<titre>(.*?)</titre>", x, re.S)][:2000]
    fr = sum(detect_language(t) == "fr" for t in titles)
    assert fr / len(titles) >= 0.995


# --- the batched path (numpy DFA walk over many texts) equals the reference ---------

_EDGE_TEXTS = [
    "", "   ", None, "ok", "😍😍", "merci", "Great service!", "L'ARNAQUE ÉOLIENNE http",
    "İstanbul'da uçuşum iptal edildi, rezalet", "Quinze ans de YouTube en\u00a0quinze vidéos.",
    "Le prix\u202f: 12\u00a0€ ! https://exemple.example/a?b=1 @Fluxo #panne", "WWW.EXEMPLE.EXAMPLE est en panne",
    "Das ist wirklich ein sehr guter Service", "Hola, ¿qué tal? Muy buen servicio, gracias",
    "مرحبا بكم في خدمة العملاء", "这是一个测试", "ПРИВЕТ ВСЕМ, КАК ДЕЛА",
    "c'est pas pire pantoute", "@united my flight was delayed again http://example.com/x",
    "Le service à la clientèle a répondu très vite, merci beaucoup " * 40,  # long: finishes in Python
]


def test_batched_path_equals_reference_on_fixtures():
    import random
    rng = random.Random(7)
    words = ("le service est lent the flight was late merci thanks panne internet encore "
             "très déçu vraiment good job Québec Montréal ÉTÉ 2024 #vigie @fluxo").split()
    texts = list(_EDGE_TEXTS)
    # Enough texts of many lengths that the vector walk runs, narrows and hands over.
    texts += [" ".join(rng.choice(words) for _ in range(rng.randint(1, 120))) for _ in range(300)]
    hints = [rng.choice([None, "fr", "fr-CA", "en-us", "es", ""]) for _ in texts]
    expected = [detect_language(t, h) for t, h in zip(texts, hints)]
    assert detect_languages(texts, hints) == expected


def test_batched_probabilities_equal_py3langid_rank():
    import numpy as np
    from warehouse.language import _batch_probs, _identifier
    texts = [t for t in _EDGE_TEXTS if isinstance(t, str)] + ["x" * 3000, "!!!"]
    ident = _identifier()
    got = _batch_probs(texts)
    for row, text in zip(got, texts):
        ref = dict(ident.rank(text))
        assert np.allclose(row, [ref[c] for c in ident.nb_classes], atol=1e-5)


def test_mostly_upper_equals_counting_every_character():
    from warehouse.language import _mostly_upper
    for text in ["ABC def", "ÉÉÉ abc", "éÉ", "ÀÉÎÕÜ ab", "ab CD", "İİ i", "ΑΒΓ αβ", "", "\ud800AB"]:
        for letters in (1, 2, 3, 4, 6, 10):
            assert _mostly_upper(text, letters) == (sum(c.isupper() for c in text) > 0.5 * letters), text


def test_hash_and_token_regexes_equal_their_reference_forms():
    import random
    from warehouse import language as L
    rng = random.Random(9)
    alphabet = "ab é1_#@'’-. \nΩ#x#"
    for _ in range(20000):
        t = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert L._HASH_MARK.sub("", t) == L._HASH.sub(r"\1", t), t
        assert L._TOKEN.findall(t) == L._TOKEN_REFERENCE.findall(t), t
