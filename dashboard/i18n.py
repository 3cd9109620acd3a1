"""Interface strings (French first, English complete) and locale formatting.

Numbers and dates are formatted here rather than with the OS locale: the
server's locale is whatever the container has, the reader's language is the
one chosen in the sidebar.
"""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

LANGS = ("fr", "en")
LANG_NAMES = {"fr": "Français", "en": "English"}
# French groups thousands with a narrow no-break space (the same as the chart locale).
THIN = "\u202f"

STRINGS: dict[str, dict[str, str]] = {
    # navigation and sidebar
    "app_title": {"fr": "Vigie", "en": "Vigie"},
    "nav_today": {"fr": "Revue du jour", "en": "Today"},
    "nav_sov": {"fr": "Part de voix", "en": "Share of voice"},
    "nav_topics": {"fr": "Sujets et idées", "en": "Topics and ideas"},
    "nav_mentions": {"fr": "Mentions", "en": "Mentions"},
    "nav_sources": {"fr": "Sources", "en": "Sources"},
    "nav_briefing": {"fr": "Bilan", "en": "Briefing"},
    "language": {"fr": "Langue / Language", "en": "Language / Langue"},
    "filters": {"fr": "Filtres", "en": "Filters"},
    "period": {"fr": "Période", "en": "Period"},
    "brands": {"fr": "Marques", "en": "Brands"},
    "sources": {"fr": "Sources", "en": "Sources"},
    "all": {"fr": "Toutes", "en": "All"},
    "share_view": {"fr": "Les filtres sont dans l'adresse de la page : copiez-la pour partager cette vue.",
                   "en": "Filters are in the page address: copy it to share this view."},
    "tz_note": {"fr": "Heures affichées dans le fuseau {tz}.", "en": "Times shown in the {tz} time zone."},
    "config_error": {"fr": "Configuration illisible ({path}) : {error}",
                     "en": "Configuration could not be read ({path}): {error}"},
    "config_missing": {"fr": "Aucune configuration trouvée ({path}) : les marques et sources viennent des données.",
                       "en": "No configuration found ({path}): brands and sources come from the data."},
    "db_error": {"fr": "Base de données inaccessible : {error}", "en": "Database unavailable: {error}"},
    # empty states
    "no_data": {"fr": "Aucune donnée : lancez une collecte (make demo ou python -m crawlers collect …)",
                "en": "No data yet: run a collection (make demo or python -m crawlers collect …)"},
    "no_data_filters": {"fr": "Aucune mention pour ces filtres et cette période. Élargissez la période ou retirez des filtres.",
                        "en": "No mention for these filters and this period. Widen the period or remove filters."},
    "no_source": {"fr": "Aucune source configurée : ajoutez des [[sources]] dans {path}.",
                  "en": "No source configured: add [[sources]] to {path}."},
    "no_alert": {"fr": "Aucune alerte ouverte.", "en": "No open alert."},
    "no_queue": {"fr": "Rien à traiter : aucune mention négative ou urgente dans cette fenêtre.",
                 "en": "Nothing to handle: no negative or urgent mention in this window."},
    # today
    "today_title": {"fr": "Revue du jour", "en": "Today's review"},
    "since_review": {"fr": "Depuis votre dernière revue ({when}), comparé à la période de même durée juste avant.",
                     "en": "Since your last review ({when}), compared with the period of the same length just before."},
    "since_24h": {"fr": "Dernières 24 h comparées aux 24 h précédentes (aucune revue enregistrée).",
                  "en": "Last 24 h compared with the previous 24 h (no review recorded yet)."},
    "m_mentions": {"fr": "Mentions", "en": "Mentions"},
    "m_own_share": {"fr": "Part de voix de {brand}", "en": "Share of voice of {brand}"},
    "m_own_share_none": {"fr": "Part de voix (aucune marque « own »)", "en": "Share of voice (no own brand)"},
    "m_net": {"fr": "Sentiment net", "en": "Net sentiment"},
    "pts": {"fr": "pts", "en": "pts"},
    "formula_net": {"fr": "Sentiment net = (mentions positives − négatives) ÷ (positives + négatives), de −1 à 1.",
                    "en": "Net sentiment = (positive − negative mentions) ÷ (positive + negative), from −1 to 1."},
    "review_done": {"fr": "Revue terminée", "en": "Review done"},
    "review_saved": {"fr": "Revue enregistrée : la prochaine revue partira d'ici.",
                     "en": "Review saved: the next review starts from here."},
    "alerts": {"fr": "Alertes ouvertes", "en": "Open alerts"},
    "ack": {"fr": "Acquitter", "en": "Acknowledge"},
    "acked": {"fr": "Alerte acquittée.", "en": "Alert acknowledged."},
    "observed_expected": {"fr": "Observé : {obs} · attendu : {exp}", "en": "Observed: {obs} · expected: {exp}"},
    "top_terms": {"fr": "Termes principaux", "en": "Top terms"},
    "top_sources": {"fr": "Sources principales", "en": "Top sources"},
    "behind": {"fr": "Mentions à l'origine", "en": "Mentions behind it"},
    "queue": {"fr": "À traiter : mentions négatives ou urgentes", "en": "To handle: negative or urgent mentions"},
    "queue_show": {"fr": "Afficher", "en": "Show"},
    "open_original": {"fr": "Ouvrir l'original ↗", "en": "Open the original ↗"},
    "status": {"fr": "Statut", "en": "Status"},
    "st_to_handle": {"fr": "à traiter", "en": "to handle"},
    "st_handled": {"fr": "traité", "en": "handled"},
    "st_ignored": {"fr": "ignoré", "en": "ignored"},
    "reason_negative": {"fr": "négative", "en": "negative"},
    "reason_engagement": {"fr": "engagement élevé", "en": "high engagement"},
    "untitled": {"fr": "(sans titre)", "en": "(untitled)"},
    "sev_critical": {"fr": "critique", "en": "critical"},
    "sev_warning": {"fr": "avertissement", "en": "warning"},
    "sev_info": {"fr": "info", "en": "info"},
    "rule_volume_spike": {"fr": "Pic de volume", "en": "Volume spike"},
    "rule_negative_spike": {"fr": "Pic de négatif", "en": "Negative spike"},
    "rule_mention": {"fr": "Mention à surveiller", "en": "Mention to watch"},
    "rule_source_failing": {"fr": "Source en échec", "en": "Source failing"},
    "rule_source_silent": {"fr": "Source silencieuse", "en": "Source silent"},
    # share of voice
    "sov_title": {"fr": "Part de voix", "en": "Share of voice"},
    "formula_sov": {"fr": "Part de voix = mentions de la marque ÷ mentions de toutes les marques suivies × 100, mêmes filtres pour chaque marque.",
                    "en": "Share of voice = brand mentions ÷ mentions of all watched brands × 100, same filters for every brand."},
    "formula_story": {"fr": "Par histoire : une reprise d'agence publiée par 12 médias compte pour une seule histoire.",
                      "en": "By story: a wire copy published by 12 outlets counts as one story."},
    "formula_attention": {"fr": "Attention normalisée = mentions de la marque ce jour ÷ tous les éléments collectés des mêmes sources ce jour (une panne de collecte n'apparaît pas comme une baisse).",
                          "en": "Normalized attention = brand mentions that day ÷ all items collected from the same sources that day (a crawler outage does not look like a drop)."},
    "formula_change": {"fr": "Variation = part de voix de la période − part de voix de la période précédente de même durée, en points.",
                       "en": "Change = share of voice this period − share of voice in the previous period of the same length, in points."},
    "measure": {"fr": "Mesure", "en": "Measure"},
    "by_mentions": {"fr": "Par mentions", "en": "By mentions"},
    "by_stories": {"fr": "Par histoire", "en": "By story"},
    "show_as": {"fr": "Afficher", "en": "Show as"},
    "as_share": {"fr": "Parts (%)", "en": "Shares (%)"},
    "as_count": {"fr": "Nombres", "en": "Counts"},
    "sov_over_time": {"fr": "Évolution par jour", "en": "Over time, by day"},
    "sov_period": {"fr": "Sur la période, comparé à la période précédente", "en": "Over the period, compared with the previous one"},
    "by_kind": {"fr": "Par type de source", "en": "By source kind"},
    "by_sentiment": {"fr": "Par tonalité", "en": "By sentiment"},
    "attention": {"fr": "Attention normalisée", "en": "Normalized attention"},
    "own_marker": {"fr": "★ votre marque", "en": "★ your brand"},
    "col_brand": {"fr": "Marque", "en": "Brand"},
    "col_mentions": {"fr": "Mentions", "en": "Mentions"},
    "col_stories": {"fr": "Histoires", "en": "Stories"},
    "col_share": {"fr": "Part de voix (%)", "en": "Share of voice (%)"},
    "col_story_share": {"fr": "Part par histoire (%)", "en": "Share by story (%)"},
    "col_prev_share": {"fr": "Période précédente (%)", "en": "Previous period (%)"},
    "col_change": {"fr": "Variation (pts)", "en": "Change (pts)"},
    "col_engagement": {"fr": "Engagement", "en": "Engagement"},
    "col_net": {"fr": "Sentiment net", "en": "Net sentiment"},
    # topics
    "topics_title": {"fr": "Sujets et idées", "en": "Topics and ideas"},
    "rising": {"fr": "Termes en hausse", "en": "Rising terms"},
    "rising_unavailable": {"fr": "Le calcul des termes en hausse n'est pas encore disponible (warehouse.terms).",
                           "en": "Rising terms are not available yet (warehouse.terms)."},
    "no_rising": {"fr": "Aucun terme en hausse sur la période.", "en": "No rising term in the period."},
    "top_by_brand": {"fr": "Termes principaux par marque", "en": "Top terms per brand"},
    "pick_term": {"fr": "Terme à explorer (ou cliquez une barre)", "en": "Term to explore (or click a bar)"},
    "term_timeline": {"fr": "« {term} » au fil des jours", "en": "“{term}” over time"},
    "term_mentions": {"fr": "Mentions contenant « {term} »", "en": "Mentions containing “{term}”"},
    "questions": {"fr": "Questions posées : idées de contenu", "en": "Questions people ask: content ideas"},
    "no_questions": {"fr": "Aucune question détectée sur la période.", "en": "No question found in the period."},
    "competitor_topics": {"fr": "Sujets où les concurrents font le plus d'engagement",
                          "en": "Topics where competitors get the most engagement"},
    "no_competitor": {"fr": "Pas d'engagement mesuré pour les concurrents sur la période.",
                      "en": "No engagement measured for competitors in the period."},
    "col_term": {"fr": "Terme", "en": "Term"},
    "col_score": {"fr": "Score", "en": "Score"},
    "col_recent": {"fr": "Récent", "en": "Recent"},
    "col_baseline": {"fr": "Référence", "en": "Baseline"},
    "col_theme": {"fr": "Thème", "en": "Theme"},
    "col_question": {"fr": "Question", "en": "Question"},
    "col_variants": {"fr": "Formulations", "en": "Wordings"},
    "col_count": {"fr": "Fois posée", "en": "Times asked"},
    "col_example_source": {"fr": "Source", "en": "Source"},
    "col_last_asked": {"fr": "Dernière fois", "en": "Last asked"},
    # mentions
    "mentions_title": {"fr": "Mentions", "en": "Mentions"},
    "search": {"fr": "Mots-clés (tous doivent apparaître, accents ignorés)",
               "en": "Keywords (all must appear, accents ignored)"},
    "kinds": {"fr": "Types de source", "en": "Source kinds"},
    "sentiments": {"fr": "Tonalités", "en": "Sentiments"},
    "languages": {"fr": "Langues", "en": "Languages"},
    "page_size": {"fr": "Lignes par page", "en": "Rows per page"},
    "page": {"fr": "Page", "en": "Page"},
    "found": {"fr": "{n} mentions trouvées · page {page} sur {pages}", "en": "{n} mentions found · page {page} of {pages}"},
    "export_csv": {"fr": "Exporter en CSV", "en": "Export to CSV"},
    "export_xlsx": {"fr": "Exporter en Excel", "en": "Export to Excel"},
    "export_note": {"fr": "L'export contient les {n} lignes filtrées (au plus {max}).",
                    "en": "The export holds the {n} filtered rows (at most {max})."},
    "col_date": {"fr": "Date", "en": "Date"},
    "col_brands": {"fr": "Marques", "en": "Brands"},
    "col_source": {"fr": "Source", "en": "Source"},
    "col_kind": {"fr": "Type", "en": "Kind"},
    "col_title": {"fr": "Titre", "en": "Title"},
    "col_body": {"fr": "Extrait", "en": "Excerpt"},
    "col_author": {"fr": "Auteur", "en": "Author"},
    "col_language": {"fr": "Langue", "en": "Language"},
    "col_sentiment": {"fr": "Tonalité", "en": "Sentiment"},
    "col_link": {"fr": "Lien", "en": "Link"},
    "link_text": {"fr": "ouvrir", "en": "open"},
    "sent_positive": {"fr": "positive", "en": "positive"},
    "sent_neutral": {"fr": "neutre", "en": "neutral"},
    "sent_negative": {"fr": "négative", "en": "negative"},
    # sources
    "sources_title": {"fr": "Santé des sources", "en": "Source health"},
    "health_unavailable": {"fr": "Le calcul de santé des sources n'est pas encore disponible (warehouse.health) : état brut affiché.",
                           "en": "Source health is not available yet (warehouse.health): raw state shown."},
    "health_counts": {"fr": "{ok} en ordre · {failing} en échec · {silent} silencieuses · {parked} en pause · {never} jamais collectées",
                      "en": "{ok} ok · {failing} failing · {silent} silent · {parked} parked · {never} never collected"},
    "volume": {"fr": "Volume collecté par source et par jour", "en": "Items collected per source per day"},
    "errors": {"fr": "Erreurs de collecte récentes", "en": "Recent collection errors"},
    "no_errors": {"fr": "Aucune erreur de collecte enregistrée.", "en": "No collection error recorded."},
    "col_state": {"fr": "État", "en": "State"},
    "col_last_success": {"fr": "Dernier succès", "en": "Last success"},
    "col_failures": {"fr": "Échecs consécutifs", "en": "Consecutive failures"},
    "col_failing_since": {"fr": "En échec depuis", "en": "Failing since"},
    "col_last_error": {"fr": "Dernière erreur", "en": "Last error"},
    "col_next_poll": {"fr": "Prochaine collecte", "en": "Next poll"},
    "col_items": {"fr": "Éléments", "en": "Items"},
    "col_last_new": {"fr": "Dernier nouvel élément", "en": "Last new item"},
    "col_started": {"fr": "Début", "en": "Started"},
    "col_http": {"fr": "HTTP", "en": "HTTP"},
    "col_error": {"fr": "Erreur", "en": "Error"},
    "state_ok": {"fr": "en ordre", "en": "ok"},
    "state_failing": {"fr": "en échec", "en": "failing"},
    "state_silent": {"fr": "silencieuse", "en": "silent"},
    "state_parked": {"fr": "en pause", "en": "parked"},
    "state_never": {"fr": "jamais collectée", "en": "never collected"},
}

