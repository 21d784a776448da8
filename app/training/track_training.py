"""A training run as an MLflow run: the model card's figures as parameters and metrics, the model
folder as an artefact, a new version of the registered model, and that version written back into the
card (``tracking``).

The card is the source of every number logged here, so the MLflow run and the model page can never
disagree. Rewriting the card changes no recorded checksum: ``checksums`` cover ``model.cbm`` and
``term_model.cbm`` (``app.scoring.bundle.model_checksums``), not the card itself.
"""
from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from app.scoring import bundle as files
from app.scoring.artefacts import thaw
from app.scoring.model_card import ModelCard, Tracking
from app.training.tracking import (
    REGISTERED_MODEL,
    TRAINING_EXPERIMENT,
    Run,
    finite_or_none,
    public_uri,
    tracked_run,
    write_atomically,
)

#: Artefact folder of the run holding the model folder (the registered version's files).
MODEL_ARTIFACT = "model"
#: The out-of-fold figures logged under their own names (the served model) or ``<baseline>.<name>``.
TRACKED_SCORES = ("roc_auc", "average_precision", "log_loss", "brier", "ece", "ece_quantile", "threshold",
                  "cost_per_client", "approval_rate")


def card_params(card: ModelCard) -> dict[str, Any]:
    """What produced the model: settings, chosen parameters, data source and fingerprint."""
    config, model, source, fp = card.config, card.model, card.source, card.data_fingerprint
    params: dict[str, Any] = {
        "seed": config.seed, "n_folds": config.n_folds, "cost_fn": config.costs.cost_fn,
        "cost_fp": config.costs.cost_fp, "learning_rate": config.learning_rate,
        "max_iterations": config.max_iterations, "early_stopping_rounds": config.early_stopping_rounds,
        "early_stopping_fraction": config.early_stopping_fraction, "stopping": config.stopping,
        "search_budget_seconds": config.search_budget_seconds, "search_candidates": len(config.search_space),
        "trees_per_fold": ",".join(map(str, model.trees_per_fold)),
        "features.version": card.features.version, "features.count": len(card.features.names),
        "features.monotone": len(card.features.monotone),
        "term_model": card.features.term_model is not None,
        "source.kind": source.kind, "source.seed": source.seed, "source.n_labelled": source.n_labelled,
        "source.n_new": source.n_new,
        "data.labelled.rows": fp.labelled.rows, "data.labelled.columns": fp.labelled.columns,
        "data.labelled.sha256": fp.labelled.sha256,
    }
    params.update({f"model.{k}": v for k, v in model.params.items()})
    if fp.new is not None:
        params.update({"data.new.rows": fp.new.rows, "data.new.columns": fp.new.columns,
                       "data.new.sha256": fp.new.sha256})
    for table, file in (source.files or {}).items():
        params[f"source.{table}.sha256"] = file.sha256
    return params


def card_metrics(card: ModelCard) -> dict[str, float | None]:
    """Out-of-fold figures of the model and of the baselines on the same folds, the naive policies'
    costs, calibration and durations."""
    cv = card.metrics.cross_validated.to_dict()
    metrics: dict[str, float | None] = {name: finite_or_none(cv[name]) for name in TRACKED_SCORES}
    for baseline, scores in card.baselines.items():
        figures = scores.to_dict()
        metrics.update({f"{baseline}.{name}": finite_or_none(figures[name]) for name in TRACKED_SCORES})
    metrics.update({f"policy_cost.{k}": v for k, v in card.decision.costs_per_client.to_dict().items()})
    metrics.update({"calibration.slope": card.calibration.slope, "calibration.intercept": card.calibration.intercept,
                    "default_rate": card.data_fingerprint.default_rate,
                    "training_seconds": card.model.training_seconds,
                    "pipeline_seconds": card.model.pipeline_seconds})
    return metrics


def log_search(run: Run, search: tuple[Mapping[str, Any], ...]) -> None:
    """Each candidate's validation log-loss as one step of ``search.val_log_loss``, the whole log as JSON."""
    for step, entry in enumerate(e for e in search if "val_log_loss" in e):
        run.metrics({"search.val_log_loss": finite_or_none(entry["val_log_loss"]),
                     "search.iterations": finite_or_none(entry.get("iterations"))}, step=step)
    run.json(thaw(search), "search_log.json")


def track_training(card: ModelCard, out_dir: Path, *, uri: str, figures: Mapping[str, str],
                   run_name: str | None = None) -> ModelCard:
    """Log the trained folder ``out_dir`` (whose card is ``card``) as a run of the store ``uri``, register
    its model, and rewrite its card with the ``tracking`` section; returns that card.

    ``figures``: artefact name -> self-contained HTML (the calibration and cost curves, built by the
    caller: this layer draws nothing). Raises :class:`app.training.tracking.TrackingError`.
    """
    out_dir = Path(out_dir)
    with tracked_run(uri, TRAINING_EXPERIMENT, run_name or out_dir.name,
                     tags={"kind": "training", "model_dir": str(out_dir), "source": card.source.kind}) as run:
        run.params(card_params(card))
        run.metrics(card_metrics(card))
        log_search(run, card.model.search)
        run.json(card.data_fingerprint.to_dict(), "data_fingerprint.json")
        for name, html in figures.items():
            run.text(html, f"figures/{name}.html")
        run.files(out_dir, MODEL_ARTIFACT)
        version = run.register(MODEL_ARTIFACT)
        tracked = dataclasses.replace(card, tracking=Tracking(
            uri=public_uri(uri), experiment=run.experiment, run_id=run.run_id, registered_model=REGISTERED_MODEL,
            version=version))
        text = json.dumps(tracked.to_dict(), indent=1, ensure_ascii=False)
        ModelCard.from_dict(json.loads(text))  # the card the bundle will read back
        write_atomically(out_dir / files.CARD_FILE, text)
        run.files(out_dir / files.CARD_FILE, MODEL_ARTIFACT)  # the registered files carry their version
        run.files(out_dir / files.CARD_FILE, None)
    return tracked
