"""Compare one client with all clients and with similar clients, from aggregates only.

Everything here works on the served portfolio frame (``PortfolioStore.frame``, one row per client,
in memory) and returns histograms (counts per bin) or anonymous sampled points: never an id, so a
chart cannot reveal another client. Groups smaller than ``cohorts.MIN_COHORT_SIZE`` are refused by
the callers (``cohorts.large_enough``). Values are in the unit a person reads (years, €, %), so the
figures need no conversion.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.scoring.features import DAYS_PER_YEAR

#: Features offered in the comparison, in the order of the list: model inputs an officer can
#: explain and identity facts. Value = (unit kind of the dictionary, how to compute it).
COMPARISON_FEATURES: dict[str, str] = {
    "PROBA_DEFAULT": "percent",
    "ANNUITY_INCOME_RATIO": "percent",
    "CREDIT_INCOME_RATIO": "ratio",
    "CREDIT_TERM": "instalments",
    "AMT_CREDIT": "eur",
    "AMT_ANNUITY": "eur",
    "AMT_INCOME_TOTAL": "eur",
    "AMT_GOODS_PRICE": "eur",
    "AGE_YEARS": "years",
    "EMPLOYED_YEARS": "years",
    "EXT_SOURCE_MEAN": "score",
    "EXT_SOURCE_1": "score",
    "EXT_SOURCE_2": "score",
    "EXT_SOURCE_3": "score",
}
DEFAULT_FEATURE = "ANNUITY_INCOME_RATIO"
DEFAULT_SCATTER = ("AGE_YEARS", "ANNUITY_INCOME_RATIO")
N_BINS = 30
SCATTER_POINTS = 3000
#: Similarity attributes the officer may switch on or off (cohorts.CohortFilter fields).
SIMILARITY_OPTIONS: tuple[str, ...] = (
    "age_band", "income_type", "contract_type", "education", "family_status", "housing",
)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den != 0, num / den, np.nan)


def feature_values(frame: pd.DataFrame, name: str) -> np.ndarray:
    """The feature for every row of ``frame`` as float64 in displayed units (% for shares).

    Raises KeyError for a name outside :data:`COMPARISON_FEATURES` (a hostile dropdown value).
    """
    if name not in COMPARISON_FEATURES:
        raise KeyError(f"{name!r} is not a comparison feature")

    def col(c: str) -> np.ndarray:
        return frame[c].to_numpy(dtype="float64", na_value=np.nan)

    if name == "PROBA_DEFAULT":
        return 100.0 * col("PROBA_DEFAULT")
    if name == "ANNUITY_INCOME_RATIO":
        return 100.0 * _ratio(col("AMT_ANNUITY"), col("AMT_INCOME_TOTAL"))
    if name == "CREDIT_INCOME_RATIO":
        return _ratio(col("AMT_CREDIT"), col("AMT_INCOME_TOTAL"))
    if name == "CREDIT_TERM":
        return _ratio(col("AMT_CREDIT"), col("AMT_ANNUITY"))
    if name == "AGE_YEARS":
        return -col("DAYS_BIRTH") / DAYS_PER_YEAR
    if name == "EMPLOYED_YEARS":
        return -col("DAYS_EMPLOYED") / DAYS_PER_YEAR  # the sentinel was cleaned to missing
    if name == "EXT_SOURCE_MEAN":
        ext = np.column_stack([col(c) for c in ("EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3")])
        with np.errstate(invalid="ignore"):
            counts = np.sum(~np.isnan(ext), axis=1)
            return np.where(counts > 0, np.nansum(ext, axis=1) / np.maximum(counts, 1), np.nan)
    return col(name)


def bin_edges(values: np.ndarray, n_bins: int = N_BINS) -> np.ndarray:
    """Equal-width bins over the 0.5-99.5 % range of ``values`` (a few extreme incomes must not
    squeeze everyone else into one bar); values beyond fall into the end bins."""
    finite = values[np.isfinite(values)]
    if not len(finite):
        return np.array([0.0, 1.0])
    lo, hi = np.quantile(finite, [0.005, 0.995])
    if hi <= lo:
        lo, hi = float(finite.min()), float(finite.max())
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    return np.linspace(lo, hi, n_bins + 1)


@dataclass(frozen=True)
class Distribution:
    """Histogram of one group split by outcome: shares (%) of each outcome group per bin."""

    edges: np.ndarray
    repaid: np.ndarray  # % of the group's repaid clients in each bin
    difficulties: np.ndarray  # % of the group's clients with payment difficulties in each bin
    n: int  # clients in the group (with or without an outcome)
    n_repaid: int
    n_difficulties: int
    n_missing_value: int  # clients of the group without a value for the feature


def distribution(values: np.ndarray, target: np.ndarray, edges: np.ndarray) -> Distribution:
    """Shares per bin of repaid (TARGET 0) and payment-difficulty (TARGET 1) clients.

    Shares within each outcome group (not counts) so that the 8 % with difficulties stay visible
    next to the 92 % who repaid; new applications (no outcome) count only in ``n``.
    """
    finite = np.isfinite(values)
    clipped = np.clip(values, edges[0], edges[-1])

    def shares(selected: np.ndarray) -> tuple[np.ndarray, int]:
        keep = selected & finite
        counts, _ = np.histogram(clipped[keep], bins=edges)
        total = int(keep.sum())
        return (100.0 * counts / total if total else np.zeros(len(edges) - 1)), total

    repaid, n_repaid = shares(target == 0)
    difficulties, n_diff = shares(target == 1)
    return Distribution(edges, repaid, difficulties, int(len(values)), n_repaid, n_diff, int((~finite).sum()))


def percentile_of(values: np.ndarray, value: float) -> float | None:
    """Share (%) of the group with a value below the client's (None when not comparable)."""
    finite = values[np.isfinite(values)]
    if value is None or not np.isfinite(value) or not len(finite):
        return None
    return float(100.0 * np.mean(finite < value))


def scatter_sample(x: np.ndarray, y: np.ndarray, risk: np.ndarray, n: int = SCATTER_POINTS,
                   seed: int = 0) -> pd.DataFrame:
    """At most ``n`` anonymous points (x, y, risk in %) drawn at random, deterministically.

    No identifier travels with the points: the frame has exactly the three plotted columns.
    """
    keep = np.flatnonzero(np.isfinite(x) & np.isfinite(y) & np.isfinite(risk))
    if len(keep) > n:
        keep = np.sort(np.random.default_rng(seed).choice(keep, size=n, replace=False))
    return pd.DataFrame({"x": x[keep], "y": y[keep], "risk": risk[keep]})
