"""Start-up rules: production needs SECRET_KEY, env admin created once, demo accounts in development only."""
import pytest

from app.security.accounts import get_account, list_accounts, login
from app.security.bootstrap import ensure_demo_accounts, ensure_env_admin
from app.security.web import ConfigurationError, _check_database, _secret_key
from tests.security.conftest import make_settings


def test_production_refuses_to_start_without_secret_key():
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        _secret_key(make_settings("sqlite://", env="production", secret_key=""))
    with pytest.raises(ConfigurationError, match="32 characters"):
        _secret_key(make_settings("sqlite://", env="production", secret_key="short"))


def test_production_refuses_the_default_sqlite_file():
    from app.config import DEFAULT_SQLITE_PATH

    default = f"sqlite:///{DEFAULT_SQLITE_PATH}"
    with pytest.raises(ConfigurationError, match="DATABASE_URL"):
        _check_database(make_settings(default, env="production"))
    _check_database(make_settings(default))  # development keeps the convenient local file
    _check_database(make_settings("postgresql+psycopg://u:p@db/credit", env="production"))
    _check_database(make_settings("sqlite:////persistent/disk/credit.db", env="production"))  # explicit choice


def test_env_admin_created_once(engine):
    settings = make_settings("unused", admin_username="Root", admin_password="a long admin passphrase")
    assert ensure_env_admin(engine, settings) is True
    assert get_account(engine, "root").role == "admin"
    changed = make_settings("unused", admin_username="root", admin_password="another passphrase!!")
    assert ensure_env_admin(engine, changed) is False  # never overwritten from the environment
    assert login(engine, "root", "a long admin passphrase", "ip", max_failures=5, max_failures_per_ip=20,
                 window_minutes=15).account


def test_demo_accounts_development_only(engine):
    printed = []
    assert ensure_demo_accounts(engine, make_settings("unused", env="production"), printed.append) == {}
    assert list_accounts(engine) == []
    created = ensure_demo_accounts(engine, make_settings("unused"), printed.append)
    assert set(created) == {"officer", "manager", "admin"} and len(set(created.values())) == 3
    assert all(p in " ".join(printed) for p in created.values())
    printed.clear()
    assert ensure_demo_accounts(engine, make_settings("unused"), printed.append) == {}
    assert "exists" in printed[0] and "reset-password" in printed[0]
