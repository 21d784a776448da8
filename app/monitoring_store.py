"""Monitoring history in the database: one row per drift run (a month of applications), and the
observed outcomes of past applications.

Why the database and not a file: the drift job runs offline (a PaaS scheduler's one-off dyno, cron)
and its disk is not the web process's; and a file read once and kept by a worker goes stale when the
job rewrites it. Every worker and dyno reads the same rows, on every request, so a new run shows up
without a restart. Tables are declared on the security layer's ``Base`` and created with it
(``app.security.db.init_db``):

- ``monitoring_runs``: period (``YYYY-MM``), which model (``model_key``), source of the current
  sample, sizes, mean probability and model approval rate, the officers' decision rates on those
  applications (from ``decisions``), score drift, per-input drift (JSON) and the full report (JSON,
  for the distributions of the latest month). Append-only: the page reads the latest run per month.
- ``observed_outcomes``: one row per client whose outcome is known (``scripts/record_outcomes.py``),
  with the probability and decision the model gave at the time and the application month, so the
  realised performance needs no portfolio in the web process.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import pandas as pd
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    Index,
    Integer,
    String,
    delete,
    func,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.scoring.drift_report import DriftReport, ModelSignature
from app.scoring.history import DecisionRates, InputDrift, PeriodSummary, decision_rates
from app.security.db import Base, Decision, UTCDateTime, utcnow

#: SQLite's default limit on bound parameters is 999 in old builds: query ids in chunks.
ID_CHUNK = 500


def model_key(signature: ModelSignature) -> str:
    """Which model a row belongs to: a retrained model starts a new history."""
    return f"{signature.created_at}|{signature.data_sha256}"


class MonitoringRun(Base):
    __tablename__ = "monitoring_runs"
    __table_args__ = (Index("ix_monitoring_runs_model_period", "model_key", "period", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    model_key: Mapped[str] = mapped_column(String(160), nullable=False)
    period: Mapped[str] = mapped_column(String(7), nullable=False)
    source: Mapped[str] = mapped_column(String(200), nullable=False)
    reference: Mapped[str] = mapped_column(String(64), nullable=False)
    n_applications: Mapped[int] = mapped_column(Integer, nullable=False)
    reference_rows: Mapped[int] = mapped_column(Integer, nullable=False)
    mean_proba: Mapped[float] = mapped_column(Float, nullable=False)
    approval_rate: Mapped[float] = mapped_column(Float, nullable=False)
    n_decisions: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    override_rate: Mapped[float | None] = mapped_column(Float, nullable=True)
    granted_rate: Mapped[float | None] = mapped_column(Float, nullable=True)
    score_psi: Mapped[float | None] = mapped_column(Float, nullable=True)
    score_drift: Mapped[float | None] = mapped_column(Float, nullable=True)
    score_drifted: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    n_drifted: Mapped[int | None] = mapped_column(Integer, nullable=True)
    n_features: Mapped[int | None] = mapped_column(Integer, nullable=True)
    inputs: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    report: Mapped[dict | None] = mapped_column(JSON(none_as_null=True), nullable=True)


class ObservedOutcome(Base):
    __tablename__ = "observed_outcomes"
    __table_args__ = (Index("ix_observed_outcomes_model_period", "model_key", "application_period"),)

    client_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    target: Mapped[int] = mapped_column(Integer, nullable=False)
    outcome_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    application_period: Mapped[str | None] = mapped_column(String(7), nullable=True)
    proba_default: Mapped[float] = mapped_column(Float, nullable=False)
    decision: Mapped[str] = mapped_column(String(16), nullable=False)
    model_key: Mapped[str] = mapped_column(String(160), nullable=False)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


def store_run(engine: Engine, key: str, summary: PeriodSummary, *, source: str, reference: str,
              report: DriftReport | None) -> int:
    """Append one run; returns its id."""
    d = summary.decisions
    row = MonitoringRun(
        model_key=key, period=summary.period, source=source[:200], reference=reference[:64],
        n_applications=summary.n_applications, reference_rows=summary.reference_rows,
        mean_proba=summary.mean_proba, approval_rate=summary.approval_rate, n_decisions=d.n_decisions,
        override_rate=d.override_rate, granted_rate=d.granted_rate, score_psi=summary.score_psi,
        score_drift=summary.score_drift, score_drifted=summary.score_drifted, n_drifted=summary.n_drifted,
        n_features=summary.n_features, inputs=[i.to_dict() for i in summary.inputs],
        report=report.to_dict() if report is not None else None, created_at=utcnow())
    with Session(engine) as session, session.begin():
        session.add(row)
        session.flush()
        return row.id


def _summary(row: MonitoringRun) -> PeriodSummary:
    return PeriodSummary(
        period=row.period, n_applications=row.n_applications, reference_rows=row.reference_rows,
        mean_proba=row.mean_proba, approval_rate=row.approval_rate,
        decisions=DecisionRates(row.n_decisions, row.override_rate, row.granted_rate),
        score_psi=row.score_psi, score_drift=row.score_drift, score_drifted=row.score_drifted,
        n_drifted=row.n_drifted, n_features=row.n_features,
        inputs=tuple(InputDrift.from_dict(i) for i in row.inputs or ()))


def _latest_ids(key: str):
    return select(func.max(MonitoringRun.id)).where(MonitoringRun.model_key == key).group_by(MonitoringRun.period)


def history(engine: Engine, key: str) -> list[PeriodSummary]:
    """The latest run of every month of this model, oldest month first (the full reports not loaded)."""
    columns = [c for c in MonitoringRun.__table__.columns if c.name != "report"]
    query = select(*columns).where(MonitoringRun.id.in_(_latest_ids(key))).order_by(MonitoringRun.period)
    with engine.connect() as connection:
        return [_summary(MonitoringRun(**row._mapping)) for row in connection.execute(query)]


def latest_report(engine: Engine, key: str) -> tuple[str, DriftReport] | None:
    """(month, full drift report) of the most recent month that has one, or None."""
    query = (select(MonitoringRun.period, MonitoringRun.report)
             .where(MonitoringRun.id.in_(_latest_ids(key)), MonitoringRun.report.is_not(None))
             .order_by(MonitoringRun.period.desc()).limit(1))
    with engine.connect() as connection:
        row = connection.execute(query).first()
    return None if row is None else (row.period, DriftReport.from_dict(row.report))


def has_history(engine: Engine, key: str) -> bool:
    with engine.connect() as connection:
        return connection.execute(select(MonitoringRun.id).where(MonitoringRun.model_key == key).limit(1)).first() \
            is not None


def period_decisions(engine: Engine, client_ids: Sequence[object]) -> DecisionRates:
    """The officers' latest decision on each of these clients (the month's applications)."""
    ids = [str(c) for c in client_ids]
    latest: dict[str, tuple[dt.datetime, int, bool, str]] = {}
    with engine.connect() as connection:
        for start in range(0, len(ids), ID_CHUNK):
            query = select(Decision.client_id, Decision.at, Decision.id, Decision.overridden,
                           Decision.final_decision).where(Decision.client_id.in_(ids[start:start + ID_CHUNK]))
            for client, at, row_id, overridden, final in connection.execute(query):
                if client not in latest or (at, row_id) > latest[client][:2]:
                    latest[client] = (at, row_id, overridden, final)
    return decision_rates((c, v[2], v[3]) for c, v in latest.items())


def store_outcomes(engine: Engine, rows: Iterable[dict]) -> int:
    """Insert or replace the outcome of each client (a later file corrects an earlier one)."""
    rows = list(rows)
    with Session(engine) as session, session.begin():
        ids = [r["client_id"] for r in rows]
        for start in range(0, len(ids), ID_CHUNK):
            session.execute(delete(ObservedOutcome).where(ObservedOutcome.client_id.in_(ids[start:start + ID_CHUNK])))
        session.add_all(ObservedOutcome(recorded_at=utcnow(), **r) for r in rows)
    return len(rows)


def outcomes(engine: Engine, key: str) -> pd.DataFrame:
    """Observed outcomes of this model's applications: period, TARGET, PROBA_DEFAULT, DECISION."""
    query = (select(ObservedOutcome.application_period, ObservedOutcome.target, ObservedOutcome.proba_default,
                    ObservedOutcome.decision)
             .where(ObservedOutcome.model_key == key, ObservedOutcome.application_period.is_not(None)))
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return pd.DataFrame(rows, columns=["period", "TARGET", "PROBA_DEFAULT", "DECISION"])
