import numpy as np
import pandas as pd

from warehouse.spikes import detect_latest, detect_spikes


def _series(values, brand="Vidéotron", start="2026-03-01", freq="D", negative=None):
    b = pd.date_range(start, periods=len(values), freq=freq, tz="UTC")
    df = pd.DataFrame({"brand": brand, "bucket": b, "n": values})
    if negative is not None:
        df["negative"] = negative
    return df


def test_flat_series_not_flagged():
    rng = np.random.default_rng(1)
    assert detect_spikes(_series(rng.poisson(40, 60))) == []


def test_burst_flagged_once_with_cooldown():
    v = [40, 42, 38, 41, 39, 40, 43, 37, 40, 41, 39, 42, 40, 38, 120, 150, 44, 110, 40, 41]
    spikes = detect_spikes(_series(v), k="medium")
    assert len(spikes) == 1
    s = spikes[0]
    assert s.kind == "volume" and s.brand == "Vidéotron"
    assert s.window_start == pd.Timestamp("2026-03-15", tz="UTC")
    assert s.window_end == pd.Timestamp("2026-03-19", tz="UTC")  # merged through one quiet day
    assert s.observed == 150 and s.observed > s.threshold and s.z > 2


def test_outage_gap_not_a_spike():
    v = [40] * 10 + [0] * 4 + [40] * 6
    assert detect_spikes(_series(v)) == []
    two = pd.concat([_series(v, "Bell"), _series(v, "Vidéotron")])
    assert detect_spikes(two) == []


def test_small_counts_need_min_count_and_negative_kind():
    v = [0, 1, 0, 0, 1, 0, 0, 0, 4, 0]
    assert detect_spikes(_series(v, negative=[0] * 10)) == []
    neg = [2] * 10 + [30]
    sp = detect_spikes(_series([50] * 11, negative=neg))
    assert [(s.kind, s.observed) for s in sp] == [("negative", 30)]


def test_detect_latest_complete_and_scaled():
    v = [20] * 72 + [90]
    counts = _series(v, freq="h")
    last = counts["bucket"].iloc[-1]
    # the 90 bucket has ended 10 minutes ago: it is the last complete one
    got = detect_latest(counts, last + pd.Timedelta(minutes=70), "hour")
    assert len(got) == 1 and got[0].new and got[0].window_start == last
    # ongoing bucket, 30 minutes in, 25 mentions so far against ~10 expected
    ongoing = pd.concat([_series([20] * 72, freq="h"), _series([25], start=str(last), freq="h")])
    got = detect_latest(ongoing, last + pd.Timedelta(minutes=30), "hour", partial="scale")
    assert len(got) == 1 and got[0].expected == 10
    assert detect_latest(ongoing, last + pd.Timedelta(minutes=30), "hour") == []
