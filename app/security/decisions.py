"""Decision log (pure domain, no Dash): the officer's final decision on a client file, and its review.

The officer follows the model, overrides it, or grants with modified loan terms; an override must say
why, from a fixed list (so overrides can be counted and reviewed by reason), plus a free note.

* **Append-only.** A row is never updated nor deleted. Changing a decision is a new row that names
  the one it revises (``revises_id``, unique: two people revising the same decision at once cannot
  both succeed) and says why (``revision_reason``).
* **Traceable.** Each row keeps the model version, probability, threshold, grade and reasons the
  officer saw (:class:`ModelBasis`), and the modified terms of a "granted with modified terms".
* **Idempotent.** The form carries a request token, unique in the table: a double click or a replayed
  request stores one row and answers with it.
* **Four-eyes.** With ``four_eyes`` on, an override is *pending* until a manager other than its
  author approves or rejects it with a comment (:func:`review_decision`, one review per decision).
  A decision is *final* when it needed no approval or was approved; a rejected override sends the
  file back to its officer, who records a revision.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import math
import unicodedata
from collections.abc import Iterable, Mapping

from sqlalchemy import exists, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from app.security.db import Decision, DecisionCount, DecisionReview, utcnow

DECISIONS = ("granted", "refused")  # what the model recommends
GRANTED_MODIFIED = "granted_modified"
FINAL_DECISIONS = ("granted", GRANTED_MODIFIED, "refused")  # what an officer may decide
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
#: The loan terms a "granted with modified terms" records (application columns; CNT_PAYMENT in months).
TERM_KEYS = ("AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE", "CNT_PAYMENT")
MAX_AMOUNT = 100_000_000.0
MAX_PAYMENTS = 600
VERDICTS = ("approved", "rejected")
NOT_REQUIRED, PENDING = "not_required", "pending"
MAX_NOTE_CHARS = 1000
MAX_ROW_ID = 2**31 - 1  # the largest id an Integer column holds (PostgreSQL); beyond it a lookup overflows
MAX_CLIENT_ID_CHARS = 64
MAX_TOKEN_CHARS = 64


class DecisionError(ValueError):
    """Input refused; ``code`` is an i18n key suffix ("decision.error.<code>") for the UI."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclasses.dataclass(frozen=True)
class ModelBasis:
    """What the model showed the officer when they decided (recorded with the decision)."""

    model_version: str
    proba: float
    threshold: float
    grade: str
    reasons: tuple[dict, ...] = ()  # [{"concept": "external_scores", "features": [...], "points": 4.2}, ...] as shown

    def to_dict(self) -> dict:
        return {"model_version": self.model_version, "proba": self.proba, "threshold": self.threshold,
                "grade": self.grade, "reasons": [dict(r) for r in self.reasons]}

    @classmethod
    def from_dict(cls, data: Mapping | None) -> ModelBasis | None:
        if not data:
            return None
        return cls(str(data["model_version"]), float(data["proba"]), float(data["threshold"]), str(data["grade"]),
                   tuple(dict(r) for r in data.get("reasons", ())))


def model_version(checksums: Mapping[str, str] | None, trained_at: str) -> str:
    """"<first 16 hex of a SHA-256 over the model files' checksums>@<training date>".

    The checksums are those the model card records (and the loader verifies); a card written before
    checksums existed gives "unverified@<date>", which still tells two trainings apart by date.
    """
    if not checksums:
        return f"unverified@{trained_at}"[:100]
    digest = hashlib.sha256("\n".join(f"{k}={v}" for k, v in sorted(checksums.items())).encode()).hexdigest()
    return f"{digest[:16]}@{trained_at}"[:100]


@dataclasses.dataclass(frozen=True)
class ReviewRecord:
    at: dt.datetime
    username: str
    verdict: str
    comment: str


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
    model_version: str | None = None
    proba: float | None = None
    threshold: float | None = None
    grade: str | None = None
    reasons: list | None = None
    terms: dict | None = None
    request_token: str | None = None
    revises_id: int | None = None
    revision_reason: str | None = None
    approval_required: bool = False
    review: ReviewRecord | None = None

    @property
    def status(self) -> str:
        """"not_required", "pending", "approved" or "rejected"."""
        if not self.approval_required:
            return NOT_REQUIRED
        return self.review.verdict if self.review else PENDING

    @property
    def is_final(self) -> bool:
        """The decision stands: it needed no approval, or a manager approved it."""
        return self.status in (NOT_REQUIRED, "approved")

    @property
    def outcome(self) -> str:
        """"granted" or "refused" (a grant with modified terms is a grant)."""
        return outcome_of(self.final_decision)


