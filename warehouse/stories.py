"""Near-duplicate grouping: one story id for a wire copy republished by many outlets.

Method: folded text -> words -> word 3-shingles -> MinHash signature of 64
permutations (fixed seed, so ids are stable across runs and machines) ->
LSH banding, 16 bands of 4 rows (two texts with Jaccard similarity J share
a band with probability 1-(1-J^4)^16: 0.64 at J=0.5, 0.99 at J=0.7).  A
candidate is accepted when the estimated Jaccard (share of equal signature
values) is >= ``threshold`` (0.5).  An item joins the story of its most
similar earlier item; ``story_id`` is the id of the story's first member
(items are taken in the order given, so pass them oldest first).

Same idea as datasketch's MinHash + MinHashLSH, written with numpy so a
batch is hashed in a few vectorised passes instead of one Python call per
shingle; datasketch's per-item inserts would dominate a 1M-item rebuild.

``StoryIndex`` keeps, per item, its 64 x uint32 signature and story; the
LSH tables are rebuilt from the signatures on load.  ``save``/``load``
use one .npz file (about 270 bytes per item).
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path
from typing import Hashable, Iterable, Sequence

import numpy as np

from .textnorm import fold_fast, strip_markup

__all__ = ["StoryIndex", "assign_stories", "signatures"]

NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
SHINGLE = 3
SEED = 20240601
_MERSENNE = np.uint64((1 << 61) - 1)
_WORD_RE = re.compile(r"\w+")

_rng = np.random.default_rng(SEED)
_A = _rng.integers(1, (1 << 61) - 1, size=NUM_PERM, dtype=np.uint64)
_B = _rng.integers(0, (1 << 61) - 1, size=NUM_PERM, dtype=np.uint64)
_MIX = np.array([0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D], dtype=np.uint64)
_BAND_MIX = _rng.integers(1, 1 << 62, size=ROWS, dtype=np.uint64) | np.uint64(1)
_EMPTY = np.uint32(0xFFFFFFFF)
_PAIR_CHUNK = 8192  # candidate pairs compared per step in _add_fresh


def _token_hashes(texts: Sequence[str], cache: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Concatenated 32-bit word hashes (crc32) and per-text word counts."""
    words: list[str] = []
    lens = np.zeros(len(texts), dtype=np.int64)
    findall = _WORD_RE.findall
    for i, t in enumerate(texts):
        if t and "<" in t:
            t = strip_markup(t)
        if t:
            found = findall(fold_fast(t))
            words.extend(found)
            lens[i] = len(found)
    # crc32 once per distinct word, then one C-level lookup per occurrence.
    for w in set(words).difference(cache):
        cache[w] = zlib.crc32(w.encode())
    return np.fromiter(map(cache.__getitem__, words), dtype=np.uint64, count=len(words)), lens


def signatures(texts: Sequence[str], chunk: int = 4096) -> np.ndarray:
    """MinHash signatures, shape (len(texts), 64), uint32; empty texts get all 0xFFFFFFFF."""
    n = len(texts)
    sig = np.full((n, NUM_PERM), _EMPTY, dtype=np.uint32)
    if n == 0:
        return sig
    toks, lens = _token_hashes(texts, {})
    # Shingle k words; a text shorter than k is one shingle of all its words.
    starts = np.concatenate(([0], np.cumsum(lens)[:-1]))
    nsh = np.where(lens >= SHINGLE, lens - SHINGLE + 1, np.minimum(lens, 1))
    sh_owner = np.repeat(np.arange(n), nsh)
    sh_offset = np.arange(int(nsh.sum())) - np.repeat(np.cumsum(nsh) - nsh, nsh)
    base = np.repeat(starts, nsh) + sh_offset
    total = len(toks)
    h = np.zeros(len(base), dtype=np.uint64)
    owner_end = np.repeat(starts + lens, nsh)
    for j in range(SHINGLE):
        pos = base + j
        ok = pos < owner_end
        vals = np.where(ok, toks[np.minimum(pos, max(total - 1, 0))] if total else 0, 0).astype(np.uint64)
        h = h * _MIX[j] + vals + np.uint64(j)
    h &= np.uint64(0xFFFFFFFF)
    # Universal hashing (a·x + b) mod (2^61 - 1) per permutation, min per text,
    # in chunks of shingles: a chunk's (chunk x 64) uint64 temporaries stay in
    # cache (400k-shingle chunks made 200 MB arrays and ran 2x slower).
    # The chunk's temporaries are allocated once and reused: fresh 64-column
    # arrays per chunk cost more in allocation and page faults than the arithmetic.
    buffers = _PermBuffers(min(chunk, len(h)))
    for c0 in range(0, len(h), chunk):
        hc = h[c0 : c0 + chunk]
        owners = sh_owner[c0 : c0 + chunk]
        perm = _perm_hashes(hc, buffers)
        uniq, first = np.unique(owners, return_index=True)
        mins = np.minimum.reduceat(perm, first, axis=0)
        sig[uniq] = np.minimum(sig[uniq], mins)
    return sig


