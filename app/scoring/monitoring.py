"""The drift report of a model folder: reference and current samples, importance, caching on disk.

The report is computed offline (``scripts/train.py`` writes one with the model, ``scripts/drift_report.py``
refreshes it, e.g. nightly) into ``<model folder>/drift_report.json``; the monitoring page only reads it,
so it opens instantly and the web worker's memory stays bounded whatever the portfolio size.
A report remembers which model it describes (the card's date and training-data hash): a retrained
model never shows a stale report.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from app.scoring.bundle import PORTFOLIO_FILE, SHAP_SAMPLE_FILE, ModelBundle
from app.scoring.drift import REPORT_FILE, drift_report, read_report, write_report
from app.scoring.drift_report import DriftReport, ModelSignature
from app.scoring.governance import mean_abs_shap

PORTFOLIO_CURRENT = "portfolio-new"


def model_signature(bundle: ModelBundle) -> ModelSignature:
    """What identifies the model a report was computed for."""
    return ModelSignature(created_at=bundle.card.created_at,
                          data_sha256=bundle.card.data_fingerprint.labelled.sha256, threshold=bundle.threshold)


def importance(bundle: ModelBundle) -> pd.Series | None:
    """Mean |SHAP| per feature from the model folder's SHAP sample (None when absent)."""
    path = bundle.directory / SHAP_SAMPLE_FILE
    return mean_abs_shap(pd.read_parquet(path)) if path.exists() else None


def portfolio_samples(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(labelled, new) full rows of a scored portfolio file."""
    frame = pq.read_table(path).to_pandas()
    labelled = frame["IS_LABELLED"].astype(bool)
    return frame[labelled].reset_index(drop=True), frame[~labelled].reset_index(drop=True)


def reference_inputs(bundle: ModelBundle, reference: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """(model inputs, probabilities) of the reference sample, computed once for many monthly reports.

    The reference probability is the out-of-fold one (``PROBA_OOF``) when available: the served model's
    probability on the clients it was trained on is sharper than on anyone new, and comparing it with
    new applications would report a "drift" that is only the model remembering its training set.
    """
    X_ref = bundle.features(reference)
    if "PROBA_OOF" in reference and reference["PROBA_OOF"].notna().all():
        p_ref = reference["PROBA_OOF"].to_numpy(float)
    else:
        p_ref = reference["PROBA_DEFAULT"].to_numpy(float) if "PROBA_DEFAULT" in reference else bundle.proba(X_ref)
    return X_ref, p_ref


def model_drift_report(bundle: ModelBundle, reference: pd.DataFrame, current: pd.DataFrame, *,
                       current_source: str, current_label: str,
                       prepared: tuple[pd.DataFrame, np.ndarray] | None = None,
                       weights: pd.Series | None = None) -> DriftReport:
    """Drift of ``current`` (prepared applications) against ``reference`` (the labelled portfolio).

    ``prepared``: :func:`reference_inputs` of ``reference`` and ``weights``: :func:`importance`, when
    the caller computes many months against the same reference (the backfill). A current sample
    without ``PROBA_DEFAULT`` (an uploaded batch) is scored with the served model.
    """
    X_ref, p_ref = prepared if prepared is not None else reference_inputs(bundle, reference)
    X_cur = bundle.features(current)
    p_cur = current["PROBA_DEFAULT"].to_numpy(float) if "PROBA_DEFAULT" in current else bundle.proba(X_cur)
    meta = {"model": model_signature(bundle).to_dict(),
            "reference": {"source": "portfolio-labelled", "label": "labelled portfolio (training data)"},
            "current": {"source": current_source, "label": current_label}}
    return DriftReport.from_dict(drift_report(
        X_ref, X_cur, categorical=bundle.cat_features, importance=weights if weights is not None else importance(bundle),
        reference_proba=p_ref, current_proba=p_cur, threshold=bundle.threshold, meta=meta))


def portfolio_drift_report(bundle: ModelBundle, portfolio_path: Path | None = None) -> DriftReport:
    """The default report: new applications of the served portfolio against its labelled clients."""
    labelled, new = portfolio_samples(portfolio_path or bundle.directory / PORTFOLIO_FILE)
    return model_drift_report(bundle, labelled, new, current_source=PORTFOLIO_CURRENT,
                              current_label="new applications of the portfolio")


def report_matches(report: DriftReport, bundle: ModelBundle) -> bool:
    return report.model == model_signature(bundle)


def load_report(bundle: ModelBundle) -> DriftReport:
    """The model folder's report, if it describes this model; else ``ValueError`` saying what to run."""
    path = bundle.directory / REPORT_FILE
    if not path.exists():
        raise ValueError(f"no drift report in {bundle.directory}: run scripts/drift_report.py")
    report = read_report(path)  # a malformed file raises ValueError naming it
    if not report_matches(report, bundle):
        raise ValueError(f"{path} describes another model: run scripts/drift_report.py")
    return report


def write_portfolio_report(bundle: ModelBundle, portfolio_path: Path | None = None) -> DriftReport:
    """Compute the default report offline and write it into the model folder (training, scripts)."""
    report = portfolio_drift_report(bundle, portfolio_path)
    write_report(report, bundle.directory / REPORT_FILE)
    return report
