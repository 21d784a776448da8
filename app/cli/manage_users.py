"""Administer dashboard accounts (create, set-role, reset-password, disable, enable, list).

Passwords are read from an interactive prompt (typed twice) or, when stdin is not a terminal,
from the first line of stdin; never from the command line, where they would land in the shell
history and the process list. Uses DATABASE_URL / SQLITE_PATH like the app.

    python scripts/manage_users.py create alice --role officer
    printf '%s\n' "$PW" | python scripts/manage_users.py reset-password alice
"""
from __future__ import annotations

import argparse
import getpass
import sys

from sqlalchemy.exc import SQLAlchemyError

from app.config import get_settings
from app.security import accounts
from app.security.access import ROLES
from app.security.db import get_engine, init_db
from app.security.passwords import PasswordPolicyError


def _first_line(exc: Exception) -> str:
    """The gist of a database error: SQLAlchemy's messages run over lines (SQL, a help link)."""
    lines = str(exc).strip().splitlines()
    return lines[0][:300] if lines else type(exc).__name__


def read_password(stdin=sys.stdin) -> str:
    """Prompt twice on a terminal; otherwise read one line from stdin (scripts, CI)."""
    if stdin.isatty():
        first = getpass.getpass("New password: ")
        if getpass.getpass("Repeat: ") != first:
            raise SystemExit("error: the two passwords differ")
        return first
    line = stdin.readline()
    return line.rstrip("\r\n")


def main(argv: list[str] | None = None, stdin=sys.stdin) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create", help="create an account (password from prompt/stdin)")
    create.add_argument("username", help="login name of the new account")
    create.add_argument("--role", choices=ROLES, required=True, help="what the account may open")
    role = sub.add_parser("set-role", help="change an account's role")
    role.add_argument("username", help="login name of the account")
    role.add_argument("role", choices=ROLES, help="its new role")
    for name, help_text in (("reset-password", "set a new password, log out everywhere"),
                            ("disable", "disable an account, log out everywhere"), ("enable", "re-enable an account")):
        sub.add_parser(name, help=help_text).add_argument("username", help="login name of the account")
    sub.add_parser("list", help="list accounts")
    args = parser.parse_args(argv)

    try:
        engine = get_engine(get_settings().database_url)
        init_db(engine)
    except (SQLAlchemyError, OSError, RuntimeError) as exc:  # unreachable server, bad path, newer schema
        print(f"error: cannot open the accounts database: {_first_line(exc)}", file=sys.stderr)
        return 2
    try:
        if args.command == "create":
            account = accounts.create_user(engine, args.username, read_password(stdin), args.role)
            print(f"created {account.username} ({account.role})")
        elif args.command == "set-role":
            account = accounts.set_role(engine, args.username, args.role)
            print(f"{account.username} is now {account.role}")
        elif args.command == "reset-password":
            account = accounts.reset_password(engine, args.username, read_password(stdin))
            print(f"password of {account.username} reset; their sessions are closed")
        elif args.command in ("disable", "enable"):
            account = accounts.set_active(engine, args.username, args.command == "enable")
            print(f"{account.username} {'enabled' if account.active else 'disabled'}")
        else:
            for account in accounts.list_accounts(engine):
                state = "active" if account.active else "disabled"
                print(f"{account.username}\t{account.role}\t{state}\t{account.created_at:%Y-%m-%d}")
    except (accounts.AccountError, PasswordPolicyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
