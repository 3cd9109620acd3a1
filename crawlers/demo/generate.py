"""Build the embedded demo corpus as a static web site.

The demo is served as real RSS/Atom feeds and phpBB pages and collected by the
real crawlers, so nothing here touches a database.  Output depends only on
(seed, end): every random draw comes from ``random.Random`` seeded with
strings (stable across processes, unlike ``hash()``), and no wall-clock value
ends up inside a file.
"""

from __future__ import annotations

import html
import json
import os
import random
import re
import string
import time
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from . import phrases as P

DAYS = 60
OUTAGE_DAYS_BEFORE_END = 12
LAUNCH_DAYS_BEFORE_END = 25
POSTS_PER_PAGE = 10
TOPICS_PER_PAGE = 10
SITE_MARKER = ".vigie-demo-site"


# ---------------------------------------------------------------------------
# Market definition
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Brand:
    name: str
    own: bool
    aliases: tuple[str, ...]
    exclude: tuple[str, ...]
    share: float  # baseline weight when a news item or post picks a brand
    forum_forms: tuple[str, ...]  # how people actually spell it in forums


BRANDS: tuple[Brand, ...] = (
    Brand("Fluxo", True, ("Fluxo", "Fluxo Télécom", "@fluxo", "#fluxo"),
          ("Studio Fluxo Yoga",), 0.25,
          ("Fluxo",) * 7 + ("Fluxo Télécom", "@fluxo", "#fluxo", "fluxo")),
    Brand("Borealis Mobile", False,
          ("Borealis Mobile", "Borealis", "@borealismobile", "#borealis"),
          ("aurora borealis", "Borealis Bistro"), 0.31,
          ("Borealis",) * 6 + ("Borealis Mobile",) * 3 + ("@borealismobile", "#borealis")),
    Brand("Cité Télécom", False,
          ("Cité Télécom", "Cite Telecom", "CitéTel", "@citetelecom", "#citetelecom"),
          ("Amphithéâtre Cité Télécom",), 0.19,
          ("Cité Télécom",) * 5 + ("CitéTel",) * 2 + ("Cite Telecom", "@citetelecom")),
    Brand("Maple Fibre", False,
          ("Maple Fibre", "Maple Fiber", "MapleFibre", "@maplefibre", "#maplefibre"),
          ("Maple Fibre Textiles",), 0.14,
          ("Maple Fibre",) * 5 + ("Maple", "MapleFibre", "Maple Fiber", "#maplefibre")),
    Brand("Nordik", False, ("Nordik", "Nordik Mobile", "@nordikmobile", "#nordik"),
          ("Spa Nordik", "Nordik Spa"), 0.11,
          ("Nordik",) * 5 + ("Nordik Mobile", "@nordikmobile", "#nordik")),
)
BRAND_BY_NAME = {b.name: b for b in BRANDS}
OWN = next(b for b in BRANDS if b.own)
OUTAGE_BRAND = BRAND_BY_NAME["Borealis Mobile"]
LAUNCH_PRODUCT = "Fluxo Fibre Max"

# "Maple" alone is a forum short form but not an alias: it is what people type,
# and a matcher that misses it is showing a real limitation.  Keep the summary
# honest by counting only surface forms a configured alias covers.
_UNCOUNTED_FORMS = {"Maple"}


@dataclass(frozen=True)
class Outlet:
    slug: str
    name: str
    fmt: str  # "rss" or "atom"
    lang: str  # channel language (fr-CA, fr-FR, en-CA)
    rate: float  # items per weekday
    date_style: str  # "rfc822" | "fr" (French-locale RFC-822 look-alike) | "iso"
    guid: str  # "id" | "permalink" | "none"
    html_style: str  # "cdata" | "escaped"
    tz: str  # "america" | "paris"
    wire: bool  # republishes agency stories
    decoys: bool


OUTLETS: tuple[Outlet, ...] = (
    Outlet("plateau", "Le Quotidien du Plateau", "rss", "fr-CA", 4.2, "rfc822", "id", "cdata", "america", True, True),
    Outlet("echo-capitale", "L'Écho de la Capitale", "rss", "fr-CA", 3.0, "fr", "none", "escaped", "america", True, True),
    Outlet("fil-numerique", "Le Fil numérique", "atom", "fr-CA", 3.4, "iso", "id", "cdata", "america", True, False),
    Outlet("courrier", "The Montreal Courier", "rss", "en-CA", 2.4, "rfc822", "permalink", "cdata", "america", False, True),
    Outlet("voix-estrie", "La Voix de l'Estrie", "rss", "fr-CA", 1.8, "rfc822", "none", "cdata", "america", True, True),
    Outlet("planete-telecoms", "Planète Télécoms", "rss", "fr-FR", 1.4, "rfc822", "id", "cdata", "paris", False, False),
)

BOARDS = {
    1: ("Internet, fibre et télé", "Forum Techno Québec – Internet et fibre"),
    2: ("Cellulaires et forfaits", "Forum Techno Québec – Cellulaires et forfaits"),
}

# (board, title template, primary brand or None, kind, lang)
# kind drives tone mix and timing; "{b}" in titles is the primary brand.
TOPIC_SPECS = [
    (1, "Quelqu'un sait si {b} offre la fibre à Sherbrooke?", "Fluxo", "question", "fr"),
    (1, "{b} : vitesses réelles le soir?", "Maple Fibre", "question", "fr"),
    (1, "Comment changer de forfait Internet sans frais?", None, "question", "fr"),
    (1, "Déménagement : {b} veut me charger l'installation", "Cité Télécom", "complaint", "fr"),
    (1, LAUNCH_PRODUCT + " : vos impressions?", "Fluxo", "launch", "fr"),
    (1, "Modem {b} qui redémarre tout seul", "Borealis Mobile", "complaint", "fr"),
    (1, "Maple Fibre ou Fluxo à Laval?", "Maple Fibre", "compare", "fr"),
    (1, "Meilleur fournisseur Internet à Québec en ce moment?", None, "compare", "fr"),
    (1, "Internet {b} coupé ce matin?", "Borealis Mobile", "outage", "fr"),
    (1, "Hors-sujet : vos sorties de fin de semaine", None, "offtopic", "fr"),
    (1, "{b} arrive en Estrie?", "Nordik", "question", "fr"),
    (1, "Facturation {b} : frais mystères", "Cité Télécom", "complaint", "fr"),
    (1, "Télé sur IP : lequel choisir?", None, "compare", "fr"),
    (2, "BOREALIS EN PANNE?!", "Borealis Mobile", "outage", "fr"),
    (2, "Comment changer de forfait chez {b}?", "Borealis Mobile", "question", "fr"),
    (2, "{b} : forfait 60 Go à 45 $, c'est légit?", "Nordik", "question", "fr"),
    (2, "Itinérance aux États-Unis : qui a le meilleur prix?", None, "compare", "fr"),
    (2, "{b} mobile, ça vaut la peine?", "Fluxo", "question", "fr"),
    (2, "Service client {b} : vos expériences", "Borealis Mobile", "complaint", "fr"),
    (2, "Couverture {b} en région (Gaspésie, Abitibi)", "Cité Télécom", "question", "fr"),
    (2, "eSIM chez {b}?", "Maple Fibre", "question", "fr"),
    (2, "5G à Montréal : vos tests", None, "general", "fr"),
    (2, "Anyone using {b} in the West Island?", "Borealis Mobile", "question", "en"),
    (2, "Forfaits étudiants pour la rentrée", None, "compare", "fr"),
    (2, "{b} : nouveaux forfaits famille", "Fluxo", "praise", "fr"),
    (2, "Portabilité : je quitte {b}, pour aller où?", "Borealis Mobile", "compare", "fr"),
]

