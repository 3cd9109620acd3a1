"""FR/EN strings for alert messages and the daily digest.

French is the default: the people receiving these are community managers in
Québec and France. Strings take named placeholders so translators can move the
parts around. Values put into them are escaped by the renderer (delivery.py),
never here.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

LANGS = ("fr", "en")

STRINGS: dict[str, dict[str, str]] = {
    "fr": {
        "subject_alerts": "[Vigie] {n} alerte(s) : {what}",
        "subject_critical": "[Vigie] URGENT : {what}",
        "subject_digest": "[Vigie] Résumé du {day}",
        "intro_alerts": "Vigie a détecté {n} alerte(s) lors de la vérification de {when}.",
        "severity_critical": "critique",
        "severity_warning": "attention",
        "severity_info": "info",
        "title_volume_spike": "Pic de volume : {brand}",
        "title_negative_spike": "Pic de mentions négatives : {brand}",
        "title_mention": "Mention à surveiller : {brand}",
        "title_source_failing": "Source en échec : {source}",
        "title_source_silent": "Source silencieuse : {source}",
        "granularity_hour": "heure",
        "granularity_day": "jour",
        "spike_line": "{observed} mentions ({granularity} du {start} au {end}), attendu environ {expected}.",
        "mention_line": "{source} — {title}",
        "reason_watch_word": "mot surveillé « {word} »",
        "reason_listed": "négative, source suivie",
        "reason_engagement": "négative, engagement {engagement}",
        "source_failing_line": "{failures} échec(s) consécutif(s) depuis le {since}. Dernière erreur : {error}",
        "source_silent_line": "Aucun nouvel élément depuis le {since}.",
        "top_terms": "Termes fréquents",
        "top_sources": "Sources principales",
        "examples": "Exemples",
        "more_mentions": "… et {n} autre(s) mention(s).",
        "open_link": "Voir dans le tableau de bord",
        "footer": "Envoyé par Vigie. Accusez réception dans le tableau de bord pour ne plus recevoir cette alerte.",
        "digest_intro": "Les chiffres d'hier ({day}) pour les marques suivies.",
        "digest_brand": "Marque",
        "digest_mentions": "Mentions",
        "digest_share": "Part de voix",
        "digest_net": "Sentiment net",
        "digest_total": "Total",
        "digest_chart": "Part de voix sur 14 jours",
        "digest_top": "Mentions les plus marquantes",
        "digest_alerts": "Alertes ouvertes",
        "digest_no_alerts": "Aucune alerte ouverte.",
        "digest_no_mentions": "Aucune mention hier.",
        "digest_definitions": ("Part de voix = mentions de la marque / mentions de toutes les marques suivies × 100. "
                               "Sentiment net = (positives − négatives) / (positives + négatives)."),
        "sentiment_negative": "négatif",
        "sentiment_neutral": "neutre",
        "sentiment_positive": "positif",
    },
    "en": {
        "subject_alerts": "[Vigie] {n} alert(s): {what}",
        "subject_critical": "[Vigie] URGENT: {what}",
        "subject_digest": "[Vigie] Digest for {day}",
        "intro_alerts": "Vigie found {n} alert(s) in the check of {when}.",
        "severity_critical": "critical",
        "severity_warning": "warning",
        "severity_info": "info",
        "title_volume_spike": "Volume spike: {brand}",
        "title_negative_spike": "Negative mentions spike: {brand}",
        "title_mention": "Mention to watch: {brand}",
        "title_source_failing": "Source failing: {source}",
        "title_source_silent": "Source silent: {source}",
        "granularity_hour": "hour",
        "granularity_day": "day",
        "spike_line": "{observed} mentions ({granularity} from {start} to {end}), expected about {expected}.",
        "mention_line": "{source} — {title}",
        "reason_watch_word": "watch word “{word}”",
        "reason_listed": "negative, listed source",
        "reason_engagement": "negative, engagement {engagement}",
        "source_failing_line": "{failures} consecutive failure(s) since {since}. Last error: {error}",
        "source_silent_line": "No new item since {since}.",
        "top_terms": "Frequent terms",
        "top_sources": "Main sources",
        "examples": "Examples",
        "more_mentions": "… and {n} more mention(s).",
        "open_link": "Open in the dashboard",
        "footer": "Sent by Vigie. Acknowledge the alert in the dashboard to stop receiving it.",
        "digest_intro": "Yesterday's figures ({day}) for the watched brands.",
        "digest_brand": "Brand",
        "digest_mentions": "Mentions",
        "digest_share": "Share of voice",
        "digest_net": "Net sentiment",
        "digest_total": "Total",
        "digest_chart": "Share of voice over 14 days",
        "digest_top": "Top mentions",
        "digest_alerts": "Open alerts",
        "digest_no_alerts": "No open alert.",
        "digest_no_mentions": "No mention yesterday.",
        "digest_definitions": ("Share of voice = brand mentions / mentions of all watched brands × 100. "
                               "Net sentiment = (positive − negative) / (positive + negative)."),
        "sentiment_negative": "negative",
        "sentiment_neutral": "neutral",
        "sentiment_positive": "positive",
    },
}

_DAYS = {"fr": ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."],
         "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]}
_MONTHS = {"fr": ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."],
           "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]}


def lang_of(lang: str | None) -> str:
    return lang if lang in LANGS else "fr"


def t(lang: str | None, key: str, **values) -> str:
    lang = lang_of(lang)
    template = STRINGS[lang].get(key) or STRINGS["en"][key]
    return template.format(**values) if values else template


def fmt_number(lang: str | None, value, decimals: int = 0) -> str:
    if value is None:
        return "–"
    text = f"{float(value):,.{decimals}f}"
    if lang_of(lang) == "fr":
        # French: narrow no-break space for thousands, decimal comma.
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def fmt_signed(lang: str | None, value, decimals: int = 2) -> str:
    if value is None:
        return "–"
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return sign + fmt_number(lang, abs(value), decimals)


def fmt_datetime(lang: str | None, value: dt.datetime | None, tz: str) -> str:
    """'ven. 14 nov. 17:30' in the user's time zone (alerts are read locally)."""
    if value is None:
        return "–"
    lang = lang_of(lang)
    local = value.astimezone(ZoneInfo(tz))
    if lang == "fr":
        return f"{_DAYS[lang][local.weekday()]} {local.day} {_MONTHS[lang][local.month - 1]} {local:%H:%M}"
    return f"{_DAYS[lang][local.weekday()]} {_MONTHS[lang][local.month - 1]} {local.day} {local:%H:%M}"


def fmt_date(lang: str | None, value: dt.date) -> str:
    lang = lang_of(lang)
    if lang == "fr":
        return f"{_DAYS[lang][value.weekday()]} {value.day} {_MONTHS[lang][value.month - 1]} {value.year}"
    return f"{_DAYS[lang][value.weekday()]} {_MONTHS[lang][value.month - 1]} {value.day}, {value.year}"
