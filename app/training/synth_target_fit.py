"""Fit the synthetic default model of :mod:`app.scoring.synth_target` on real labelled rows.

A logistic regression on one-hot cells: one term per input (quantile bins, or levels, plus a
"missing" cell) and a few pairs whose joint effect matters for credit risk: the external scores two
by two, the instalment burden by income, the number of instalments by the goods share, age by
years in employment. L2 regularisation (its strength chosen by 5-fold cross-validated log-loss)
keeps thin cells near zero; cells with fewer than :data:`MIN_CELL_COUNT` real rows are stored as 0,
so every stored value summarises at least 20 applicants.

Two constants are then set on the generator's own rows (their inputs are close to, not equal to,
the real ones): the intercept, so that they default at the real rate, and one factor on every
cell value, so that the model separates them as well as it separates the real rows (same ROC AUC).
Without that factor the demo's risk would be flatter than the real one (AUC 0.725 against 0.775):
the copula's clients are less extreme in the combinations the cells reward.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import brentq
from scipy.special import expit
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold

from app.scoring.schema import TARGET_COLUMN
from app.scoring.synth_target import _input, axis_size, log_odds, target_inputs, term_cells

MIN_CELL_COUNT = 20  # k-anonymity of a stored cell value
_C_GRID = (0.005, 0.01, 0.02, 0.05)

#: (inputs, bins per numeric input). Numeric inputs are cut at quantiles; text inputs use their levels;
#: a list of numbers gives fixed edges (flags, ratings, small counts).
TERM_SPECS: tuple[tuple[tuple[str, ...], tuple], ...] = (
    (("AGE",), (12,)),
    (("EMPLOYED_YEARS",), (10,)),
    (("TERM",), (12,)),
    (("BURDEN",), (10,)),
    (("GOODS_RATIO",), (8,)),
    (("AMT_INCOME_TOTAL",), (8,)),
    (("AMT_CREDIT",), (8,)),
    (("EXT_SOURCE_1",), (10,)),
    (("EXT_SOURCE_2",), (10,)),
    (("EXT_SOURCE_3",), (10,)),
    (("DAYS_ID_PUBLISH",), (6,)),
    (("DAYS_LAST_PHONE_CHANGE",), (6,)),
    (("DAYS_REGISTRATION",), (6,)),
    (("REGION_POPULATION_RELATIVE",), (6,)),
    (("OWN_CAR_AGE",), (5,)),
    (("AMT_REQ_CREDIT_BUREAU_YEAR",), ([0.5, 1.5, 2.5, 4.5],)),
    (("DEF_30_CNT_SOCIAL_CIRCLE",), ([0.5, 1.5],)),
    (("REGION_RATING_CLIENT_W_CITY",), ([1.5, 2.5],)),
    (("BUILDING_KNOWN",), ([0.5],)),
    (("FLAG_DOCUMENT_3",), ([0.5],)),
    (("REG_CITY_NOT_WORK_CITY",), ([0.5],)),
    (("FLAG_PHONE",), ([0.5],)),
    (("FLAG_WORK_PHONE",), ([0.5],)),
    (("CODE_GENDER",), ("levels",)),
    (("NAME_EDUCATION_TYPE",), ("levels",)),
    (("NAME_INCOME_TYPE",), ("levels",)),
    (("OCCUPATION_TYPE",), ("levels",)),
    (("ORGANIZATION_TYPE",), ("levels",)),
    (("NAME_FAMILY_STATUS",), ("levels",)),
    (("NAME_CONTRACT_TYPE",), ("levels",)),
    (("FLAG_OWN_CAR",), ("levels",)),
    (("FLAG_OWN_REALTY",), ("levels",)),
    (("NAME_HOUSING_TYPE",), ("levels",)),
    (("EXT_SOURCE_1", "EXT_SOURCE_2"), (5, 5)),
    (("EXT_SOURCE_2", "EXT_SOURCE_3"), (6, 6)),
    (("EXT_SOURCE_1", "EXT_SOURCE_3"), (5, 5)),
    (("BURDEN", "AMT_INCOME_TOTAL"), (5, 5)),
    (("TERM", "GOODS_RATIO"), (6, 4)),
    (("AGE", "EMPLOYED_YEARS"), (5, 5)),
    (("TERM", "AGE"), (5, 5)),
)


def _axis(values: np.ndarray, spec) -> dict:
    if isinstance(spec, str):  # "levels": the levels with enough support, in frequency order
        counts = pd.Series(values).dropna().value_counts()
        return {"levels": [str(v) for v in counts.index[counts >= MIN_CELL_COUNT]]}
    if isinstance(spec, list):
        return {"edges": [float(e) for e in spec]}
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    edges = np.unique(np.round(np.quantile(x, np.linspace(0, 1, spec + 1)[1:-1]), 6))
    return {"edges": [float(e) for e in edges]}


def _terms(df: pd.DataFrame) -> list[dict]:
    derived = target_inputs(df)
    return [{"inputs": list(inputs), "axes": [_axis(_input(df, derived, n), s) for n, s in zip(inputs, specs, strict=True)]}
            for inputs, specs in TERM_SPECS]


def _design(df: pd.DataFrame, terms: list[dict]) -> tuple[sparse.csr_matrix, list[int]]:
    derived = target_inputs(df)
    blocks, sizes = [], []
    for term in terms:
        size = int(np.prod([axis_size(a) for a in term["axes"]]))
        cells = term_cells(df, derived, term)
        blocks.append(sparse.csr_matrix((np.ones(len(df)), (np.arange(len(df)), cells)), shape=(len(df), size)))
        sizes.append(size)
    return sparse.hstack(blocks, format="csr"), sizes


def _choose_c(X, y: np.ndarray, seed: int) -> tuple[float, dict[float, float]]:
    """Regularisation with the best 5-fold out-of-fold log-loss (also reports the AUC)."""
    scores: dict[float, float] = {}
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    for c in _C_GRID:
        oof = np.empty(len(y))
        for train, val in folds.split(np.zeros(len(y)), y):
            model = LogisticRegression(C=c, max_iter=3000).fit(X[train], y[train])
            oof[val] = model.predict_proba(X[val])[:, 1]
        scores[c] = log_loss(y, oof)
        print(f"  default model C={c}: out-of-fold log-loss {scores[c]:.5f}, AUC {roc_auc_score(y, oof):.4f}")
    return min(scores, key=lambda c: scores[c]), scores


def fit_target_model(real: pd.DataFrame, synthetic: pd.DataFrame, *, seed: int = 0) -> dict:
    """The default model's aggregate parameters: fitted on ``real`` (labelled) rows, its intercept
    calibrated on ``synthetic`` rows of the generator so that they default at the real rate."""
    y = real[TARGET_COLUMN].to_numpy(dtype=int)
    terms = _terms(real)
    X, sizes = _design(real, terms)
    c, _ = _choose_c(X, y, seed)
    model = LogisticRegression(C=c, max_iter=3000).fit(X, y)
    coef = model.coef_[0]
    support = np.asarray(X.sum(axis=0)).ravel()
    coef = np.where(support >= MIN_CELL_COUNT, coef, 0.0)
    start = 0
    for term, size in zip(terms, sizes, strict=True):
        term["values"] = [round(float(v), 5) for v in coef[start:start + size]]
        start += size
    spec = {"intercept": 0.0, "terms": terms, "regularisation_c": c, "min_cell_count": MIN_CELL_COUNT}
    rate = float(y.mean())
    real_auc = roc_auc_score(y, log_odds(real, spec, intercept=False))
    shifts = log_odds(synthetic, spec, intercept=False)

    def intercept(scale: float) -> float:
        return float(brentq(lambda b: expit(b + scale * shifts).mean() - rate, -30, 30))

    scale = float(brentq(lambda k: expected_auc(k * shifts + intercept(k)) - real_auc, 0.5, 4.0))
    for term in terms:
        term["values"] = [round(v * scale, 5) for v in term["values"]]
    spec["intercept"] = round(intercept(scale), 5)
    spec["default_rate"] = round(rate, 5)
    spec["signal_scale"] = round(scale, 4)
    spec["real_auc"] = round(float(real_auc), 4)
    print(f"  default model: C={c}, AUC on the real rows {real_auc:.4f}, cell values x{scale:.3f} to match it "
          f"on generated rows, intercept {spec['intercept']:.3f}")
    return spec


def expected_auc(logits: np.ndarray) -> float:
    """The ROC AUC that outcomes drawn with these log-odds have on average against them (no draw needed):
    P(a defaulter scores above a non-defaulter), each row weighted by its probability of either."""
    order = np.argsort(logits, kind="stable")
    p = expit(logits[order])
    good_below = np.cumsum(1 - p) - (1 - p)  # ties are negligible for continuous sums of cell values
    return float(np.sum(p * good_below) / (p.sum() * (1 - p).sum()))
