"""Exact per-client explanations: TreeSHAP values of the served trees in calibrated log-odds.

The exact path-dependent TreeSHAP values of the CatBoost trees, looked up in tables built once per
model (``app.scoring.tree_shap``: about a millisecond per client, and a pure function of the model
and the client's row, which CatBoost's own ``ShapValues`` is not for this model). Scaled by the
Platt slope they add up, with the scaled base value, exactly to the calibrated log-odds shown as the
probability of default: nothing is approximated until the conversion to percentage points, which is
done sequentially (largest contribution first) so that the steps of the waterfall add up exactly to
``probability - base probability``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.scoring.bundle import ModelBundle
from app.scoring.tree_shap import shap_values

OTHER_FEATURES = "__other__"


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


@dataclass(frozen=True)
class Explanation:
    """SHAP decomposition of one client's calibrated log-odds of default."""

    base_logit: float
    contributions: pd.Series  # calibrated log-odds, indexed by feature name
    values: pd.Series  # the client's model inputs
    logit: float

    @property
    def proba(self) -> float:
        return float(_sigmoid(self.logit))

    @property
    def base_proba(self) -> float:
        return float(_sigmoid(self.base_logit))


def shap_matrix(bundle: ModelBundle, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """SHAP values (rows x features) and base values (rows), in *raw* model units."""
    return shap_values(bundle.model, bundle.explainer, bundle.pool(X))


def explain_row(bundle: ModelBundle, X_row: pd.DataFrame) -> Explanation:
    """Explain one row of model inputs (a one-row frame from ``bundle.features``)."""
    if len(X_row) != 1:
        raise ValueError(f"explain_row takes exactly one client, got {len(X_row)} rows")
    shap, base = shap_matrix(bundle, X_row)
    slope, intercept = bundle.calibration.slope, bundle.calibration.intercept
    contributions = pd.Series(slope * shap[0], index=list(X_row.columns))
    base_logit = float(slope * base[0] + intercept)
    return Explanation(base_logit, contributions, X_row.iloc[0], base_logit + float(contributions.sum()))


def waterfall_steps(explanation: Explanation, top_n: int = 10) -> pd.DataFrame:
    """The waterfall in percentage points of probability of default.

    Rows: the ``top_n`` largest contributions by magnitude, then one ``__other__`` row for the rest.
    Columns: feature, value, logit (contribution in log-odds), points (percentage points),
    start and end (probability in % before and after the step). The points add up exactly to
    ``100 * (proba - base_proba)``.
    """
    contrib = explanation.contributions
    order = contrib.abs().sort_values(ascending=False, kind="stable").index
    top, rest = list(order[:top_n]), list(order[top_n:])
    steps = [(f, explanation.values[f], float(contrib[f])) for f in top]
    if rest:
        steps.append((OTHER_FEATURES, None, float(contrib[rest].sum())))
    rows, cumulative = [], explanation.base_logit
    for feature, value, logit in steps:
        start = float(_sigmoid(cumulative))
        cumulative += logit
        end = float(_sigmoid(cumulative))
        rows.append({"feature": feature, "value": value, "logit": logit,
                     "points": 100 * (end - start), "start": 100 * start, "end": 100 * end})
    return pd.DataFrame(rows, columns=["feature", "value", "logit", "points", "start", "end"])
