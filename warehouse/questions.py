"""Content ideas: the questions people ask, grouped by theme.

A sentence is a question when it ends with "?" (URLs removed first, so
"?utm=..." does not count) or opens like one: French "comment",
"pourquoi", "est-ce que", "quelqu'un sait/a/peut/connaît", "savez-vous",
"y a-t-il", a verb-subject inversion at the start ("peut-on", "faut-il",
"dois-je", "a-t-il"; "rendez-vous" is not one); English "how do/can/to",
"why", "does anyone", "anyone know", "is there", "can I/you/anyone",
auxiliary + pronoun ("do you", "is it").  Weak openers ("quand", "où",
"qui", "what", "when", "where") count only with a "?".

``group_questions`` clusters questions by shared content lemmas (TF-IDF
over ``terms.extract_terms`` unigrams, cosine similarity, average-link
agglomeration with a fixed threshold): deterministic, labelled by the top
terms of each group.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from .terms import extract_terms_many
from .textnorm import fold, strip_urls

__all__ = ["is_question", "extract_questions", "group_questions", "Group"]

_FR_STRONG = re.compile(
    r"^(?:comment|pourquoi|combien|est-ce qu|est ce qu|qu'est-ce|qu est-ce|quelqu'un (?:sait|saurait|a|aurait|peut|pourrait|conna[iî]t|connait)"
    r"|savez-vous|sais-tu|sauriez-vous|connaissez-vous|conna[iî]tes-vous|y a-t-il|y aurait-il|quel(?:le)?s? (?:est|sont|serait)"
    r"|auriez-vous|avez-vous|pouvez-vous|pourriez-vous|vous savez si|des id[eé]es)\b"
)
_FR_ANYWHERE = re.compile(r"\b(?:est-ce qu|est ce qu|quelqu'un sait|quelqu'un conna[iî]t|savez-vous|sais-tu|y a-t-il)")
_FR_INVERSION = re.compile(r"^(?:\w+ )?\w+-(?:t-)?(?:je|tu|il|elle|on|nous|vous|ils|elles)\b")
_FR_NOT_INVERSION = re.compile(r"^(?:\w+ )?(?:rendez-vous|vous-m[eê]me|nous-m[eê]mes|vis-a-vis|c'est-a-dire|peut-etre|dites-moi)\b")
_EN_STRONG = re.compile(
    r"^(?:how (?:do|does|did|can|could|should|would|to|much|many|long|come|is|are)|why|does anyone|did anyone|has anyone|"
    r"anyone (?:know|else|have|tried)|any (?:idea|ideas|tips|advice)|is there|are there|can (?:i|you|we|anyone|someone)|"
    r"could (?:i|you|we|anyone|someone)|should (?:i|we)|what (?:is|are|does|do|should|can|would|time)|which|"
    r"(?:do|does|did|is|are|was|were|will|would|have|has) (?:you|i|we|they|it|anyone|someone|there|he|she)\b)"
)
_EN_ANYWHERE = re.compile(r"\b(?:does anyone|anyone know|any idea)\b")
# A run of non-terminators ending in [.!?]+ or at the end of the text; a line
# with no final punctuation followed by more text is not taken (as before).
# The lookbehind starts matches only at a run's first character and the run is
# possessive: the plain `[^.!?\n]+(?:[.!?]+|$)` backtracked over every such
# line from every start position, quadratic, 55 us of a 200-character post.
_SENT_RE = re.compile(r"(?<![^.!?\n])[^.!?\n]++(?:[.!?]+|$)|\n")
_LEADING_HANDLES = re.compile(r"^(?:@\w+\s*)+")
_LEADING_NON_WORD = re.compile(r"^[\W_]+")


def _norm_sentence(s: str) -> str:
    return _LEADING_NON_WORD.sub("", _LEADING_HANDLES.sub("", fold(s)))


def _sentence_is_question(s: str, lang: str) -> bool:
    """``s`` is one stripped, non-empty sentence of ``_sentences`` (URLs already removed)."""
    if s.rstrip(" )\"'»*").endswith("?") or "?" in s.rstrip()[-3:]:
        return True
    f = _norm_sentence(s)
    if lang in ("fr", ""):
        if _FR_STRONG.search(f) or (_fr_anywhere_possible(f) and _FR_ANYWHERE.search(f)):
            return True
        if "-" in f and _FR_INVERSION.search(f) and not _FR_NOT_INVERSION.search(f):
            return True
    if lang in ("en", ""):
        # Every _EN_ANYWHERE phrase contains "any".
        if _EN_STRONG.search(f) or ("any" in f and _EN_ANYWHERE.search(f)):
            return True
    return False


def _fr_anywhere_possible(f: str) -> bool:
    """False when no _FR_ANYWHERE phrase can occur in ``f`` (substring tests, ~10x cheaper
    than the unanchored search): each phrase contains one of these literals."""
    return "est" in f or "quelqu'un " in f or "savez-vous" in f or "sais-tu" in f or "y a-t-il" in f


def _lang(language: str | None) -> str:
    base = (language or "").lower().split("-")[0].split("_")[0]
    return base if base in ("fr", "en") else ""


def _sentences(text: str) -> list[str]:
    """Stripped, non-empty sentences of ``text`` with URLs and e-mails removed.

    The removal runs once per text: a sentence of the cleaned text has no URL
    left, so the per-sentence check does not repeat it.
    """
    t = strip_urls(text or "")
    return [s for s in map(str.strip, _SENT_RE.findall(t)) if s]


def is_question(text: str, language: str | None) -> bool:
    """True when any sentence of ``text`` is a question (see module doc)."""
    lang = _lang(language)
    return any(_sentence_is_question(s, lang) for s in _sentences(text))


def extract_questions(text: str, language: str | None) -> list[str]:
    """The question sentences of ``text``, in order, stripped."""
    lang = _lang(language)
    return [s for s in _sentences(text) if _sentence_is_question(s, lang)]


@dataclass
class Group:
    label: str  # top terms joined with " · "
    terms: tuple[str, ...]
    members: list[int] = field(default_factory=list)  # indices into the input list
    questions: list[str] = field(default_factory=list)


def group_questions(
    questions: list[str],
    languages: str | None | Sequence[str | None] = "fr",
    threshold: float = 0.25,
    exclude: Sequence[str] = (),
    label_terms: int = 3,
) -> list[Group]:
    """Group similar questions; groups sorted by size then first member.

    The same question asked many times (copied posts, FAQ threads) is grouped
    once: the quadratic similarity pass runs over distinct texts only, then
    every copy joins its text's group.
    """
    langs = [languages] * len(questions) if languages is None or isinstance(languages, str) else list(languages)
    first: dict[str, int] = {}
    copies: dict[int, list[int]] = {}
    for i, q in enumerate(questions):
        key = " ".join(q.casefold().split())
        j = first.setdefault(key, i)
        copies.setdefault(j, []).append(i)
    distinct = sorted(copies)
    if len(distinct) == len(questions):
        return _group_distinct(questions, languages, threshold, exclude, label_terms)
    groups = _group_distinct([questions[j] for j in distinct], [langs[j] for j in distinct],
                             threshold, exclude, label_terms)
    out = []
    for g in groups:
        members = sorted(i for m in g.members for i in copies[distinct[m]])
        out.append(Group(g.label, g.terms, members, [questions[i] for i in members]))
    out.sort(key=lambda g: (-len(g.members), g.members[0]))
    return out


def _group_distinct(
    questions: list[str],
    languages: str | None | Sequence[str | None] = "fr",
    threshold: float = 0.25,
    exclude: Sequence[str] = (),
    label_terms: int = 3,
) -> list[Group]:
    """Group similar questions; groups sorted by size then first member.

    ``threshold`` is the minimum average cosine similarity between two
    groups for them to merge.  Questions without any content term form
    one group labelled "(autres)".  Quadratic in the number of questions:
    meant for the few thousand questions of a report period.
    """
    n = len(questions)
    if n == 0:
        return []
    terms = [
        [t for t in ts if " " not in t]
        for ts in extract_terms_many(questions, languages, exclude=exclude)
    ]
    vocab = sorted({t for ts in terms for t in ts})
    vidx = {t: i for i, t in enumerate(vocab)}
    empty = [i for i, ts in enumerate(terms) if not ts]
    rows = [i for i, ts in enumerate(terms) if ts]
    groups: list[Group] = []
    if rows:
        df = np.zeros(len(vocab))
        for i in rows:
            for t in terms[i]:
                df[vidx[t]] += 1
        idf = np.log((1 + len(rows)) / (1 + df)) + 1.0
        X = np.zeros((len(rows), len(vocab)))
        for r, i in enumerate(rows):
            for t in terms[i]:
                X[r, vidx[t]] = idf[vidx[t]]
        X /= np.linalg.norm(X, axis=1, keepdims=True)
        clusters = _average_link(X @ X.T, threshold)
        for members in clusters:
            idx = [rows[r] for r in members]
            weight = X[members].sum(axis=0)
            order = sorted(np.flatnonzero(weight), key=lambda j: (-round(float(weight[j]), 9), vocab[j]))
            top = tuple(vocab[j] for j in order[:label_terms])
            groups.append(Group(" · ".join(top), top, idx, [questions[i] for i in idx]))
    if empty:
        groups.append(Group("(autres)", (), empty, [questions[i] for i in empty]))
    groups.sort(key=lambda g: (-len(g.members), g.members[0]))
    return groups


def _average_link(sim: np.ndarray, threshold: float) -> list[list[int]]:
    """Deterministic average-link agglomeration; ties go to the lowest indices."""
    clusters: dict[int, list[int]] = {i: [i] for i in range(len(sim))}
    S = sim.astype(float).copy()
    np.fill_diagonal(S, -np.inf)
    active = np.ones(len(sim), dtype=bool)
    while True:
        masked = np.where(active[:, None] & active[None, :], S, -np.inf)
        flat = int(np.argmax(masked))
        a, b = divmod(flat, len(sim))
        if not math.isfinite(masked[a, b]) or masked[a, b] < threshold:
            break
        a, b = min(a, b), max(a, b)
        na, nb = len(clusters[a]), len(clusters[b])
        S[a, :] = (S[a, :] * na + S[b, :] * nb) / (na + nb)
        S[:, a] = S[a, :]
        S[a, a] = -np.inf
        active[b] = False
        clusters[a] = sorted(clusters[a] + clusters.pop(b))
    return [clusters[i] for i in sorted(clusters)]
