"""The logical rules of an application hold on every generated client, at full Home Credit size."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from app.scoring import synth
from app.scoring.schema import DAYS_EMPLOYED_SENTINEL
from app.scoring.synth_history import demo_history
from app.scoring.synth_rules import RULES, count_violations, enforce_rules

FULL_LABELLED, FULL_NEW = 307_511, 48_744  # the real application_train + application_test sizes


@pytest.fixture(scope="module")
def full_size():
    history = demo_history(FULL_LABELLED, FULL_NEW, seed=42)
    return pd.concat([history.labelled.drop(columns="TARGET"), history.new], ignore_index=True)


@pytest.fixture(scope="module")
def unrepaired():
    """The copula's rows before the rules: what the generator produced before they were enforced."""
    return synth._sample_values(synth.shipped_params("application_train"), 20_000, seed=3, first_id=1)


def test_full_size_portfolio(full_size):
    assert len(full_size) == 356_255


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_no_generated_client_breaks_the_rule(full_size, rule):
    assert int(np.sum(rule.violations(full_size))) == 0, rule.text


@pytest.mark.parametrize("name", ["employment_after_14", "id_publish_adult", "family_status_size",
                                  "goods_price", "car_age_with_car", "region_ratings", "social_circle"])
def test_the_rules_catch_what_the_copula_alone_produces(unrepaired, name):
    """Each of these rules fails on raw copula rows, so a zero above is the repairs' doing."""
    assert count_violations(unrepaired)[name] > 0


def test_repairs_leave_valid_values_alone(unrepaired):
    fixed = enforce_rules(unrepaired, np.random.default_rng(0))
    assert count_violations(fixed) == dict.fromkeys(count_violations(fixed), 0)
    days = unrepaired["DAYS_EMPLOYED"]
    valid = (days == DAYS_EMPLOYED_SENTINEL) | (
        (days <= 0) & (days >= unrepaired["DAYS_BIRTH"] + 14 * 365.25))
    pd.testing.assert_series_equal(fixed.loc[valid, "DAYS_EMPLOYED"], days[valid].astype("int64"))
    assert 0.9 < valid.mean() < 1.0  # most draws were fine: the repair touches a few, not everyone


def _client(**values) -> pd.DataFrame:
    row = {
        "DAYS_BIRTH": -30 * 365, "DAYS_EMPLOYED": -2_000, "DAYS_ID_PUBLISH": -1_000, "DAYS_REGISTRATION": -3_000.0,
        "DAYS_LAST_PHONE_CHANGE": -500.0, "CNT_CHILDREN": 1, "CNT_FAM_MEMBERS": 3.0, "NAME_FAMILY_STATUS": "Married",
        "NAME_CONTRACT_TYPE": "Cash loans", "AMT_INCOME_TOTAL": 2_000.0, "AMT_CREDIT": 9_000.0, "AMT_ANNUITY": 450.0,
        "AMT_GOODS_PRICE": 8_000.0, "FLAG_OWN_CAR": "Y", "OWN_CAR_AGE": 6.0, "REGION_RATING_CLIENT": 2,
        "REGION_RATING_CLIENT_W_CITY": 2, "ORGANIZATION_TYPE": "Self-employed", "OCCUPATION_TYPE": "Laborers",
        "EXT_SOURCE_1": 0.5, "EXT_SOURCE_2": 0.5, "EXT_SOURCE_3": 0.5,
        **{f"{k}_{d}_CNT_SOCIAL_CIRCLE": 1.0 for k in ("OBS", "DEF") for d in (30, 60)},
    }
    from app.scoring.synth_rules import _FLAGS

    row.update({flag: 0 for flag in _FLAGS})
    row.update({"FLAG_MOBIL": 1, "FLAG_EMP_PHONE": 1})
    row.update(values)
    return pd.DataFrame([row])


def test_a_consistent_client_passes_every_rule():
    assert set(count_violations(_client()).values()) == {0}


@pytest.mark.parametrize(("name", "change"), [
    ("age", {"DAYS_BIRTH": -17 * 365}),
    ("employment_after_14", {"DAYS_EMPLOYED": -(30 - 13) * 365}),  # "32 years in the job at 28"
    ("employment_after_14", {"DAYS_EMPLOYED": 10}),
    ("unemployed_structure", {"DAYS_EMPLOYED": DAYS_EMPLOYED_SENTINEL}),
    ("id_publish_adult", {"DAYS_ID_PUBLISH": -(30 - 16) * 365}),
    ("phone_change_adult", {"DAYS_LAST_PHONE_CHANGE": -(30 - 10) * 365.0}),
    ("registration_in_life", {"DAYS_REGISTRATION": -31 * 365.0}),
    ("children_in_family", {"CNT_CHILDREN": 3, "CNT_FAM_MEMBERS": 3.0}),
    ("family_status_size", {"NAME_FAMILY_STATUS": "Single / not married"}),
    ("annuity_below_credit", {"AMT_ANNUITY": 9_500.0}),
    ("amounts_positive", {"AMT_INCOME_TOTAL": 0.0}),
    ("goods_price", {"AMT_GOODS_PRICE": 9_500.0}),
    ("goods_price", {"NAME_CONTRACT_TYPE": "Revolving loans", "AMT_ANNUITY": 450.0}),
    ("instalments", {"AMT_ANNUITY": 100.0}),
    ("car_age_with_car", {"FLAG_OWN_CAR": "N"}),
    ("region_ratings", {"REGION_RATING_CLIENT_W_CITY": 3}),
    ("flags_binary", {"FLAG_EMP_PHONE": 0, "FLAG_WORK_PHONE": 1}),
    ("social_circle", {"DEF_30_CNT_SOCIAL_CIRCLE": 2.0}),
    ("external_scores", {"EXT_SOURCE_2": 1.2}),
])
def test_each_rule_catches_its_impossible_client(name, change):
    assert count_violations(_client(**change))[name] == 1
