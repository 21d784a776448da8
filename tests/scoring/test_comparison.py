"""Comparison domain: the same feature values as the model, the client outside their own cohort,
the privacy rule on each outcome group, only current model features offered."""
import numpy as np
import pandas as pd
import pytest

from app.config import PROTECTED_ATTRIBUTES
from app.scoring.cohorts import MIN_COHORT_SIZE, add_derived_columns
from app.scoring.comparison import (
    COMPARISON_FEATURES,
    SHARES,
    bin_edges,
    cohort_scatter_view,
    compare_client,
    distribution,
    feature_values,
    similar_members,
)
from app.scoring.data import prepare_applications
from app.scoring.features import build_features, feature_names
from tests.factories import make_applications


@pytest.fixture(scope="module")
def applications():
    prepared, _ = prepare_applications(make_applications(400, seed=3), source="test", labelled=True)
    return prepared


def test_comparison_values_are_the_models_feature_values(applications):
    """Computed on the served (slim, float32) columns only, they equal what the model receives."""
    from app.scoring.served_portfolio import SERVED_COLUMNS

    model = build_features(applications)
    slim = applications[[c for c in SERVED_COLUMNS if c in applications.columns]].astype(
        {c: "float32" for c in ("AMT_INCOME_TOTAL", "AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE", "DAYS_BIRTH",
                                "DAYS_EMPLOYED", "EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3")})
    for name in COMPARISON_FEATURES:
        if name == "PROBA_DEFAULT":
            continue
        expected = model[name].to_numpy(dtype="float64") * (100.0 if name in SHARES else 1.0)
        got = feature_values(slim, name)
        np.testing.assert_allclose(got, expected, rtol=1e-6, equal_nan=True, err_msg=name)


def test_only_current_model_features_are_offered():
    """The model changes (52 features now); a comparison feature must still be a model input."""
    inputs = set(feature_names())
    assert set(COMPARISON_FEATURES) - {"PROBA_DEFAULT"} <= inputs
    assert not set(COMPARISON_FEATURES) & set(PROTECTED_ATTRIBUTES)
    with pytest.raises(KeyError):
        feature_values(pd.DataFrame({"SK_ID_CURR": [1]}), "SK_ID_CURR")


def test_similar_members_exclude_the_client(applications):
    from app.scoring.served_portfolio import SERVED_COLUMNS

    slim = applications[["SK_ID_CURR", *[c for c in SERVED_COLUMNS if c in applications.columns]]]
    frame = add_derived_columns(slim.assign(IS_LABELLED=True)).set_index("SK_ID_CURR")
    client_id = int(frame.index[5])
    members = similar_members(frame, client_id, ("age_band",))
    same_band = frame.index[frame["AGE_BAND"] == frame.loc[client_id, "AGE_BAND"]]
    assert client_id not in set(frame.index[members])
    assert set(frame.index[members]) == set(same_band) - {client_id}


def _arrays(n_repaid: int, n_difficulties: int, n_new: int = 0, seed: int = 0):
    rng = np.random.default_rng(seed)
    n = n_repaid + n_difficulties + n_new
    target = np.r_[np.zeros(n_repaid), np.ones(n_difficulties), np.full(n_new, np.nan)]
    return rng.normal(50, 10, n), target


def test_each_outcome_group_must_reach_the_minimum_to_be_split():
    values, target = _arrays(200, 40)
    everyone = distribution(values, target, bin_edges(values))
    client = 0
    # cohort: 30 other clients of whom 1 had difficulties -> shown, but not split by outcome
    members = np.r_[np.arange(1, 30), [205]]
    result = compare_client("AGE_YEARS", values, target, client, members, everyone)
    all_panel, cohort = result.panels
    assert all_panel.split and not cohort.split
    assert cohort.distribution.everyone.sum() == pytest.approx(100)
    # 30 clients over 30 bins: merged into wider bars of at least 20 (the note says so)
    assert result.notes == ("no_split_cohort", "merged") and result.n_cohort == 30
    finite = values[members]
    assert result.percentile == pytest.approx(100 * np.mean(finite < values[client]))
    # enough of both outcomes: split
    # (20 of the 40 defaulters: the 20 others tell the two panels apart, enough to draw them side by side)
    members = np.r_[np.arange(1, 25), np.arange(200, 220)]
    assert compare_client("AGE_YEARS", values, target, client, members, everyone).panels[1].split
    # too few others: the cohort is not drawn at all, no percentile
    result = compare_client("AGE_YEARS", values, target, client, np.arange(1, MIN_COHORT_SIZE), everyone)
    assert [p.group for p in result.panels] == ["all"] and result.percentile is None
    assert result.notes[0] == "too_small_cohort" and set(result.notes) <= {"too_small_cohort", "merged"}


