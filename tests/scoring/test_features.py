"""The feature function: units, ratios, missing values, protected attributes, column order."""
import numpy as np
import pandas as pd
import pytest

from app.config import PROTECTED_ATTRIBUTES
from app.scoring.features import (
    ENGINEERED_FEATURES,
    MISSING_CATEGORY,
    build_features,
    categorical_features,
    feature_names,
)
from tests.factories import make_applications


@pytest.fixture
def apps():
    frame = make_applications(6, seed=3)
    frame.loc[0, ["DAYS_BIRTH", "DAYS_EMPLOYED"]] = [-36525, -3653]
    frame.loc[0, ["AMT_INCOME_TOTAL", "AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE"]] = [100_000, 300_000, 15_000, 270_000]
    frame.loc[0, ["EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3"]] = [0.2, 0.4, np.nan]
    frame.loc[1, "DAYS_EMPLOYED"] = 365243
    frame.loc[1, "AMT_INCOME_TOTAL"] = 0
    frame.loc[1, ["EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3"]] = [np.nan, np.nan, np.nan]
    frame.loc[2, "NAME_INCOME_TYPE"] = None
    return frame


def test_hand_computed_features(apps):
    X = build_features(apps)
    row = X.iloc[0]
    assert row["AGE_YEARS"] == pytest.approx(100.0)
    assert row["EMPLOYED_YEARS"] == pytest.approx(3653 / 365.25)
    assert row["EMPLOYED_AGE_RATIO"] == pytest.approx(3653 / 36525)
    assert row["CREDIT_INCOME_RATIO"] == pytest.approx(3.0)
    assert row["ANNUITY_INCOME_RATIO"] == pytest.approx(0.15)
    assert row["CREDIT_TERM"] == pytest.approx(20.0)
    assert row["GOODS_CREDIT_RATIO"] == pytest.approx(0.9)
    assert row["CREDIT_GOODS_GAP"] == pytest.approx(30_000)
    assert row["EXT_SOURCE_MEAN"] == pytest.approx(0.3)
    assert row["EXT_SOURCE_MIN"] == pytest.approx(0.2) and row["EXT_SOURCE_MAX"] == pytest.approx(0.4)
    assert row["EXT_SOURCE_STD"] == pytest.approx(0.1)
    assert np.isnan(row["EXT_SOURCE_PROD"])
    assert row["EXT_SOURCE_MISSING"] == 1


def test_sentinel_zero_income_and_missing_scores(apps):
    row = build_features(apps).iloc[1]
    assert np.isnan(row["EMPLOYED_YEARS"]) and np.isnan(row["EMPLOYED_AGE_RATIO"])
    assert np.isnan(row["CREDIT_INCOME_RATIO"]) and np.isnan(row["ANNUITY_INCOME_RATIO"])  # not infinity
    assert np.isnan(row["EXT_SOURCE_MEAN"]) and row["EXT_SOURCE_MISSING"] == 3
    assert np.isfinite(build_features(apps).select_dtypes("number").fillna(0).to_numpy()).all()


def test_missing_category_is_its_own_level(apps):
    X = build_features(apps)
    assert X.loc[2, "NAME_INCOME_TYPE"] == MISSING_CATEGORY
    for c in categorical_features():
        assert X[c].map(type).eq(str).all()


def test_protected_attributes_are_never_inputs(apps):
    names = feature_names()
    assert not set(PROTECTED_ATTRIBUTES) & set(names)
    assert not set(PROTECTED_ATTRIBUTES) & set(build_features(apps).columns)
    assert "CODE_GENDER" in feature_names(protected=())  # excluded by configuration, not by accident


def test_order_index_and_determinism(apps):
    shuffled = apps.sample(frac=1, random_state=0)
    X1, X2 = build_features(apps), build_features(shuffled)
    assert list(X1.columns) == feature_names()
    assert set(ENGINEERED_FEATURES) <= set(X1.columns)
    pd.testing.assert_frame_equal(X1.loc[shuffled.index], X2)


def test_missing_column_is_named(apps):
    with pytest.raises(KeyError, match="AMT_ANNUITY"):
        build_features(apps.drop(columns=["AMT_ANNUITY"]))
    with pytest.raises(KeyError, match="FLAG_PHONE"):  # read for the contact count: named too, not a raw pandas error
        build_features(apps.drop(columns=["FLAG_PHONE"]))


def test_works_on_new_applications_without_target():
    X = build_features(make_applications(5, labelled=False))
    assert "TARGET" not in X.columns and len(X) == 5


def test_applications_without_scores_or_with_most_inputs_empty_are_mostly_missing():
    from app.scoring.data import prepare_applications
    from app.scoring.features import MOSTLY_MISSING_SHARE, mostly_missing, raw_inputs

    apps, _ = prepare_applications(make_applications(6, seed=4, labelled=False), source="t", labelled=False)
    for column in raw_inputs():  # a complete file, then holes made on purpose
        apps[column] = apps[column].fillna(0.5 if apps[column].dtype == "float64" else "A")
    apps.loc[1, ["EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3"]] = np.nan  # every external score missing
    apps.loc[2, ["EXT_SOURCE_1", "EXT_SOURCE_2"]] = np.nan  # one score left: informative enough
    inputs = [c for c in raw_inputs() if not c.startswith("EXT_SOURCE")]
    over = int(MOSTLY_MISSING_SHARE * len(raw_inputs())) + 1
    apps.loc[3, inputs[:over]] = np.nan  # more than half of the raw inputs missing, scores present
    apps.loc[4, inputs[:over - 1]] = np.nan  # exactly at the limit: not flagged
    assert mostly_missing(apps).tolist() == [False, True, False, True, False, False]


def test_rows_without_external_scores_raise_no_warning_and_touch_no_warning_filter(apps, monkeypatch):
    """numpy warns on an all-missing row; the features used to silence it with warnings.catch_warnings,
    which is not thread-safe: another request's thread restored the filters meanwhile and the warnings
    leaked (seen in a browser test's server threads). Now nothing is silenced, so nothing can leak."""
    import contextlib
    import types
    import warnings

    from app.scoring import features

    calls: list[str] = []
    spy = types.SimpleNamespace(catch_warnings=lambda *a, **k: calls.append("catch_warnings") or contextlib.nullcontext(),
                                simplefilter=lambda *a, **k: calls.append("simplefilter"))
    monkeypatch.setattr(features, "warnings", spy, raising=False)  # what the module would silence with
    frame = apps.copy()
    frame.loc[frame.index[:3], ["EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3"]] = np.nan
    frame.loc[frame.index[3:6], ["EXT_SOURCE_2", "EXT_SOURCE_3"]] = np.nan
    frame.loc[frame.index[3:6], "EXT_SOURCE_1"] = 0.4  # one score: a mean, no spread
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning numpy gives on an all-missing row fails the test
        out = features.engineered_features(frame)
    assert calls == []
    assert out.loc[frame.index[:3], ["EXT_SOURCE_MEAN", "EXT_SOURCE_MIN", "EXT_SOURCE_MAX", "EXT_SOURCE_STD"]].isna().all().all()
    assert out.loc[frame.index[3:6], "EXT_SOURCE_MEAN"].notna().all() and out.loc[frame.index[3:6], "EXT_SOURCE_STD"].isna().all()
