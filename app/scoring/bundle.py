"""The served model: CatBoost ensemble + calibration + threshold, loaded read-only from a model folder.

A model folder (``model/`` by default, written by ``scripts/train.py``) holds:

- ``model.cbm``: the CatBoost model (fold ensemble, see ``app.training.model``);
- ``model_card.json``: what produced it and how good it is (metrics, threshold, costs, features,
  parameters, baselines, fairness, calibration, data fingerprint, library versions, date);
- ``oof.parquet``: out-of-fold probabilities of the labelled portfolio (model and fairness pages);
- ``shap_sample.parquet``: SHAP values of a sample of clients (global explanations);
- ``term_model.cbm``: the loan-term estimator, when previous applications were available
  (see ``app.scoring.loan_terms``);
- ``portfolio.parquet``: the scored portfolio the dashboard serves (not committed; rebuilt).

The card is parsed once, at load, into a :class:`~app.scoring.model_card.ModelCard` (``ModelBundle.card``):
an entry missing, renamed or of the wrong type refuses the folder with a message naming the entry.
It records the SHA-256 of ``model.cbm`` and ``term_model.cbm`` (``checksums``), checked at every
load: a half-copied or replaced model file is refused with a message naming it instead of scoring with
whatever CatBoost makes of it. Cards written before checksums were recorded still load, with a warning.
"""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
from catboost import CatBoost, CatBoostError, Pool

from app.scoring.artefacts import ArtefactError, FormatVersionError
from app.scoring.calibration import Calibration
from app.scoring.features import build_features
from app.scoring.loan_terms import TERM_MODEL_FILE, TermModel
from app.scoring.metrics import CostModel, risk_grade
from app.scoring.model_card import ModelCard
from app.scoring.tree_shap import TreeShap

MODEL_FILE = "model.cbm"
CARD_FILE = "model_card.json"
OOF_FILE = "oof.parquet"
SHAP_SAMPLE_FILE = "shap_sample.parquet"
PORTFOLIO_FILE = "portfolio.parquet"

GRANTED, REFUSED = "granted", "refused"
#: Key of the model card mapping each model file to its SHA-256, and the files it may name.
CHECKSUMS = "checksums"
CHECKSUMMED_FILES = (MODEL_FILE, TERM_MODEL_FILE)

log = logging.getLogger(__name__)


class ModelNotFoundError(FileNotFoundError):
    """The model folder lacks a trained model; the message says how to produce one."""


class ModelFileError(ModelNotFoundError):
    """A model folder's file is present but unusable: a card that is not JSON or lacks an entry, a
    model file truncated, altered or not the one the card describes. A kind of ModelNotFoundError, so
    every caller handling a missing model (dashboard start-up, ``/healthz``, scripts) handles it too."""


def file_sha256(path: Path | str) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def model_checksums(directory: Path | str) -> dict[str, str]:
    """SHA-256 of the model files present in ``directory``, for the ``checksums`` entry of its card."""
    directory = Path(directory)
    return {name: file_sha256(directory / name) for name in CHECKSUMMED_FILES if (directory / name).exists()}


