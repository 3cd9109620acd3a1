"""Topics: content terms per mention, and terms that are rising.

``extract_terms`` returns, for one mention, its distinct content lemmas
(simplemma, French and English) and meaningful bigrams, in order of first
appearance:

* stop words are removed: a shipped list (French, English, Québec and
  France informal fillers such as "genre", "tsé", "faque", "ben", "lol",
  "mdr", SMS spellings), plus numbers, URLs, e-mails, @handles and one-letter
  words.  The list is compared accent-insensitively ("tres" = "très").
* a bigram is two content lemmas adjacent in the same clause ("service
  client", "panne internet"); a stop word, punctuation or a brand name
  between them breaks it.
* negation is kept: a negator ("pas", "jamais", "not", "never") followed by
  a content word, optionally through an intensifier ("pas très bon"),
  gives the bigram "pas bon" instead of the unigram "bon", so "n'est pas
  terrible" yields "pas terrible", not "terrible".
* ``exclude`` removes brand names and aliases (single words or phrases,
  accent- and case-insensitive, also as #hashtag/@handle).
* hashtags count as words ("#panne" -> "panne").

``rising_terms`` scores terms whose recent frequency is above their
baseline frequency with Dunning's log-likelihood (G²), see its docstring.
"""

from __future__ import annotations

import math
import re
from itertools import chain
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
import simplemma

from .textnorm import ELISIONS, fold, normalize_punct, strip_urls

__all__ = ["extract_terms", "extract_terms_many", "rising_terms", "STOPWORDS", "RISING_FORMULA"]

# Stored folded (no accents); see _is_stop.
_FR_STOP = """
a à afin ah ai aie aient aies ait alors as au aucun aucune aujourd'hui auquel aura aurai auraient aurais aurait
aussi autant autre autres aux auxquelles auxquels avaient avais avait avant avec avez aviez avions avoir avons ayant
bah beaucoup ben bien bon bof bref c ça ca car ce ceci cela celle celles celui cependant certain certaine certaines
certains ces cet cette ceux chacun chaque chez ci comme comment d dans de des desquelles desquels deux devoir devrait
doit donc dont du duquel durant elle elles en encore entre es est et etaient etais etait etant ete etes etre eu eue
eux faire fais fait faut falloir fois font hein hors i ici il ils j je jusqu jusque l la là laquelle le lequel les
lesquelles lesquels leur leurs lui m ma mais me meme memes mes moi moins mon n ne ni non nos notre nous o oh on ont
ou où ouais oui par parce pas peu peut peuvent peux plus plusieurs pour pourquoi pouvoir puis qu quand que quel
quelle quelles quels qui quoi s sa sans se sera serai seraient serait ses si sien sienne soi soit sommes son sont
sous suis sur t ta tant te tes toi ton tous tout toute toutes tres trop tu un une unes uns vers via voici voila vos
votre vous vouloir y deja toujours jamais rien assez vraiment juste aller dire vais va vont allait etc ok okay
quelque quelques quelqu chose choses gens fois faites avez-vous est-ce qu'est-ce peut-etre c'est aucunement apres
selon depuis pendant lorsque lorsqu puisque puisqu tandis alors voila aujourd hui hier demain maintenant
"""
# Informal Québec and France fillers, chat and SMS spellings.
_FR_INFORMAL = """
genre tse tsé pis faque fak coudonc mettons ouin ouain ben bin ya yé ye chu chus jsuis jsui jai jpense jsais
pantoute icitte asteure astheure tk entk pcq pck pk pq bcp tjrs tjs vrm vrmt svp stp mdr ptdr lol xd mdrr slt
cc bjr bsr merci mrc stp wesh bah euh heu hum hmm ah oh eh ha haha hahaha lmao omg wow ouf oups oupelai
tabarnak tabarnac crisse calisse osti ostie esti sacrament ciboire criss cte ste sti tlm kan koi ki
"""
_EN_STOP = """
a about above after again against all am an and any are aren't as at be because been before being below between
both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each few for from
further get gets got had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself him
himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself just let's me more most mustn't my
myself no nor not now of off on once only or other ought our ours ourselves out over own same shan't she she'd
she'll she's should shouldn't so some such than that that's the their theirs them themselves then there there's
these they they'd they'll they're they've this those through to too under until up us very was wasn't we we'd we'll
we're we've were weren't what what's when when's where where's which while who who's whom why why's will with
won't would wouldn't you you'd you'll you're you've your yours yourself yourselves also still even ever yet really
one two would could might must shall may much many lot lots thing things way something anything nothing go going
gone goes make made say said tell know think see want need yes yeah yep ok okay oh well like just another every back
"""
_EN_INFORMAL = """
lol lmao rofl omg wtf smh tbh imo imho idk btw fyi pls plz please thx thanks thank ty u ur im ive dont cant wont
didnt doesnt isnt wasnt youre thats theres whats gonna wanna gotta hey hi hello rt amp via haha hahaha ugh wow
"""

