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
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np
import scipy.sparse as sp

__all__ = [
    "Sentiment",
    "score_texts",
    "score_text",
    "classify_records",
    "MODEL_VERSION",
    "LABELS",
]

LABELS = ("negative", "neutral", "positive")
FEATURES_VERSION = "f3"

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
_EMO_POS_RE = re.compile("[" + _EMO_POS + "]")
_EMO_NEG_RE = re.compile("[" + _EMO_NEG + "]")
_SMILEY = re.compile(r"(?<!\w)(?:[:;=]-?[)D\]p]|<3|\^\^|xd)(?!\w)", re.I)
_FROWNY = re.compile(r"(?<!\w)(?:[:;=]-?[(/\[]|:'\()(?!\w)")

_NEGATORS = frozenset(
    "ne n pas jamais rien aucun aucune aucunement nullement guere ni sans "
    "personne not no never nothing nobody none nor cannot without".split()
)
_NEG_SCOPE = 3  # tokens after a negator that it flips


def _accent_map() -> dict[str, str]:
    # Latin letters with diacritics -> base letters (NFD minus combining
    # marks), computed once; combining marks themselves are dropped.
    out = {"œ": "oe", "æ": "ae", "Œ": "oe", "Æ": "ae"}
    for cp in list(range(0xC0, 0x250)) + list(range(0x1E00, 0x1F00)):
        c = chr(cp)
        base = "".join(ch for ch in unicodedata.normalize("NFD", c)
                       if not unicodedata.combining(ch))
        if base != c and c not in out:
            out[c] = base
    for cp in range(0x300, 0x370):
        out[chr(cp)] = ""
    return out


_ACCENTS = _accent_map()
_ACCENT_RE = re.compile("[" + "".join(sorted(_ACCENTS)) + "]")


def _strip_accents(text: str) -> str:
    if text.isascii():
        return text
    return _ACCENT_RE.sub(lambda m: _ACCENTS[m.group()], text)


def normalize(text: str) -> str:
    """Lowercase, accent-free, URL/user-free text; emoji become xemopos/xemoneg."""
    text = _EMO_POS_RE.sub(" xemopos ", text)
    text = _EMO_NEG_RE.sub(" xemoneg ", text)
    text = _SMILEY.sub(" xemopos ", text)
    text = _FROWNY.sub(" xemoneg ", text)
    text = _URL.sub(" ", text)
    text = _USER.sub(" ", text)
    text = text.lower().replace("’", "'").replace("`", "'")
    text = text.replace("n't", " not").replace("cannot", "can not")
    text = _strip_accents(text)
    # "troooop" and "nooooo" would otherwise each be a feature of their own.
    text = _ELONG.sub(r"\1\1", text)
    return _PUNCT_RUN.sub(r"\1\1", text)


class _WordTokens(dict):
    """Whitespace word -> its tokens after normalize(). No rule of normalize()
    reaches across whitespace, so a text's tokens are its words' tokens;
    words repeat (Zipf), and running the regexes once per distinct word
    instead of over every text was most of the speed-up to 25k+ texts/s."""

    def __missing__(self, word: str) -> tuple[str, ...]:
        if len(self) > CACHE_WORDS:
            self.clear()
        toks = self[word] = tuple(_TOKEN.findall(normalize(word)))
        return toks


CACHE_WORDS = 500_000
_WORDS = _WordTokens()


def raw_tokens(text: str) -> list[str]:
    """Tokens of normalize(text), from the per-word cache."""
    words = _WORDS
    return [t for w in text.split() for t in words[w]]


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
        self._mwe_first: dict[str, list[list[str]]] = {}
        for key in multi:
            self._mwe_first.setdefault(key.split(" ", 1)[0], []).append(key.split(" "))
        for v in self._mwe_first.values():
            v.sort(key=len, reverse=True)  # longest match wins
        self._mwe_second = {f: {p[1] for p in v} for f, v in self._mwe_first.items()}
        # Tokens that send a text through the marking path.
        self.special = frozenset(self._mwe_first) | _NEGATORS

    def polarity(self, token: str) -> float:
        """Polarity of a marked token (``neg_x``, ``pas_pire``, ``x``)."""
        if token.startswith("neg_"):
            # Negation shifts rather than mirrors: "pas génial" is mildly
            # negative, not as negative as "nul".
            return -0.6 * self.single.get(token[4:], 0.0)
        if "_" in token:
            return self.multi.get(token.replace("_", " "), 0.0)
        return self.single.get(token, 0.0)


