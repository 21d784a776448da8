"""The one feature function, used identically at training and at scoring time.

It turns a cleaned application table (see ``app.scoring.data.prepare_applications``) into the model's
input matrix. Choices, and why:

- ``DAYS_*`` counts become positive years (``AGE_YEARS``...): same information for the trees, but an
  explanation then reads "age 27 years" instead of "DAYS_BIRTH = -9,862".
- Domain ratios a credit analyst uses: credit / income, annuity / income (debt-service ratio),
  credit / annuity (the term, in instalments: a strong predictor), goods price / credit, and the part
  of the credit not covered by goods. External-score aggregates (mean, min, max, spread, product,
  number missing) because the three bureau-like scores are the strongest signals and are often missing.
- Counts summarise families of flags (documents provided, contact channels, address mismatches) so
  the explanation does not scatter over twenty near-empty flags.
- The ~50 building-description columns (``_AVG``, ``_MODE``, ``_MEDI`` versions; missing for half the
  clients) and the individual contact and address-mismatch flags (summarised by the two counts) are
  left out: on the real data they add noise, not signal (same cross-validated AUC and a lower cost
  without them), and an officer cannot explain "median floor count of the building" to a client.
  ``FLAG_MOBIL`` is constant. Protected attributes and the inputs a client must never be refused
  for (``app.config.PROTECTED_ATTRIBUTES``, ``NEVER_REFUSED_FOR``: the social-circle default counts)
  are dropped here, by configuration, so no code path can feed them to the model.
- When previous applications were available at training, the estimated term and the implied
  interest rate (``app.scoring.loan_terms``) separate what ``CREDIT_TERM`` mixes: the lender's
  pricing of the client.
- Categorical columns stay categorical (CatBoost encodes them natively); missing is its own level.
"""
from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from functools import lru_cache

import numpy as np
import pandas as pd
from pandas.api.types import is_numeric_dtype

from app.config import NEVER_REFUSED_FOR, PROTECTED_ATTRIBUTES
from app.scoring.loan_terms import TERM_FEATURES, TermModel
from app.scoring.schema import DAYS_EMPLOYED_SENTINEL, ID_COLUMN, TARGET_COLUMN, application_schema

FEATURE_SET_VERSION = 3
MISSING_CATEGORY = "MISSING"
DAYS_PER_YEAR = 365.25

#: Raw ``DAYS_*`` columns (negative day counts) and the positive-years feature replacing each.
YEARS_FROM_DAYS = {
    "DAYS_BIRTH": "AGE_YEARS",
    "DAYS_EMPLOYED": "EMPLOYED_YEARS",
    "DAYS_REGISTRATION": "REGISTRATION_YEARS",
    "DAYS_ID_PUBLISH": "ID_PUBLISH_YEARS",
    "DAYS_LAST_PHONE_CHANGE": "PHONE_CHANGE_YEARS",
}
EXT_SOURCES = ("EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3")
CONTACT_FLAGS = ("FLAG_EMP_PHONE", "FLAG_WORK_PHONE", "FLAG_CONT_MOBILE", "FLAG_PHONE", "FLAG_EMAIL")
REGION_MISMATCH_FLAGS = (
    "REG_REGION_NOT_LIVE_REGION",
    "REG_REGION_NOT_WORK_REGION",
    "LIVE_REGION_NOT_WORK_REGION",
    "REG_CITY_NOT_LIVE_CITY",
    "REG_CITY_NOT_WORK_CITY",
    "LIVE_CITY_NOT_WORK_CITY",
)



def excluded_inputs(patterns: Iterable[str] = NEVER_REFUSED_FOR) -> tuple[str, ...]:
    """The application columns matching ``patterns`` (``app.config.NEVER_REFUSED_FOR``), schema order.

    A pattern that matches no column is an error: a typo in the configuration would otherwise
    silently keep in the model the inputs it was meant to remove.
    """
    names = application_schema().names
    patterns = tuple(patterns)
    for pattern in patterns:
        if not fnmatch.filter(names, pattern):
            raise ValueError(f"exclusion pattern {pattern!r} matches no application column")
    return tuple(n for n in names if any(fnmatch.fnmatchcase(n, p) for p in patterns))


#: Every column kept out of the model's inputs: the protected attributes, then the inputs a client
#: must never be refused for. The default of every function below; a model folder records both
#: lists in its card and is scored with the ones it was trained with.
MODEL_EXCLUSIONS: tuple[str, ...] = PROTECTED_ATTRIBUTES + excluded_inputs()

