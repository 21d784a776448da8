"""Figures of the model page, computed from the model folder's honest files only.

Everything about performance uses ``oof.parquet``: each labelled client's probability from the fold
model that did NOT see them, so curves, calibration, costs and fairness are what the model does on
unseen clients, not how well it remembers its training set. Global explanations use
``shap_sample.parquet`` (exact TreeSHAP of the served model on a sample of clients, in calibrated
log-odds) joined with those clients' model inputs.

Pure pandas / numpy / scikit-learn: no dash, no plotly.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.scoring.metrics import CostModel, confusion_at, cost_curve, optimal_threshold
from app.scoring.privacy import MIN_COHORT_SIZE
from app.scoring.schema import ID_COLUMN

#: Points of a drawn ROC or precision-recall curve: on the demo's 4,066-point ROC, 200 evenly spaced
#: ones stay within 0.42 percentage points of it (under 2 pixels of a chart), half the data of 400.
MAX_CURVE_POINTS = 200


def _thin(*arrays: np.ndarray, max_points: int = MAX_CURVE_POINTS) -> list[np.ndarray]:
    """Keep at most ``max_points`` evenly spaced points (first and last kept): the browser does not need
    30,000 points to draw a curve, and the page must load fast."""
    n = len(arrays[0])
    if n <= max_points:
        return list(arrays)
    idx = np.unique(np.linspace(0, n - 1, max_points).round().astype(int))
    return [a[idx] for a in arrays]


def roc_points(y, proba) -> dict:
    """ROC curve (false-positive rate, true-positive rate, threshold) and its area."""
    # scikit-learn loads in 0.9 s: imported on first use, not at the web process's start
    from sklearn.metrics import roc_auc_score, roc_curve

    fpr, tpr, thr = roc_curve(y, proba)
    fpr, tpr, thr = _thin(fpr, tpr, np.minimum(thr, 1.0))
    return {"fpr": fpr, "tpr": tpr, "threshold": thr, "auc": float(roc_auc_score(y, proba))}


def pr_points(y, proba) -> dict:
    """Precision-recall curve, its average precision and the prevalence (a random model's precision)."""
    # scikit-learn loads in 0.9 s: imported on first use, not at the web process's start
    from sklearn.metrics import average_precision_score, precision_recall_curve

    precision, recall, thr = precision_recall_curve(y, proba)
    precision, recall = _thin(precision, recall)
    return {"precision": precision, "recall": recall, "ap": float(average_precision_score(y, proba)),
            "prevalence": float(np.mean(y))}


def roc_point_at(y, proba, threshold: float) -> tuple[float, float]:
    """(FPR, TPR) of the decision rule at ``threshold``, to mark it on the ROC curve."""
    c = confusion_at(y, proba, threshold)
    return (c.fp / max(c.fp + c.tn, 1), c.tp / max(c.tp + c.fn, 1))


@dataclass(frozen=True)
class CostExplorer:
    """The cost curve for chosen costs, its optimum, and the figures at a chosen threshold."""

    curve: pd.DataFrame  # metrics.cost_curve columns
    optimum_threshold: float
    optimum_cost: float
    at: dict  # approval_rate, default_rate_approved, fn, fp, tn, tp, cost_per_client, threshold
    #: ("granted" or "refused", how many) when the figures at the threshold are withheld because so
    #: few clients fall on one side of it; None when they are shown
    too_few: tuple[str, int] | None = None


def _one_side_too_small(granted: np.ndarray, n: int, min_size: int) -> np.ndarray:
    """Thresholds that grant, or refuse, between 1 and ``min_size - 1`` clients."""
    refused = n - granted
    return ((granted > 0) & (granted < min_size)) | ((refused > 0) & (refused < min_size))


def explore_costs(y, proba, costs: CostModel, threshold: float, min_size: int = MIN_COHORT_SIZE) -> CostExplorer:
    """Cost per client against the threshold for ``costs``, with the exact optimum (the engine's
    ``optimal_threshold``, the same rule that set the production threshold) and the figures at
    ``threshold``. Nothing here changes the production threshold.

    Privacy floor: at a threshold that grants (or refuses) only 1 to ``min_size - 1`` clients, the
    figures describe those few clients (the default rate among 3 granted clients, their missed
    defaulters, or the cost they make up): the curve has no point there and the figures at such a
    chosen threshold are withheld (None), except the approval rate, which needs no outcome.
    """
    y = np.asarray(y, dtype=np.int64)
    proba = np.asarray(proba, dtype=float)
    best = optimal_threshold(y, proba, costs)
    # the optimum is on the grid, so the curve's lowest point is the exact optimum, not a near miss
    grid = np.union1d(np.linspace(0, 1, 201), [threshold, best.threshold])
    curve = cost_curve(y, proba, costs, thresholds=grid)
    granted_on_grid = (curve["tn"] + curve["fn"]).to_numpy()
    curve.loc[_one_side_too_small(granted_on_grid, len(y), min_size),
              ["cost_per_client", "default_rate_approved"]] = np.nan
    c = confusion_at(y, proba, threshold)
    granted = c.tn + c.fn
    at: dict[str, float | None] = {"threshold": float(threshold), "approval_rate": granted / max(c.n, 1),
          "default_rate_approved": c.fn / granted if granted else float("nan"),
          "fn": c.fn, "fp": c.fp, "tn": c.tn, "tp": c.tp, "cost_per_client": c.cost_per_client(costs)}
    too_few = None
    if _one_side_too_small(np.array([granted]), c.n, min_size)[0]:
        too_few = ("granted", granted) if 0 < granted < min_size else ("refused", c.n - granted)
        at.update(dict.fromkeys(("default_rate_approved", "fn", "fp", "tn", "tp", "cost_per_client")))
    return CostExplorer(curve, best.threshold, best.cost_per_client, at, too_few)


def mean_abs_shap(shap: pd.DataFrame) -> pd.Series:
    """Global importance: mean absolute SHAP value of each feature (log-odds), largest first."""
    values = shap.drop(columns=[ID_COLUMN], errors="ignore")
    return values.abs().mean().sort_values(ascending=False, kind="stable")


def _value_rank(values: pd.Series) -> pd.Series:
    """Position of each value within its feature, 0 (lowest) to 1 (highest); categories and missing
    values get no rank (shown in grey)."""
    numeric = pd.to_numeric(values, errors="coerce")
    if numeric.notna().sum() == 0:
        return pd.Series(np.nan, index=values.index)
    return numeric.rank(pct=True)


def summary_points(shap: pd.DataFrame, X: pd.DataFrame, features: list[str], max_points: int = 800,
                   seed: int = 0) -> pd.DataFrame:
    """Long table for the beeswarm-like summary: feature, SHAP value, value rank (0-1), jitter.

    ``shap`` and ``X`` are aligned row by row. At most ``max_points`` clients per feature (a fixed
    random subset), so the chart stays light.
    """
    rng = np.random.default_rng(seed)
    rows = np.arange(len(shap))
    if len(rows) > max_points:
        rows = np.sort(rng.choice(rows, size=max_points, replace=False))
    parts = []
    for name in features:
        s = pd.Series(shap[name].to_numpy()[rows])
        v = X[name].iloc[rows].reset_index(drop=True)
        parts.append(pd.DataFrame({"feature": name, "shap": s.to_numpy(dtype=float),
                                   "rank": _value_rank(v).to_numpy(dtype=float),
                                   "jitter": rng.uniform(-0.35, 0.35, size=len(rows))}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["feature", "shap", "rank", "jitter"])


def dependence_points(shap: pd.DataFrame, X: pd.DataFrame, feature: str) -> pd.DataFrame:
    """The feature's value and its SHAP contribution for each sampled client (the dependence plot)."""
    if feature not in X.columns or feature not in shap.columns:
        raise KeyError(f"unknown model feature {feature!r}")
    return pd.DataFrame({"value": X[feature].to_numpy(), "shap": shap[feature].to_numpy(dtype=float)})


def align_shap_inputs(shap: pd.DataFrame, X: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep the clients present in both tables, in the same order (X indexed by client id)."""
    ids = [i for i in shap[ID_COLUMN].to_numpy() if i in X.index]
    shap = shap.set_index(ID_COLUMN).loc[ids].reset_index()
    return shap, X.loc[ids]
