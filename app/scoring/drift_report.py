"""The drift report as typed, immutable data: parsed and checked once, when it is read or computed.

``drift_report.json`` is computed offline (``app.scoring.drift.drift_report``, by training and
``scripts/drift_report.py``) and only read by the monitoring page. Parsed here, a report lacking an
entry, or holding one of the wrong type, is refused with the entry's dotted name
(``features[3].histogram.edges``) instead of blanking part of the page.

Format version policy: the report has recorded ``version`` since its first layout (1), so a report
without one is not a drift report and is refused, as is a version this code does not know (the
message says to rerun ``scripts/drift_report.py``, which rewrites it in the current layout: unlike a
model card, a report is cheap to recompute). A change of layout an older reader would misread raises
:data:`REPORT_VERSION`.

Pure Python, no dash.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.scoring.artefacts import ArtefactError, Entries, format_version

REPORT_VERSION = 1
READABLE_VERSIONS = frozenset({REPORT_VERSION})
ARTEFACT = "drift report"
REMEDY = "rerun scripts/drift_report.py"


def _numbers(e: Entries, key: str) -> tuple[float, ...]:
    """A list of numbers (histogram shares and edges)."""
    values = e.data.get(key)
    if not isinstance(values, list) or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        if key not in e.data:
            raise ArtefactError(f"the {e.artefact} lacks {e.path(key)!r}")
        raise ArtefactError(f"the {e.artefact}'s {e.path(key)!r} is not a list of numbers")
    return tuple(float(v) for v in values)


@dataclass(frozen=True)
class Histogram:
    """Shares (in %) of both samples on common bins: ``edges`` for a numeric feature, ``bins`` (level
    names) for a categorical one; ``missing`` = (reference, current) shares of missing values."""

    kind: str
    reference: tuple[float, ...]
    current: tuple[float, ...]
    missing: tuple[float, float]
    edges: tuple[float, ...] | None = None
    bins: tuple[str, ...] | None = None

    @classmethod
    def parse(cls, e: Entries) -> Histogram:
        kind = e.text("kind")
        if kind not in ("numeric", "categorical"):
            raise ArtefactError(f"the {e.artefact}'s {e.path('kind')!r} is {kind!r}, expected numeric or categorical")
        missing = _numbers(e, "missing")
        if len(missing) != 2:
            raise ArtefactError(f"the {e.artefact}'s {e.path('missing')!r} does not hold two shares")
        return cls(kind=kind, reference=_numbers(e, "reference"), current=_numbers(e, "current"),
                   missing=(missing[0], missing[1]),
                   edges=_numbers(e, "edges") if kind == "numeric" else None,
                   bins=e.texts("bins") if kind == "categorical" else None)

    def to_dict(self) -> dict:
        axis = ({"edges": list(self.edges)} if self.kind == "numeric" and self.edges is not None
                else {"bins": list(self.bins or ())})
        return {"kind": self.kind, **axis, "reference": list(self.reference), "current": list(self.current),
                "missing": list(self.missing)}


#: Entries of a feature's drift row before the histogram, in the order ``drift.feature_drift`` writes them.
_ROW_HEAD = ("feature", "kind", "method", "statistic", "statistic_threshold", "psi", "psi_level", "drift_score",
             "drifted")


@dataclass(frozen=True)
class FeatureDrift:
    """Drift of one model input (``importance`` and ``risk`` set) or of the prediction (``mean_*``
    and, with a threshold, ``approval_*`` set). A statistic not computable on the data is None."""

    feature: str
    kind: str
    method: str
    statistic: float | None
    statistic_threshold: float
    psi: float | None
    psi_level: str
    drift_score: float | None
    drifted: bool
    histogram: Histogram
    importance: float | None = None
    risk: float | None = None
    mean_reference: float | None = None
    mean_current: float | None = None
    approval_reference: float | None = None
    approval_current: float | None = None

    @classmethod
    def parse(cls, e: Entries, *, prediction: bool = False) -> FeatureDrift:
        """A feature row needs its importance (risk may be null); a prediction row its means."""
        return cls(
            feature=e.text("feature"), kind=e.text("kind"), method=e.text("method"),
            statistic=e.number("statistic", nullable=True), statistic_threshold=e.number("statistic_threshold"),
            psi=e.number("psi", nullable=True), psi_level=e.text("psi_level"),
            drift_score=e.number("drift_score", nullable=True), drifted=e.flag("drifted"),
            histogram=Histogram.parse(e.section("histogram")),
            importance=None if prediction else e.number("importance"),
            risk=None if prediction else e.number("risk", nullable=True),
            mean_reference=e.number("mean_reference") if prediction else None,
            mean_current=e.number("mean_current") if prediction else None,
            approval_reference=e.number("approval_reference", optional=True),
            approval_current=e.number("approval_current", optional=True),
        )

    def to_dict(self) -> dict:
        row: dict[str, Any] = {k: getattr(self, k) for k in _ROW_HEAD}
        row["histogram"] = self.histogram.to_dict()
        if self.mean_reference is None:  # a feature row: importance and risk always written
            row.update(importance=self.importance, risk=self.risk)
        else:
            row.update(mean_reference=self.mean_reference, mean_current=self.mean_current)
            if self.approval_reference is not None:
                row.update(approval_reference=self.approval_reference, approval_current=self.approval_current)
        return row


@dataclass(frozen=True)
class Sample:
    """Where one side of the comparison came from (``source``) and how the page names it."""

    source: str
    label: str

    @classmethod
    def parse(cls, e: Entries) -> Sample:
        return cls(source=e.text("source"), label=e.text("label"))

    def to_dict(self) -> dict:
        return {"source": self.source, "label": self.label}


@dataclass(frozen=True)
class ModelSignature:
    """Which model a report describes (``monitoring.model_signature``): a retrained model never
    shows a stale report."""

    created_at: str
    data_sha256: str
    threshold: float

    @classmethod
    def parse(cls, e: Entries) -> ModelSignature:
        return cls(created_at=e.text("created_at"), data_sha256=e.text("data_sha256"), threshold=e.number("threshold"))

    def to_dict(self) -> dict:
        return {"created_at": self.created_at, "data_sha256": self.data_sha256, "threshold": self.threshold}


@dataclass(frozen=True)
class Thresholds:
    """The alarm levels the report was computed with (shown on the monitoring page)."""

    psi_moderate: float
    psi_significant: float
    wasserstein: float
    jensen_shannon: float
    dataset_share: float

    @classmethod
    def parse(cls, e: Entries) -> Thresholds:
        names = ("psi_moderate", "psi_significant", "wasserstein", "jensen_shannon", "dataset_share")
        return cls(**{k: e.number(k) for k in names})

    def to_dict(self) -> dict:
        return {"psi_moderate": self.psi_moderate, "psi_significant": self.psi_significant,
                "wasserstein": self.wasserstein, "jensen_shannon": self.jensen_shannon,
                "dataset_share": self.dataset_share}


@dataclass(frozen=True)
class DatasetVerdict:
    n_features: int
    n_drifted: int
    share_drifted: float
    drift: bool

    @classmethod
    def parse(cls, e: Entries) -> DatasetVerdict:
        return cls(n_features=e.integer("n_features"), n_drifted=e.integer("n_drifted"),
                   share_drifted=e.number("share_drifted"), drift=e.flag("drift"))

    def to_dict(self) -> dict:
        return {"n_features": self.n_features, "n_drifted": self.n_drifted, "share_drifted": self.share_drifted,
                "drift": self.drift}


@dataclass(frozen=True)
class DriftReport:
    """A whole report: per-feature drift ranked by risk, prediction drift, dataset verdict. ``model``,
    ``reference`` and ``current`` are set for a model folder's report (``app.scoring.monitoring``),
    absent from a bare ``drift.drift_report`` of two tables."""

    created_at: str
    reference_rows: int
    current_rows: int
    thresholds: Thresholds
    dataset: DatasetVerdict
    features: tuple[FeatureDrift, ...]
    prediction: FeatureDrift | None = None
    model: ModelSignature | None = None
    reference: Sample | None = None
    current: Sample | None = None
    version: int = REPORT_VERSION

    @classmethod
    def from_dict(cls, data: Any) -> DriftReport:
        """Parse a report as read from JSON; :class:`ArtefactError` names the first bad entry."""
        if not isinstance(data, Mapping):
            raise ArtefactError(f"the {ARTEFACT} is not a JSON object")
        version = format_version(data, key="version", readable=READABLE_VERSIONS, artefact=ARTEFACT, remedy=REMEDY)
        e = Entries(data, ARTEFACT)
        prediction, model = e.section("prediction", optional=True), e.section("model", optional=True)
        reference, current = e.section("reference", optional=True), e.section("current", optional=True)
        return cls(
            created_at=e.text("created_at"), reference_rows=e.integer("reference_rows"),
            current_rows=e.integer("current_rows"), thresholds=Thresholds.parse(e.section("thresholds")),
            dataset=DatasetVerdict.parse(e.section("dataset")),
            features=tuple(FeatureDrift.parse(f) for f in e.sections("features")),
            prediction=None if prediction is None else FeatureDrift.parse(prediction, prediction=True),
            model=None if model is None else ModelSignature.parse(model),
            reference=None if reference is None else Sample.parse(reference),
            current=None if current is None else Sample.parse(current), version=version,
        )

    def to_dict(self) -> dict:
        """The report as JSON-able dicts, in ``drift.drift_report``'s order of entries."""
        meta = {name: part.to_dict() for name, part in
                (("model", self.model), ("reference", self.reference), ("current", self.current)) if part is not None}
        return {"version": self.version, "created_at": self.created_at, **meta,
                "reference_rows": self.reference_rows, "current_rows": self.current_rows,
                "thresholds": self.thresholds.to_dict(), "dataset": self.dataset.to_dict(),
                "features": [f.to_dict() for f in self.features],
                "prediction": None if self.prediction is None else self.prediction.to_dict()}

    def row(self, feature: str) -> FeatureDrift | None:
        """The drift of one model input, or of the prediction (``drift.PREDICTION``'s name), if reported."""
        if self.prediction is not None and feature == self.prediction.feature:
            return self.prediction
        return next((f for f in self.features if f.feature == feature), None)