#: Engineered features, with the reason each exists (shown in the model card).
ENGINEERED_FEATURES = {
    "AGE_YEARS": "age in years",
    "EMPLOYED_YEARS": "years in current employment (missing when not employed / pensioner)",
    "REGISTRATION_YEARS": "years since the registration was changed",
    "ID_PUBLISH_YEARS": "years since the identity document was changed",
    "PHONE_CHANGE_YEARS": "years since the phone was changed",
    "EMPLOYED_AGE_RATIO": "share of life spent in current employment",
    "CREDIT_INCOME_RATIO": "credit amount / monthly income",
    "ANNUITY_INCOME_RATIO": "monthly instalment / monthly income (debt-service ratio)",
    "CREDIT_TERM": "credit / monthly instalment: number of instalments",
    "GOODS_CREDIT_RATIO": "goods price / credit amount",
    "CREDIT_GOODS_GAP": "credit amount not covered by the goods price",
    "EXT_SOURCE_MEAN": "mean of the available external scores",
    "EXT_SOURCE_MIN": "lowest external score",
    "EXT_SOURCE_MAX": "highest external score",
    "EXT_SOURCE_STD": "spread of the external scores",
    "EXT_SOURCE_PROD": "product of the three external scores",
    "EXT_SOURCE_MISSING": "number of missing external scores",
    "DOCUMENT_COUNT": "number of documents provided",
    "CONTACT_COUNT": "number of contact channels given",
    "REGION_MISMATCH_COUNT": "number of address / work-place mismatches",
}


def _is_dropped_raw(name: str) -> bool:
    """Raw columns replaced by an engineered feature or carrying no usable signal."""
    if name in (ID_COLUMN, TARGET_COLUMN, "FLAG_MOBIL") or name in YEARS_FROM_DAYS:
        return True
    if name.startswith("FLAG_DOCUMENT_") or name in CONTACT_FLAGS or name in REGION_MISMATCH_FLAGS:
        return True
    return name.endswith(("_AVG", "_MODE", "_MEDI"))


def raw_inputs(protected: Iterable[str] = MODEL_EXCLUSIONS) -> list[str]:
    """Raw application columns passed through to the model unchanged (schema order)."""
    return list(_raw_inputs(frozenset(protected)))


@lru_cache(maxsize=8)
def _raw_inputs(excluded: frozenset[str]) -> tuple[str, ...]:
    return tuple(n for n in application_schema().names if not _is_dropped_raw(n) and n not in excluded)


def feature_names(protected: Iterable[str] = MODEL_EXCLUSIONS, *, loan_terms: bool = False) -> list[str]:
    """All model inputs, in the column order of :func:`build_features` (``loan_terms``: with a term model)."""
    return raw_inputs(protected) + list(ENGINEERED_FEATURES) + (list(TERM_FEATURES) if loan_terms else [])


def input_columns(protected: Iterable[str] = MODEL_EXCLUSIONS) -> list[str]:
    """Every raw application column :func:`build_features` reads (to read no more from disk)."""
    names = application_schema().names
    wanted = set(raw_inputs(protected)) | set(YEARS_FROM_DAYS) | set(EXT_SOURCES) | set(CONTACT_FLAGS) \
        | set(REGION_MISMATCH_FLAGS) | {"AMT_INCOME_TOTAL", "AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE"} \
        | {n for n in names if n.startswith("FLAG_DOCUMENT_")}
    return [n for n in names if n in wanted]


def categorical_features(protected: Iterable[str] = MODEL_EXCLUSIONS) -> list[str]:
    """The model inputs CatBoost treats as categorical."""
    cats = set(application_schema().categorical)
    return [n for n in feature_names(protected) if n in cats]


def years_from_days(days) -> np.ndarray:
    """Positive years from Home Credit's negative day counts; the "not employed" sentinel is missing.

    The one conversion used by the model and by the dashboard's filters, so both read the same age.
    """
    days = np.asarray(days, dtype="float64")
    return np.where(days == DAYS_EMPLOYED_SENTINEL, np.nan, -days / DAYS_PER_YEAR)


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Division where a zero or missing denominator gives a missing value, not infinity."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator != 0, numerator / denominator, np.nan)


