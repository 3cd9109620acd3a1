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

import numpy as np

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
# What _HASH.sub(r"\1", text) does: drop each "#" that starts a word. A plain
# replacement keeps re.sub in C (a group template runs Python code per match).
_HASH_MARK = re.compile(r"#(?=\w)")
_TOKEN_REFERENCE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.U)
# Same matches, possessive: nothing after a run could use what it gave back.
_TOKEN = re.compile(r"[^\W\d_]++(?:['’][^\W\d_]++)?+", re.U)

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
    # Each rewrite runs only when its trigger character is present: most
    # mentions have no URL, handle or hashtag, and the checks are C-speed.
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
        # French typography puts (narrow) no-break spaces before ":;?!" and inside
        # numbers; langid's byte n-grams treat them as noise that dilutes French.
        text = text.replace("\u00a0", " ").replace("\u202f", " ")
    if "://" in text or "ww." in text.lower():
        text = _URL.sub(" ", text)
    if "@" in text or "＠" in text:
        text = _MENTION.sub(" ", text)
    if "#" in text:
        # Hashtags often carry real words ("#gouvernement"); keep the word.
        text = _HASH_MARK.sub("", text)
    return text


def _tokens(cleaned: str) -> list[str]:
    """Lower-cased word tokens of ``cleaned``."""
    lowered = cleaned.lower()
    if len(lowered) == len(cleaned):
        # Case mapping kept every character one for one (always for ASCII),
        # so tokenizing the lowered text gives the same tokens, in one C call.
        return _TOKEN.findall(lowered)
    # "İ" lowers to two code points: tokenize first, as the reference did.
    return [t.lower() for t in _TOKEN.findall(cleaned)]


_FR_ONLY = _FR_WORDS - _SHARED
_EN_ONLY = _EN_WORDS - _FR_WORDS


def _word_votes(tokens: list[str]) -> tuple[int, int]:
    """Occurrences of distinctive French and English words (tokens use "'", not "’")."""
    return sum(map(_FR_ONLY.__contains__, tokens)), sum(map(_EN_ONLY.__contains__, tokens))


_ASCII_UPPER = bytes(range(ord("A"), ord("Z") + 1))


def _mostly_upper(cleaned: str, letters: int) -> bool:
    """True when more than half as many upper-case characters as letters.

    Same answer as counting ``c.isupper()`` over every character, but decided
    from C-speed bounds in nearly every case: ASCII capitals are a lower bound,
    and adding the number of non-ASCII characters (at most the UTF-8 bytes
    beyond one per character) gives an upper bound.
    """
    limit = 0.5 * letters
    data = cleaned.encode("utf-8", "surrogatepass")
    ascii_upper = len(data) - len(data.translate(None, _ASCII_UPPER))
    if ascii_upper > limit:
        return True
    if ascii_upper + (len(data) - len(cleaned)) <= limit:
        return False
    return sum(map(str.isupper, cleaned)) > limit


class _Prepared:
    """What detect_language needs besides langid's probabilities, for one text."""

    __slots__ = ("hint", "answer", "langid_text", "fr_votes", "en_votes", "letters")

    def __init__(self, text, hint: str | None):
        self.hint = _map_hint(hint)
        self.answer: str | None = None  # set when the text alone cannot decide
        self.langid_text = ""
        if not isinstance(text, str):
            self.answer = self.hint or "other"
            return
        cleaned = _clean(text)
        # Typographic apostrophes as ASCII ones, so "c’est" is the word list's "c'est".
        tokens = _tokens(cleaned.replace("’", "'") if "’" in cleaned else cleaned)
        self.letters = sum(map(len, tokens))
        if self.letters < _MIN_LETTERS:
            # Emoji-only posts, "ok", "lol": nothing to detect from.
            self.answer = self.hint or "other"
            return
        if _mostly_upper(cleaned, self.letters):
            # Shouted text ("L'ARNAQUE ÉOLIENNE http") defeats langid's n-grams,
            # which were trained on mostly lowercase text.
            cleaned = cleaned.lower()
        self.langid_text = cleaned
        self.fr_votes, self.en_votes = _word_votes(tokens)

    def decide(self, p_fr: float, p_en: float, p_other: float) -> str:
        """Combine langid's posterior (p_other: best single other language) with the priors."""
        eps = 1e-6
        fr = math.log(p_fr + eps) + _FR_EN_PRIOR
        en = math.log(p_en + eps) + _FR_EN_PRIOR
        other = math.log(p_other + eps)
        # Cap the votes so a long English text quoting "le" a few times stays English.
        fr += _WORD_WEIGHT * min(self.fr_votes, 4)
        en += _WORD_WEIGHT * min(self.en_votes, 4)
        if self.hint is not None:
            # The hint matters less as the text gets longer and langid surer.
            bonus = _HINT_WEIGHT * (1.0 if self.letters < 40 else 0.5)
            if self.hint == "fr":
                fr += bonus
            elif self.hint == "en":
                en += bonus
            else:
                other += bonus
        # Ties go to fr, then en (the order of the original dict-based max).
        if fr >= en and fr >= other:
            return "fr"
        return "en" if en >= other else "other"


def detect_language(text: str, hint: str | None = None) -> str:
    """Return 'fr', 'en' or 'other' for one text.

    ``hint`` is the source's declared language (e.g. 'fr-CA', 'en-us'); it
    decides when the text carries too little evidence and tilts close calls.
    This is the reference path: py3langid's own ``rank`` on one text.
    """
    prep = _Prepared(text, hint)
    if prep.answer is not None:
        return prep.answer
    ranked = _identifier().rank(prep.langid_text)
    probs = dict(ranked)
    # The best single other language, not their sum: summing lets a dozen
    # small Romance/Germanic scores outvote English on "Great service!".
    p_other = max((p for lang, p in ranked if lang not in ("fr", "en")), default=0.0)
    return prep.decide(probs.get("fr", 0.0), probs.get("en", 0.0), p_other)


