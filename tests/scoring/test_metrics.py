"""Business cost, threshold, calibration and grades against hand-computed cases."""
import numpy as np
import pytest

from app.scoring.metrics import (
    CostModel,
    business_cost,
    confusion_at,
    cost_curve,
    expected_calibration_error,
    grade_bands,
    optimal_threshold,
    reference_costs,
    reliability_table,
    risk_grade,
    shown_reliability,
)

Y = np.array([0, 0, 1, 1])
P = np.array([0.1, 0.4, 0.35, 0.8])


def test_confusion_and_cost_at_half():
    c = confusion_at(Y, P, 0.5)
    assert (c.tn, c.fp, c.fn, c.tp) == (2, 0, 1, 1)
    assert business_cost(Y, P, 0.5) == pytest.approx((10 * 1 + 0) / 4)


def test_optimal_threshold_hand_computed():
    # refuse >= 0.35 gives FP = 1 (the 0.4), FN = 0: cost 1/4; every other cut costs more
    choice = optimal_threshold(Y, P)
    assert choice.threshold == pytest.approx((0.1 + 0.35) / 2)
    assert choice.cost_per_client == pytest.approx(0.25)
    assert (choice.confusion.fp, choice.confusion.fn) == (1, 0)


def test_optimal_threshold_depends_on_costs():
    # when a refused good client costs as much as a missed defaulter, refusing only the 0.8 is best
    choice = optimal_threshold(Y, P, CostModel(cost_fn=1, cost_fp=1))
    assert choice.cost_per_client == pytest.approx(0.25)
    assert business_cost(Y, P, choice.threshold, CostModel(1, 1)) == pytest.approx(0.25)


def test_refusing_no_one_can_be_optimal():
    choice = optimal_threshold(np.array([0, 0, 0]), np.array([0.2, 0.5, 0.9]))
    assert choice.cost_per_client == 0
    assert choice.threshold > 0.9


def test_reference_costs():
    ref = reference_costs(Y, P, 0.225)
    assert ref["accept_all"] == pytest.approx(10 * 0.5)
    assert ref["refuse_all"] == pytest.approx(0.5)
    assert ref["at_0_5"] == pytest.approx(2.5)
    assert ref["at_threshold"] == pytest.approx(0.25)


def test_cost_curve_matches_confusion_everywhere():
    rng = np.random.default_rng(1)
    y = (rng.random(500) < 0.1).astype(int)
    p = rng.random(500)
    curve = cost_curve(y, p, thresholds=[0.0, 0.13, 0.5, 0.77, 1.0])
    for _, row in curve.iterrows():
        c = confusion_at(y, p, row.threshold)
        assert (row.tn, row.fp, row.fn, row.tp) == (c.tn, c.fp, c.fn, c.tp)
        assert row.approval_rate == pytest.approx((c.tn + c.fn) / 500)


def test_optimal_threshold_is_the_curve_minimum():
    rng = np.random.default_rng(2)
    y = (rng.random(2000) < 0.08).astype(int)
    p = np.clip(0.08 + 0.2 * (y - 0.08) + rng.normal(0, 0.1, 2000), 0, 1)
    best = optimal_threshold(y, p)
    grid = cost_curve(y, p, thresholds=np.linspace(0, 1, 1001))
    assert best.cost_per_client <= grid["cost_per_client"].min() + 1e-12


def test_bad_inputs_are_rejected():
    with pytest.raises(ValueError, match="length"):
        business_cost([0, 1], [0.5], 0.5)
    with pytest.raises(ValueError, match="0 or 1"):
        business_cost([0, 2], [0.5, 0.5], 0.5)
    with pytest.raises(ValueError, match="positive"):
        CostModel(cost_fn=0)


def test_expected_calibration_error():
    y = np.array([1] * 10 + [0] * 90)
    assert expected_calibration_error(y, np.full(100, 0.5)) == pytest.approx(0.4)
    assert expected_calibration_error(y, np.full(100, 0.1)) == pytest.approx(0.0)


def test_calibration_bins_under_the_floor_show_no_rate():
    # 200 clients around 5 %, 30 around 45 %, 4 around 95 % (a bin of 4 clients: their defaults would show)
    p = np.r_[np.full(200, 0.05), np.full(30, 0.45), np.full(4, 0.95)]
    y = np.r_[np.zeros(190), np.ones(10), np.zeros(15), np.ones(15), np.ones(4)].astype(int)
    bins = reliability_table(y, p).to_dict("records")
    shown = shown_reliability(bins)
    assert [b["count"] for b in shown] == [200, 30, 4]  # sizes stay
    assert [b["observed"] is None for b in shown] == [False, True, True]  # 4 alone = total minus the others
    assert shown[0]["observed"] == pytest.approx(0.05) and shown[2]["predicted"] is None
    assert bins[2]["observed"] == 1.0  # the card's own table is left as it was


def test_grades_follow_the_threshold():
    assert list(risk_grade([0.03, 0.05, 0.09, 0.1, 0.15, 0.5], 0.1)) == ["A", "B", "C", "D", "D", "E"]
    assert risk_grade(0.03, 0.1) == "A"
    bands = grade_bands(0.1)
    assert [b["decision"] for b in bands] == ["granted"] * 3 + ["refused"] * 2
    assert bands[2]["max_proba"] == pytest.approx(0.1) and bands[3]["min_proba"] == pytest.approx(0.1)


def test_grade_bands_stay_within_probabilities_for_a_high_threshold():
    bands = grade_bands(0.6)
    assert all(0 <= b["min_proba"] <= b["max_proba"] <= 1 for b in bands)
    assert bands[-1]["min_proba"] == 1.0 and bands[3]["min_proba"] == pytest.approx(0.6)
    assert risk_grade(0.99, 0.6) == "D" and risk_grade(1.0, 0.6) == "D"  # E (>= 120 %) is empty
