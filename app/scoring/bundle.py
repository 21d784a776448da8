"""The served model: CatBoost ensemble + calibration + threshold, loaded read-only from a model folder.

A model folder (``model/`` by default, written by ``scripts/train.py``) holds:

- ``model.cbm``: the CatBoost model (fold ensemble, see ``app.scoring.model``);
- ``model_card.json``: what produced it and how good it is (metrics, threshold, costs, features,
  parameters, baselines, fairness, calibration, data fingerprint, library versions, date);
- ``oof.parquet``: out-of-fold probabilities of the labelled portfolio (model and fairness pages);
- ``shap_sample.parquet``: SHAP values of a sample of clients (global explanations);
- ``term_model.cbm``: the loan-term estimator, when previous applications were available
  (see ``app.scoring.loan_terms``);
- ``portfolio.parquet``: the scored portfolio the dashboard serves (not committed; rebuilt).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from catboost import CatBoost, Pool

from app.scoring.features import build_features
from app.scoring.loan_terms import TERM_MODEL_FILE, TermModel
from app.scoring.metrics import CostModel, risk_grade
from app.scoring.model import Calibration

MODEL_FILE = "model.cbm"
CARD_FILE = "model_card.json"
OOF_FILE = "oof.parquet"
SHAP_SAMPLE_FILE = "shap_sample.parquet"
PORTFOLIO_FILE = "portfolio.parquet"

GRANTED, REFUSED = "granted", "refused"


class ModelNotFoundError(FileNotFoundError):
    """The model folder lacks a trained model; the message says how to produce one."""


@dataclass(frozen=True)
class ModelBundle:
    """Everything needed to score and explain one application, immutable once loaded."""

    model: CatBoost
    calibration: Calibration
    threshold: float
    costs: CostModel
    feature_names: tuple[str, ...]
    cat_features: tuple[str, ...]
    protected: tuple[str, ...]
    card: dict
    directory: Path
    term_model: TermModel | None = None

    @classmethod
    def load(cls, directory: Path | str) -> "ModelBundle":
        directory = Path(directory)
        model_path, card_path = directory / MODEL_FILE, directory / CARD_FILE
        if not model_path.exists() or not card_path.exists():
            raise ModelNotFoundError(
                f"no trained model in {directory} (expected {MODEL_FILE} and {CARD_FILE}); "
                "run `python scripts/train.py` to train the demo model"
            )
        card = json.loads(card_path.read_text(encoding="utf-8"))
        if card.get("features", {}).get("term_model") and not (directory / TERM_MODEL_FILE).exists():
            raise ModelNotFoundError(
                f"{directory} lacks {TERM_MODEL_FILE}, the loan-term estimator this model was trained with; "
                "copy it from the training folder or retrain"
            )
        model = CatBoost()
        model.load_model(str(model_path))
        cal = card["calibration"]
        return cls(
            model=model,
            calibration=Calibration(cal["slope"], cal["intercept"]),
            threshold=float(card["decision"]["threshold"]),
            costs=CostModel(**card["decision"]["costs"]),
            feature_names=tuple(card["features"]["names"]),
            cat_features=tuple(card["features"]["categorical"]),
            protected=tuple(card["features"]["protected_excluded"]),
            card=card,
            directory=directory,
            term_model=TermModel.load(directory, card),
        )

    def features(self, applications: pd.DataFrame) -> pd.DataFrame:
        """Model inputs of prepared applications, in the order the model was trained on."""
        X = build_features(applications, protected=self.protected, term_model=self.term_model)
        if tuple(X.columns) != self.feature_names:
            raise ValueError("feature function and model disagree on the inputs; retrain the model")
        return X

    def pool(self, X: pd.DataFrame) -> Pool:
        return Pool(X, cat_features=list(self.cat_features))

    def raw(self, X: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.model.predict(self.pool(X), prediction_type="RawFormulaVal"), dtype=float)

    def proba(self, X: pd.DataFrame) -> np.ndarray:
        """Calibrated probability of default of each row of model inputs ``X``."""
        return self.calibration.proba(self.raw(X))

    def decide(self, proba) -> np.ndarray:
        return np.where(np.asarray(proba) >= self.threshold, REFUSED, GRANTED)

    def grade(self, proba):
        return risk_grade(proba, self.threshold)

    def score(self, applications: pd.DataFrame) -> pd.DataFrame:
        """``SK_ID_CURR``, probability of default, decision and grade of prepared applications."""
        proba = self.proba(self.features(applications))
        return pd.DataFrame(
            {
                "SK_ID_CURR": applications["SK_ID_CURR"].to_numpy(),
                "PROBA_DEFAULT": proba,
                "DECISION": self.decide(proba),
                "GRADE": self.grade(proba),
            }
        )

