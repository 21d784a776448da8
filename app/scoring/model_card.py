"""The model card as typed, immutable data: parsed and checked once, when a model folder is loaded.

``model_card.json`` is written by training (``app.training.pipeline``) and read by the bundle, the model
page, the monitoring report and the scripts. Read as a nested dict, a renamed or missing entry only
blanked a table cell somewhere; parsed here, it stops the load with the entry's dotted name
(``decision.costs.cost_fn``), and every reader uses attributes its type checker can follow.

Format version policy (:data:`FORMAT_VERSION`):

- a card records ``format_version``; a card without one was written before the field existed and is
  version 1: its layout is the one described here, parsed by the same rules (the committed demo card
  is such a card, and loads unchanged);
- a card of a version this code does not know (a newer training code, or a damaged entry) is refused
  with a message saying which version it is and which this code reads: guessing at a newer layout
  would show figures that mean something else;
- a change of layout that an older reader would misread (an entry renamed, removed or given another
  meaning) raises :data:`FORMAT_VERSION` and keeps a parser for the previous version; a new optional
  entry does not (older cards parse it as ``None``).

Entries the code reads or checks are typed fields; parts recorded only for the human reader (the
training parameters, the search log, the per-kind details of the data source, library versions) are
kept as read-only mappings, so that :meth:`ModelCard.to_dict` gives back exactly what was parsed.
Optional entries are typed ``X | None``: the loan-term estimator (models trained without previous
applications), the new-applications fingerprint (no new applications), the checksums (cards written
before they were recorded) and the pipeline duration (not known yet when the card is first written).

Pure Python, no dash: the parser knows nothing of files; the bundle names the file in its errors.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from app.scoring.artefacts import ArtefactError, Entries, format_version, freeze, thaw
from app.scoring.metrics import CostModel

#: Layout version written by :meth:`ModelCard.to_dict` (see the module docstring for the policy).
#: Version 2 (this code) adds ``features.excluded`` and ``features.monotone``; version 1 is still read.
FORMAT_VERSION = 2
#: Version of a card that records none (written before ``format_version`` existed).
UNVERSIONED = 1
READABLE_VERSIONS = frozenset({1, 2})
ARTEFACT = "model card"


def _without_none(entries: dict[str, Any]) -> dict[str, Any]:
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
        return _without_none({
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


def _costs(e: Entries) -> CostModel:
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
        return cls(seed=e.integer("seed"), n_folds=e.integer("n_folds"), costs=_costs(e.section("costs")),
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
    def parse(cls, e: Entries, format_version: int = FORMAT_VERSION) -> Features:
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

    def to_dict(self, format_version: int = FORMAT_VERSION) -> dict:
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
        return _without_none({"type": self.type, "params": thaw(self.params), "learning_rate": self.learning_rate,
                              "trees_per_fold": list(self.trees_per_fold), "search": thaw(self.search),
                              "training_seconds": self.training_seconds,
                              "pipeline_seconds": self.pipeline_seconds})


@dataclass(frozen=True)
class ReliabilityBin:
    """One bin of a reliability table (``metrics.reliability_table``)."""

    lower: float
    upper: float
    count: int
    predicted: float | None
    observed: float | None

    @classmethod
    def parse(cls, e: Entries) -> ReliabilityBin:
        return cls(lower=e.number("lower"), upper=e.number("upper"), count=e.integer("count"),
                   predicted=e.number("predicted", nullable=True), observed=e.number("observed", nullable=True))

    def to_dict(self) -> dict:
        return {"lower": self.lower, "upper": self.upper, "count": self.count, "predicted": self.predicted,
                "observed": self.observed}


@dataclass(frozen=True)
class CalibrationInfo:
    """Platt scaling of the raw score, and how well calibrated the out-of-fold probabilities are."""

    method: str
    slope: float
    intercept: float
    reliability: tuple[ReliabilityBin, ...]
    reliability_quantile: tuple[ReliabilityBin, ...]

    @classmethod
    def parse(cls, e: Entries) -> CalibrationInfo:
        return cls(method=e.text("method"), slope=e.number("slope"), intercept=e.number("intercept"),
                   reliability=tuple(ReliabilityBin.parse(b) for b in e.sections("reliability")),
                   reliability_quantile=tuple(ReliabilityBin.parse(b) for b in e.sections("reliability_quantile")))

    def to_dict(self) -> dict:
        return {"method": self.method, "slope": self.slope, "intercept": self.intercept,
                "reliability": [b.to_dict() for b in self.reliability],
                "reliability_quantile": [b.to_dict() for b in self.reliability_quantile]}


@dataclass(frozen=True)
class PolicyCosts:
    """Cost per client at the threshold and under the naive policies (``metrics.reference_costs``)."""

    at_threshold: float
    at_0_5: float
    accept_all: float
    refuse_all: float

    @classmethod
    def parse(cls, e: Entries) -> PolicyCosts:
        return cls(**{k: e.number(k) for k in ("at_threshold", "at_0_5", "accept_all", "refuse_all")})

    def to_dict(self) -> dict:
        return {"at_threshold": self.at_threshold, "at_0_5": self.at_0_5, "accept_all": self.accept_all,
                "refuse_all": self.refuse_all}


@dataclass(frozen=True)
class GradeBand:
    """The probability interval of one risk grade (``metrics.grade_bands``)."""

    grade: str
    min_proba: float
    max_proba: float
    decision: str

    @classmethod
    def parse(cls, e: Entries) -> GradeBand:
        return cls(grade=e.text("grade"), min_proba=e.number("min_proba"), max_proba=e.number("max_proba"),
                   decision=e.text("decision"))

    def to_dict(self) -> dict:
        return {"grade": self.grade, "min_proba": self.min_proba, "max_proba": self.max_proba,
                "decision": self.decision}


@dataclass(frozen=True)
class Decision:
    """The production decision rule: threshold, the costs it minimises, the naive policies' costs."""

    threshold: float
    costs: CostModel
    costs_per_client: PolicyCosts
    grades: tuple[GradeBand, ...]

    @classmethod
    def parse(cls, e: Entries) -> Decision:
        return cls(threshold=e.number("threshold"), costs=_costs(e.section("costs")),
                   costs_per_client=PolicyCosts.parse(e.section("costs_per_client")),
                   grades=tuple(GradeBand.parse(g) for g in e.sections("grades")))

    def to_dict(self) -> dict:
        return {"threshold": self.threshold, "costs": self.costs.to_dict(),
                "costs_per_client": self.costs_per_client.to_dict(), "grades": [g.to_dict() for g in self.grades]}


