"""``/healthz`` for the PaaS: is the model there, is the database reachable? (public, no personal data)

``model_loaded`` is the single place to swap in the scoring engine's own check once it exists
(e.g. ``from app.scoring.model import is_loaded``); until then the model directory must hold
``model.cbm``.
"""
from __future__ import annotations

import flask

from app.config import Settings
from app.security.db import database_reachable
from app.security.web import current_engine

MODEL_FILE = "model.cbm"


def model_loaded(settings: Settings) -> bool:
    """True when the deployed model is available to score clients."""
    return (settings.model_dir / MODEL_FILE).is_file()


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
