"""Decision panel callbacks called as plain functions inside a logged-in request (SQLite + PostgreSQL)."""
import json

import dash
import pytest

from app.components.decision_log import (
    CHOICE_ID,
    SUBMIT_ID,
    DecisionPanel,
    decision_update,
    read_context,
    sign_context,
    sign_request,
    toggle_reason,
)
from app.security.audit import audit_events
from app.security.decisions import ModelBasis, decision_history, review_decision
from app.security.testing import request_as
from app.security.web import current_engine
from tests.security.conftest import engine, probed_app, server  # noqa: F401 - shared fixtures

HOSTILE = "<img src=x onerror=alert(1)>"
BASIS = ModelBasis("abc@2026-11-21", 0.2, 0.09, "E", ({"feature": "EXT_SOURCE_3", "points": 5.0},))
TERMS = {"AMT_CREDIT": 150000.0, "AMT_ANNUITY": 9000.0, "AMT_GOODS_PRICE": 135000.0, "CNT_PAYMENT": 24}


def _text(component) -> str:
    return json.dumps(component.to_plotly_json(), default=lambda o: o.to_plotly_json(), ensure_ascii=False)


def _find(component, id_):
    """The component with ``id_`` inside a layout tree."""
    if getattr(component, "id", None) == id_:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and not isinstance(child, str | int | float) and (found := _find(child, id_)) is not None:
            return found
    return None


def submit(token, request, choice, reason=None, note="", **kwargs):
    return decision_update(True, token, choice, reason, note, request_token=request, lang="fr", **kwargs)


def test_panel_builds_outside_a_request_but_cannot_record():
    panel = DecisionPanel("100002", "refused", lang="fr")
    assert "client-decision-submit" in _text(panel)
    feedback, *_ = decision_update(True, None, "follow", None, "", lang="fr")
    assert "indisponible" in _text(feedback)
    with pytest.raises(ValueError):
        DecisionPanel("1", "maybe")


def test_reason_enabled_for_override_and_modified_terms_only():
    assert toggle_reason("override") is False and toggle_reason("modified") is False and toggle_reason("follow") is True


def test_override_refused_without_reason_then_recorded_once_pending_approval(server):
    with request_as(server, "alice", "officer"):
        token, request = sign_context("100002", "refused", BASIS), sign_request("100002", None)
        feedback, history, note, *_ = submit(token, request, "override", None, "note")
        assert "motif" in _text(feedback).lower() and note is dash.no_update
        assert "Aucune" in _text(decision_update(False, token, None, None, None, lang="fr")[1])
        feedback, history, note, final, next_request, _, revision_style, disabled = submit(
            token, request, "override", "guarantor_or_collateral", HOSTILE)
        assert note == "" and "en attente de validation" in _text(feedback)
        assert "En attente de validation" in _text(final) and "alice" in _text(final)
        rendered = _text(history)
        assert HOSTILE in rendered and "alice" in rendered  # a text child: React escapes it
        again = submit(token, request, "override", "guarantor_or_collateral", HOSTILE)  # the double click
        assert "en attente" in _text(again[0])
        [stored] = decision_history(current_engine(), "100002")
        assert (stored.model_version, stored.proba, stored.grade, stored.status) == ("abc@2026-11-21", 0.2, "E", "pending")
        events = audit_events(current_engine(), action="decision.record")
        assert len(events) == 1 and events[0].target == "100002" and events[0].details["overridden"] is True
        assert events[0].username == "alice" and events[0].details["status"] == "pending"
        assert next_request != request and revision_style is None  # the next recording is a revision
        assert disabled is True  # until a revision reason is typed: a late second click records nothing


def test_changing_a_decision_is_an_explicit_revision(server):
    with request_as(server, "alice", "officer"):
        token = sign_context("100003", "refused", BASIS)
        first = submit(token, sign_request("100003", None), "follow")
        next_request = first[4]
        feedback, *_ = submit(token, next_request, "override", "client_history")
        assert "motif de la révision" in _text(feedback).lower()
        feedback, *_ = submit(token, sign_request("100003", None), "override", "client_history")  # an old form
        assert "déjà une décision" in _text(feedback)
        feedback, history, *_ = submit(token, next_request, "override", "client_history", revision="client known 10 years")
        assert "enregistr" in _text(feedback)
        records = decision_history(current_engine(), "100003")
        assert [r.final_decision for r in records] == ["granted", "refused"]
        assert records[0].revises_id == records[1].id and records[0].revision_reason == "client known 10 years"
        assert "client known 10 years" in _text(history)


def test_panel_reopens_on_the_recorded_choice_and_shows_the_final_decision(server):
    with request_as(server, "alice", "officer"):
        token = sign_context("100004", "refused", BASIS)
        submit(token, sign_request("100004", None), "override", "client_history")
        panel = DecisionPanel("100004", "refused", basis=BASIS, lang="fr")
        assert _find(panel, CHOICE_ID).value == "override"  # not back to "follow the model"
        assert _find(panel, SUBMIT_ID).disabled is True  # changing it needs a revision reason first
        assert "En attente de validation" in _text(panel) and "Crédit accordé" in _text(panel)
    with request_as(server, "boss", "manager"):
        [pending] = decision_history(current_engine(), "100004")
        review_decision(current_engine(), decision_id=pending.id, reviewer="boss", verdict="approved", comment="ok")
        assert "Validée par un responsable" in _text(DecisionPanel("100004", "refused", lang="fr"))


def test_a_closed_file_is_refused_with_a_clear_message(server):
    with request_as(server, "alice", "officer"):
        token = sign_context("100005", "granted", BASIS, open_application=False)
        assert "pas une demande en attente" in _text(DecisionPanel("100005", "granted", open_application=False, lang="fr"))
        feedback, *_ = submit(token, sign_request("100005", None), "follow")
        assert "pas une demande en attente" in _text(feedback)
        assert decision_history(current_engine(), "100005") == []


def test_granted_with_modified_terms_reads_the_what_if_terms(server):
    with request_as(server, "alice", "officer"):
        token, request = sign_context("100006", "granted", BASIS), sign_request("100006", None)
        feedback, *_ = submit(token, request, "modified", terms=None)
        assert "nouvelles conditions" in _text(feedback)
        feedback, _, _, final, *_ = submit(token, request, "modified", terms=TERMS)
        assert "Décision enregistrée" in _text(feedback) and "24 mois" in _text(final)
        [stored] = decision_history(current_engine(), "100006")
        assert stored.terms == TERMS and stored.final_decision == "granted_modified" and not stored.overridden


def test_forged_context_or_request_refused(server):
    with request_as(server, "alice", "officer"):
        token = sign_context("100002", "refused")
        forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
        assert read_context(forged) is None
        feedback, *_ = submit(forged, sign_request("100002", None), "follow")
        assert "indisponible" in _text(feedback)
        for request in (None, "forged", sign_request("999", None)):  # missing, unsigned, another client's
            feedback, *_ = submit(token, request, "follow")
            assert "Formulaire expiré" in _text(feedback)
        assert decision_history(current_engine(), "100002") == []
