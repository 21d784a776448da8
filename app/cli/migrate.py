"""Upgrade the app's database to the code's schema, or say where it stands (Alembic revisions).

``python -m app.cli.migrate upgrade`` is the ``release:`` line of the Procfile: the PaaS runs it
once before the new web processes start, which refuse a database older than the code.
"""
from __future__ import annotations

import argparse
import sys

from sqlalchemy.exc import SQLAlchemyError

from app.config import SettingsError, get_settings
from app.security.db import get_engine
from app.security.schema import SchemaOutdatedError, current_revision, head_revision, require_current, upgrade


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("upgrade", help="apply every revision the database lacks (DATABASE_URL or the SQLite file)")
    sub.add_parser("current", help="print the database's revision and the code's")
    sub.add_parser("check", help="exit 1 when the database is not at the code's revision")
    args = parser.parse_args(argv)
    try:
        engine = get_engine(get_settings().database_url)
        if args.command == "upgrade":
            print(f"database upgraded to revision {upgrade(engine)}")
        elif args.command == "current":
            print(f"database: {current_revision(engine) or 'none'}; code: {head_revision()}")
        else:
            require_current(engine)
            print(f"database at revision {head_revision()}")
    except SchemaOutdatedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (SettingsError, SQLAlchemyError, OSError) as exc:
        print(f"error: cannot open the database: {_first_line(exc)}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
