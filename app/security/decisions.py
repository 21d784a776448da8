"""Decision log (pure domain, no Dash): the officer's final decision on a client file.

The officer either follows the model or overrides it; an override must say why, from a fixed
list (so overrides can be counted and reviewed by reason), plus a free note. History is
append-only: a new decision supersedes an old one, nothing is edited or deleted.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import unicodedata

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.security.db import Decision, utcnow

DECISIONS = ("granted", "refused")
#: Why an officer may depart from the model (i18n labels: "decision.reason.<code>").
OVERRIDE_REASONS = (
    "additional_income",
    "guarantor_or_collateral",
    "client_history",
    "recent_incident",
    "incomplete_or_inconsistent_file",
    "policy_exception",
    "other",
)
MAX_NOTE_CHARS = 1000
MAX_CLIENT_ID_CHARS = 64


class DecisionError(ValueError):
    """Input refused; ``code`` is an i18n key suffix ("decision.error.<code>") for the UI."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclasses.dataclass(frozen=True)
class DecisionRecord:
    id: int
    client_id: str
    at: dt.datetime
    username: str
    model_decision: str
    final_decision: str
    overridden: bool
    reason: str | None
    note: str


def _record(row: Decision) -> DecisionRecord:
    return DecisionRecord(row.id, row.client_id, row.at, row.username, row.model_decision,
                          row.final_decision, row.overridden, row.reason, row.note)


def clean_note(note: str | None) -> str:
    """Strip control characters (PostgreSQL rejects NUL) but keep the text as typed otherwise.

    Markup is NOT removed: the note is stored as text and escaped when displayed.
    """
    if note is None:
        return ""
    if not isinstance(note, str):
        raise DecisionError("note_invalid", "the note must be text")
    kept = "".join(ch for ch in note if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    return kept.strip()


def check_client_id(client_id: object) -> str:
    text = str(client_id).strip() if client_id is not None else ""
    if not text or len(text) > MAX_CLIENT_ID_CHARS or any(unicodedata.category(c) == "Cc" for c in text):
        raise DecisionError("client_invalid", f"invalid client id (1-{MAX_CLIENT_ID_CHARS} printable characters)")
    return text


def validate_decision(model_decision: str, final_decision: str, reason: str | None, note: str | None) -> tuple[bool, str | None, str]:
    """Return (overridden, reason, note) or raise DecisionError with a clear message."""
    if model_decision not in DECISIONS:
        raise DecisionError("model_invalid", f"model decision must be one of {DECISIONS}, got {model_decision!r}")
    if final_decision not in DECISIONS:
        raise DecisionError("final_invalid", f"final decision must be one of {DECISIONS}, got {final_decision!r}")
    note = clean_note(note)
    if len(note) > MAX_NOTE_CHARS:
        raise DecisionError("note_too_long", f"the note is limited to {MAX_NOTE_CHARS} characters (got {len(note)})")
    overridden = final_decision != model_decision
    if not overridden:
        return False, None, note  # following the model needs no reason
    if not reason:
        raise DecisionError("reason_required", "overriding the model requires a reason")
    if reason not in OVERRIDE_REASONS:
        raise DecisionError("reason_invalid", f"unknown override reason {reason!r}")
    if reason == "other" and not note:
        raise DecisionError("note_required", "the reason 'other' requires a note explaining it")
    return True, reason, note


def record_decision(engine: Engine, *, client_id: object, username: str, model_decision: str,
                    final_decision: str, reason: str | None = None, note: str | None = None,
                    now: dt.datetime | None = None) -> DecisionRecord:
    """Validate and append one decision; returns the stored record."""
    client = check_client_id(client_id)
    overridden, reason, note = validate_decision(model_decision, final_decision, reason, note)
    if not username:
        raise DecisionError("user_missing", "a decision must be attributed to a logged-in user")
    row = Decision(client_id=client, at=now or utcnow(), username=username[:64], model_decision=model_decision,
                   final_decision=final_decision, overridden=overridden, reason=reason, note=note)
    with Session(engine) as session, session.begin():
        session.add(row)
        session.flush()
        return _record(row)


def decision_history(engine: Engine, client_id: object, limit: int = 100) -> list[DecisionRecord]:
    """Decisions on one client, newest first."""
    client = check_client_id(client_id)
    query = (select(Decision).where(Decision.client_id == client)
             .order_by(Decision.at.desc(), Decision.id.desc()).limit(limit))
    with Session(engine) as session:
        return [_record(r) for r in session.scalars(query)]
