"""``python -m app``: run the dashboard locally (host and port from HOST / PORT, PaaS style).

In development (APP_ENV unset or "development") the database is upgraded to the code's schema
(Alembic) and the demo accounts "officer", "manager" and "admin" are created on first start with
random passwords printed once on the console.
"""
from __future__ import annotations

import sys

from app.config import SettingsError, get_settings
from app.security.logs import configure_logging


def main() -> None:
    try:
        settings = get_settings()
    except SettingsError as exc:  # APP_ENV=prod, SESSION_IDLE_MINUTES=-5, LOG_FORMAT=xml: one line
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    configure_logging(settings.log_format)
    from app.security.bootstrap import ensure_demo_accounts
    from app.security.web import ConfigurationError, current_engine

    try:
        from app.wsgi import app  # build after logging is configured; development upgrades its database here
    except ConfigurationError as exc:  # no SECRET_KEY in production, a database older than the code
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)

    with app.server.app_context():
        engine = current_engine()
        if engine is None:  # create_app always binds the database: a missing one is a bug, not a setting
            raise RuntimeError("the app has no database")
        ensure_demo_accounts(engine, settings)
    app.run(host=settings.host, port=settings.port, debug=False)


if __name__ == "__main__":
    main()