#: Figures of ``metrics.classification_metrics``, in the order it writes them.
SCORE_NAMES = ("roc_auc", "average_precision", "log_loss", "brier", "ece", "ece_quantile", "threshold",
               "cost_per_client", "approval_rate")


@dataclass(frozen=True)
class Scores:
    """One model's out-of-fold figures (the served model or a baseline). A figure undefined on the
    data (an ECE with no client) is written as JSON's ``NaN``, a number, and shown as "—"."""

    roc_auc: float
    average_precision: float
    log_loss: float
    brier: float
    ece: float
    ece_quantile: float
    threshold: float
    cost_per_client: float
    approval_rate: float

    @classmethod
    def parse(cls, e: Entries) -> Scores:
        return cls(**{k: e.number(k) for k in SCORE_NAMES})

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in SCORE_NAMES}


@dataclass(frozen=True)
class Evaluation:
    cross_validated: Scores
    evaluation: str

    @classmethod
    def parse(cls, e: Entries) -> Evaluation:
        return cls(cross_validated=Scores.parse(e.section("cross_validated")), evaluation=e.text("evaluation"))

    def to_dict(self) -> dict:
        return {"cross_validated": self.cross_validated.to_dict(), "evaluation": self.evaluation}


@dataclass(frozen=True)
class FairnessRow:
    """One group of a fairness table (``fairness.fairness_table``); rates under the privacy floor,
    and a ratio nobody's approval defines, are null."""

    group: str
    n: int
    n_known_outcome: int
    approval_rate: float | None
    default_rate: float | None
    tpr: float | None
    fpr: float | None
    disparate_impact: float | None
    four_fifths_ok: bool

    @classmethod
    def parse(cls, e: Entries) -> FairnessRow:
        rates = ("approval_rate", "default_rate", "tpr", "fpr", "disparate_impact")
        return cls(group=e.text("group"), n=e.integer("n"), n_known_outcome=e.integer("n_known_outcome"),
                   **{k: e.number(k, nullable=True) for k in rates}, four_fifths_ok=e.flag("four_fifths_ok"))

    def to_dict(self) -> dict:
        return {"group": self.group, "n": self.n, "n_known_outcome": self.n_known_outcome,
                "approval_rate": self.approval_rate, "default_rate": self.default_rate, "tpr": self.tpr,
                "fpr": self.fpr, "disparate_impact": self.disparate_impact, "four_fifths_ok": self.four_fifths_ok}


