"""Training-procedure rules that the end-to-end test does not isolate."""
import numpy as np
import pandas as pd
import pytest

from app.scoring.calibration import Calibration
from app.training import model as model_module
from app.training.model import SEARCH_TOLERANCE, explanation_cost, stratified_folds


def test_explanation_cost_grows_with_trees_leaves_and_depth():
    assert explanation_cost({"depth": 6}, 100) == 100 * 64 * 6
    assert explanation_cost({"depth": 7}, 700) > explanation_cost({"depth": 5}, 800)


def test_search_keeps_the_cheapest_setting_within_tolerance(monkeypatch):
    """Fake fits with chosen log-losses: the rule, not CatBoost, is under test."""
    losses = {7: 0.2430, 5: 0.2430 + SEARCH_TOLERANCE / 2, 4: 0.2430 + 2 * SEARCH_TOLERANCE}
    trees = {7: 700, 5: 800, 4: 600}

    class Fake:
        def __init__(self, depth):
            self.depth = depth

        def get_best_iteration(self):
            return trees[self.depth] - 1

    def fake_fit(X, y, X_stop, y_stop, cats, params, config, seed):
        return Fake(params["depth"])

    def fake_raw(model, X, cats):
        return np.zeros(len(X))

    calls = iter([losses[7], losses[5], losses[4]])
    monkeypatch.setattr(model_module, "_fit_stopped", fake_fit)
    monkeypatch.setattr(model_module, "raw_score", fake_raw)
    monkeypatch.setattr(model_module, "log_loss", lambda y, p: next(calls))
    config = model_module.TrainConfig(search_space=({"depth": 7}, {"depth": 5}, {"depth": 4}), search_budget_seconds=1e9)
    y = np.array([0, 1] * 10)
    params, iterations, log = model_module.search_params(np.zeros((20, 1)), y, stratified_folds(y, 2, 0), [], config,
                                                         lambda m: None)
    assert params == {"depth": 5} and iterations == 800  # depth 7 is best by noise only; depth 4 is worse
    assert [r["chosen"] for r in log] == [False, True, False]


def test_platt_calibration_recovers_a_known_map():
    rng = np.random.default_rng(0)
    raw = rng.normal(-2.5, 1.2, 50_000)
    y = (rng.random(raw.size) < 1 / (1 + np.exp(-(0.8 * raw - 0.3)))).astype(int)
    cal = Calibration.fit(raw, y)
    assert cal.slope == pytest.approx(0.8, abs=0.05) and cal.intercept == pytest.approx(-0.3, abs=0.1)
    assert cal.proba([0.0])[0] == pytest.approx(1 / (1 + np.exp(-cal.intercept)))


def test_labels_no_cross_validation_can_use_are_refused_before_any_fit():
    from app.scoring.data import DataValidationError

    X = pd.DataFrame({"x": np.zeros(120)})
    with pytest.raises(DataValidationError, match="found 120 rows, 9 with TARGET = 1"):
        model_module.train_model(X, np.r_[np.ones(9), np.zeros(111)], [], model_module.TrainConfig(n_folds=5))
    model_module.check_trainable(np.r_[np.ones(10), np.zeros(110)], 5)  # two defaults per fold: trainable
    with pytest.raises(DataValidationError, match="at least 100 rows"):
        model_module.check_trainable(np.r_[np.ones(40), np.zeros(40)], 5)
    with pytest.raises(ValueError, match="at least 2 folds"):
        model_module.TrainConfig(n_folds=1)
