"""Alembic migrations: an existing database keeps its accounts and decisions, models and revisions agree,
a production process refuses an outdated database naming the command, the release command upgrades."""
from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from app.cli import migrate
from app.security.accounts import get_account, login
from app.security.db import Base
from app.security.decisions import decision_history
from app.security.schema import (
    UPGRADE_COMMAND,
    SchemaOutdatedError,
    alembic_config,
    current_revision,
    head_revision,
    require_current,
    upgrade,
)
from app.security.web import ConfigurationError, prepare_database
from tests.security.conftest import empty_database, make_settings

T0 = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def blank(request, tmp_path):
    """An EMPTY database of each kind (no table at all)."""
    yield from empty_database(request.param, tmp_path / "blank.sqlite3")


def make_pre_migration_database(engine) -> None:
    """A database as the code before migrations left it: ``create_all`` of the baseline's tables, a
    ``schema_version`` row, no ``alembic_version``, and some accounts, a session and decisions."""
    with engine.begin() as connection:
        config = alembic_config(connection)
        command.upgrade(config, "0001")  # the baseline is that schema's DDL
        connection.execute(text("DROP TABLE alembic_version"))
        connection.execute(text("INSERT INTO schema_version (version, applied_at) VALUES (1, :at)"), {"at": T0})
    from app.security.passwords import hash_password

    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO users (username, password_hash, role, active, created_at) VALUES "
            "('alice', :h, 'officer', TRUE, :at), ('boss', :h, 'manager', FALSE, :at)"),
            {"h": hash_password("a long enough passphrase"), "at": T0})
        connection.execute(text(
            "INSERT INTO decisions (client_id, at, username, model_decision, final_decision, overridden, reason, note) "
            "VALUES ('100001', :at, 'alice', 'refused', 'granted', TRUE, 'client_history', 'known for 10 years'), "
            "('100002', :at, 'alice', 'granted', 'granted', FALSE, NULL, '')"), {"at": T0})


def test_upgrading_a_pre_migration_database_keeps_accounts_and_decisions(blank):
    make_pre_migration_database(blank)
    assert current_revision(blank) is None
    assert upgrade(blank) == head_revision()
    alice, boss = get_account(blank, "alice"), get_account(blank, "boss")
    assert (alice.role, alice.active, boss.role, boss.active) == ("officer", True, "manager", False)
    assert login(blank, "alice", "a long enough passphrase", "ip", max_failures=5, max_failures_per_ip=20,
                 window_minutes=15).account is not None
    [old] = decision_history(blank, "100001")
    assert (old.username, old.model_decision, old.final_decision, old.overridden, old.reason, old.note) == (
        "alice", "refused", "granted", True, "client_history", "known for 10 years")
    assert old.at == T0 and old.model_version is None and old.proba is None  # not invented after the fact
    assert len(decision_history(blank, "100002")) == 1
    from app.security.decision_stats import DecisionFilter, override_rates

    [cell] = override_rates(blank, DecisionFilter(), "officer")  # the old decisions are counted by revision 0005
    assert (cell.key, cell.decisions, cell.overrides) == ("alice", 2, 1)
    with blank.connect() as connection:
        assert "schema_version" not in blank.dialect.get_table_names(connection)
    assert upgrade(blank) == head_revision()  # idempotent: a second start changes nothing


def test_models_and_migrations_agree(blank):
    """Autogenerate compares the migrated database with the ORM classes: no difference at all."""
    upgrade(blank)
    with blank.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_every_revision_downgrades_and_upgrades_again(blank):
    upgrade(blank)
    with blank.begin() as connection:
        command.downgrade(alembic_config(connection), "base")
    assert current_revision(blank) is None
    assert upgrade(blank) == head_revision()


def test_production_refuses_an_outdated_database_naming_the_command(blank):
    settings = make_settings("unused", env="production")
    with pytest.raises(ConfigurationError, match=f"run `{UPGRADE_COMMAND}`"):
        prepare_database(blank, settings)  # empty
    with blank.begin() as connection:
        command.upgrade(alembic_config(connection), "0003")
    with pytest.raises(SchemaOutdatedError, match="database: 0003, code: 0"):
        require_current(blank)
    prepare_database(blank, make_settings("unused"))  # development upgrades it itself
    prepare_database(blank, settings)  # now current: production starts


def test_release_command_upgrades_the_configured_database(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SQLITE_PATH", str(tmp_path / "release.sqlite3"))
    assert migrate.main(["check"]) == 1
    assert UPGRADE_COMMAND in capsys.readouterr().err
    assert migrate.main(["upgrade"]) == 0
    assert f"revision {head_revision()}" in capsys.readouterr().out
    assert migrate.main(["check"]) == 0
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody:wrong@127.0.0.1:1/none")
    assert migrate.main(["upgrade"]) == 2
    assert capsys.readouterr().err.startswith("error: cannot open the database")