def outcome_of(final_decision: str) -> str:
    return "refused" if final_decision == "refused" else "granted"


def _record(row: Decision, review: DecisionReview | None = None) -> DecisionRecord:
    return DecisionRecord(
        row.id, row.client_id, row.at, row.username, row.model_decision, row.final_decision, row.overridden,
        row.reason, row.note, row.model_version, row.proba, row.threshold, row.grade, row.reasons, row.terms,
        row.request_token, row.revises_id, row.revision_reason, bool(row.approval_required),
        ReviewRecord(review.at, review.username, review.verdict, review.comment) if review else None)


def clean_note(note: str | None, code: str = "note") -> str:
    """Strip control characters (PostgreSQL rejects NUL) but keep the text as typed otherwise.

    Markup is NOT removed: the note is stored as text and escaped when displayed.
    """
    if note is None:
        return ""
    if not isinstance(note, str):
        raise DecisionError(f"{code}_invalid", f"the {code} must be text")
    kept = "".join(ch for ch in note if ch in "\n\t" or unicodedata.category(ch) != "Cc").strip()
    if len(kept) > MAX_NOTE_CHARS:
        raise DecisionError(f"{code}_too_long", f"the {code} is limited to {MAX_NOTE_CHARS} characters (got {len(kept)})")
    return kept


def check_client_id(client_id: object) -> str:
    text = str(client_id).strip() if client_id is not None else ""
    if not text or len(text) > MAX_CLIENT_ID_CHARS or any(unicodedata.category(c) == "Cc" for c in text):
        raise DecisionError("client_invalid", f"invalid client id (1-{MAX_CLIENT_ID_CHARS} printable characters)")
    return text


