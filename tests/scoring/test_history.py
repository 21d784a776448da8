"""Monitoring over time (pure domain): periods, the privacy floor, the banner rule."""
import datetime as dt

import pytest

from app.scoring.history import (
    DecisionRates,
    InputDrift,
    PeriodSummary,
    application_months,
    banner,
    decision_rates,
    parse_day,
    parse_period,
    period_bounds,
    ranked_inputs,
    summarise,
)


def _summary(inputs=(), score_psi=None, score_drift=None, period="2026-03") -> PeriodSummary:
    return PeriodSummary(period=period, n_applications=500, reference_rows=1000, mean_proba=0.1, approval_rate=0.8,
                         decisions=DecisionRates(0, None, None), score_psi=score_psi, score_drift=score_drift,
                         inputs=tuple(inputs))


def _input(name, psi, score, importance, important, drifted=None):
    return InputDrift(name, psi, score, importance, None if score is None else score * importance,
                      score >= 1 if drifted is None else drifted, important)


def test_dates_and_months_are_parsed_or_refused_with_the_expected_form():
    assert parse_day("2026-03-31") == dt.date(2026, 3, 31)
    assert parse_period("2026-3") == "2026-03"
    assert period_bounds("2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_day("31/03/2026")
    with pytest.raises(ValueError, match="YYYY-MM"):
        parse_period("March")
    assert list(application_months(["2026-01-15", None, "garbage"])) == ["2026-01", None, None]


def test_the_banner_follows_the_worst_important_input_not_the_share_of_drifted_inputs():
    """The reported defect: green "no drift" while the top input had PSI 0.355 (1 of 52 inputs drifted)."""
    top = _input("EXT_SOURCE_3", 0.355, 1.775, 1.0, True)
    calm = [_input(f"X{i}", 0.01, 0.1, 0.01, False) for i in range(51)]
    result = banner(_summary([top, *calm], score_psi=0.05, score_drift=0.4))
    assert result.level == "alert" and result.cause == "EXT_SOURCE_3" and result.psi == pytest.approx(0.355)


def test_an_unimportant_input_does_not_raise_the_banner_and_a_moderate_psi_is_watched():
    minor = _input("FLAG_X", 0.9, 4.5, 0.01, False)
    assert banner(_summary([minor], score_psi=0.02, score_drift=0.2)).level == "stable"
    moderate = _input("AMT_CREDIT", 0.15, 0.75, 0.6, True)
    result = banner(_summary([moderate, minor], score_psi=0.02, score_drift=0.2))
    assert (result.level, result.cause) == ("watch", "AMT_CREDIT")
    assert banner(_summary([minor], score_psi=0.25, score_drift=1.25)).cause == "score"
    assert banner(_summary()) is None  # no drift figures: no verdict


def test_summaries_respect_the_privacy_floor_and_the_drift_minimum():
    rates = decision_rates([(str(i), i < 3, "granted") for i in range(19)])
    assert rates == DecisionRates(19, None, None)
    rates = decision_rates([(str(i), i < 5, "granted" if i % 2 else "refused") for i in range(20)])
    assert rates.override_rate == pytest.approx(0.25) and rates.granted_rate == pytest.approx(0.5)
    with pytest.raises(ValueError, match="fewer than 20"):
        summarise("2026-01", [0.1] * 19, 0.5, 1000, None, rates)
    small = summarise("2026-01", [0.1] * 15 + [0.9] * 5, 0.5, 1000, None, rates)
    assert small.approval_rate == pytest.approx(0.75) and not small.has_drift and banner(small) is None


def test_ranked_inputs_are_the_top_risks_of_the_latest_month_with_drift():
    old = _summary([_input("A", 0.3, 1.5, 1.0, True)], period="2026-01")
    new = _summary([_input(f"F{i}", 0.1, float(i), 0.5, True) for i in range(15)], period="2026-02")
    rates_only = _summary(period="2026-03")
    assert ranked_inputs([old, new, rates_only]) == [f"F{i}" for i in range(14, 4, -1)]