TONE_MIX = {  # (pos, neg, neu, question) for replies naming a single brand
    "question": (0.30, 0.22, 0.33, 0.15),
    "complaint": (0.15, 0.60, 0.20, 0.05),
    "praise": (0.60, 0.10, 0.25, 0.05),
    "launch": (0.65, 0.08, 0.20, 0.07),
    "compare": (0.33, 0.30, 0.27, 0.10),
    "general": (0.30, 0.25, 0.40, 0.05),
    "outage": (0.02, 0.90, 0.06, 0.02),
    "offtopic": (0.30, 0.20, 0.50, 0.00),
}


# ---------------------------------------------------------------------------
# Records and summary
# ---------------------------------------------------------------------------
@dataclass
class Item:
    kind: str  # "news" | "forum"
    source: str
    published: datetime  # UTC
    title: str
    text: str  # plain text the brand counts are computed on
    brands: tuple[str, ...]
    tone: str
    topic: str
    lang: str
    decoy_for: str | None = None
    html: str = ""
    author: str = ""
    guid: str = ""
    link: str = ""


@dataclass
class DemoSummary:
    seed: int
    end: str
    start: str
    base_url: str
    out_dir: str
    site_dir: str
    config_path: str
    total_items: int = 0
    news_items: int = 0
    forum_posts: int = 0
    forum_topics: int = 0
    files: int = 0
    by_brand: dict = field(default_factory=dict)  # brand -> {"news", "forum", "total"}
    no_brand_items: int = 0
    multi_brand_items: int = 0
    decoys: dict = field(default_factory=dict)  # brand -> items carrying only an exclusion
    by_tone: dict = field(default_factory=dict)
    events: list = field(default_factory=list)
    daily: dict = field(default_factory=dict)  # UTC date -> {brand|"_none": n}
    sources: list = field(default_factory=list)
    seconds: float = 0.0

    def share_of_voice(self) -> dict[str, float]:
        total = sum(v["total"] for v in self.by_brand.values()) or 1
        return {k: round(v["total"] / total, 3) for k, v in self.by_brand.items()}

    def to_dict(self) -> dict:
        d = asdict(self)
        d["share_of_voice"] = self.share_of_voice()
        return d


# ---------------------------------------------------------------------------
# Time helpers (pure stdlib, no tz database needed)
# ---------------------------------------------------------------------------
def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    d = date(year, month, 1)
    d += timedelta(days=(weekday - d.weekday()) % 7)
    return d + timedelta(weeks=n - 1)


def _last_weekday(year: int, month: int, weekday: int) -> date:
    d = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    return d - timedelta(days=(d.weekday() - weekday) % 7)


def utc_offset_hours(d: date, tz: str) -> int:
    # Day granularity is enough: nothing is published in the 2 a.m. switch hour.
    if tz == "paris":
        summer = _last_weekday(d.year, 3, 6) <= d < _last_weekday(d.year, 10, 6)
        return 2 if summer else 1
    summer = _nth_weekday(d.year, 3, 6, 2) <= d < _nth_weekday(d.year, 11, 6, 1)
    return -4 if summer else -5


def to_local(ts: datetime, tz: str) -> datetime:
    off = utc_offset_hours((ts + timedelta(hours=-4 if tz == "america" else 1)).date(), tz)
    return ts.astimezone(timezone(timedelta(hours=off)))


def local_to_utc(d: date, hour: int, minute: int, tz: str) -> datetime:
    off = utc_offset_hours(d, tz)
    naive = datetime(d.year, d.month, d.day, hour, minute)
    return (naive - timedelta(hours=off)).replace(tzinfo=timezone.utc)


FR_DAYS = ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."]
FR_MONTHS = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août",
             "sept.", "oct.", "nov.", "déc."]


def fmt_fr_rfc822(local: datetime) -> str:
    # What a badly localised CMS emits: "lun., 06 mai 2024 10:03:00 -0400".
    off = local.strftime("%z")
    return (f"{FR_DAYS[local.weekday()]}, {local.day:02d} {FR_MONTHS[local.month - 1]} "
            f"{local.year} {local:%H:%M:%S} {off}")


def fmt_phpbb(local: datetime) -> str:
    return (f"{FR_DAYS[local.weekday()]} {local.day} {FR_MONTHS[local.month - 1]} "
            f"{local.year} {local:%H:%M}")


# ---------------------------------------------------------------------------
# Random helpers
# ---------------------------------------------------------------------------
def _poisson(rng: random.Random, lam: float) -> int:
    import math
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


WEEKDAY_FACTOR = (1.0, 1.08, 1.05, 1.0, 0.92, 0.42, 0.33)
NEWS_HOURS = list(range(6, 22))
NEWS_HOUR_W = [2, 5, 6, 5, 4, 4, 5, 4, 3, 3, 4, 5, 4, 3, 2, 1]


def _pick_brand(rng: random.Random, weights: dict[str, float], avoid: str | None = None) -> str:
    names = [n for n in weights if n != avoid]
    return rng.choices(names, [weights[n] for n in names])[0]


class Filler(string.Formatter):
    """Fills slots with fresh random values each time they appear."""

    def __init__(self, rng: random.Random, fixed: dict, tone: str = "neu", lang: str = "fr"):
        super().__init__()
        self.rng, self.fixed, self.tone, self.lang = rng, fixed, tone, lang

    def get_value(self, key, args, kwargs):
        if key in self.fixed:
            return self.fixed[key]
        r = self.rng
        pools = {
            "city": P.CITIES, "city2": P.CITIES, "hood": P.NEIGHBOURHOODS,
            "speed": P.SPEEDS, "speed_low": ["8", "15", "22", "40", "60"],
            "price": P.PRICES, "price2": ["5", "7", "10", "12", "15", "25", "40"],
            "gb": P.DATA_GB, "hours": P.HOURS, "minutes": P.MINUTES,
            "thousands": P.THOUSANDS, "percent": P.PERCENT, "spoke": P.SPOKES,
            "role": P.ROLES, "product": [LAUNCH_PRODUCT],
        }
        if key == "emoji":
            return r.choice({"pos": P.EMOJIS_POS, "neg": P.EMOJIS_NEG}.get(self.tone, P.EMOJIS_NEU))
        return r.choice(pools[key])

    def fill(self, template: str) -> str:
        return self.format(template)


