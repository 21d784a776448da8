"""The synthetic default: TARGET drawn from the applicant's values through an aggregate risk table.

A Gaussian copula ties TARGET to each column monotonically and to their combinations not at all:
a world made for a linear model, where the logistic regression beat gradient boosting. Real credit
risk is not like that (the default rate falls steeply until about 40 then flattens; one good external
score does not make up for two bad ones; an instalment burden hurts low incomes most). So TARGET
is drawn from a *binned additive model with pairwise interactions* fitted on the real rows
(``app.training.synth_target_fit``): ``logit P(default) = intercept + sum of the cells' values``,
one term per input or pair of inputs. Each term cuts its inputs at stored quantile edges (plus a
"missing" cell) and stores one log-odds value per cell; cells supported by fewer than 20 real rows
hold 0. Only those aggregates are committed.

The inputs are the raw columns and a few ratios computed here (:func:`target_inputs`), in the
fitted table's own amount unit (the demo's currency conversion comes after the draw).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from app.scoring.schema import DAYS_EMPLOYED_SENTINEL

DAYS_PER_YEAR = 365.25


def target_inputs(df: pd.DataFrame) -> dict[str, np.ndarray]:
    """Every input a term may use: raw numeric columns as floats, categories as objects, and ratios."""
    def col(name: str) -> np.ndarray:
        return df[name].to_numpy(dtype=float)

    with np.errstate(divide="ignore", invalid="ignore"):
        employed = col("DAYS_EMPLOYED")
        employed = np.where(employed == DAYS_EMPLOYED_SENTINEL, np.nan, -employed / DAYS_PER_YEAR)
        derived = {
            "AGE": -col("DAYS_BIRTH") / DAYS_PER_YEAR,
            "EMPLOYED_YEARS": employed,
            "TERM": col("AMT_CREDIT") / col("AMT_ANNUITY"),
            "BURDEN": col("AMT_ANNUITY") / col("AMT_INCOME_TOTAL"),
            "GOODS_RATIO": col("AMT_GOODS_PRICE") / col("AMT_CREDIT"),
            "BUILDING_KNOWN": np.where(df["APARTMENTS_AVG"].isna().to_numpy(), 0.0, 1.0),
        }
    for value in derived.values():
        value[~np.isfinite(value)] = np.nan
    return derived


def _input(df: pd.DataFrame, derived: dict[str, np.ndarray], name: str) -> np.ndarray:
    if name in derived:
        return derived[name]
    series = df[name]
    if pd.api.types.is_numeric_dtype(series):
        return series.to_numpy(dtype=float)
    return series.astype(object).where(series.notna(), None).to_numpy()


def cell_index(values: np.ndarray, axis: dict) -> np.ndarray:
    """Cell of each value along one axis: quantile bin (numeric) or level; the last cell is "missing/other"."""
    if "levels" in axis:
        codes = pd.Index(axis["levels"]).get_indexer(values).astype(np.int64)
        return np.where(codes < 0, len(axis["levels"]), codes)
    edges = np.asarray(axis["edges"], dtype=float)
    x = np.asarray(values, dtype=float)
    idx = np.searchsorted(edges, x, side="right")
    return np.where(np.isnan(x), len(edges) + 1, idx).astype(np.int64)


def axis_size(axis: dict) -> int:
    return len(axis["levels"]) + 1 if "levels" in axis else len(axis["edges"]) + 2


def term_cells(df: pd.DataFrame, derived: dict[str, np.ndarray], term: dict) -> np.ndarray:
    """Flat cell number of each row in one term's grid."""
    indices = [cell_index(_input(df, derived, name), axis) for name, axis in zip(term["inputs"], term["axes"],
                                                                                   strict=True)]
    return np.ravel_multi_index(indices, [axis_size(a) for a in term["axes"]])


def log_odds(df: pd.DataFrame, model: dict, *, intercept: bool = True) -> np.ndarray:
    """The model's log-odds of default for every row."""
    derived = target_inputs(df)
    total = np.full(len(df), float(model["intercept"]) if intercept else 0.0)
    for term in model["terms"]:
        total += np.asarray(term["values"], dtype=float)[term_cells(df, derived, term)]
    return total


def default_probability(df: pd.DataFrame, model: dict) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-log_odds(df, model)))


def draw_target(df: pd.DataFrame, model: dict, rng: np.random.Generator) -> np.ndarray:
    """One realised outcome per row (0 repaid, 1 default)."""
    return (rng.random(len(df)) < default_probability(df, model)).astype(np.int64)
