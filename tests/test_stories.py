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
