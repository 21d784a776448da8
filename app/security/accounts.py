"""Account administration and password login (no Flask): used by the login page and the CLI.

Every function takes the SQLAlchemy ``Engine`` explicitly, so tests and ``scripts/manage_users.py``
use the same code as the web app against SQLite or PostgreSQL.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
import secrets
from typing import cast

from sqlalchemy import delete, func, select
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.orm import Session

from app.security.access import ROLES, Role, parse_role
from app.security.db import LoginFailure, User, UserSession, utcnow
from app.security.passwords import dummy_hash, hash_password, needs_rehash, verify_password

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


class AccountError(ValueError):
    """A clear, user-facing reason why an account operation was refused."""


@dataclasses.dataclass(frozen=True)
class Account:
    """What the rest of the app may know about a user (never the hash)."""

    id: int
    username: str
    role: str
    active: bool
    created_at: dt.datetime


def _account(user: User) -> Account:
    return Account(user.id, user.username, user.role, user.active, user.created_at)


def normalise_username(username: str) -> str:
    """Usernames are case-insensitive: stored and compared lower-case, without spaces around."""
    return (username or "").strip().lower()


def _check_username(username: str) -> str:
    name = normalise_username(username)
    if not USERNAME_RE.match(name):
        raise AccountError(
            "username must be 2-64 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    return name


def _check_role(role: str) -> str:
    if parse_role(role) is None:
        raise AccountError(f"unknown role {role!r}: expected one of {', '.join(ROLES)}")
    return role


def create_user(engine: Engine, username: str, password: str, role: str) -> Account:
    """Create an active account; refuses duplicates, unknown roles and weak passwords."""
    name, role = _check_username(username), _check_role(role)
    password_hash = hash_password(password)  # raises PasswordPolicyError (a ValueError)
    with Session(engine) as session, session.begin():
        if session.scalar(select(User).where(User.username == name)) is not None:
            raise AccountError(f"user {name!r} already exists")
        user = User(username=name, password_hash=password_hash, role=role, active=True, created_at=utcnow())
        session.add(user)
        session.flush()
        return _account(user)


def get_account(engine: Engine, username: str) -> Account | None:
    with Session(engine) as session:
        user = session.scalar(select(User).where(User.username == normalise_username(username)))
        return _account(user) if user else None


def user_exists(engine: Engine, username: str) -> bool:
    return get_account(engine, username) is not None


def list_accounts(engine: Engine) -> list[Account]:
    with Session(engine) as session:
        return [_account(u) for u in session.scalars(select(User).order_by(User.username))]


def random_password() -> str:
    """A password an admin hands over once (created or reset account): 96 random bits, URL-safe."""
    return secrets.token_urlsafe(16)


def _keeps_an_admin(session: Session, user: User, values: dict) -> bool:
    """False when ``values`` would leave no active admin: the accounts page would lock everybody out."""
    if user.role != Role.ADMIN.value or not user.active:
        return True
    if values.get("role", user.role) == Role.ADMIN.value and values.get("active", True):
        return True
    others = session.scalar(select(func.count(User.id)).where(User.role == Role.ADMIN.value, User.active.is_(True),
                                                              User.id != user.id))
    return bool(others)


def _update(engine: Engine, username: str, *, revoke_sessions: bool, **values) -> Account:
    name = normalise_username(username)
    with Session(engine) as session, session.begin():
        user = session.scalar(select(User).where(User.username == name).with_for_update())
        if user is None:
            raise AccountError(f"no user named {name!r}")
        if not _keeps_an_admin(session, user, values):
            raise AccountError("the last active admin can be neither disabled nor demoted: make another admin first")
        for key, value in values.items():
            setattr(user, key, value)
        if revoke_sessions:
            session.execute(delete(UserSession).where(UserSession.user_id == user.id))
        session.flush()
        return _account(user)


def set_role(engine: Engine, username: str, role: str) -> Account:
    """Change a role; takes effect at the user's next request (roles are read per request)."""
    return _update(engine, username, role=_check_role(role), revoke_sessions=False)


