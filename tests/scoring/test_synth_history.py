"""The demo's history: dated applications, monthly batches with a gradual drift, known outcomes, euros."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from app.scoring import synth_history as hist
from app.scoring.schema import DATE_COLUMN, ID_COLUMN, TARGET_COLUMN
from app.scoring.synth_target import log_odds


@pytest.fixture(scope="module")
def history() -> hist.DemoHistory:
    return hist.demo_history(12_000, 12_000, seed=5)


def test_labelled_portfolio_precedes_the_new_applications(history):
    first_new = hist.first_new_month().to_timestamp()
    assert history.labelled[DATE_COLUMN].max() < first_new <= history.new[DATE_COLUMN].min()
    months = history.labelled[DATE_COLUMN].dt.to_period("M")
    assert months.nunique() == hist.LABELLED_MONTHS


def test_new_applications_come_in_twelve_monthly_batches(history):
    counts = history.new[DATE_COLUMN].dt.to_period("M").value_counts().sort_index()
    assert len(counts) == hist.NEW_MONTHS >= 12
    assert counts.index[-1] == hist.DEMO_LAST_MONTH
    assert (counts == 1_000).all()


def test_ids_grow_with_the_date(history):
    for df in (history.labelled, history.new):
        assert df[ID_COLUMN].is_monotonic_increasing and df[ID_COLUMN].is_unique
        assert df[DATE_COLUMN].is_monotonic_increasing
    assert history.new[ID_COLUMN].min() == history.labelled[ID_COLUMN].max() + 1


def test_drift_is_gradual(history):
    """The share of revolving loans falls month after month, from the labelled level to the real test's."""
    month = history.new[DATE_COLUMN].dt.to_period("M")
    share = (history.new["NAME_CONTRACT_TYPE"] == "Revolving loans").groupby(month).mean()
    rho = spearmanr(np.arange(len(share)), share.to_numpy())[0]
    assert rho < -0.8
    assert share.iloc[:3].mean() > 2 * share.iloc[-3:].mean()


def test_known_outcomes_are_those_of_the_older_months(history):
    outcomes = history.outcomes
    cutoff = (hist.DEMO_LAST_MONTH - hist.OUTCOME_DELAY_MONTHS).to_timestamp(how="end")
    old = history.new[DATE_COLUMN] <= cutoff
    assert list(outcomes.columns) == [ID_COLUMN, DATE_COLUMN, TARGET_COLUMN]
    assert set(outcomes[ID_COLUMN]) == set(history.new.loc[old, ID_COLUMN])
    assert outcomes[DATE_COLUMN].dt.to_period("M").nunique() == hist.NEW_MONTHS - hist.OUTCOME_DELAY_MONTHS
    assert 0.04 < outcomes[TARGET_COLUMN].mean() < 0.14
    assert TARGET_COLUMN not in history.new  # new applications carry no outcome themselves


def test_outcomes_follow_the_risk_of_the_applicants(history):
    """Known outcomes come from the same default model: the riskier half defaults more often."""
    from app.scoring.synth import shipped_params

    model = shipped_params("application_train")["target_model"]
    new = history.new.set_index(ID_COLUMN).loc[history.outcomes[ID_COLUMN]].reset_index()
    # the default model reads amounts in the fitted unit: its ratios do not care, its income cells do
    raw = new.assign(AMT_INCOME_TOTAL=new["AMT_INCOME_TOTAL"] / hist.EUR_PER_SOURCE_UNIT,
                     AMT_CREDIT=new["AMT_CREDIT"] / hist.EUR_PER_SOURCE_UNIT)
    risk = log_odds(raw, model)
    y = history.outcomes[TARGET_COLUMN].to_numpy()
    high = risk > np.median(risk)
    assert y[high].mean() > 1.8 * y[~high].mean()


def test_amounts_are_in_believable_euros(history):
    """One factor (1/75) turns the fitted amounts into a French consumer lender's figures."""
    medians = history.labelled[list(hist.AMOUNT_COLUMNS)].median()
    assert 1_500 <= medians["AMT_INCOME_TOTAL"] <= 2_500      # monthly income
    assert 5_000 <= medians["AMT_CREDIT"] <= 9_000
    assert 250 <= medians["AMT_ANNUITY"] <= 450                # monthly instalment
    assert history.labelled["AMT_CREDIT"].max() <= 75_000     # the French consumer-credit ceiling
    assert (history.labelled["AMT_CREDIT"] == history.labelled["AMT_CREDIT"].round()).all()


def test_deterministic():
    a, b = hist.demo_history(600, 240, seed=9), hist.demo_history(600, 240, seed=9)
    pd.testing.assert_frame_equal(a.new, b.new)
    pd.testing.assert_frame_equal(a.outcomes, b.outcomes)
