"""Experiment tracking of the training tools in MLflow: every run of ``scripts/train.py`` and
``scripts/benchmark_model.py`` leaves a run that says what was tried and what it gave.

Why a client of our own rather than ``mlflow.autolog``: the figures that matter here (out-of-fold AUC,
cost per client at the cost-optimal threshold, calibration, the baselines on the same folds) are the
model card's, computed by the pipeline; autologging would record CatBoost's per-iteration losses
instead. Everything goes through one explicit ``MlflowClient`` bound to the store it was given (no
``mlflow.set_tracking_uri``, no active-run state), so a test can point a run at a temporary store.

The store: ``MLFLOW_TRACKING_URI`` (``Settings.tracking_uri``), by default a SQLite file inside the
project, ``mlruns/mlflow.db``, with artefacts beside it in ``mlruns/artifacts`` (MLflow's own default
would be ``./mlruns`` of whatever folder the script was started from). The trained model is
registered as :data:`REGISTERED_MODEL`; its version and run id are written back into the model card.

mlflow is a dev dependency (the ``dev`` extra), imported here only, lazily: the web process never
loads this module (``tests/test_layering.py``), and a training tool started without mlflow says so
in one line (:func:`require_mlflow`).
"""
from __future__ import annotations

import json
import logging
import math
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REGISTERED_MODEL = "credit-default-catboost"
TRAINING_EXPERIMENT = "credit-default-training"
BENCHMARK_EXPERIMENT = "credit-default-benchmark"
#: MLflow's limits per ``log_batch`` call (params) and per parameter value (characters).
PARAMS_PER_BATCH, PARAM_VALUE_LIMIT = 100, 6000


class TrackingError(RuntimeError):
    """Tracking is impossible (mlflow missing) or the store refused the run; the message is one line."""


def require_mlflow() -> None:
    """Fail fast, before minutes of training, when mlflow is not installed."""
    try:
        import mlflow  # noqa: F401  # only checks that it imports
    except ImportError:
        raise TrackingError("experiment tracking needs mlflow, which is not installed "
                            "(pip install -r requirements-dev.txt); or pass --no-tracking") from None


def public_uri(uri: str) -> str:
    """The store's address without what may be a secret: ``user:password@``, a query string (tokens)
    and a fragment. Written into the model card and printed; the configured URI itself is not."""
    scheme, separator, rest = uri.partition("://")
    rest = rest.split("#", 1)[0].split("?", 1)[0]
    if not separator:  # "databricks", a bare path
        return scheme.split("#", 1)[0].split("?", 1)[0]
    authority, slash, path = rest.partition("/")
    return f"{scheme}://{authority.rsplit('@', 1)[-1]}{slash}{path}"


def artifact_location(uri: str) -> str | None:
    """Where a new experiment of a SQLite store keeps its artefacts: ``artifacts/`` beside the database
    file (not the working directory). Other stores (a tracking server) choose for themselves: None."""
    if not uri.startswith("sqlite:///"):
        return None
    return (Path(uri[len("sqlite:///"):]).parent / "artifacts").resolve().as_uri()


def _quiet() -> None:
    """The store's schema migrations log every step at INFO; a training log should show ours."""
    for name in ("alembic", "mlflow.store.db.utils", "mlflow.tracking", "mlflow.store"):
        logging.getLogger(name).setLevel(logging.WARNING)