_TAG = re.compile(r"<[^>]+>")


def strip_tags(s: str) -> str:
    return html.unescape(_TAG.sub(" ", s)).replace("  ", " ").strip()


# ---------------------------------------------------------------------------
# News
# ---------------------------------------------------------------------------
CATEGORY_W = {
    "network_pos": 0.13, "price_down": 0.08, "price_up": 0.08, "results": 0.07,
    "complaints": 0.08, "product": 0.13, "compare": 0.10, "general": 0.26,
}
CATEGORY_TONE = {
    "network_pos": "pos", "price_down": "pos", "price_up": "neg", "results": "neu",
    "complaints": "neg", "product": "pos", "compare": "neu", "general": "neu",
    "outage": "neg", "restored": "neg", "launch": "pos", "decoy": "neu",
}
CATEGORY_TOPIC = {
    "network_pos": "réseau", "price_down": "prix", "price_up": "prix", "results": "affaires",
    "complaints": "service client", "product": "produits", "compare": "concurrence",
    "general": "industrie", "outage": "panne", "restored": "panne", "launch": "lancement",
    "decoy": "hors sujet",
}
FRANCE_GENERAL = [
    ("L'Arcep publie son observatoire de la qualité des réseaux mobiles",
     "<p>Le régulateur compare les performances des opérateurs dans les zones rurales.</p>"),
    ("Fibre : plus de 85 % des foyers français désormais raccordables",
     "La fin du réseau cuivre se précise, selon le dernier bilan trimestriel."),
    ("Les Canadiens paient leur forfait mobile trois fois plus cher que les Français",
     "Une étude internationale met en lumière l'écart de prix entre les deux marchés."),
    ("Itinérance : ce que coûte un séjour au Québec pour un abonné français",
     "<p>Les forfaits incluant le Canada restent rares et chers.</p>"),
    ("5G : le déploiement ralentit dans les zones peu denses",
     "Les opérateurs privilégient les grandes agglomérations."),
    ("Cybersécurité : les fuites de données chez les opérateurs se multiplient",
     "Les autorités appellent à la vigilance face aux tentatives d'hameçonnage."),
]


def _brand_weights(day: date, outage: date, launch: date) -> dict[str, float]:
    w = {b.name: b.share for b in BRANDS}
    if outage <= day <= outage + timedelta(days=2):
        w[OUTAGE_BRAND.name] *= 3.0
    if launch <= day <= launch + timedelta(days=3):
        w[OWN.name] *= 2.2
    return w


def _news_text(rng, outlet: Outlet, cat: str, brands: tuple[str, ...], when: date):
    en = outlet.lang.startswith("en")
    tone = CATEGORY_TONE[cat]
    if cat == "general" and outlet.tz == "paris":
        title, lede = rng.choice(FRANCE_GENERAL)
        return title, lede, tone
    bank = P.NEWS_EN if en else P.NEWS_FR
    title, lede = rng.choice(bank[cat])
    fixed = {}
    if brands:
        fixed["b"] = brands[0]
    if len(brands) > 1:
        fixed["b2"] = brands[1]
    f = Filler(rng, fixed, tone)
    return f.fill(title), f.fill(lede), tone


def _wire_title_variants(title: str) -> list[str]:
    variants = [title]
    if " : " in title:
        variants.append(title.replace(" : ", " — ", 1))
    variants.append("Télécoms | " + title)
    variants.append(title.rstrip(".") + " (APL)")
    return variants


def generate_news(rng_for, days: list[date], outage: date, launch: date, base_url: str) -> list[Item]:
    items: list[Item] = []
    wire_outlets = [o for o in OUTLETS if o.wire]
    for outlet in OUTLETS:
        rng = rng_for("news", outlet.slug)
        for day in days:
            lam = outlet.rate * WEEKDAY_FACTOR[day.weekday()]
            n = _poisson(rng, lam)
            for _ in range(n):
                items.append(_regular_news(rng, outlet, day, outage, launch))
            items.extend(_event_news(rng, outlet, day, outage, launch))

    # Agency stories: one text, several outlets, small title changes.
    rng = rng_for("wire")
    stories = []
    for kind, title, lede in P.WIRE_STORIES:
        if kind == "outage":
            stories.append((outage, kind, title, lede, (OUTAGE_BRAND.name,)))
        elif kind == "restored":
            stories.append((outage + timedelta(days=1), kind, title, lede, (OUTAGE_BRAND.name,)))
        elif kind == "launch":
            stories.append((launch, kind, title, lede, (OWN.name,)))
        else:
            day = days[rng.randrange(3, len(days) - 2)]
            brands: tuple[str, ...] = ()
            if "{b}" in title:
                b1 = _pick_brand(rng, {b.name: b.share for b in BRANDS})
                brands = (b1,)
                if "{b2}" in title:
                    brands = (b1, _pick_brand(rng, {b.name: b.share for b in BRANDS}, avoid=b1))
            stories.append((day, kind, title, lede, brands))
    for n_story, (day, kind, title, lede, brands) in enumerate(stories):
        fixed = {"b": brands[0] if brands else "", "b2": brands[1] if len(brands) > 1 else ""}
        f = Filler(rng, fixed, CATEGORY_TONE[kind])
        title, lede = f.fill(title), f.fill(lede)
        chosen = rng.sample(wire_outlets, rng.choice([2, 3, 3]))
        variants = _wire_title_variants(title)
        base_time = local_to_utc(day, rng.randint(7, 11), rng.randint(0, 59), "america")
        for i, outlet in enumerate(chosen):
            t = variants[i % len(variants)]
            body = lede if i % 2 == 0 else "MONTRÉAL — " + lede
            body_html = f"<p>{html.escape(body, quote=False)}</p><p><em>{P.WIRE_AGENCY}</em></p>"
            items.append(Item(
                "news", outlet.name, base_time + timedelta(minutes=rng.randint(0, 200) + 35 * i),
                t, "", brands, CATEGORY_TONE[kind], CATEGORY_TOPIC[kind], "fr", None,
                body_html, P.WIRE_AGENCY, "", f"wire-{n_story}"))
    for it in items:
        it.text = it.title + " " + strip_tags(it.html)
    return items