_NEGATORS = frozenset(["pas", "jamais", "not", "never", "no", "pantoute", "aucun", "aucune", "sans"])
_INTENSIFIERS = frozenset(
    ["tres", "trop", "si", "vraiment", "super", "vrm", "vrmt", "full", "assez", "tellement", "really", "very", "so", "too", "that"]
)
# Negators and intensifiers are stop words as unigrams; kept in their own
# sets so the clause walker can form "pas terrible".


def _fold_set(*blobs: str) -> frozenset[str]:
    return frozenset(fold(w) for b in blobs for w in b.split())


STOPWORDS = {
    "fr": _fold_set(_FR_STOP, _FR_INFORMAL),
    "en": _fold_set(_EN_STOP, _EN_INFORMAL),
}
_ALL_STOP = STOPWORDS["fr"] | STOPWORDS["en"]

# simplemma's English model strips "-ed" wrongly on these frequent words.
_LEMMA_OVERRIDES = {
    "en": {"cancelled": "cancel", "canceled": "cancel", "cancelling": "cancel", "canceling": "cancel",
           "cancellations": "cancellation", "gens": "gens"},
    "fr": {},
}

_TOK_RE = re.compile(r"([#@]?\w+(?:['\-]\w+|[.,]\d+)*)|([.!?;:,()\[\]{}\"|/…]+|\s[-–—]+\s)")
_DIGIT_RE = re.compile(r"\d")
# _TOK_RE without groups (no tuple per match) and with possessive runs (nothing
# after a run could match what it gave back, so the matches are the same, found
# ~1.4x faster): a word, or a punctuation run, which the walker treats as a break.
_FLAT_TOK_RE = re.compile(r"[#@]?\w++(?:['\-]\w++|[.,]\d++)*+|[.!?;:,()\[\]{}\"|/…]++|\s[-–—]+\s")

# Cache values: a tuple of items per raw token, each item one of
#   str (content lemma), _NEG, _INT, None (stop word: breaks bigrams).
_NEG = object()
_INT = object()
_CACHE_LIMIT = 500_000
_caches: dict[str, dict[str, tuple]] = {}


def _lang_key(language: str | None) -> str:
    if not language:
        return ""
    base = language.lower().replace("_", "-").split("-")[0]
    return base if base in ("fr", "en") else ""


def _classify_word(word: str, lang: str) -> object:
    if len(word) < 2 or _DIGIT_RE.search(word):
        return None
    f = fold(word)
    if f in _NEGATORS:
        return _NEG
    if f in _INTENSIFIERS:
        return _INT
    stops = STOPWORDS.get(lang, _ALL_STOP)
    if f in stops:
        return None
    if lang:
        lemma = _LEMMA_OVERRIDES[lang].get(word)
        if lemma is None:
            try:
                lemma = simplemma.lemmatize(word, lang=lang)
            except Exception:  # simplemma raises on odd input; the word itself is a fine lemma
                lemma = word
        lemma = lemma.lower()
    else:
        lemma = word
    fl = fold(lemma)
    if len(fl) < 2 or fl in stops:
        return None
    return lemma


def _analyse(tok: str, lang: str) -> tuple:
    if tok[0] == "@":
        return (None,)  # handles are people, not topics
    if tok[0] == "#":
        tok = tok[1:]
    if "'" in tok:
        head, _, rest = tok.partition("'")
        if fold(head) in ELISIONS:
            return (None,) + (_analyse(rest, lang) if rest else ())
        # "aujourd'hui", "don't": whole word, and the apostrophe-less
        # spelling is what the stop lists hold for English contractions.
        f = fold(tok)
        stops = STOPWORDS.get(lang, _ALL_STOP)
        if f in stops or f.replace("'", "") in stops:
            return (None,)
    if "-" in tok:
        # French inversions ("peut-on", "a-t-il") are grammar, not topics.
        parts = tok.split("-")
        if fold(parts[-1]) in {"on", "il", "elle", "ils", "elles", "je", "tu", "nous", "vous", "ce", "la", "le", "moi", "toi"}:
            return (None,)
    return (_classify_word(tok, lang),)