_SHIFT61 = np.uint64(61)


class _PermBuffers:
    """Scratch arrays for _perm_hashes on chunks of at most ``size`` shingles."""

    __slots__ = ("x", "r", "wrap", "out")

    def __init__(self, size: int):
        self.x = np.empty((size, NUM_PERM), dtype=np.uint64)
        self.r = np.empty((size, NUM_PERM), dtype=np.uint64)
        self.wrap = np.empty((size, NUM_PERM), dtype=bool)
        self.out = np.empty((size, NUM_PERM), dtype=np.uint32)


def _perm_hashes(hc: np.ndarray, buffers: _PermBuffers | None = None) -> np.ndarray:
    """((hc·a + b) mod (2^61 - 1)) & 0xFFFFFFFF for every permutation, as uint32.

    Same values as numpy's ``%`` (uint64 products wrap the same way), without a
    hardware division per value (most of signatures()): 2^61 ≡ 1 (mod p), so
    x ≡ r = (x & p) + (x >> 61), and r < 2p. When r >= p the answer is r - p,
    whose low 32 bits are those of r + 1, because p ≡ -1 (mod 2^32).
    With ``buffers`` the result is a view on ``buffers.out`` (valid until the next call).
    """
    m = len(hc)
    if buffers is None:
        buffers = _PermBuffers(m)
    x, r, wrap, out = buffers.x[:m], buffers.r[:m], buffers.wrap[:m], buffers.out[:m]
    np.multiply(hc[:, None], _A[None, :], out=x)
    x += _B[None, :]
    np.bitwise_and(x, _MERSENNE, out=r)
    x >>= _SHIFT61
    r += x
    np.greater_equal(r, _MERSENNE, out=wrap)
    np.copyto(out, r, casting="unsafe")  # keeps the low 32 bits
    np.add(out, wrap, out=out, casting="unsafe")
    return out


def _band_keys(sig: np.ndarray) -> np.ndarray:
    """(n, BANDS) uint64 keys; the band number is mixed in so one dict serves all bands."""
    s = sig.astype(np.uint64).reshape(len(sig), BANDS, ROWS)
    keys = (s * _BAND_MIX[None, None, :]).sum(axis=2)
    keys ^= (np.arange(BANDS, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))[None, :]
    return keys


