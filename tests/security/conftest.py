"""Fixtures of the security tests: every database test runs on SQLite AND on PostgreSQL.

PostgreSQL comes from TEST_DATABASE_URL (``.ci/run`` starts a server and sets it). Without it the
PostgreSQL variants skip locally, but FAIL when CI=true, so CI cannot silently skip them.
"""
from __future__ import annotations

import os

import pytest
from dash import Input, Output
from sqlalchemy import text

from app.config import normalise_database_url
from app.security.db import Base, get_engine, init_db
from app.security.web import bind_database, current_engine
from tests.browser_support import make_settings  # noqa: F401 - re-exported for the tests

PROBE_AREAS = ("client", "portfolio", "model", "monitoring", "admin", "portfolio-export", "client-export")


def postgres_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    if not url:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("TEST_DATABASE_URL is not set in CI: the PostgreSQL tests must run there")
        pytest.skip("TEST_DATABASE_URL not set: PostgreSQL variant skipped locally")
    return normalise_database_url(url)


def drop_everything(eng) -> None:
    """Empty a shared PostgreSQL database: the app's tables, the old ``schema_version`` and Alembic's own
    table (left behind, it would tell the next upgrade that tables it dropped are still there)."""
    Base.metadata.drop_all(eng)
    with eng.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        connection.execute(text("DROP TABLE IF EXISTS schema_version"))


def empty_database(kind: str, path):
    """An empty database of ``kind`` ("sqlite": a new file at ``path``; "postgresql": the test server,
    emptied before and after), for one test: a generator to ``yield from`` in a fixture."""
    if kind == "sqlite":
        eng = get_engine(f"sqlite:///{path}")
    else:
        eng = get_engine(postgres_url())
        drop_everything(eng)
    yield eng
    if kind == "postgresql":
        drop_everything(eng)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    """A fresh database of each kind, upgraded by the migrations (PostgreSQL: emptied before and after)."""
    for eng in empty_database(request.param, tmp_path / "security.sqlite3"):
        init_db(eng)
        yield eng


@pytest.fixture(scope="session")
def probed_app(dash_app):
    """The session's Dash app (tests/conftest.py) plus a probe callback per area, so the callback
    endpoint can be exercised before those pages exist."""
    for area in PROBE_AREAS:
        dash_app.callback(Output(f"{area}-probe-out", "children"), Input(f"{area}-probe-in", "value"))(lambda v: f"ok {v}")
    return dash_app


@pytest.fixture
def server(probed_app, engine):
    """The Flask server bound to this test's fresh database, bound back to its previous one after.

    The Dash app is shared by the whole session: left pointing at this test's database (dropped
    after a PostgreSQL test), every later test of any package would fail on missing tables.
    """
    with probed_app.server.app_context():
        previous = current_engine()
    bind_database(probed_app.server, engine)
    yield probed_app.server
    if previous is not None:
        bind_database(probed_app.server, previous)
