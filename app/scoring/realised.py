"""Realised performance (pure domain): how the model did on the loans whose outcome is now known.

Per application month, over the **granted** loans with a known outcome (a refused loan has none in
real life; the demo's synthetic outcomes of refused ones are left out the same way):

- observed default rate with its Wilson 95 % interval, against the mean probability the model gave
  those loans: the alert fires when the mean probability falls outside the interval (the model
  under- or over-estimates the risk by more than chance on that many loans explains);
- AUC with its Hanley-McNeil 95 % interval, against the out-of-fold AUC *of the loans the model would
  have granted* (granting truncates the scores, which lowers any AUC: comparing with the AUC over
  every client would always alert): alert when the reference is above the interval;
- ECE (10 equal-width bins, as in the model card), against what a perfectly calibrated model would
  show by chance on the same loans (95th percentile of the ECE of outcomes drawn from the model's
  own probabilities, ``ECE_SIMULATIONS`` draws, fixed seed): alert when the observed ECE is above
  both that noise level and the out-of-fold ECE.

A month with fewer than ``MIN_COHORT_SIZE`` granted loans of known outcome is not described; an AUC
needs at least ``MIN_CLASS`` defaults and as many repaid loans.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.scoring.metrics import expected_calibration_error
from app.scoring.privacy import MIN_COHORT_SIZE
from app.scoring.validation import DataValidationError, first_position, show, to_binary_target, to_identifier

Z = 1.959964
MIN_CLASS = 5
ECE_SIMULATIONS = 200
ECE_BINS = 10
GRANTED = "granted"
OUTCOME_DATE = "OUTCOME_DATE"


def prepare_outcomes(raw: pd.DataFrame, *, source: str) -> pd.DataFrame:
    """Validate an outcomes file: ``SK_ID_CURR`` (whole, unique), ``TARGET`` (0 or 1) and an optional
    ``OUTCOME_DATE`` (a date, blank allowed); other columns are ignored. One-line
    :class:`DataValidationError` naming the file, the column, the value and its row otherwise."""
    frame = raw.reset_index(drop=True)
    frame.columns = [str(c).strip() for c in frame.columns]
    absent = [c for c in ("SK_ID_CURR", "TARGET") if c not in frame.columns]
    if absent:
        raise DataValidationError(f"{source}: missing required column {' and '.join(absent)}", source=source,
                                  column=absent[0])
    if not len(frame):
        raise DataValidationError(f"{source}: the table has no rows", source=source)
    out = pd.DataFrame({"SK_ID_CURR": to_identifier(frame["SK_ID_CURR"], source=source, column="SK_ID_CURR",
                                                    unique=True),
                        "TARGET": to_binary_target(frame["TARGET"], source=source, column="TARGET")})
    if OUTCOME_DATE in frame.columns:
        text = frame[OUTCOME_DATE].astype("string").str.strip()
        blank = text.isna() | (text == "")
        dates = pd.to_datetime(text.where(~blank), errors="coerce", format="ISO8601")
        bad = ~blank & dates.isna()
        if bad.any():
            row = first_position(bad)
            raise DataValidationError(
                f"{source}: column {OUTCOME_DATE} must hold dates YYYY-MM-DD; found "
                f"{show(frame[OUTCOME_DATE].iloc[row])} at row {row + 1}", source=source, column=OUTCOME_DATE,
                example=frame[OUTCOME_DATE].iloc[row], row=row + 1)
        out[OUTCOME_DATE] = dates
    return out


@dataclass(frozen=True)
class Reference:
    """The out-of-fold figures of the loans the model would have granted (``oof_reference``)."""

    n: int
    default_rate: float
    auc: float | None
    ece: float


@dataclass(frozen=True)
class MonthPerformance:
    period: str
    n: int
    n_defaults: int
    default_rate: float
    default_interval: tuple[float, float]
    mean_proba: float
    auc: float | None
    auc_interval: tuple[float, float] | None
    ece: float
    ece_noise: float
    alerts: tuple[str, ...]


def wilson_interval(k: int, n: int, z: float = Z) -> tuple[float, float]:
    """Wilson score interval of a proportion k / n (sound near 0, where default rates live)."""
    if n <= 0:
        return (0.0, 1.0)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def auc_interval(auc: float, n_pos: int, n_neg: int, z: float = Z) -> tuple[float, float]:
    """Hanley & McNeil (1982) standard error of an AUC from the two class sizes."""
    q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
    var = (auc * (1 - auc) + (n_pos - 1) * (q1 - auc * auc) + (n_neg - 1) * (q2 - auc * auc)) / (n_pos * n_neg)
    se = math.sqrt(max(var, 0.0))
    return (max(0.0, auc - z * se), min(1.0, auc + z * se))


def ece_noise(proba: np.ndarray, simulations: int = ECE_SIMULATIONS, seed: int = 0, quantile: float = 0.95) -> float:
    """The ECE a perfectly calibrated model would reach by chance on these probabilities."""
    p = np.asarray(proba, dtype=float)
    bins = np.clip(np.searchsorted(np.linspace(0, 1, ECE_BINS + 1), p, side="right") - 1, 0, ECE_BINS - 1)
    predicted = np.bincount(bins, weights=p, minlength=ECE_BINS)
    draws = (np.random.default_rng(seed).random((simulations, len(p))) < p).astype(float)
    observed = np.stack([np.bincount(bins, weights=row, minlength=ECE_BINS) for row in draws])
    ece = np.abs(predicted - observed).sum(axis=1) / len(p)  # sum over bins of count * |mean gap| / n
    return float(np.quantile(ece, quantile))


def _auc(y: np.ndarray, p: np.ndarray) -> float | None:
    # scikit-learn loads in 0.9 s: imported on first use, not at the web process's start
    from sklearn.metrics import roc_auc_score

    n_pos = int(y.sum())
    if n_pos < MIN_CLASS or len(y) - n_pos < MIN_CLASS:
        return None
    return float(roc_auc_score(y, p))


def oof_reference(y, proba_oof, threshold: float) -> Reference:
    """Out-of-fold figures of the clients the model would have granted (probability under the threshold)."""
    y, p = np.asarray(y, dtype=float), np.asarray(proba_oof, dtype=float)
    keep = ~np.isnan(y) & ~np.isnan(p) & (p < threshold)
    y, p = y[keep], p[keep]
    return Reference(n=int(len(y)), default_rate=float(y.mean()) if len(y) else float("nan"), auc=_auc(y, p),
                     ece=expected_calibration_error(y, p) if len(y) else float("nan"))


def realised_performance(outcomes: pd.DataFrame, reference: Reference | None) -> list[MonthPerformance]:
    """``outcomes``: period, TARGET, PROBA_DEFAULT, DECISION (``app.monitoring_store.outcomes``)."""
    granted = outcomes[outcomes["DECISION"] == GRANTED].dropna(subset=["period"])
    months = []
    for period, rows in sorted(granted.groupby("period"), key=lambda kv: str(kv[0])):
        y, p = rows["TARGET"].to_numpy(float), rows["PROBA_DEFAULT"].to_numpy(float)
        n = len(y)
        if n < MIN_COHORT_SIZE:
            continue
        k = int(y.sum())
        rate, interval, mean_p = k / n, wilson_interval(k, n), float(p.mean())
        auc = _auc(y, p)
        auc_ci = auc_interval(auc, k, n - k) if auc is not None else None
        ece, noise = expected_calibration_error(y, p), ece_noise(p)
        alerts = []
        if not interval[0] <= mean_p <= interval[1]:
            alerts.append("default_rate")
        if auc_ci is not None and reference is not None and reference.auc is not None and reference.auc > auc_ci[1]:
            alerts.append("auc")
        if ece > noise and (reference is None or not np.isfinite(reference.ece) or ece > reference.ece):
            alerts.append("ece")
        months.append(MonthPerformance(str(period), n, k, rate, interval, mean_p, auc, auc_ci, ece, noise,
                                       tuple(alerts)))
    return months
