import pytest

from warehouse.matching import BrandMatcher, BrandRule, QuerySyntaxError, compile_query, parse_query
from warehouse.textnorm import fold, strip_markup, tokenize

RULES = [
    BrandRule("Vidéotron", ("Vidéotron",)),
    BrandRule("Bell", ("Bell", "Bell Canada"), exclude=("Centre Bell", "Bell Centre")),
    BrandRule("Orange", ("Orange",), query='orange NEAR/3 (forfait OR réseau OR box) OR @orange OR "orange france"'),
    BrandRule("Free", ("Free",), query='(free OR freebox) -"free shipping"'),
    BrandRule("Koodo", ("@koodo",)),
]


@pytest.fixture(scope="module")
def m():
    return BrandMatcher(RULES)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("VIDEOTRON encore en panne", ["Vidéotron"]),
        ("videotron c'est pas terrible", ["Vidéotron"]),
        ("Merci #videotron et @Videotron", ["Vidéotron"]),
        ("Bellerive est une belle ville", []),
        ("Bell-Canada augmente", ["Bell"]),
        ("#BellCanada", ["Bell"]),
        ("match au Centre Bell ce soir", []),
        ("Bell Centre tonight", []),
        ("Bell augmente ses prix près du Centre Bell", ["Bell"]),
        ("Mon forfait chez Orange est trop cher", ["Orange"]),
        ("un jus d'orange pressé", []),
        ("le réseau d’Orange", ["Orange"]),
        ("@Orange aidez-moi", ["Orange"]),
        ("Freebox en panne depuis hier", ["Free"]),
        ("free shipping on all orders", []),
        ("@koodo bonjour", ["Koodo"]),
        ("koodo sans arobase", []),
        ("Vidéotron ou Bell ? Bell Canada !", ["Vidéotron", "Bell"]),
        ("", []),
    ],
)
def test_match(m, text, expected):
    assert m.match(text) == expected


def test_match_many_equals_match(m):
    texts = ["Bell", "VIDÉOTRON", "jus d'orange", "Centre Bell", "orange forfait"]
    assert m.match_many(texts) == [m.match(t) for t in texts]


def test_glued_and_apostrophe_variants():
    m = BrandMatcher([BrandRule("McDo", ("McDonald's",)), BrandRule("Air Canada", ("Air Canada",))])
    assert m.match("Un McDonalds à Laval") == ["McDo"]
    assert m.match("vol #aircanada annulé") == ["Air Canada"]
    assert m.match("l'air du Canada") == []


def test_query_operators():
    q = compile_query("forfait* AND (cher OR prix) NOT remboursement")
    assert q("Les forfaits sont chers... prix fou")
    assert not q("forfait cher mais remboursement promis")
    assert compile_query("panne or ou")("une panne or ou")  # lower-case "or" is a word
    assert not compile_query("panne or")("panne")
    near = compile_query("orange NEAR/2 forfait")
    assert near("forfait chez Orange")
    assert near("orange a un forfait")
    assert not near("orange a changé son très vieux forfait")


@pytest.mark.parametrize(
    "query, position, message",
    [
        ("(orange OR bell", 15, "expected ')'"),
        ("orange AND", 10, "expected a term after 'AND'"),
        ('bell "centre', 5, "unclosed quote"),
        ("a NEAR/x b", 7, "NEAR/<number"),
        ("bell ) orange", 5, "unexpected ')'"),
        ("", 0, "empty query"),
        ("OR bell", 0, "expected a term"),
    ],
)
def test_query_syntax_errors(query, position, message):
    with pytest.raises(QuerySyntaxError) as ei:
        parse_query(query)
    err = ei.value
    assert err.position == position
    assert message in err.message
    lines = str(err).split("\n")
    assert lines[0].startswith(f"position {position}: ")
    assert lines[2] == " " * position + "^"


def test_textnorm():
    assert fold("  L’ÉTÉ  à  Montréal, Œuvre ") == "l'ete a montreal, oeuvre"
    assert tokenize("L’avion d'Air Canada? aujourd'hui #Vidéotron @bell_canada https://x.ca/?a=1") == [
        "l'", "avion", "d'", "air", "canada", "aujourd'hui", "#vidéotron", "@bell_canada",
    ]
    assert strip_markup("<p>Bonjour&nbsp;<b>à</b> tous<script>x()</script><br>fin<div>ouvert") == "Bonjour à tous\nfin\nouvert"


def test_shared_tokens_and_ascii_split_equal_the_plain_rule_check(m):
    """match_many (single-key shortcut, tokens handed to _TextView, ASCII regex on ASCII
    text) equals checking every rule on a freshly split view of the folded text."""
    import random
    from warehouse.matching import _TextView, _outside
    from warehouse.textnorm import fold_fast

    def reference(text):
        folded = fold_fast(text)
        out = []
        for rule, b in zip(RULES, m._brands):
            view = _TextView(folded)
            masked = view.spans(b.exclude_variants) if b.exclude_variants else []
            ok = b.query.root.eval(view, masked) if b.query is not None else bool(_outside(view.spans(b.alias_variants), masked))
            if ok:
                out.append(rule.name)
        return out

    rng = random.Random(4)
    words = ("Bell bell BELL Canada Centre centre Bell-Canada #BellCanada @bell_canada Vidéotron videotron "
             "#videotron @Videotron Orange orange @orange forfait réseau box france Free free freebox "
             "shipping @koodo koodo jus d'orange d’Orange le la panne ＃bell ＠koodo 5G ÉTÉ œuvre").split()
    seps = [" ", " ", ", ", "-", "'", "\n", "! "]
    texts = ["".join(rng.choice(words) + rng.choice(seps) for _ in range(rng.randint(1, 12))) for _ in range(5000)]
    assert m.match_many(texts) == [reference(t) for t in texts]
