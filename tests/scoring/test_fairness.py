"""Fairness figures against a hand-computed example."""
import numpy as np
import pytest

from app.scoring.fairness import age_band, fairness_table


def test_fairness_table_hand_computed():
    # group F: 4 clients, refused: ids 0 (bad) and 1 (good) -> approval 0.5, TPR 1/1, FPR 1/3
    # group M: 4 clients, refused: id 4 (good) -> approval 0.75, TPR 0/1, FPR 1/3
    y = [1, 0, 0, 0, 0, 1, 0, 0]
    p = [0.9, 0.6, 0.1, 0.2, 0.7, 0.3, 0.1, 0.1]
    g = ["F"] * 4 + ["M"] * 4
    table = fairness_table(y, p, 0.5, g, min_group_size=1).set_index("group")  # the arithmetic, no floor
    assert table.loc["F", "approval_rate"] == pytest.approx(0.5)
    assert table.loc["M", "approval_rate"] == pytest.approx(0.75)
    assert table.loc["F", "tpr"] == pytest.approx(1.0) and table.loc["M", "tpr"] == pytest.approx(0.0)
    assert table.loc["F", "fpr"] == pytest.approx(1 / 3) and table.loc["M", "fpr"] == pytest.approx(1 / 3)
    assert table.loc["F", "default_rate"] == pytest.approx(0.25)
    assert table.loc["F", "disparate_impact"] == pytest.approx(0.5 / 0.75)
    assert not table.loc["F", "four_fifths_ok"] and table.loc["M", "four_fifths_ok"]


def test_unknown_outcomes_count_only_in_approval():
    table = fairness_table([np.nan, np.nan, 1], [0.1, 0.9, 0.9], 0.5, ["A", "A", "A"], min_group_size=1).iloc[0]
    assert table["n"] == 3 and table["n_known_outcome"] == 1
    assert table["approval_rate"] == pytest.approx(1 / 3)
    assert table["tpr"] == pytest.approx(1.0) and np.isnan(table["fpr"])


def test_small_groups_are_left_out():
    table = fairness_table([0, 1, 0], [0.1, 0.2, 0.3], 0.5, ["A", "A", "B"], min_group_size=2)
    assert list(table["group"]) == ["A"]


def test_outcome_rates_need_20_clients_of_their_own():
    # 500 clients, 3 defaulters (both refused): the TPR would say how the model treated those 3
    y = np.array([1] * 3 + [0] * 497)
    p = np.where(np.arange(500) < 3, 0.9, 0.1)
    row = fairness_table(y, p, 0.5, ["A"] * 500).iloc[0]
    assert row["n"] == 500 and row["approval_rate"] == pytest.approx(497 / 500)
    assert np.isnan(row["tpr"]) and row["fpr"] == pytest.approx(0.0) and row["default_rate"] == pytest.approx(3 / 500)
    few_known = fairness_table(np.r_[y[:10], [np.nan] * 490], p, 0.5, ["A"] * 500).iloc[0]  # 10 known outcomes
    assert np.isnan(few_known["default_rate"]) and np.isnan(few_known["fpr"])
    assert list(fairness_table(y[:19], p[:19], 0.5, ["A"] * 19)["group"]) == []  # 19 clients: no row


def test_age_bands():
    assert list(age_band([18, 25, 34.9, 44, 54.99, 70, np.nan]).fillna("?")) == [
        "<25", "25-34", "25-34", "35-44", "45-54", "55+", "?"]
