from warehouse.stories import StoryIndex, assign_stories

WIRE = "Bell augmente ses prix de 5 $ par mois dès mars pour ses forfaits internet, annonce l'entreprise montréalaise lundi."
ITEMS = [
    ("a", WIRE + " (La Presse canadienne)"),
    ("b", WIRE.replace("l'entreprise", "l’entreprise") + " - Le Devoir"),
    ("c", "Vidéotron lance un nouveau forfait 5G illimité pour les jeunes à Québec et à Gatineau."),
    ("d", "<p>" + WIRE + "</p><p>Lire aussi</p>"),
    ("e", ""),
]


def test_wire_copies_share_story():
    r = assign_stories(ITEMS)
    assert r == {"a": "a", "b": "a", "c": "c", "d": "a", "e": "e"}


def test_incremental_and_persisted(tmp_path):
    ix = StoryIndex()
    assert assign_stories(ITEMS[:2], ix) == {"a": "a", "b": "a"}
    path = tmp_path / "stories.npz"
    ix.save(path)
    ix2 = StoryIndex.load(path)
    assert assign_stories(ITEMS[2:], ix2) == {"c": "c", "d": "a", "e": "e"}
    assert assign_stories([("a", "autre chose")], ix2) == {"a": "a"}  # known id keeps its story


def test_mersenne_shortcut_equals_numpy_modulo():
    import numpy as np
    from warehouse import stories as S
    rng = np.random.default_rng(0)
    hc = np.concatenate([rng.integers(0, 1 << 32, 5000, dtype=np.uint64),
                         np.array([0, 1, (1 << 32) - 1, (1 << 61) - 1, (1 << 61), (1 << 64) - 1], dtype=np.uint64)])
    reference = (((hc[:, None] * S._A[None, :] + S._B[None, :]) % S._MERSENNE) & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    assert np.array_equal(S._perm_hashes(hc), reference)
    # Reused scratch buffers (larger than the chunk, dirtied by an earlier call) give the same values.
    buffers = S._PermBuffers(len(hc) + 10)
    S._perm_hashes(rng.integers(0, 1 << 32, len(hc) + 10, dtype=np.uint64), buffers)
    assert np.array_equal(S._perm_hashes(hc, buffers), reference)
    assert np.array_equal(S._perm_hashes(hc[:17], buffers), reference[:17])


def test_signatures_do_not_depend_on_the_chunk_size():
    import numpy as np
    from warehouse.stories import signatures
    texts = [f"Panne chez Fluxo numéro {i} à Montréal, les clients attendent" for i in range(300)] + ["", "un"]
    assert np.array_equal(signatures(texts, chunk=7), signatures(texts, chunk=1_000_000))


def test_fresh_index_batch_path_equals_one_by_one():
    """StoryIndex._add_fresh (numpy, empty index) gives the stories, and leaves the buckets,
    that adding the items one by one gives: near-copies, empty texts, buckets over 64 members."""
    import random
    from warehouse.stories import StoryIndex, signatures
    rng = random.Random(11)
    words = "panne fibre internet client Montréal prix forfait hausse réseau service appel attente".split()
    bases = [" ".join(rng.choice(words) for _ in range(rng.randint(3, 25))) for _ in range(40)]
    texts, ids = [], []
    for i in range(700):
        base = bases[rng.randrange(len(bases))] if i % 3 else WIRE  # WIRE: 230+ copies, full buckets
        extra = " ".join(rng.choice(words) for _ in range(rng.randint(0, 4)))
        texts.append("" if i % 97 == 0 else f"{base} {extra}")
        ids.append(f"m{i}")
    sig = signatures(texts)
    one, fresh = StoryIndex(), StoryIndex()
    expected = one._add_one_by_one(ids, sig)
    assert fresh.add(ids, sig) == expected
    assert fresh.story == one.story
    fresh._materialize_buckets()
    assert fresh._buckets == one._buckets
    assert max(len(v) for v in one._buckets.values()) == 64
    later = [("n1", texts[5]), ("n2", "autre chose"), ("m3", "déjà vu")]
    assert assign_stories(later, fresh) == assign_stories(later, one)