def _fairness(e: Entries) -> Mapping[str, tuple[FairnessRow, ...]]:
    return MappingProxyType({attribute: tuple(FairnessRow.parse(r) for r in e.sections(attribute))
                             for attribute in e.data})


@dataclass(frozen=True)
class ModelCard:
    """Everything training recorded about a model folder (see the module docstring)."""

    created_at: str
    source: Source
    data_fingerprint: DataFingerprint
    config: TrainingConfig
    features: Features
    model: ModelInfo
    calibration: CalibrationInfo
    decision: Decision
    metrics: Evaluation
    baselines: Mapping[str, Scores]
    fairness: Mapping[str, tuple[FairnessRow, ...]]
    versions: Mapping[str, str]
    checksums: Mapping[str, str] | None = None
    format_version: int = FORMAT_VERSION

    @classmethod
    def from_dict(cls, data: Any) -> ModelCard:
        """Parse a card as read from JSON; :class:`ArtefactError` names the first bad entry."""
        if not isinstance(data, Mapping):
            raise ArtefactError(f"the {ARTEFACT} is not a JSON object")
        version = format_version(data, key="format_version", readable=READABLE_VERSIONS, artefact=ARTEFACT,
                                 remedy="update the dashboard, or retrain the model with this one",
                                 unversioned=UNVERSIONED)
        e = Entries(data, ARTEFACT)
        baselines = e.section("baselines")
        return cls(
            created_at=e.text("created_at"), source=Source.parse(e.section("source")),
            data_fingerprint=DataFingerprint.parse(e.section("data_fingerprint")),
            config=TrainingConfig.parse(e.section("config")), features=Features.parse(e.section("features"), version),
            model=ModelInfo.parse(e.section("model")), calibration=CalibrationInfo.parse(e.section("calibration")),
            decision=Decision.parse(e.section("decision")), metrics=Evaluation.parse(e.section("metrics")),
            baselines=MappingProxyType({k: Scores.parse(baselines.section(k)) for k in baselines.data}),
            fairness=_fairness(e.section("fairness")), versions=e.text_map("versions"),
            checksums=e.text_map("checksums", optional=True), format_version=version,
        )

    def to_dict(self) -> dict:
        """The card as JSON-able dicts, in training's order of entries; :meth:`from_dict` reads it back
        equal. A card parsed from a version-1 file without ``format_version`` gains the entry."""
        return _without_none({
            "format_version": self.format_version,
            "created_at": self.created_at, "source": self.source.to_dict(),
            "data_fingerprint": self.data_fingerprint.to_dict(), "config": self.config.to_dict(),
            "features": self.features.to_dict(self.format_version), "model": self.model.to_dict(),
            "calibration": self.calibration.to_dict(), "decision": self.decision.to_dict(),
            "metrics": self.metrics.to_dict(), "baselines": {k: s.to_dict() for k, s in self.baselines.items()},
            "fairness": {k: [r.to_dict() for r in rows] for k, rows in self.fairness.items()},
            "versions": dict(self.versions),
            "checksums": None if self.checksums is None else dict(self.checksums),
        })