def test_a_small_portfolio_is_not_drawn_by_outcome_either():
    values, target = _arrays(60, 5, n_new=10)
    result = compare_client("AGE_YEARS", values, target, 0, np.arange(1, 40),
                            distribution(values, target, bin_edges(values)))
    assert [p.split for p in result.panels] == [False, False]
    assert "no_split_all" in result.notes
    values[:] = np.nan
    values[:5] = 1.0
    result = compare_client("AGE_YEARS", values, target, 0, np.arange(1, 40),
                            distribution(values, target, bin_edges(values)))
    assert result.panels == () and {"too_small_all", "too_small_cohort"} <= set(result.notes)


def test_scatter_needs_enough_plottable_other_clients():
    x = np.arange(100.0)
    y = np.where(np.arange(100) < 50, np.nan, 1.0)
    risk = np.full(100, 5.0)
    view = cohort_scatter_view("AGE_YEARS", "CREDIT_TERM", x, y, risk, 60, np.r_[np.arange(40), np.arange(61, 71)])
    assert view.n_cohort == 50 and view.n_plottable == 10 and view.points is None
    view = cohort_scatter_view("AGE_YEARS", "CREDIT_TERM", x, y, risk, 60, np.r_[np.arange(50, 60), np.arange(61, 100)])
    assert view.points is not None and len(view.points) == 49 and 60.0 not in set(view.points["x"])


def _safe(counts) -> bool:
    counts = np.asarray(counts)
    return bool(np.all((counts == 0) | (counts >= MIN_COHORT_SIZE)))


def _drawn(panel) -> dict[str, np.ndarray]:
    counts = panel.distribution.counts
    return {k: counts[k] for k in (("repaid", "difficulties") if panel.split else ("everyone",))}


def test_each_bar_of_the_similar_clients_holds_zero_or_twenty_clients_of_its_outcome():
    """A bin with 1 client of 25 defaulters is a statistic about 1 client, even shown as 4 %."""
    values, target = _arrays(600, 150, seed=4)
    everyone = distribution(values, target, bin_edges(values))
    members = np.r_[np.arange(1, 80), np.arange(600, 625)]  # 79 repaid, 25 with difficulties
    result = compare_client("AGE_YEARS", values, target, 0, members, everyone)
    all_panel, cohort = result.panels
    assert cohort.split and np.array_equal(all_panel.distribution.edges, cohort.distribution.edges)
    for panel in (all_panel, cohort):
        for key, counts in _drawn(panel).items():
            assert _safe(counts), (panel.group, key, counts.tolist())
            shares = getattr(panel.distribution, key)
            assert shares.sum() == pytest.approx(100)  # merged, not dropped
    # side by side, every bar of all clients differs from the cohort's by 0 or at least 20
    for key in ("repaid", "difficulties"):
        assert _safe(all_panel.distribution.counts[key] - cohort.distribution.counts[key])
    assert len(cohort.distribution.edges) < len(everyone.edges)  # the 25 defaulters need wider bars
    assert "merged" in result.notes


def test_similar_clients_almost_all_clients_are_not_drawn_next_to_them():
    """When the similar clients are all clients but 3 defaulters, the two panels side by side would
    describe those 3: only the portfolio is drawn."""
    values, target = _arrays(200, 43, seed=5)
    everyone = distribution(values, target, bin_edges(values))
    members = np.r_[np.arange(1, 200), np.arange(200, 240)]  # all but the client and 3 defaulters
    result = compare_client("AGE_YEARS", values, target, 0, members, everyone)
    assert [p.group for p in result.panels] == ["all"] and "cohort_close" in result.notes
    assert result.percentile is not None  # a figure over 239 similar clients, still given
