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
