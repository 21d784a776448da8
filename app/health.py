"""``/healthz`` for the PaaS: is the model loaded, is the database reachable? (public, no personal data)"""
from __future__ import annotations

import flask

from app.config import Settings
from app.security.db import database_reachable
from app.security.web import current_engine

def model_loaded(settings: Settings) -> bool:
    """True when the served model and portfolio are loaded (loading them now if needed).

    The same cached loaders the pages use: a healthy answer means a client file can be opened.
    ``settings`` names the model folder the app was configured with; a mismatch means the loaders
    would serve another model, which is reported as unhealthy.
    """
    from app.resources import get_bundle, get_portfolio  # noqa: PLC0415 - heavy, only when asked

    try:
        bundle, store = get_bundle(), get_portfolio()
    except (OSError, ValueError):
        return False
    return bundle.directory.resolve() == settings.model_dir.resolve() and len(store.frame) > 0


def register_health_route(server: flask.Flask, settings: Settings) -> None:
    @server.route("/healthz")
    def healthz():
        engine = current_engine()
        checks = {"model_loaded": model_loaded(settings),
                  "database_reachable": engine is not None and database_reachable(engine)}
        ok = all(checks.values())
        response = flask.jsonify({"status": "ok" if ok else "unavailable", **checks})
        response.status_code = 200 if ok else 503
        return response
