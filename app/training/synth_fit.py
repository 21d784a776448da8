"""Fit the aggregate Gaussian-copula parameters of :mod:`app.scoring.synth` from a real table.

Only aggregates leave this module: level / value frequencies with at least :data:`MIN_COUNT`
supporting rows, atoms carrying at least :data:`ATOM_SHARE` of a column, 200 inner quantiles
(0.25 % - 99.75 %, never the exact min / max), one correlation matrix and the frequencies of
joint missingness patterns seen at least :data:`MIN_PATTERN_COUNT` times. No row is stored.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtri
from scipy.stats import rankdata

from app.scoring.schema import DAYS_EMPLOYED_SENTINEL, ID_COLUMN, TARGET_COLUMN, application_schema
from app.scoring.synth import (
    FORMAT_NAME,
    METHOD_VERSION,
    QUANTILE_LEVELS,
    _apply_marginal,
    inverse_cdf_table,
    nearest_correlation,
)

MIN_COUNT = 10  # k-anonymity of stored values / levels
ATOM_SHARE = 0.005  # a value carrying >= 0.5 % of a column is an atom
DISCRETE_MAX_DISTINCT = 120  # flags, counts, ratings, hours, region ratios: value -> frequency
MIN_PATTERN_COUNT = 20  # k-anonymity of joint missingness patterns
SENTINEL_TV = 0.5  # columns whose distribution flips with the DAYS_EMPLOYED sentinel
_ROUND = 6


def file_fingerprint(path: Path) -> dict:
    """Row count is added by the caller; sha256 identifies exactly which file was fitted."""
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return {"file": Path(path).name, "sha256": digest}


def _probs(counts: np.ndarray) -> list[float]:
    return [round(float(p), _ROUND) for p in counts / counts.sum()]


def _decimals(x: np.ndarray) -> int | None:
    """Fewest decimals that 99 % of the values already have (amounts in 0.5, ratios in 1e-6)."""
    for d in range(7):
        scaled = x * 10.0**d
        if np.mean(np.abs(scaled - np.rint(scaled)) < 1e-6 * np.maximum(1.0, np.abs(scaled))) >= 0.99:
            return d
    return None


def fit_numeric(x: np.ndarray, integer: bool) -> dict:
    """Discrete (few distinct values) or atoms + inner quantiles of the non-atom values."""
    x = x[~np.isnan(x)]
    values, counts = np.unique(x, return_counts=True)
    if len(values) <= DISCRETE_MAX_DISTINCT:
        keep = counts >= MIN_COUNT
        if not keep.any():
            raise ValueError("a discrete column has no value with enough support")
        vals = [int(v) if integer else float(v) for v in values[keep]]
        return {"kind": "discrete", "values": vals, "probs": _probs(counts[keep])}
    atom = counts / len(x) >= ATOM_SHARE
    rest = x[~np.isin(x, values[atom])]
    q = np.quantile(rest, QUANTILE_LEVELS)
    k = 10  # slopes over the outer 5 % extrapolate the tails without storing the extremes
    lower = q[0] - (q[k] - q[0]) / (QUANTILE_LEVELS[k] - QUANTILE_LEVELS[0]) * QUANTILE_LEVELS[0]
    upper = q[-1] + (q[-1] - q[-1 - k]) / (QUANTILE_LEVELS[-1] - QUANTILE_LEVELS[-1 - k]) * QUANTILE_LEVELS[0]
    if q[0] >= 0:
        lower = max(lower, 0.0)
    if q[-1] <= 0:
        upper = min(upper, 0.0)
    return {
        "kind": "mixed",
        "atoms": [int(v) if integer else float(v) for v in values[atom]],
        "atom_probs": [round(float(c) / len(x), _ROUND) for c in counts[atom]],
        "cont_prob": round(len(rest) / len(x), _ROUND),
        "quantiles": [float(v) for v in np.round(q, 8)],
        "lower": float(lower),
        "upper": float(upper),
        "integer": integer,
        "decimals": None if integer else _decimals(x),
    }


def fit_category(x: pd.Series, order: list[str]) -> dict:
    """Level frequencies in the given latent order; levels seen < MIN_COUNT times are not sampled."""
    counts = x.value_counts()
    levels = [lv for lv in order if counts.get(lv, 0) >= MIN_COUNT]
    if not levels:
        raise ValueError(f"column {x.name} has no level with enough support")
    return {"kind": "category", "levels": levels, "probs": _probs(np.array([counts[lv] for lv in levels], float))}


def level_order(df: pd.DataFrame, column: str) -> list[str]:
    """Schema levels by increasing default rate (unseen levels last), so the latent order carries TARGET."""
    levels = list(application_schema().by_name()[column].categories)
    if TARGET_COLUMN not in df:
        return levels
    rate = df.groupby(column, observed=True)[TARGET_COLUMN].mean()
    return sorted(levels, key=lambda lv: (lv not in rate.index, rate.get(lv, 0.0), lv))


def _scores(values: np.ndarray) -> np.ndarray:
    """Normal scores Φ⁻¹(average rank / (n + 1)) of the non-missing values (NaN stays NaN)."""
    out = np.full(len(values), np.nan)
    ok = ~np.isnan(values)
    out[ok] = ndtri(rankdata(values[ok]) / (ok.sum() + 1))
    return out


def attenuation(marginal: dict) -> float:
    """corr(latent normal, normal score of the observed value): the polyserial attenuation of ties.

    For a 0/1 column it equals φ(Φ⁻¹(p)) / sqrt(p(1-p)), i.e. the biserial correction; computed on a
    deterministic normal grid through the very marginal used for sampling, it covers atoms too.
    """
    z = ndtri((np.arange(20_000) + 0.5) / 20_000)
    x = _apply_marginal(marginal, inverse_cdf_table(marginal), (np.arange(20_000) + 0.5) / 20_000)
    s = _scores(np.asarray(x, dtype=float))
    if np.std(s) == 0:
        return 1.0
    return float(max(np.corrcoef(z, s)[0, 1], 0.05))


def latent_correlation(scores: np.ndarray, atten: np.ndarray) -> np.ndarray:
    """Pairwise-complete correlation of normal scores, de-attenuated, made positive definite."""
    present = ~np.isnan(scores)
    z = np.where(present, scores, 0.0)
    m = present.astype(float)
    cross = z.T @ z
    ss = (z * z).T @ m  # [i, j]: sum of z_i^2 over rows where both i and j are present
    with np.errstate(invalid="ignore", divide="ignore"):
        r = cross / np.sqrt(ss * ss.T)
    r = np.nan_to_num(r, nan=0.0)
    r = np.clip(r / atten[:, None] / atten[None, :], -0.995, 0.995)
    np.fill_diagonal(r, 1.0)
    return nearest_correlation(r, min_eigenvalue=1e-3)


def fit_missing(df: pd.DataFrame, target: np.ndarray, sentinel: np.ndarray) -> dict:
    """Frequent joint missingness patterns per sentinel group, with their frequencies per TARGET.

    Patterns (bitmask over the columns that ever miss) rather than per-column rates keep the block
    structure (the building columns go missing together). Within each group (DAYS_EMPLOYED sentinel
    or not: pensioners never state an occupation), patterns seen fewer than 20 times join their
    nearest frequent pattern (Hamming distance). The pattern set is shared by both TARGET values,
    whose frequencies keep the link of missingness with default; sharing it matters: TARGET-specific
    pattern sets would let a model read TARGET off the mere identity of a rare pattern.
    """
    cols = [c for c in df.columns if c not in (ID_COLUMN, TARGET_COLUMN) and df[c].isna().any()]
    all_bits = df[cols].isna().to_numpy()
    out: dict[str, Any] = {"columns": cols, "rates": {c: round(float(df[c].isna().mean()), _ROUND) for c in cols}, "groups": {}}
    for g in (0, 1):
        rows = sentinel == g
        pats, inverse, counts = np.unique(all_bits[rows], axis=0, return_inverse=True, return_counts=True)
        frequent = np.flatnonzero(counts >= MIN_PATTERN_COUNT)
        if len(frequent) == 0:
            continue  # a group too small to describe: its rows keep every value
        dist = (pats[:, None, :] != pats[frequent][None, :, :]).sum(axis=2)
        dist = dist - counts[frequent][None, :] / (counts.sum() + 1)  # ties go to the more frequent one
        folded = dist.argmin(axis=1)[np.ravel(inverse)]
        out["groups"][str(g)] = {
            "patterns": [np.packbits(p).tobytes().hex() for p in pats[frequent]],
            "counts": {str(int(t)): [int(c) for c in np.bincount(folded[target[rows] == t], minlength=len(frequent))]
                       for t in np.unique(target[rows])},
        }
    return out


def fit_table(df: pd.DataFrame, table: str, *, orders: dict | None = None,
              sentinel_columns: list[str] | None = None, source: dict | None = None) -> dict:
    """Fit the parameters of one table (train: labelled; test: new applications).

    ``orders`` / ``sentinel_columns`` come from the train fit when fitting the test table, so both
    tables share one latent level order and one sentinel structure.
    """
    schema = application_schema().by_name()
    columns = [c for c in df.columns if c != ID_COLUMN]
    missing_schema = set(schema) - set(columns) - {ID_COLUMN, TARGET_COLUMN}
    if missing_schema:
        names = sorted(missing_schema)
        shown = ", ".join(names[:8]) + (f"… (+{len(names) - 8})" if len(names) > 8 else "")
        raise ValueError(f"{table} lacks {len(names)} schema column(s): {shown}")
    sentinel = (df["DAYS_EMPLOYED"] == DAYS_EMPLOYED_SENTINEL).to_numpy()
    orders = orders or {c: level_order(df, c) for c in columns if schema[c].dtype == "category"}
    if sentinel_columns is None:
        sentinel_columns = _sentinel_columns(df, sentinel)
    marginals, sentinel_marginals, scores, atten = {}, {}, [], []
    for c in columns:
        col = schema[c]
        mask = ~sentinel if c in sentinel_columns else np.ones(len(df), bool)
        part = df.loc[mask, c]
        if col.dtype == "category":
            marginals[c] = fit_category(part, orders[c])
            codes = part.map({lv: i for i, lv in enumerate(marginals[c]["levels"])}).astype(float)
            raw = np.full(len(df), np.nan)
            raw[mask] = codes.to_numpy()
        else:
            marginals[c] = fit_numeric(part.to_numpy(dtype=float), col.dtype == "int")
            raw = np.where(mask, df[c].to_numpy(dtype=float), np.nan)
            if marginals[c]["kind"] == "discrete":  # values without support do not inform the copula
                raw[~np.isin(raw, marginals[c]["values"])] = np.nan
        if c in sentinel_columns:
            sub = df.loc[sentinel, c]
            sentinel_marginals[c] = (fit_category(sub, orders[c]) if col.dtype == "category"
                                     else fit_numeric(sub.to_numpy(dtype=float), col.dtype == "int"))
        scores.append(_scores(raw))
        atten.append(attenuation(marginals[c]))
    corr = latent_correlation(np.column_stack(scores), np.asarray(atten))
    target = df[TARGET_COLUMN].to_numpy(dtype=int) if TARGET_COLUMN in df else np.zeros(len(df), int)
    return {
        "format": FORMAT_NAME,
        "method_version": METHOD_VERSION,
        "table": table,
        "provenance": {
            **(source or {}),
            "rows": int(len(df)),
            "fitted_on": date.today().isoformat(),
            "libraries": {p: importlib.metadata.version(p) for p in ("numpy", "pandas", "scipy")},
            "min_count": MIN_COUNT, "atom_share": ATOM_SHARE, "min_pattern_count": MIN_PATTERN_COUNT,
        },
        "columns": columns,
        "marginals": marginals,
        "sentinel_marginals": sentinel_marginals,
        "corr": [[round(float(v), 4) for v in row] for row in corr],
        "missing": fit_missing(df, target, sentinel.astype(int)),
    }


def _sentinel_columns(df: pd.DataFrame, sentinel: np.ndarray) -> list[str]:
    """Columns whose distribution flips with the sentinel (total variation >= SENTINEL_TV)."""
    out = []
    for c in df.columns:
        if c in (ID_COLUMN, TARGET_COLUMN, "DAYS_EMPLOYED") or df[c].nunique() > DISCRETE_MAX_DISTINCT:
            continue
        a = df.loc[sentinel, c].value_counts(normalize=True)
        b = df.loc[~sentinel, c].value_counts(normalize=True)
        if len(a) and len(b) and 0.5 * a.sub(b, fill_value=0).abs().sum() >= SENTINEL_TV:
            out.append(c)
    return out
