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


def logistic_oof(X: pd.DataFrame, y, folds, cat_features: list[str], seed: int) -> np.ndarray:
    """Out-of-fold probabilities of the logistic-regression baseline."""
    y = np.asarray(y)
    X = X.reset_index(drop=True).copy()
    # Heavy-tailed ratios (income can be 100x the median) would dominate a linear model: clip to 1-99 %.
    numeric = [c for c in X.columns if c not in cat_features]
    oof = np.empty(len(y), dtype=float)
    for k in np.unique(folds):
        train, val = folds != k, folds == k
        lo, hi = X.loc[train, numeric].quantile(0.01), X.loc[train, numeric].quantile(0.99)
        clipped = X.copy()
        clipped[numeric] = X[numeric].clip(lo, hi, axis=1)
        model = logistic_pipeline(X, cat_features, seed).fit(clipped[train], y[train])
        oof[val] = model.predict_proba(clipped[val])[:, 1]
    return oof
