"""Shared text normalisation helpers for the analysis functions.

Everything here is pure and dependency-free so that matching, term
extraction, question detection and story grouping all agree on what a
"word" is.  Two levels exist on purpose:

* ``fold`` is for comparing: lowercase, no accents, one kind of apostrophe
  and quote, single spaces.  Social text drops accents freely ("Videotron",
  "decu"), so anything that decides *whether* two strings are the same
  works on folded text.
* ``tokenize`` keeps accents (lowercased) because the lemmatiser needs them
  ("était" -> "être", "etait" is unknown).
"""

from __future__ import annotations

import html
import re
import unicodedata
from html.parser import HTMLParser

__all__ = [
    "fold",
    "fold_fast",
    "normalize_punct",
    "tokenize",
    "split_clauses",
    "strip_markup",
    "strip_urls",
    "ELISIONS",
]

# Typographic variants seen in French press and phone keyboards; folding them
# first means every later regex only has to know "'" and '"'.
_PUNCT_TABLE = str.maketrans(
    {
        "\u2019": "'", "\u2018": "'", "\u201b": "'", "\u02bc": "'", "\u02b9": "'",
        "`": "'", "\u00b4": "'", "\u2032": "'", "\uff07": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"',
        "\u00ab": '"', "\u00bb": '"', "\u2039": '"', "\u203a": '"', "\u2033": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u2015": "-", "\u2212": "-",
        "\u2026": "...",
        "\u00a0": " ", "\u202f": " ", "\u2007": " ", "\u2009": " ", "\u200a": " ",
        "\u200b": "", "\u200c": "", "\u200d": "", "\ufeff": "", "\u00ad": "",
    }
)

# Ligatures and letters that NFKD does not decompose but that French and
# German users type interchangeably with their ASCII spelling.
_LETTER_TABLE = str.maketrans(
    {"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l", "ı": "i", "ð": "d", "þ": "th"}
)

_COMBINING_RE = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_WS_RE = re.compile(r"\s+")

_PUNCT_MAP = {chr(k): v for k, v in _PUNCT_TABLE.items()}
_SPECIAL_MAP = {**_PUNCT_MAP, **{chr(k): v for k, v in _LETTER_TABLE.items()}}
# str.translate with a dict costs ~40 ns per character; a regex that only
# touches the rare special characters is ~10x faster on typical text.
_PUNCT_RE = re.compile("[" + re.escape("".join(_PUNCT_MAP)) + "]")
_SPECIAL_RE = re.compile("[" + re.escape("".join(_SPECIAL_MAP)) + "]")


def _punct_sub(m: re.Match) -> str:
    return _SPECIAL_MAP[m.group()]


def normalize_punct(text: str) -> str:
    """Map typographic apostrophes, quotes, dashes and odd spaces to ASCII."""
    if text.isascii():
        return text
    return _PUNCT_RE.sub(_punct_sub, text)


_NOT_FOLDABLE_RE = re.compile(r"[^\x00-\x7f\u0300-\u036f]")


def _fold_chars(t: str) -> str:
    """Accent/ligature/punctuation folding of already-lowercased text."""
    if t.isascii():
        return t
    t = _SPECIAL_RE.sub(_punct_sub, t)
    n = unicodedata.normalize("NFKD", t)
    if not _NOT_FOLDABLE_RE.search(n):
        # Only ASCII plus combining accents left: dropping non-ASCII is exact
        # and ~4x cheaper than a regex removal.
        return n.encode("ascii", "ignore").decode("ascii")
    n = _COMBINING_RE.sub("", n)
    # Recompose scripts that NFKD splits without accents (Hangul...).
    return unicodedata.normalize("NFC", n)


def fold(text: str) -> str:
    """Lowercase, strip accents, normalise apostrophes/quotes, collapse spaces.

    ``fold("  L’ÉTÉ  à Montréal ")`` -> ``"l'ete a montreal"``.
    """
    if not text:
        return ""
    return " ".join(_fold_chars(text.lower()).split())


def fold_fast(text: str) -> str:
    """``fold`` without whitespace collapsing, for callers that tokenise next."""
    return _fold_chars(text.lower()) if text else ""


_URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"]+", re.IGNORECASE)
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_EMAIL_HINT_RE = re.compile(r"\w@")


def strip_urls(text: str, repl: str = " ") -> str:
    """Remove URLs and e-mail addresses (their '?', '.', words are noise)."""
    # Cheap substring checks first: the full regexes cost ~10 us per text.
    if "://" in text or "www." in text or "WWW." in text:
        text = _URL_RE.sub(repl, text)
    if "@" in text and _EMAIL_HINT_RE.search(text):
        text = _EMAIL_RE.sub(repl, text)
    return text


# French elided forms split from the following word: "l'avion" -> "l'", "avion".
# "aujourd'hui", "prud'hommes" and English "don't" are left whole because
# their prefix is not in this list.
ELISIONS = frozenset(
    ["l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu", "presqu", "quelqu"]
)

# A token: optional #/@, then letters/digits, with inner apostrophes, hyphens,
# dots between digits or underscores.  Punctuation between tokens is a
# separator; clause punctuation is reported by split_clauses.
_TOKEN_RE = re.compile(r"[#@]?\w+(?:['\-]\w+|[.,]\d+)*")
_CLAUSE_RE = re.compile(r"[.!?;:,()\[\]{}\"|/\n\r\t…]+|\s-+\s|\s+[–—]\s+")


def _split_elision(tok: str, out: list[str]) -> None:
    if "'" in tok and tok[0] not in "#@":
        head, _, rest = tok.partition("'")
        if head in ELISIONS or fold(head) in ELISIONS:
            out.append(head + "'")
            if rest:
                _split_elision(rest, out)
            return
    out.append(tok)


def tokenize(text: str) -> list[str]:
    """Split text into lowercase word tokens, accents kept.

    * French elisions are split: "l'avion" -> ["l'", "avion"], "qu'il" ->
      ["qu'", "il"]; "aujourd'hui" stays whole; English "don't" stays whole.
    * "#hashtags" and "@handles" are single tokens, prefix kept.
    * URLs and e-mail addresses are dropped.
    * Hyphenated words stay whole ("peut-on", "wi-fi"); numbers stay
      ("5,99", "2024").
    """
    if not text:
        return []
    t = strip_urls(normalize_punct(text)).lower()
    out: list[str] = []
    for tok in _TOKEN_RE.findall(t):
        if "'" in tok:
            _split_elision(tok, out)
        else:
            out.append(tok)
    return out


def split_clauses(text: str) -> list[str]:
    """Split text at sentence and clause punctuation (for bigram adjacency)."""
    if not text:
        return []
    t = strip_urls(normalize_punct(text))
    return [c for c in _CLAUSE_RE.split(t) if c.strip()]


_BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer form h1 h2 h3 h4 h5 h6 "
    "header hr li main nav ol p pre section table tbody td tfoot th thead tr ul".split()
)
_SKIP_TAGS = frozenset(["script", "style", "noscript", "template", "svg", "iframe", "head", "object"])


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP_TAGS:
            self.skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt and not self.skip:
                self.parts.append(f" {alt} ")

    def handle_startendtag(self, tag, attrs):
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")
        elif tag == "img":
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


_TAG_HINT_RE = re.compile(r"<[a-zA-Z!/?]")
_LINE_WS_RE = re.compile(r"[ \t\f\v\u00a0\u202f]+")
_MULTI_NL_RE = re.compile(r"\s*\n\s*")


def strip_markup(text: str) -> str:
    """HTML (or HTML fragments, or plain text with entities) to plain text.

    Never raises: script/style/comments are dropped, block elements become
    line breaks, entities are decoded, unclosed or broken tags are tolerated.
    """
    if not text:
        return ""
    if not _TAG_HINT_RE.search(text):
        out = html.unescape(text)
    else:
        parser = _TextExtractor()
        try:
            parser.feed(text)
            parser.close()
            out = "".join(parser.parts)
        except Exception:  # the stdlib parser is lenient, but never let markup kill a batch
            out = html.unescape(re.sub(r"<[^>]*>", " ", text))
    out = _LINE_WS_RE.sub(" ", out)
    out = _MULTI_NL_RE.sub("\n", out)
    return out.strip()
