"""Offline training pipeline: prepared data in, a complete model folder out.

Called by ``scripts/train.py``; kept here (not in the script) so tests can run it end to end on a
small sample. It never runs inside the dashboard.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import tempfile
import time
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from app.config import PROTECTED_ATTRIBUTES
from app.scoring import bundle as files
from app.scoring.bundle import ModelBundle
from app.scoring.drift import MIN_DRIFT_SAMPLE
from app.scoring.explain import shap_matrix
from app.scoring.fairness import fairness_tables
from app.scoring.features import (
    ENGINEERED_FEATURES,
    FEATURE_SET_VERSION,
    build_features,
    categorical_features,
    excluded_inputs,
)
from app.scoring.loan_terms import TERM_FEATURES, TERM_MODEL_FILE, TermModel
from app.scoring.metrics import (
    classification_metrics,
    grade_bands,
    optimal_threshold,
    reference_costs,
    reliability_table,
)
from app.scoring.model_card import FORMAT_VERSION, ModelCard
from app.scoring.monitoring import write_portfolio_report
from app.scoring.portfolio import build_portfolio, write_portfolio
from app.scoring.schema import ID_COLUMN, TARGET_COLUMN
from app.training.baselines import dummy_oof, logistic_oof
from app.training.model import Log, TrainConfig, check_trainable, train_model, without_run_metadata

SHAP_SAMPLE_SIZE = 2_000
LIBRARIES = ("catboost", "scikit-learn", "pandas", "numpy", "pyarrow", "dash")


def frame_fingerprint(frame: pd.DataFrame) -> dict:
    """Rows, columns and a content hash of a table: which data produced a model, without the data."""
    digest = hashlib.sha256(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()).hexdigest()
    return {"rows": int(len(frame)), "columns": int(frame.shape[1]), "sha256": digest}


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:  # pragma: no cover - optional in some environments
            versions[name] = "not installed"
    return versions


def _records(frame: pd.DataFrame) -> list[dict]:
    return json.loads(frame.to_json(orient="records"))


def run_training(labelled: pd.DataFrame, new: pd.DataFrame | None, out_dir: Path, *, config: TrainConfig,
                 source: dict, log: Log = print, write_served_portfolio: bool = True,
                 previous: pd.DataFrame | None = None) -> ModelCard:
    """Train, evaluate, explain and write a model folder; returns the model card.

    ``labelled`` and ``new`` are *prepared* application tables (``prepare_applications``);
    ``previous`` the optional ``previous_application`` table, from which loan terms are learnt.
    ``source`` describes where they come from (recorded in the card).
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    # Built beside the target, then moved in: a run that fails midway leaves the previous model whole.
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.staging-", dir=out_dir.parent))
    try:
        card = _build_model_folder(labelled, new, staging, config=config, source=source, log=log,
                                   write_served_portfolio=write_served_portfolio, previous=previous)
        card = dataclasses.replace(card, model=dataclasses.replace(
            card.model, pipeline_seconds=round(time.perf_counter() - started, 1)))
        write_card(card, staging)
        publish(staging, out_dir, uses_term_model=card.features.term_model is not None)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log(f"model folder written to {out_dir} in {card.model.pipeline_seconds}s")
    return card


def write_card(card: ModelCard, directory: Path) -> None:
    """Write ``model_card.json`` from the typed card, so a card training writes is one the bundle reads."""
    (directory / files.CARD_FILE).write_text(json.dumps(card.to_dict(), indent=1, ensure_ascii=False),
                                             encoding="utf-8")