def _floats(df: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """The columns as one float64 matrix (non-numeric text is coerced, unparsable values missing).

    One block conversion instead of one pandas call per column: scoring one client on screen is
    dominated by per-call overhead, scoring 356,255 clients by memory traffic; this serves both.
    """
    block = df[columns]
    text = [c for c in columns if not is_numeric_dtype(block[c].dtype)]
    if text:
        block = block.assign(**{c: pd.to_numeric(block[c], errors="coerce") for c in text})
    return block.to_numpy(dtype="float64", na_value=np.nan)


def engineered_features(df: pd.DataFrame) -> pd.DataFrame:
    """The engineered columns alone (see ``ENGINEERED_FEATURES``): also used by the client comparison,
    so the values an officer compares are exactly the ones the model saw."""
    days = _floats(df, list(YEARS_FROM_DAYS))
    out: dict[str, np.ndarray] = {years: years_from_days(days[:, i]) for i, years in enumerate(YEARS_FROM_DAYS.values())}
    out["EMPLOYED_AGE_RATIO"] = _ratio(out["EMPLOYED_YEARS"], out["AGE_YEARS"])
    income, credit, annuity, goods = _floats(df, ["AMT_INCOME_TOTAL", "AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE"]).T
    out["CREDIT_INCOME_RATIO"] = _ratio(credit, income)
    out["ANNUITY_INCOME_RATIO"] = _ratio(annuity, income)
    out["CREDIT_TERM"] = _ratio(credit, annuity)
    out["GOODS_CREDIT_RATIO"] = _ratio(goods, credit)
    out["CREDIT_GOODS_GAP"] = credit - goods
    ext = _floats(df, list(EXT_SOURCES))
    n_present = np.sum(~np.isnan(ext), axis=1)
    # Computed on the rows that have scores only (the others stay missing, the intent): numpy warns on an
    # all-missing row, and silencing it with warnings.catch_warnings is not thread-safe — a request in
    # another thread of the worker restored the filters meanwhile and the warnings leaked into the logs.
    some, several = n_present > 0, n_present > 1
    for name, reduce, rows in (("EXT_SOURCE_MEAN", np.nanmean, some), ("EXT_SOURCE_MIN", np.nanmin, some),
                               ("EXT_SOURCE_MAX", np.nanmax, some), ("EXT_SOURCE_STD", np.nanstd, several)):
        column = np.full(len(ext), np.nan)
        column[rows] = reduce(ext[rows], axis=1)
        out[name] = column
    out["EXT_SOURCE_PROD"] = np.prod(ext, axis=1)
    out["EXT_SOURCE_MISSING"] = (len(EXT_SOURCES) - n_present).astype("float64")
    docs = [c for c in df.columns if c.startswith("FLAG_DOCUMENT_")]
    doc_flags = _floats(df, docs)
    out["DOCUMENT_COUNT"] = np.where(np.isnan(doc_flags).all(axis=1), np.nan, np.nansum(doc_flags, axis=1))
    out["CONTACT_COUNT"] = np.nansum(_floats(df, list(CONTACT_FLAGS)), axis=1)
    out["REGION_MISMATCH_COUNT"] = np.nansum(_floats(df, list(REGION_MISMATCH_FLAGS)), axis=1)
    return pd.DataFrame({k: out[k] for k in ENGINEERED_FEATURES}, index=df.index)


#: Share of the model's raw inputs above which an application counts as mostly missing.
MOSTLY_MISSING_SHARE = 0.5


def mostly_missing(applications: pd.DataFrame, protected: Iterable[str] = MODEL_EXCLUSIONS) -> pd.Series:
    """Which applications the model scores on too little information for the score to mean much.

    An application is *mostly missing* when all three external scores are missing (they carry most
    of the model's signal: without them it falls back on weak inputs, and an empty file came out
    "refused" at full confidence) or when more than ``MOSTLY_MISSING_SHARE`` of the raw columns the
    model reads directly are missing. On the real Home Credit files this flags 0.05 % of the training
    applications (all scores missing; no row has over half its inputs missing), so a batch where it
    flags many rows is a batch to check before acting on its scores. Boolean Series, same index.
    """
    raw = [c for c in raw_inputs(tuple(protected)) if c in applications.columns]
    no_scores = applications[list(EXT_SOURCES)].isna().all(axis=1)
    share = applications[raw].isna().mean(axis=1) if raw else pd.Series(1.0, index=applications.index)
    return no_scores | (share > MOSTLY_MISSING_SHARE)


def build_features(applications: pd.DataFrame, protected: Iterable[str] = MODEL_EXCLUSIONS,
                   term_model: TermModel | None = None) -> pd.DataFrame:
    """Model input matrix for ``applications`` (rows kept in order, index preserved).

    With a ``term_model`` (fitted on previous applications, see ``app.scoring.loan_terms``) the
    estimated term and implied interest rate are added; the model folder says which was used.

    Raises ``KeyError`` naming the missing columns when the table lacks a column the model needs;
    callers validate files first with ``prepare_applications`` so users see a friendlier message.
    """
    protected = tuple(protected)
    raw = raw_inputs(protected)
    # Document flags are counted among those present; every other input must be there.
    needed = {c for c in input_columns(protected) if not c.startswith("FLAG_DOCUMENT_")}
    missing = sorted(needed - set(applications.columns))
    if missing:
        raise KeyError(f"applications lack the columns the model needs: {', '.join(missing)}")
    cat_names = categorical_features(protected)
    num_names = [n for n in raw if n not in set(cat_names)]
    categorical = applications[cat_names].astype("object")
    categorical = categorical.where(categorical.notna(), MISSING_CATEGORY).astype(str)
    numeric = pd.DataFrame(_floats(applications, num_names), columns=num_names, index=applications.index)
    parts = [numeric, categorical, engineered_features(applications)]
    if term_model is not None:
        parts.append(term_model.features(applications))
    features = pd.concat(parts, axis=1)
    return features[feature_names(protected, loan_terms=term_model is not None)]
