"""Monitoring over time (pure domain): one summary per application month, and the alert rule.

A drift report compares two samples once; a manager needs the *trend*: month by month, how far the
applications of that month moved from the portfolio the model learned on, what the model made of
them (mean probability, share it would grant) and what the officers did (share of overrides).
:class:`PeriodSummary` is that month as stored in the database (``app.monitoring_store``) and read by
the monitoring page; it keeps per-input figures only (the histograms stay in the month's full report).

Dates: applications carry ``APPLICATION_DATE`` when the portfolio or the file has one (the demo
does); real Home Credit files have none, so the scripts date a whole sample with an explicit
``--as-of YYYY-MM-DD`` (:func:`parse_day`).

Rules (constants below, written on the page next to the banner):

- a month with fewer than ``MIN_COHORT_SIZE`` (20) applications is not described at all (privacy
  floor); from 20 to ``MIN_DRIFT_SAMPLE`` - 1 (299) it has its rates but no drift figures (on so few
  applications chance reads as drift, see :mod:`app.scoring.drift`);
- the **banner** follows the worst of the score drift and of the drift of the *important* inputs,
  the ``IMPORTANT_INPUTS`` (10) inputs the model relies on most (largest mean |SHAP|), not the
  share of drifted inputs: 40 negligible inputs may stay stable while the strongest one moves.
  Alert when the score or an important input drifted (drift score >= 1: PSI >= 0.2 or its
  Wasserstein / Jensen-Shannon test over 0.1); watch when one of them has a PSI >= 0.1; else stable.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from app.scoring.drift import MIN_DRIFT_SAMPLE, PSI_MODERATE
from app.scoring.drift_report import DriftReport
from app.scoring.privacy import MIN_COHORT_SIZE

DATE_COLUMN = "APPLICATION_DATE"
IMPORTANT_INPUTS = 10
TOP_INPUTS = 10
LEVELS = ("stable", "watch", "alert")


def parse_day(text: str) -> dt.date:
    """``YYYY-MM-DD`` as a date; ``ValueError`` with the expected form otherwise."""
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a date of the form YYYY-MM-DD") from None


def parse_period(text: str) -> str:
    """``YYYY-MM`` checked and normalised; ``ValueError`` otherwise."""
    try:
        return dt.datetime.strptime(str(text).strip(), "%Y-%m").strftime("%Y-%m")
    except ValueError:
        raise ValueError(f"{text!r} is not a month of the form YYYY-MM") from None


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """First and last day of a ``YYYY-MM`` month."""
    first = dt.datetime.strptime(period, "%Y-%m").date()
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def application_months(dates: Any) -> pd.Series:
    """``YYYY-MM`` of each application date (missing or unreadable dates give a missing month)."""
    parsed = pd.to_datetime(pd.Series(dates), errors="coerce")
    return parsed.dt.strftime("%Y-%m").astype(object).where(parsed.notna(), None)


def describable(n: int) -> bool:
    """A month is described from ``MIN_COHORT_SIZE`` applications on."""
    return n >= MIN_COHORT_SIZE


def drift_computable(n: int) -> bool:
    return n >= MIN_DRIFT_SAMPLE


@dataclass(frozen=True)
class InputDrift:
    """One model input's drift in one month (``importance``: mean |SHAP| relative to the strongest)."""

    feature: str
    psi: float | None
    drift_score: float | None
    importance: float
    risk: float | None
    drifted: bool
    important: bool

    def to_dict(self) -> dict:
        return {"feature": self.feature, "psi": self.psi, "drift_score": self.drift_score,
                "importance": self.importance, "risk": self.risk, "drifted": self.drifted,
                "important": self.important}

    @classmethod
    def from_dict(cls, data: dict) -> InputDrift:
        return cls(feature=str(data["feature"]), psi=_opt(data.get("psi")), drift_score=_opt(data.get("drift_score")),
                   importance=float(data.get("importance") or 0.0), risk=_opt(data.get("risk")),
                   drifted=bool(data.get("drifted")), important=bool(data.get("important")))


def _opt(value: Any) -> float | None:
    return None if value is None or not np.isfinite(float(value)) else float(value)


