"""The model card's provenance sections: what produced the model, as typed, immutable data.

Split from :mod:`app.scoring.model_card` (which re-exports every name here, so ``from
app.scoring.model_card import Source`` keeps working): the data source and its fingerprint, the training
settings, the inputs, what was trained, and the experiment-tracking run that recorded it. The card
module keeps the format-version policy, the evaluation sections (calibration, decision, scores,
fairness) and :class:`~app.scoring.model_card.ModelCard` itself. Same rules as there: each section
parses its entries with :class:`~app.scoring.artefacts.Entries` (a bad entry is named by its dotted
path) and ``to_dict`` gives back exactly what was parsed.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from app.scoring.artefacts import ArtefactError, Entries, freeze, thaw
from app.scoring.metrics import CostModel


def without_none(entries: dict[str, Any]) -> dict[str, Any]:
    """Optional entries that are absent are left out of the JSON, as training always did."""
    return {k: v for k, v in entries.items() if v is not None}


@dataclass(frozen=True)
class SourceFile:
    """One input file of a real-data training: its name and SHA-256."""

    name: str
    sha256: str

    @classmethod
    def parse(cls, e: Entries) -> SourceFile:
        return cls(name=e.text("name"), sha256=e.text("sha256"))

    def to_dict(self) -> dict:
        return {"name": self.name, "sha256": self.sha256}


@dataclass(frozen=True)
class Source:
    """Where the training data came from. ``kind`` says which of the other entries are there: the
    synthetic demo records its generator's seed and sizes (enough to rebuild its portfolio), real data
    its files."""

    kind: str
    seed: int | None = None
    n_labelled: int | None = None
    n_new: int | None = None
    params_sha256: Mapping[str, str] | None = None
    files: Mapping[str, SourceFile] | None = None

    @classmethod
    def parse(cls, e: Entries) -> Source:
        files = e.section("files", optional=True)
        return cls(kind=e.text("kind"), seed=e.integer("seed", optional=True),
                   n_labelled=e.integer("n_labelled", optional=True), n_new=e.integer("n_new", optional=True),
                   params_sha256=e.text_map("params_sha256", optional=True),
                   files=None if files is None else MappingProxyType(
                       {k: SourceFile.parse(files.section(k)) for k in files.data}))

    def to_dict(self) -> dict:
        return without_none({
            "kind": self.kind, "seed": self.seed, "n_labelled": self.n_labelled, "n_new": self.n_new,
            "params_sha256": None if self.params_sha256 is None else dict(self.params_sha256),
            "files": None if self.files is None else {k: f.to_dict() for k, f in self.files.items()},
        })


@dataclass(frozen=True)
class TableFingerprint:
    """Rows, columns and content hash of a training table: which data produced the model."""

    rows: int
    columns: int
    sha256: str

    @classmethod
    def parse(cls, e: Entries) -> TableFingerprint:
        return cls(rows=e.integer("rows"), columns=e.integer("columns"), sha256=e.text("sha256"))

    def to_dict(self) -> dict:
        return {"rows": self.rows, "columns": self.columns, "sha256": self.sha256}


@dataclass(frozen=True)
class DataFingerprint:
    labelled: TableFingerprint
    new: TableFingerprint | None
    default_rate: float

    @classmethod
    def parse(cls, e: Entries) -> DataFingerprint:
        new = e.section("new", optional=True)
        return cls(labelled=TableFingerprint.parse(e.section("labelled")),
                   new=None if new is None else TableFingerprint.parse(new),
                   default_rate=e.number("default_rate"))

    def to_dict(self) -> dict:
        return {"labelled": self.labelled.to_dict(), "new": None if self.new is None else self.new.to_dict(),
                "default_rate": self.default_rate}


def parse_costs(e: Entries) -> CostModel:
    """Error costs; a non-positive cost (which ``CostModel`` refuses) is named like any bad entry."""
    try:
        return CostModel(cost_fn=e.number("cost_fn"), cost_fp=e.number("cost_fp"))
    except ValueError as exc:
        if isinstance(exc, ArtefactError):
            raise
        raise ArtefactError(f"the {e.artefact}'s {e.where!r} is invalid: {exc}") from exc


@dataclass(frozen=True)
class TrainingConfig:
    """The training settings (``TrainConfig.to_dict``)."""

    seed: int
    n_folds: int
    costs: CostModel
    learning_rate: float
    max_iterations: int
    early_stopping_rounds: int
    early_stopping_fraction: float
    stopping: str
    search_budget_seconds: float
    search_space: tuple[Mapping[str, Any], ...]

    @classmethod
    def parse(cls, e: Entries) -> TrainingConfig:
        return cls(seed=e.integer("seed"), n_folds=e.integer("n_folds"), costs=parse_costs(e.section("costs")),
                   learning_rate=e.number("learning_rate"), max_iterations=e.integer("max_iterations"),
                   early_stopping_rounds=e.integer("early_stopping_rounds"),
                   early_stopping_fraction=e.number("early_stopping_fraction"), stopping=e.text("stopping"),
                   search_budget_seconds=e.number("search_budget_seconds"),
                   search_space=tuple(freeze(s.data) for s in e.sections("search_space")))

    def to_dict(self) -> dict:
        return {"seed": self.seed, "n_folds": self.n_folds, "costs": self.costs.to_dict(),
                "learning_rate": self.learning_rate, "max_iterations": self.max_iterations,
                "early_stopping_rounds": self.early_stopping_rounds,
                "early_stopping_fraction": self.early_stopping_fraction, "stopping": self.stopping,
                "search_budget_seconds": self.search_budget_seconds, "search_space": thaw(self.search_space)}


@dataclass(frozen=True)
class TermModelInfo:
    """The loan-term estimator a model was trained with (``TermModel.to_dict``)."""

    file: str
    trained_on: int
    mae_months: float
    source: str

    @classmethod
    def parse(cls, e: Entries) -> TermModelInfo:
        return cls(file=e.text("file"), trained_on=e.integer("trained_on"), mae_months=e.number("mae_months"),
                   source=e.text("source"))

    def to_dict(self) -> dict:
        return {"file": self.file, "trained_on": self.trained_on, "mae_months": self.mae_months,
                "source": self.source}


@dataclass(frozen=True)
class Features:
    """The model's inputs, in training order, the columns kept out of them and the directions imposed.

    ``protected_excluded``: protected attributes (kept for fairness monitoring only); ``excluded``:
    inputs a client must never be refused for (``app.config.NEVER_REFUSED_FOR``); ``monotone``:
    input -> +1 (the risk can only rise with it) or -1 (only fall), CatBoost's ``monotone_constraints``.
    Version-1 cards predate the last two and read as none of either: the model was trained so.
    """

    version: int
    names: tuple[str, ...]
    categorical: tuple[str, ...]
    engineered: Mapping[str, str]
    protected_excluded: tuple[str, ...]
    term_model: TermModelInfo | None = None
    excluded: tuple[str, ...] = ()
    monotone: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def parse(cls, e: Entries, format_version: int) -> Features:
        term = e.section("term_model", optional=True)
        excluded: tuple[str, ...] = ()
        monotone: dict[str, int] = {}
        if format_version >= 2:
            excluded = e.texts("excluded")
            directions = e.section("monotone")
            monotone = {name: directions.integer(name) for name in directions.data}
            wrong = sorted(n for n, d in monotone.items() if d not in (-1, 1))
            if wrong:
                raise ArtefactError(f"the {e.artefact}'s {directions.path(wrong[0])!r} must be -1 or 1")
        return cls(version=e.integer("version"), names=e.texts("names"), categorical=e.texts("categorical"),
                   engineered=e.text_map("engineered"), protected_excluded=e.texts("protected_excluded"),
                   term_model=None if term is None else TermModelInfo.parse(term), excluded=excluded,
                   monotone=MappingProxyType(monotone))

    @property
    def all_excluded(self) -> tuple[str, ...]:
        """Every column kept out of the inputs (what ``build_features`` is given as ``protected``)."""
        return self.protected_excluded + tuple(n for n in self.excluded if n not in self.protected_excluded)

    def to_dict(self, format_version: int) -> dict:
        # "term_model" sits before "protected_excluded", where training has always written it; cards
        # written before the estimator existed have no entry (kept absent).
        entries = {"version": self.version, "names": list(self.names), "categorical": list(self.categorical),
                   "engineered": dict(self.engineered)}
        if self.term_model is not None:
            entries["term_model"] = self.term_model.to_dict()
        entries["protected_excluded"] = list(self.protected_excluded)
        if format_version >= 2:
            entries["excluded"] = list(self.excluded)
            entries["monotone"] = dict(self.monotone)
        return entries


@dataclass(frozen=True)
class ModelInfo:
    """What was trained: type, chosen parameters, trees per fold, the hyper-parameter search log."""

    type: str
    params: Mapping[str, Any]
    learning_rate: float
    trees_per_fold: tuple[int, ...]
    search: tuple[Mapping[str, Any], ...]
    training_seconds: float
    pipeline_seconds: float | None = None

    @classmethod
    def parse(cls, e: Entries) -> ModelInfo:
        return cls(type=e.text("type"), params=e.record("params"), learning_rate=e.number("learning_rate"),
                   trees_per_fold=e.integers("trees_per_fold"),
                   search=tuple(freeze(s.data) for s in e.sections("search")),
                   training_seconds=e.number("training_seconds"),
                   pipeline_seconds=e.number("pipeline_seconds", optional=True))

    def to_dict(self) -> dict:
        return without_none({"type": self.type, "params": thaw(self.params), "learning_rate": self.learning_rate,
                              "trees_per_fold": list(self.trees_per_fold), "search": thaw(self.search),
                              "training_seconds": self.training_seconds,
                              "pipeline_seconds": self.pipeline_seconds})


@dataclass(frozen=True)
class Tracking:
    """The experiment-tracking run that recorded the model (``app.training.tracking``), and the version
    of the registered model it became: where to find its parameters, metrics and figures.

    ``uri`` is the tracking store as a reader may see it: a password, token or query string of the
    configured ``MLFLOW_TRACKING_URI`` is never written (``app.training.tracking.public_uri``). A card
    of a model trained with ``--no-tracking``, or before tracking existed, has no such entry.
    """

    uri: str
    experiment: str
    run_id: str
    registered_model: str
    version: int

    @classmethod
    def parse(cls, e: Entries) -> Tracking:
        return cls(uri=e.text("uri"), experiment=e.text("experiment"), run_id=e.text("run_id"),
                   registered_model=e.text("registered_model"), version=e.integer("version"))

    def to_dict(self) -> dict:
        return {"uri": self.uri, "experiment": self.experiment, "run_id": self.run_id,
                "registered_model": self.registered_model, "version": self.version}
