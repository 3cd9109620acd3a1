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
           "attention": "Attention normalisée", "collected": "Éléments collectés",
           "source_kind": "Type de source", "sentiment": "Tonalité", "term": "Terme", "score": "Score de hausse",
           "source": "Source", "items": "Éléments", "engagement": "Engagement", "own": "Votre marque",
           "positive": "positive", "neutral": "neutre", "negative": "négative", "recent": "Récent",
           "baseline": "Référence", "share_brand": "Part des mentions de la marque (%)"},
    "en": {"day": "Day", "brand": "Brand", "share": "Share of voice (%)", "mentions": "Mentions",
           "stories": "Stories", "story_share": "Share of voice by story (%)",
           "attention": "Normalized attention", "collected": "Items collected",
           "source_kind": "Source kind", "sentiment": "Sentiment", "term": "Term", "score": "Rise score",
           "source": "Source", "items": "Items", "engagement": "Engagement", "own": "Your brand",
           "positive": "positive", "neutral": "neutral", "negative": "negative", "recent": "Recent",
           "baseline": "Baseline", "share_brand": "Share of the brand's mentions (%)"},
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


def _zero_filled(df: pd.DataFrame, value_cols: tuple[str, ...]) -> pd.DataFrame:
    """Every (day, brand) pair present: a stacked area with holes draws wedges and gaps."""
    if df.empty:
        return df.copy()
    days = pd.date_range(pd.to_datetime(df["day"]).min(), pd.to_datetime(df["day"]).max(), freq="D")
    grid = pd.MultiIndex.from_product([days, sorted(df["brand"].unique())], names=["day", "brand"])
    data = df.assign(day=pd.to_datetime(df["day"])).set_index(["day", "brand"])
    cols = [c for c in value_cols if c in data.columns]
    data = data[cols].reindex(grid, fill_value=0).reset_index()
    return data


def sov_over_time(df: pd.DataFrame, lang: str = "fr", measure: str = "share", stacked: bool = True) -> alt.Chart:
    """Share of voice (or counts) per brand per day, from share_of_voice_daily()."""
    lab = LABELS[lang]
    data = _zero_filled(df, ("mentions", "stories", "share", "story_share")) if stacked else df.copy()
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


def sov_bars(df: pd.DataFrame, lang: str = "fr", own: tuple[str, ...] = ()) -> alt.Chart:
    """Share of voice over the period per brand, from share_of_voice_totals().

    Own brands are drawn opaque with an outline, competitors lighter, so the
    user's brand stands out without changing its colour between charts.
    """
    lab = LABELS[lang]
    data = df.copy()
    brands = data["brand"].tolist() if not data.empty else []
    data["own"] = data["brand"].isin(own) if not data.empty else []
    return alt.Chart(data).mark_bar(strokeWidth=2).encode(
        x=alt.X("share:Q", title=lab["share"]),
        y=alt.Y("brand:N", title=None, sort="-x"),
        color=alt.Color("brand:N", legend=None, scale=brand_color_scale(brands)),
        opacity=alt.condition(alt.datum.own, alt.value(1.0), alt.value(0.55)),
        stroke=alt.condition(alt.datum.own, alt.value("#111111"), alt.value(None)),
        tooltip=[alt.Tooltip("brand:N", title=lab["brand"]), alt.Tooltip("mentions:Q", title=lab["mentions"]),
                 alt.Tooltip("share:Q", title=lab["share"], format=".1f")],
    ).properties(height=max(60, 36 * len(brands)))


SENTIMENT_COLORS = {"positive": "#2e933c", "neutral": "#9aa0a6", "negative": "#c5283d"}


