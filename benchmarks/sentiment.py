"""Sentiment benchmark: held-out accuracy / macro-F1 per data set, and speed.

    python benchmarks/sentiment.py          (from the repository root)
    from benchmarks.sentiment import run    (returns the figures as a dict)

The held-out rows are those ``warehouse.train_sentiment.is_heldout`` selects,
which the shipped model never saw. Data are read from ../shared/corpora; the
benchmark skips cleanly when they are absent.
"""

from __future__ import annotations

import os

# Speed is quoted per core: keep BLAS from spreading over both.
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from warehouse import sentiment as S  # noqa: E402
from warehouse.train_sentiment import CORPORA, DATASET_LANG, load_corpora, split  # noqa: E402

TARGETS = {
    "fr_reviews": ("accuracy", 0.92),
    "fr_tweets": ("macro_f1", 0.66),
    "en_tweets": ("macro_f1", 0.78),
}
SPEED_TARGET = 5000.0  # texts/second, one core
# score_texts on realistic mentions, so the whole ingest can reach 5,000/s.
SYNTH_SPEED_TARGET = 25000.0
DESCRIPTION = {
    "fr_reviews": "Allociné TV reviews (fr, binary)",
    "fr_tweets": "DEFT 2017 tweets (fr, 3 classes)",
    "en_tweets": "US airline tweets (en, 3 classes)",
}


def _macro_f1(y_true, y_pred, labels):
    f1s = []
    for c in labels:
        tp = sum(1 for t, p in zip(y_true, y_pred) if t == c and p == c)
        fp = sum(1 for t, p in zip(y_true, y_pred) if t != c and p == c)
        fn = sum(1 for t, p in zip(y_true, y_pred) if t == c and p != c)
        denom = 2 * tp + fp + fn
        f1s.append(2 * tp / denom if denom else 0.0)
    return float(np.mean(f1s))


def evaluate(sets=None, model_path: Path | None = None) -> dict:
    if model_path is not None and Path(model_path) != S.MODEL_PATH:
        S._models = S.load_model(Path(model_path))
    sets = load_corpora() if sets is None else sets
    results = {}
    for name, rows in sets.items():
        _, test = split(rows)
        texts = [t for t, _ in test]
        gold = [y for _, y in test]
        lang = DATASET_LANG[name]
        proba = S.predict_proba(texts, [lang] * len(texts))
        if name == "fr_reviews":
            # Binary set: positive vs negative only, neutral ignored.
            neg, pos = S.LABELS.index("negative"), S.LABELS.index("positive")
            pred = ["positive" if p[pos] >= p[neg] else "negative" for p in proba]
            labels = ["negative", "positive"]
        else:
            pred = [S.LABELS[int(k)] for k in proba.argmax(axis=1)]
            labels = list(S.LABELS)
        acc = float(np.mean([a == b for a, b in zip(gold, pred)]))
        results[name] = {"n": len(test), "accuracy": acc,
                         "macro_f1": _macro_f1(gold, pred, labels)}
    return results


def speed(sets, seconds: float = 3.0) -> dict:
    """Texts/second of score_texts on held-out tweets (languages given), and of
    the full classify path (language detection + sentiment)."""
    from warehouse.language import detect_languages

    texts, langs = [], []
    for name in ("fr_tweets", "en_tweets"):
        if name in sets:
            for t, _ in split(sets[name])[1]:
                texts.append(t)
                langs.append(DATASET_LANG[name])
    if not texts:
        return {}
    S.score_texts(texts[:50], langs[:50])  # load the model outside the timing

    def rate(fn):
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            fn()
            n += len(texts)
        return n / (time.perf_counter() - t0)

    return {
        "n_texts": len(texts),
        "score_texts_per_s": rate(lambda: S.score_texts(texts, langs)),
        "with_language_detection_per_s": rate(
            lambda: S.score_texts(texts, detect_languages(texts))),
        **synthetic_speed(),
    }


def synthetic_speed(n: int = 20_000, repeats: int = 3) -> dict:
    """score_texts on n synthetic mentions (title + body, as the enricher
    builds them; ~200 characters), languages given: median of `repeats` runs,
    the first one with empty caches."""
    from benchmarks.synth import SynthSpec, generate

    t = generate(SynthSpec(n=n))
    texts = [f"{a or ''}\n{b or ''}".strip()
             for a, b in zip(t.column("title").to_pylist(), t.column("body").to_pylist())]
    langs = t.column("language_hint").to_pylist()
    rates = []
    for k in range(repeats):
        if k == 0:
            S._WORDS.clear()
            for m in S._get_models().values():
                m.feat._reset()
        t0 = time.perf_counter()
        S.score_texts(texts, langs)
        rates.append(n / (time.perf_counter() - t0))
    return {"synthetic_n": n, "synthetic_cold_per_s": rates[0],
            "synthetic_median_per_s": float(np.median(rates))}


def run(model_path: Path | None = None, quiet: bool = False) -> dict:
    if not CORPORA.exists():
        msg = f"skipped: corpora not found at {CORPORA}"
        if not quiet:
            print(msg)
        return {"skipped": msg}
    sets = load_corpora()
    res = evaluate(sets, model_path)
    sp_ = speed(sets)
    path = Path(model_path) if model_path else S.MODEL_PATH
    out = {"model_version": S.MODEL_VERSION, "model_bytes": path.stat().st_size,
           "datasets": {}, "speed": sp_}
    lines = [f"model {path.name} ({path.stat().st_size / 1e6:.2f} MB), "
             f"version {S.MODEL_VERSION}",
             f"{'data set':<36}{'n':>6}{'acc':>8}{'macroF1':>9}   target        result"]
    for name, r in res.items():
        metric, target = TARGETS[name]
        ok = r[metric] >= target
        out["datasets"][name] = {**r, "metric": metric, "target": target, "pass": ok}
        lines.append(f"{DESCRIPTION[name]:<36}{r['n']:>6}{r['accuracy']:>8.3f}"
                     f"{r['macro_f1']:>9.3f}   {metric}>={target:<5} "
                     f"{'PASS' if ok else 'FAIL by %.3f' % (target - r[metric])}")
    if sp_:
        ok = sp_["score_texts_per_s"] >= SPEED_TARGET
        out["speed"]["pass"] = ok
        lines.append(f"speed, one core, score_texts: {sp_['score_texts_per_s']:,.0f} texts/s "
                     f"(target >= {SPEED_TARGET:,.0f}: {'PASS' if ok else 'FAIL'}); "
                     f"with language detection: "
                     f"{sp_['with_language_detection_per_s']:,.0f} texts/s")
        ok2 = sp_["synthetic_median_per_s"] >= SYNTH_SPEED_TARGET
        out["speed"]["synthetic_pass"] = ok2
        lines.append(f"score_texts on {sp_['synthetic_n']:,} synthetic mentions: "
                     f"{sp_['synthetic_median_per_s']:,.0f} texts/s median, "
                     f"{sp_['synthetic_cold_per_s']:,.0f} with empty caches "
                     f"(target >= {SYNTH_SPEED_TARGET:,.0f}: {'PASS' if ok2 else 'FAIL'})")
    if not quiet:
        print("\n".join(lines))
    return out


if __name__ == "__main__":
    run()
