"""``python -m app``: run the dashboard locally (host and port from HOST / PORT, PaaS style)."""
from __future__ import annotations

import logging

from app.config import get_settings


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = get_settings()
    from app.wsgi import app  # noqa: PLC0415 - build after logging is configured

    app.run(host=settings.host, port=settings.port, debug=False)


if __name__ == "__main__":
    main()
