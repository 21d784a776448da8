"""Audit trail: who looked at which client file, who exported what, and when (UTC).

``record_audit`` is pure storage (explicit engine and username). ``audit`` is the one-line
call for pages; it takes the logged-in user and the database from the current request.

Outside a request (unit tests calling a callback as a plain function, scripts) ``audit``
records nothing and returns False: there is no user to attribute the access to, and tests
must not need a database. Inside a request a storage error propagates (fail closed): a
client file whose viewing cannot be recorded is not shown.
"""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.security.db import AuditEvent, utcnow
from app.security.logs import log_event

#: Actions used by the pages (free strings are accepted, these keep the log consistent).
VIEW_CLIENT = "client.view"
EXPORT = "export"
LETTER = "client.letter"  # a client letter printed or downloaded (target: the client id)
DECISION = "decision.record"
LOGIN = "auth.login"
LOGIN_FAILED = "auth.login_failed"
LOGOUT = "auth.logout"
REVIEW = "decision.review"  # a manager approves or rejects an override
ACCOUNT = "account.change"  # an admin creates, changes, disables, enables an account or resets its password
ACCESS_DENIED = "access.denied"  # a page or callback the role may not open
CALLBACK_REFUSED = "access.malformed"  # a callback request that matches no registered callback exactly

MAX_DETAILS_CHARS = 4000


def _clean_details(details: dict | None) -> dict | None:
    """JSON-serialisable copy of ``details`` (non-JSON values as text), bounded in size."""
    if details is None:
        return None
    if not isinstance(details, dict):
        raise TypeError("audit details must be a dict (e.g. the filter of an export)")
    text = json.dumps(details, default=str, ensure_ascii=False, sort_keys=True)
    if len(text) > MAX_DETAILS_CHARS:
        return {"truncated": text[:MAX_DETAILS_CHARS]}
    return json.loads(text)


def record_audit(engine: Engine, username: str, action: str, target: str, details: dict | None = None) -> AuditEvent:
    """Store one audit event and log it as a JSON line (username, action, target only)."""
    if not action or not isinstance(action, str):
        raise ValueError("audit action must be a non-empty string")
    event = AuditEvent(at=utcnow(), username=str(username)[:64], action=action[:64], target=str(target)[:200],
                       details=_clean_details(details))
    with Session(engine, expire_on_commit=False) as session, session.begin():
        session.add(event)
    log_event("audit", username=event.username, action=event.action, target=event.target)
    return event


def record_audit_throttled(engine: Engine, username: str, action: str, target: str, details: dict | None = None,
                           *, seconds: int = 60) -> AuditEvent | None:
    """Record, unless the same user's same action on the same target already is, within ``seconds``.

    For refusals (a forbidden page, a forged callback): a script repeating one in a loop must not grow
    the audit table without limit, while the first attempt, and again each minute, is kept. The JSON
    log line of every refusal is written by the caller either way.
    """
    since = utcnow() - dt.timedelta(seconds=seconds)
    recent = select(AuditEvent.id).where(AuditEvent.username == str(username)[:64], AuditEvent.action == action,
                                         AuditEvent.target == str(target)[:200], AuditEvent.at > since).limit(1)
    with Session(engine) as session:
        if session.scalar(recent) is not None:
            return None
    return record_audit(engine, username, action, target, details)


def audit_events(engine: Engine, *, target: str | None = None, username: str | None = None,
                 action: str | None = None, limit: int = 200) -> list[AuditEvent]:
    """Newest-first audit events, optionally filtered (for the admin page and the tests)."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    if target is not None:
        query = query.where(AuditEvent.target == target)
    if username is not None:
        query = query.where(AuditEvent.username == username)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    with Session(engine, expire_on_commit=False) as session:
        return list(session.scalars(query))


def audit(action: str, target: str, details: dict | None = None) -> bool:
    """Record ``action`` on ``target`` by the logged-in user; False (nothing stored) outside a request.

    Example, in a client-page callback: ``audit(VIEW_CLIENT, client_id)``; in an export callback:
    ``audit(EXPORT, "portfolio", {"filter": filters})``.
    """
    from app.security.web import current_account, current_engine  # Flask side, optional

    engine = current_engine()
    if engine is None:
        return False
    account = current_account()
    record_audit(engine, account.username if account else "anonymous", action, target, details)
    return True


def first_viewers(engine: Engine) -> dict[str, str]:
    """Client id -> the user who opened that file first (the work queue's "assigned to").

    Assignment is simply who picked the file up first: no separate claim table to keep in step.
    """
    first = select(func.min(AuditEvent.id)).where(AuditEvent.action == VIEW_CLIENT).group_by(AuditEvent.target)
    query = select(AuditEvent.target, AuditEvent.username).where(AuditEvent.id.in_(first.scalar_subquery()))
    with Session(engine) as session:
        return {target: username for target, username in session.execute(query)}


def recent_files(engine: Engine, username: str, limit: int = 10) -> list[tuple[str, dt.datetime]]:
    """The client files ``username`` opened most recently: (client id, last opened), newest first."""
    last = func.max(AuditEvent.at)
    query = (select(AuditEvent.target, last).where(AuditEvent.action == VIEW_CLIENT, AuditEvent.username == username)
             .group_by(AuditEvent.target).order_by(last.desc()).limit(limit))
    with Session(engine) as session:
        rows = session.execute(query).all()
    return [(target, at if at.tzinfo else at.replace(tzinfo=dt.UTC)) for target, at in rows]


def search_events(engine: Engine, *, username: str | None = None, action: str | None = None,
                  target: str | None = None, start: dt.datetime | None = None, end: dt.datetime | None = None,
                  offset: int = 0, limit: int = 50) -> tuple[int, list[AuditEvent]]:
    """(number of matching events, one page of them newest first) for the audit page; read-only."""
    conditions = []
    if username:
        conditions.append(AuditEvent.username == username)
    if action:
        conditions.append(AuditEvent.action == action)
    if target:
        conditions.append(AuditEvent.target == target)
    if start is not None:
        conditions.append(AuditEvent.at >= start)
    if end is not None:
        conditions.append(AuditEvent.at < end)
    with Session(engine, expire_on_commit=False) as session:
        total = session.scalar(select(func.count(AuditEvent.id)).where(*conditions)) or 0
        page = session.scalars(select(AuditEvent).where(*conditions).order_by(AuditEvent.id.desc())
                               .offset(max(0, offset)).limit(limit))
        return int(total), list(page)


def event_actions(engine: Engine) -> list[str]:
    """The event types present in the trail (the audit page's filter list)."""
    with Session(engine) as session:
        return sorted(session.scalars(select(AuditEvent.action).distinct()))
