"""Baselines scored beside the model: the dummy and the logistic regression."""
import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from app.training.baselines import dummy_oof, fit_logistic, logistic_oof


def signal_frame(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"score": rng.normal(size=n), "noise": rng.normal(size=n),
                      "segment": rng.choice(["a", "b", "c"], n)})
    logit = 1.5 * X["score"] + np.where(X["segment"] == "c", 1.0, 0.0) - 2.5
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int).to_numpy()
    return X, y


def test_dummy_predicts_the_training_part_default_rate():
    y = np.array([1, 0, 0, 0, 1, 1])
    folds = np.array([0, 0, 0, 1, 1, 1])
    assert dummy_oof(y, folds).tolist() == [2 / 3] * 3 + [1 / 3] * 3


def test_logistic_learns_the_signal_out_of_fold():
    X, y = signal_frame()
    oof = logistic_oof(X, y, np.arange(len(y)) % 3, ["segment"], seed=0)
    assert 0.8 < roc_auc_score(y, oof) < 0.95


def test_out_of_fold_is_the_fold_fit_applied_to_the_held_out_fold():
    X, y = signal_frame(900)
    folds = np.arange(len(y)) % 3
    oof = logistic_oof(X, y, folds, ["segment"], seed=0)
    held_out = folds == 1
    fitted = fit_logistic(X[~held_out], y[~held_out], ["segment"], seed=0)
    np.testing.assert_allclose(oof[held_out], fitted(X[held_out]))


def test_extreme_values_are_clipped_to_the_training_range_at_prediction():
    X, y = signal_frame()
    proba = fit_logistic(X, y, ["segment"], seed=0)
    row = X.iloc[[0]].copy()
    row["score"] = X["score"].quantile(0.99)
    extreme = row.assign(score=1e9)
    assert proba(extreme)[0] == proba(row)[0]