def mark(raw: list[str], lex: Lexicon) -> list[str]:
    """Merge multiword expressions ("pas_pire") and mark the tokens a negator
    flips ("pas bon" -> "pas neg_bon"), up to 3 tokens or a "!"/"?"."""
    out: list[str] = []
    mwe_first = lex._mwe_first
    negated = 0
    i, n = 0, len(raw)
    while i < n:
        tok = raw[i]
        cands = mwe_first.get(tok)
        if cands:
            for parts in cands:
                k = len(parts)
                if raw[i:i + k] == parts:
                    out.append("_".join(parts))
                    i += k
                    negated = 0  # the expression already encodes its negation
                    break
            else:
                cands = None
            if cands:
                continue
        i += 1
        if tok in _SCOPE_END:
            negated = 0
        elif tok in _NEGATORS:
            negated = _NEG_SCOPE
        elif negated:
            negated -= 1
            tok = "neg_" + tok
        out.append(tok)
    return out


def tokenize(raw: list[str], lex: Lexicon) -> list[str]:
    """Same result as mark(raw), without its per-token loop in the common
    cases: no special token, or negators but no multiword expression."""
    special = lex.special
    sp = [i for i, t in enumerate(raw) if t in special]
    if not sp:
        return raw
    n = len(raw)
    second = lex._mwe_second
    for i in sp:
        s2 = second.get(raw[i])
        if s2 and i + 1 < n and raw[i + 1] in s2:
            return mark(raw, lex)  # a possible expression: the full walk
    out = list(raw)
    for i in sp:
        if raw[i] in _NEGATORS:
            for j in range(i + 1, min(i + 1 + _NEG_SCOPE, n)):
                t = raw[j]
                if t in _SCOPE_END or t in _NEGATORS:
                    break  # a negator opens its own scope
                out[j] = "neg_" + t
    return out


N_DENSE = 8


def _dense(per_text: np.ndarray) -> np.ndarray:
    """8 dense lexicon features from per-text sums of (pos, neg, n_pos, n_neg,
    intensifiers, emo_pos, emo_neg)."""
    pos, neg, n_pos, n_neg, intens, emo_pos, emo_neg = per_text.T
    boost = 1.0 + 0.5 * np.minimum(intens, 2)
    return np.stack([
        np.log1p(pos * boost), np.log1p(neg * boost),
        (n_pos > 0), (n_neg > 0),
        np.log1p(emo_pos), np.log1p(emo_neg),
        np.tanh(pos - neg),
        (n_pos == 0) & (n_neg == 0) & (emo_pos == 0) & (emo_neg == 0),
    ], axis=1).astype(np.float32)


def _h32(s: str) -> int:
    return zlib.crc32(s.encode("utf-8"))


_MIX = np.uint64(0x9E3779B1)
_M32 = np.uint64(0xFFFFFFFF)

