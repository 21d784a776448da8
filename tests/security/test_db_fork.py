"""A worker forked from the preloaded master never reuses the master's pooled database connections."""
import os

import pytest
from sqlalchemy import text

from app.security.db import get_engine


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork only")
def test_a_forked_child_opens_its_own_connections(tmp_path):
    engine = get_engine(f"sqlite:///{tmp_path / 'fork.sqlite3'}")
    with engine.connect() as connection:  # the master's warm-up leaves a connection in the pool
        connection.execute(text("SELECT 1"))
    assert engine.pool.checkedin() == 1
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report how many inherited connections its pool still holds, then a query
        try:
            inherited = engine.pool.checkedin()
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            os.write(write, str(inherited).encode())
        finally:
            os._exit(0)
    os.close(write)
    _, status = os.waitpid(pid, 0)
    assert os.read(read, 16).decode() == "0" and status == 0
    assert engine.pool.checkedin() == 1  # the parent's connection was left open for the parent
