"""Managers' view of the decision log (pure domain, no Dash): filters, override rates, agreement over time.

Rates and counts are read from ``decision_counts`` (one row per officer x decision x followed x
reason x grade x month, kept in step with each decision), not by scanning the log: at 100,000
decisions a full scan per table took 0.4-0.5 s on this machine, five per filter change
(``scripts/benchmark_decisions.py``). The listed decisions come from the log itself, newest first. A rate over fewer than ``MIN_COHORT_SIZE`` decisions is not
given (None): a rate over a handful of decisions reads as a pattern and points at one officer's cases.
Every decision row counts, revisions included: each is an act somebody performed.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re

from sqlalchemy import Select, case, delete, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.scoring.privacy import MIN_COHORT_SIZE
from app.security.db import Decision, DecisionCount
from app.security.decisions import FINAL_DECISIONS, OVERRIDE_REASONS, DecisionRecord, attach_reviews

MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
GROUPINGS = {"officer": DecisionCount.username, "reason": DecisionCount.reason, "grade": DecisionCount.grade,
             "month": DecisionCount.month}


@dataclasses.dataclass(frozen=True)
class DecisionFilter:
    """What a manager narrows the log to; None means "any". Values come from the network: see :meth:`parse`."""

    officer: str | None = None
    final_decision: str | None = None
    overridden: bool | None = None
    reason: str | None = None
    grade: str | None = None
    month: str | None = None  # "2026-12"

    @classmethod
    def parse(cls, officer=None, final_decision=None, overridden=None, reason=None, grade=None, month=None):
        """Keep only well-formed values (anything else means "any": never an error, never a 500)."""
        def text(value, allowed=None, max_len=64):
            if not isinstance(value, str) or not value.strip() or len(value) > max_len:
                return None
            value = value.strip()
            return value if allowed is None or value in allowed else None

        return cls(officer=text(officer), final_decision=text(final_decision, FINAL_DECISIONS),
                   overridden={"yes": True, "no": False}.get(overridden) if isinstance(overridden, str) else None,
                   reason=text(reason, OVERRIDE_REASONS), grade=text(grade, None, 4),
                   month=month if isinstance(month, str) and MONTH_RE.match(month) else None)


def _month_range(month: str) -> tuple[dt.datetime, dt.datetime]:
    year, number = int(month[:4]), int(month[5:7])
    start = dt.datetime(year, number, 1, tzinfo=dt.UTC)
    return start, dt.datetime(year + number // 12, number % 12 + 1, 1, tzinfo=dt.UTC)


def _log_conditions(f: DecisionFilter) -> list:
    """The filter on the log itself (the month as a date range: the index on the date serves it)."""
    conditions = []
    if f.officer:
        conditions.append(Decision.username == f.officer)
    if f.final_decision:
        conditions.append(Decision.final_decision == f.final_decision)
    if f.overridden is not None:
        conditions.append(Decision.overridden.is_(f.overridden))
    if f.reason:
        conditions.append(Decision.reason == f.reason)
    if f.grade:
        conditions.append(Decision.grade == f.grade)
    if f.month:
        start, end = _month_range(f.month)
        conditions += [Decision.at >= start, Decision.at < end]
    return conditions


def _cell_conditions(f: DecisionFilter) -> list:
    conditions = []
    for value, column in ((f.officer, DecisionCount.username), (f.final_decision, DecisionCount.final_decision),
                          (f.reason, DecisionCount.reason), (f.grade, DecisionCount.grade), (f.month, DecisionCount.month)):
        if value:
            conditions.append(column == value)
    if f.overridden is not None:
        conditions.append(DecisionCount.overridden.is_(f.overridden))
    return conditions


def rebuild_counts(engine: Engine) -> None:
    """Recount every cell from the log (after a bulk load that bypassed ``record_decision``)."""
    month = ("to_char(timezone('UTC', at), 'YYYY-MM')" if engine.dialect.name == "postgresql"
             else "strftime('%Y-%m', at)")
    with engine.begin() as connection:
        connection.execute(delete(DecisionCount))
        connection.execute(text(
            "INSERT INTO decision_counts (username, final_decision, overridden, reason, grade, month, n) "
            f"SELECT username, final_decision, overridden, COALESCE(reason, ''), COALESCE(grade, ''), {month}, COUNT(*) "
            f"FROM decisions GROUP BY username, final_decision, overridden, COALESCE(reason, ''), "
            f"COALESCE(grade, ''), {month}"))


@dataclasses.dataclass(frozen=True)
class RateRow:
    key: str | None
    decisions: int
    overrides: int

    @property
    def rate(self) -> float | None:
        """Share overridden, or None under the privacy floor (too few decisions to say)."""
        return self.overrides / self.decisions if self.decisions >= MIN_COHORT_SIZE else None


def _grouped(f: DecisionFilter, by: str, followed: bool) -> Select:
    column = GROUPINGS[by]
    total = func.sum(DecisionCount.n)
    flagged = func.sum(case((DecisionCount.overridden.is_(not followed), DecisionCount.n), else_=0))
    return select(column, total, flagged).where(*_cell_conditions(f)).group_by(column)


def override_rates(engine: Engine, f: DecisionFilter, by: str) -> list[RateRow]:
    """Decisions and overrides per officer, reason or grade, most decisions first ("" reason: none)."""
    with Session(engine) as session:
        rows = [RateRow(key or None, int(n), int(o or 0)) for key, n, o in session.execute(_grouped(f, by, False))]
    return sorted(rows, key=lambda r: (-r.decisions, r.key or ""))


def agreement_by_month(engine: Engine, f: DecisionFilter) -> list[RateRow]:
    """Per month: decisions and those that FOLLOWED the model (``overrides`` holds the agreements here)."""
    with Session(engine) as session:
        rows = [RateRow(key, int(n), int(a or 0)) for key, n, a in session.execute(_grouped(f, "month", True))]
    return sorted(rows, key=lambda r: r.key or "")


def filtered_decisions(engine: Engine, f: DecisionFilter, limit: int = 200,
                       offset: int = 0) -> tuple[int, list[DecisionRecord]]:
    """(how many decisions match, ``limit`` of them newest first from ``offset``: one page of the table)."""
    with Session(engine) as session:
        total = session.scalar(select(func.coalesce(func.sum(DecisionCount.n), 0)).where(*_cell_conditions(f))) or 0
        rows = session.scalars(select(Decision).where(*_log_conditions(f)).order_by(Decision.id.desc())
                               .offset(max(0, offset)).limit(limit))
        return int(total), attach_reviews(session, rows)


def officers(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return sorted(session.scalars(select(DecisionCount.username).distinct()))
