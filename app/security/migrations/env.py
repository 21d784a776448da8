"""Alembic environment: run on the connection ``app.security.schema`` hands over (never an ini URL).

The database URL is never read here: the caller opened the engine from the app's settings, so the
release command, ``python -m app`` and the tests all migrate the very database the app will use.
"""
from alembic import context

import app.monitoring_store  # noqa: F401 - declares the monitoring tables on Base
from app.security.db import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things: Alembic rebuilds the table instead
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
