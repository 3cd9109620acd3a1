"""Strings and number/date formatting of the period briefing, in French and English.

Kept apart from warehouse/report.py so a translator edits one table and the
layout code never carries prose. French follows the Office québécois de la
langue française conventions: "1 234", "12,5 %", "du 1er au 30 novembre 2026".
"""

from __future__ import annotations

import datetime as dt
import math

LANGS = ("fr", "en")

# Narrow no-break space between thousands and no-break space before "%": a
# line never breaks inside a number, the way French typesetting expects.
NNBSP = "\u202f"
NBSP = "\u00a0"
MINUS = "\u2212"

MONTHS = {
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
}

STRINGS: dict[str, dict[str, str]] = {
    "fr": {
        "title_own": "Bilan de la période — {brand}",
        "title": "Bilan de la période",
        "subtitle": "Veille concurrentielle et écoute sociale",
        "generated": "Généré le {date}",
        "scope": "Marques suivies : {brands}",
        "scope_all": "toutes les marques suivies",
        "previous": "Comparaison avec la période précédente de même durée ({period}).",
        "page": "Page {n}",
        # sections
        "s_summary": "Résumé",
        "s_sov": "Part de voix",
        "s_perception": "Perception",
        "s_topics": "Sujets principaux",
        "s_notable": "Mentions notables",
        "s_alerts": "Alertes de la période",
        "s_method": "Méthode",
        # key figures
        "k_mentions": "Mentions",
        "k_sov": "Part de voix — {brand}",
        "k_net": "Sentiment net — {brand}",
        "k_rising": "Concurrent en hausse",
        "k_leader": "Marque la plus citée",
        "vs_prev": "{delta} vs période précédente",
        "vs_prev_count": "{prev} la période précédente",
        "k_none": "aucun",
        # summary sentences
        "sum_mentions": "Les marques suivies ont été citées dans {n} mentions sur la période "
                        "({change} par rapport à la période précédente, qui en comptait {prev}).",
        "sum_mentions_noprev": "Les marques suivies ont été citées dans {n} mentions sur la période "
                               "(aucune mention la période précédente).",
        "sum_sov": "{brand} obtient {share} de la part de voix, {delta} par rapport à la période précédente.",
        "sum_sov_rank": "{brand} se classe {rank}{tie} sur {total} marques.",
        "sum_net": "Son sentiment net est de {net} ({delta}) : {pos} mentions positives pour {neg} négatives.",
        "sum_net_noprev": "Son sentiment net est de {net} : {pos} mentions positives pour {neg} négatives.",
        "sum_net_na": "Aucune de ses mentions n’a été classée positive ou négative : "
                      "le sentiment net n’est pas calculable.",
        "sum_own_absent": "{brand} n’a été citée dans aucune mention de la période.",
        "sum_leader": "{brand} est la marque la plus citée, avec {share} de la part de voix.",
        "sum_rising": "Concurrent en hausse : {brand}, qui gagne {delta} de part de voix ({share}).",
        "sum_no_rising": "Aucun concurrent ne gagne de part de voix sur la période.",
        "sum_alerts": "{n} alerte(s) sur la période, dont {crit} critique(s).",
        "sum_no_alerts": "Aucune alerte sur la période.",
        "sum_rank_1": "1re",
        "sum_rank_n": "{n}e",
        "change_up": "en hausse de {pct}",
        "change_down": "en baisse de {pct}",
        "change_flat": "stable",
        "empty_period": "Aucune mention des marques suivies n’a été publiée sur cette période. "
                        "Vérifiez que la collecte fonctionnait (section Méthode) ou choisissez une autre période.",
        "empty_section": "Rien à signaler sur cette période.",
        # sov
        "sov_chart": "Part de voix quotidienne par marque (en % des mentions du jour)",
        "sov_chart_week": "Part de voix hebdomadaire par marque (en % des mentions de la semaine)",
        "sov_intro": "Part des mentions de chaque marque parmi les mentions de toutes les marques suivies.",
        "sov_single_day": "Période d’un seul jour : la courbe quotidienne n’est pas tracée.",
        "col_brand": "Marque",
        "col_mentions": "Mentions",
        "col_share": "Part de voix",
        "col_change": "Variation",
        "col_stories": "Histoires",
        "col_story_share": "Part par histoire",
        "col_attention": "Attention",
        "own_marker": " (nous)",
        # perception
        "perception_intro": "Répartition des mentions par tonalité et sentiment net par marque.",
        "perception_chart": "Tonalité des mentions par marque",
        "col_positive": "Positives",
        "col_neutral": "Neutres",
        "col_negative": "Négatives",
        "col_net": "Sentiment net",
        "col_net_change": "Variation",
        # topics
        "topics_intro": "Termes les plus employés dans les mentions de chaque marque (noms de marque exclus).",
        "rising_title": "Termes en hausse",
        "rising_intro": "Termes plus fréquents que pendant la période précédente.",
        "rising_none": "Aucun terme ne progresse nettement par rapport à la période précédente.",
        "col_terms": "Termes les plus fréquents",
        "col_term": "Terme",
        "col_prev": "Période préc.",
        "term_count": "{term} ({n})",
        # notable
        "notable_engaged": "Mentions les plus engageantes",
        "notable_negative": "Mentions les plus négatives",
        "notable_none_engaged": "Aucune source n’a fourni de chiffre d’engagement sur la période.",
        "notable_none_negative": "Aucune mention négative sur la période.",
        "col_date": "Date",
        "col_source": "Source",
        "col_title": "Mention",
        "col_engagement": "Engagement",
        "col_brands": "Marques",
        "col_score": "Score",
        "untitled": "(sans titre)",
        "estimated_mark": " (date estimée)",
        # alerts
        "alerts_intro": "Alertes déclenchées pendant la période, les plus graves d’abord.",
        "col_severity": "Gravité",
        "col_rule": "Type",
        "col_what": "Détail",
        "col_window": "Quand",
        "col_status": "Statut",
        "sev_critical": "Critique",
        "sev_warning": "Avertissement",
        "sev_info": "Information",
        "rule_volume_spike": "Pic de volume",
        "rule_negative_spike": "Pic de négatif",
        "rule_mention": "Mention de crise",
        "rule_source_failing": "Source en échec",
        "rule_source_silent": "Source silencieuse",
        "status_open": "Ouverte",
        "status_acknowledged": "Prise en compte",
        "status_resolved": "Résolue",
        "alert_spike": "{brand} : {observed} mentions observées contre {expected} attendues",
        "alert_neg_spike": "{brand} : {observed} mentions négatives observées contre {expected} attendues",
        "alert_mention": "{brand} : mention à surveiller sur {source}",
        "alert_quote": "{base} — « {title} »",
        "alert_failing": "{source} : {n} échec(s) de collecte consécutif(s)",
        "alert_silent": "{source} : aucun nouvel élément publié",
        # method
        "m_sov": "Part de voix = mentions de la marque ÷ mentions de toutes les marques suivies × 100, "
                 "avec les mêmes filtres pour chaque marque ; une mention qui cite deux marques compte pour chacune. "
                 "La variation est donnée en points de pourcentage.",
        "m_story": "Part par histoire : les reprises d’une même dépêche sont regroupées en une seule histoire.",
        "m_net": "Sentiment net = (positives − négatives) ÷ (positives + négatives) × 100, de −100 à +100 ; "
                 "les mentions neutres ne comptent pas. La tonalité est estimée automatiquement, mention par mention.",
        "m_attention": "Attention normalisée = mentions de la marque ÷ éléments collectés auprès des mêmes sources "
                       "sur la période, pour qu’une panne de collecte ne se lise pas comme une baisse.",
        "m_previous": "Période précédente : {period}.",
        "m_data": "Données de la période",
        "m_sources": "{n} source(s), {items} éléments collectés sur la période, "
                     "dont {mentions} mentions des marques suivies.",
        "m_estimated": "Dates estimées : {share} des mentions ({n}) n’avaient pas de date de publication ; "
                       "la date de première collecte a été retenue.",
        "m_no_sources": "Aucun élément collecté sur la période.",
        "col_items": "Éléments collectés",
        "col_kind": "Type",
        "col_estimated": "Dates estimées",
        "na": "n.d.",
        "tie": " ex æquo",
        "kind_rss": "Fil RSS",
        "kind_forum": "Forum",
        "kind_search": "Recherche",
        "kind_reddit": "Reddit",
        "html_lang": "fr",
        # dashboard page
        "ui_title": "Bilan de la période",
        "ui_intro": "Un document à transmettre à la direction : chiffres clés, part de voix, perception, "
                    "sujets, mentions notables et alertes, en PDF ou en HTML.",
        "ui_period": "Période du bilan",
        "ui_p_filters": "Période des filtres",
        "ui_p_last_month": "Mois dernier",
        "ui_p_this_month": "Mois en cours",
        "ui_p_custom": "Personnalisée",
        "ui_dates": "Du … au …",
        "ui_brands": "Marques du bilan",
        "ui_all_brands": "Toutes les marques suivies",
        "ui_pick_range": "Choisissez une date de début et une date de fin.",
        "ui_download_pdf": "Télécharger le PDF",
        "ui_download_html": "Télécharger le HTML",
        "ui_preview": "Aperçu",
        "ui_summary": "{period} · {n} mentions",
        "ui_empty": "Aucune mention sur cette période : le bilan l’explique, mais il sera surtout vide.",
        "ui_error": "Le bilan n’a pas pu être produit : {error}",
        "ui_building": "Préparation du bilan…",
        "ui_cli": "En ligne de commande : python -m warehouse briefing --from {start} --to {end} --out bilan.pdf",
    },
    "en": {
        "title_own": "Period briefing — {brand}",
        "title": "Period briefing",
        "subtitle": "Competitive watch and social listening",
        "generated": "Generated on {date}",
        "scope": "Brands: {brands}",
        "scope_all": "all watched brands",
        "previous": "Compared with the previous period of the same length ({period}).",
        "page": "Page {n}",
        "s_summary": "Summary",
        "s_sov": "Share of voice",
        "s_perception": "Perception",
        "s_topics": "Main topics",
        "s_notable": "Notable mentions",
        "s_alerts": "Alerts in the period",
        "s_method": "Method",
        "k_mentions": "Mentions",
        "k_sov": "Share of voice — {brand}",
        "k_net": "Net sentiment — {brand}",
        "k_rising": "Rising competitor",
        "k_leader": "Most mentioned brand",
        "vs_prev": "{delta} vs previous period",
        "vs_prev_count": "{prev} in the previous period",
        "k_none": "none",
        "sum_mentions": "The watched brands were named in {n} mentions over the period "
                        "({change} compared with the previous period, which had {prev}).",
        "sum_mentions_noprev": "The watched brands were named in {n} mentions over the period "
                               "(no mentions in the previous period).",
        "sum_sov": "{brand} holds {share} of the share of voice, {delta} compared with the previous period.",
        "sum_sov_rank": "{brand} ranks {rank}{tie} of {total} brands.",
        "sum_net": "Its net sentiment is {net} ({delta}): {pos} positive mentions for {neg} negative ones.",
        "sum_net_noprev": "Its net sentiment is {net}: {pos} positive mentions for {neg} negative ones.",
        "sum_net_na": "None of its mentions was classified positive or negative: net sentiment cannot be computed.",
        "sum_own_absent": "{brand} was not named in any mention of the period.",
        "sum_leader": "{brand} is the most mentioned brand, with {share} of the share of voice.",
        "sum_rising": "Rising competitor: {brand}, gaining {delta} of share of voice ({share}).",
        "sum_no_rising": "No competitor gained share of voice over the period.",
        "sum_alerts": "{n} alert(s) in the period, {crit} of them critical.",
        "sum_no_alerts": "No alerts in the period.",
        "sum_rank_1": "1st",
        "sum_rank_n": "{n}th",
        "change_up": "up {pct}",
        "change_down": "down {pct}",
        "change_flat": "unchanged",
        "empty_period": "No mention of the watched brands was published in this period. "
                        "Check that collection was running (Method section) or choose another period.",
        "empty_section": "Nothing to report for this period.",
        "sov_chart": "Daily share of voice per brand (% of the day's mentions)",
        "sov_chart_week": "Weekly share of voice per brand (% of the week's mentions)",
        "sov_intro": "Each brand's share of the mentions of all watched brands.",
        "sov_single_day": "One-day period: the daily curve is not drawn.",
        "col_brand": "Brand",
        "col_mentions": "Mentions",
        "col_share": "Share of voice",
        "col_change": "Change",
        "col_stories": "Stories",
        "col_story_share": "Share by story",
        "col_attention": "Attention",
        "own_marker": " (us)",
        "perception_intro": "Mentions by tone and net sentiment per brand.",
        "perception_chart": "Tone of mentions per brand",
        "col_positive": "Positive",
        "col_neutral": "Neutral",
        "col_negative": "Negative",
        "col_net": "Net sentiment",
        "col_net_change": "Change",
        "topics_intro": "Most used terms in each brand's mentions (brand names excluded).",
        "rising_title": "Rising terms",
        "rising_intro": "Terms used more often than in the previous period.",
        "rising_none": "No term clearly rose compared with the previous period.",
        "col_terms": "Most frequent terms",
        "col_term": "Term",
        "col_prev": "Previous",
        "term_count": "{term} ({n})",
        "notable_engaged": "Most engaging mentions",
        "notable_negative": "Most negative mentions",
        "notable_none_engaged": "No source reported engagement figures in the period.",
        "notable_none_negative": "No negative mentions in the period.",
        "col_date": "Date",
        "col_source": "Source",
        "col_title": "Mention",
        "col_engagement": "Engagement",
        "col_brands": "Brands",
        "col_score": "Score",
        "untitled": "(untitled)",
        "estimated_mark": " (estimated date)",
        "alerts_intro": "Alerts raised during the period, most severe first.",
        "col_severity": "Severity",
        "col_rule": "Type",
        "col_what": "Detail",
        "col_window": "When",
        "col_status": "Status",
        "sev_critical": "Critical",
        "sev_warning": "Warning",
        "sev_info": "Info",
        "rule_volume_spike": "Volume spike",
        "rule_negative_spike": "Negative spike",
        "rule_mention": "Crisis mention",
        "rule_source_failing": "Source failing",
        "rule_source_silent": "Source silent",
        "status_open": "Open",
        "status_acknowledged": "Acknowledged",
        "status_resolved": "Resolved",
        "alert_spike": "{brand}: {observed} mentions observed, {expected} expected",
        "alert_neg_spike": "{brand}: {observed} negative mentions observed, {expected} expected",
        "alert_mention": "{brand}: mention to watch on {source}",
        "alert_quote": "{base} — “{title}”",
        "alert_failing": "{source}: {n} consecutive collection failure(s)",
        "alert_silent": "{source}: no new items published",
        "m_sov": "Share of voice = the brand's mentions ÷ mentions of all watched brands × 100, with the same "
                 "filters for every brand; a mention naming two brands counts for each. Changes are in "
                 "percentage points.",
        "m_story": "Share by story: copies of the same wire story are grouped into one story.",
        "m_net": "Net sentiment = (positive − negative) ÷ (positive + negative) × 100, from −100 to +100; "
                 "neutral mentions do not count. Tone is estimated automatically, mention by mention.",
        "m_attention": "Normalized attention = the brand's mentions ÷ items collected from the same sources in "
                       "the period, so a collection outage is not read as a drop.",
        "m_previous": "Previous period: {period}.",
        "m_data": "Data for the period",
        "m_sources": "{n} source(s), {items} items collected in the period, "
                     "{mentions} of them mentioning the watched brands.",
        "m_estimated": "Estimated dates: {share} of mentions ({n}) had no publication date; "
                       "the first-collection time was used.",
        "m_no_sources": "Nothing was collected in the period.",
        "col_items": "Items collected",
        "col_kind": "Kind",
        "col_estimated": "Estimated dates",
        "na": "n/a",
        "tie": " (tied)",
        "kind_rss": "RSS feed",
        "kind_forum": "Forum",
        "kind_search": "Search",
        "kind_reddit": "Reddit",
        "html_lang": "en",
        "ui_title": "Period briefing",
        "ui_intro": "A document for management: key figures, share of voice, perception, topics, "
                    "notable mentions and alerts, as PDF or HTML.",
        "ui_period": "Briefing period",
        "ui_p_filters": "Filter period",
        "ui_p_last_month": "Last month",
        "ui_p_this_month": "This month",
        "ui_p_custom": "Custom",
        "ui_dates": "From … to …",
        "ui_brands": "Brands in the briefing",
        "ui_all_brands": "All watched brands",
        "ui_pick_range": "Pick a start date and an end date.",
        "ui_download_pdf": "Download PDF",
        "ui_download_html": "Download HTML",
        "ui_preview": "Preview",
        "ui_summary": "{period} · {n} mentions",
        "ui_empty": "No mentions in this period: the briefing says so, but it will be mostly empty.",
        "ui_error": "The briefing could not be produced: {error}",
        "ui_building": "Preparing the briefing…",
        "ui_cli": "From the command line: python -m warehouse briefing --from {start} --to {end} --out briefing.pdf",
    },
}


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use fr or en")
    return lang