def sov_by_kind(df: pd.DataFrame, lang: str = "fr") -> alt.Chart:
    """Stacked share of voice per source kind, from queries.share_of_voice_by_kind()."""
    lab = LABELS[lang]
    brands = sorted(df["brand"].unique().tolist()) if not df.empty else []
    return alt.Chart(df).mark_bar().encode(
        y=alt.Y("source_kind:N", title=lab["source_kind"]),
        x=alt.X("share:Q", title=lab["share"], stack="zero", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("brand:N", title=lab["brand"], scale=brand_color_scale(brands)),
        tooltip=[alt.Tooltip("source_kind:N", title=lab["source_kind"]), alt.Tooltip("brand:N", title=lab["brand"]),
                 alt.Tooltip("mentions:Q", title=lab["mentions"]),
                 alt.Tooltip("share:Q", title=lab["share"], format=".1f")],
    ).properties(height=max(80, 40 * df["source_kind"].nunique() if not df.empty else 80))


def sentiment_bars(df: pd.DataFrame, lang: str = "fr") -> alt.Chart:
    """Each brand's mentions split by sentiment (100 % stacked), from queries.sentiment_by_brand()."""
    lab = LABELS[lang]
    data = df.copy()
    data["sentiment_label"] = data["sentiment"].map(lambda s: lab.get(s, s)) if not data.empty else []
    order = ["positive", "neutral", "negative"]
    return alt.Chart(data).mark_bar().encode(
        y=alt.Y("brand:N", title=None),
        x=alt.X("share:Q", title=lab["share_brand"], stack="zero", scale=alt.Scale(domain=[0, 100])),
        # Colour on the translated label so the legend reads in the interface language.
        color=alt.Color("sentiment_label:N", title=lab["sentiment"],
                        scale=alt.Scale(domain=[lab[s] for s in order], range=[SENTIMENT_COLORS[s] for s in order])),
        order=alt.Order("sentiment_order:Q"),
        tooltip=[alt.Tooltip("brand:N", title=lab["brand"]),
                 alt.Tooltip("sentiment_label:N", title=lab["sentiment"]),
                 alt.Tooltip("mentions:Q", title=lab["mentions"]),
                 alt.Tooltip("share:Q", title=lab["share_brand"], format=".1f")],
    ).transform_calculate(
        sentiment_order="datum.sentiment == 'positive' ? 0 : datum.sentiment == 'neutral' ? 1 : 2"
    ).properties(height=max(60, 36 * (data["brand"].nunique() if not data.empty else 1)))


def attention_lines(df: pd.DataFrame, lang: str = "fr") -> alt.Chart:
    """Normalized attention per brand per day, from queries.normalized_attention()."""
    lab = LABELS[lang]
    data = df.copy()
    data["day"] = pd.to_datetime(data["day"])
    brands = sorted(data["brand"].unique().tolist()) if not data.empty else []
    return alt.Chart(data).mark_line(point=True).encode(
        x=alt.X("day:T", title=lab["day"], axis=alt.Axis(format=DATE_FORMAT[lang])),
        y=alt.Y("attention:Q", title=lab["attention"], axis=alt.Axis(format="%")),
        color=alt.Color("brand:N", title=lab["brand"], scale=brand_color_scale(brands)),
        tooltip=[alt.Tooltip("day:T", title=lab["day"], format="%Y-%m-%d"),
                 alt.Tooltip("brand:N", title=lab["brand"]),
                 alt.Tooltip("mentions:Q", title=lab["mentions"]),
                 alt.Tooltip("collected:Q", title=lab["collected"]),
                 alt.Tooltip("attention:Q", title=lab["attention"], format=".1%")],
    ).properties(height=280)


TERM_SELECTION = "term_pick"


def term_bars(df: pd.DataFrame, lang: str = "fr", value: str = "score", selectable: bool = True) -> alt.Chart:
    """Horizontal bars of terms (rising score or counts); clicking a bar selects its term.

    The selection parameter is named TERM_SELECTION so the page can read
    which term was clicked from st.altair_chart(on_select="rerun").
    """
    lab = LABELS[lang]
    chart = alt.Chart(df).mark_bar(color="#1f5fa8").encode(
        y=alt.Y("term:N", title=None, sort="-x"),
        x=alt.X(f"{value}:Q", title=lab.get(value, value)),
        tooltip=[alt.Tooltip("term:N", title=lab["term"]),
                 alt.Tooltip(f"{value}:Q", title=lab.get(value, value), format=".2f" if value == "score" else "d")],
    ).properties(height=max(60, 24 * len(df)))
    if selectable:
        pick = alt.selection_point(name=TERM_SELECTION, fields=["term"], on="click")
        chart = chart.add_params(pick).encode(opacity=alt.condition(pick, alt.value(1.0), alt.value(0.45)))
    return chart


def term_timeline(df: pd.DataFrame, lang: str = "fr") -> alt.Chart:
    """Mentions containing one term per brand per day, from queries.term_timeline()."""
    lab = LABELS[lang]
    data = df.copy()
    data["day"] = pd.to_datetime(data["day"])
    brands = sorted(data["brand"].unique().tolist()) if not data.empty else []
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("day:T", title=lab["day"], axis=alt.Axis(format=DATE_FORMAT[lang])),
        y=alt.Y("mentions:Q", title=lab["mentions"], stack="zero"),
        color=alt.Color("brand:N", title=lab["brand"], scale=brand_color_scale(brands)),
        tooltip=[alt.Tooltip("day:T", title=lab["day"], format="%Y-%m-%d"),
                 alt.Tooltip("brand:N", title=lab["brand"]), alt.Tooltip("mentions:Q", title=lab["mentions"])],
    ).properties(height=220)


