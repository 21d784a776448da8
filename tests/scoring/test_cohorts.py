"""Cohort filters, URL round trip and group KPIs against hand-computed values."""
import numpy as np
import pandas as pd
import pytest

from app.scoring.cohorts import (
    MIN_COHORT_SIZE,
    CohortFilter,
    add_derived_columns,
    kpis,
    large_enough,
    similar_clients_filter,
    without,
)
from app.scoring.metrics import CostModel


@pytest.fixture
def frame():
    return add_derived_columns(pd.DataFrame({
        "DAYS_BIRTH": [-20 * 365.25, -30 * 365.25, -40 * 365.25, -60 * 365.25, -30.5 * 365.25],
        "DAYS_EMPLOYED": [-365.25, np.nan, -3652.5, np.nan, -730.5],
        "CODE_GENDER": ["F", "M", "F", "M", "F"],
        "NAME_INCOME_TYPE": ["Working", "Working", "Pensioner", "Pensioner", "Working"],
        "NAME_EDUCATION_TYPE": ["Higher education"] * 5,
        "NAME_FAMILY_STATUS": ["Married"] * 5,
        "NAME_CONTRACT_TYPE": ["Cash loans"] * 4 + ["Revolving loans"],
        "NAME_HOUSING_TYPE": ["House / apartment"] * 5,
        "REGION_RATING_CLIENT": [1, 2, 2, 3, 2],
        "GRADE": ["A", "C", "D", "E", "B"],
        "DECISION": ["granted", "granted", "refused", "refused", "granted"],
        "AMT_INCOME_TOTAL": [100_000.0, 200_000.0, 50_000.0, 80_000.0, 150_000.0],
        "AMT_CREDIT": [300_000.0, 500_000.0, 200_000.0, 100_000.0, 250_000.0],
        "PROBA_DEFAULT": [0.02, 0.08, 0.15, 0.40, 0.05],
        "PROBA_OOF": [0.03, 0.12, 0.20, np.nan, np.nan],
        "TARGET": [0.0, 1.0, 0.0, np.nan, np.nan],
        "IS_LABELLED": [True, True, True, False, False],
    }))


def test_derived_columns(frame):
    assert frame["AGE_YEARS"].round(3).tolist() == [20, 30, 40, 60, 30.5]
    assert frame["AGE_BAND"].astype(str).tolist() == ["<25", "25-34", "35-44", "55+", "25-34"]
    assert frame["EMPLOYED_YEARS"].iloc[2] == pytest.approx(10)


def test_masks_combine(frame):
    assert CohortFilter().mask(frame).all()
    assert CohortFilter(income_type=("Working",)).mask(frame).tolist() == [True, True, False, False, True]
    f = CohortFilter(income_type=("Working",), gender=("F",), credit=(260_000, None))
    assert f.mask(frame).tolist() == [True, False, False, False, False]
    assert CohortFilter(region_rating=("2",)).mask(frame).sum() == 3
    assert CohortFilter(population="new").mask(frame).tolist() == [False, False, False, True, True]
    assert CohortFilter(age_band=("25-34", "55+")).mask(frame).sum() == 3
    assert CohortFilter(income_type=("<script>alert(1)</script>",)).mask(frame).sum() == 0


def test_invalid_filters_are_refused():
    with pytest.raises(ValueError, match="population"):
        CohortFilter(population="everyone")
    with pytest.raises(ValueError, match="credit"):
        CohortFilter(credit=(10.0, 1.0))


def test_url_round_trip_and_hostile_queries():
    f = CohortFilter(age_band=("25-34",), income_type=("Working", "State servant"), credit=(1000, 2.5e5),
                     population="labelled", grade=("A", "B"))
    assert CohortFilter.from_query(f.to_query()) == f
    assert CohortFilter.from_query("?" + f.to_query()) == f
    assert CohortFilter.from_query({"grade": "A", "credit_min": "12"}) == CohortFilter(grade=("A",), credit=(12, None))
    messy = CohortFilter.from_query("credit_min=abc&credit_max=nan&population=root&grade=&unknown=1&income_min=5&income_max=1")
    assert messy == CohortFilter(income=(1, 5))
    assert CohortFilter().to_query() == "" and CohortFilter.from_query("") == CohortFilter()


def test_kpis_hand_computed(frame):
    threshold = 0.1
    k = kpis(frame, threshold, CostModel(10, 1), min_size=1)  # the arithmetic, without the privacy floor
    assert k["n"] == 5 and k["n_known_outcome"] == 3
    assert k["approval_rate"] == pytest.approx(3 / 5)
    assert k["mean_proba"] == pytest.approx(np.mean([0.02, 0.08, 0.15, 0.40, 0.05]))
    assert k["default_rate"] == pytest.approx(1 / 3)
    # honest (out-of-fold) probabilities 0.03, 0.12, 0.20 -> refused: the defaulter (TP) and a good client (FP)
    assert k["cost_per_client"] == pytest.approx((10 * 0 + 1 * 1) / 3)
    assert k["exposure"] == pytest.approx(1_350_000)
    assert k["expected_loss"] == pytest.approx(0.02 * 3e5 + 0.08 * 5e5 + 0.15 * 2e5 + 0.4 * 1e5 + 0.05 * 2.5e5)


