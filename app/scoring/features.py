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
- Building-description columns exist in three near-identical versions (``_AVG``, ``_MODE``, ``_MEDI``);
  only ``_AVG`` is kept. ``FLAG_MOBIL`` is constant. Protected attributes are dropped here, by
  configuration (``app.config.PROTECTED_ATTRIBUTES``), so no code path can feed them to the model.
- Categorical columns stay categorical (CatBoost encodes them natively); missing is its own level.
"""
from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from app.config import PROTECTED_ATTRIBUTES
from app.scoring.schema import DAYS_EMPLOYED_SENTINEL, ID_COLUMN, TARGET_COLUMN, application_schema

FEATURE_SET_VERSION = 1
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

#: Engineered features, with the reason each exists (shown in the model card).
ENGINEERED_FEATURES = {
    "AGE_YEARS": "age in years",
    "EMPLOYED_YEARS": "years in current employment (missing when not employed / pensioner)",
    "REGISTRATION_YEARS": "years since the registration was changed",
    "ID_PUBLISH_YEARS": "years since the identity document was changed",
    "PHONE_CHANGE_YEARS": "years since the phone was changed",
    "EMPLOYED_AGE_RATIO": "share of life spent in current employment",
    "CREDIT_INCOME_RATIO": "credit amount / annual income",
    "ANNUITY_INCOME_RATIO": "annuity / annual income (debt-service ratio)",
    "CREDIT_TERM": "credit / annuity: number of instalments",
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
    if name.startswith("FLAG_DOCUMENT_"):
        return True
    categorical = application_schema().by_name()[name].dtype == "category"
    return (name.endswith("_MODE") or name.endswith("_MEDI")) and not categorical and name != "TOTALAREA_MODE"


def raw_inputs(protected: Iterable[str] = PROTECTED_ATTRIBUTES) -> list[str]:
    """Raw application columns passed through to the model unchanged (schema order)."""
    excluded = set(protected)
    return [n for n in application_schema().names if not _is_dropped_raw(n) and n not in excluded]


def feature_names(protected: Iterable[str] = PROTECTED_ATTRIBUTES) -> list[str]:
    """All model inputs, in the column order of :func:`build_features`."""
    return raw_inputs(protected) + list(ENGINEERED_FEATURES)


def categorical_features(protected: Iterable[str] = PROTECTED_ATTRIBUTES) -> list[str]:
    """The model inputs CatBoost treats as categorical."""
    cats = set(application_schema().categorical)
    return [n for n in feature_names(protected) if n in cats]


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """Division where a zero or missing denominator gives a missing value, not infinity."""
    den = denominator.where(denominator != 0)
    return numerator / den


def _engineered(df: pd.DataFrame) -> pd.DataFrame:
    num = {c: pd.to_numeric(df[c], errors="coerce").astype("float64") for c in df.columns
           if c in YEARS_FROM_DAYS or c.startswith(("AMT_", "EXT_SOURCE_", "FLAG_", "REG_", "LIVE_"))}
    employed = num["DAYS_EMPLOYED"].where(num["DAYS_EMPLOYED"] != DAYS_EMPLOYED_SENTINEL)
    out: dict[str, pd.Series] = {}
    for days, years in YEARS_FROM_DAYS.items():
        source = employed if days == "DAYS_EMPLOYED" else num[days]
        out[years] = -source / DAYS_PER_YEAR
    out["EMPLOYED_AGE_RATIO"] = _ratio(employed, num["DAYS_BIRTH"])
    income, credit = num["AMT_INCOME_TOTAL"], num["AMT_CREDIT"]
    annuity, goods = num["AMT_ANNUITY"], num["AMT_GOODS_PRICE"]
    out["CREDIT_INCOME_RATIO"] = _ratio(credit, income)
    out["ANNUITY_INCOME_RATIO"] = _ratio(annuity, income)
    out["CREDIT_TERM"] = _ratio(credit, annuity)
    out["GOODS_CREDIT_RATIO"] = _ratio(goods, credit)
    out["CREDIT_GOODS_GAP"] = credit - goods
    ext = pd.DataFrame({c: num[c] for c in EXT_SOURCES})
    n_present = ext.notna().sum(axis=1)
    out["EXT_SOURCE_MEAN"] = ext.mean(axis=1)
    out["EXT_SOURCE_MIN"] = ext.min(axis=1)
    out["EXT_SOURCE_MAX"] = ext.max(axis=1)
    out["EXT_SOURCE_STD"] = ext.std(axis=1, ddof=0).where(n_present > 1)
    out["EXT_SOURCE_PROD"] = ext.prod(axis=1, skipna=False)
    out["EXT_SOURCE_MISSING"] = (len(EXT_SOURCES) - n_present).astype("float64")
    docs = [c for c in df.columns if c.startswith("FLAG_DOCUMENT_")]
    out["DOCUMENT_COUNT"] = df[docs].apply(pd.to_numeric, errors="coerce").sum(axis=1, min_count=1).astype("float64")
    out["CONTACT_COUNT"] = sum(num[c].fillna(0) for c in CONTACT_FLAGS)
    out["REGION_MISMATCH_COUNT"] = sum(num[c].fillna(0) for c in REGION_MISMATCH_FLAGS)
    return pd.DataFrame({k: out[k].astype("float64") for k in ENGINEERED_FEATURES}, index=df.index)


def build_features(applications: pd.DataFrame, protected: Iterable[str] = PROTECTED_ATTRIBUTES) -> pd.DataFrame:
    """Model input matrix for ``applications`` (rows kept in order, index preserved).

    Raises ``KeyError`` naming the missing columns when the table lacks a column the model needs;
    callers validate files first with ``prepare_applications`` so users see a friendlier message.
    """
    protected = tuple(protected)
    raw = raw_inputs(protected)
    needed = set(raw) | set(YEARS_FROM_DAYS) | set(EXT_SOURCES) | {"AMT_INCOME_TOTAL", "AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE"}
    missing = sorted(needed - set(applications.columns))
    if missing:
        raise KeyError(f"applications lack the columns the model needs: {', '.join(missing)}")
    cats = set(categorical_features(protected))
    columns: dict[str, pd.Series] = {}
    for name in raw:
        col = applications[name]
        if name in cats:
            columns[name] = col.astype("object").where(col.notna(), MISSING_CATEGORY).astype(str)
        else:
            values = pd.to_numeric(col, errors="coerce").astype("float64")
            if name == "DAYS_EMPLOYED":  # pragma: no cover - DAYS_* are converted, kept for safety
                values = values.where(values != DAYS_EMPLOYED_SENTINEL)
            columns[name] = values
    features = pd.concat([pd.DataFrame(columns, index=applications.index), _engineered(applications)], axis=1)
    return features[feature_names(protected)]
