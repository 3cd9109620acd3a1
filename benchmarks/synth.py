"""Realistic synthetic mentions at any scale, for benchmarks.

French-first (Québec) and English text of realistic lengths, several brands
with aliases and uneven volumes, weekly rhythm and bursts, several hundred
sources, a year of dates. Deterministic for a seed. Text is assembled from
phrase banks with numpy so 10M rows take seconds, not hours.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

UTC = dt.timezone.utc

BRANDS = {
    # name: (aliases used in text, relative volume)
    "Fluxo": (["Fluxo", "@fluxo", "#fluxo"], 0.25),
    "Borealis Mobile": (["Borealis Mobile", "Borealis", "@borealismobile"], 0.38),
    "Cité Télécom": (["Cité Télécom", "Cite Telecom", "#citetelecom"], 0.17),
    "Maple Fibre": (["Maple Fibre", "@maplefibre"], 0.12),
    "Nordik": (["Nordik", "#nordik"], 0.08),
}

FR_OPENERS = ["Franchement,", "Bon,", "Honnêtement,", "Petite mise à jour :", "Encore une fois,", "Sérieux,",
              "Pour info,", "Je viens de voir que", "Selon La Presse,", "Question :", "Wow,", "Bref,"]
FR_POS = ["le service est vraiment pas pire", "l'installation s'est super bien passée", "j'adore la nouvelle offre",
          "le forfait est abordable et rapide", "merci pour la réponse rapide du service client",
          "la fibre est enfin arrivée dans mon quartier", "c'est écœurant comme c'est rapide"]
FR_NEG = ["encore une panne depuis ce matin", "le service client est injoignable", "c'est lent et cher",
          "ça fait dur, trois heures d'attente", "la facture a encore augmenté sans avertissement",
          "pas terrible du tout cette mise à jour", "je vais changer de fournisseur, c'est plate"]
FR_NEU = ["annonce ses résultats trimestriels", "ouvre une boutique à Sherbrooke", "modifie ses forfaits mobiles",
          "publie son rapport annuel", "participe au salon techno de Montréal", "recrute des techniciens"]
FR_Q = ["Quelqu'un sait si la fibre est offerte à Trois-Rivières?", "Comment changer de forfait sans frais?",
        "Est-ce que le 5G fonctionne bien en région?", "Pourquoi ma facture a augmenté?"]
EN_POS = ["the new plan is great value", "support fixed my issue in minutes", "speeds are finally decent"]
EN_NEG = ["another outage this morning", "support kept me on hold for two hours", "prices went up again"]
EN_NEU = ["announced quarterly results", "is opening a store downtown", "updated its mobile plans"]
FILLER = ["Plus de détails dans l'article.", "On en reparle bientôt.", "La suite sur le forum.",
          "Les clients de la Rive-Sud sont touchés.", "Le ministère suit la situation de près.",
          "Plusieurs abonnés ont réagi sur les réseaux sociaux.", "L'entreprise n'a pas commenté."]

KINDS = np.array(["rss", "forum", "search", "reddit"])


@dataclass
class SynthSpec:
    n: int
    seed: int = 7
    n_sources: int = 400
    days: int = 365
    end: dt.datetime = dt.datetime(2026, 12, 1, tzinfo=UTC)
    english_share: float = 0.15
    # First row number: chunks of a large run get distinct ids (syn-<offset+i>).
    id_offset: int = 0


def _pick(rng, bank: list[str], n: int) -> np.ndarray:
    return np.array(bank, dtype=object)[rng.integers(0, len(bank), n)]


def generate(spec: SynthSpec) -> pa.Table:
    """Raw mention rows with the columns of raw_mentions."""
    return generate_with_truth(spec)[0]


def generate_with_truth(spec: SynthSpec) -> tuple[pa.Table, dict[str, np.ndarray]]:
    """The rows, plus what the generator knows about each one (brand index, tone,
    english, asks a question), so derived rows can be made without enrichment."""
    rng = np.random.default_rng(spec.seed)
    n = spec.n
    names = list(BRANDS)
    weights = np.array([BRANDS[b][1] for b in names])
    weights = weights / weights.sum()
    brand_idx = rng.choice(len(names), size=n, p=weights)
    # Day of each mention: weekly rhythm (fewer on weekends) plus three bursts.
    day_weights = np.ones(spec.days)
    start = spec.end - dt.timedelta(days=spec.days)
    weekday0 = start.weekday()
    for d in range(spec.days):
        if (weekday0 + d) % 7 >= 5:
            day_weights[d] = 0.55
    for burst_day in (spec.days // 4, spec.days // 2, spec.days - 12):
        day_weights[burst_day:burst_day + 2] *= 3.0
    day_weights /= day_weights.sum()
    day = rng.choice(spec.days, size=n, p=day_weights)
    seconds = rng.integers(0, 86_400, n)
    start_us = int(start.timestamp() * 1_000_000)
    published_us = start_us + day.astype(np.int64) * 86_400_000_000 + seconds.astype(np.int64) * 1_000_000

    english = rng.random(n) < spec.english_share
    tone = rng.choice(3, size=n, p=[0.3, 0.45, 0.25])  # 0 neg, 1 neu, 2 pos
    alias = np.empty(n, dtype=object)
    for i, b in enumerate(names):
        mask = brand_idx == i
        alias[mask] = _pick(rng, BRANDS[b][0], int(mask.sum()))
    fr_phrase = np.where(tone == 0, _pick(rng, FR_NEG, n), np.where(tone == 2, _pick(rng, FR_POS, n), _pick(rng, FR_NEU, n)))
    en_phrase = np.where(tone == 0, _pick(rng, EN_NEG, n), np.where(tone == 2, _pick(rng, EN_POS, n), _pick(rng, EN_NEU, n)))
    phrase = np.where(english, en_phrase, fr_phrase)
    opener = np.where(english, "", _pick(rng, FR_OPENERS, n))
    title = opener + " " + alias + " : " + phrase
    # Bodies of realistic length: 1 to 5 filler sentences, sometimes a question.
    n_fill = rng.integers(1, 6, n)
    body = _pick(rng, FILLER, n)
    for k in range(2, 6):
        body = np.where(n_fill >= k, body + " " + _pick(rng, FILLER, n), body)
    ask = rng.random(n) < 0.06
    body = np.where(ask, body + " " + _pick(rng, FR_Q, n), body)
    body = alias + " " + phrase + ". " + body

    source_idx = rng.zipf(1.3, n) % spec.n_sources
    sources = np.array([f"Source {i:03d}" for i in range(spec.n_sources)], dtype=object)[source_idx]
    kinds = KINDS[source_idx % len(KINDS)]
    rows = np.arange(spec.id_offset, spec.id_offset + n)
    ids = np.char.add("syn-", rows.astype(str)).astype(object)
    urls = np.char.add("https://example.org/m/", rows.astype(str)).astype(object)
    engagement = np.where(kinds == "rss", 0, rng.poisson(4, n)).astype(np.int32)
    collected_us = published_us + rng.integers(60, 7200, n).astype(np.int64) * 1_000_000
    ts = pa.timestamp("us", tz="UTC")
    truth = {"brand_idx": brand_idx, "tone": tone, "english": english, "ask": ask, "n_fill": n_fill}
    return pa.table({
        "id": pa.array(ids, pa.string()),
        "source": pa.array(sources, pa.string()),
        "source_kind": pa.array(kinds, pa.string()),
        "url": pa.array(urls, pa.string()),
        "canonical_url": pa.array(urls, pa.string()),
        "title": pa.array(title, pa.string()),
        "body": pa.array(body, pa.string()),
        "author": pa.array(np.char.add("user", (rng.integers(0, 50_000, n)).astype(str)).astype(object), pa.string()),
        "published_at": pa.array(published_us, ts),
        "date_estimated": pa.array(np.zeros(n, dtype=bool)),
        "collected_at": pa.array(collected_us, ts),
        "updated_at": pa.nulls(n, ts),
        "content_hash": pa.array(ids, pa.string()),
        "engagement": pa.array(engagement),
        "language_hint": pa.array(np.where(english, "en", "fr").astype(object), pa.string()),
        "thread": pa.nulls(n, pa.string()),
    }), truth


def brand_config_toml() -> str:
    """A configuration whose brands match the synthetic text."""
    parts = []
    for i, (name, (aliases, _)) in enumerate(BRANDS.items()):
        quoted = ", ".join(f'"{a}"' for a in aliases)
        parts.append(f'[[brands]]\nname = "{name}"\nown = {"true" if i == 0 else "false"}\naliases = [{quoted}]\n')
    return "\n".join(parts)


# --- derived rows without enrichment ------------------------------------------------
# At 10M rows enrichment would take hours; the dashboard benchmark needs the
# derived tables' sizes and distributions, not their exact values. Measured on a
# 20k sample, the real Enricher gives one brand and ~13 terms per mention.

def _term_vocabulary() -> list[str]:
    words: list[str] = []
    for bank in (FR_POS, FR_NEG, FR_NEU, FR_Q, EN_POS, EN_NEG, EN_NEU, FILLER, FR_OPENERS):
        for phrase in bank:
            toks = [t.strip(".,:;?!'\"").lower() for t in phrase.replace("'", " ").split()]
            toks = [t for t in toks if len(t) >= 4]
            words.extend(toks)
            words.extend(f"{a} {b}" for a, b in zip(toks, toks[1:]))
    return list(dict.fromkeys(words))


TERMS = _term_vocabulary()


def derived_tables(table: pa.Table, truth: dict[str, np.ndarray], seed: int = 11,
                   terms_per_mention: float = 13.0, id_offset: int = 0) -> dict[str, pa.Table]:
    """mention_facts, mention_brands, mention_terms, mention_questions for generated rows, vectorised."""
    rng = np.random.default_rng(seed)
    n = table.num_rows
    ids = table.column("id").combine_chunks()
    names = np.array(list(BRANDS), dtype=object)
    tone = truth["tone"].copy()
    # The model is not perfect: 15% of labels differ from the generator's tone.
    noisy = rng.random(n) < 0.15
    tone[noisy] = rng.integers(0, 3, int(noisy.sum()))
    labels = np.array(["negative", "neutral", "positive"], dtype=object)[tone]
    score = np.where(tone == 0, -1, np.where(tone == 2, 1, 0)) * rng.uniform(0.5, 1.0, n)
    score = np.where(tone == 1, rng.uniform(-0.3, 0.3, n), score)
    # Wire copies: 15% of mentions share a story with two neighbours.
    row = np.arange(n)
    wire = rng.random(n) < 0.15
    story = np.where(wire, np.char.add("st-", ((row + id_offset) // 3).astype(str)).astype(object),
                     ids.to_numpy(zero_copy_only=False))
    ts = pa.timestamp("us", tz="UTC")
    computed = pa.array(np.full(n, int(END_US), dtype=np.int64), ts)
    facts = pa.table({
        "mention_id": ids,
        "language": pa.array(np.where(truth["english"], "en", "fr").astype(object), pa.string()),
        "sentiment": pa.array(labels, pa.string()),
        "sentiment_score": pa.array(score.astype(np.float64)),
        "story_id": pa.array(story, pa.string()),
        "is_question": pa.array(truth["ask"]),
        "computed_at": computed,
    })
    # One brand per mention, and a second one for 4% (comparisons).
    second = np.flatnonzero(rng.random(n) < 0.04)
    other = (truth["brand_idx"][second] + rng.integers(1, len(names), second.size)) % len(names)
    b_rows = np.concatenate([row, second])
    b_names = np.concatenate([truth["brand_idx"], other])
    brands = pa.table({"mention_id": ids.take(pa.array(b_rows)),
                       "brand": pa.array(names[b_names], pa.string())})
    # Terms: Zipf-like popularity over a vocabulary drawn from the text banks,
    # distinct within a mention.
    vocab = np.array(TERMS, dtype=object)
    v = len(vocab)
    weights = 1.0 / np.arange(1, v + 1) ** 0.9
    weights /= weights.sum()
    k = rng.poisson(terms_per_mention, n).clip(1, 3 * int(terms_per_mention))
    t_rows = np.repeat(row, k)
    t_idx = rng.choice(v, size=t_rows.size, p=weights)
    key = np.unique(t_rows.astype(np.int64) * v + t_idx)
    t_rows, t_idx = key // v, key % v
    terms = pa.table({"mention_id": ids.take(pa.array(t_rows)),
                      "term": pa.array(vocab[t_idx], pa.string())})
    q_rows = np.flatnonzero(truth["ask"])
    questions = pa.table({"mention_id": ids.take(pa.array(q_rows)),
                          "question": pa.array(_pick(rng, FR_Q, q_rows.size), pa.string())})
    return {"mention_facts": facts, "mention_brands": brands, "mention_terms": terms,
            "mention_questions": questions}


END_US = int(SynthSpec(n=0).end.timestamp() * 1_000_000)


# --- feeds --------------------------------------------------------------------------

def rss_feed(title: str, link: str, rows: dict[str, list], language: str = "fr") -> bytes:
    """One RSS 2.0 document (bytes) for the given rows (columns as in raw_mentions)."""
    from email.utils import format_datetime
    from xml.sax.saxutils import escape

    parts = ['<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>',
             f"<title>{escape(title)}</title><link>{escape(link)}</link><language>{language}</language>"]
    for i in range(len(rows["id"])):
        pub = rows["published_at"][i]
        parts.append(
            f"<item><title>{escape(rows['title'][i] or '')}</title><link>{escape(rows['url'][i] or '')}</link>"
            f"<guid isPermaLink=\"false\">{escape(rows['id'][i])}</guid>"
            f"<pubDate>{format_datetime(pub) if pub is not None else ''}</pubDate>"
            f"<author>{escape(rows['author'][i] or '')}</author>"
            f"<description>{escape(rows['body'][i] or '')}</description></item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")


def rss_feeds(table: pa.Table, items_per_feed: int = 500, prefix: str = "Bench feed") -> list[tuple[str, bytes]]:
    """The rows cut into RSS documents of items_per_feed items: [(source name, bytes)]."""
    out = []
    cols = ["id", "title", "url", "body", "author", "published_at", "language_hint"]
    for k, start in enumerate(range(0, table.num_rows, items_per_feed)):
        rows = table.slice(start, items_per_feed).select(cols).to_pydict()
        name = f"{prefix} {k:04d}"
        out.append((name, rss_feed(name, f"https://example.org/feed/{k}", rows,
                                   language=rows["language_hint"][0] or "fr")))
    return out
