"""Loan term estimation and implied interest rate (``app.scoring.loan_terms``)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from app.config import get_settings
from app.scoring.artefacts import Entries
from app.scoring.data import DataValidationError, load_home_credit, prepare_applications
from app.scoring.features import build_features, feature_names
from app.scoring.loan_terms import PREVIOUS_TABLE, TERM_FEATURES, TermModel, implied_annual_rate
from app.scoring.model_card import TermModelInfo
from tests.factories import make_applications, make_previous_applications


def test_implied_rate_of_hand_computed_loans():
    # 12,000 € over 12 months at 1 % a month: annuity = 12,000 * 0.01 / (1 - 1.01**-12) = 1,066.19 €
    rate = implied_annual_rate([12_000, 12_000, 12_000], [1_066.1855, 1_000.0, 2_000.0], [12, 12, 6])
    assert rate[0] == pytest.approx(0.12, abs=1e-6)
    assert rate[1] == 0.0  # twelve annuities of 1,000 € repay the principal and no interest
    # six annuities of 2,000 € for 12,000 €: zero interest too
    assert rate[2] == 0.0


def test_implied_rate_is_missing_for_unusable_inputs():
    rate = implied_annual_rate([0, 10_000, 10_000, np.nan, np.inf, 10_000, 10_000],
                               [100, -5, 100, 100, 100, np.inf, 100], [12, 12, np.nan, 12, 12, 12, np.inf])
    assert np.isnan(rate).all()


def test_implied_rate_beyond_the_search_range_is_missing_not_the_bound():
    # an annuity above the credit itself is no loan at all: no rate up to 100 % a month explains it
    rate = implied_annual_rate([1_000, 1_000], [1_500, 200], [12, 12])
    assert np.isnan(rate[0]) and 0 < rate[1] < 12


@pytest.fixture(scope="module")
def term_model():
    return TermModel.fit(make_previous_applications(3000, seed=1), seed=3, thread_count=2)


def test_term_model_learns_terms_back(term_model):
    assert term_model.trained_on == 3000
    assert term_model.mae_months < 2.0  # terms are 6 to 48 months apart by 6: a learnt lattice
    fresh = make_previous_applications(500, seed=2)
    months = term_model.months(fresh["AMT_CREDIT"], fresh["AMT_ANNUITY"], fresh["AMT_GOODS_PRICE"])
    assert np.mean(np.abs(months - fresh["CNT_PAYMENT"])) < 2.5
    # the rate the model is given (from the unrounded estimate) is close to the one actually charged
    true_rate = implied_annual_rate(fresh["AMT_CREDIT"], fresh["AMT_ANNUITY"], fresh["CNT_PAYMENT"])
    est_rate = term_model.features(fresh)["INTEREST_RATE_EST"].to_numpy()
    assert np.median(np.abs(est_rate - true_rate)) < 0.02


def test_features_only_with_a_term_model_and_missing_for_revolving(term_model):
    apps, _ = prepare_applications(make_applications(60, seed=4), source="t", labelled=True)
    apps.loc[apps.index[:10], "NAME_CONTRACT_TYPE"] = "Revolving loans"
    apps.loc[apps.index[10:], "NAME_CONTRACT_TYPE"] = "Cash loans"
    plain = build_features(apps)
    with_terms = build_features(apps, term_model=term_model)
    assert list(plain.columns) == feature_names() and not set(TERM_FEATURES) & set(plain.columns)
    assert list(with_terms.columns) == feature_names(loan_terms=True)
    pd.testing.assert_frame_equal(with_terms[plain.columns], plain)
    terms = with_terms[list(TERM_FEATURES)]
    assert terms.iloc[:10].isna().all().all()
    cash = terms.iloc[10:]
    assert (cash["TERM_MONTHS_EST"] >= 1).all()
    expected = implied_annual_rate(apps["AMT_CREDIT"].iloc[10:], apps["AMT_ANNUITY"].iloc[10:], cash["TERM_MONTHS_EST"])
    np.testing.assert_allclose(cash["INTEREST_RATE_EST"], expected)


def test_non_finite_previous_loans_are_left_out_of_the_fit():
    previous = make_previous_applications(1000, seed=5)
    previous.loc[previous.index[:100], "CNT_PAYMENT"] = np.inf
    previous.loc[previous.index[100:150], "AMT_CREDIT"] = -np.inf
    previous.loc[previous.index[150:200], "AMT_GOODS_PRICE"] = np.inf
    model = TermModel.fit(previous, seed=1, thread_count=2)
    assert model.trained_on == 850  # infinite goods prices are read as missing, the loan kept
    assert np.isfinite(model.months([10_000], [1_000], [np.inf])).all()


def test_bad_previous_tables_are_named():
    previous = make_previous_applications(1000)
    with pytest.raises(DataValidationError, match="previous_application: missing column.*CNT_PAYMENT"):
        TermModel.fit(previous.drop(columns="CNT_PAYMENT"))
    with pytest.raises(DataValidationError, match="only 0 fixed-term loans"):
        TermModel.fit(previous.assign(NAME_CONTRACT_TYPE="Revolving loans"))


def test_saved_and_loaded_model_predicts_the_same(term_model, tmp_path):
    term_model.save(tmp_path)
    loaded = TermModel.load(tmp_path, TermModelInfo.parse(Entries(term_model.to_dict(), "model card")))
    fresh = make_previous_applications(50, seed=9)
    args = (fresh["AMT_CREDIT"], fresh["AMT_ANNUITY"], fresh["AMT_GOODS_PRICE"])
    np.testing.assert_allclose(loaded.months(*args), term_model.months(*args))
    assert TermModel.load(tmp_path, None) is None


REAL_DIR = get_settings().home_credit_dir


@pytest.mark.skipif(not (REAL_DIR / "previous_application.parquet").exists(), reason="no real data")
def test_real_previous_applications_give_terms_within_a_month():
    data = load_home_credit(REAL_DIR, secondary=(PREVIOUS_TABLE,))
    assert set(data.secondary) == {PREVIOUS_TABLE}
    model = TermModel.fit(data.secondary[PREVIOUS_TABLE], seed=42, thread_count=2)
    assert model.trained_on > 30_000
    assert model.mae_months < 1.2  # measured 0.89 months held out
    features = model.features(data.train)
    cash = data.train["NAME_CONTRACT_TYPE"] == "Cash loans"
    rate = features.loc[cash, "INTEREST_RATE_EST"]
    assert rate.notna().mean() > 0.99 and 0.1 < rate.median() < 0.6  # plausible consumer-credit rates
