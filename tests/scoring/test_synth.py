"""Synthetic portfolio: exact raw schema, determinism, privacy and realism of the shipped parameters."""
from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from app.config import DEFAULT_HOME_CREDIT_DIR
from app.scoring import synth
from app.scoring.schema import DATE_COLUMN, DAYS_EMPLOYED_SENTINEL, TARGET_COLUMN, application_schema

HOME_CREDIT_DIR = Path(os.environ.get("HOME_CREDIT_DIR", DEFAULT_HOME_CREDIT_DIR))
REAL_TRAIN = HOME_CREDIT_DIR / "application_train.parquet"
N = 20_000


@pytest.fixture(scope="module")
def portfolio() -> tuple[pd.DataFrame, pd.DataFrame]:
    return synth.demo_portfolio(n_labelled=N, n_new=4_000, seed=7)


def _expected_dtype(kind: str) -> str:
    return {"int": "int64", "float": "float64", "category": "str"}[kind]


@pytest.mark.parametrize("which", [0, 1])
def test_exact_raw_schema(portfolio, which):
    df = portfolio[which]
    schema = application_schema()
    names = schema.names if which == 0 else schema.test_names()
    assert list(df.columns) == [*names, DATE_COLUMN]  # the demo dates its applications
    assert str(df[DATE_COLUMN].dtype) == "datetime64[ns]" and df[DATE_COLUMN].notna().all()
    by_name = schema.by_name()
    for name in names:
        col = by_name[name]
        assert str(df[name].dtype) == _expected_dtype(col.dtype), name
        if col.dtype == "category":
            assert df[name].dtype == pd.Series(["x"], dtype="str").dtype, name
            assert set(df[name].dropna().unique()) <= set(col.categories), name
    # the raw 'XNA' level exists: it is what pensioners have as ORGANIZATION_TYPE
    assert (df["ORGANIZATION_TYPE"] == "XNA").any()


def test_ids_sequential_and_disjoint(portfolio):
    labelled, new = portfolio
    assert labelled["SK_ID_CURR"].tolist() == list(range(synth.FIRST_LABELLED_ID, synth.FIRST_LABELLED_ID + N))
    assert new["SK_ID_CURR"].iloc[0] == synth.FIRST_LABELLED_ID + N
    assert new["SK_ID_CURR"].is_monotonic_increasing and new["SK_ID_CURR"].is_unique
    # real ids run from 100,001 to 456,255
    assert labelled["SK_ID_CURR"].min() > 456_255


def test_deterministic_by_seed():
    params = synth.shipped_params("application_train")
    a = synth.sample_applications(params, 2_000, seed=3, first_id=10)
    b = synth.sample_applications(params, 2_000, seed=3, first_id=10)
    c = synth.sample_applications(params, 2_000, seed=4, first_id=10)
    pd.testing.assert_frame_equal(a, b)
    assert not a.drop(columns="SK_ID_CURR").equals(c.drop(columns="SK_ID_CURR"))


def test_labelled_and_new_streams_are_independent(portfolio):
    labelled, new = portfolio
    k = len(new)
    r = np.corrcoef(labelled["EXT_SOURCE_2"].iloc[:k].fillna(0.5), new["EXT_SOURCE_2"].fillna(0.5))[0, 1]
    assert abs(r) < 0.1


def test_default_rate_and_sentinel(portfolio):
    labelled, new = portfolio
    assert 0.06 <= labelled[TARGET_COLUMN].mean() <= 0.10
    assert set(labelled[TARGET_COLUMN].unique()) == {0, 1}
    for df in portfolio:
        sentinel = df["DAYS_EMPLOYED"] == DAYS_EMPLOYED_SENTINEL
        assert 0.12 < sentinel.mean() < 0.25
        # the real structure is exact: no employer, no employer phone, no occupation
        assert (df.loc[sentinel, "ORGANIZATION_TYPE"] == "XNA").all()
        assert (df.loc[~sentinel, "ORGANIZATION_TYPE"] != "XNA").all()
        assert (df.loc[sentinel, "FLAG_EMP_PHONE"] == 0).all()
        assert df.loc[sentinel, "OCCUPATION_TYPE"].isna().all()
        assert (df.loc[~sentinel, "DAYS_EMPLOYED"] <= 0).all()


@pytest.mark.parametrize("column", ["EXT_SOURCE_1", "OCCUPATION_TYPE", "EXT_SOURCE_3", "APARTMENTS_AVG"])
def test_missing_rates_close_to_stored(portfolio, column):
    stored = synth.shipped_params("application_train")["missing"]["rates"][column]
    assert abs(portfolio[0][column].isna().mean() - stored) < 0.04


def test_new_applications_drift_towards_the_real_test_file(portfolio):
    """The last month of new applications looks like the real application_test (1 % of revolving
    loans against 9 % in the labelled portfolio); the first still looks like the labelled one."""
    labelled, new = portfolio
    train_rev = (labelled["NAME_CONTRACT_TYPE"] == "Revolving loans").mean()
    month = new[DATE_COLUMN].dt.to_period("M")
    first = (new.loc[month == month.min(), "NAME_CONTRACT_TYPE"] == "Revolving loans").mean()
    last = (new.loc[month == month.max(), "NAME_CONTRACT_TYPE"] == "Revolving loans").mean()
    assert train_rev > 0.06 and last < 0.03 and first > 0.05


