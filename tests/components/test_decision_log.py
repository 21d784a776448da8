"""Decision panel callbacks called as plain functions inside a logged-in request (SQLite + PostgreSQL)."""
import json

import dash
import pytest

from app.components.decision_log import DecisionPanel, decision_update, read_context, sign_context, toggle_reason
from app.security.audit import audit_events
from app.security.testing import request_as
from app.security.web import current_engine
from tests.security.conftest import engine, probed_app, server  # noqa: F401 - shared fixtures

HOSTILE = "<img src=x onerror=alert(1)>"


def _text(component) -> str:
    return json.dumps(component.to_plotly_json(), default=lambda o: o.to_plotly_json())


def test_panel_builds_outside_a_request_but_cannot_record():
    panel = DecisionPanel("100002", "refused")
    assert "client-decision-submit" in _text(panel)
    feedback, history, _ = decision_update(True, None, "follow", None, "")
    assert "unavailable" in _text(feedback).lower() or "indisponible" in _text(feedback)
    with pytest.raises(ValueError):
        DecisionPanel("1", "maybe")


def test_reason_enabled_only_for_override():
    assert toggle_reason("override") is False and toggle_reason("follow") is True


def test_override_without_reason_refused_then_recorded(server):
    with request_as(server, "alice", "officer"):
        token = sign_context("100002", "refused")
        feedback, history, note = decision_update(True, token, "override", None, "note")
        assert "motif" in _text(feedback).lower() and note is dash.no_update
        assert "Aucune" in _text(decision_update(False, token, None, None, None)[1])
        feedback, history, note = decision_update(True, token, "override", "guarantor_or_collateral", HOSTILE)
        assert note == "" and "enregistr" in _text(feedback).lower()
        rendered = _text(history)
        assert HOSTILE in rendered and "alice" in rendered  # a text child: React escapes it
        events = audit_events(current_engine(), action="decision.record")
        assert events[0].target == "100002" and events[0].details["overridden"] is True
        assert events[0].username == "alice"


def test_forged_context_refused(server):
    with request_as(server, "alice", "officer"):
        token = sign_context("100002", "refused")
        forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
        assert read_context(forged) is None
        feedback, _, _ = decision_update(True, forged, "follow", None, "")
        assert "indisponible" in _text(feedback)