def _news_time(rng, outlet: Outlet, day: date) -> datetime:
    hour = rng.choices(NEWS_HOURS, NEWS_HOUR_W)[0]
    return local_to_utc(day, hour, rng.randint(0, 59), outlet.tz)


def _regular_news(rng, outlet: Outlet, day: date, outage: date, launch: date) -> Item:
    weights = dict(CATEGORY_W)
    if outlet.tz == "paris":
        weights["general"] = 1.6  # a French outlet only glances at Québec brands
    if outlet.decoys:
        weights["decoy"] = 0.035
    cat = rng.choices(list(weights), list(weights.values()))[0]
    bw = _brand_weights(day, outage, launch)
    if outage <= day <= outage + timedelta(days=1) and cat != "decoy" and rng.random() < 0.5:
        cat = "complaints"
    brands: tuple[str, ...] = ()
    decoy_for = None
    if cat == "decoy":
        bank = P.DECOYS_EN if outlet.lang.startswith("en") else P.DECOYS_FR
        decoy_for = rng.choice(sorted(bank))
        title, lede = rng.choice(bank[decoy_for])
        tone = "neu"
    else:
        if cat == "compare":
            b1 = _pick_brand(rng, bw)
            brands = (b1, _pick_brand(rng, bw, avoid=b1))
        elif cat != "general":
            brands = (_pick_brand(rng, bw),)
        title, lede, tone = _news_text(rng, outlet, cat, brands, day)
    return Item("news", outlet.name, _news_time(rng, outlet, day), title, "", brands, tone,
                CATEGORY_TOPIC[cat], outlet.lang[:2], decoy_for, lede,
                rng.choice(P.SPOKES[::-1]) if outlet.lang != "en-CA" else "Staff")


def _event_news(rng, outlet: Outlet, day: date, outage: date, launch: date) -> list[Item]:
    if outlet.tz == "paris":
        plan = {outage: ["outage"]}.get(day, [])
    else:
        plan = {
            outage: ["outage", "outage", "outage"],
            outage + timedelta(days=1): ["outage", "outage", "restored"],
            outage + timedelta(days=2): ["restored"],
            launch: ["launch", "launch"],
            launch + timedelta(days=1): ["launch"],
            launch + timedelta(days=2): ["launch"] if rng.random() < 0.5 else [],
        }.get(day, [])
    out = []
    for cat in plan:
        b = OUTAGE_BRAND.name if cat in ("outage", "restored") else OWN.name
        title, lede, tone = _news_text(rng, outlet, cat, (b,), day)
        out.append(Item("news", outlet.name, _news_time(rng, outlet, day), title, "", (b,), tone,
                        CATEGORY_TOPIC[cat], outlet.lang[:2], None, lede,
                        "Staff" if outlet.lang == "en-CA" else rng.choice(P.SPOKES)))
    return out


# ---------------------------------------------------------------------------
# Forum
# ---------------------------------------------------------------------------
FIRST = ["Alice", "Marc", "Julie", "Sam", "Éric", "Nadia", "Maxime", "Geneviève", "Kevin",
         "Sophie", "Jean-Phil", "Mélanie", "Olivier", "Karine", "Yannick", "Catherine",
         "Steve", "Mathieu", "Annie", "Patrick", "Émilie", "Dave", "Vincent", "Isabelle"]
SUFFIX = ["_QC", "MTL", "418", "514", "_819", "Sherbrooke", "_Laval", "Geek", "123", "_tech",
          "Lévis", "B", "_77", "Gatineau", "Fibre", "Rimouski"]
EN_USERS = ["MtlMike", "sarah_w", "WestIslandDan", "NDG_Tom", "jess.k", "PointeClaireGuy",
            "BeaconsfieldBeth", "KirklandKev", "amy_mtl", "LachineLou"]


def _users(rng) -> list[tuple[int, str, bool]]:
    names, seen = [], set()
    while len(names) < 90:
        n = rng.choice(FIRST) + rng.choice(SUFFIX)
        if n.lower() not in seen:
            seen.add(n.lower())
            names.append(n)
    names += ["ptitgars_sherbrooke", "maudite_fibre", "TechnoGuy418", "LaTechnoDeLaval",
              "grosse_facture", "Pierre-Luc_T"]
    users = [(i + 2, n, False) for i, n in enumerate(names)]
    users += [(len(users) + 2 + i, n, True) for i, n in enumerate(EN_USERS)]
    return users


@dataclass
class Topic:
    board: int
    title: str
    primary: str | None
    kind: str
    lang: str
    posts: list = field(default_factory=list)  # list[Item]
    id: int = 0


def _form(rng, brand: str) -> str:
    return rng.choice(BRAND_BY_NAME[brand].forum_forms)


def _sentence(rng, template: str, tone: str, fixed: dict) -> str:
    return Filler(rng, fixed, tone).fill(template)


def _compose_post(rng, topic: Topic, brands: tuple[str, ...], tone: str, english: bool,
                  in_outage: bool, first: bool) -> tuple[str, str, str | None]:
    """Return (text sentences joined, tone, decoy brand)."""
    decoy = None
    parts: list[str] = []
    fixed = {}
    forms = [_form(rng, b) for b in brands]
    # A surface form the configured aliases don't cover must not count.
    if forms and forms[0] in _UNCOUNTED_FORMS:
        forms[0] = BRAND_BY_NAME[brands[0]].name
    if forms:
        fixed["b"] = forms[0]
    if len(forms) > 1:
        fixed["b2"] = forms[1]
        if forms[1] in _UNCOUNTED_FORMS:
            fixed["b2"] = BRAND_BY_NAME[brands[1]].name
    if english:
        if not brands:
            parts.append(rng.choice(P.NOBRAND_EN))
        else:
            if in_outage and brands[0] == OUTAGE_BRAND.name:
                bank, tone = P.CORE_OUTAGE_EN, "neg"
            else:
                bank = {"pos": P.CORE_POS_EN, "neg": P.CORE_NEG_EN}.get(tone, P.CORE_NEU_EN)
            parts.append(_sentence(rng, rng.choice(bank), tone, fixed))
            if len(brands) > 1:
                parts.append(_sentence(rng, "Tried {b2} before, not much better.", "neg", fixed))
        return " ".join(parts), ("neu" if tone == "question" else tone), None
    if not first and rng.random() < 0.28:
        parts.append(rng.choice(P.OPENERS_FR))
    if len(brands) >= 2:
        tmpl, tone = rng.choice(P.CORE_CMP_FR)
        core = _sentence(rng, tmpl, tone, fixed)
    elif len(brands) == 1:
        if in_outage and brands[0] == OUTAGE_BRAND.name:
            core, tone = _sentence(rng, rng.choice(P.CORE_OUTAGE_FR), "neg", fixed), "neg"
        elif topic.kind == "launch" and brands[0] == OWN.name and tone == "pos":
            core = _sentence(rng, rng.choice(P.CORE_LAUNCH_FR), tone, fixed)
        else:
            bank = {"pos": P.CORE_POS_FR, "neg": P.CORE_NEG_FR, "neu": P.CORE_NEU_FR,
                    "question": P.CORE_Q_FR}[tone]
            core = _sentence(rng, rng.choice(bank), "neu" if tone == "question" else tone, fixed)
            if tone == "question":
                tone = "neu"
    elif topic.kind == "offtopic":
        if rng.random() < 0.3:
            core = rng.choice(P.OFFTOPIC_DECOYS_FR)
            decoy = _decoy_brand(core)
        else:
            core = _sentence(rng, rng.choice(P.OFFTOPIC_FR), "neu", {})
        tone = "neu"
    else:
        core, tone = _sentence(rng, rng.choice(P.NOBRAND_FR), "neu", {}), "neu"
    # "Perso," + "Ça dépend" reads wrong; lower-case unless it starts with a brand.
    if parts and parts[-1].endswith(",") and not core.startswith(tuple(forms or ["\0"])):
        core = core[:1].lower() + core[1:]
    parts.append(core)
    for _ in range(rng.choice([0, 0, 1, 1, 2])):
        parts.append(_sentence(rng, rng.choice(P.EXTRAS_FR), tone, {}))
    return " ".join(parts), ("neu" if tone == "question" else tone), decoy


