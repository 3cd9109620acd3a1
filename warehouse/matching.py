"""Brand matching: which watched brands does a mention talk about?

Semantics (shown to users in the brand settings):

* Matching works on folded text (lowercase, no accents, see
  ``textnorm.fold``) split into words ``[#@]?\\w+``.  An alias matches whole
  words only: "Bell" does not match "Bellerive" or "belle"; "videotron"
  matches "Vidéotron", "VIDEOTRON", "#videotron" and "@videotron".  A
  hyphen or apostrophe separates words ("Bell-Canada", "d'Orange").
  Underscores are part of a word, so "@bell_canada" is one word: add it as
  its own alias when it matters.
* An alias written with "#" or "@" ("@videotron") matches only that
  hashtag/handle.  A multi-word alias ("Bell Canada") also matches its
  glued forms "bellcanada", "#BellCanada", "@bell_canada".  "McDonald's"
  also matches "McDonalds".
* Exclusions are phrases.  An occurrence of an alias that lies inside an
  occurrence of one of the brand's exclusion phrases does not count; other
  occurrences in the same text still do.  With exclusion "Centre Bell",
  "match au Centre Bell" is not a Bell mention, "Bell augmente ses prix près
  du Centre Bell" is.  Exclusions do not reorder words: list "Bell Centre"
  too if both orders occur.
* A brand may have a boolean ``query``.  When present it REPLACES the
  aliases for matching (aliases are then only labels, e.g. for excluding
  brand names from topics); exclusions still apply: query terms inside an
  exclusion phrase are ignored.

Query syntax (operators are UPPERCASE only, so the French words "ou", "et"
and the English "or", "and", "not" in lower case are plain words):

    "quoted phrase"   bare words   forfait*   (prefix wildcard)
    a AND b    a b  (implicit AND)    a OR b    NOT a    -a    -"a phrase"
    ( ... )    a NEAR/3 b  (at most 3 words between a and b, either order)

Precedence, tightest first: NEAR, NOT, AND, OR.  NEAR operands are words,
phrases, or parenthesised ORs of words and phrases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from .textnorm import fold, fold_fast

__all__ = [
    "QuerySyntaxError",
    "BrandRule",
    "BrandMatcher",
    "Query",
    "parse_query",
    "compile_query",
]

_MATCH_TOKEN_RE = re.compile(r"[#@]?\w+")
_MATCH_TOKEN_ASCII_RE = re.compile(r"[#@]?\w+", re.ASCII)  # same tokens on ASCII-only text


class QuerySyntaxError(ValueError):
    """A query could not be parsed; ``position`` is a 0-based character offset."""

    def __init__(self, query: str, position: int, message: str):
        self.query = query
        self.position = position
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"position {self.position}: {self.message}\n{self.query}\n{' ' * self.position}^"


@dataclass(frozen=True)
class BrandRule:
    name: str
    aliases: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    query: str | None = None


# --------------------------------------------------------------------------
# Word patterns (shared by aliases, exclusions and query terms)
# --------------------------------------------------------------------------

# One word of a pattern: (text, prefix, wildcard).  prefix is "#"/"@" when
# the pattern insists on a hashtag/handle, else "".  text has no prefix.
_Word = tuple[str, str, bool]


def _pattern_variants(phrase: str, allow_wildcard: bool = False) -> list[tuple[_Word, ...]]:
    """Compile a user phrase to word sequences; several spellings per phrase."""
    f = fold(phrase)
    raw = re.findall(r"[#@]?\w+\*?", f) if allow_wildcard else _MATCH_TOKEN_RE.findall(f)
    if not raw:
        return []
    words: list[_Word] = []
    for i, tok in enumerate(raw):
        prefix = tok[0] if tok[0] in "#@" else ""
        body = tok[len(prefix):]
        wildcard = allow_wildcard and body.endswith("*")
        body = body.rstrip("*")
        # A '#' in the middle of a phrase is noise; only the first word can insist.
        words.append((body, prefix if i == 0 else "", wildcard))
    variants = [tuple(words)]
    if len(words) > 1 and not any(w[2] for w in words[:-1]):
        prefix = words[0][1]
        for joiner in ("", "_"):
            glued = joiner.join(w[0] for w in words)
            variants.append(((glued, prefix, words[-1][2]),))
    return variants


class _TextView:
    """Tokens of one folded text, with lazily built position lookups."""

    __slots__ = ("raw", "bare", "_pos_bare", "_pos_raw")

    def __init__(self, folded: str, raw: list[str] | None = None, bare: list[str] | None = None):
        # raw/bare: the tokens BrandMatcher already split (same lists as computed here).
        self.raw = _MATCH_TOKEN_RE.findall(folded) if raw is None else raw
        if bare is not None:
            self.bare = bare
        elif "#" in folded or "@" in folded:
            self.bare = [t[1:] if t[0] in "#@" else t for t in self.raw]
        else:
            self.bare = self.raw
        self._pos_bare: dict[str, list[int]] | None = None
        self._pos_raw: dict[str, list[int]] | None = None

    def positions(self, word: _Word) -> list[int]:
        text, prefix, wildcard = word
        if wildcard:
            src = self.raw if prefix else self.bare
            want = prefix + text
            return [i for i, t in enumerate(src) if t.startswith(want)]
        if prefix:
            if self._pos_raw is None:
                self._pos_raw = _index(self.raw)
            return self._pos_raw.get(prefix + text, [])
        if self._pos_bare is None:
            self._pos_bare = _index(self.bare)
        return self._pos_bare.get(text, [])

    def spans(self, variants: Sequence[tuple[_Word, ...]]) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        bare = self.bare
        n = len(bare)
        for var in variants:
            first, rest = var[0], var[1:]
            for i in self.positions(first):
                end = i + 1 + len(rest)
                if end > n:
                    continue
                ok = True
                for j, (text, _prefix, wildcard) in enumerate(rest, start=i + 1):
                    tok = bare[j]
                    if not (tok.startswith(text) if wildcard else tok == text):
                        ok = False
                        break
                if ok:
                    out.append((i, end))
        return out


def _index(tokens: list[str]) -> dict[str, list[int]]:
    d: dict[str, list[int]] = {}
    for i, t in enumerate(tokens):
        lst = d.get(t)
        if lst is None:
            d[t] = [i]
        else:
            lst.append(i)
    return d


def _outside(spans: list[tuple[int, int]], masked: list[tuple[int, int]]) -> list[tuple[int, int]]:
    if not masked:
        return spans
    return [s for s in spans if not any(m0 <= s[0] and s[1] <= m1 for m0, m1 in masked)]


# --------------------------------------------------------------------------
# Query language
# --------------------------------------------------------------------------


class _Node:
    def eval(self, view: _TextView, masked: list[tuple[int, int]]) -> bool:  # pragma: no cover
        raise NotImplementedError

    def triggers(self) -> frozenset[str] | None:
        """First-word keys at least one of which must occur for a match (None: unknown)."""
        return None


@dataclass(eq=False)
class _Term(_Node):
    source: str
    variants: list
    position: int

    def spans(self, view, masked):
        return _outside(view.spans(self.variants), masked)

    def eval(self, view, masked):
        return bool(self.spans(view, masked))

    def triggers(self):
        keys = set()
        for var in self.variants:
            text, prefix, wildcard = var[0]
            if wildcard:
                return None
            keys.add(prefix + text)
        return frozenset(keys)

    def __str__(self):
        return self.source


@dataclass(eq=False)
class _And(_Node):
    children: list

    def eval(self, view, masked):
        return all(c.eval(view, masked) for c in self.children)

    def triggers(self):
        best = None
        for c in self.children:
            t = c.triggers()
            if t is not None and (best is None or len(t) < len(best)):
                best = t
        return best

    def __str__(self):
        return "(" + " AND ".join(map(str, self.children)) + ")"


@dataclass(eq=False)
class _Or(_Node):
    children: list

    def eval(self, view, masked):
        return any(c.eval(view, masked) for c in self.children)

    def spans(self, view, masked):
        return [s for c in self.children for s in c.spans(view, masked)]

    def triggers(self):
        keys: set[str] = set()
        for c in self.children:
            t = c.triggers()
            if t is None:
                return None
            keys |= t
        return frozenset(keys)

    def __str__(self):
        return "(" + " OR ".join(map(str, self.children)) + ")"


@dataclass(eq=False)
class _Not(_Node):
    child: _Node

    def eval(self, view, masked):
        return not self.child.eval(view, masked)

    def __str__(self):
        return f"NOT {self.child}"


@dataclass(eq=False)
class _Near(_Node):
    left: _Node
    right: _Node
    distance: int

    def eval(self, view, masked):
        a = self.left.spans(view, masked)
        if not a:
            return False
        b = self.right.spans(view, masked)
        n = self.distance
        for a0, a1 in a:
            for b0, b1 in b:
                gap = b0 - a1 if b0 >= a1 else a0 - b1
                if gap <= n:
                    return True
        return False

    def triggers(self):
        return _And([self.left, self.right]).triggers()

    def __str__(self):
        return f"({self.left} NEAR/{self.distance} {self.right})"


@dataclass(frozen=True)
class Query:
    """A parsed query; ``str(q)`` is a fully parenthesised canonical form."""

    source: str
    root: _Node = field(repr=False)

    def matches_folded(self, folded: str) -> bool:
        return self.root.eval(_TextView(folded), [])

    def __call__(self, text: str) -> bool:
        return self.matches_folded(fold_fast(text))

    def __str__(self) -> str:
        return str(self.root)


_QUOTES_OPEN = {'"': '"', "\u201c": "\u201d", "\u00ab": "\u00bb", "\u201e": "\u201c"}
_QUOTES_CLOSE = set('"\u201d\u00bb\u201c')
_NEAR_RE = re.compile(r"NEAR/(\S*)")
_WORD_STOP = set("()\"\u201c\u201d\u00ab\u00bb\u201e") 


@dataclass
class _Tok:
    kind: str  # WORD PHRASE AND OR NOT MINUS LP RP NEAR END
    text: str
    pos: int
    value: int = 0


def _lex(q: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(q)
    while i < n:
        c = q[i]
        if c.isspace():
            i += 1
        elif c == "(":
            toks.append(_Tok("LP", c, i))
            i += 1
        elif c == ")":
            toks.append(_Tok("RP", c, i))
            i += 1
        elif c in _QUOTES_OPEN:
            j = i + 1
            while j < n and q[j] not in _QUOTES_CLOSE:
                j += 1
            if j >= n:
                raise QuerySyntaxError(q, i, "unclosed quote")
            toks.append(_Tok("PHRASE", q[i + 1 : j], i))
            i = j + 1
        elif c == "-" and i + 1 < n and not q[i + 1].isspace() and q[i + 1] != ")":
            toks.append(_Tok("MINUS", c, i))
            i += 1
        else:
            j = i
            while j < n and not q[j].isspace() and q[j] not in _WORD_STOP:
                j += 1
            word = q[i:j]
            if word in ("AND", "OR", "NOT"):
                toks.append(_Tok(word, word, i))
            elif word.startswith("NEAR/") or word == "NEAR":
                m = _NEAR_RE.fullmatch(word)
                num = m.group(1) if m else ""
                if not num.isdigit() or int(num) < 1:
                    raise QuerySyntaxError(q, i + 5 if m else i, "expected NEAR/<number of words>, e.g. NEAR/3")
                toks.append(_Tok("NEAR", word, i, int(num)))
            else:
                toks.append(_Tok("WORD", word, i))
            i = j
    toks.append(_Tok("END", "", n))
    return toks


class _Parser:
    _STARTS = ("WORD", "PHRASE", "LP", "NOT", "MINUS")

    def __init__(self, q: str):
        self.q = q
        self.toks = _lex(q)
        self.i = 0

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        t = self.toks[self.i]
        self.i += 1
        return t

    def error(self, tok: _Tok, msg: str) -> QuerySyntaxError:
        return QuerySyntaxError(self.q, tok.pos, msg)

    def parse(self) -> _Node:
        if self.peek().kind == "END":
            raise self.error(self.peek(), "empty query")
        node = self.or_expr()
        t = self.peek()
        if t.kind == "RP":
            raise self.error(t, "unexpected ')'")
        if t.kind != "END":  # pragma: no cover - or_expr consumes everything else
            raise self.error(t, f"unexpected {t.text!r}")
        return node

    def or_expr(self) -> _Node:
        children = [self.and_expr()]
        while self.peek().kind == "OR":
            self.take()
            children.append(self.and_expr())
        return children[0] if len(children) == 1 else _Or(children)

    def and_expr(self) -> _Node:
        children = [self.unary()]
        while True:
            t = self.peek()
            if t.kind == "AND":
                self.take()
                children.append(self.unary())
            elif t.kind in self._STARTS:
                children.append(self.unary())
            else:
                break
        return children[0] if len(children) == 1 else _And(children)

    def unary(self) -> _Node:
        t = self.peek()
        if t.kind in ("NOT", "MINUS"):
            self.take()
            return _Not(self.unary())
        return self.near()

    def near(self) -> _Node:
        left = self.primary()
        while self.peek().kind == "NEAR":
            op = self.take()
            right = self.primary()
            for side in (left, right):
                if not _near_operand_ok(side):
                    raise self.error(op, "NEAR needs words, phrases or (a OR b) groups on both sides")
            left = _Near(left, right, op.value)
        return left

    def primary(self) -> _Node:
        t = self.take()
        if t.kind in ("WORD", "PHRASE"):
            variants = _pattern_variants(t.text, allow_wildcard=True)
            if not variants:
                what = "empty phrase" if t.kind == "PHRASE" else "term has no letters or digits"
                raise self.error(t, what)
            src = f'"{t.text}"' if t.kind == "PHRASE" else t.text
            return _Term(src, variants, t.pos)
        if t.kind == "LP":
            if self.peek().kind == "RP":
                raise self.error(self.peek(), "expected a term inside '()'")
            node = self.or_expr()
            close = self.peek()
            if close.kind != "RP":
                raise self.error(close, "expected ')'")
            self.take()
            return node
        if t.kind == "END":
            prev = self.toks[self.i - 2].text if self.i >= 2 else ""
            msg = f"expected a term after {prev!r}" if prev else "expected a term"
            raise self.error(t, msg)
        if t.kind == "RP":
            raise self.error(t, "unexpected ')'")
        raise self.error(t, f"expected a term, found {t.text!r}")


def _near_operand_ok(node: _Node) -> bool:
    if isinstance(node, _Term):
        return True
    return isinstance(node, _Or) and all(_near_operand_ok(c) for c in node.children)


def parse_query(q: str) -> Query:
    """Parse a boolean brand query; raises QuerySyntaxError with a position."""
    return Query(q, _Parser(q).parse())


def compile_query(q: str) -> Callable[[str], bool]:
    """Parse once, return ``f(text) -> bool`` (accent/case-insensitive)."""
    return parse_query(q)


# --------------------------------------------------------------------------
# Brand matcher
# --------------------------------------------------------------------------


@dataclass
class _Compiled:
    name: str
    alias_variants: list
    exclude_variants: list
    query: Query | None
    single_keys: frozenset  # single-word alias keys that decide a match alone
    simple: bool  # no exclusions, no query


class BrandMatcher:
    """Match many texts against a fixed set of brand rules.

    The rules are compiled once into one dictionary from first words to
    brands: a text is folded and split once, and a set intersection finds
    the candidate brands; only candidates with multi-word aliases,
    exclusions or queries do more work.
    """

    def __init__(self, rules: Sequence[BrandRule]):
        names = [r.name for r in rules]
        if len(set(names)) != len(names):
            raise ValueError("brand names must be unique")
        self._brands: list[_Compiled] = []
        self._key_brands: dict[str, set[int]] = {}
        self._always: list[int] = []  # brands whose query can match without any key
        self._has_prefixed = False
        for bi, rule in enumerate(rules):
            alias_variants = [v for a in rule.aliases for v in _pattern_variants(a)]
            exclude_variants = [v for e in rule.exclude for v in _pattern_variants(e)]
            query = parse_query(rule.query) if rule.query else None
            if query is None and not alias_variants:
                raise ValueError(f"brand {rule.name!r} has neither aliases nor a query")
            if query is not None:
                keys = query.root.triggers()
                if keys is None:
                    self._always.append(bi)
                    keys = frozenset()
            else:
                keys = frozenset(v[0][1] + v[0][0] for v in alias_variants)
            single = frozenset(
                v[0][1] + v[0][0] for v in alias_variants if len(v) == 1 and not v[0][2]
            )
            for k in keys:
                self._key_brands.setdefault(k, set()).add(bi)
                if k[0] in "#@":
                    self._has_prefixed = True
            self._brands.append(
                _Compiled(
                    name=rule.name,
                    alias_variants=alias_variants,
                    exclude_variants=exclude_variants,
                    query=query,
                    single_keys=single,
                    simple=query is None and not exclude_variants,
                )
            )
        self._keys = frozenset(self._key_brands)

    @property
    def names(self) -> list[str]:
        return [b.name for b in self._brands]

    def match(self, text: str) -> list[str]:
        """Brand names found in ``text``, in rule order."""
        return self._match_folded(fold_fast(text)) if text else []

    def match_many(self, texts: Sequence[str]) -> list[list[str]]:
        """``[match(t) for t in texts]`` with the per-call overhead hoisted."""
        fold_ = fold_fast
        m = self._match_folded
        return [m(fold_(t)) if t else [] for t in texts]

    def _match_folded(self, folded: str) -> list[str]:
        # On ASCII text (most folded text) the ASCII \w is the same class, and faster.
        raw = (_MATCH_TOKEN_ASCII_RE if folded.isascii() else _MATCH_TOKEN_RE).findall(folded)
        hits = self._keys.intersection(raw)
        prefixed = "#" in folded or "@" in folded
        bare = raw
        if prefixed:
            bare = [t[1:] if t[0] in "#@" else t for t in raw]
            if not self._has_prefixed:
                hits = self._keys.intersection(bare)
            else:
                hits = hits | self._keys.intersection(bare)
        if not hits and not self._always:
            return []
        cand: set[int] = set(self._always)
        for k in hits:
            cand |= self._key_brands[k]
        out = []
        view = None
        for bi in sorted(cand):
            b = self._brands[bi]
            if b.simple and not b.single_keys.isdisjoint(hits):
                out.append(b.name)
                continue
            if view is None:
                view = _TextView(folded, raw, bare)
            masked = view.spans(b.exclude_variants) if b.exclude_variants else []
            if b.query is not None:
                if b.query.root.eval(view, masked):
                    out.append(b.name)
            elif _outside(view.spans(b.alias_variants), masked):
                out.append(b.name)
        return out


def brand_terms(rules: Iterable[BrandRule]) -> list[str]:
    """All aliases of the rules, e.g. to exclude brand names from topics."""
    return [a for r in rules for a in (r.name, *r.aliases)]
