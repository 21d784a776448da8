"""Platt calibration of the served model's raw score.

It lives in the served-model layer, not with training: the bundle applies it to every score shown, and
because the map is affine in log-odds, SHAP contributions scaled by its slope still add up exactly.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Calibration:
    """Platt scaling of the raw score: ``logit(p) = slope * raw + intercept``."""

    slope: float
    intercept: float

    def logit(self, raw) -> np.ndarray:
        return self.slope * np.asarray(raw, dtype=float) + self.intercept

    def proba(self, raw) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.logit(raw)))

    @classmethod
    def fit(cls, raw, y) -> Calibration:
        from sklearn.linear_model import LogisticRegression  # training only: the web process never fits

        lr = LogisticRegression(C=1e6, max_iter=1000)
        lr.fit(np.asarray(raw, dtype=float).reshape(-1, 1), np.asarray(y))
        return cls(float(lr.coef_[0, 0]), float(lr.intercept_[0]))

    def to_dict(self) -> dict:
        return {"method": "platt", "slope": self.slope, "intercept": self.intercept}
