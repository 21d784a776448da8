"""``python -m app``: run the dashboard locally (host and port from HOST / PORT, PaaS style).

In development (APP_ENV unset or "development") the database is upgraded to the code's schema
(Alembic), the demo accounts "officer", "manager" and "admin" are created on first start with random
passwords printed once on the console, and the monitoring history of the served model is backfilled
when it has none (every month of the portfolio's dated new applications, ``app.cli.history.backfill``),
so a fresh clone shows its trends (in a background thread: the dashboard answers meanwhile).
"""
from __future__ import annotations

import sys
import threading

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
        if not settings.is_production:
            start_backfill(engine, settings)
    app.run(host=settings.host, port=settings.port, debug=False)


def start_backfill(engine, settings) -> threading.Thread:
    """Backfill in a background thread: the dashboard answers within seconds of a fresh clone's first
    start instead of after the ~30 s the twelve demo months take; the monitoring page fills in as
    each month is stored (it reads the database at every request)."""
    thread = threading.Thread(target=_backfill_history, args=(engine, settings), name="monitoring-backfill",
                              daemon=True)
    thread.start()
    return thread


def _backfill_history(engine, settings) -> None:
    """Development only: the demo's months into the monitoring tables, once; a failure is reported,
    never fatal (the page then says no month was analysed)."""
    import logging

    from sqlalchemy.exc import SQLAlchemyError

    from app.cli.history import backfill_if_empty
    from app.scoring.bundle import ModelNotFoundError

    log = logging.getLogger("app.monitoring")
    log.info("monitoring history: backfilling the served model's months if it has none (first start only)")
    try:
        stored = backfill_if_empty(engine, settings.model_dir, log=log.info)
    except (ModelNotFoundError, SQLAlchemyError, ValueError, OSError) as exc:
        log.warning("monitoring history not backfilled: %s", exc)
        return
    if stored:
        log.info("monitoring history backfilled: %d months", stored)


if __name__ == "__main__":
    main()