def t(lang: str, key: str, **kw) -> str:
    text = STRINGS[lang][key]
    return text.format(**kw) if kw else text


# --- numbers ---------------------------------------------------------------------

def _is_missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def fmt_int(n, lang: str) -> str:
    if _is_missing(n):
        return t(lang, "na")
    text = f"{int(n):,}"
    return text.replace(",", NNBSP) if lang == "fr" else text


def fmt_num(x, lang: str, decimals: int = 1) -> str:
    if _is_missing(x):
        return t(lang, "na")
    text = f"{float(x):,.{decimals}f}"
    if lang == "fr":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", NNBSP)
    return text.replace("-", MINUS)


def fmt_pct(x, lang: str, decimals: int = 1) -> str:
    """12.5 -> "12,5 %" (fr) / "12.5%" (en); x is already a percentage."""
    if _is_missing(x):
        return t(lang, "na")
    return fmt_num(x, lang, decimals) + (NBSP + "%" if lang == "fr" else "%")


def _signed(x: float, lang: str, decimals: int) -> str:
    # Rounds first so a -0.04 change never prints as "−0,0".
    r = round(float(x), decimals)
    if r == 0:
        return "±" + fmt_num(0.0, lang, decimals)
    return ("+" if r > 0 else MINUS) + fmt_num(abs(r), lang, decimals)


