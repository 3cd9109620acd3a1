"""Altair chart builders: pure functions from a DataFrame to a chart.

They live in warehouse/ (Altair is not Streamlit) so the dashboard, the
briefing report and the digest email draw the very same charts.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

FR_LOCALE = alt.Locale(
    number=alt.NumberLocale(decimal=",", thousands="\u202f", grouping=[3], currency=["", "\u00a0$"]),
    time=alt.TimeLocale(
        dateTime="%A %e %B %Y à %X", date="%d/%m/%Y", time="%H:%M:%S",
        periods=["AM", "PM"],
        days=["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
        shortDays=["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
        months=["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                "septembre", "octobre", "novembre", "décembre"],
        shortMonths=["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août",
                     "sept.", "oct.", "nov.", "déc."],
    ),
)

LABELS = {
    "fr": {"day": "Jour", "brand": "Marque", "share": "Part de voix (%)", "mentions": "Mentions",
           "stories": "Histoires", "story_share": "Part de voix par histoire (%)",
           "attention": "Attention normalisée", "collected": "Éléments collectés"},
    "en": {"day": "Day", "brand": "Brand", "share": "Share of voice (%)", "mentions": "Mentions",
           "stories": "Stories", "story_share": "Share of voice by story (%)",
           "attention": "Normalized attention", "collected": "Items collected"},
}

DATE_FORMAT = {"fr": "%e %b", "en": "%b %e"}


def localize(chart: alt.TopLevelMixin, lang: str = "fr") -> alt.TopLevelMixin:
    """Apply the number and date locale of the interface language."""
    if lang == "fr":
        return chart.configure(locale=FR_LOCALE)
    return chart


def brand_color_scale(brands: list[str]) -> alt.Scale:
    # A stable colour per brand across every chart of a session.
    palette = ["#1f5fa8", "#e4572e", "#17a398", "#f3a712", "#7d5ba6", "#6c757d", "#c5283d", "#2e933c"]
    ordered = sorted(brands)
    return alt.Scale(domain=ordered, range=[palette[i % len(palette)] for i in range(len(ordered))])


def sov_over_time(df: pd.DataFrame, lang: str = "fr", measure: str = "share", stacked: bool = True) -> alt.Chart:
    """Share of voice (or counts) per brand per day, from share_of_voice_daily()."""
    lab = LABELS[lang]
    data = df.copy()
    data["day"] = pd.to_datetime(data["day"])
    y_title = lab.get(measure, measure)
    brands = sorted(data["brand"].unique().tolist()) if not data.empty else []
    mark = alt.Chart(data).mark_area(opacity=0.85) if stacked else alt.Chart(data).mark_line(point=True)
    y = alt.Y(f"{measure}:Q", title=y_title, stack="zero" if stacked else None)
    if measure in ("share", "story_share") and stacked:
        y = alt.Y(f"{measure}:Q", title=y_title, stack="zero", scale=alt.Scale(domain=[0, 100]))
    return mark.encode(
        x=alt.X("day:T", title=lab["day"], axis=alt.Axis(format=DATE_FORMAT[lang])),
        y=y,
        color=alt.Color("brand:N", title=lab["brand"], scale=brand_color_scale(brands)),
        tooltip=[alt.Tooltip("day:T", title=lab["day"], format="%Y-%m-%d"),
                 alt.Tooltip("brand:N", title=lab["brand"]),
                 alt.Tooltip("mentions:Q", title=lab["mentions"]),
                 alt.Tooltip("share:Q", title=lab["share"], format=".1f")],
    ).properties(height=320)


def sov_bars(df: pd.DataFrame, lang: str = "fr") -> alt.Chart:
    """Share of voice over the period per brand, from share_of_voice_totals()."""
    lab = LABELS[lang]
    brands = df["brand"].tolist() if not df.empty else []
    return alt.Chart(df).mark_bar().encode(
        x=alt.X("share:Q", title=lab["share"]),
        y=alt.Y("brand:N", title=None, sort="-x"),
        color=alt.Color("brand:N", legend=None, scale=brand_color_scale(brands)),
        tooltip=[alt.Tooltip("brand:N", title=lab["brand"]), alt.Tooltip("mentions:Q", title=lab["mentions"]),
                 alt.Tooltip("share:Q", title=lab["share"], format=".1f")],
    ).properties(height=max(60, 36 * len(brands)))


def to_png(chart: alt.TopLevelMixin, scale: float = 2.0) -> bytes:
    """Render offline (vl-convert, no browser, no network) for emails and reports."""
    import vl_convert as vlc
    return vlc.vegalite_to_png(chart.to_json(), scale=scale)


SENTIMENT_LABELS = {
    "fr": {"positive": "Positif", "neutral": "Neutre", "negative": "Négatif", "share": "Part des mentions (%)"},
    "en": {"positive": "Positive", "neutral": "Neutral", "negative": "Negative", "share": "Share of mentions (%)"},
}


def sentiment_split_bars(df: pd.DataFrame, lang: str = "fr") -> alt.Chart:
    """100 % stacked bar per brand (negative, neutral, positive), from queries.briefing_sentiment()."""
    lab, slab = LABELS[lang], SENTIMENT_LABELS[lang]
    order = ["negative", "neutral", "positive"]
    rows = []
    for rec in df.to_dict("records"):
        total = sum(int(rec[k]) for k in order)
        for i, k in enumerate(order):
            rows.append({"brand": rec["brand"], "sentiment": slab[k], "order": i, "count": int(rec[k]),
                         "pct": 100.0 * int(rec[k]) / total if total else 0.0})
    data = pd.DataFrame(rows, columns=["brand", "sentiment", "order", "count", "pct"])
    brands = df["brand"].tolist() if not df.empty else []
    # Red / grey / green read as negative / neutral / positive without a legend lookup.
    colors = alt.Scale(domain=[slab[k] for k in order], range=["#c5283d", "#b8bec4", "#2e933c"])
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("pct:Q", title=slab["share"], stack="zero", scale=alt.Scale(domain=[0, 100])),
        y=alt.Y("brand:N", title=None, sort=brands),
        color=alt.Color("sentiment:N", title=None, scale=colors, sort=[slab[k] for k in order],
                        legend=alt.Legend(orient="bottom")),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("brand:N", title=lab["brand"]), alt.Tooltip("sentiment:N"),
                 alt.Tooltip("count:Q", title=lab["mentions"]), alt.Tooltip("pct:Q", format=".1f")],
    ).properties(height=max(60, 30 * len(brands)))
