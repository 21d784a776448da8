"""The officer's work queue (pure domain, no Dash): new applications that still need a decision.

A file is in the queue while it has no final decision: no decision yet, an override awaiting a
manager's approval, or one a manager rejected (back to its officer for a revision). "Assigned to"
is who opened the file first (audit trail), or, once decided, who recorded its current decision.
An application's age counts from its own ``APPLICATION_DATE`` when the portfolio dates it; from
when the portfolio file was loaded otherwise (older portfolios, files without dates).
"""
from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd

from app.scoring.schema import DATE_COLUMN
from app.security.decisions import DecisionRecord

UNDECIDED = "undecided"


@dataclasses.dataclass(frozen=True)
class QueueItem:
    client_id: int
    proba: float
    recommendation: str  # "granted" / "refused"
    grade: str
    status: str  # "undecided", "pending", "rejected"
    assigned_to: str | None
    applied_on: dt.date | None = None  # the application's own date, when the data carry one


def queue_items(applications: pd.DataFrame, decisions: dict[str, DecisionRecord], viewers: dict[str, str],
                *, username: str | None = None) -> list[QueueItem]:
    """The queue, highest probability first; ``username`` keeps the files assigned to that user only.

    ``applications``: the portfolio's new applications (index SK_ID_CURR; PROBA_DEFAULT, DECISION, GRADE,
    and APPLICATION_DATE when the portfolio has it).
    """
    items = []
    dates = (pd.to_datetime(applications[DATE_COLUMN]) if DATE_COLUMN in applications.columns
             else pd.Series(pd.NaT, index=applications.index, dtype="datetime64[ns]"))
    for client_id, proba, recommendation, grade, date in zip(
            applications.index, applications["PROBA_DEFAULT"], applications["DECISION"], applications["GRADE"], dates,
            strict=True):
        key = str(int(client_id))
        current = decisions.get(key)
        if current is not None and current.is_final:
            continue
        assigned = current.username if current is not None else viewers.get(key)
        if username is not None and assigned != username:
            continue
        items.append(QueueItem(int(client_id), float(proba), str(recommendation), str(grade),
                               current.status if current is not None else UNDECIDED, assigned,
                               None if pd.isna(date) else date.date()))
    items.sort(key=lambda i: -i.proba)
    return items


def age_days(item: QueueItem, loaded_at: dt.datetime, now: dt.datetime) -> int:
    """Whole days since the application was made (its date, a calendar day) or, undated, since the
    applications were loaded; never negative (a date after today reads as 0, not as -3)."""
    if item.applied_on is not None:
        return max(0, (now.astimezone(dt.UTC).date() - item.applied_on).days)
    return max(0, (now - loaded_at).days)


def all_dated(items: list[QueueItem]) -> bool:
    """True when every application carries its own date (the page then says so instead of the file time)."""
    return bool(items) and all(i.applied_on is not None for i in items)
