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


def _pick(rng, bank: list[str], n: int) -> np.ndarray:
    return np.array(bank, dtype=object)[rng.integers(0, len(bank), n)]


def generate(spec: SynthSpec) -> pa.Table:
    """Raw mention rows with the columns of raw_mentions."""
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
    ids = np.char.add("syn-", np.arange(n).astype(str)).astype(object)
    urls = np.char.add("https://example.org/m/", np.arange(n).astype(str)).astype(object)
    engagement = np.where(kinds == "rss", 0, rng.poisson(4, n)).astype(np.int32)
    collected_us = published_us + rng.integers(60, 7200, n).astype(np.int64) * 1_000_000
    ts = pa.timestamp("us", tz="UTC")
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
    })


def brand_config_toml() -> str:
    """A configuration whose brands match the synthetic text."""
    parts = []
    for i, (name, (aliases, _)) in enumerate(BRANDS.items()):
        quoted = ", ".join(f'"{a}"' for a in aliases)
        parts.append(f'[[brands]]\nname = "{name}"\nown = {"true" if i == 0 else "false"}\naliases = [{quoted}]\n')
    return "\n".join(parts)