def mentions(text: str) -> tuple[str, ...]:
    """Brands named in text: aliases as whole words, exclusion spans removed first.

    Used only where the generator reuses free text (topic titles); everything
    else carries its brands from the template that produced it.
    """
    low = text.lower()
    for b in BRANDS:
        for x in b.exclude:
            low = low.replace(x.lower(), " ")
    found = []
    for b in BRANDS:
        for a in b.aliases:
            if re.search(r"(?<![\w@#])" + re.escape(a.lower()) + r"(?!\w)", low):
                found.append(b.name)
                break
    return tuple(found)


def _decoy_brand(text: str) -> str | None:
    low = text.lower()
    for b in BRANDS:
        if any(x.lower() in low for x in b.exclude):
            return b.name
    return None


def _post_brands(rng, topic: Topic, day: date, outage: date, launch: date) -> tuple[str, ...]:
    bw = _brand_weights(day, outage, launch)
    r = rng.random()
    if topic.kind == "offtopic":
        return ()
    if topic.kind == "outage":
        if r < 0.62:
            return (OUTAGE_BRAND.name,)
        if r < 0.68:
            return (_pick_brand(rng, bw, avoid=OUTAGE_BRAND.name),)
        return ()
    if topic.primary:
        if r < 0.50:
            return (topic.primary,)
        if r < 0.62:
            return (_pick_brand(rng, bw, avoid=topic.primary),)
        if r < 0.70:
            return (topic.primary, _pick_brand(rng, bw, avoid=topic.primary))
        return ()
    if r < 0.58:
        return (_pick_brand(rng, bw),)
    if r < 0.70:
        b1 = _pick_brand(rng, bw)
        return (b1, _pick_brand(rng, bw, avoid=b1))
    return ()


def _post_times(rng, topic: Topic, n: int, start: datetime, window_end: datetime,
                outage: date) -> list[datetime]:
    mean_h = rng.uniform(2.5, 11.0)
    for _ in range(12):
        times, t = [start], start
        for _ in range(n - 1):
            local = to_local(t, "america")
            burst = topic.kind == "outage" and outage <= local.date() <= outage + timedelta(days=1)
            m = 0.45 if burst else mean_h
            if local.weekday() >= 5 and not burst:
                m *= 2.3  # quieter weekends
            t = t + timedelta(seconds=int(3600 * (rng.expovariate(1 / m) + 0.03)))
            local = to_local(t, "america")
            if local.hour < 7:  # people sleep
                t += timedelta(hours=7 - local.hour, minutes=rng.randint(0, 50))
            times.append(t)
        if times[-1] < window_end:
            return times
        mean_h *= 0.7
    return [min(x, window_end - timedelta(minutes=n - i)) for i, x in enumerate(times)]


def generate_forum(rng_for, days: list[date], outage: date, launch: date) -> tuple[list[Topic], list]:
    rng = rng_for("forum")
    users = _users(rng_for("users"))
    fr_users = [u for u in users if not u[2]]
    en_users = [u for u in users if u[2]]
    window_end = local_to_utc(days[-1], 23, 30, "america")
    topics: list[Topic] = []
    outage_specs = 0
    for board, title, primary, kind, lang in TOPIC_SPECS:
        trng = rng_for("topic", title)
        t = Topic(board, title.format(b=_form(trng, primary).replace("Maple", "Maple Fibre")
                                      if primary and _form(trng, primary) == "Maple"
                                      else (BRAND_BY_NAME[primary].forum_forms[0] if primary else "")),
                  primary, kind, lang)
        if kind == "outage":
            start = local_to_utc(outage, 7 + outage_specs, trng.randint(2, 40), "america")
            n = 60 if outage_specs == 0 else trng.randint(30, 38)
            outage_specs += 1
        elif kind == "launch":
            start = local_to_utc(launch, 9, trng.randint(0, 50), "america")
            n = trng.randint(44, 52)
        else:
            start = local_to_utc(days[trng.randrange(0, len(days) - 20)], trng.randint(7, 21),
                                 trng.randint(0, 59), "america")
            n = trng.randint(21, 60)
        times = _post_times(trng, t, n, start, window_end, outage)
        author_pool = en_users if lang == "en" else fr_users
        for i, ts in enumerate(times):
            day = to_local(ts, "america").date()
            english = lang == "en" and trng.random() < 0.85 or lang == "fr" and trng.random() < 0.06
            u = trng.choice(en_users if english else author_pool if i == 0 else fr_users)
            brands = (primary,) if i == 0 and primary else _post_brands(trng, t, day, outage, launch)
            if i == 0 and kind == "outage":
                brands = (OUTAGE_BRAND.name,)
            mix = TONE_MIX[kind]
            tone = trng.choices(["pos", "neg", "neu", "question"], mix)[0]
            if i == 0:
                tone = {"question": "question", "complaint": "neg", "praise": "pos",
                        "launch": "pos", "outage": "neg"}.get(kind, "question")
            in_outage = outage <= day <= outage + timedelta(days=1)
            if i == 0:
                brands = mentions(t.title)
                follow = trng.choice(P.FIRST_FOLLOWUPS.get(kind, P.FIRST_FOLLOWUPS["question"]))
                text = (t.title if t.title[-1] in "?!." else t.title + ".") + " " + follow
                tone, decoy = {"complaint": "neg", "outage": "neg", "praise": "pos",
                               "launch": "pos"}.get(kind, "neu"), None
                english = lang == "en"
            else:
                text, tone, decoy = _compose_post(trng, t, brands, tone, english, in_outage, False)
            item = Item("forum", BOARDS[board][1], ts, ("" if i == 0 else "Re: ") + t.title, text,
                        brands, tone, {"outage": "panne", "launch": "lancement", "offtopic": "hors sujet"}
                        .get(kind, "forum"), "en" if english else "fr", decoy, author=u[1])
            item.guid = str(u[0])  # user id, reused by the renderer
            t.posts.append(item)
        topics.append(t)
    # phpBB ids grow with time across the whole board.
    for i, t in enumerate(sorted(topics, key=lambda x: x.posts[0].published)):
        t.id = 101 + i * 3 + rng.randint(0, 2)
    all_posts = sorted((p for t in topics for p in t.posts), key=lambda p: p.published)
    pid = 24000
    ids = {}
    for p in all_posts:
        pid += rng.randint(1, 6)
        ids[id(p)] = pid
    for t in topics:
        for p in t.posts:
            p.link = str(ids[id(p)])
    return topics, users


