"""Every script test stores its monitoring runs in a database of its own, never in the project's
``instance/`` (the scripts default to ``DATABASE_URL``)."""
import pytest


@pytest.fixture(autouse=True)
def _own_database(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'scripts.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url
