"""scripts/manage_users.py: passwords from stdin, never argv; clear errors."""
import io
import runpy
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "manage_users.py"


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.setenv("SQLITE_PATH", str(tmp_path / "users.sqlite3"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    main = runpy.run_path(str(SCRIPT))["main"]

    def run(*argv, stdin=""):
        return main(list(argv), stdin=io.StringIO(stdin))
    return run


def test_lifecycle(cli, capsys):
    assert cli("create", "alice", "--role", "officer", stdin="a long enough password\n") == 0
    assert cli("create", "alice", "--role", "officer", stdin="a long enough password\n") == 1
    assert cli("set-role", "alice", "manager") == 0
    assert cli("disable", "alice") == 0
    assert cli("reset-password", "alice", stdin="short\n") == 1
    assert "12 characters" in capsys.readouterr().err
    cli("list")
    assert "alice\tmanager\tdisabled" in capsys.readouterr().out


def test_no_password_option(cli):
    with pytest.raises(SystemExit):
        cli("create", "bob", "--role", "officer", "--password", "x")


def test_a_database_that_cannot_be_opened_is_one_line(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file")
    monkeypatch.setenv("SQLITE_PATH", str(blocker / "users.sqlite3"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    main = runpy.run_path(str(SCRIPT))["main"]
    assert main(["list"], stdin=io.StringIO("")) == 2  # FileExistsError traceback before
    err = capsys.readouterr().err
    assert err.startswith("error: cannot open the accounts database: ") and err.count("\n") == 1
