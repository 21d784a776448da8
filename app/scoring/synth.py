"""Synthetic Home Credit portfolio: sample applications from aggregate Gaussian-copula parameters.

The real Kaggle rows may not be redistributed, so the project ships only *aggregate* parameters
(fitted by ``scripts/fit_synth.py``, see :mod:`app.training.synth_fit`) and draws a demo portfolio
with the exact raw ``application_train`` / ``application_test`` schema from them.

Model (method version :data:`METHOD_VERSION`):

* a Gaussian copula: one latent standard normal per column (TARGET included), correlated by a
  stored correlation matrix of normal scores, corrected for the attenuation caused by ties
  (biserial / polyserial correction) and made positive definite;
* per-column marginals turned into inverse CDFs: ``discrete`` (value -> frequency), ``category``
  (ordered levels -> frequency; the order, by default rate, carries the link with TARGET) and
  ``mixed`` (atoms such as 0 or the DAYS_EMPLOYED sentinel, plus 200 inner quantiles);
* the "not employed" structure of the real data is exact, not approximate: rows carrying the
  DAYS_EMPLOYED sentinel take their own marginal for the columns that are degenerate there
  (ORGANIZATION_TYPE = 'XNA', FLAG_EMP_PHONE = 0, NAME_INCOME_TYPE = 'Pensioner');
* missingness: whole joint missingness patterns (frequent ones only) drawn per sentinel group,
  so the block structure of the building columns survives;
* the logical rules of an application (:mod:`app.scoring.synth_rules`: employment after 14, family
  size from the family status, goods price and instalments by contract type...) are enforced on
  every drawn row;
* TARGET (method version 2) is not the copula's: it is drawn from the applicant's values through the
  binned risk model with interactions of :mod:`app.scoring.synth_target`, fitted on the real rows,
  so the demo has the non-linear effects that make gradient boosting worth its keep.

Everything is vectorised with numpy; the full Home Credit size (356,255 rows) takes seconds.
"""
from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import ndtr

from app.config import SYNTH_PARAMS_DIR
from app.scoring.schema import (
    DAYS_EMPLOYED_SENTINEL,
    ID_COLUMN,
    TARGET_COLUMN,
    application_schema,
)
from app.scoring.synth_rules import enforce_rules
from app.scoring.synth_target import draw_target

METHOD_VERSION = 2
FORMAT_NAME = "home-credit-synth"
#: Synthetic ids start far above the real ones (100,001 - 456,255) so they can never collide.
FIRST_LABELLED_ID = 1_000_001
#: Rows drawn per latent block: bounds the peak memory of the correlated normals (~50 MB).
_CHUNK_ROWS = 50_000
#: Probability levels of the stored inner quantiles of a ``mixed`` marginal (no exact min/max).
#: Entropy added to the seed for the rules' repairs and the outcome draw (independent of the copula stream).
_RULES_STREAM = 0x5EED
QUANTILE_LEVELS = np.linspace(0.0025, 0.9975, 200)
TABLES = ("application_train", "application_test")


def params_path(table: str, directory: Path = SYNTH_PARAMS_DIR) -> Path:
    """Where the committed parameters of ``table`` live."""
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}; expected one of {TABLES}")
    return Path(directory) / f"{table}.json.gz"


def save_params(params: dict, path: Path) -> None:
    """Write parameters as compact gzip JSON (deterministic bytes: no timestamp in the gzip header)."""
    raw = json.dumps(params, separators=(",", ":"), allow_nan=False).encode("utf-8")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh, gzip.GzipFile(fileobj=fh, mode="wb", mtime=0) as gz:
        gz.write(raw)


