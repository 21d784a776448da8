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
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from app.scoring.schema import DATE_COLUMN
from app.security.decisions import DecisionRecord

if TYPE_CHECKING:
    from app.scoring.portfolio_sql import SqlPortfolio

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


@dataclasses.dataclass(frozen=True)
class Queue:
    """The first ``limit`` files of the queue, how many there are, and whether all carry a date."""

    items: list[QueueItem]
    total: int
    all_dated: bool


def work_queue(applications: pd.DataFrame, decisions: dict[str, DecisionRecord], viewers: dict[str, str],
               *, username: str | None = None, rows: np.ndarray | None = None, limit: int | None = None) -> Queue:
    """The queue, highest probability first; ``username`` keeps the files assigned to that user only.

    ``applications``: index SK_ID_CURR; PROBA_DEFAULT, DECISION, GRADE, and APPLICATION_DATE when the
    portfolio has it; ``rows``: the positions of the new applications in it (all rows by default),
    so the served frame is passed as it is, never copied. Selected and sorted on arrays, and only
    the ``limit`` files shown become objects: 487,440 new applications (a 10x portfolio) took 3.8 s
    as one object each. (A portfolio in PostgreSQL selects in SQL: :func:`published_queue`.)
    """
    decided, viewed = _by_id(decisions), _by_id(viewers)
    final, theirs = selection(decided, viewed, username)
    ids = applications.index.to_numpy(dtype=np.int64)
    rows = np.arange(len(ids)) if rows is None else np.asarray(rows, dtype=np.int64)
    keep = ~np.isin(ids[rows], final)
    if theirs is not None:
        keep &= np.isin(ids[rows], theirs)
    rows = rows[keep]
    proba = applications["PROBA_DEFAULT"].to_numpy()[rows].astype(np.float64)
    order = np.argsort(-proba, kind="stable")  # ties keep the portfolio's order (by client id)
    dates = _dates(applications, rows)
    chosen = order if limit is None else order[:limit]
    shown = rows[chosen]  # only these rows are read as text and dates, and become objects
    table = pd.DataFrame({"PROBA_DEFAULT": proba[chosen], "DECISION": applications["DECISION"].iloc[shown].to_numpy(),
                          "GRADE": applications["GRADE"].iloc[shown].to_numpy(), DATE_COLUMN: dates[chosen]},
                         index=ids[shown])
    return Queue(queue_of(table, decided, viewed), len(rows), bool(len(rows)) and not bool(np.isnat(dates).any()))


def published_queue(portfolio: SqlPortfolio, decisions: dict[str, DecisionRecord], viewers: dict[str, str],
                    *, username: str | None = None, limit: int | None = None) -> Queue:
    """:func:`work_queue` of a portfolio published in PostgreSQL: selected, counted and sorted there."""
    decided, viewed = _by_id(decisions), _by_id(viewers)
    final, theirs = selection(decided, viewed, username)
    table, total, dated = portfolio.new_applications(final, theirs, limit)
    return Queue(queue_of(table, decided, viewed), total, total > 0 and dated)


def selection(decided: dict[int, DecisionRecord], viewed: dict[int, str],
              username: str | None) -> tuple[np.ndarray, np.ndarray | None]:
    """(ids with a final decision: out of the queue, ids assigned to ``username``: None for everyone)."""
    final = np.array([k for k, v in decided.items() if v.is_final], dtype=np.int64)
    if username is None:
        return final, None
    return final, np.array([k for k in set(decided) | set(viewed) if _assigned(k, decided, viewed) == username],
                           dtype=np.int64)


def queue_of(table: pd.DataFrame, decided: dict[int, DecisionRecord], viewed: dict[int, str]) -> list[QueueItem]:
    """The files shown, in the table's order (index: id; PROBA_DEFAULT, DECISION, GRADE, APPLICATION_DATE)."""
    items = []
    dates = table[DATE_COLUMN].to_numpy(dtype="datetime64[ns]")
    for client_id, proba, recommendation, grade, date in zip(
            table.index.to_numpy(dtype=np.int64), table["PROBA_DEFAULT"].to_numpy(dtype=np.float64),
            table["DECISION"].to_numpy(), table["GRADE"].to_numpy(), dates, strict=True):
        current = decided.get(int(client_id))
        items.append(QueueItem(int(client_id), float(proba), str(recommendation), str(grade),
                               current.status if current is not None else UNDECIDED,
                               _assigned(int(client_id), decided, viewed),
                               None if np.isnat(date) else date.astype("datetime64[D]").item()))
    return items


def _by_id(records: dict) -> dict:
    return {i: v for k, v in records.items() if (i := _as_id(k)) is not None}


def _dates(applications: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """The application dates of ``rows`` as datetime64 (NaT when undated, or without the column)."""
    if DATE_COLUMN not in applications.columns:
        return np.full(len(rows), np.datetime64("NaT"), dtype="datetime64[ns]")
    values = applications[DATE_COLUMN].to_numpy()[rows]
    if values.dtype.kind != "M":  # text dates (a file read without types): parsed, rows only
        values = pd.to_datetime(pd.Series(values)).to_numpy()
    return values


def queue_items(applications: pd.DataFrame, decisions: dict[str, DecisionRecord], viewers: dict[str, str],
                *, username: str | None = None) -> list[QueueItem]:
    """Every file of the queue (:func:`work_queue` without a limit), highest probability first."""
    return work_queue(applications, decisions, viewers, username=username).items


def _as_id(key) -> int | None:
    try:
        return int(key)
    except (TypeError, ValueError):
        return None


def _assigned(client_id: int, decided: dict, viewed: dict) -> str | None:
    """Who recorded the current decision, else who opened the file first."""
    current = decided.get(client_id)
    return current.username if current is not None else viewed.get(client_id)


def age_days(item: QueueItem, loaded_at: dt.datetime, now: dt.datetime) -> int:
    """Whole days since the application was made (its date, a calendar day) or, undated, since the
    applications were loaded; never negative (a date after today reads as 0, not as -3)."""
    if item.applied_on is not None:
        return max(0, (now.astimezone(dt.UTC).date() - item.applied_on).days)
    return max(0, (now - loaded_at).days)


def all_dated(items: list[QueueItem]) -> bool:
    """True when every application carries its own date (the page then says so instead of the file time)."""
    return bool(items) and all(i.applied_on is not None for i in items)