@dataclass(frozen=True)
class DecisionRates:
    """What the officers did with the month's applications (latest logged decision per client)."""

    n_decisions: int
    override_rate: float | None
    granted_rate: float | None


def decision_rates(decisions: Iterable[tuple[str, bool, str]]) -> DecisionRates:
    """``decisions``: (client id, overridden, final decision) of the month's clients, latest per client.
    Rates under the privacy floor are None (the count stays)."""
    rows = list(decisions)
    n = len(rows)
    if n < MIN_COHORT_SIZE:
        return DecisionRates(n, None, None)
    return DecisionRates(n, sum(bool(r[1]) for r in rows) / n, sum(r[2] == "granted" for r in rows) / n)


@dataclass(frozen=True)
class PeriodSummary:
    """One month of monitoring, as stored. Drift figures are None below ``MIN_DRIFT_SAMPLE``."""

    period: str
    n_applications: int
    reference_rows: int
    mean_proba: float
    approval_rate: float
    decisions: DecisionRates
    score_psi: float | None = None
    score_drift: float | None = None
    score_drifted: bool | None = None
    n_drifted: int | None = None
    n_features: int | None = None
    inputs: tuple[InputDrift, ...] = ()

    @property
    def has_drift(self) -> bool:
        return self.score_drift is not None or bool(self.inputs)


def summarise(period: str, proba: Sequence[float] | np.ndarray, threshold: float, reference_rows: int,
              report: DriftReport | None, decisions: DecisionRates) -> PeriodSummary:
    """The month's summary from its scored applications and, when computable, its drift report."""
    p = np.asarray(proba, dtype=float)
    if not describable(len(p)):
        raise ValueError(f"{period}: {len(p)} applications, fewer than {MIN_COHORT_SIZE}: not described")
    base = PeriodSummary(period=period, n_applications=int(len(p)), reference_rows=int(reference_rows),
                         mean_proba=float(np.mean(p)), approval_rate=float(np.mean(p < threshold)),
                         decisions=decisions)
    if report is None:
        return base
    by_importance = sorted(report.features, key=lambda f: -(f.importance or 0.0))
    important = {f.feature for f in by_importance[:IMPORTANT_INPUTS]}
    inputs = tuple(InputDrift(feature=f.feature, psi=f.psi, drift_score=f.drift_score,
                              importance=float(f.importance or 0.0), risk=f.risk, drifted=f.drifted,
                              important=f.feature in important) for f in report.features)
    pred = report.prediction
    return dataclasses.replace(
        base, score_psi=pred.psi if pred else None, score_drift=pred.drift_score if pred else None,
        score_drifted=pred.drifted if pred else None, n_drifted=report.dataset.n_drifted,
        n_features=report.dataset.n_features, inputs=inputs)


@dataclass(frozen=True)
class Banner:
    """The level of a month and what set it: the worst important input (or the score)."""

    level: str
    cause: str | None  # "score", an input's name, or None when stable
    psi: float | None
    drift_score: float | None


def banner(summary: PeriodSummary) -> Banner | None:
    """The rule of the module docstring; None when the month has no drift figures."""
    if not summary.has_drift:
        return None
    candidates: list[tuple[str, float | None, float | None]] = [
        (i.feature, i.psi, i.drift_score) for i in summary.inputs if i.important]
    if summary.score_drift is not None:
        candidates.append(("score", summary.score_psi, summary.score_drift))

    def severity(c: tuple[str, float | None, float | None]) -> tuple[int, float]:
        _, psi, score = c
        level = 2 if (score or 0.0) >= 1.0 else 1 if (psi or 0.0) >= PSI_MODERATE else 0
        return level, score or 0.0

    worst = max(candidates, key=severity)
    level = severity(worst)[0]
    return Banner(LEVELS[level], worst[0] if level else None, worst[1], worst[2])


def ranked_inputs(summaries: Sequence[PeriodSummary], top: int = TOP_INPUTS) -> list[str]:
    """The ``top`` inputs by risk (drift score x importance) in the latest month with drift figures."""
    latest = next((s for s in reversed(summaries) if s.inputs), None)
    if latest is None:
        return []
    ordered = sorted((i for i in latest.inputs if i.risk is not None), key=lambda i: -(i.risk or 0.0))
    return [i.feature for i in ordered[:top]]