def load_params(path: Path) -> dict:
    """Read and validate a parameter file; a clear error names what is wrong with it."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"synthetic parameters not found: {path}")
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            params = json.load(fh)
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path} is not a gzip JSON parameter file: {exc}") from exc
    if not isinstance(params, dict) or params.get("format") != FORMAT_NAME:
        raise ValueError(f"{path} is not a {FORMAT_NAME} parameter file")
    if params.get("method_version") != METHOD_VERSION:
        raise ValueError(
            f"{path} has method version {params.get('method_version')}, this code reads {METHOD_VERSION}"
        )
    for key in ("table", "columns", "marginals", "corr", "missing"):
        if key not in params:
            raise ValueError(f"{path} lacks the '{key}' section")
    return params


@lru_cache(maxsize=2)
def shipped_params(table: str) -> dict:
    """The committed parameters of ``table`` (read once; callers must not mutate them)."""
    return load_params(params_path(table))


# ----------------------------------------------------------------------------- marginals
def inverse_cdf_table(marginal: dict) -> tuple[np.ndarray, np.ndarray]:
    """Knots (u, x) of the generalised inverse CDF of a marginal, for ``np.interp``.

    Discrete marginals and categories become step functions (x is then the value index); a mixed
    marginal interleaves flat segments for its atoms with the linear pieces of its quantiles, so one
    interpolation maps a uniform to a value while keeping the ranks that carry the dependence.
    """
    kind = marginal["kind"]
    if kind in ("discrete", "category"):
        probs = np.asarray(marginal["probs"], dtype=float)
        cum = np.cumsum(probs / probs.sum())
        return cum, np.arange(len(cum), dtype=float)
    if kind != "mixed":
        raise ValueError(f"unknown marginal kind {kind!r}")
    atoms = np.asarray(marginal["atoms"], dtype=float)
    atom_p = np.asarray(marginal["atom_probs"], dtype=float)
    cont = float(marginal["cont_prob"])
    total = cont + atom_p.sum()
    cont, atom_p = cont / total, atom_p / total
    qx = np.concatenate(([marginal["lower"]], marginal["quantiles"], [marginal["upper"]]))
    ql = np.concatenate(([0.0], QUANTILE_LEVELS, [1.0]))

    def below(x: np.ndarray) -> np.ndarray:  # atom mass strictly below x
        return (atom_p[None, :] * (atoms[None, :] < x[:, None])).sum(axis=1)

    u_cont = cont * ql + below(qx)
    g_atoms = np.interp(atoms, qx, ql, left=0.0, right=1.0)
    u_lo = cont * g_atoms + below(atoms)
    xs = np.concatenate((qx, atoms, atoms))
    us = np.concatenate((u_cont, u_lo, u_lo + atom_p))
    order = np.lexsort((us, xs))
    us, xs = us[order], xs[order]
    us = np.maximum.accumulate(us) + np.arange(len(us)) * 1e-13  # strictly increasing for interp
    return us, xs


def _apply_marginal(marginal: dict, table: tuple[np.ndarray, np.ndarray], u: np.ndarray) -> np.ndarray:
    """Map uniforms to values (category -> level index, numeric -> value)."""
    us, xs = table
    if marginal["kind"] in ("discrete", "category"):
        idx = np.minimum(np.searchsorted(us, u, side="right"), len(us) - 1)
        if marginal["kind"] == "category":
            return idx
        return np.asarray(marginal["values"], dtype=float)[idx]
    x = np.interp(u, us, xs)
    if marginal.get("integer"):
        return np.rint(x)
    if marginal.get("decimals") is not None:
        return np.round(x, int(marginal["decimals"]))
    return x


# ----------------------------------------------------------------------------- dependence
def nearest_correlation(matrix: np.ndarray, min_eigenvalue: float = 1e-4) -> np.ndarray:
    """Clip eigenvalues and renormalise to unit diagonal: a valid correlation for Cholesky."""
    sym = (np.asarray(matrix, dtype=float) + np.asarray(matrix, dtype=float).T) / 2
    values, vectors = np.linalg.eigh(sym)
    fixed = (vectors * np.maximum(values, min_eigenvalue)) @ vectors.T
    d = np.sqrt(np.diag(fixed))
    fixed = fixed / d[:, None] / d[None, :]
    np.fill_diagonal(fixed, 1.0)
    return fixed


@dataclass(frozen=True)
class _Compiled:
    columns: list[str]
    cholesky: np.ndarray
    tables: dict
    sentinel_tables: dict


def _compile(params: dict) -> _Compiled:
    """Precompute what sampling needs (Cholesky factor, inverse-CDF knots) once per call."""
    columns = list(params["columns"])
    corr = nearest_correlation(np.asarray(params["corr"], dtype=float))
    tables = {c: inverse_cdf_table(params["marginals"][c]) for c in columns}
    sentinel_tables = {
        c: inverse_cdf_table(m) for c, m in params.get("sentinel_marginals", {}).items()
    }
    return _Compiled(columns, np.linalg.cholesky(corr), tables, sentinel_tables)


def _draw_missing(params: dict, sentinel: np.ndarray, rng: np.random.Generator) -> tuple[list, np.ndarray]:
    """Draw one joint missingness pattern per row given its sentinel group.

    The stored frequencies are per TARGET value; they are pooled here because TARGET is drawn
    afterwards, from the values and the missingness (the default model has "missing" cells).
    """
    spec = params["missing"]
    cols = list(spec["columns"])
    mask = np.zeros((len(sentinel), len(cols)), dtype=bool)
    for g, group in spec["groups"].items():
        bits = np.array(
            [np.unpackbits(np.frombuffer(bytes.fromhex(p), dtype=np.uint8))[: len(cols)]
             for p in group["patterns"]],
            dtype=bool,
        ).reshape(-1, len(cols))
        counts = np.sum([np.asarray(c, dtype=float) for c in group["counts"].values()], axis=0)
        rows = np.flatnonzero(sentinel == int(g))
        if len(rows) == 0 or counts.sum() == 0:
            continue
        mask[rows] = bits[rng.choice(len(counts), size=len(rows), p=counts / counts.sum())]
    return cols, mask


def sample_applications(params: dict, n: int, *, seed: int, first_id: int) -> pd.DataFrame:
    """Draw ``n`` synthetic applications with the exact raw schema of the fitted table.

    Deterministic given ``seed`` (and ``n``); SK_ID_CURR runs from ``first_id``. A labelled table
    (fitted on application_train) has TARGET; new applications (application_test) do not.
    Amounts are in the fitted table's unit (:func:`demo_portfolio` converts them to euros).
    """
    return sample_with_outcomes(params, n, seed=seed, first_id=first_id)[0]


def sample_with_outcomes(params: dict, n: int, *, seed: int, first_id: int,
                         target_model: dict | None = None) -> tuple[pd.DataFrame, np.ndarray | None]:
    """:func:`sample_applications` plus each row's realised outcome, drawn by ``target_model`` (default:
    the table's own; new applications have none of their own, pass the labelled table's)."""
    frame = _sample_values(params, n, seed=seed, first_id=first_id)
    streams = np.random.SeedSequence([seed, _RULES_STREAM]).spawn(2)
    frame = enforce_rules(frame, np.random.default_rng(streams[0]))
    model = target_model if target_model is not None else params.get("target_model")
    if model is None:
        return frame, None
    outcome = draw_target(frame, model, np.random.default_rng(streams[1]))
    if TARGET_COLUMN in frame:
        frame[TARGET_COLUMN] = outcome
    return frame, outcome


def _sample_values(params: dict, n: int, *, seed: int, first_id: int) -> pd.DataFrame:
    """The copula's rows, before the rules and the default model."""
    if n < 0:
        raise ValueError(f"n must be non-negative, got {n}")
    model = _compile(params)
    rng = np.random.default_rng(seed)
    d = len(model.columns)
    index = {c: j for j, c in enumerate(model.columns)}
    sentinel_col = "DAYS_EMPLOYED"
    order = [sentinel_col] + [c for c in model.columns if c != sentinel_col]
    values = {c: np.empty(n, dtype=float) for c in model.columns}
    for start in range(0, n, _CHUNK_ROWS):
        k = min(_CHUNK_ROWS, n - start)
        u = ndtr(rng.standard_normal((k, d)) @ model.cholesky.T)
        sentinel = None
        for c in order:
            m = params["marginals"][c]
            out = _apply_marginal(m, model.tables[c], u[:, index[c]])
            if c in model.sentinel_tables and sentinel is not None and sentinel.any():
                sm = params["sentinel_marginals"][c]
                out[sentinel] = _apply_marginal(sm, model.sentinel_tables[c], u[sentinel, index[c]])
            if c == sentinel_col:
                sentinel = out == DAYS_EMPLOYED_SENTINEL
            values[c][start:start + k] = out
    is_sentinel = values[sentinel_col] == DAYS_EMPLOYED_SENTINEL
    miss_cols, mask = _draw_missing(params, is_sentinel.astype(int), rng)
    missing = dict(zip(miss_cols, mask.T, strict=True))
    return _to_frame(params, values, missing, n, first_id)


