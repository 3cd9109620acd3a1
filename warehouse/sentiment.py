"""Sentiment of mentions: 'negative' | 'neutral' | 'positive' with a score in [-1, 1].

The shipped model (``warehouse/models/sentiment.npz``) is one linear classifier
per language (fr, en) over hashed word and character n-grams plus a few dense
lexicon features. Hashing means there is no vocabulary to ship and no sklearn
estimator to unpickle: the file holds plain numpy arrays (coefficients, the
lexicon, the feature settings) and loads with ``allow_pickle=False``. See
``warehouse/models/README.md`` for how it was trained and on what.

Text goes through the same :func:`featurize` at training and inference time;
``FEATURES_VERSION`` names that code path and is stored in the model, so a
model trained with other features refuses to load instead of silently scoring
garbage.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.utils import murmurhash3_32

__all__ = [
    "Sentiment",
    "score_texts",
    "score_text",
    "classify_records",
    "MODEL_VERSION",
    "LABELS",
]

LABELS = ("negative", "neutral", "positive")
FEATURES_VERSION = "f2"

_PKG_DIR = Path(__file__).resolve().parent
MODEL_PATH = _PKG_DIR / "models" / "sentiment.npz"
DATA_DIR = _PKG_DIR / "data"


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    except OSError:
        return "missing"


# Hash of the model file: any retrain changes it, which is what consumers use
# to decide to recompute stored sentiment.
MODEL_VERSION: str = f"{FEATURES_VERSION}-{_file_digest(MODEL_PATH)}"


@dataclass(frozen=True)
class Sentiment:
    label: str  # 'negative' | 'neutral' | 'positive'
    score: float  # in [-1, 1]; sign agrees with label; near 0 for neutral


# ---------------------------------------------------------------------------
# Normalisation and features (shared with warehouse/train_sentiment.py)
# ---------------------------------------------------------------------------

_URL = re.compile(r"(?:https?://|www\.)\S+|\bhttps?\b", re.I)
_USER = re.compile(r"[@＠]\w+")
_ELONG = re.compile(r"(\w)\1{2,}")
_PUNCT_RUN = re.compile(r"([!?.])\1{2,}")
_TOKEN = re.compile(r"[a-z0-9]+|[!?]|xemopos|xemoneg")
_SCOPE_END = frozenset({"!", "?"})

# Emoji grouped by the polarity they usually carry in customer messages.
_EMO_POS = "😀😃😄😁😆😊🙂😍🥰😘😻❤💕💖💗💙💚💛💜🧡👍👏🙌🎉🥳😎🤩✨💯🔥🙏☺😉😋🤗"
_EMO_NEG = "😠😡🤬😤😞😟😢😭😩😫😒🙄👎💔😖😣😕🙁☹😱🤮🤢😓😔😪🤦😑😐"
_EMO_TABLE = {ord(c): " xemopos " for c in _EMO_POS}
_EMO_TABLE.update({ord(c): " xemoneg " for c in _EMO_NEG})
_SMILEY = re.compile(r"(?<!\w)(?:[:;=]-?[)D\]p]|<3|\^\^|xd)(?!\w)", re.I)
_FROWNY = re.compile(r"(?<!\w)(?:[:;=]-?[(/\[]|:'\()(?!\w)")

_NEGATORS = frozenset(
    "ne n pas jamais rien aucun aucune aucunement nullement guere ni sans "
    "personne not no never nothing nobody none nor cannot without".split()
)
_NEG_SCOPE = 3  # tokens after a negator that it flips


def _strip_accents(text: str) -> str:
    # NFD + drop combining marks; œ/æ are letters, not accents, so map them.
    text = text.replace("œ", "oe").replace("æ", "ae")
    return "".join(
        c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)
    )


def normalize(text: str) -> str:
    """Lowercase, accent-free, URL/user-free text; emoji become xemopos/xemoneg."""
    text = text.translate(_EMO_TABLE)
    text = _SMILEY.sub(" xemopos ", text)
    text = _FROWNY.sub(" xemoneg ", text)
    text = _URL.sub(" ", text)
    text = _USER.sub(" ", text)
    text = text.lower().replace("’", "'").replace("`", "'")
    text = text.replace("n't", " not").replace("cannot", "can not")
    text = _strip_accents(text)
    # "troooop" and "nooooo" would otherwise each be a feature of their own.
    text = _ELONG.sub(r"\1\1", text)
    text = _PUNCT_RUN.sub(r"\1\1", text)
    return text


class Lexicon:
    """Polarity lookup: multiword expressions first, then single words."""

    def __init__(self, terms: Sequence[str], polarity: Sequence[float],
                 intensifiers: Sequence[str]):
        single: dict[str, float] = {}
        multi: dict[str, float] = {}
        for term, pol in zip(terms, polarity):
            key = " ".join(_TOKEN.findall(normalize(str(term))))
            if not key:
                continue
            (multi if " " in key else single)[key] = float(pol)
        self.single = single
        self.multi = multi
        self.intensifiers = frozenset(
            " ".join(_TOKEN.findall(normalize(w))) for w in intensifiers
        )
        self._mwe_first = {}
        for key in multi:
            self._mwe_first.setdefault(key.split(" ", 1)[0], []).append(key.split(" "))
        for v in self._mwe_first.values():
            v.sort(key=len, reverse=True)  # longest match wins


N_DENSE = 8


def analyze(norm: str, lex: Lexicon) -> tuple[list[str], list[float]]:
    """Tokens (negation-marked, expressions merged) and dense lexicon features."""
    raw = _TOKEN.findall(norm)
    out: list[str] = []
    pos = neg = 0.0
    n_pos = n_neg = 0
    intens = 0
    emo_pos = emo_neg = 0
    negated = 0
    mwe_first = lex._mwe_first
    single = lex.single
    i, n = 0, len(raw)
    while i < n:
        tok = raw[i]
        cands = mwe_first.get(tok)
        pol = None
        if cands:
            for parts in cands:
                k = len(parts)
                if raw[i:i + k] == parts:
                    tok = "_".join(parts)
                    pol = lex.multi[" ".join(parts)]
                    i += k
                    negated = 0  # the expression already encodes its negation
                    break
        if pol is None:
            i += 1
            if tok in _SCOPE_END:
                negated = 0
                out.append(tok)
                continue
            if tok == "xemopos":
                emo_pos += 1
            elif tok == "xemoneg":
                emo_neg += 1
            if tok in _NEGATORS:
                negated = _NEG_SCOPE
                out.append(tok)
                continue
            if tok in lex.intensifiers:
                intens += 1
            pol = single.get(tok)
            if negated:
                negated -= 1
                tok = "neg_" + tok
                if pol is not None:
                    # Negation shifts rather than mirrors: "pas génial" is
                    # mildly negative, not as negative as "nul".
                    pol = -0.6 * pol
        if pol is not None:
            if pol > 0:
                pos += pol
                n_pos += 1
            elif pol < 0:
                neg -= pol
                n_neg += 1
        out.append(tok)
    boost = 1.0 + 0.5 * min(intens, 2)
    dense = [
        np.log1p(pos * boost),
        np.log1p(neg * boost),
        float(n_pos > 0),
        float(n_neg > 0),
        np.log1p(emo_pos),
        np.log1p(emo_neg),
        np.tanh(pos - neg),
        float(n_pos == 0 and n_neg == 0 and emo_pos == 0 and emo_neg == 0),
    ]
    return out, dense


def _ngrams(tokens: list[str], norm: str, char_lo: int, char_hi: int) -> list[str]:
    feats = ["w:" + t for t in tokens]
    feats.extend("b:" + a + " " + b for a, b in zip(tokens, tokens[1:]))
    for word in norm.split():
        w = " " + word + " "
        lw = len(w)
        for k in range(char_lo, min(char_hi, lw) + 1):
            feats.extend(w[j:j + k] for j in range(lw - k + 1))
    return feats


CACHE_WORDS = 500_000


class Featurizer:
    def __init__(self, lex: Lexicon, n_features: int, char_lo: int, char_hi: int,
                 dense_scale: float, idf: np.ndarray | None = None):
        from sklearn.feature_extraction.text import HashingVectorizer

        self.lex = lex
        # Sublinear tf-idf over the hashed counts; idf is fitted at training
        # (fit_idf) and shipped with the model, since hashing has no vocabulary.
        self.idf = idf
        self.char_lo, self.char_hi = char_lo, char_hi
        self.dense_scale = dense_scale
        self.n_features = n_features
        # HashingVectorizer = MurmurHash3 of each string, stable across sklearn
        # releases; the analyzer is ours so nothing else of sklearn matters.
        self._hv = HashingVectorizer(
            analyzer=lambda feats: feats, n_features=n_features,
            alternate_sign=False, norm=None, binary=False, dtype=np.float32,
        )
        self._cache: dict[str, list[int]] = {}
        self._cache_tok: dict[str, int] = {}

    def fit_idf(self, texts: Sequence[str]) -> np.ndarray:
        x = self._counts(texts)[0]
        df = np.bincount(x.indices, minlength=self.n_features)
        n = x.shape[0]
        # Same formula as sklearn's TfidfTransformer(smooth_idf=True).
        self.idf = (np.log((n + 1) / (df + 1)) + 1.0).astype(np.float32)
        return self.idf

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        x, dense = self._counts(texts)
        np.log(x.data, out=x.data)
        x.data += 1.0
        if self.idf is not None:
            x.data *= self.idf[x.indices]
        sq = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        sq[sq == 0] = 1.0
        x = sp.diags((1.0 / sq).astype(np.float32)) @ x
        return sp.hstack(
            [x, sp.csr_matrix(dense * self.dense_scale)], format="csr", dtype=np.float32
        )

    def _index(self, feature: str) -> int:
        # What HashingVectorizer(alternate_sign=False) computes for one string.
        h = murmurhash3_32(feature, seed=0)
        return (-h if h < 0 else h) % self.n_features

    def _word_columns(self, word: str) -> list[int]:
        # Words repeat (Zipf): hashing a word's char n-grams once, not at each
        # occurrence, was measured 2.8x faster on score_texts.
        cols = self._cache.get(word)
        if cols is None:
            if len(self._cache) > CACHE_WORDS:
                self._cache.clear()
            w = " " + word + " "
            lw = len(w)
            cols = [self._index(w[j:j + k]) for k in range(self.char_lo, min(self.char_hi, lw) + 1)
                    for j in range(lw - k + 1)]
            self._cache[word] = cols
        return cols

    def _token_column(self, feature: str) -> int:
        col = self._cache_tok.get(feature)
        if col is None:
            if len(self._cache_tok) > CACHE_WORDS:
                self._cache_tok.clear()
            col = self._cache_tok[feature] = self._index(feature)
        return col

    def _counts(self, texts: Sequence[str]):
        """Hashed n-gram counts, the same matrix as HashingVectorizer over _ngrams()."""
        dense = np.empty((len(texts), N_DENSE), dtype=np.float32)
        lex = self.lex
        indices: list[int] = []
        indptr = [0]
        tok_col = self._token_column
        for r, text in enumerate(texts):
            norm = normalize(text if isinstance(text, str) else "")
            toks, d = analyze(norm, lex)
            dense[r] = d
            indices.extend(tok_col("w:" + t) for t in toks)
            indices.extend(tok_col("b:" + a + " " + b) for a, b in zip(toks, toks[1:]))
            for word in norm.split():
                indices.extend(self._word_columns(word))
            indptr.append(len(indices))
        x = sp.csr_matrix((np.ones(len(indices), dtype=np.float32), np.asarray(indices, dtype=np.int32),
                           np.asarray(indptr, dtype=np.int64)), shape=(len(texts), self.n_features))
        x.sum_duplicates()
        return x, dense


# ---------------------------------------------------------------------------
# Lexicon files (training time; the model file carries its own copy)
# ---------------------------------------------------------------------------

def read_cm_lexicon(path: Path = DATA_DIR / "lexicon_cm.tsv") -> dict[str, float]:
    out: dict[str, float] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        out[parts[0].strip()] = float(parts[1])
    return out


def read_intensifiers(path: Path = DATA_DIR / "intensifiers.txt") -> list[str]:
    return [
        ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()
        if ln.strip() and not ln.startswith("#")
    ]


# ---------------------------------------------------------------------------
# Model loading and scoring
# ---------------------------------------------------------------------------

class _LangModel:
    def __init__(self, feat: Featurizer, coef: np.ndarray, intercept: np.ndarray,
                 classes: list[str], long_coef: np.ndarray | None = None,
                 long_intercept: float = 0.0, long_min_chars: int = 0):
        self.feat = feat
        self.coef = coef  # (n_features_total, n_classes), float32
        self.intercept = intercept
        order = [classes.index(c) for c in LABELS]
        self.coef = self.coef[:, order]
        self.intercept = self.intercept[order]
        # Optional binary head for long texts (reviews): logit of positive vs
        # negative over the same features (NB-weighted logistic regression,
        # the NB ratios folded into the weights).
        self.long_coef = long_coef
        self.long_intercept = long_intercept
        self.long_min_chars = long_min_chars

    def proba(self, texts: Sequence[str]) -> np.ndarray:
        x = self.feat.transform(texts)
        z = x @ self.coef + self.intercept
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        if self.long_coef is not None:
            long = np.flatnonzero([len(t) >= self.long_min_chars for t in texts])
            if len(long):
                # Keep the general head's neutral mass; split the rest between
                # negative and positive as the long-text head says.
                zl = x[long] @ self.long_coef + self.long_intercept
                p_pos = 1.0 / (1.0 + np.exp(-np.clip(zl, -30, 30)))
                rest = 1.0 - z[long, 1]
                z[long, 2] = rest * p_pos
                z[long, 0] = rest * (1.0 - p_pos)
        return z


_models: dict[str, _LangModel] | None = None
_lock = threading.Lock()


def load_model(path: Path = MODEL_PATH) -> dict[str, _LangModel]:
    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        if meta["features_version"] != FEATURES_VERSION:
            raise RuntimeError(
                f"{path} was trained with features {meta['features_version']!r}, "
                f"this code computes {FEATURES_VERSION!r}: retrain with "
                "`python -m warehouse.train_sentiment`"
            )
        models = {}
        for lang in meta["languages"]:
            p = meta["params"][lang]
            lex = Lexicon(
                z[f"{lang}_lex_terms"].tolist(),
                z[f"{lang}_lex_pol"].astype(np.float32).tolist(),
                z[f"{lang}_intens"].tolist(),
            )
            idf = np.full(p["n_features"], p["idf_default"], dtype=np.float32)
            idf[z[f"{lang}_idf_rows"]] = z[f"{lang}_idf_vals"].astype(np.float32)
            feat = Featurizer(lex, p["n_features"], p["char_lo"], p["char_hi"],
                              p["dense_scale"], idf)
            n_total = p["n_features"] + N_DENSE
            rows = z[f"{lang}_rows"]
            coef = np.zeros((n_total, len(p["classes"])), dtype=np.float32)
            coef[rows] = z[f"{lang}_vals"].astype(np.float32) * p["coef_scale"]
            long_coef = None
            if f"{lang}_long_rows" in z.files:
                long_coef = np.zeros(n_total, dtype=np.float32)
                long_coef[z[f"{lang}_long_rows"]] = (
                    z[f"{lang}_long_vals"].astype(np.float32) * p["long_coef_scale"])
            models[lang] = _LangModel(feat, coef, z[f"{lang}_intercept"].astype(np.float32),
                                      p["classes"], long_coef,
                                      float(p.get("long_intercept", 0.0)),
                                      int(p.get("long_min_chars", 0)))
    return models


def _get_models() -> dict[str, _LangModel]:
    global _models
    if _models is None:
        with _lock:
            if _models is None:
                _models = load_model()
    return _models


def _to_sentiment(p: np.ndarray) -> Sentiment:
    p_neg, p_neu, p_pos = (float(v) for v in p)
    k = int(np.argmax(p))
    label = LABELS[k]
    raw = p_pos - p_neg
    if label == "neutral":
        # Shrunk so a neutral mention never looks like an opinion in averages.
        score = raw * (1.0 - p_neu)
    elif label == "positive":
        score = max(raw, 1e-3)
    else:
        score = min(raw, -1e-3)
    return Sentiment(label, round(max(-1.0, min(1.0, score)), 4))


def _norm_lang(lang: str | None) -> str | None:
    if not lang:
        return None
    lang = lang.lower().split("-")[0].split("_")[0]
    return lang if lang in ("fr", "en") else "other"


def predict_proba(texts: Sequence[str], languages: Sequence[str | None]) -> np.ndarray:
    """Class probabilities in LABELS order, routed to each text's language model."""
    models = _get_models()
    out = np.zeros((len(texts), len(LABELS)), dtype=np.float32)
    groups: dict[str, list[int]] = {}
    for i, lang in enumerate(languages):
        groups.setdefault(lang or "other", []).append(i)
    for lang, idx in groups.items():
        sub = [texts[i] for i in idx]
        if lang in models:
            out[idx] = models[lang].proba(sub)
        else:
            # Unknown language: both models see mostly shared cues (emoji,
            # loan words, punctuation), so average them.
            out[idx] = np.mean([m.proba(sub) for m in models.values()], axis=0)
    return out


