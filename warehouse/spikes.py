"""Spike detection on mention counts per brand and time bucket.

Method (shown in the alert, ``Spike.method``):

* Per brand and kind ("volume": all mentions, "negative": the negative
  column when given), buckets are zero-filled from the first to the last
  bucket seen in the data.
* Each bucket t is compared with the previous N buckets (``baseline``
  days: N = baseline for daily buckets, baseline x 24 for hourly):
  expected = median of those buckets, sigma = 1.4826 x MAD (a robust
  standard deviation), floored by Poisson noise and by ordinary day-to-day
  variation of social volume: sigma >= max(sqrt(expected),
  rel_sigma x expected, 1), rel_sigma = 0.1 by default.  threshold = expected + k·sigma.  A bucket spikes when
  observed > threshold and observed >= min_count.  z = (observed -
  expected) / sigma.  ``method="meanstd"`` uses the mean and standard
  deviation instead (the Socialmetrix "mean + k·sigma" rule); the median
  is the default because one earlier spike, a half-collected day or a
  crawler outage in the baseline does not move it.
* The check is made as soon as a bucket is in: nothing waits for the
  value to fall again.
* Collection gaps: a bucket where every brand has zero mentions is taken
  as "nothing collected" (crawler outage), not as zero attention: it is
  left out of baselines and never evaluated.  A brand-level zero while
  other brands have mentions is a real zero.
* Cool-down: spiking buckets of one brand and kind separated by at most
  ``cooldown`` quiet buckets form one spike, whose window grows; one
  event gives one alert.  Defaults: 1 bucket for days, 6 for hours.
* A baseline needs ``min_history`` non-gap buckets (default 5 days, or 24
  hours); before that nothing is flagged.

Sensitivity presets for k: "low" = 3, "medium" = 2, "high" = 1.5.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

__all__ = ["Spike", "SENSITIVITY", "detect_spikes", "detect_latest", "spike_method_text"]

SENSITIVITY = {"low": 3.0, "medium": 2.0, "high": 1.5}
_FREQ = {"day": "D", "hour": "h"}


@dataclass(frozen=True)
class Spike:
    """One alertable event.

    observed, expected, threshold and z describe the peak bucket (highest
    z) so that observed > threshold always reads right; window_observed
    and window_expected are sums over the whole window.
    """

    brand: str
    kind: str  # "volume" | "negative"
    window_start: pd.Timestamp  # start of the first spiking bucket
    window_end: pd.Timestamp  # end (exclusive) of the last spiking bucket
    observed: float
    expected: float
    threshold: float
    z: float
    method: str
    peak_bucket: pd.Timestamp | None = None
    n_buckets: int = 1
    window_observed: float = 0.0
    window_expected: float = 0.0
    new: bool = True  # detect_latest: the event starts at the evaluated bucket


def _resolve_k(k: float | str) -> float:
    if isinstance(k, str):
        try:
            return SENSITIVITY[k]
        except KeyError:
            raise ValueError(f"sensitivity must be one of {sorted(SENSITIVITY)} or a number") from None
    return float(k)


def spike_method_text(granularity: str, window: int, k: float, method: str = "robust", rel_sigma: float = 0.1) -> str:
    """One-line French description for the alert and the dashboard."""
    unit = "jours" if granularity == "day" else "heures"
    floor = f"σ ≥ max(√attendu, {rel_sigma:g}·attendu, 1)"
    if method == "robust":
        return f"médiane des {window} {unit} précédents + {k:g}·σ robuste (1,4826·MAD), {floor}"
    return f"moyenne des {window} {unit} précédents + {k:g}·σ, {floor}"


def _prepare(counts: pd.DataFrame, granularity: str, negative_col: str | None, tz: str | None):
    if granularity not in _FREQ:
        raise ValueError("granularity must be 'day' or 'hour'")
    df = counts.copy()
    b = pd.to_datetime(df["bucket"])
    if b.dt.tz is None:
        b = b.dt.tz_localize("UTC")
    df["bucket"] = b.dt.tz_convert(tz) if tz else b.dt.tz_convert("UTC")
    value_cols = ["n"] + ([negative_col] if negative_col and negative_col in df.columns else [])
    df = df.groupby(["brand", "bucket"], sort=True)[value_cols].sum()
    if df.empty:
        return None, value_cols
    buckets = df.index.get_level_values("bucket")
    full = pd.date_range(buckets.min(), buckets.max(), freq=_FREQ[granularity])
    brands = sorted(df.index.get_level_values("brand").unique())
    idx = pd.MultiIndex.from_product([brands, full], names=["brand", "bucket"])
    df = df.reindex(idx, fill_value=0)
    return df, value_cols


def _baseline_stats(hist: np.ndarray, method: str, rel_sigma: float) -> tuple[float, float]:
    if method == "robust":
        mu = float(np.median(hist))
        sigma = 1.4826 * float(np.median(np.abs(hist - mu)))
    else:
        mu = float(hist.mean())
        sigma = float(hist.std(ddof=1)) if len(hist) > 1 else 0.0
    # With 5-14 points the MAD can be tiny; real social counts are
    # overdispersed, so +13% on a normal day must not read as a 3-sigma event.
    return mu, max(sigma, float(np.sqrt(max(mu, 0.0))), rel_sigma * mu, 1.0)


def _series_flags(values, gap, window, min_history, k, min_count, method, rel_sigma, fraction_last=1.0):
    """Per-bucket (observed, expected, sigma, threshold, spiking) arrays."""
    n = len(values)
    exp_ = np.full(n, np.nan)
    sig_ = np.full(n, np.nan)
    thr_ = np.full(n, np.nan)
    flag = np.zeros(n, dtype=bool)
    valid_idx = np.flatnonzero(~gap)
    for pos, i in enumerate(valid_idx):
        hist_idx = valid_idx[max(0, pos - window) : pos]
        # Window is measured in buckets of time, not in valid buckets.
        hist_idx = hist_idx[hist_idx >= i - window]
        if len(hist_idx) < min_history:
            continue
        mu, sigma = _baseline_stats(values[hist_idx], method, rel_sigma)
        f = fraction_last if i == n - 1 else 1.0
        if f < 1.0:
            # Partial bucket: scale expectations down to the elapsed share rather
            # than extrapolating the count up (a few early mentions x 4 is noise).
            mu_f = mu * f
            sigma = max(sigma * f, float(np.sqrt(max(mu_f, 0.0))), rel_sigma * mu_f, 1.0)
            mu = mu_f
        thr = mu + k * sigma
        exp_[i], sig_[i], thr_[i] = mu, sigma, thr
        flag[i] = values[i] > thr and values[i] >= min_count
    return exp_, sig_, thr_, flag


def _group_spikes(brand, kind, buckets, values, exp_, sig_, thr_, flag, cooldown, step, method_text):
    spikes: list[Spike] = []
    idx = np.flatnonzero(flag)
    if len(idx) == 0:
        return spikes
    groups: list[list[int]] = [[int(idx[0])]]
    for i in idx[1:]:
        if i - groups[-1][-1] - 1 <= cooldown:
            groups[-1].append(int(i))
        else:
            groups.append([int(i)])
    for g in groups:
        z = [(values[i] - exp_[i]) / sig_[i] for i in g]
        p = g[int(np.argmax(z))]
        spikes.append(
            Spike(
                brand=brand,
                kind=kind,
                window_start=buckets[g[0]],
                window_end=buckets[g[-1]] + step,
                observed=float(values[p]),
                expected=round(float(exp_[p]), 3),
                threshold=round(float(thr_[p]), 3),
                z=round(float(max(z)), 3),
                method=method_text,
                peak_bucket=buckets[p],
                n_buckets=len(g),
                window_observed=float(sum(values[i] for i in g)),
                window_expected=round(float(sum(exp_[i] for i in g)), 3),
            )
        )
    return spikes


def detect_spikes(
    counts: pd.DataFrame,
    granularity: Literal["day", "hour"] = "day",
    baseline: int | None = None,
    k: float | str = 2.0,
    min_count: int = 5,
    cooldown: int | None = None,
    *,
    negative_col: str | None = "negative",
    min_history: int | None = None,
    method: Literal["robust", "meanstd"] = "robust",
    tz: str | None = None,
    rel_sigma: float = 0.1,
    _fraction_last: float = 1.0,
) -> list[Spike]:
    """Spikes in ``counts`` (columns brand, bucket, n [, negative]).

    ``bucket`` is a tz-aware timestamp (UTC; naive is taken as UTC) of the
    bucket start.  ``baseline`` is in days (default 14 for days, 7 for
    hours).  ``tz`` zero-fills buckets in that time zone, for daily buckets
    that start at local midnight across a DST change.  Spikes are sorted by
    window_start, brand, kind.
    """
    kk = _resolve_k(k)
    days = baseline if baseline is not None else (14 if granularity == "day" else 7)
    window = days if granularity == "day" else days * 24
    if cooldown is None:
        cooldown = 1 if granularity == "day" else 6
    if min_history is None:
        min_history = 5 if granularity == "day" else 24
    min_history = max(1, min(min_history, window))
    df, value_cols = _prepare(counts, granularity, negative_col, tz)
    if df is None:
        return []
    step = pd.Timedelta(days=1) if granularity == "day" else pd.Timedelta(hours=1)
    total = df["n"].groupby(level="bucket").sum()
    gap_by_bucket = (total == 0).to_numpy()
    text = spike_method_text(granularity, window, kk, method, rel_sigma)
    out: list[Spike] = []
    for brand, sub in df.groupby(level="brand", sort=True):
        buckets = sub.index.get_level_values("bucket")
        for col in value_cols:
            kind = "volume" if col == "n" else "negative"
            values = sub[col].to_numpy(dtype=float)
            exp_, sig_, thr_, flag = _series_flags(
                values, gap_by_bucket, window, min_history, kk, min_count, method, rel_sigma, _fraction_last
            )
            out.extend(_group_spikes(brand, kind, buckets, values, exp_, sig_, thr_, flag, cooldown, step, text))
    out.sort(key=lambda s: (s.window_start, s.brand, s.kind))
    return out


def detect_latest(
    counts: pd.DataFrame,
    now,
    granularity: Literal["day", "hour"] = "hour",
    baseline: int | None = None,
    k: float | str = 2.0,
    min_count: int = 5,
    cooldown: int | None = None,
    *,
    partial: Literal["complete", "scale"] = "complete",
    **kwargs,
) -> list[Spike]:
    """Spikes whose window includes the latest bucket, for periodic alerting.

    partial="complete" (default) evaluates the last bucket that ended at or
    before ``now`` and ignores the ongoing one.  partial="scale" evaluates
    the ongoing bucket: its count so far is compared with expected and
    sigma scaled down to the elapsed share of the bucket (never the count
    extrapolated up); it is skipped when less than a quarter has elapsed.

    ``Spike.new`` is True when the event starts at the evaluated bucket;
    ``window_start`` identifies an event, so the caller alerts once per
    (brand, kind, window_start): that is the cool-down across runs.
    """
    now = pd.Timestamp(now)
    if now.tzinfo is None:
        now = now.tz_localize("UTC")
    freq = _FREQ[granularity]
    current = now.floor(freq) if kwargs.get("tz") is None else now.tz_convert(kwargs["tz"]).floor(freq)
    step = pd.Timedelta(days=1) if granularity == "day" else pd.Timedelta(hours=1)
    fraction = 1.0
    if partial == "complete":
        target = current - step
    elif partial == "scale":
        target = current
        fraction = float((now - current) / step)
        if fraction < 0.25:
            target, fraction = current - step, 1.0
    else:
        raise ValueError("partial must be 'complete' or 'scale'")
    df = counts.copy()
    b = pd.to_datetime(df["bucket"])
    if b.dt.tz is None:
        b = b.dt.tz_localize("UTC")
    df["bucket"] = b
    df = df[df["bucket"] <= target]
    if df.empty:
        return []
    # Make sure the target bucket exists (zero-filled) even if nothing came in.
    brands = df["brand"].unique()
    pad = pd.DataFrame({"brand": brands, "bucket": target, "n": 0})
    for col in df.columns:
        if col not in pad.columns:
            pad[col] = 0 if pd.api.types.is_numeric_dtype(df[col]) else None
    df = pd.concat([df, pad[df.columns]], ignore_index=True)
    spikes = detect_spikes(
        df, granularity, baseline, k, min_count, cooldown, _fraction_last=fraction if fraction < 1.0 else 1.0, **kwargs
    )
    out = []
    for s in spikes:
        if s.window_end - step == target:
            out.append(
                Spike(**{**s.__dict__, "new": s.window_start == target})
            )
    return out