class Featurizer:
    """Text -> hashed features, with a per-token table so scoring is a few
    numpy gathers instead of hashing every n-gram of every text.

    Features of a token occurrence: its marked form ``w:<tok>`` and the
    char n-grams (char_lo..char_hi) of its word(s) in " word " form; of each
    adjacent token pair: one bigram column mixed from the two token hashes (in
    numpy, no string built). Values are count x idf, each row divided by
    sqrt(sum over occurrences of idf^2): an l2-style norm that is a sum over
    occurrences, so a token's contribution to the logits can be cached.
    Columns are CRC32 (zlib, stable) modulo n_features.
    """

    # Per-token lexicon columns summed into the dense features.
    _LEX_COLS = 7

    def __init__(self, lex: Lexicon, n_features: int, char_lo: int, char_hi: int,
                 dense_scale: float, idf: np.ndarray | None = None,
                 word_trigrams: bool = False):
        self.lex = lex
        self.idf = idf
        self.word_trigrams = word_trigrams
        self.char_lo, self.char_hi = char_lo, char_hi
        self.dense_scale = dense_scale
        self.n_features = n_features
        self._weights: np.ndarray | None = None  # (n_features, k) idf-folded, set by set_weights
        self._reset()

    # -- token table -------------------------------------------------------
    def _reset(self):
        self._vocab: dict[str, int] = {}
        self._cols: list[np.ndarray] = []
        self._pending: list[str] = []
        cap = 1024
        self._hash = np.zeros(cap, dtype=np.uint64)
        self._lexv = np.zeros((cap, self._LEX_COLS), dtype=np.float32)
        k = 0 if self._weights is None else self._weights.shape[1]
        self._contrib = np.zeros((cap, k), dtype=np.float32)
        self._sq = np.zeros(cap, dtype=np.float32)

    def set_weights(self, w: np.ndarray):
        """Scoring weights (n_features, k) over the hashed columns, idf not folded."""
        idf = self.idf if self.idf is not None else np.ones(self.n_features, np.float32)
        self._weights = (w * idf[:, None]).astype(np.float32)
        self._idf2 = (idf.astype(np.float64) ** 2).astype(np.float32)
        self._reset()

    def _token_cols(self, tok: str) -> np.ndarray:
        nf = self.n_features
        cols = [_h32("w:" + tok) % nf]
        base = tok[4:] if tok.startswith("neg_") else tok
        lo, hi = self.char_lo, self.char_hi
        for word in base.split("_"):
            w = " " + word + " "
            lw = len(w)
            cols.extend(_h32(w[j:j + k]) % nf for k in range(lo, min(hi, lw) + 1)
                        for j in range(lw - k + 1))
        return np.asarray(cols, dtype=np.int64)

    def _ids(self, tokens: list[str]) -> list[int]:
        vocab = self._vocab
        ids = [vocab.get(t, -1) for t in tokens]
        if -1 in ids:
            for j, t in enumerate(tokens):
                if ids[j] == -1:
                    i = vocab.get(t)
                    if i is None:
                        i = vocab[t] = len(vocab)
                        self._pending.append(t)
                    ids[j] = i
        return ids

    def _fill_pending(self):
        new = self._pending
        if not new:
            return
        start = len(self._cols)
        end = start + len(new)
        if end > len(self._hash):
            cap = max(end, 2 * len(self._hash))
            self._hash = np.resize(self._hash, cap)
            self._lexv = np.resize(self._lexv, (cap, self._LEX_COLS))
            self._contrib = np.resize(self._contrib, (cap, self._contrib.shape[1]))
            self._sq = np.resize(self._sq, cap)
        lex = self.lex
        for r, tok in enumerate(new, start):
            cols = self._token_cols(tok)
            self._cols.append(cols)
            self._hash[r] = _h32("t:" + tok)
            pol = lex.polarity(tok)
            base = tok[4:] if tok.startswith("neg_") else tok
            self._lexv[r] = (max(pol, 0.0), max(-pol, 0.0), pol > 0, pol < 0,
                             base in lex.intensifiers, base == "xemopos", base == "xemoneg")
            if self._weights is not None:
                self._contrib[r] = self._weights[cols].sum(axis=0)
                self._sq[r] = self._idf2[cols].sum()
        new.clear()

    def _encode(self, texts: Sequence[str]):
        """Flat token ids and each text's token count."""
        if len(self._vocab) > CACHE_WORDS:
            self._reset()
        lex = self.lex
        flat: list[int] = []
        lens = np.empty(len(texts), dtype=np.int64)
        ids_of = self._ids
        for r, text in enumerate(texts):
            ids = ids_of(tokenize(raw_tokens(text), lex))
            lens[r] = len(ids)
            flat.extend(ids)
        self._fill_pending()
        return np.asarray(flat, dtype=np.int64), lens

    def _bigram_cols(self, ids: np.ndarray, lens: np.ndarray):
        """Column of each adjacent pair (and triple, with word_trigrams) within
        a text, and its text row."""
        n = len(lens)
        rows = np.repeat(np.arange(n), lens)
        if len(ids) < 2:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        same = rows[1:] == rows[:-1]
        h = self._hash[ids]
        nf = np.uint64(self.n_features)
        with np.errstate(over="ignore"):
            mixed = ((h[:-1] * _MIX) ^ h[1:] ^ np.uint64(0x5BD1E995)) & _M32
            cols = (mixed[same] % nf).astype(np.int64)
            brows = rows[1:][same]
            if self.word_trigrams and len(ids) >= 3:
                same3 = same[1:] & same[:-1]
                m3 = ((mixed[:-1] * _MIX) ^ h[2:] ^ np.uint64(0x27D4EB2F)) & _M32
                cols = np.concatenate([cols, (m3[same3] % nf).astype(np.int64)])
                brows = np.concatenate([brows, rows[2:][same3]])
        return cols, brows

    def _lex_dense(self, ids, lens):
        rows = np.repeat(np.arange(len(lens)), lens)
        v = self._lexv[ids]
        sums = np.stack([np.bincount(rows, weights=v[:, c], minlength=len(lens))
                         for c in range(self._LEX_COLS)], axis=1)
        return _dense(sums) * np.float32(self.dense_scale)

    # -- training: explicit matrix ---------------------------------------
    def _counts(self, texts: Sequence[str]):
        ids, lens = self._encode(texts)
        n = len(texts)
        rows = np.repeat(np.arange(n), lens)
        tlen = np.array([len(self._cols[i]) for i in range(len(self._cols))], dtype=np.int64)
        allcols = np.concatenate(self._cols) if self._cols else np.zeros(0, np.int64)
        ptr = np.concatenate([[0], np.cumsum(tlen)])
        ln = tlen[ids]
        starts = ptr[ids]
        pos = np.arange(ln.sum()) - np.repeat(np.cumsum(ln) - ln, ln) + np.repeat(starts, ln)
        bcols, brows = self._bigram_cols(ids, lens)
        r = np.concatenate([np.repeat(rows, ln), brows])
        c = np.concatenate([allcols[pos], bcols])
        x = sp.csr_matrix((np.ones(len(c), dtype=np.float32), (r, c)),
                          shape=(n, self.n_features), dtype=np.float32)
        x.sum_duplicates()
        return x, self._lex_dense(ids, lens)

    def fit_idf(self, texts: Sequence[str]) -> np.ndarray:
        x = self._counts(texts)[0]
        df = np.bincount(x.indices, minlength=self.n_features)
        n = x.shape[0]
        # Same formula as sklearn's TfidfTransformer(smooth_idf=True).
        self.idf = (np.log((n + 1) / (df + 1)) + 1.0).astype(np.float32)
        return self.idf

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Feature matrix (hashed columns then N_DENSE dense ones), for training."""
        x, dense = self._counts(texts)
        idf = self.idf if self.idf is not None else np.ones(self.n_features, np.float32)
        sq = np.sqrt(x @ (idf.astype(np.float32) ** 2))
        sq[sq == 0] = 1.0
        x = sp.diags((1.0 / sq).astype(np.float32)) @ x @ sp.diags(idf)
        return sp.hstack([x, sp.csr_matrix(dense)], format="csr", dtype=np.float32)

    # -- scoring: cached per-token contributions ---------------------------
    def logits(self, texts: Sequence[str], dense_w: np.ndarray) -> np.ndarray:
        """Same as transform(texts) @ [weights; dense_w], from the token table."""
        ids, lens = self._encode(texts)
        n = len(texts)
        rows = np.repeat(np.arange(n), lens)
        k = self._weights.shape[1]
        c = self._contrib[ids]
        bcols, brows = self._bigram_cols(ids, lens)
        sq = np.bincount(rows, weights=self._sq[ids], minlength=n)
        sq += np.bincount(brows, weights=self._idf2[bcols], minlength=n)
        bw = self._weights[bcols]
        z = np.empty((n, k), dtype=np.float64)
        for j in range(k):
            z[:, j] = (np.bincount(rows, weights=c[:, j], minlength=n)
                       + np.bincount(brows, weights=bw[:, j], minlength=n))
        sq = np.sqrt(sq)
        sq[sq == 0] = 1.0
        z /= sq[:, None]
        z += self._lex_dense(ids, lens) @ dense_w
        return z


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

def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    return z / z.sum(axis=1, keepdims=True)


class _LangModel:
    def __init__(self, feat: Featurizer, coef: np.ndarray, intercept: np.ndarray,
                 classes: list[str], long_coef: np.ndarray | None = None,
                 long_intercept: float = 0.0, long_min_chars: int = 0,
                 nb_coef: np.ndarray | None = None, nb_intercept: np.ndarray | None = None,
                 nb_blend: float = 0.0):
        self.feat = feat
        order = [classes.index(c) for c in LABELS]
        self.coef = coef[:, order]  # (n_features + N_DENSE, 3), float32
        self.intercept = intercept[order]
        # Optional binary head for long texts (reviews): logit of positive vs
        # negative over the same features (NB-weighted logistic regression,
        # the NB ratios folded into the weights).
        self.long_coef = long_coef
        self.long_intercept = long_intercept
        self.long_min_chars = long_min_chars
        # Optional 3-class NB-LR head (one-vs-rest, LABELS order) whose
        # softmax is averaged with the general head's, weight nb_blend.
        self.nb_coef = nb_coef
        self.nb_intercept = nb_intercept
        self.nb_blend = nb_blend
        parts = [self.coef]
        if nb_coef is not None:
            parts.append(nb_coef)
        if long_coef is not None:
            parts.append(long_coef[:, None])
        w = np.column_stack(parts)
        nf = feat.n_features
        feat.set_weights(w[:nf])
        self._dense_w = w[nf:].astype(np.float64)

    def proba(self, texts: Sequence[str]) -> np.ndarray:
        zz = self.feat.logits(texts, self._dense_w)
        z = _softmax(zz[:, :3] + self.intercept)
        if self.nb_coef is not None:
            b = self.nb_blend
            z = (1.0 - b) * z + b * _softmax(zz[:, 3:6] + self.nb_intercept)
        if self.long_coef is not None:
            long = np.flatnonzero([len(t) >= self.long_min_chars for t in texts])
            if len(long):
                # Keep the general head's neutral mass; split the rest between
                # negative and positive as the long-text head says.
                zl = zz[long, -1] + self.long_intercept
                p_pos = 1.0 / (1.0 + np.exp(-np.clip(zl, -30, 30)))
                rest = 1.0 - z[long, 1]
                z[long, 2] = rest * p_pos
                z[long, 0] = rest * (1.0 - p_pos)
        return z.astype(np.float32)


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
                              p["dense_scale"], idf, bool(p.get("word_trigrams", False)))
            n_total = p["n_features"] + N_DENSE
            rows = z[f"{lang}_rows"]
            coef = np.zeros((n_total, len(p["classes"])), dtype=np.float32)
            coef[rows] = z[f"{lang}_vals"].astype(np.float32) * p["coef_scale"]
            long_coef = None
            if f"{lang}_long_rows" in z.files:
                long_coef = np.zeros(n_total, dtype=np.float32)
                long_coef[z[f"{lang}_long_rows"]] = (
                    z[f"{lang}_long_vals"].astype(np.float32) * p["long_coef_scale"])
            nb_coef = nb_int = None
            if f"{lang}_nb_rows" in z.files:
                nb_coef = np.zeros((n_total, len(LABELS)), dtype=np.float32)
                nb_coef[z[f"{lang}_nb_rows"]] = (
                    z[f"{lang}_nb_vals"].astype(np.float32) * p["nb_coef_scale"])
                nb_int = z[f"{lang}_nb_intercept"].astype(np.float32)
            models[lang] = _LangModel(feat, coef, z[f"{lang}_intercept"].astype(np.float32),
                                      p["classes"], long_coef,
                                      float(p.get("long_intercept", 0.0)),
                                      int(p.get("long_min_chars", 0)),
                                      nb_coef, nb_int,
                                      float(p.get("nb_head", {}).get("blend", 0.0)))
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