def test_kpis_of_empty_and_unlabelled_groups(frame):
    empty = kpis(frame.iloc[0:0], 0.1)
    assert empty["n"] == 0 and empty["approval_rate"] is None and empty["default_rate"] is None
    assert empty["exposure"] == 0
    new = kpis(frame[frame["IS_LABELLED"] == False], 0.1, min_size=1)  # noqa: E712 - pandas element-wise comparison
    assert new["n"] == 2 and new["default_rate"] is None and new["cost_per_client"] is None
    assert new["approval_rate"] == pytest.approx(0.5)


def _group(n: int, n_known: int) -> pd.DataFrame:
    """``n`` clients of which the first ``n_known`` have a known outcome (all of them defaulted)."""
    known = np.arange(n) < n_known
    return pd.DataFrame({"PROBA_DEFAULT": np.full(n, 0.05), "PROBA_OOF": np.where(known, 0.05, np.nan),
                         "AMT_CREDIT": np.full(n, 1e5), "TARGET": np.where(known, 1.0, np.nan), "IS_LABELLED": known})


def test_kpis_give_no_outcome_figure_below_the_floor_of_known_outcomes():
    # issue 12: 20 clients, one known outcome -> "100 % de défaut sur 1 client" was shown
    k = kpis(_group(MIN_COHORT_SIZE, 1), 0.1)
    assert k["n"] == MIN_COHORT_SIZE and k["n_known_outcome"] == 1
    assert k["default_rate"] is None and k["cost_per_client"] is None
    assert k["approval_rate"] == pytest.approx(1.0)  # about all 20 clients: shown
    just_enough = kpis(_group(MIN_COHORT_SIZE + 5, MIN_COHORT_SIZE), 0.1)
    assert just_enough["default_rate"] == pytest.approx(1.0) and just_enough["cost_per_client"] == pytest.approx(10.0)


def test_kpis_give_no_figure_at_all_below_the_floor_of_clients():
    k = kpis(_group(MIN_COHORT_SIZE - 1, MIN_COHORT_SIZE - 1), 0.1)
    assert k["n"] == MIN_COHORT_SIZE - 1 and k["n_known_outcome"] == MIN_COHORT_SIZE - 1
    assert all(k[key] is None for key in ("approval_rate", "mean_proba", "default_rate", "cost_per_client",
                                          "exposure", "expected_loss"))


def test_similar_clients(frame):
    client = frame.iloc[1]
    f = similar_clients_filter(client)
    assert f.age_band == ("25-34",) and f.income_type == ("Working",) and f.contract_type == ("Cash loans",)
    assert f.mask(frame).tolist() == [False, True, False, False, False]
    assert without(f, "contract_type").mask(frame).tolist() == [False, True, False, False, True]
    with pytest.raises(ValueError):
        similar_clients_filter(client, keys=("shoe_size",))


def test_minimum_cohort_size():
    assert not large_enough(MIN_COHORT_SIZE - 1) and large_enough(MIN_COHORT_SIZE)


def test_masks_on_the_served_dtypes(frame):
    """The served store keeps text as category and numbers as float32: the filters must still match."""
    served = frame.copy()
    for col in ("CODE_GENDER", "NAME_INCOME_TYPE", "GRADE", "DECISION", "NAME_CONTRACT_TYPE"):
        served[col] = served[col].astype("category")
    served["REGION_RATING_CLIENT"] = served["REGION_RATING_CLIENT"].astype("float32")
    for f in (CohortFilter(region_rating=("2",)), CohortFilter(region_rating=("2.0", "3")),
              CohortFilter(income_type=("Pensioner",), grade=("E", "D")), CohortFilter(decision=("granted",)),
              CohortFilter(gender=("F",), contract_type=("Revolving loans",)), CohortFilter(grade=("Z",))):
        assert f.mask(served).tolist() == f.mask(frame).tolist(), f
    assert CohortFilter(region_rating=("2",)).mask(served).tolist() == [False, True, True, False, True]
    assert CohortFilter(region_rating=("two", "=1+1")).mask(served).sum() == 0
    # a similar-clients filter built from a float32 rating still finds the client itself
    rating_peer = similar_clients_filter(served.iloc[1], keys=("region_rating",))
    assert rating_peer.mask(served).sum() == 3
