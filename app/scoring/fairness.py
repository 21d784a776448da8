"""Fairness figures by group, at the decision threshold.

For each group (gender, age band): how many clients, how many are approved, how many default, and the
error rates a regulator asks about. With *default* as the positive class:
- TPR (true-positive rate): share of the group's defaulters the model refuses;
- FPR (false-positive rate): share of the group's good payers the model wrongly refuses;
- disparate-impact ratio: the group's approval rate divided by the highest group approval rate.
  Below 0.8 breaks the "four-fifths rule" of thumb and is flagged for review.

:func:`fairness_tables` is the one computation of the checked attributes: training records it in the
model card and the model page shows it, so the two cannot disagree on groups, order or floor.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from app.scoring.privacy import MIN_COHORT_SIZE, large_enough

FOUR_FIFTHS = 0.8
AGE_BANDS: tuple[tuple[str, float, float], ...] = (
    ("<25", 0, 25), ("25-34", 25, 35), ("35-44", 35, 45), ("45-54", 45, 55), ("55+", 55, 200),
)


def age_band(age_years) -> pd.Series:
    """Age band label of each age in years (missing stays missing)."""
    ages = pd.Series(age_years, dtype="float64")
    edges = [lo for _, lo, _ in AGE_BANDS] + [AGE_BANDS[-1][2]]
    return pd.cut(ages, bins=edges, right=False, labels=[b for b, _, _ in AGE_BANDS]).astype("string")


def _rate(values: pd.Series, min_size: int) -> float:
    """Mean of ``values`` (0/1) when computed over at least ``min_size`` clients, else NaN."""
    return float(values.mean()) if large_enough(len(values), min_size) else float("nan")


def fairness_table(y, proba, threshold: float, groups, min_group_size: int = MIN_COHORT_SIZE) -> pd.DataFrame:
    """One row per group with n, approval rate, default rate, TPR, FPR, disparate impact, flag.

    ``y`` may hold missing values (new applications): those clients count in the approval rate but
    not in the outcome-based rates. Groups smaller than ``min_group_size`` (the privacy floor) are
    left out, and each outcome rate needs that many clients of its own: the default rate that many
    known outcomes, the TPR that many defaulters, the FPR that many good payers (a group of 500
    with 3 defaulters would otherwise tell how the model treated those 3). Else the rate is NaN.
    """
    frame = pd.DataFrame({
        "group": pd.Series(groups).astype("string").fillna("unknown").to_numpy(),
        "y": pd.to_numeric(pd.Series(y), errors="coerce").to_numpy(dtype=float),
        "refused": np.asarray(proba, dtype=float) >= threshold,
    })
    rows = []
    for group, g in frame.groupby("group", sort=True):
        if len(g) < min_group_size:
            continue
        known = g[g["y"].notna()]
        bad, good = known[known["y"] == 1], known[known["y"] == 0]
        rows.append({
            "group": group,
            "n": int(len(g)),
            "n_known_outcome": int(len(known)),
            "approval_rate": float((~g["refused"]).mean()),
            "default_rate": _rate(known["y"], min_group_size),
            "tpr": _rate(bad["refused"], min_group_size),
            "fpr": _rate(good["refused"], min_group_size),
        })
    table = pd.DataFrame(rows, columns=["group", "n", "n_known_outcome", "approval_rate", "default_rate", "tpr", "fpr"])
    best = table["approval_rate"].max() if len(table) else float("nan")
    table["disparate_impact"] = table["approval_rate"] / best if best and best > 0 else float("nan")
    table["four_fifths_ok"] = table["disparate_impact"] >= FOUR_FIFTHS
    return table


def fairness_tables(y, proba, threshold: float, gender, age_years) -> dict[str, pd.DataFrame]:
    """The fairness tables of the attributes checked for every model: ``"gender"`` (not a model input,
    kept beside the predictions only for this check) and ``"age_band"`` (youngest band first), under
    the privacy floor (:data:`~app.scoring.privacy.MIN_COHORT_SIZE`)."""
    return {
        "gender": fairness_table(y, proba, threshold, gender),
        "age_band": _in_band_order(fairness_table(y, proba, threshold, age_band(age_years))),
    }


def _in_band_order(table: pd.DataFrame) -> pd.DataFrame:
    """Youngest band first (the table comes sorted as text, which puts "<25" last)."""
    order = {band: i for i, (band, _, _) in enumerate(AGE_BANDS)}
    return table.sort_values("group", key=lambda g: g.map(order).fillna(len(order)), kind="stable").reset_index(drop=True)
