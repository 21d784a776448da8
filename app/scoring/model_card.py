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
before they were recorded), the pipeline duration (not known yet when the card is first written) and
the experiment-tracking run (models trained with ``--no-tracking`` or before tracking existed).

The sections describing what produced the model (source, fingerprint, settings, inputs, training,
tracking) live in :mod:`app.scoring.card_provenance` and are re-exported here.

Pure Python, no dash: the parser knows nothing of files; the bundle names the file in its errors.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from app.scoring.artefacts import ArtefactError, Entries, format_version
from app.scoring.card_provenance import (  # re-exported: the card's sections keep their import path
    DataFingerprint,
    Features,
    ModelInfo,
    Source,
    SourceFile,
    TableFingerprint,
    TermModelInfo,
    Tracking,
    TrainingConfig,
    parse_costs,
    without_none,
)
from app.scoring.metrics import CostModel

__all__ = [
    "FORMAT_VERSION", "READABLE_VERSIONS", "SCORE_NAMES", "UNVERSIONED", "CalibrationInfo", "DataFingerprint",
    "Decision", "Evaluation", "FairnessRow", "Features", "GradeBand", "ModelCard", "ModelInfo", "PolicyCosts",
    "ReliabilityBin", "Scores", "Source", "SourceFile", "TableFingerprint", "TermModelInfo", "Tracking",
    "TrainingConfig",
]

#: Layout version written by :meth:`ModelCard.to_dict` (see the module docstring for the policy).
#: Version 2 (this code) adds ``features.excluded`` and ``features.monotone``; version 1 is still read.
FORMAT_VERSION = 2
#: Version of a card that records none (written before ``format_version`` existed).
UNVERSIONED = 1
READABLE_VERSIONS = frozenset({1, 2})
ARTEFACT = "model card"


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
        return cls(threshold=e.number("threshold"), costs=parse_costs(e.section("costs")),
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
    #: the MLflow run and registered version (written after training, by ``app.training.tracking``)
    tracking: Tracking | None = None

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
            tracking=None if (tracking := e.section("tracking", optional=True)) is None else Tracking.parse(tracking),
        )

    def to_dict(self) -> dict:
        """The card as JSON-able dicts, in training's order of entries; :meth:`from_dict` reads it back
        equal. A card parsed from a version-1 file without ``format_version`` gains the entry."""
        return without_none({
            "format_version": self.format_version,
            "created_at": self.created_at, "source": self.source.to_dict(),
            "data_fingerprint": self.data_fingerprint.to_dict(), "config": self.config.to_dict(),
            "features": self.features.to_dict(self.format_version), "model": self.model.to_dict(),
            "calibration": self.calibration.to_dict(), "decision": self.decision.to_dict(),
            "metrics": self.metrics.to_dict(), "baselines": {k: s.to_dict() for k, s in self.baselines.items()},
            "fairness": {k: [r.to_dict() for r in rows] for k, rows in self.fairness.items()},
            "versions": dict(self.versions),
            "checksums": None if self.checksums is None else dict(self.checksums),
            "tracking": None if self.tracking is None else self.tracking.to_dict(),
        })
