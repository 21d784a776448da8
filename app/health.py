"""``/healthz`` for the PaaS: is the model loaded, is the database reachable? (public, no personal data)"""
from __future__ import annotations

import logging

import flask

from app.security.db import database_reachable
from app.security.web import current_engine

log = logging.getLogger(__name__)


def model_loaded() -> bool:
    """True when the served model and portfolio are loaded (loading them now if needed).

    The same served model the pages use, so a healthy answer means a client file can be opened.
    Any failure (missing folder, corrupt card or portfolio) is an unhealthy answer, never a 500: the
    probe must be able to tell "down" from "broken probe".
    """
    from app.resources import served  # heavy, only when asked

    try:
        model = served()
        return model.bundle is not None and len(model.portfolio) > 0
    except Exception:  # reported as unhealthy and logged
        log.exception("health check: model or portfolio cannot be loaded")
        return False


def register_health_route(server: flask.Flask) -> None:
    @server.route("/healthz")
    def healthz():
        engine = current_engine()
        checks = {"model_loaded": model_loaded(),
                  "database_reachable": engine is not None and database_reachable(engine)}
        ok = all(checks.values())
        response = flask.jsonify({"status": "ok" if ok else "unavailable", **checks})
        response.status_code = 200 if ok else 503
        return response