class _Excluder:
    def __init__(self, exclude: Iterable[str]):
        singles: set[str] = set()
        phrases: list[tuple[str, ...]] = []
        for e in exclude:
            words = tuple(w.lstrip("#@") for w in re.findall(r"[#@]?\w+", fold(e)))
            if not words:
                continue
            if len(words) == 1:
                singles.add(words[0])
            else:
                phrases.append(words)
                singles.add("".join(words))  # "#BellCanada"
        self.singles = frozenset(singles)
        self.phrases = phrases
        self.firsts = frozenset(p[0] for p in phrases)

    def __bool__(self) -> bool:
        return bool(self.singles or self.phrases)


def _clauses(text: str) -> list[list[str]]:
    t = strip_urls(normalize_punct(text)).lower()
    out: list[list[str]] = [[]]
    for word, punct in _TOK_RE.findall(t):
        if word:
            out[-1].append(word)
        elif out[-1]:
            out.append([])
    return out


_excl_keys: dict[str, str] = {}  # raw token -> folded, without #/@ (what _Excluder compares)


def _excl_key(w: str) -> str:
    k = _excl_keys.get(w)
    if k is None:
        k = fold(w).lstrip("#@")
        if len(_excl_keys) < _CACHE_LIMIT:
            _excl_keys[w] = k
    return k


_BREAK = (None,)  # a punctuation run, a dropped brand word: ends any bigram or negation


def _terms_one(text: str, lang: str, excl: _Excluder, cache: dict) -> list[str]:
    """Terms of one text, walking its tokens once.

    A clause start and a stop word reset the same state (no pending negation,
    no previous lemma), so the text is walked as one flat token list in which
    each punctuation run is a token analysed as a stop word; exclusion phrases
    hold only words, so they cannot match across a clause either.
    tests/test_terms.py checks this equals the clause-by-clause walker.
    """
    if not text:
        return []
    flat = _FLAT_TOK_RE.findall(strip_urls(normalize_punct(text)).lower())
    if not flat:
        return []
    items = list(map(cache.get, flat))
    if None in items:
        for i, r in enumerate(items):
            if r is None:
                w = flat[i]
                c = w[0]
                # A word starts with #, @ or a word character; a punctuation run never does.
                r = _analyse(w, lang) if c in "#@_" or c.isalnum() else _BREAK
                if len(cache) < _CACHE_LIMIT:
                    cache[w] = r
                items[i] = r
    if excl:
        singles = excl.singles
        keys = list(map(_excl_keys.get, flat))
        if None in keys:
            keys = [k if k is not None else _excl_key(w) for k, w in zip(keys, flat)]
        drop = None
        if not singles.isdisjoint(keys):
            drop = [k in singles for k in keys]
        if excl.phrases and not excl.firsts.isdisjoint(keys):
            drop = drop or [False] * len(flat)
            for i, k in enumerate(keys):
                if k in excl.firsts:
                    for ph in excl.phrases:
                        if tuple(keys[i : i + len(ph)]) == ph:
                            for j in range(i, i + len(ph)):
                                drop[j] = True
        if drop is not None:
            items = [_BREAK if d else r for d, r in zip(drop, items)]
    seen: dict[str, None] = {}
    add = seen.setdefault
    neg_prefix = "pas " if lang != "en" else "not "
    # The state is a pending negation and the previous content lemma (for bigrams).
    prev: str | None = None
    neg = False
    for it in chain.from_iterable(items):
        if it is None:
            neg, prev = False, None
        elif it is _NEG:
            neg, prev = True, None
        elif it is _INT:
            prev = None  # keep a pending negation: "pas très bon"
        elif neg:
            add(neg_prefix + it)
            neg, prev = False, None
        else:
            add(it)
            if prev is not None and prev != it:
                add(f"{prev} {it}")
            prev = it
    return list(seen)


def extract_terms(text: str, language: str | None, exclude: Iterable[str] = ()) -> list[str]:
    """Distinct content lemmas and bigrams of one mention, first-seen order.

    ``language`` is "fr", "en" (regional variants like "fr-CA" accepted);
    anything else uses both stop lists and no lemmatisation.
    """
    lang = _lang_key(language)
    return _terms_one(text, lang, _Excluder(exclude), _caches.setdefault(lang, {}))


def extract_terms_many(
    texts: Sequence[str], languages: str | None | Sequence[str | None], exclude: Iterable[str] = ()
) -> list[list[str]]:
    """``extract_terms`` over many texts; ``languages`` is one code or one per text."""
    excl = _Excluder(exclude)
    if languages is None or isinstance(languages, str):
        langs = [_lang_key(languages)] * len(texts)
    else:
        if len(languages) != len(texts):
            raise ValueError("languages must be one code or one per text")
        langs = [_lang_key(x) for x in languages]
    caches = {k: _caches.setdefault(k, {}) for k in set(langs)}
    return [_terms_one(t, lg, excl, caches[lg]) for t, lg in zip(texts, langs)]


