"""Baselines scored on the same folds as the model, so the training report compares like with like.

- *dummy*: every client gets the training default rate (what "no model" costs);
- *logistic regression*: the classic scorecard family (median imputation with missing indicators,
  standardisation, one-hot categories), the bar a gradient-boosting model must clear to justify itself.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler


def dummy_oof(y, folds) -> np.ndarray:
    """Out-of-fold prediction of the training-part default rate."""
    y = np.asarray(y)
    oof = np.empty(len(y), dtype=float)
    for k in np.unique(folds):
        oof[folds == k] = y[folds != k].mean()
    return oof


def logistic_pipeline(X: pd.DataFrame, cat_features: list[str], seed: int):
    numeric = [c for c in X.columns if c not in cat_features]
    prep = ColumnTransformer(
        [
            ("num", make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler()), numeric),
            ("cat", OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=20), cat_features),
        ]
    )
    return make_pipeline(prep, LogisticRegression(C=0.1, max_iter=2000, random_state=seed))


def fit_logistic(X: pd.DataFrame, y, cat_features: list[str], seed: int):
    """The logistic-regression baseline fitted on ``X``; returns ``proba(X_new)``.

    Heavy-tailed ratios (income can be 100x the median) would dominate a linear model, so numeric
    inputs are clipped to the 1-99 % range of the training rows, at fit and at prediction time.
    """
    numeric = [c for c in X.columns if c not in cat_features]
    lo, hi = X[numeric].quantile(0.01), X[numeric].quantile(0.99)

    def clipped(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.copy()
        frame[numeric] = frame[numeric].clip(lo, hi, axis=1)
        return frame

    model = logistic_pipeline(X, cat_features, seed).fit(clipped(X), np.asarray(y))
    return lambda X_new: model.predict_proba(clipped(X_new))[:, 1]


def logistic_oof(X: pd.DataFrame, y, folds, cat_features: list[str], seed: int) -> np.ndarray:
    """Out-of-fold probabilities of the logistic-regression baseline."""
    y = np.asarray(y)
    X = X.reset_index(drop=True)
    oof = np.empty(len(y), dtype=float)
    for k in np.unique(folds):
        train, val = folds != k, folds == k
        oof[val] = fit_logistic(X[train], y[train], cat_features, seed)(X[val])
    return oof