def reset_password(engine: Engine, username: str, password: str) -> Account:
    """Set a new password and log the user out everywhere."""
    return _update(engine, username, password_hash=hash_password(password), revoke_sessions=True)


def set_active(engine: Engine, username: str, active: bool) -> Account:
    """Disable (and log out everywhere) or re-enable an account; accounts are never deleted (audit)."""
    return _update(engine, username, active=active, revoke_sessions=not active)


# --- login with rate limiting ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class LoginResult:
    account: Account | None
    locked: bool = False
    retry_after_minutes: int = 0


def _window_start(window_minutes: int, now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(minutes=window_minutes)


def failures(engine: Engine, *, username: str | None = None, ip: str | None = None,
             window_minutes: int, now: dt.datetime | None = None) -> tuple[int, dt.datetime | None]:
    """Number of failed logins in the window for a username or an IP, and the oldest one's time."""
    now = now or utcnow()
    query = select(func.count(LoginFailure.id), func.min(LoginFailure.at)).where(
        LoginFailure.at > _window_start(window_minutes, now)
    )
    query = query.where(LoginFailure.username == normalise_username(username)) if username is not None \
        else query.where(LoginFailure.ip == ip)
    with Session(engine) as session:
        count, oldest = session.execute(query).one()
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=dt.UTC)
    return int(count), oldest


def login(engine: Engine, username: str, password: str, ip: str, *, max_failures: int,
          max_failures_per_ip: int, window_minutes: int, now: dt.datetime | None = None) -> LoginResult:
    """Check a password, counting failures per username and per IP in the database.

    The lock is checked BEFORE the password, so a locked account cannot be probed even with the
    right password, and is shared by every gunicorn worker and thread. Unknown usernames cost the
    same Argon2 verification as known ones and are counted too, so the response does not reveal
    which accounts exist. A success clears the username's failures, never the IP's (one valid
    account must not reset an attacker's budget).
    """
    now = now or utcnow()
    name = normalise_username(username)[:64]
    ip = (ip or "unknown")[:64]
    purge_old_failures(engine, window_minutes, now)  # failures past the window count no more: keep the table bounded
    user_count, user_oldest = failures(engine, username=name, window_minutes=window_minutes, now=now)
    ip_count, ip_oldest = failures(engine, ip=ip, window_minutes=window_minutes, now=now)
    locked_until = []
    if user_count >= max_failures and user_oldest is not None:
        locked_until.append(user_oldest + dt.timedelta(minutes=window_minutes))
    if ip_count >= max_failures_per_ip and ip_oldest is not None:
        locked_until.append(ip_oldest + dt.timedelta(minutes=window_minutes))
    if locked_until:
        remaining = max(locked_until) - now
        return LoginResult(None, locked=True, retry_after_minutes=max(1, -(-int(remaining.total_seconds()) // 60)))

    with Session(engine) as session, session.begin():
        user = session.scalar(select(User).where(User.username == name))
        ok = verify_password(user.password_hash if user else dummy_hash(), password or "")
        if ok and user is not None and user.active and parse_role(user.role) is not None:
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            session.execute(delete(LoginFailure).where(LoginFailure.username == name))
            return LoginResult(_account(user))
        session.add(LoginFailure(username=name, ip=ip, at=now))
    return LoginResult(None)


def purge_old_failures(engine: Engine, window_minutes: int, now: dt.datetime | None = None) -> int:
    """Delete failures older than the window (they no longer count); returns how many."""
    with Session(engine) as session, session.begin():
        result = cast(CursorResult, session.execute(
            delete(LoginFailure).where(LoginFailure.at <= _window_start(window_minutes, now or utcnow()))))
        return result.rowcount or 0


__all__ = [
    "Account", "AccountError", "LoginResult", "Role", "create_user", "failures", "get_account",
    "list_accounts", "login", "normalise_username", "purge_old_failures", "random_password", "reset_password",
    "set_active", "set_role", "user_exists",
]