def fmt_pts(x, lang: str, decimals: int = 1) -> str:
    """A change of a percentage or a net sentiment, in points: "+2,3 pts", "−0,5 pt"."""
    if _is_missing(x):
        return t(lang, "na")
    r = abs(round(float(x), decimals))
    # French puts the plural from 2 on ("1,5 point"), English from anything but 1.
    plural = r >= 2 if lang == "fr" else r != 1
    return _signed(x, lang, decimals) + NBSP + ("pts" if plural else "pt")


def fmt_net(x, lang: str) -> str:
    """Net sentiment on the −100..+100 scale, signed, no decimals."""
    if _is_missing(x):
        return t(lang, "na")
    return _signed(x, lang, 0)


def fmt_change_pct(cur: int, prev: int, lang: str) -> str:
    """Relative change in words: "en hausse de 12 %"."""
    if not prev:
        return t(lang, "na")
    pct = 100.0 * (cur - prev) / prev
    if round(pct) == 0:
        return t(lang, "change_flat")
    key = "change_up" if pct > 0 else "change_down"
    return t(lang, key, pct=fmt_pct(abs(pct), lang, 0))


def fmt_rank(n: int, lang: str) -> str:
    if lang == "fr":
        return t(lang, "sum_rank_1") if n == 1 else t(lang, "sum_rank_n", n=n)
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(n if n % 100 not in (11, 12, 13) else 0, "th")
    return f"{n}{suffix}"


