"""Business cost, cost-optimal threshold, calibration error and risk grades.

Conventions used everywhere in the project:
- the positive class is *default* (``TARGET = 1``); a client is **refused** when its probability of
  default is ``>= threshold`` and **granted** otherwise;
- a false negative (FN) is a defaulter who was granted (the lender loses the credit), a false positive
  (FP) a good client who was refused (the lender loses a margin). The business cost is
  ``cost_fn * FN + cost_fp * FP`` (10 and 1 by default), reported per client so that portfolios of
  different sizes compare.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from app.scoring.privacy import MIN_COHORT_SIZE, suppressed


@dataclass(frozen=True)
class CostModel:
    """Relative costs of the two errors (a missed defaulter costs ``cost_fn``, a refused good client ``cost_fp``)."""

    cost_fn: float = 10.0
    cost_fp: float = 1.0

    def __post_init__(self) -> None:
        if not (self.cost_fn > 0 and self.cost_fp > 0):
            raise ValueError(f"costs must be positive, got FN={self.cost_fn}, FP={self.cost_fp}")

    @property
    def bayes_threshold(self) -> float:
        """Threshold that minimises the expected cost for perfectly calibrated probabilities."""
        return self.cost_fp / (self.cost_fp + self.cost_fn)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Confusion:
    tn: int
    fp: int
    fn: int
    tp: int

    @property
    def n(self) -> int:
        return self.tn + self.fp + self.fn + self.tp

    def cost(self, costs: CostModel) -> float:
        return costs.cost_fn * self.fn + costs.cost_fp * self.fp

    def cost_per_client(self, costs: CostModel) -> float:
        return self.cost(costs) / self.n if self.n else float("nan")


def _arrays(y, proba) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y, dtype=np.int64)
    proba = np.asarray(proba, dtype=np.float64)
    if y.shape != proba.shape:
        raise ValueError(f"labels and probabilities differ in length: {y.shape} vs {proba.shape}")
    if y.size and not np.isin(y, (0, 1)).all():
        raise ValueError("labels must be 0 or 1")
    return y, proba


def confusion_at(y, proba, threshold: float) -> Confusion:
    """Confusion counts when clients with ``proba >= threshold`` are refused."""
    y, proba = _arrays(y, proba)
    refused = proba >= threshold
    return Confusion(
        tn=int(np.sum(~refused & (y == 0))),
        fp=int(np.sum(refused & (y == 0))),
        fn=int(np.sum(~refused & (y == 1))),
        tp=int(np.sum(refused & (y == 1))),
    )


def business_cost(y, proba, threshold: float, costs: CostModel = CostModel()) -> float:
    """Cost per client ``(cost_fn * FN + cost_fp * FP) / n`` at ``threshold``."""
    return confusion_at(y, proba, threshold).cost_per_client(costs)


def cost_curve(y, proba, costs: CostModel = CostModel(), thresholds=None) -> pd.DataFrame:
    """Cost and decision figures for each threshold (default: 0 to 1 by 0.005).

    Columns: threshold, tn, fp, fn, tp, cost_per_client, approval_rate, default_rate_approved.
    Vectorised with a sort so it stays fast on hundreds of thousands of clients.
    """
    y, proba = _arrays(y, proba)
    thresholds = np.linspace(0, 1, 201) if thresholds is None else np.asarray(thresholds, dtype=float)
    order = np.argsort(proba)
    p_sorted, y_sorted = proba[order], y[order]
    cum_pos = np.concatenate([[0], np.cumsum(y_sorted)])
    granted = np.searchsorted(p_sorted, thresholds, side="left")  # clients with proba < threshold
    fn = cum_pos[granted]
    tn = granted - fn
    tp = cum_pos[-1] - fn
    fp = (len(y) - granted) - tp
    n = max(len(y), 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        default_rate_approved = np.where(granted > 0, fn / np.maximum(granted, 1), np.nan)
    return pd.DataFrame(
        {
            "threshold": thresholds,
            "tn": tn, "fp": fp, "fn": fn, "tp": tp,
            "cost_per_client": (costs.cost_fn * fn + costs.cost_fp * fp) / n,
            "approval_rate": granted / n,
            "default_rate_approved": default_rate_approved,
        }
    )


@dataclass(frozen=True)
class ThresholdChoice:
    threshold: float
    cost_per_client: float
    confusion: Confusion


def optimal_threshold(y, proba, costs: CostModel = CostModel()) -> ThresholdChoice:
    """The threshold minimising ``cost_fn * FN + cost_fp * FP`` on ``(y, proba)``, exactly.

    Every distinct probability is a candidate cut; the returned threshold sits halfway between the
    lowest refused probability and the highest granted one, so it does not hug a training value.
    Refusing no one (threshold above every probability) is also a candidate.
    """
    y, proba = _arrays(y, proba)
    if y.size == 0:
        raise ValueError("cannot choose a threshold on an empty sample")
    values = np.unique(proba)  # ascending
    # candidate k refuses every client with proba >= values[k]; k = len(values) refuses no one
    curve = cost_curve(y, proba, costs, thresholds=np.append(values, np.inf))
    best = int(np.argmin(curve["cost_per_client"].to_numpy()))
    if best == len(values):
        threshold = float(min(1.0, values[-1] + (1 - values[-1]) / 2)) if values[-1] < 1 else 1.0
    elif best == 0:
        threshold = float(values[0] / 2)
    else:
        threshold = float((values[best - 1] + values[best]) / 2)
    confusion = confusion_at(y, proba, threshold)
    return ThresholdChoice(threshold, confusion.cost_per_client(costs), confusion)


def reference_costs(y, proba, threshold: float, costs: CostModel = CostModel()) -> dict[str, float]:
    """Cost per client at the chosen threshold, next to the naive policies a manager compares with."""
    y, proba = _arrays(y, proba)
    prevalence = float(np.mean(y)) if y.size else float("nan")
    return {
        "at_threshold": business_cost(y, proba, threshold, costs),
        "at_0_5": business_cost(y, proba, 0.5, costs),
        "accept_all": costs.cost_fn * prevalence,
        "refuse_all": costs.cost_fp * (1 - prevalence),
    }


def reliability_table(y, proba, n_bins: int = 10, strategy: str = "uniform") -> pd.DataFrame:
    """Observed default rate against mean predicted probability per bin, with counts.

    ``uniform`` bins split [0, 1] in equal widths (the usual ECE definition); ``quantile`` bins hold
    equal numbers of clients, more informative when most probabilities are small.
    """
    y, proba = _arrays(y, proba)
    if strategy == "uniform":
        edges = np.linspace(0, 1, n_bins + 1)
    elif strategy == "quantile":
        edges = np.unique(np.quantile(proba, np.linspace(0, 1, n_bins + 1)))
        edges[0], edges[-1] = 0.0, 1.0
    else:
        raise ValueError(f"unknown binning strategy {strategy!r}")
    bins = np.clip(np.searchsorted(edges, proba, side="right") - 1, 0, len(edges) - 2)
    frame = pd.DataFrame({"bin": bins, "y": y, "p": proba})
    table = frame.groupby("bin").agg(count=("y", "size"), observed=("y", "mean"), predicted=("p", "mean")).reset_index()
    table["lower"] = edges[table["bin"]]
    table["upper"] = edges[table["bin"] + 1]
    return table[["lower", "upper", "count", "predicted", "observed"]]


def shown_reliability(bins: list[dict], min_size: int = MIN_COHORT_SIZE) -> list[dict]:
    """Bins of a reliability table (``reliability_table`` records, e.g. from the model card) as the
    page may show them: a bin under the privacy floor keeps its count but loses its predicted and
    observed rates (None), and so does the next smallest bin when the hidden ones would hold 1 to 19
    clients together (the overall default rate is on the page too: ``privacy.suppressed``). The
    calibration error itself is still computed over every bin, where no client can be singled out.
    """
    hidden = suppressed([int(b.get("count") or 0) for b in bins], min_size)
    return [dict(b, predicted=None, observed=None) if h else dict(b) for b, h in zip(bins, hidden, strict=True)]


def expected_calibration_error(y, proba, n_bins: int = 10, strategy: str = "uniform") -> float:
    """Count-weighted mean gap between predicted and observed default rates over the bins."""
    table = reliability_table(y, proba, n_bins, strategy)
    if table["count"].sum() == 0:
        return float("nan")
    gaps = (table["predicted"] - table["observed"]).abs()
    return float(np.sum(gaps * table["count"]) / table["count"].sum())


def classification_metrics(y, proba, threshold: float, costs: CostModel = CostModel()) -> dict[str, float]:
    """The figures of the training report for one model's out-of-fold probabilities."""
    # scikit-learn loads in 0.9 s: imported on first use, not at the web process's start
    from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score

    y, proba = _arrays(y, proba)
    clipped = np.clip(proba, 1e-7, 1 - 1e-7)
    return {
        "roc_auc": float(roc_auc_score(y, proba)),
        "average_precision": float(average_precision_score(y, proba)),
        "log_loss": float(log_loss(y, clipped, labels=[0, 1])),
        "brier": float(brier_score_loss(y, proba)),
        "ece": expected_calibration_error(y, proba),
        "ece_quantile": expected_calibration_error(y, proba, strategy="quantile"),
        "threshold": float(threshold),
        "cost_per_client": business_cost(y, proba, threshold, costs),
        "approval_rate": float(np.mean(proba < threshold)),
    }