class StoryIndex:
    """Incremental index of items already assigned to stories."""

    def __init__(self, threshold: float = 0.5):
        self.threshold = threshold
        self.ids: list[Hashable] = []
        self.story: list[int] = []  # position of the story's first member
        self._sig = np.zeros((0, NUM_PERM), dtype=np.uint32)
        self._sig_len = 0
        self._buckets: dict[int, list[int]] = {}
        self._pending_members: tuple[np.ndarray, np.ndarray] | None = None  # see _add_fresh
        self._pos: dict[Hashable, int] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def story_of(self, item_id: Hashable) -> Hashable:
        return self.ids[self.story[self._pos[item_id]]]

    def _grow(self, extra: int) -> None:
        need = self._sig_len + extra
        if need > len(self._sig):
            new = np.zeros((max(need, 2 * len(self._sig), 1024), NUM_PERM), dtype=np.uint32)
            new[: self._sig_len] = self._sig[: self._sig_len]
            self._sig = new

    def add(self, ids: Sequence[Hashable], sig: np.ndarray) -> list[Hashable]:
        """Add items (signatures given) in order; returns their story ids."""
        if not self.ids and len(ids) > 1 and len(set(ids)) == len(ids):
            return self._add_fresh(ids, sig)
        return self._add_one_by_one(ids, sig)

    def _add_fresh(self, ids: Sequence[Hashable], sig: np.ndarray, block: int = 4096) -> list[Hashable]:
        """``_add_one_by_one`` on an empty index with distinct ids, with numpy.

        Bucket membership does not depend on stories: bucket k holds the first 64
        occurrences of band key k, in (position, band) order. So item i's
        candidates are the members of its buckets with a position below i, and
        can be listed for all items at once; only "join the story of the best
        candidate" is sequential, and that is one pass over integers.
        tests/test_stories.py checks this equals the one-by-one path.
        """
        n = len(ids)
        keys = _band_keys(sig)
        filled = np.flatnonzero(sig[:, 0] != _EMPTY).astype(np.int32)
        occ_key = keys[filled].ravel()  # occurrences in insertion order: item, then band
        order = np.argsort(occ_key, kind="stable")
        skey = occ_key[order]
        sitem = np.repeat(filled, BANDS)[order]
        del order, occ_key
        # int32 throughout: a 1M-item rebuild has 16M occurrences.
        idx = np.arange(len(skey), dtype=np.int32)
        starts = np.ones(len(skey), dtype=bool)
        starts[1:] = skey[1:] != skey[:-1]
        first = np.maximum.accumulate(np.where(starts, idx, np.int32(0)))
        del starts
        rank = idx - first  # rank of the occurrence in its key's bucket order
        del idx
        ncand = np.minimum(rank, 64)  # members are ranks 0..63; earlier ranks were there before
        best = np.full(n, -1, dtype=np.int64)
        sig_w = np.empty((_PAIR_CHUNK, NUM_PERM), dtype=sig.dtype)
        sig_c = np.empty_like(sig_w)
        eq = np.empty((_PAIR_CHUNK, NUM_PERM), dtype=bool)
        # Blocks of items bound the candidate pairs held in memory at once.
        for b in range(0, (n + block - 1) // block):
            sel = np.flatnonzero((sitem >= b * block) & (sitem < (b + 1) * block) & (ncand > 0))
            if not len(sel):
                continue
            counts = ncand[sel].astype(np.int64)
            total = int(counts.sum())
            offsets = np.repeat(np.cumsum(counts) - counts, counts)
            who = np.repeat(sitem[sel].astype(np.int64), counts)
            cand = sitem[np.repeat(first[sel].astype(np.int64), counts) + (np.arange(total) - offsets)].astype(np.int64)
            keep = cand < who  # an item's own earlier band with the same key is not a candidate
            # Distinct (item, candidate) pairs, sorted by item then candidate position
            # (a sort: numpy's hash-based unique was 3x slower here).
            pair = np.sort(who[keep] * n + cand[keep])
            if not len(pair):
                continue
            pair = pair[np.concatenate(([True], pair[1:] != pair[:-1]))]
            who, cand = pair // n, pair % n
            same = np.empty(len(pair), dtype=np.int64)
            for c0 in range(0, len(pair), _PAIR_CHUNK):
                w, c = who[c0:c0 + _PAIR_CHUNK], cand[c0:c0 + _PAIR_CHUNK]
                m = len(w)
                # Gathers and comparison into reused scratch arrays (no fresh 64-column temporaries).
                np.take(sig, w, axis=0, out=sig_w[:m])
                np.take(sig, c, axis=0, out=sig_c[:m])
                np.equal(sig_w[:m], sig_c[:m], out=eq[:m])
                same[c0:c0 + m] = np.count_nonzero(eq[:m], axis=1)
            # Per item: the most equal values, then the lowest position (the first
            # such pair, since pairs are in candidate order within an item).
            heads = np.flatnonzero(np.concatenate(([True], who[1:] != who[:-1])))
            top = np.repeat(np.maximum.reduceat(same, heads), np.diff(np.append(heads, len(who))))
            at_top = np.flatnonzero(same == top)
            first_top = at_top[np.concatenate(([True], who[at_top][1:] != who[at_top][:-1]))]
            ok = first_top[same[first_top] / NUM_PERM >= self.threshold]
            best[who[ok]] = cand[ok]
        story = np.arange(n)
        for i in np.flatnonzero(best >= 0).tolist():  # best[i] < i: its story is already final
            story[i] = story[best[i]]
        self._grow(n)
        self._sig[:n] = sig
        self._sig_len = n
        self.ids = list(ids)
        self.story = story.tolist()
        self._pos = {item_id: p for p, item_id in enumerate(ids)}
        # The bucket dict is only needed if more items are added later: built then.
        member = rank < 64
        self._pending_members = (skey[member], sitem[member])
        self._buckets = {}
        return [self.ids[p] for p in self.story]

    def _materialize_buckets(self) -> None:
        pending = getattr(self, "_pending_members", None)
        if pending is None:
            return
        self._pending_members = None
        buckets = self._buckets
        for k, i in zip(pending[0].tolist(), pending[1].tolist()):
            lst = buckets.get(k)
            if lst is None:
                buckets[k] = [i]
            else:
                lst.append(i)

    def _add_one_by_one(self, ids: Sequence[Hashable], sig: np.ndarray) -> list[Hashable]:
        self._materialize_buckets()
        keys = _band_keys(sig).tolist()
        self._grow(len(ids))
        out: list[Hashable] = []
        buckets = self._buckets
        thr = self.threshold
        for r, item_id in enumerate(ids):
            if item_id in self._pos:
                out.append(self.story_of(item_id))
                continue
            pos = len(self.ids)
            s = sig[r]
            story = pos
            if s[0] != _EMPTY:
                lists = list(map(buckets.get, keys[r]))
                found = list(filter(None, lists))  # bucket lists are never empty
                if found:
                    cl = np.fromiter(set().union(*found), dtype=np.int64)
                    # Equal signature values per candidate; the best is the
                    # earliest (lowest position) among those with the most.
                    same = np.count_nonzero(self._sig[cl] == s, axis=1)
                    top = same.max()
                    if top / NUM_PERM >= thr:
                        story = self.story[int(cl[same == top].min())]
                for k, lst in zip(keys[r], lists):
                    if lst is None:
                        lst = buckets.get(k)  # two bands of this item may share a key
                    if lst is None:
                        buckets[k] = [pos]
                    elif len(lst) < 64:  # a huge bucket is boilerplate; its first members suffice
                        lst.append(pos)
            self._sig[pos] = s
            self._sig_len += 1
            self.ids.append(item_id)
            self.story.append(story)
            self._pos[item_id] = pos
            out.append(self.ids[story])
        return out

    def save(self, path: str | Path) -> None:
        ids = np.array([str(i) for i in self.ids], dtype=object)
        kinds = np.array(["i" if isinstance(i, int) else "s" for i in self.ids])
        np.savez_compressed(
            path,
            sig=self._sig[: self._sig_len],
            story=np.array(self.story, dtype=np.int64),
            ids=ids.astype(str),
            kinds=kinds,
            threshold=np.array([self.threshold]),
        )

    @classmethod
    def load(cls, path: str | Path) -> "StoryIndex":
        with np.load(path, allow_pickle=False) as z:
            idx = cls(float(z["threshold"][0]))
            ids = [int(v) if k == "i" else str(v) for v, k in zip(z["ids"].tolist(), z["kinds"].tolist())]
            sig, story = z["sig"], z["story"].tolist()
        idx.ids = ids
        idx.story = story
        idx._pos = {i: p for p, i in enumerate(ids)}
        idx._sig = sig.copy()
        idx._sig_len = len(sig)
        for pos, row in enumerate(_band_keys(sig).tolist()):
            if sig[pos, 0] == _EMPTY:
                continue
            for k in row:
                lst = idx._buckets.setdefault(k, [])
                if len(lst) < 64:
                    lst.append(pos)
        return idx


def assign_stories(
    items: Iterable[tuple[Hashable, str]],
    existing: StoryIndex | None = None,
    threshold: float = 0.5,
) -> dict[Hashable, Hashable]:
    """Map each item id to its story id (the id of the story's first member).

    With ``existing``, new items join stories already in the index and are
    added to it (the index is updated in place); ids already in the index
    keep their story.
    """
    items = list(items)
    index = existing if existing is not None else StoryIndex(threshold)
    if not items:
        return {}
    ids = [i for i, _ in items]
    sig = signatures([t or "" for _, t in items])
    return dict(zip(ids, index.add(ids, sig)))