# ---------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------
def _slug(s: str) -> str:
    import unicodedata
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")[:60] or "article"


def _cdata(s: str) -> str:
    return "<![CDATA[" + s.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def render_feed(outlet: Outlet, items: list[Item], base_url: str, build_time: datetime) -> str:
    feed_url = f"{base_url}/feeds/{outlet.slug}.{'atom' if outlet.fmt == 'atom' else 'xml'}"
    home = f"{base_url}/articles/{outlet.slug}/"
    if outlet.fmt == "atom":
        parts = [
            '<?xml version="1.0" encoding="utf-8"?>',
            f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{outlet.lang}">',
            f"  <title>{xml_escape(outlet.name)}</title>",
            "  <subtitle>Techno, télécoms et vie numérique au Québec</subtitle>",
            f'  <link rel="self" type="application/atom+xml" href={quoteattr(feed_url)}/>',
            f'  <link rel="alternate" type="text/html" href={quoteattr(home)}/>',
            f"  <id>tag:{outlet.slug}.demo.vigie,2024:feed</id>",
            f"  <updated>{to_local(build_time, outlet.tz).isoformat()}</updated>",
        ]
        for it in items:
            local = to_local(it.published, outlet.tz).isoformat()
            parts += [
                "  <entry>",
                f'    <title type="text">{xml_escape(it.title)}</title>',
                f'    <link rel="alternate" type="text/html" href={quoteattr(it.link)}/>',
                f"    <id>{xml_escape(it.guid)}</id>",
                f"    <published>{local}</published>",
                f"    <updated>{local}</updated>",
                f"    <author><name>{xml_escape(it.author)}</name></author>",
                f'    <category term={quoteattr(it.topic)}/>',
                f'    <summary type="html">{xml_escape(it.html)}</summary>',
                "  </entry>",
            ]
        parts.append("</feed>")
        return "\n".join(parts) + "\n"

    def fmt_date(ts: datetime) -> str:
        local = to_local(ts, outlet.tz)
        return fmt_fr_rfc822(local) if outlet.date_style == "fr" else format_datetime(local)

    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:atom="http://www.w3.org/2005/Atom">',
        "<channel>",
        f"  <title>{xml_escape(outlet.name)}</title>",
        f"  <link>{xml_escape(home)}</link>",
        f'  <atom:link href={quoteattr(feed_url)} rel="self" type="application/rss+xml"/>',
        "  <description>" + ("Tech and telecom news from Montreal" if outlet.lang == "en-CA"
                             else "Actualités techno et télécoms") + "</description>",
        f"  <language>{outlet.lang}</language>",
        f"  <lastBuildDate>{fmt_date(build_time)}</lastBuildDate>",
        "  <generator>Vigie demo</generator>",
    ]
    for it in items:
        desc = _cdata(it.html) if outlet.html_style == "cdata" else xml_escape(it.html)
        parts += ["  <item>", f"    <title>{xml_escape(it.title)}</title>",
                  f"    <link>{xml_escape(it.link)}</link>"]
        if outlet.guid == "id":
            parts.append(f'    <guid isPermaLink="false">{xml_escape(it.guid)}</guid>')
        elif outlet.guid == "permalink":
            parts.append(f'    <guid isPermaLink="true">{xml_escape(it.link)}</guid>')
        parts += [f"    <pubDate>{fmt_date(it.published)}</pubDate>",
                  f"    <dc:creator>{xml_escape(it.author)}</dc:creator>",
                  f"    <category>{xml_escape(it.topic)}</category>",
                  f"    <description>{desc}</description>", "  </item>"]
    parts += ["</channel>", "</rss>"]
    return "\n".join(parts) + "\n"