def source_volume(df: pd.DataFrame, lang: str = "fr") -> alt.Chart:
    """Items collected per source per day, from queries.volume_by_source_daily()."""
    lab = LABELS[lang]
    data = df.copy()
    data["day"] = pd.to_datetime(data["day"])
    return alt.Chart(data).mark_line(point=True).encode(
        x=alt.X("day:T", title=lab["day"], axis=alt.Axis(format=DATE_FORMAT[lang])),
        y=alt.Y("items:Q", title=lab["items"]),
        color=alt.Color("source:N", title=lab["source"]),
        tooltip=[alt.Tooltip("day:T", title=lab["day"], format="%Y-%m-%d"),
                 alt.Tooltip("source:N", title=lab["source"]), alt.Tooltip("items:Q", title=lab["items"])],
    ).properties(height=280)


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


TREND_LABELS = {"fr": {"day": "Jour", "week": "Semaine du"}, "en": {"day": "Day", "week": "Week of"}}


def sov_trend(df: pd.DataFrame, lang: str = "fr", unit: str = "day") -> alt.Chart:
    """Stacked share of voice per brand per bucket, from columns bucket (date), brand, mentions, share.

    For printed reports: the caller fills missing brand/bucket pairs with zeros
    (a sparse stacked area draws misleading wedges) and picks day or week buckets.
    """
    lab = LABELS[lang]
    data = df.copy()
    data["bucket"] = pd.to_datetime(data["bucket"])
    brands = sorted(data["brand"].unique().tolist()) if not data.empty else []
    return alt.Chart(data).mark_area(opacity=0.9, interpolate="monotone").encode(
        x=alt.X("bucket:T", title=TREND_LABELS[lang][unit],
                axis=alt.Axis(format=DATE_FORMAT[lang], labelAngle=0, tickCount=min(10, max(2, data["bucket"].nunique())))),
        y=alt.Y("share:Q", title=lab["share"], stack="zero", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("brand:N", title=lab["brand"], scale=brand_color_scale(brands),
                        legend=alt.Legend(orient="bottom")),
        order=alt.Order("brand:N"),
        tooltip=[alt.Tooltip("bucket:T", title=TREND_LABELS[lang][unit], format="%Y-%m-%d"),
                 alt.Tooltip("brand:N", title=lab["brand"]), alt.Tooltip("mentions:Q", title=lab["mentions"]),
                 alt.Tooltip("share:Q", title=lab["share"], format=".1f")],
    ).properties(height=220)