def detect_languages(
    texts: list[str], hints: list[str | None] | None = None
) -> list[str]:
    """Vectorised form of :func:`detect_language` (same results, one per text).

    py3langid's per-text DFA walk in Python was most of the cost; here all
    texts walk the same DFA together, one byte position per numpy step
    (``_batch_probs``). tests/test_language.py checks both paths agree.
    """
    if hints is None:
        hints = [None] * len(texts)
    if len(hints) != len(texts):
        raise ValueError("hints must have the same length as texts")
    preps = [_Prepared(t, h) for t, h in zip(texts, hints)]
    todo = [i for i, p in enumerate(preps) if p.answer is None]
    out = [p.answer for p in preps]
    if todo:
        probs = _batch_probs([preps[i].langid_text for i in todo])
        classes = _identifier().nb_classes
        fr_col, en_col = classes.index("fr"), classes.index("en")
        others = probs.copy()
        others[:, [fr_col, en_col]] = -1.0
        p_other = others.max(axis=1) if others.shape[1] > 2 else np.zeros(len(todo))
        p_other = np.maximum(p_other, 0.0)
        for row, i in enumerate(todo):
            out[i] = preps[i].decide(float(probs[row, fr_col]), float(probs[row, en_col]), float(p_other[row]))
    return out


# --- py3langid, batched --------------------------------------------------------

# Below this many texts still walking, the few long ones finish in plain Python
# (numpy's per-call overhead would exceed the work of a handful of bytes).
_MIN_VECTOR_WIDTH = 32
_BATCH = 4096


@lru_cache(maxsize=1)
def _batch_model():
    """py3langid's DFA and naive Bayes tables as numpy arrays (same model as _identifier)."""
    ident = _identifier()
    # A view on py3langid's own array (9.8M uint16 transitions): no copy.
    nextmove = np.frombuffer(ident.tk_nextmove, dtype=np.dtype(ident.tk_nextmove.typecode))
    rowbase = np.asarray(ident._rowbase, dtype=np.int64)
    output = np.asarray(ident.tk_output, dtype=np.int64)
    ptc = np.asarray(ident.nb_ptc, dtype=np.float32)
    pc = np.asarray(ident.nb_pc, dtype=np.float32)
    return ident, nextmove, rowbase, output, ptc, pc


def _batch_probs(texts: list[str]) -> np.ndarray:
    """py3langid's normalised ``rank`` scores, one row per text, columns = nb_classes."""
    return np.concatenate([_batch_probs_chunk(texts[i:i + _BATCH]) for i in range(0, len(texts), _BATCH)])


def _batch_probs_chunk(texts: list[str]) -> np.ndarray:
    from scipy import sparse  # lazy: already imported by sentiment's sklearn in a normal run

    ident, nextmove, rowbase, output, ptc, pc = _batch_model()
    encoded = [ident._encode(t) for t in texts]
    n = len(encoded)
    lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=n)
    order = np.argsort(-lengths, kind="stable")  # longest first: the walkers are always a prefix
    data = np.frombuffer(b"".join(encoded[i] for i in order), dtype=np.uint8)
    slen = lengths[order]
    starts = np.concatenate(([0], np.cumsum(slen)[:-1]))
    state = np.zeros(n, dtype=np.int64)
    rows_out: list[np.ndarray] = []
    feats_out: list[np.ndarray] = []
    # width[t] = how many texts are longer than t.
    width = n
    t = 0
    while width >= _MIN_VECTOR_WIDTH:
        while width and slen[width - 1] <= t:
            width -= 1
        if width < _MIN_VECTOR_WIDTH:
            break
        st = nextmove[rowbase[state[:width]] + data[starts[:width] + t]]
        state[:width] = st
        f = output[st]
        hit = np.flatnonzero(f >= 0)
        if hit.size:
            rows_out.append(hit)
            feats_out.append(f[hit])
        t += 1
    # The few longest texts finish byte by byte, from the state they reached.
    nm, rb, out = ident.tk_nextmove, ident._rowbase, ident.tk_output
    for r in range(width):
        s, rest = int(state[r]), encoded[order[r]][t:]
        tail_feats = []
        for letter in rest:
            s = nm[rb[s] + letter]
            f = out[s]
            if f >= 0:
                tail_feats.append(f)
        if tail_feats:
            rows_out.append(np.full(len(tail_feats), r, dtype=np.int64))
            feats_out.append(np.asarray(tail_feats, dtype=np.int64))
    if rows_out:
        rows = np.concatenate(rows_out)
        feats = np.concatenate(feats_out)
    else:
        rows = feats = np.zeros(0, dtype=np.int64)
    counts = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, feats)), shape=(n, ptc.shape[0]))
    counts.sum_duplicates()
    counts.data = np.log1p(counts.data)
    scores = np.asarray(counts @ ptc, dtype=np.float32) + pc
    # A text without any feature gets 0 everywhere (uniform after softmax), as in py3langid.
    scores[np.diff(counts.indptr) == 0] = 0.0
    # T = sqrt(bytes) keeps the softmax calibrated across lengths (py3langid's _decide).
    scores *= (1.0 / np.sqrt(np.maximum(slen, 1))).astype(np.float32)[:, None]
    scores = np.exp(scores - scores.max(axis=1, keepdims=True))
    scores /= scores.sum(axis=1, keepdims=True)
    for i, j in ident._alias_pairs:
        scores[:, i] += scores[:, j]
        scores[:, j] = 0.0
    result = np.empty_like(scores)
    result[order] = scores
    return result
