"""Schema version of the app's database: upgrade it (Alembic), or refuse to serve an outdated one.

* ``upgrade(engine)``: run every revision not applied yet. A database made before migrations existed
  (its tables and the old ``schema_version`` table, no ``alembic_version``) is first stamped at the
  baseline, which describes exactly that schema, so its accounts and decisions are kept.
* ``require_current(engine)``: what a production web process does at start-up. It never migrates
  (several dynos starting at once must not race on DDL; the PaaS runs ``UPGRADE_COMMAND`` once, as
  the ``release:`` line of the ``Procfile``) and refuses a database older than the code, naming
  that command, instead of failing later on a missing column in front of an officer.
"""
from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection, Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
BASELINE = "0001"
#: What an operator runs to bring a database to the code's schema (the Procfile's release line).
UPGRADE_COMMAND = "python -m app.cli.migrate upgrade"
_LOCK = threading.Lock()  # one migration at a time in a process (tests bind several apps to one file)


class SchemaOutdatedError(RuntimeError):
    """The database is older (or newer) than the code; the message names what to run."""


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic configuration on the package's revisions; ``connection`` is the database to act on."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision of the code."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package ships its revisions
        raise RuntimeError(f"no migration found in {MIGRATIONS_DIR}")
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: not under Alembic, i.e. empty or made before migrations)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _is_pre_migration(connection: Connection) -> bool:
    tables = set(inspect(connection).get_table_names())
    return "alembic_version" not in tables and "users" in tables


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Apply the missing revisions; returns the revision reached."""
    with _LOCK, engine.begin() as connection:
        config = alembic_config(connection)
        if _is_pre_migration(connection):
            command.stamp(config, BASELINE)
        command.upgrade(config, revision)
    return current_revision(engine) or ""


def require_current(engine: Engine) -> None:
    """Raise :class:`SchemaOutdatedError` unless the database is at the code's newest revision."""
    current, head = current_revision(engine), head_revision()
    if current == head:
        return
    script = ScriptDirectory.from_config(alembic_config())
    known = {rev.revision for rev in script.walk_revisions()}
    if current is not None and current not in known:
        raise SchemaOutdatedError(
            f"the database is at schema revision {current}, which this code does not know (newer code was "
            "deployed on it?): deploy the newer code")
    shown = current or "none (empty, or made before migrations)"
    raise SchemaOutdatedError(
        f"the database schema is older than the code (database: {shown}, code: {head}): run "
        f"`{UPGRADE_COMMAND}` with the same DATABASE_URL, then start again")