RISING_FORMULA = (
    "G² = 2·[a·ln(a/E₁) + b·ln(b/E₂)], E₁ = c·(a+b)/(c+d), E₂ = d·(a+b)/(c+d); "
    "a, b = term count in recent / baseline window, c, d = all terms counted in each window; "
    "score = +G² when a/c > b/d, else −G²"
)


def _g2(a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray) -> np.ndarray:
    tot = c + d
    with np.errstate(divide="ignore", invalid="ignore"):
        e1 = c * (a + b) / tot
        e2 = d * (a + b) / tot
        t1 = np.where(a > 0, a * np.log(a / e1), 0.0)
        t2 = np.where(b > 0, b * np.log(b / e2), 0.0)
        g2 = 2.0 * (t1 + t2)
        g2 = np.where(np.isfinite(g2), g2, 0.0)
        rising = a * d > b * c
    return np.where(rising, g2, -g2)


def rising_terms(
    counts: pd.DataFrame,
    now,
    recent_days: int = 1,
    baseline_days: int = 28,
    min_count: int = 3,
) -> pd.DataFrame:
    """Terms whose share of recent mentions is above their baseline share.

    Score (Dunning log-likelihood, signed):
    G² = 2·[a·ln(a/E₁) + b·ln(b/E₂)], E₁ = c·(a+b)/(c+d), E₂ = d·(a+b)/(c+d); a, b = term count in recent / baseline window, c, d = all terms counted in each window; score = +G² when a/c > b/d, else −G²

    G² behaves well for small counts and for terms absent from the baseline
    (b = 0), unlike a ratio or a z-score; 3.84 is p < 0.05 and 10.8 is
    p < 0.001 for one term taken alone.  Using shares (c, d) rather than raw
    counts means a general rise in volume does not make every term "rising".

    ``counts`` has columns term, day, n (and optionally brand: each brand is
    scored against its own totals).  The recent window is the
    ``recent_days`` calendar days ending on ``now``'s day, inclusive; the
    baseline is the ``baseline_days`` days just before it.  c and d are the
    sums of n over ``counts`` in each window, so pass all terms, not a top-N.

    Returns columns [brand,] term, recent, baseline, baseline_rate (baseline
    count per day), expected (recent count expected from the baseline
    share), score; only terms with recent >= min_count and score > 0,
    sorted by score descending, then term.
    """
    cols = ["term", "recent", "baseline", "baseline_rate", "expected", "score"]
    has_brand = "brand" in counts.columns
    if has_brand:
        cols = ["brand"] + cols
    if counts.empty:
        return pd.DataFrame(columns=cols)
    day = _to_day(counts["day"])
    now_day = _to_day(pd.Series([now])).iloc[0]
    recent_start = now_day - pd.Timedelta(days=recent_days - 1)
    base_start = recent_start - pd.Timedelta(days=baseline_days)
    window = np.where(
        (day >= recent_start) & (day <= now_day), "recent", np.where((day >= base_start) & (day < recent_start), "baseline", "")
    )
    df = counts.assign(_w=window)
    df = df[df["_w"] != ""]
    keys = (["brand"] if has_brand else []) + ["term"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    piv = df.pivot_table(index=keys, columns="_w", values="n", aggfunc="sum", fill_value=0)
    for w in ("recent", "baseline"):
        if w not in piv.columns:
            piv[w] = 0
    piv = piv[["recent", "baseline"]].astype(float).reset_index()
    if has_brand:
        tot = piv.groupby("brand")[["recent", "baseline"]].transform("sum")
        c, d = tot["recent"].to_numpy(), tot["baseline"].to_numpy()
    else:
        c = np.full(len(piv), piv["recent"].sum())
        d = np.full(len(piv), piv["baseline"].sum())
    a, b = piv["recent"].to_numpy(), piv["baseline"].to_numpy()
    piv["score"] = _g2(a, b, c, d)
    piv["baseline_rate"] = b / baseline_days
    with np.errstate(divide="ignore", invalid="ignore"):
        piv["expected"] = np.where(d > 0, b * c / d, np.nan)
    out = piv[(piv["recent"] >= min_count) & (piv["score"] > 0)]
    out = out.sort_values(["score", "term"], ascending=[False, True], kind="mergesort")
    out = out[cols].reset_index(drop=True)
    out["recent"] = out["recent"].astype(int)
    out["baseline"] = out["baseline"].astype(int)
    return out


def _to_day(s: pd.Series) -> pd.Series:
    ts = pd.to_datetime(s)
    if getattr(ts.dt, "tz", None) is not None:
        ts = ts.dt.tz_localize(None)
    return ts.dt.normalize()
