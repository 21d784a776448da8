"""Realised performance: intervals, the privacy floor, and alerts that fire only when they should."""
import numpy as np
import pandas as pd
import pytest

from app.scoring.realised import (
    Reference,
    auc_interval,
    ece_noise,
    oof_reference,
    realised_performance,
    wilson_interval,
)


def _outcomes(n, period="2026-01", seed=0, bias=1.0, decision="granted"):
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.01, 0.3, n)
    y = (rng.random(n) < np.clip(p * bias, 0, 1)).astype(int)
    return pd.DataFrame({"period": period, "TARGET": y, "PROBA_DEFAULT": p, "DECISION": decision})


def test_intervals_match_textbook_values():
    lo, hi = wilson_interval(10, 100)
    assert (round(lo, 4), round(hi, 4)) == (0.0552, 0.1744)  # Wilson 95 % of 10/100
    lo, hi = auc_interval(0.8, 50, 450)
    assert lo < 0.8 < hi and hi - lo == pytest.approx(2 * 1.96 * 0.0385, abs=0.001)  # Hanley-McNeil SE, computed by hand


def test_a_calibrated_month_raises_no_alert_and_a_biased_one_does():
    reference = Reference(n=5000, default_rate=0.15, auc=0.62, ece=0.01)
    calm = realised_performance(_outcomes(2000, seed=0), reference)
    assert len(calm) == 1 and calm[0].alerts == ()
    assert calm[0].default_interval[0] <= calm[0].mean_proba <= calm[0].default_interval[1]
    biased = realised_performance(_outcomes(2000, seed=0, bias=2.0), reference)
    assert "default_rate" in biased[0].alerts and "ece" in biased[0].alerts


def test_auc_alert_when_the_out_of_fold_reference_is_above_the_interval():
    rows = _outcomes(1000, seed=2)
    rows["PROBA_DEFAULT"] = np.random.default_rng(9).permutation(rows["PROBA_DEFAULT"].to_numpy())  # no skill
    result = realised_performance(rows, Reference(n=5000, default_rate=0.15, auc=0.75, ece=0.01))[0]
    assert "auc" in result.alerts and result.auc_interval[1] < 0.75


def test_months_under_twenty_granted_loans_and_refused_loans_are_not_described():
    frame = pd.concat([_outcomes(19, "2026-01"), _outcomes(500, "2026-02", decision="refused"),
                       _outcomes(25, "2026-03")])
    assert [m.period for m in realised_performance(frame, None)] == ["2026-03"]


def test_ece_noise_shrinks_with_more_loans_and_reference_keeps_granted_clients():
    p = np.random.default_rng(0).uniform(0.01, 0.3, 4000)
    assert ece_noise(p[:100]) > ece_noise(p) > 0
    ref = oof_reference([0, 1, 0, 1], [0.1, 0.2, 0.6, 0.9], threshold=0.5)
    assert ref.n == 2 and ref.default_rate == 0.5 and ref.auc is None  # too few of each class for an AUC
