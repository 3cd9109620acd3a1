"""Check spike detection and share of voice on the US airline tweets corpus.

Run: .venv/bin/python benchmarks/spikes_airline.py
Expected: Feb 22-23 (about twice the usual volume) flagged, quiet days not;
share of voice equal to the shipped ground truth.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from warehouse.spikes import detect_spikes  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpora" / "airline_tweets"


def load() -> pd.DataFrame:
    df = pd.read_csv(CORPUS / "Tweets.csv")
    df = df.drop_duplicates("tweet_id")
    ts = pd.to_datetime(df["tweet_created"], format="%Y-%m-%d %H:%M:%S %z", utc=True)
    df["day_local"] = ts.dt.tz_convert("US/Pacific").dt.normalize()
    return df


def daily_counts(df: pd.DataFrame) -> pd.DataFrame:
    g = df.groupby(["airline", "day_local"])
    out = pd.DataFrame(
        {"n": g.size(), "negative": g["airline_sentiment"].apply(lambda s: int((s == "negative").sum()))}
    ).reset_index()
    return out.rename(columns={"airline": "brand", "day_local": "bucket"})


def share_of_voice(df: pd.DataFrame) -> pd.DataFrame:
    counts = df.groupby([df["day_local"].dt.strftime("%Y-%m-%d"), "airline"]).size()
    full = pd.MultiIndex.from_product(
        [sorted(counts.index.levels[0]), sorted(df["airline"].unique())], names=["date_local_pst", "airline"]
    )
    counts = counts.reindex(full, fill_value=0)
    sov = counts / counts.groupby(level=0).transform("sum")
    return pd.DataFrame({"mentions": counts, "sov": sov}).reset_index()


def main() -> int:
    if not (CORPUS / "Tweets.csv").exists():
        print(f"skipped: {CORPUS} not found")
        return 0
    df = load()
    print(f"{len(df)} tweets after dropping duplicate ids")
    counts = daily_counts(df)
    total = counts.groupby("bucket")["n"].sum()
    print("daily volume (US/Pacific):", ", ".join(f"{d:%m-%d}={n}" for d, n in total.items()))

    # All airlines together: the corpus-level "twice the volume" days.
    all_counts = counts.groupby("bucket", as_index=False)[["n", "negative"]].sum().assign(brand="all airlines")
    for name, data in (("all airlines", all_counts), ("per airline", counts)):
        spikes = detect_spikes(data, "day", baseline=14, k="medium", min_count=5, tz="US/Pacific")
        print(f"\n{name}: {len(spikes)} spike(s)")
        for s in spikes:
            days = pd.date_range(s.window_start, s.window_end - pd.Timedelta(days=1), freq="D")
            print(
                f"  {s.brand:15s} {s.kind:8s} {', '.join(f'{d:%b %d}' for d in days):16s} "
                f"peak {s.peak_bucket:%b %d}: observed {s.observed:.0f} vs expected {s.expected:.0f} "
                f"(threshold {s.threshold:.0f}, z={s.z:.1f})"
            )

    truth = pd.read_csv(CORPUS / "sov_ground_truth_per_airline_per_day.csv")
    mine = share_of_voice(df)
    merged = truth.merge(mine, on=["date_local_pst", "airline"], how="outer", suffixes=("_truth", "_mine"))
    missing = merged["sov"].isna() | merged["share_of_voice_day"].isna()
    diff = (merged["sov"] - merged["share_of_voice_day"]).abs().max()
    mdiff = (merged["mentions_mine"] - merged["mentions_truth"]).abs().max()
    print(f"\nshare of voice vs ground truth: {len(merged)} rows, {int(missing.sum())} unmatched, "
          f"max |diff| = {diff:.5f} (ground truth is rounded to 4 decimals), max mention-count diff = {mdiff:.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