MONTHS = {
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"],
}


def t(key: str, lang: str = "fr", **kw) -> str:
    entry = STRINGS.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry["fr"]
    return text.format(**kw) if kw else text


def fmt_number(value, lang: str = "fr", decimals: int = 0) -> str:
    """1 234,5 in French, 1,234.5 in English; an em dash for missing values."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    text = f"{float(value):,.{decimals}f}"
    if lang == "fr":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", THIN)
    return text


def fmt_signed(value, lang: str = "fr", decimals: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return sign + fmt_number(abs(value), lang, decimals)


def fmt_percent(value, lang: str = "fr", decimals: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    # French puts a (no-break) space before %.
    return fmt_number(value, lang, decimals) + ("\u00a0%" if lang == "fr" else "%")


def _local(value, tz: str):
    if value is None:
        return None
    if hasattr(value, "to_pydatetime"):
        if value != value:  # NaT
            return None
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(ZoneInfo(tz))
    return value


def fmt_date(value, lang: str = "fr", tz: str = "America/Toronto") -> str:
    """6 mai 2024 / May 6, 2024 (in the user's time zone when a datetime)."""
    value = _local(value, tz)
    if value is None:
        return "—"
    month = MONTHS[lang][value.month - 1]
    if lang == "fr":
        day = "1er" if value.day == 1 else str(value.day)
        return f"{day} {month} {value.year}"
    return f"{month} {value.day}, {value.year}"


def fmt_datetime(value, lang: str = "fr", tz: str = "America/Toronto") -> str:
    """6 mai 2024, 14 h 05 / May 6, 2024, 2:05 PM, in the user's time zone."""
    local = _local(value, tz)
    if local is None:
        return "—"
    if not isinstance(local, dt.datetime):
        return fmt_date(local, lang, tz)
    if lang == "fr":
        return f"{fmt_date(local, lang, tz)}, {local.hour} h {local.minute:02d}"
    hour = local.hour % 12 or 12
    return f"{fmt_date(local, lang, tz)}, {hour}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"


def status_label(status: str, lang: str) -> str:
    return t(f"st_{status}", lang)


def sentiment_label(sentiment, lang: str) -> str:
    if not isinstance(sentiment, str):
        return "—"
    return t(f"sent_{sentiment}", lang)

STRINGS.update({
    "recent_window": {"fr": "Fenêtre récente", "en": "Recent window"},
    "last_days": {"fr": "{n} dernier(s) jour(s)", "en": "last {n} day(s)"},
    "formula_rising": {
        "fr": "Score de hausse = G² de Dunning (log-vraisemblance) : part du terme sur les {recent} dernier(s) jour(s) "
              "comparée à sa part sur les {baseline} jours d'avant ; positif quand le terme gagne du terrain, "
              "3,84 ≈ p < 0,05. Au moins 3 mentions récentes.",
        "en": "Rise score = Dunning's G² (log-likelihood): the term's share over the last {recent} day(s) compared "
              "with its share over the {baseline} days before; positive when the term gains ground, "
              "3.84 ≈ p < 0.05. At least 3 recent mentions."},
})
