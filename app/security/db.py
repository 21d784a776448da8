"""Storage of the security layer: accounts, sessions, login failures, audit trail, decisions.

SQLAlchemy 2 Core/ORM tables on SQLite (default, a file under ``instance/``) or PostgreSQL
(``DATABASE_URL``). One engine per URL per process (``lru_cache``: a read-only resource, the
connection pool is thread-safe), schema created at start-up and versioned in ``schema_version``
so a later change can add a numbered migration instead of silently diverging.
"""
from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    create_engine,
    event,
    select,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.types import TypeDecorator

SCHEMA_VERSION = 1


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
    __tablename__ = "decisions"
    __table_args__ = (Index("ix_decisions_client_at", "client_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), nullable=False)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    username: Mapped[str] = mapped_column(String(64), nullable=False)
    model_decision: Mapped[str] = mapped_column(String(16), nullable=False)
    final_decision: Mapped[str] = mapped_column(String(16), nullable=False)
    overridden: Mapped[bool] = mapped_column(Boolean, nullable=False)
    reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")


class SchemaVersion(Base):
    __tablename__ = "schema_version"

    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    applied_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")  # gunicorn threads write concurrently
    cursor.close()


@functools.lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    """One pooled engine per database URL and process (creates the SQLite folder if needed)."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def init_db(engine: Engine) -> None:
    """Create missing tables and record the schema version (idempotent, safe at every start)."""
    import app.monitoring_store  # noqa: F401 - declares the monitoring tables on Base, created below

    Base.metadata.create_all(engine)
    with Session(engine) as session, session.begin():
        current = session.scalar(select(SchemaVersion.version).order_by(SchemaVersion.version.desc()).limit(1))
        if current is None:
            session.add(SchemaVersion(version=SCHEMA_VERSION, applied_at=utcnow()))
        elif current > SCHEMA_VERSION:
            raise RuntimeError(
                f"database schema version {current} is newer than this code ({SCHEMA_VERSION}): deploy the newer code"
            )
        # Future migrations: `if current < 2: ...; session.add(SchemaVersion(version=2, ...))`.


def database_reachable(engine: Engine) -> bool:
    """True when a trivial query succeeds (used by /healthz)."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any driver error means "not reachable" for a health check
        return False
