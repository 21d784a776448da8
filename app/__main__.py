"""``python -m app``: run the dashboard locally (host and port from HOST / PORT, PaaS style).

In development (APP_ENV unset or "development") the demo accounts "officer" and "manager" are
created on first start with random passwords printed once on the console.
"""
from __future__ import annotations

from app.config import get_settings
from app.security.logs import configure_logging


def main() -> None:
    settings = get_settings()
    configure_logging("text" if settings.log_format == "text" else "json")
    from app.security.bootstrap import ensure_demo_accounts  # noqa: PLC0415
    from app.security.web import current_engine  # noqa: PLC0415
    from app.wsgi import app  # noqa: PLC0415 - build after logging is configured

    with app.server.app_context():
        ensure_demo_accounts(current_engine(), settings)
    app.run(host=settings.host, port=settings.port, debug=False)


if __name__ == "__main__":
    main()