def read_card(card_path: Path) -> ModelCard:
    """The model card, parsed; a damaged file raises :class:`ModelFileError` naming it (and, for a
    missing or mistyped entry, the entry)."""
    try:
        data = json.loads(card_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelFileError(f"{card_path} is not a valid model card ({exc}); copy the model folder again "
                             "or retrain") from exc
    if not isinstance(data, dict):
        raise ModelFileError(f"{card_path} is not a valid model card (not a JSON object); copy the model "
                             "folder again or retrain")
    try:
        return ModelCard.from_dict(data)
    except FormatVersionError as exc:  # its message says what to do
        raise ModelFileError(f"{card_path}: {exc}") from exc
    except ArtefactError as exc:
        raise ModelFileError(f"{card_path} is not a valid model card: {exc}; copy the model folder again "
                             "or retrain") from exc


def verify_checksums(directory: Path, card: ModelCard) -> None:
    """Check every model file against the SHA-256 its card records (see the module docstring)."""
    recorded = card.checksums
    if recorded is None:
        log.warning("%s records no checksums of its model files (trained before they were recorded): "
                    "%s is loaded unverified; retrain to record them", directory / CARD_FILE, MODEL_FILE)
        return
    if not set(recorded) <= set(CHECKSUMMED_FILES) or MODEL_FILE not in recorded:
        raise ModelFileError(f"{directory / CARD_FILE} has a malformed {CHECKSUMS!r} entry; copy the model "
                             "folder again or retrain")
    for name, expected in recorded.items():
        path = directory / name
        if not path.exists():
            raise ModelNotFoundError(f"{directory} lacks {name}, which its model card describes; copy it from "
                                     "the training folder or retrain")
        if file_sha256(path) != expected:
            raise ModelFileError(f"{path} does not match the SHA-256 recorded in {CARD_FILE} (a truncated, "
                                 "altered or replaced file); copy the model folder again or retrain")


def _load_catboost(model, path: Path):
    """``model`` loaded from ``path``; a file CatBoost cannot read raises :class:`ModelFileError`."""
    try:
        model.load_model(str(path))
    except CatBoostError as exc:
        reason = str(exc).strip().splitlines()[-1][:200] if str(exc).strip() else type(exc).__name__
        raise ModelFileError(f"{path} cannot be read as a CatBoost model ({reason}); copy the model folder "
                             "again or retrain") from exc
    return model


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
    card: ModelCard
    directory: Path
    term_model: TermModel | None = None

    @classmethod
    def load(cls, directory: Path | str) -> ModelBundle:
        """Load a model folder; anything missing or damaged raises :class:`ModelNotFoundError` (or its
        :class:`ModelFileError`) with a one-line message naming the file, never a parser's exception."""
        directory = Path(directory)
        model_path, card_path = directory / MODEL_FILE, directory / CARD_FILE
        if not model_path.exists() or not card_path.exists():
            raise ModelNotFoundError(
                f"no trained model in {directory} (expected {MODEL_FILE} and {CARD_FILE}); "
                "run `python scripts/train.py` to train the demo model"
            )
        card = read_card(card_path)
        if card.features.term_model is not None and not (directory / TERM_MODEL_FILE).exists():
            raise ModelNotFoundError(
                f"{directory} lacks {TERM_MODEL_FILE}, the loan-term estimator this model was trained with; "
                "copy it from the training folder or retrain"
            )
        verify_checksums(directory, card)
        model = _load_catboost(CatBoost(), model_path)
        try:
            term_model = TermModel.load(directory, card.features.term_model)
        except CatBoostError as exc:  # the term model's file (the main one was read above)
            raise ModelFileError(f"{directory / TERM_MODEL_FILE} cannot be read as a CatBoost model; copy the "
                                 "model folder again or retrain") from exc
        return cls(model=model, card=card, directory=directory, term_model=term_model,
                   calibration=Calibration(card.calibration.slope, card.calibration.intercept),
                   threshold=card.decision.threshold, costs=card.decision.costs,
                   feature_names=card.features.names, cat_features=card.features.categorical,
                   protected=card.features.all_excluded)

    def features(self, applications: pd.DataFrame) -> pd.DataFrame:
        """Model inputs of prepared applications, in the order the model was trained on."""
        X = build_features(applications, protected=self.protected, term_model=self.term_model)
        if tuple(X.columns) != self.feature_names:
            raise ValueError("feature function and model disagree on the inputs; retrain the model")
        return X

    @cached_property
    def explainer(self) -> TreeShap:
        """The model's SHAP tables (``app.scoring.tree_shap``): built once, on first use (0.3 s for the
        demo model), then a client is explained in about a millisecond. A model they cannot explain
        (trees that are not oblivious, several outputs: never what ``scripts/train.py`` makes) refuses
        the folder like any unusable file, so start-up logs it and ``/healthz`` reports it."""
        try:
            return TreeShap.from_model(self.model)
        except ValueError as exc:
            raise ModelFileError(f"{self.directory / MODEL_FILE} cannot be explained: {exc}") from exc

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