def publish(staging: Path, out_dir: Path, *, uses_term_model: bool) -> None:
    """Move a finished model folder's files into ``out_dir``, the model card last.

    Each move is atomic (same file system) and the app reads the card first, so the folder describes
    the old model until the new card lands. Then a loan-term estimator left by an earlier run with
    previous applications is removed when the new model does not use one (it would be stale).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    for path in sorted(staging.iterdir(), key=lambda p: p.name == files.CARD_FILE):
        os.replace(path, out_dir / path.name)
    if not uses_term_model:
        (out_dir / TERM_MODEL_FILE).unlink(missing_ok=True)


def _build_model_folder(labelled: pd.DataFrame, new: pd.DataFrame | None, out_dir: Path, *, config: TrainConfig,
                        source: dict, log: Log, write_served_portfolio: bool,
                        previous: pd.DataFrame | None) -> ModelCard:
    """Every step of :func:`run_training`, writing into the (empty, staging) folder ``out_dir``."""
    labelled = labelled.reset_index(drop=True)
    y = labelled[TARGET_COLUMN].to_numpy(dtype=np.int64)
    check_trainable(y, config.n_folds)  # before the loan-term model, not minutes later in train_model
    term_model = None
    if previous is not None:
        term_model = TermModel.fit(previous, seed=config.seed, thread_count=config.thread_count)
        log(f"loan terms learnt from {term_model.trained_on:,} previous loans "
            f"(held-out error {term_model.mae_months:.2f} months)")
    X = build_features(labelled, term_model=term_model)
    cats = categorical_features()
    log(f"features: {X.shape[1]} inputs ({len(cats)} categorical) for {len(X):,} labelled clients, "
        f"default rate {y.mean():.2%}")
    result = train_model(X, y, cats, config, log)
    oof = result.oof_proba
    choice = optimal_threshold(y, oof, config.costs)
    log(f"threshold {choice.threshold:.4f}: cost {choice.cost_per_client:.4f} per client (out of fold)")

    log("baselines on the same folds: dummy, logistic regression")
    baselines = {}
    for name, proba in (("dummy", dummy_oof(y, result.folds)),
                        ("logistic_regression", logistic_oof(X, y, result.folds, cats, config.seed))):
        base_choice = optimal_threshold(y, proba, config.costs)
        baselines[name] = classification_metrics(y, proba, base_choice.threshold, config.costs)
        log(f"  {name}: AUC {baselines[name]['roc_auc']:.4f}, cost {baselines[name]['cost_per_client']:.4f}")

    ages = X["AGE_YEARS"]
    fairness = {attribute: _records(table) for attribute, table
                in fairness_tables(y, oof, choice.threshold, labelled["CODE_GENDER"], ages).items()}

    without_run_metadata(result.model)  # a retrain then reproduces model.cbm byte for byte
    result.model.save_model(str(out_dir / files.MODEL_FILE))
    if term_model is not None:
        without_run_metadata(term_model.model)
        term_model.save(out_dir)
    checksums = files.model_checksums(out_dir)  # checked by every ModelBundle.load
    pd.DataFrame({
        ID_COLUMN: labelled[ID_COLUMN].to_numpy(), TARGET_COLUMN: y.astype("int8"),
        "PROBA_OOF": oof, "FOLD": result.folds.astype("int8"),
        "CODE_GENDER": labelled["CODE_GENDER"].astype("string").to_numpy(), "AGE_YEARS": ages.to_numpy(),
    }).to_parquet(out_dir / files.OOF_FILE, index=False)

    metrics = classification_metrics(y, oof, choice.threshold, config.costs)
    card = ModelCard.from_dict({  # checked as the bundle will check it, before anything relies on it
        "format_version": FORMAT_VERSION,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "source": source,
        "data_fingerprint": {"labelled": frame_fingerprint(labelled),
                             "new": frame_fingerprint(new) if new is not None else None,
                             "default_rate": float(y.mean())},
        "config": config.to_dict(),
        "features": {
            "version": FEATURE_SET_VERSION,
            "names": list(X.columns),
            "categorical": cats,
            "engineered": {**ENGINEERED_FEATURES, **(TERM_FEATURES if term_model else {})},
            "term_model": term_model.to_dict() if term_model else None,
            "protected_excluded": list(PROTECTED_ATTRIBUTES),
            "excluded": list(excluded_inputs()),
            "monotone": result.monotone,
        },
        "model": {"type": "CatBoostClassifier fold ensemble (catboost.sum_models)", "params": result.params,
                  "learning_rate": config.learning_rate, "trees_per_fold": result.best_iterations,
                  "search": result.search_log, "training_seconds": round(result.seconds, 1)},
        "calibration": {**result.calibration.to_dict(),
                        "reliability": _records(reliability_table(y, oof)),
                        "reliability_quantile": _records(reliability_table(y, oof, strategy="quantile"))},
        "decision": {"threshold": choice.threshold, "costs": config.costs.to_dict(),
                     "costs_per_client": reference_costs(y, oof, choice.threshold, config.costs),
                     "grades": grade_bands(choice.threshold)},
        "metrics": {"cross_validated": metrics, "evaluation": "out-of-fold predictions of "
                    f"{config.n_folds}-fold stratified cross-validation"},
        "baselines": baselines,
        "fairness": fairness,
        "versions": library_versions(),
        files.CHECKSUMS: checksums,
    })
    write_card(card, out_dir)

    served = ModelBundle.load(out_dir)
    sample = labelled.sample(n=min(SHAP_SAMPLE_SIZE, len(labelled)), random_state=config.seed)
    shap, _ = shap_matrix(served, served.features(sample))
    shap_frame = pd.DataFrame(served.calibration.slope * shap, columns=served.feature_names).astype("float32")
    shap_frame.insert(0, ID_COLUMN, sample[ID_COLUMN].to_numpy())
    shap_frame.to_parquet(out_dir / files.SHAP_SAMPLE_FILE, index=False)

    if write_served_portfolio:
        oof_frame = pd.DataFrame({ID_COLUMN: labelled[ID_COLUMN].to_numpy(), "PROBA_OOF": oof})
        write_portfolio(build_portfolio(served, labelled, new, oof=oof_frame), out_dir / files.PORTFOLIO_FILE)
        if new is not None and min(len(new), len(labelled)) >= MIN_DRIFT_SAMPLE:
            write_portfolio_report(served)
            log("drift report of the new applications written")
        elif new is not None and len(new):
            log(f"no drift report: it needs {MIN_DRIFT_SAMPLE} labelled and {MIN_DRIFT_SAMPLE} new applications, "
                f"found {len(labelled):,} and {len(new):,}")
    return card