class Run:
    """One MLflow run, written through an explicit client."""

    def __init__(self, client: Any, run_id: str, experiment: str, uri: str) -> None:
        self.client, self.run_id, self.experiment, self.uri = client, run_id, experiment, uri

    def params(self, params: Mapping[str, Any]) -> None:
        from mlflow.entities import Param

        items = [Param(k, str(v)[:PARAM_VALUE_LIMIT]) for k, v in params.items() if v is not None]
        for start in range(0, len(items), PARAMS_PER_BATCH):
            self.client.log_batch(self.run_id, params=items[start:start + PARAMS_PER_BATCH])

    def metrics(self, metrics: Mapping[str, float | None], step: int = 0) -> None:
        """Numbers only; an undefined figure (None) is left out, NaN is kept (MLflow stores it)."""
        from mlflow.entities import Metric

        stamp = _now_ms()
        items = [Metric(k, float(v), stamp, step) for k, v in metrics.items()
                 if v is not None and not isinstance(v, bool)]
        for start in range(0, len(items), 1000):
            self.client.log_batch(self.run_id, metrics=items[start:start + 1000])

    def tags(self, tags: Mapping[str, str]) -> None:
        for key, value in tags.items():
            self.client.set_tag(self.run_id, key, value)

    def json(self, data: Any, artifact_file: str) -> None:
        self.client.log_text(self.run_id, json.dumps(data, indent=1, ensure_ascii=False, allow_nan=True),
                             artifact_file)

    def text(self, text: str, artifact_file: str) -> None:
        self.client.log_text(self.run_id, text, artifact_file)

    def files(self, local: Path, artifact_path: str | None) -> None:
        if local.is_dir():
            self.client.log_artifacts(self.run_id, str(local), artifact_path)
        else:
            self.client.log_artifact(self.run_id, str(local), artifact_path)

    @property
    def artifact_uri(self) -> str:
        return str(self.client.get_run(self.run_id).info.artifact_uri)

    def register(self, artifact_path: str, name: str = REGISTERED_MODEL) -> int:
        """A new version of the registered model ``name`` whose files are this run's ``artifact_path``."""
        from mlflow.exceptions import MlflowException

        try:
            self.client.get_registered_model(name)
        except MlflowException:
            self.client.create_registered_model(
                name, description="Prêt à dépenser: probability of default (CatBoost fold ensemble, "
                                  "Platt-calibrated), with its model card; trained by scripts/train.py")
        version = self.client.create_model_version(name, source=f"{self.artifact_uri}/{artifact_path}",
                                                   run_id=self.run_id)
        return int(version.version)


def _now_ms() -> int:
    import time

    return int(time.time() * 1000)


@contextmanager
def tracked_run(uri: str, experiment: str, run_name: str, tags: Mapping[str, str] | None = None) -> Iterator[Run]:
    """An MLflow run in ``experiment`` of the store ``uri`` (created when missing), ended FINISHED, or
    FAILED when the block raises. MLflow's errors (a store it cannot open, a refused entry) and file
    errors become one-line :class:`TrackingError`."""
    require_mlflow()
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    _quiet()
    try:
        if uri.startswith("sqlite:///"):
            Path(uri[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        client = MlflowClient(tracking_uri=uri, registry_uri=uri)
        found = client.get_experiment_by_name(experiment)
        experiment_id = (found.experiment_id if found is not None
                         else client.create_experiment(experiment, artifact_location=artifact_location(uri)))
        run = client.create_run(experiment_id, tags=dict(tags or {}), run_name=run_name)
    except (MlflowException, OSError) as exc:
        raise TrackingError(f"cannot open the MLflow store {public_uri(uri)}: {_first_line(exc)}") from exc
    tracked = Run(client, run.info.run_id, experiment, uri)
    try:
        yield tracked
    except (MlflowException, OSError) as exc:
        _end(client, tracked.run_id, "FAILED")
        raise TrackingError(f"logging MLflow run {tracked.run_id} to {public_uri(uri)} failed: "
                            f"{_first_line(exc)}") from exc
    except BaseException:
        _end(client, tracked.run_id, "FAILED")
        raise
    _end(client, tracked.run_id, "FINISHED")


def _end(client: Any, run_id: str, status: str) -> None:
    from mlflow.exceptions import MlflowException

    try:
        client.set_terminated(run_id, status=status)
    except MlflowException:  # pragma: no cover - the store went away mid-run; the first error is the story
        pass


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def finite_or_none(value: Any) -> float | None:
    """A metric value: numbers (NaN included), never text or missing entries."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if not math.isinf(value) else None


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` in one step (the dashboard may read the card at any moment)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
