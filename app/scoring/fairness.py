"""Fairness figures by group, at the decision threshold.

For each group (gender, age band): how many clients, how many are approved, how many default, and the
error rates a regulator asks about. With *default* as the positive class:
- TPR (true-positive rate): share of the group's defaulters the model refuses;
- FPR (false-positive rate): share of the group's good payers the model wrongly refuses;
- disparate-impact ratio: the group's approval rate divided by the highest group approval rate.
  Below 0.8 breaks the "four-fifths rule" of thumb and is flagged for review.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

FOUR_FIFTHS = 0.8
AGE_BANDS: tuple[tuple[str, float, float], ...] = (
    ("<25", 0, 25), ("25-34", 25, 35), ("35-44", 35, 45), ("45-54", 45, 55), ("55+", 55, 200),
)


def age_band(age_years) -> pd.Series:
    """Age band label of each age in years (missing stays missing)."""
    ages = pd.Series(age_years, dtype="float64")
    edges = [lo for _, lo, _ in AGE_BANDS] + [AGE_BANDS[-1][2]]
    return pd.cut(ages, bins=edges, right=False, labels=[b for b, _, _ in AGE_BANDS]).astype("string")


def fairness_table(y, proba, threshold: float, groups, min_group_size: int = 1) -> pd.DataFrame:
    """One row per group with n, approval rate, default rate, TPR, FPR, disparate impact, flag.

    ``y`` may hold missing values (new applications): those clients count in the approval rate but
    not in the outcome-based rates. Groups smaller than ``min_group_size`` are left out.
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
            "default_rate": float(known["y"].mean()) if len(known) else float("nan"),
            "tpr": float(bad["refused"].mean()) if len(bad) else float("nan"),
            "fpr": float(good["refused"].mean()) if len(good) else float("nan"),
        })
    table = pd.DataFrame(rows, columns=["group", "n", "n_known_outcome", "approval_rate", "default_rate", "tpr", "fpr"])
    best = table["approval_rate"].max() if len(table) else float("nan")
    table["disparate_impact"] = table["approval_rate"] / best if best and best > 0 else float("nan")
    table["four_fifths_ok"] = table["disparate_impact"] >= FOUR_FIFTHS
    return table
