"""Language detection for mentions: 'fr', 'en' or 'other'.

py3langid is right on short informal Québec French where langdetect is not,
but over its full 97-language set it scatters short texts ("merci", "Bon ben")
across Romance and Germanic languages. We therefore restrict it to languages a
French/English community manager plausibly sees, then combine its posterior
with two cheap priors:

* the feed's declared language (``hint``), which matters most when the text is
  short, and
* a handful of very frequent, unambiguous French/English words, because a
  headline such as "Netflix : le streaming en crise" is mostly English loan
  words around French grammar words, and Le Monde must not come out English.
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache

__all__ = ["detect_language", "detect_languages", "PLAUSIBLE_LANGUAGES"]

# Non-Latin scripts are cheap to recognise and keep langid from forcing an
# Arabic or Chinese post into fr/en; the Latin ones are the usual confusions.
PLAUSIBLE_LANGUAGES = (
    "fr", "en", "es", "it", "pt", "de", "nl", "ca",
    "ar", "ru", "zh", "ja", "ko", "el", "he", "uk", "fa", "hi", "th",
)

_URL = re.compile(r"(https?://\S+|www\.\S+)", re.I)
_MENTION = re.compile(r"[@＠]\w+")
_HASH = re.compile(r"#(\w+)")
_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.U)

# Words that are both frequent and close to unambiguous between fr and en.
# They are a prior, not a classifier: each hit shifts the log-odds a little.
_FR_WORDS = frozenset(
    """le les des du une et est sont pas plus avec pour dans sur par
    ce cette ces qui quoi mais ou où au aux elle ils elles nous vous
    je mon ton leur très trop merci bonjour salut
    oui c'est j'ai j'adore n'est d'un d'une qu'il l'on ça déjà après
    être avoir fait vraiment toujours encore rien tout tous toute toutes
    pantoute pire ostie tabarnak câlisse crisse icitte chu pis ben tsé
    même aussi donc alors comme chez entre selon contre sans sous""".split()
)
_EN_WORDS = frozenset(
    """the and is are was were not no with for in on of to this that these
    those what which who but or it he she they we you i my your his her
    their very too well thanks thank please hello hi yes it's i'm don't
    can't won't didn't doesn't isn't have has had be been being just
    really always still nothing all from about would could should will
    get got there here when where why how our us me an at by""".split()
)
# Words shared by both languages carry no evidence.
_SHARED = _FR_WORDS & _EN_WORDS

_HINT_WEIGHT = 2.0  # log-odds bonus for the declared language
_WORD_WEIGHT = 1.2  # log-odds bonus per distinctive function word
# Vigie watches French and English sources: an unknown text is far more
# likely fr/en than, say, Catalan, so fr/en start with a modest prior.
_FR_EN_PRIOR = 0.7
_MIN_LETTERS = 3


@lru_cache(maxsize=1)
def _identifier():
    # Lazy: the model unpickles in ~0.3 s and most callers never need it.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    known = set(ident.labels)
    ident.set_languages([lang for lang in PLAUSIBLE_LANGUAGES if lang in known])
    return ident


def _map_hint(hint: str | None) -> str | None:
    if not hint:
        return None
    base = hint.strip().lower().replace("_", "-").split("-")[0]
    if base in ("fr", "fra", "fre", "french", "français", "francais"):
        return "fr"
    if base in ("en", "eng", "english", "anglais"):
        return "en"
    return "other" if base else None


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    # French typography puts (narrow) no-break spaces before ":;?!" and inside
    # numbers; langid's byte n-grams treat them as noise that dilutes French.
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    text = _URL.sub(" ", text)
    text = _MENTION.sub(" ", text)
    # Hashtags often carry real words ("#gouvernement"); keep the word.
    text = _HASH.sub(r"\1", text)
    return text


def _word_votes(tokens: list[str]) -> tuple[int, int]:
    fr = en = 0
    for tok in tokens:
        tok = tok.replace("’", "'")
        if tok in _SHARED:
            continue
        if tok in _FR_WORDS:
            fr += 1
        elif tok in _EN_WORDS:
            en += 1
    return fr, en


def detect_language(text: str, hint: str | None = None) -> str:
    """Return 'fr', 'en' or 'other' for one text.

    ``hint`` is the source's declared language (e.g. 'fr-CA', 'en-us'); it
    decides when the text carries too little evidence and tilts close calls.
    """
    hint_lang = _map_hint(hint)
    if not isinstance(text, str):
        return hint_lang or "other"
    cleaned = _clean(text)
    tokens = [t.lower() for t in _TOKEN.findall(cleaned)]
    letters = sum(len(t) for t in tokens)
    if letters < _MIN_LETTERS:
        # Emoji-only posts, "ok", "lol": nothing to detect from.
        return hint_lang or "other"

    letters_upper = sum(c.isupper() for c in cleaned)
    if letters_upper > 0.5 * letters:
        # Shouted text ("L'ARNAQUE ÉOLIENNE http") defeats langid's n-grams,
        # which were trained on mostly lowercase text.
        cleaned = cleaned.lower()
    ranked = _identifier().rank(cleaned)
    probs = dict(ranked)
    p_fr = probs.get("fr", 0.0)
    p_en = probs.get("en", 0.0)
    # The best single other language, not their sum: summing lets a dozen
    # small Romance/Germanic scores outvote English on "Great service!".
    p_other = max((p for lang, p in ranked if lang not in ("fr", "en")), default=0.0)

    eps = 1e-6
    scores = {
        "fr": math.log(p_fr + eps) + _FR_EN_PRIOR,
        "en": math.log(p_en + eps) + _FR_EN_PRIOR,
        "other": math.log(p_other + eps),
    }
    fr_votes, en_votes = _word_votes(tokens)
    # Cap the votes so a long English text quoting "le" a few times stays English.
    scores["fr"] += _WORD_WEIGHT * min(fr_votes, 4)
    scores["en"] += _WORD_WEIGHT * min(en_votes, 4)
    if hint_lang is not None:
        # The hint matters less as the text gets longer and langid surer.
        scores[hint_lang] += _HINT_WEIGHT * (1.0 if letters < 40 else 0.5)
    return max(scores, key=scores.__getitem__)


def detect_languages(
    texts: list[str], hints: list[str | None] | None = None
) -> list[str]:
    """Vectorised form of :func:`detect_language` (same results, one per text)."""
    if hints is None:
        hints = [None] * len(texts)
    if len(hints) != len(texts):
        raise ValueError("hints must have the same length as texts")
    return [detect_language(t, h) for t, h in zip(texts, hints)]