def test_quick_model_separates_defaults(portfolio):
    df = portfolio[0]
    cols = ["EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3", "DAYS_BIRTH", "AMT_CREDIT", "AMT_ANNUITY"]
    x = df[cols].copy()
    x["DAYS_EMPLOYED"] = df["DAYS_EMPLOYED"].where(df["DAYS_EMPLOYED"] != DAYS_EMPLOYED_SENTINEL, 0)
    x["CREDIT_TERM"] = df["AMT_ANNUITY"] / df["AMT_CREDIT"]
    x = x.fillna(x.median())
    x = (x - x.mean()) / x.std()
    half = len(df) // 2
    model = LogisticRegression(max_iter=500).fit(x.iloc[:half], df[TARGET_COLUMN].iloc[:half])
    auc = roc_auc_score(df[TARGET_COLUMN].iloc[half:], model.predict_proba(x.iloc[half:])[:, 1])
    assert auc >= 0.70


def test_integer_and_rounded_values(portfolio):
    df = portfolio[0]
    assert (df["CNT_CHILDREN"] >= 0).all() and (df["DAYS_BIRTH"] < 0).all()
    ages = df["OWN_CAR_AGE"].dropna()
    assert (ages == ages.round()).all()
    assert (df["AMT_CREDIT"] > 0).all()


@pytest.mark.skipif(not REAL_TRAIN.exists(), reason="real Home Credit data not available")
def test_no_generated_row_equals_a_real_row():
    """Compared in the real data's own unit (the demo's euros could never match anyway)."""
    real = pd.read_parquet(REAL_TRAIN)
    fake = synth.sample_applications(synth.shipped_params("application_train"), N, seed=7, first_id=1_000_001)
    assert list(real.columns) == list(fake.columns)
    cols = [c for c in real.columns if c != "SK_ID_CURR"]
    real_hashes = set(pd.util.hash_pandas_object(real[cols], index=False))
    fake_hashes = pd.util.hash_pandas_object(fake[cols], index=False)
    assert not fake_hashes.isin(real_hashes).any()
    assert not fake["SK_ID_CURR"].isin(real["SK_ID_CURR"]).any()


@pytest.mark.skipif(not REAL_TRAIN.exists(), reason="real Home Credit data not available")
def test_stored_tails_are_not_the_real_extremes():
    real = pd.read_parquet(REAL_TRAIN)
    params = synth.shipped_params("application_train")
    mixed = {c: m for c, m in params["marginals"].items() if m["kind"] == "mixed"}
    assert len(mixed) > 20
    for c, m in mixed.items():
        values = real[c].dropna()
        # 0 is the natural bound of amounts (>= 0) and DAYS_* columns (<= 0), not a disclosed row
        assert m["lower"] == 0 or m["lower"] != values.min(), c
        assert m["upper"] == 0 or m["upper"] != values.max(), c


def _sequences(node, path="") -> list[tuple[str, int]]:
    out = []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _sequences(v, f"{path}.{k}")
    elif isinstance(node, list):
        out.append((path, len(node)))
        for i, v in enumerate(node):
            out += _sequences(v, f"{path}[{i}]")
    return out


@pytest.mark.parametrize("table", synth.TABLES)
def test_parameters_hold_aggregates_only(table):
    path = synth.params_path(table)
    assert path.stat().st_size < 1_000_000
    params = synth.load_params(path)
    # no per-row list: every stored sequence is short (quantiles: 200, correlation rows: ~121)
    longest = max(n for _, n in _sequences(params))
    assert longest <= 400
    prov = params["provenance"]
    assert prov["rows"] > 1_000 and len(prov["sha256"]) == 64
    for group in params["missing"]["groups"].values():
        totals = np.sum([c for c in group["counts"].values()], axis=0)
        assert (totals >= 20).all()  # every stored missingness pattern is shared by >= 20 rows


def test_parameters_load_without_the_shared_folder(tmp_path, monkeypatch):
    """A fresh clone has no real data: sampling must only need the committed files."""
    for table in synth.TABLES:
        shutil.copy(synth.params_path(table), tmp_path / synth.params_path(table).name)
    monkeypatch.setenv("HOME_CREDIT_DIR", str(tmp_path / "does-not-exist"))
    params = synth.load_params(synth.params_path("application_test", tmp_path))
    df = synth.sample_applications(params, 500, seed=1, first_id=5)
    assert list(df.columns) == application_schema().test_names()


def test_malformed_parameter_file_is_named(tmp_path):
    bad = tmp_path / "application_train.json.gz"
    bad.write_bytes(gzip.compress(b'{"format": "something else"}'))
    with pytest.raises(ValueError, match="application_train.json.gz"):
        synth.load_params(bad)
    with pytest.raises(FileNotFoundError):
        synth.load_params(tmp_path / "missing.json.gz")
