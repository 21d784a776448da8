"""Storage of the security layer: accounts, sessions, login failures, audit trail, decisions.

SQLAlchemy 2 Core/ORM tables on SQLite (default, a file under ``instance/``) or PostgreSQL
(``DATABASE_URL``). One engine per URL per process (``lru_cache``: a read-only resource, the
connection pool is thread-safe). The schema is made and changed ONLY by the Alembic revisions of
``app/security/migrations`` (``app.security.schema``): ``create_all`` never alters a table, so the
first added column would have broken every existing database. These classes and the revisions must
agree; ``tests/security/test_migrations.py`` checks it with Alembic's autogenerate comparison.
"""
from __future__ import annotations

import datetime as dt
import functools
import os
import weakref
from pathlib import Path

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    false,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> dt.datetime:
    """Timezone-aware UTC now: every stored instant is UTC."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator):
    """Store aware UTC datetimes; SQLite drops the zone, so re-attach it on the way out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store UTC-aware datetimes only")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class UserSession(Base):
    """Server-side session: the cookie holds a random token, the table only its SHA-256.

    Server-side so that logout, disabling an account or resetting a password revokes every live
    session at once, and idle/absolute expiry cannot be extended by replaying an old cookie.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class LoginFailure(Base):
    """One failed login, counted per username and per IP within a sliding window."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_username_at", "username", "at"), Index("ix_login_failures_ip_at", "ip", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), nullable=False)
    ip: Mapped[str] = mapped_column(String(64), nullable=False)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_target_at", "target", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    username: Mapped[str] = mapped_column(String(64), nullable=False)
    action: Mapped[str] = mapped_column(String(64), nullable=False)
    target: Mapped[str] = mapped_column(String(200), nullable=False)
    details: Mapped[dict | None] = mapped_column(JSON, nullable=True)


class Decision(Base):
    """One decision on a client file, never updated nor deleted (a change is a new row that revises it).

    Besides the choice, each row keeps what it was based on, so that after a retrain a past
    "granted" can still be traced: the served model's version (``app.scoring.bundle.model_version``),
    the probability, threshold, grade and reasons shown, and the modified loan terms of a "granted
    with modified terms". ``request_token`` is issued with the form and unique: a double click, or a
    replayed request, stores one row. Rows written before these columns existed keep them empty.
    """

    __tablename__ = "decisions"
    __table_args__ = (
        Index("ix_decisions_client_at", "client_id", "at"),
        Index("uq_decisions_request_token", "request_token", unique=True),
        Index("uq_decisions_revises_id", "revises_id", unique=True),  # a decision is revised once: a linear chain
        Index("ix_decisions_at", "at"),
        Index("ix_decisions_username_id", "username", "id"),  # one officer's newest decisions (/decisions)
        Index("ix_decisions_client_id_id", "client_id", "id"),  # is there a later decision on this client?
        Index("ix_decisions_approval_id", "approval_required", "id"),  # the oldest overrides awaiting approval
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), nullable=False)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    username: Mapped[str] = mapped_column(String(64), nullable=False)
    model_decision: Mapped[str] = mapped_column(String(16), nullable=False)
    final_decision: Mapped[str] = mapped_column(String(16), nullable=False)
    overridden: Mapped[bool] = mapped_column(Boolean, nullable=False)
    reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    model_version: Mapped[str | None] = mapped_column(String(100), nullable=True)
    proba: Mapped[float | None] = mapped_column(Float, nullable=True)
    threshold: Mapped[float | None] = mapped_column(Float, nullable=True)
    grade: Mapped[str | None] = mapped_column(String(4), nullable=True)
    reasons: Mapped[list | None] = mapped_column(JSON, nullable=True)
    terms: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    request_token: Mapped[str | None] = mapped_column(String(64), nullable=True)
    revises_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"), nullable=True)
    revision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    approval_required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())


class DecisionCount(Base):
    """How many decisions fall in each cell (officer, decision, followed or not, reason, grade, month).

    Kept in step with ``decisions`` in the same transaction (``app.security.decisions``), so the
    managers' rates and agreement over time read a few thousand cells instead of scanning 100,000
    decisions at every filter change. Empty reason / grade are "" (a unique key treats NULLs as distinct).
    """

    __tablename__ = "decision_counts"
    __table_args__ = (UniqueConstraint("username", "final_decision", "overridden", "reason", "grade", "month",
                                       name="uq_decision_counts_cell"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), nullable=False)
    final_decision: Mapped[str] = mapped_column(String(16), nullable=False)
    overridden: Mapped[bool] = mapped_column(Boolean, nullable=False)
    reason: Mapped[str] = mapped_column(String(32), nullable=False)
    grade: Mapped[str] = mapped_column(String(4), nullable=False)
    month: Mapped[str] = mapped_column(String(7), nullable=False)
    n: Mapped[int] = mapped_column(Integer, nullable=False)


class DecisionReview(Base):
    """A manager's verdict on an override that needed a second pair of eyes (one per decision, final).

    A separate table, not a status column of ``decisions``: the decision row stays as the officer
    recorded it, and the review says who approved or rejected it, when and why.
    """

    __tablename__ = "decision_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"), nullable=False, unique=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    username: Mapped[str] = mapped_column(String(64), nullable=False)
    verdict: Mapped[str] = mapped_column(String(16), nullable=False)
    comment: Mapped[str] = mapped_column(Text, nullable=False)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")  # gunicorn threads write concurrently
    cursor.close()


@functools.lru_cache(maxsize=8)
def get_engine(url: str, analytics: bool = False) -> Engine:
    """One pooled engine per database URL (and use) and process (creates the SQLite folder if needed).

    ``analytics``: the engine of the portfolio's queries (``PORTFOLIO_ENGINE=postgresql``), with
    PostgreSQL's JIT off: it compiles each aggregate anew (~65 ms of a ~500 ms scan of 3.56M clients).
    Every engine drops its inherited connections in a forked child (:func:`_forget_connections`).
    """
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    options = {"connect_args": {"options": "-c jit=off"}} if analytics and url.startswith("postgresql") else {}
    engine = create_engine(url, pool_pre_ping=True, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    _ENGINES.add(engine)
    return engine


#: The engines this process created (weakly held): a forked child must not reuse their connections.
_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


def _forget_connections() -> None:
    """In a forked child (gunicorn workers forked from the preloaded master), drop the pooled
    connections inherited from the parent without closing them: two workers writing on the same
    inherited PostgreSQL socket would interleave their messages, and closing it here would end the
    parent's session (SQLAlchemy's documented ``dispose(close=False)`` recipe for multiprocessing)."""
    for engine in list(_ENGINES):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_connections)


def init_db(engine: Engine) -> None:
    """Bring the database to the code's schema (Alembic upgrade; idempotent, safe at every start).

    Kept under this name for the tests and the scripts that open a database of their own.
    """
    from app.security.schema import upgrade  # the migrations import this module's classes

    upgrade(engine)


def database_reachable(engine: Engine) -> bool:
    """True when a trivial query succeeds (used by /healthz)."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any driver error means "not reachable" for a health check
        return False
