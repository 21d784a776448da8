"""Server-side login sessions with idle and absolute expiry (no Flask: tested directly)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets
from typing import cast

from sqlalchemy import delete, select
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.orm import Session

from app.security.accounts import Account, _account
from app.security.db import User, UserSession, utcnow

#: Do not write ``last_seen_at`` on every request: once a minute is precise enough for a 30-minute
#: idle timeout and spares the database a write per Dash callback.
TOUCH_INTERVAL = dt.timedelta(seconds=60)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(engine: Engine, account: Account, now: dt.datetime | None = None) -> str:
    """Create a session and return its secret token (to put in the signed cookie only)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    with Session(engine) as session, session.begin():
        session.add(UserSession(token_hash=_digest(token), user_id=account.id, created_at=now, last_seen_at=now))
    return token


@dataclasses.dataclass(frozen=True)
class SessionPolicy:
    idle: dt.timedelta
    absolute: dt.timedelta


def resolve_session(engine: Engine, token: str | None, policy: SessionPolicy,
                    now: dt.datetime | None = None) -> Account | None:
    """The account behind a token, or None if unknown, expired (then deleted) or disabled."""
    if not token or not isinstance(token, str) or len(token) > 128:
        return None
    now = now or utcnow()
    with Session(engine) as session, session.begin():
        row = session.scalar(select(UserSession).where(UserSession.token_hash == _digest(token)))
        if row is None:
            return None
        if now - row.last_seen_at > policy.idle or now - row.created_at > policy.absolute:
            session.delete(row)
            return None
        user = session.get(User, row.user_id)
        if user is None or not user.active:
            session.delete(row)
            return None
        if now - row.last_seen_at > TOUCH_INTERVAL:
            row.last_seen_at = now
        return _account(user)


def close_session(engine: Engine, token: str | None) -> None:
    """Logout: forget the session server-side, so a copied cookie is useless afterwards."""
    if not token or not isinstance(token, str):
        return
    with Session(engine) as session, session.begin():
        session.execute(delete(UserSession).where(UserSession.token_hash == _digest(token)))


def purge_expired(engine: Engine, policy: SessionPolicy, now: dt.datetime | None = None) -> int:
    now = now or utcnow()
    with Session(engine) as session, session.begin():
        result = cast(CursorResult, session.execute(
            delete(UserSession).where(
                (UserSession.last_seen_at < now - policy.idle) | (UserSession.created_at < now - policy.absolute)
            )
        ))
        return result.rowcount or 0