def _to_frame(params: dict, values: dict, missing: dict, n: int, first_id: int) -> pd.DataFrame:
    """Assemble columns in schema order with the dtypes pandas gives the real parquet files."""
    schema = application_schema().by_name()
    labelled = TARGET_COLUMN in params["columns"]
    names = application_schema().names if labelled else application_schema().test_names()
    data = {}
    for name in names:
        if name == ID_COLUMN:
            data[name] = np.arange(first_id, first_id + n, dtype=np.int64)
            continue
        col, vals, m = schema[name], values[name], params["marginals"][name]
        miss = missing.get(name)
        if col.dtype == "category":
            level_idx = vals.astype(np.int64)
            arr = np.asarray(m["levels"], dtype=object)[level_idx]
            sentinel_marginal = params.get("sentinel_marginals", {}).get(name)
            if sentinel_marginal:  # sentinel rows hold indices into their own level list
                sent = values["DAYS_EMPLOYED"] == DAYS_EMPLOYED_SENTINEL
                arr[sent] = np.asarray(sentinel_marginal["levels"], dtype=object)[level_idx[sent]]
            if miss is not None:
                arr[miss] = np.nan
            data[name] = pd.array(arr, dtype="str")
        elif col.dtype == "int":
            if miss is not None and miss.any():
                raise ValueError(f"integer column {name} cannot hold missing values")
            data[name] = vals.astype(np.int64)
        else:
            out = vals.copy()
            if miss is not None:
                out[miss] = np.nan
            data[name] = out
    return pd.DataFrame(data, columns=names)


def demo_portfolio(
    n_labelled: int = 30_000, n_new: int = 8_000, seed: int = 42
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The shipped demo portfolio: labelled applications (with TARGET) and new applications, dated,
    amounts in euros (see :mod:`app.scoring.synth_history`)."""
    from app.scoring.synth_history import demo_history

    history = demo_history(n_labelled, n_new, seed=seed)
    return history.labelled, history.new
