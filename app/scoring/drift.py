"""Data drift between the portfolio the model learned on and the applications it now scores.

Reference = the labelled portfolio (the clients the model was trained on); current = the new
applications of the portfolio, or any batch scored offline (``scripts/drift_report.py --current``).
Every model input is compared, plus the model's own output (the probability of default).

Statistics, and why (thresholds are module constants, shown on the monitoring page):

- **PSI** (population stability index), the credit-risk industry's habit: reference deciles (plus one
  bin for missing values, so a jump in the missing rate counts), ``sum((c - r) * ln(c / r))`` over the
  bins' shares, empty bins floored at ``PSI_EPSILON``. Reading: < 0.1 stable, 0.1-0.2 moderate,
  >= 0.2 significant shift.
- **Wasserstein distance normalised by the reference standard deviation** for numeric features, and
  **Jensen-Shannon distance** (natural log, as ``scipy.spatial.distance.jensenshannon``) for categorical
  ones: Evidently's default tests for samples over 1,000 rows, both with threshold 0.1. As Evidently
  does, a numeric input with at most ``DISCRETE_MAX_VALUES`` distinct values (flags, small counts) is
  compared as categorical.
- A feature is **drifted** when its Wasserstein / Jensen-Shannon statistic reaches 0.1 *or* its PSI
  reaches 0.2: the Wasserstein distance ignores missing values, the PSI does not.
- **Drift score** = the larger of statistic / its threshold and PSI / 0.2 (1 = at the alarm level), and
  **risk** = drift score x the feature's importance (mean |SHAP| divided by the largest): a drift in
  a feature the model barely uses matters less than a small drift in its strongest input.
- **Dataset drift** when at least half of the features drifted (Evidently's default share, 0.5).
- **No verdict on small samples**: both samples need ``MIN_DRIFT_SAMPLE`` rows (see there), else
  :func:`drift_report` raises :class:`DriftSampleTooSmall` instead of reporting chance as drift.

Pure pandas / numpy / scipy: no dash, no plotly. :func:`drift_report` computes a plain JSON-able dict;
what is written and read is a typed :class:`~app.scoring.drift_report.DriftReport`, parsed once.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd

from app.scoring.artefacts import ArtefactError
from app.scoring.drift_report import REPORT_VERSION, DriftReport

REPORT_FILE = "drift_report.json"
REPORT_HTML_FILE = "drift_report.html"
PREDICTION = "PROBA_DEFAULT"

PSI_BINS = 10
PSI_EPSILON = 1e-4
PSI_MODERATE = 0.1
PSI_SIGNIFICANT = 0.2
WASSERSTEIN_THRESHOLD = 0.1
JENSEN_SHANNON_THRESHOLD = 0.1
DATASET_DRIFT_SHARE = 0.5
DISCRETE_MAX_VALUES = 5
#: Evidently's floor of the normalising standard deviation (a constant reference would divide by 0).
MIN_NORMALISING_STD = 0.001
#: Fewest rows in each sample for a drift report. The statistics above compare shares: PSI over ten
#: reference deciles needs tens of rows per bin, and the 0.1 thresholds of the Wasserstein and
#: Jensen-Shannon distances are below their sampling noise on a few dozen rows. Measured on the demo
#: portfolio, two draws of the *same* population (52 model inputs): a 1-row sample flags 52 of 52
#: inputs as drifted, 100 rows 19 to 26 (a dataset-drift verdict), 200 rows 5 to 18, 300 rows 2 to 8,
#: 1,000 rows 0 or 1. At 300 chance never reaches the dataset verdict and flags a few inputs at most;
#: for a verdict about single inputs, prefer 1,000 rows or more.
MIN_DRIFT_SAMPLE = 300
HISTOGRAM_BINS = 30
HISTOGRAM_MAX_CATEGORIES = 12
MISSING_LABEL = "MISSING"
OTHER_LABEL = "__other__"

THRESHOLDS = {
    "psi_moderate": PSI_MODERATE, "psi_significant": PSI_SIGNIFICANT, "wasserstein": WASSERSTEIN_THRESHOLD,
    "jensen_shannon": JENSEN_SHANNON_THRESHOLD, "dataset_share": DATASET_DRIFT_SHARE,
}


class DriftSampleTooSmall(ValueError):  # noqa: N818 - caught by name in app/cli/drift_report.py and the tests
    """A sample has fewer than ``MIN_DRIFT_SAMPLE`` rows: any drift found would be chance."""


def _numeric(values) -> np.ndarray:
    return pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)


def _labels(values) -> pd.Series:
    """Values as category labels, missing as its own level."""
    series = pd.Series(values)
    return series.astype("object").where(series.notna(), MISSING_LABEL).astype(str)


def _psi_from_shares(ref: np.ndarray, cur: np.ndarray) -> float:
    ref = np.maximum(ref, PSI_EPSILON)
    cur = np.maximum(cur, PSI_EPSILON)
    return float(np.sum((cur - ref) * np.log(cur / ref)))


def psi_numeric(reference, current, n_bins: int = PSI_BINS) -> float:
    """PSI over the reference quantile bins (``n_bins``) plus one bin for missing values."""
    ref, cur = _numeric(reference), _numeric(current)
    if not len(ref) or not len(cur):
        return float("nan")
    finite = ref[~np.isnan(ref)]
    inner = np.unique(np.quantile(finite, np.linspace(0, 1, n_bins + 1)[1:-1])) if len(finite) else np.array([])

    def shares(x: np.ndarray) -> np.ndarray:
        missing = np.isnan(x)
        idx = np.searchsorted(inner, x[~missing], side="right")
        counts = np.bincount(idx, minlength=len(inner) + 1).astype(float)
        return np.append(counts, missing.sum()) / len(x)

    return _psi_from_shares(shares(ref), shares(cur))


def _category_shares(reference, current) -> tuple[np.ndarray, np.ndarray, list[str]]:
    ref, cur = _labels(reference), _labels(current)
    levels = sorted(set(ref.unique()) | set(cur.unique()))  # the distinct levels, not every row
    ref_share = ref.value_counts(normalize=True).reindex(levels, fill_value=0.0).to_numpy(dtype=float)
    cur_share = cur.value_counts(normalize=True).reindex(levels, fill_value=0.0).to_numpy(dtype=float)
    return ref_share, cur_share, levels


def psi_categorical(reference, current) -> float:
    """PSI over the categories of both samples (missing is a category)."""
    if not len(reference) or not len(current):
        return float("nan")
    ref, cur, _ = _category_shares(reference, current)
    return _psi_from_shares(ref, cur)


def jensen_shannon(reference, current) -> float:
    """Jensen-Shannon distance (natural log, 0 = same shares, at most sqrt(ln 2) ~ 0.83) between the
    category shares of two samples."""
    if not len(reference) or not len(current):
        return float("nan")
    # scipy loads in ~0.5 s: imported on first use, not at the web process's start
    from scipy.spatial.distance import jensenshannon

    ref, cur, _ = _category_shares(reference, current)
    return float(jensenshannon(ref, cur))


def wasserstein_normalised(reference, current) -> float:
    """Wasserstein distance between the non-missing values, divided by the reference standard
    deviation (so 0.1 means "the distribution moved by a tenth of its usual spread")."""
    # scipy loads in ~0.5 s: imported on first use, not at the web process's start
    from scipy.stats import wasserstein_distance

    ref, cur = _numeric(reference), _numeric(current)
    ref, cur = ref[~np.isnan(ref)], cur[~np.isnan(cur)]
    if not len(ref) or not len(cur):
        return float("nan")
    return float(wasserstein_distance(ref, cur) / max(float(np.std(ref)), MIN_NORMALISING_STD))


def psi_level(psi: float) -> str:
    """"stable", "moderate" or "significant" (the usual PSI reading)."""
    if not np.isfinite(psi) or psi < PSI_MODERATE:
        return "stable"
    return "moderate" if psi < PSI_SIGNIFICANT else "significant"


def is_categorical(reference, declared_categorical: bool) -> bool:
    """Categorical inputs, and numeric ones with few distinct values (flags, small counts)."""
    if declared_categorical:
        return True
    values = pd.Series(_numeric(reference)).dropna()
    return values.nunique() <= DISCRETE_MAX_VALUES


def histogram(reference, current, categorical: bool) -> dict:
    """Shares (in %) of both samples on common bins, for the overlaid-distribution chart.

    Numeric: ``HISTOGRAM_BINS`` equal-width bins between the pooled 1st and 99th percentiles, the end
    bins holding the tails. Categorical: the most frequent reference levels, the rest as "other".
    Missing values are reported apart (share of all rows).
    """
    if categorical:
        ref, cur = _labels(reference), _labels(current)
        seen = list(ref.value_counts().index)
        known = set(seen)  # once: rebuilt from every reference row for each current level, it took ~1 s per input
        order = seen + [c for c in cur.value_counts().index if c not in known]
        levels = [c for c in order if c != MISSING_LABEL]
        keep = levels[:HISTOGRAM_MAX_CATEGORIES]
        bins = keep + ([OTHER_LABEL] if len(levels) > len(keep) else [])

        def shares(s: pd.Series) -> list[float]:
            n = max(len(s), 1)
            counts = s.where(s.isin(keep) | (s == MISSING_LABEL), OTHER_LABEL).value_counts()
            return [100 * float(counts.get(b, 0)) / n for b in bins]

        return {"kind": "categorical", "bins": bins, "reference": shares(ref), "current": shares(cur),
                "missing": [100 * float((ref == MISSING_LABEL).mean()) if len(ref) else 0.0,
                            100 * float((cur == MISSING_LABEL).mean()) if len(cur) else 0.0]}
    ref, cur = _numeric(reference), _numeric(current)
    pooled = np.concatenate([ref, cur])
    pooled = pooled[~np.isnan(pooled)]
    lo, hi = (np.quantile(pooled, [0.01, 0.99]) if len(pooled) else (0.0, 1.0))
    if hi <= lo:
        lo, hi = (pooled.min(), pooled.max()) if len(pooled) else (0.0, 1.0)
        hi = hi if hi > lo else lo + 1.0
    edges = np.linspace(lo, hi, HISTOGRAM_BINS + 1)

    def bin_shares(x: np.ndarray) -> list[float]:
        n = max(len(x), 1)
        present = x[~np.isnan(x)]
        idx = np.clip(np.searchsorted(edges, present, side="right") - 1, 0, HISTOGRAM_BINS - 1)
        return list(100 * np.bincount(idx, minlength=HISTOGRAM_BINS) / n)

    return {"kind": "numeric", "edges": [float(e) for e in edges], "reference": bin_shares(ref), "current": bin_shares(cur),
            "missing": [100 * float(np.isnan(ref).mean()) if len(ref) else 0.0,
                        100 * float(np.isnan(cur).mean()) if len(cur) else 0.0]}


def _finite_or_none(x: float) -> float | None:
    return float(x) if x is not None and np.isfinite(x) else None


def feature_drift(name: str, reference, current, categorical: bool = False) -> dict:
    """Drift statistics of one feature (see the module docstring for the rules)."""
    treat_categorical = is_categorical(reference, categorical)
    if treat_categorical:
        method, stat, threshold = "jensen_shannon", jensen_shannon(reference, current), JENSEN_SHANNON_THRESHOLD
        psi = psi_categorical(reference, current)
    else:
        method, stat, threshold = "wasserstein", wasserstein_normalised(reference, current), WASSERSTEIN_THRESHOLD
        psi = psi_numeric(reference, current)
    ratios = [v for v in (stat / threshold, psi / PSI_SIGNIFICANT) if np.isfinite(v)]
    score = max(ratios) if ratios else float("nan")
    return {
        "feature": name,
        "kind": "categorical" if treat_categorical else "numeric",
        "method": method,
        "statistic": _finite_or_none(stat),
        "statistic_threshold": threshold,
        "psi": _finite_or_none(psi),
        "psi_level": psi_level(psi),
        "drift_score": _finite_or_none(score),
        "drifted": bool(np.isfinite(score) and score >= 1.0),
        "histogram": histogram(reference, current, treat_categorical),
    }


def importance_weights(mean_abs_shap: pd.Series) -> pd.Series:
    """Mean |SHAP| divided by the largest one (the model's strongest input weighs 1)."""
    top = float(mean_abs_shap.max()) if len(mean_abs_shap) else 0.0
    return mean_abs_shap / top if top > 0 else mean_abs_shap * 0.0


def drift_report(reference: pd.DataFrame, current: pd.DataFrame, *, categorical=(), importance: pd.Series | None = None,
                 reference_proba=None, current_proba=None, threshold: float | None = None,
                 meta: dict | None = None) -> dict:
    """The full report: per-feature drift ranked by risk, prediction drift, dataset verdict.

    ``reference`` / ``current``: model inputs (same columns). ``importance``: mean |SHAP| per feature.
    ``*_proba``: the served model's probability of default on both samples (same model, so only the
    population differs). ``threshold``: the decision threshold, to compare approval rates.
    Raises :class:`DriftSampleTooSmall` when a sample has fewer than ``MIN_DRIFT_SAMPLE`` rows.
    """
    missing = [c for c in reference.columns if c not in current.columns]
    if missing:
        raise ValueError(f"the current sample lacks {len(missing)} model inputs: {', '.join(missing[:5])}")
    if min(len(reference), len(current)) < MIN_DRIFT_SAMPLE:
        raise DriftSampleTooSmall(
            f"drift needs at least {MIN_DRIFT_SAMPLE} rows in both samples (reference {len(reference):,}, "
            f"current {len(current):,}): on fewer, chance differences read as drift")
    weights = importance_weights(importance.reindex(reference.columns).fillna(0.0)) if importance is not None \
        else pd.Series(1.0, index=reference.columns)
    cats = set(categorical)
    rows = []
    for name in reference.columns:
        row = feature_drift(name, reference[name], current[name], name in cats)
        row["importance"] = float(weights[name])
        row["risk"] = row["drift_score"] * row["importance"] if row["drift_score"] is not None else None
        rows.append(row)
    rows.sort(key=lambda r: (-(r["risk"] or 0.0), -(r["drift_score"] or 0.0), r["feature"]))
    n_drifted = sum(r["drifted"] for r in rows)
    share = n_drifted / len(rows) if rows else 0.0
    report = {
        "version": REPORT_VERSION,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        **(meta or {}),
        "reference_rows": int(len(reference)),
        "current_rows": int(len(current)),
        "thresholds": dict(THRESHOLDS),
        "dataset": {"n_features": len(rows), "n_drifted": int(n_drifted), "share_drifted": share,
                    "drift": bool(share >= DATASET_DRIFT_SHARE)},
        "features": rows,
        "prediction": None,
    }
    if reference_proba is not None and current_proba is not None:
        report["prediction"] = prediction_drift(reference_proba, current_proba, threshold)
    return report


def prediction_drift(reference_proba, current_proba, threshold: float | None) -> dict:
    """Drift of the model's output, and the approval rates at the threshold on both samples."""
    row = feature_drift(PREDICTION, reference_proba, current_proba, categorical=False)
    ref, cur = _numeric(reference_proba), _numeric(current_proba)
    row["mean_reference"], row["mean_current"] = float(np.nanmean(ref)), float(np.nanmean(cur))
    if threshold is not None:
        row["approval_reference"] = float(np.mean(ref < threshold))
        row["approval_current"] = float(np.mean(cur < threshold))
    return row


def write_report(report: DriftReport, path: Path) -> None:
    """Write atomically (temp file, then rename) so the page never reads half a report."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(report.to_dict(), ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    tmp.replace(path)


def read_report(path: Path) -> DriftReport:
    """Read and parse a report written by :func:`write_report`; a malformed file, or one lacking an
    entry or of another format version, raises ValueError naming the file (and the entry)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"drift report {path} cannot be read: {exc}") from exc
    try:
        return DriftReport.from_dict(data)
    except ArtefactError as exc:
        raise ValueError(f"drift report {path} is not a version-{REPORT_VERSION} report ({exc}); "
                         "rerun scripts/drift_report.py") from exc