def check_terms(terms: object) -> dict:
    """The four modified terms as numbers (CNT_PAYMENT a whole number of months), or DecisionError."""
    if not isinstance(terms, Mapping) or not terms:
        raise DecisionError("terms_required", "granting with modified terms needs the modified terms")
    if set(terms) != set(TERM_KEYS):
        raise DecisionError("terms_invalid", f"modified terms must give exactly {', '.join(TERM_KEYS)}")
    cleaned: dict[str, float | int] = {}
    for key in TERM_KEYS:
        value = terms[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
            raise DecisionError("terms_invalid", f"{key} must be a positive number, got {value!r}")
        if key == "CNT_PAYMENT":
            if value != int(value) or value > MAX_PAYMENTS:
                raise DecisionError("terms_invalid", f"CNT_PAYMENT must be a whole number of months up to {MAX_PAYMENTS}")
            cleaned[key] = int(value)
        elif value > MAX_AMOUNT:
            raise DecisionError("terms_invalid", f"{key} must be at most {MAX_AMOUNT:,.0f}")
        else:
            cleaned[key] = float(value)
    if cleaned["AMT_ANNUITY"] > cleaned["AMT_CREDIT"]:
        raise DecisionError("terms_invalid", "the annuity cannot exceed the credit amount")
    return cleaned


def validate_decision(model_decision: str, final_decision: str, reason: str | None, note: str | None) -> tuple[bool, str | None, str]:
    """Return (overridden, reason, note) or raise DecisionError with a clear message."""
    if model_decision not in DECISIONS:
        raise DecisionError("model_invalid", f"model decision must be one of {DECISIONS}, got {model_decision!r}")
    if final_decision not in FINAL_DECISIONS:
        raise DecisionError("final_invalid", f"final decision must be one of {FINAL_DECISIONS}, got {final_decision!r}")
    note = clean_note(note)
    overridden = outcome_of(final_decision) != model_decision
    if not overridden:
        return False, None, note  # following the model needs no reason
    if not reason:
        raise DecisionError("reason_required", "overriding the model requires a reason")
    if reason not in OVERRIDE_REASONS:
        raise DecisionError("reason_invalid", f"unknown override reason {reason!r}")
    if reason == "other" and not note:
        raise DecisionError("note_required", "the reason 'other' requires a note explaining it")
    return True, reason, note


def _check_token(token: object) -> str | None:
    if token is None:
        return None
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
        raise DecisionError("token_invalid", "invalid request token: reload the page")
    return token


def _latest(session: Session, client: str) -> Decision | None:
    return session.scalar(select(Decision).where(Decision.client_id == client).order_by(Decision.id.desc()).limit(1))


CELL = ("username", "final_decision", "overridden", "reason", "grade", "month")


def count_decision(session: Session, row: Decision) -> None:
    """Add ``row`` to its cell of ``decision_counts`` (an upsert, in the decision's own transaction)."""
    from sqlalchemy.dialects import postgresql, sqlite

    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    values = {"username": row.username, "final_decision": row.final_decision, "overridden": bool(row.overridden),
              "reason": row.reason or "", "grade": row.grade or "", "month": row.at.astimezone(dt.UTC).strftime("%Y-%m"),
              "n": 1}
    statement = insert(DecisionCount).values(**values).on_conflict_do_update(
        index_elements=list(CELL), set_={"n": DecisionCount.n + 1})
    session.execute(statement)


def _replay(session: Session, token: str, client: str, username: str) -> DecisionRecord | None:
    """The decision already stored under ``token`` (a double click), or None."""
    row = session.scalar(select(Decision).where(Decision.request_token == token))
    if row is None:
        return None
    if row.client_id != client or row.username != username:
        raise DecisionError("token_invalid", "this form was used for another decision: reload the page")
    return _record(row, session.scalar(select(DecisionReview).where(DecisionReview.decision_id == row.id)))


def record_decision(engine: Engine, *, client_id: object, username: str, model_decision: str,
                    final_decision: str, reason: str | None = None, note: str | None = None,
                    basis: ModelBasis | None = None, terms: object = None, request_token: str | None = None,
                    revises_id: int | None = None, revision_reason: str | None = None,
                    open_application: bool = True, four_eyes: bool = False,
                    now: dt.datetime | None = None) -> DecisionRecord:
    """Validate and append one decision (or a revision of the current one); returns the stored record.

    ``revises_id`` must name the client's current decision when there is one (the page says which it
    showed): a decision recorded by somebody else meanwhile is never silently superseded. Replaying
    ``request_token`` returns the row it stored, nothing new.
    """
    client = check_client_id(client_id)
    if not username:
        raise DecisionError("user_missing", "a decision must be attributed to a logged-in user")
    token = _check_token(request_token)
    if not open_application:
        raise DecisionError("not_pending", "decisions are recorded on new applications only, not on a closed file")
    overridden, reason, note = validate_decision(model_decision, final_decision, reason, note)
    kept_terms = check_terms(terms) if final_decision == GRANTED_MODIFIED else None
    why_revised = clean_note(revision_reason, "revision") if revises_id is not None else None
    username = username[:64]
    with Session(engine) as session, session.begin():
        if token is not None and (done := _replay(session, token, client, username)) is not None:
            return done
        current = _latest(session, client)
        if current is not None and revises_id is None:
            raise DecisionError("already_decided", "this file already has a decision: revise it")
        if revises_id is not None and (current is None or current.id != revises_id):
            raise DecisionError("stale", "the file's decision changed since the page was opened: reload it")
        if revises_id is not None and not why_revised:
            raise DecisionError("revision_required", "revising a decision requires the reason for the revision")
        row = Decision(client_id=client, at=now or utcnow(), username=username, model_decision=model_decision,
                       final_decision=final_decision, overridden=overridden, reason=reason, note=note,
                       terms=kept_terms, request_token=token, revises_id=revises_id, revision_reason=why_revised,
                       approval_required=bool(four_eyes and overridden))
        if basis is not None:
            row.model_version, row.proba, row.threshold = basis.model_version, basis.proba, basis.threshold
            row.grade, row.reasons = basis.grade, [dict(r) for r in basis.reasons]
        session.add(row)
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            replayed = _replay(session, token, client, username) if token else None
            if replayed is not None:
                return replayed  # the other click of a double click won the race
            raise DecisionError("stale", "the file's decision changed since the page was opened: reload it") from None
        count_decision(session, row)
        return _record(row)


def review_decision(engine: Engine, *, decision_id: int, reviewer: str, verdict: str, comment: str | None,
                    now: dt.datetime | None = None) -> DecisionRecord:
    """A manager approves or rejects a pending override, with a comment; never its own author.

    The reviewer's role is checked by the page (server-side access); this checks the rest.
    """
    if verdict not in VERDICTS:
        raise DecisionError("verdict_invalid", f"verdict must be one of {VERDICTS}, got {verdict!r}")
    text = clean_note(comment, "comment")
    if not text:
        raise DecisionError("comment_required", "approving or rejecting an override requires a comment")
    if not reviewer:
        raise DecisionError("user_missing", "a review must be attributed to a logged-in user")
    with Session(engine) as session, session.begin():
        known = isinstance(decision_id, int) and not isinstance(decision_id, bool) and 0 < decision_id <= MAX_ROW_ID
        row = session.get(Decision, decision_id) if known else None  # 2**70 would overflow the id column
        if row is None or not row.approval_required:
            raise DecisionError("not_reviewable", "this decision does not await an approval")
        if row.username == reviewer:
            raise DecisionError("own_override", "nobody approves or rejects their own override")
        if session.scalar(select(DecisionReview.id).where(DecisionReview.decision_id == row.id)) is not None:
            raise DecisionError("already_reviewed", "this override was already approved or rejected")
        latest = _latest(session, row.client_id)
        if latest is not None and latest.id != row.id:
            raise DecisionError("superseded", "the officer revised this decision since: review the new one")
        review = DecisionReview(decision_id=row.id, at=now or utcnow(), username=reviewer[:64], verdict=verdict,
                                comment=text)
        session.add(review)
        try:
            session.flush()
        except IntegrityError:
            raise DecisionError("already_reviewed", "this override was already approved or rejected") from None
        return _record(row, review)


def attach_reviews(session: Session, rows: Iterable[Decision]) -> list[DecisionRecord]:
    rows = list(rows)
    reviews = {r.decision_id: r for r in session.scalars(
        select(DecisionReview).where(DecisionReview.decision_id.in_([r.id for r in rows])))} if rows else {}
    return [_record(r, reviews.get(r.id)) for r in rows]


def decision_history(engine: Engine, client_id: object, limit: int = 100) -> list[DecisionRecord]:
    """Decisions on one client, newest first, each with its review if any."""
    client = check_client_id(client_id)
    query = select(Decision).where(Decision.client_id == client).order_by(Decision.id.desc()).limit(limit)
    with Session(engine) as session:
        return attach_reviews(session, session.scalars(query))


def current_decision(engine: Engine, client_id: object) -> DecisionRecord | None:
    """The client's latest decision (the one that counts), or None."""
    history = decision_history(engine, client_id, limit=1)
    return history[0] if history else None


def current_decisions(engine: Engine, client_ids: Iterable[str] | None = None) -> dict[str, DecisionRecord]:
    """The latest decision of each client (of ``client_ids``, or of every client), by client id."""
    latest = select(func.max(Decision.id)).group_by(Decision.client_id)
    if client_ids is not None:
        latest = latest.where(Decision.client_id.in_(list(client_ids)))
    with Session(engine) as session:
        rows = session.scalars(select(Decision).where(Decision.id.in_(latest.scalar_subquery())))
        return {r.client_id: r for r in attach_reviews(session, rows)}


def pending_reviews(engine: Engine, limit: int = 500) -> list[DecisionRecord]:
    """Current decisions awaiting a manager's approval, oldest first.

    Walks the decisions needing approval in id order (index ``ix_decisions_approval_id``) and keeps
    those with no review and no later decision on the same client (one probe of
    ``ix_decisions_client_id_id`` each), stopping at ``limit``: never the newest decision of every
    client over the whole log.
    """
    later = aliased(Decision)
    superseded = exists().where(later.client_id == Decision.client_id, later.id > Decision.id)
    reviewed = exists().where(DecisionReview.decision_id == Decision.id)
    query = (select(Decision).where(Decision.approval_required.is_(True), ~superseded, ~reviewed)
             .order_by(Decision.id).limit(limit))
    with Session(engine) as session:
        return attach_reviews(session, session.scalars(query))


def latest_decisions(engine: Engine, limit: int = 100) -> list[DecisionRecord]:
    """The most recent decisions of every client, newest first (the manager's overview)."""
    query = select(Decision).order_by(Decision.id.desc()).limit(limit)
    with Session(engine) as session:
        return attach_reviews(session, session.scalars(query))
