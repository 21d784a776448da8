"""Accounts, login rate limiting and server-side sessions, on SQLite and PostgreSQL."""
import datetime as dt

import pytest

from app.security import accounts
from app.security.accounts import AccountError, create_user, login, reset_password, set_active, set_role
from app.security.db import utcnow
from app.security.sessions import SessionPolicy, close_session, open_session, resolve_session

PW = "correct horse battery staple"
LIMITS = dict(max_failures=5, max_failures_per_ip=20, window_minutes=15)


def test_create_and_list(engine):
    create_user(engine, " Alice ", PW, "officer")
    assert [(a.username, a.role, a.active) for a in accounts.list_accounts(engine)] == [("alice", "officer", True)]
    with pytest.raises(AccountError, match="already exists"):
        create_user(engine, "ALICE", PW, "manager")
    with pytest.raises(AccountError, match="unknown role"):
        create_user(engine, "bob", PW, "root")
    with pytest.raises(AccountError, match="username"):
        create_user(engine, "<script>", PW, "officer")


def test_login_ok_and_wrong_password(engine):
    create_user(engine, "alice", PW, "officer")
    assert login(engine, "ALICE", PW, "10.0.0.1", **LIMITS).account.username == "alice"
    result = login(engine, "alice", PW + "!", "10.0.0.1", **LIMITS)
    assert result.account is None and not result.locked
    assert login(engine, "nobody", PW, "10.0.0.1", **LIMITS).account is None


def test_username_locked_after_five_failures_even_with_right_password(engine):
    create_user(engine, "alice", PW, "officer")
    now = utcnow()
    for i in range(5):
        assert not login(engine, "alice", "wrong-password-x", f"10.0.0.{i}", now=now, **LIMITS).locked
    locked = login(engine, "alice", PW, "10.0.0.99", now=now + dt.timedelta(minutes=1), **LIMITS)
    assert locked.locked and locked.account is None and locked.retry_after_minutes == 14
    # the window slides: 15 minutes after the failures the right password works again
    assert login(engine, "alice", PW, "10.0.0.99", now=now + dt.timedelta(minutes=15, seconds=1), **LIMITS).account


def test_ip_locked_across_usernames(engine):
    create_user(engine, "alice", PW, "officer")
    now = utcnow()
    for i in range(20):
        login(engine, f"guess{i}", "wrong-password-x", "203.0.113.7", now=now, **LIMITS)
    assert login(engine, "alice", PW, "203.0.113.7", now=now, **LIMITS).locked
    assert login(engine, "alice", PW, "198.51.100.1", now=now, **LIMITS).account  # other IP unaffected


def test_success_clears_username_failures(engine):
    create_user(engine, "alice", PW, "officer")
    for _ in range(4):
        login(engine, "alice", "wrong-password-x", "10.0.0.1", **LIMITS)
    assert login(engine, "alice", PW, "10.0.0.1", **LIMITS).account
    assert accounts.failures(engine, username="alice", window_minutes=15)[0] == 0


def test_disabled_account_cannot_log_in(engine):
    create_user(engine, "alice", PW, "officer")
    set_active(engine, "alice", False)
    assert login(engine, "alice", PW, "10.0.0.1", **LIMITS).account is None


POLICY = SessionPolicy(idle=dt.timedelta(minutes=30), absolute=dt.timedelta(hours=10))


def test_session_idle_and_absolute_expiry(engine):
    account = create_user(engine, "alice", PW, "officer")
    t0 = utcnow()
    token = open_session(engine, account, now=t0)
    assert resolve_session(engine, token, POLICY, now=t0 + dt.timedelta(minutes=29)).username == "alice"
    # activity at 29 min refreshed last_seen: still alive at 58 min, dead 31 min after the last activity
    assert resolve_session(engine, token, POLICY, now=t0 + dt.timedelta(minutes=58))
    assert resolve_session(engine, token, POLICY, now=t0 + dt.timedelta(minutes=89, seconds=1)) is None
    assert resolve_session(engine, token, POLICY, now=t0 + dt.timedelta(minutes=90)) is None  # deleted

    token = open_session(engine, account, now=t0)
    for minutes in range(20, 600, 20):  # busy all day, never idle
        assert resolve_session(engine, token, POLICY, now=t0 + dt.timedelta(minutes=minutes))
    assert resolve_session(engine, token, POLICY, now=t0 + dt.timedelta(hours=10, minutes=1)) is None


def test_logout_disable_and_reset_revoke_sessions(engine):
    account = create_user(engine, "alice", PW, "officer")
    token = open_session(engine, account)
    close_session(engine, token)
    assert resolve_session(engine, token, POLICY) is None
    token = open_session(engine, account)
    set_active(engine, "alice", False)
    assert resolve_session(engine, token, POLICY) is None
    set_active(engine, "alice", True)
    token = open_session(engine, account)
    reset_password(engine, "alice", "another long passphrase")
    assert resolve_session(engine, token, POLICY) is None
    assert resolve_session(engine, "forged-token", POLICY) is None


def test_role_change_is_seen_by_live_session(engine):
    account = create_user(engine, "alice", PW, "officer")
    token = open_session(engine, account)
    set_role(engine, "alice", "manager")
    assert resolve_session(engine, token, POLICY).role == "manager"
