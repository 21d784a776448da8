"""The officer's work queue (pure domain, no Dash): new applications that still need a decision.

A file is in the queue while it has no final decision: no decision yet, an override awaiting a
manager's approval, or one a manager rejected (back to its officer for a revision). "Assigned to"
is who opened the file first (audit trail), or, once decided, who recorded its current decision.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd

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


def queue_items(applications: pd.DataFrame, decisions: dict[str, DecisionRecord], viewers: dict[str, str],
                *, username: str | None = None) -> list[QueueItem]:
    """The queue, highest probability first; ``username`` keeps the files assigned to that user only.

    ``applications``: the portfolio's new applications (index SK_ID_CURR; PROBA_DEFAULT, DECISION, GRADE).
    """
    items = []
    for client_id, proba, recommendation, grade in zip(applications.index, applications["PROBA_DEFAULT"],
                                                        applications["DECISION"], applications["GRADE"], strict=True):
        key = str(int(client_id))
        current = decisions.get(key)
        if current is not None and current.is_final:
            continue
        assigned = current.username if current is not None else viewers.get(key)
        if username is not None and assigned != username:
            continue
        items.append(QueueItem(int(client_id), float(proba), str(recommendation), str(grade),
                               current.status if current is not None else UNDECIDED, assigned))
    items.sort(key=lambda i: -i.proba)
    return items


def age_days(loaded_at: dt.datetime, now: dt.datetime) -> int:
    """Whole days since the applications were loaded (the data carry no application date of their own)."""
    return max(0, (now - loaded_at).days)