def score_texts(texts: list[str], languages: list[str] | None = None) -> list[Sentiment]:
    """Score many texts at once. ``languages`` as from detect_languages();
    when absent each text's language is detected."""
    texts = [t if isinstance(t, str) else "" for t in texts]
    if not texts:
        return []
    if languages is None:
        from warehouse.language import detect_languages

        languages = detect_languages(texts)
    elif len(languages) != len(texts):
        raise ValueError("languages must have the same length as texts")
    langs = [_norm_lang(lang) for lang in languages]
    proba = predict_proba(texts, langs)
    return [_to_sentiment(p) for p in proba]


def score_text(text: str, language: str | None = None) -> Sentiment:
    return score_texts([text], None if language is None else [language])[0]


def classify_records(lines: Iterable[str], batch_size: int = 512) -> Iterator[dict]:
    """JSON lines {"text": ..., optional "language"/"lang"/"hint"} to
    {"language", "sentiment", "score"}; a bad line yields {"error": ...}.

    Records are batched for speed but yielded in input order, one per
    non-blank input line.
    """
    from warehouse.language import detect_language

    pending: list[tuple[int, str, str]] = []

    def flush():
        scored = score_texts([t for _, t, _ in pending], [lg for _, _, lg in pending])
        for (_, _, lang), s in zip(pending, scored):
            yield {"language": lang, "sentiment": s.label, "score": s.score}
        pending.clear()

    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError):
            err = {"error": f"line {n}: not valid JSON"}
        else:
            if not isinstance(rec, dict):
                err = {"error": f"line {n}: expected a JSON object"}
            elif not isinstance(rec.get("text"), str):
                err = {"error": f"line {n}: missing or non-string \"text\""}
            else:
                err = None
                hint = rec.get("language") or rec.get("lang") or rec.get("hint")
                hint = hint if isinstance(hint, str) else None
                lang = detect_language(rec["text"], hint)
                pending.append((n, rec["text"], lang))
                if len(pending) >= batch_size:
                    yield from flush()
        if err is not None:
            # Keep order: everything read before the bad line goes out first.
            if pending:
                yield from flush()
            yield err
    if pending:
        yield from flush()