PAGE_HEAD = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{title}</title>
</head>
<body>
"""


def render_article(outlet: Outlet, it: Item, rng) -> str:
    en = outlet.lang.startswith("en")
    local = to_local(it.published, outlet.tz)
    paras = [strip_tags(it.html)]
    fixed = {"b": it.brands[0]} if it.brands else {}
    if it.brands and rng.random() < 0.7:
        paras.append(Filler(rng, fixed).fill(rng.choice(P.BODY_QUOTES_EN if en else P.BODY_QUOTES_FR)))
    paras.append(rng.choice(P.BODY_FILLER_EN if en else P.BODY_FILLER_FR))
    body = "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paras)
    return (PAGE_HEAD.format(lang=outlet.lang, title=html.escape(it.title)) +
            f'<header><a href="../../../../index.html">{html.escape(outlet.name)}</a></header>\n'
            f"<article>\n<h1>{html.escape(it.title)}</h1>\n"
            f'<p class="byline">{html.escape(it.author)} · <time datetime="{local.isoformat()}">'
            f"{local:%Y-%m-%d %H:%M}</time></p>\n{body}\n</article>\n</body>\n</html>\n")


def _pagination(page: int, pages: int) -> str:
    if pages <= 1:
        return ""
    def href(p):
        return "index.html" if p == 1 else f"page-{p}.html"
    lis = []
    if page > 1:
        lis.append(f'<li class="arrow previous"><a class="button" href="{href(page - 1)}" rel="prev">Précédente</a></li>')
    for p in range(1, pages + 1):
        lis.append(f'<li class="active"><span>{p}</span></li>' if p == page
                   else f'<li><a class="button" href="{href(p)}" role="button">{p}</a></li>')
    if page < pages:
        lis.append(f'<li class="arrow next"><a class="button" href="{href(page + 1)}" rel="next">Suivante</a></li>')
    return '<div class="pagination"><ul>' + "".join(lis) + "</ul></div>"


def render_topic_page(t: Topic, page: int, pages: int, rng) -> str:
    posts = t.posts[(page - 1) * POSTS_PER_PAGE: page * POSTS_PER_PAGE]
    title = html.escape(t.title)
    out = [PAGE_HEAD.format(lang="fr-CA", title=f"{title} - Forum Techno Québec"),
           '<div id="wrap" class="wrap"><div id="page-body" class="page-body">',
           f'<h2 class="topic-title"><a href="index.html">{title}</a></h2>',
           '<div class="action-bar bar-top">' + _pagination(page, pages) + "</div>"]
    for k, p in enumerate(posts):
        pid, uid = p.link, p.guid
        h3 = title if (page == 1 and k == 0) else "Re: " + title
        local = to_local(p.published, "america")
        utc = p.published.astimezone(timezone.utc).isoformat()
        user = html.escape(p.author)
        out.append(
            f'<div id="p{pid}" class="post has-profile {"bg2" if k % 2 else "bg1"}"><div class="inner">\n'
            f'  <dl class="postprofile"><dt><a href="../../memberlist/u{uid}.html" class="username">{user}</a></dt></dl>\n'
            f'  <div class="postbody"><div id="post_content{pid}">\n'
            f'    <h3><a href="#p{pid}">{h3}</a></h3>\n'
            f'    <p class="author"><span class="responsive-hide">par <strong><a href="../../memberlist/u{uid}.html" '
            f'class="username">{user}</a></strong> » </span><time datetime="{utc}">{fmt_phpbb(local)}</time></p>\n'
            f'    <div class="content">{p.html}</div>\n'
            f"  </div></div>\n</div></div>")
    out.append('<div class="action-bar bar-bottom">' + _pagination(page, pages) + "</div>")
    out.append("</div></div>\n</body>\n</html>\n")
    return "\n".join(out)


def _post_html(rng, t: Topic, idx: int) -> None:
    p = t.posts[idx]
    sentences = re.split(r"(?<=[.!?…]) ", p.text)
    sep = "<br>" if rng.random() < 0.35 else " "
    body = sep.join(html.escape(s, quote=False) for s in sentences)
    if idx > 0 and rng.random() < 0.16:
        candidates = [q for q in t.posts[max(0, idx - 5):idx] if set(q.brands) <= set(p.brands)]
        if candidates:
            q = rng.choice(candidates)
            first = re.split(r"(?<=[.!?…]) ", q.text)[0]
            body = (f"<blockquote><cite>{html.escape(q.author)} a écrit :</cite>"
                    f"{html.escape(first, quote=False)}</blockquote>" + body)
    p.html = body


def render_board_page(board: int, topics: list[Topic], page: int, pages: int) -> str:
    name = BOARDS[board][0]
    rows = []
    for k, t in enumerate(topics):
        last = t.posts[-1]
        first = t.posts[0]
        rows.append(
            f'<li class="row {"bg2" if k % 2 else "bg1"}"><dl class="row-item topic_read"><dt><div class="list-inner">'
            f'<a href="../../t/{t.id}/index.html" class="topictitle">{html.escape(t.title)}</a><br>'
            f'<div class="topic-poster responsive-hide">par <a href="../../memberlist/u{first.guid}.html" '
            f'class="username">{html.escape(first.author)}</a> » '
            f'<time datetime="{first.published.isoformat()}">{fmt_phpbb(to_local(first.published, "america"))}</time></div>'
            f'</div></dt><dd class="posts">{len(t.posts) - 1} <dfn>Réponses</dfn></dd>'
            f'<dd class="lastpost"><span>par <a href="../../memberlist/u{last.guid}.html" class="username">'
            f'{html.escape(last.author)}</a> <time datetime="{last.published.isoformat()}">'
            f'{fmt_phpbb(to_local(last.published, "america"))}</time></span></dd></dl></li>')
    return (PAGE_HEAD.format(lang="fr-CA", title=f"{html.escape(name)} - Forum Techno Québec") +
            f'<div id="wrap" class="wrap"><div id="page-body" class="page-body">\n'
            f'<h2 class="forum-title"><a href="index.html">{html.escape(name)}</a></h2>\n'
            '<div class="action-bar bar-top">' + _pagination(page, pages) + "</div>\n"
            '<div class="forumbg"><div class="inner"><ul class="topiclist topics">\n' +
            "\n".join(rows) + "\n</ul></div></div>\n"
            '<div class="action-bar bar-bottom">' + _pagination(page, pages) + "</div>\n"
            "</div></div>\n</body>\n</html>\n")


# ---------------------------------------------------------------------------
# Config
# ---------------------------------------------------------------------------
def _toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def _toml_list(xs) -> str:
    return "[" + ", ".join(_toml_str(x) for x in xs) + "]"


def render_config(base_url: str, seed: int, end: date) -> str:
    lines = [
        f"# Vigie demo configuration, generated by `python -m crawlers.demo build` (seed {seed}, end {end}).",
        "# Every URL points at the local demo server; the brands and outlets are fictional.",
        "",
        "[collect]",
        "# The demo server listens on 127.0.0.1, which the collectors refuse by default.",
        "allow_private_addresses = true",
        "",
    ]
    for b in BRANDS:
        lines += ["[[brands]]", f"name = {_toml_str(b.name)}", f"own = {'true' if b.own else 'false'}",
                  f"aliases = {_toml_list(b.aliases)}", f"exclude = {_toml_list(b.exclude)}", ""]
    for o in OUTLETS:
        ext = "atom" if o.fmt == "atom" else "xml"
        lines += ["[[sources]]", f"name = {_toml_str(o.name)}", 'kind = "rss"',
                  f"url = {_toml_str(f'{base_url}/feeds/{o.slug}.{ext}')}",
                  f"language = {_toml_str(o.lang[:2])}", ""]
    for board, (_, source_name) in BOARDS.items():
        lines += ["[[sources]]", f"name = {_toml_str(source_name)}", 'kind = "forum"', 'preset = "phpbb"',
                  f"url = {_toml_str(f'{base_url}/forum/f/{board}/index.html')}", 'language = "fr"', ""]
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------
class _Writer:
    def __init__(self, root: Path):
        self.root = root
        self.written: set[Path] = set()

    def write(self, rel: str, text: str) -> None:
        path = self.root / rel
        data = text.encode("utf-8")
        self.written.add(path)
        # Leaving identical files untouched keeps Last-Modified stable across
        # rebuilds, so conditional GETs still answer 304 after `make demo` again.
        if path.exists() and path.read_bytes() == data:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)

    def prune(self) -> None:
        for path in sorted(self.root.rglob("*"), reverse=True):
            if path.is_file() and path not in self.written and path.name != SITE_MARKER:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()


def build_site(out_dir, base_url: str, seed: int = 7, end: date | None = None,
               write_config: bool = True) -> DemoSummary:
    """Write OUT/site/ (feeds, articles, forum) and OUT/vigie.toml; return counts.

    ``end`` is the day the corpus ends at (exclusive: the 60 generated days are
    end-60 .. end-1, so with the default "today" nothing is dated in the future).
    """
    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    base_url = base_url.rstrip("/")
    end = end or datetime.now(timezone.utc).date()
    days = [end - timedelta(days=DAYS - i) for i in range(DAYS)]
    outage = end - timedelta(days=OUTAGE_DAYS_BEFORE_END)
    launch = end - timedelta(days=LAUNCH_DAYS_BEFORE_END)

    def rng_for(*parts) -> random.Random:
        return random.Random("vigie-demo|%d|%s|%s" % (seed, end.isoformat(), "|".join(map(str, parts))))

    site = out_dir / "site"
    site.mkdir(parents=True, exist_ok=True)
    (site / SITE_MARKER).touch()
    w = _Writer(site)
    build_time = local_to_utc(end, 0, 0, "america")

    news = generate_news(rng_for, days, outage, launch, base_url)
    topics, users = generate_forum(rng_for, days, outage, launch)

    summary = DemoSummary(seed, end.isoformat(), days[0].isoformat(), base_url, str(out_dir),
                          str(site), str(out_dir / "vigie.toml"))

    # News feeds and article pages.
    art_rng = rng_for("articles")
    by_outlet = {o.name: o for o in OUTLETS}
    counter = 0
    for outlet in OUTLETS:
        items = sorted((i for i in news if i.source == outlet.name), key=lambda i: i.published, reverse=True)
        for it in sorted(items, key=lambda i: i.published):
            counter += 1
            local = to_local(it.published, outlet.tz)
            rel = f"articles/{outlet.slug}/{local:%Y/%m}/{_slug(it.title)}-{counter}.html"
            it.link = f"{base_url}/{rel}"
            it.guid = (f"tag:{outlet.slug}.demo.vigie,{local:%Y-%m-%d}:{counter}" if outlet.fmt == "atom"
                       else f"{outlet.slug}-{counter:06d}")
            w.write(rel, render_article(outlet, it, art_rng))
        ext = "atom" if outlet.fmt == "atom" else "xml"
        w.write(f"feeds/{outlet.slug}.{ext}", render_feed(outlet, items, base_url, build_time))
        summary.sources.append({"name": outlet.name, "kind": "rss", "format": outlet.fmt,
                                "url": f"{base_url}/feeds/{outlet.slug}.{ext}", "items": len(items)})

    # Forum.
    html_rng = rng_for("forum-html")
    for t in topics:
        for idx in range(len(t.posts)):
            _post_html(html_rng, t, idx)
        pages = (len(t.posts) + POSTS_PER_PAGE - 1) // POSTS_PER_PAGE
        for page in range(1, pages + 1):
            name = "index.html" if page == 1 else f"page-{page}.html"
            w.write(f"forum/t/{t.id}/{name}", render_topic_page(t, page, pages, html_rng))
    for board, (_, source_name) in BOARDS.items():
        bt = sorted((t for t in topics if t.board == board), key=lambda t: t.posts[-1].published, reverse=True)
        pages = (len(bt) + TOPICS_PER_PAGE - 1) // TOPICS_PER_PAGE
        for page in range(1, pages + 1):
            name = "index.html" if page == 1 else f"page-{page}.html"
            w.write(f"forum/f/{board}/{name}",
                    render_board_page(board, bt[(page - 1) * TOPICS_PER_PAGE: page * TOPICS_PER_PAGE], page, pages))
        summary.sources.append({"name": source_name, "kind": "forum", "format": "phpbb",
                                "url": f"{base_url}/forum/f/{board}/index.html",
                                "items": sum(len(t.posts) for t in bt), "topics": len(bt)})
    for uid, name, _ in users:
        w.write(f"forum/memberlist/u{uid}.html",
                PAGE_HEAD.format(lang="fr-CA", title=f"Profil de {html.escape(name)}") +
                f'<h2 class="memberlist-title">Profil de <span class="username">{html.escape(name)}</span></h2>\n'
                "</body>\n</html>\n")

    w.write("robots.txt", "User-agent: *\nDisallow:\n")
    links = "\n".join(f'<li><a href="{s["url"]}">{html.escape(s["name"])}</a></li>' for s in summary.sources)
    w.write("index.html", PAGE_HEAD.format(lang="fr-CA", title="Vigie – site de démonstration") +
            "<h1>Vigie – site de démonstration</h1>\n<p>Marché fictif, généré localement.</p>\n"
            f"<ul>\n{links}\n</ul>\n</body>\n</html>\n")
    w.prune()
    summary.files = len(w.written)

    # Ground-truth counts (what a matcher honouring aliases + exclusions finds).
    all_items = news + [p for t in topics for p in t.posts]
    summary.news_items, summary.forum_posts = len(news), len(all_items) - len(news)
    summary.forum_topics, summary.total_items = len(topics), len(all_items)
    summary.by_brand = {b.name: {"news": 0, "forum": 0, "total": 0} for b in BRANDS}
    for it in all_items:
        for b in it.brands:
            summary.by_brand[b][it.kind] += 1
            summary.by_brand[b]["total"] += 1
        summary.no_brand_items += not it.brands
        summary.multi_brand_items += len(it.brands) > 1
        if it.decoy_for:
            summary.decoys[it.decoy_for] = summary.decoys.get(it.decoy_for, 0) + 1
        summary.by_tone[it.tone] = summary.by_tone.get(it.tone, 0) + 1
        day = summary.daily.setdefault(it.published.date().isoformat(), {})
        for b in it.brands or ("_none",):
            day[b] = day.get(b, 0) + 1
    summary.daily = dict(sorted(summary.daily.items()))
    summary.events = [
        {"kind": "outage", "brand": OUTAGE_BRAND.name, "start": outage.isoformat(),
         "end": (outage + timedelta(days=1)).isoformat(), "tone": "neg"},
        {"kind": "launch", "brand": OWN.name, "product": LAUNCH_PRODUCT, "start": launch.isoformat(),
         "end": (launch + timedelta(days=2)).isoformat(), "tone": "pos"},
    ]
    if write_config:
        cfg = render_config(base_url, seed, end)
        (out_dir / "vigie.toml").write_text(cfg, encoding="utf-8")
    summary.seconds = round(time.perf_counter() - t0, 3)
    (out_dir / "demo-summary.json").write_text(
        json.dumps(summary.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
    return summary