#: Risk grades, as fractions of the decision threshold: A-C are granted, D-E refused. Relative to the
#: threshold so that a change of costs moves the grades with the decision instead of contradicting it.
GRADE_BOUNDS: tuple[tuple[str, float], ...] = (("A", 0.4), ("B", 0.7), ("C", 1.0), ("D", 2.0))
GRADES = ("A", "B", "C", "D", "E")


def risk_grade(proba, threshold: float):
    """Grade(s) A (lowest risk) to E for probability(ies) of default ``proba``."""
    cuts = np.array([bound * threshold for _, bound in GRADE_BOUNDS])
    idx = np.searchsorted(cuts, np.asarray(proba, dtype=float), side="right")
    grades = np.array(GRADES)[idx]
    return str(grades) if np.ndim(proba) == 0 else grades


def grade_bands(threshold: float) -> list[dict]:
    """The probability interval of each grade, for the model card and the legend."""
    cuts = [min(b * threshold, 1.0) for _, b in GRADE_BOUNDS]  # a threshold above 0.5 caps D/E at 100 %
    lows, highs = [0.0, *cuts], [*cuts, 1.0]
    return [
        {"grade": g, "min_proba": float(lo), "max_proba": float(hi), "decision": "granted" if g in "ABC" else "refused"}
        for g, lo, hi in zip(GRADES, lows, highs, strict=True)
    ]