# --- dates -------------------------------------------------------------------------

def _day_fr(d: dt.date) -> str:
    return "1er" if d.day == 1 else str(d.day)


def fmt_date(d: dt.date, lang: str) -> str:
    """3 novembre 2026 / November 3, 2026."""
    if lang == "fr":
        return f"{_day_fr(d)} {MONTHS['fr'][d.month - 1]} {d.year}"
    return f"{MONTHS['en'][d.month - 1]} {d.day}, {d.year}"


def fmt_date_short(d: dt.date, lang: str) -> str:
    """Table cells: 03/11/2026 (fr) / 2026-11-03 (en, unambiguous across US and UK readers)."""
    return d.strftime("%d/%m/%Y") if lang == "fr" else d.isoformat()


def fmt_range(first: dt.date, last: dt.date, lang: str) -> str:
    """An inclusive range of days in words: "du 1er au 30 novembre 2026", "November 1–30, 2026"."""
    fr = lang == "fr"
    m = MONTHS[lang]
    if first == last:
        return f"le {fmt_date(first, lang)}" if fr else fmt_date(first, lang)
    if (first.year, first.month) == (last.year, last.month):
        if fr:
            return f"du {_day_fr(first)} au {last.day} {m[last.month - 1]} {last.year}"
        return f"{m[first.month - 1]} {first.day}\u2013{last.day}, {last.year}"
    if first.year == last.year:
        if fr:
            return f"du {_day_fr(first)} {m[first.month - 1]} au {_day_fr(last)} {m[last.month - 1]} {last.year}"
        return f"{m[first.month - 1]} {first.day} \u2013 {m[last.month - 1]} {last.day}, {last.year}"
    if fr:
        return f"du {fmt_date(first, lang)} au {fmt_date(last, lang)}"
    return f"{fmt_date(first, lang)} \u2013 {fmt_date(last, lang)}"
