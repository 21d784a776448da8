"""Client-page callbacks called as plain functions: good id, unknown id, malformed and hostile input."""
from __future__ import annotations

import json

import dash
import plotly.graph_objects as go
import pytest

from app.config import PROTECTED_ATTRIBUTES
from app.security.audit import VIEW_CLIENT, audit_events
from app.security.testing import request_as
from app.security.web import current_engine
from tests.pages.client_support import NEW_FIRST_ID, served_client_model  # noqa: F401 - fixture

HOSTILE = ("<script>alert(1)</script>", "1; DROP TABLE clients", "../../etc/passwd", "１２３", "12e3", "-5",
           " ", "9" * 40, "1 000")


@pytest.fixture
def page(served_client_model):
    from app.pages import client

    return client


def _text(component) -> str:
    """All text of a component tree (what the officer reads)."""
    return json.dumps(component.to_plotly_json() if hasattr(component, "to_plotly_json") else component,
                      default=lambda o: o.to_plotly_json() if hasattr(o, "to_plotly_json") else str(o),
                      ensure_ascii=False)


def _labelled_id(served):
    _, labelled, _ = served
    return int(labelled["SK_ID_CURR"].iloc[3])


def test_render_good_id_shows_score_decision_reasons_and_waterfall(page, served_client_model):
    client_id = _labelled_id(served_client_model)
    alert, style, heading, status, identity, gauge, score, waterfall, reasons, panel, keys = page.render_client(str(client_id))
    assert alert is None and style == {}
    assert str(client_id) in heading
    assert isinstance(gauge, go.Figure) and isinstance(waterfall, go.Figure)
    file = page._client_file(page._portfolio_key(), client_id)
    # waterfall: base + steps + total; the total bar is the client's probability
    wf = waterfall.data[0]
    assert list(wf.measure)[0] == "absolute" and list(wf.measure)[-1] == "total"
    assert wf.x[-1] == pytest.approx(100 * file.proba)
    assert wf.x[0] + sum(wf.x[1:-1]) == pytest.approx(100 * file.proba, abs=1e-6)
    decision_word = "accordé" if file.decision == "granted" else "refusé"
    assert decision_word in _text(score)
    assert "seuil de refus" in _text(score)
    items = reasons.children
    assert 1 <= len(items) <= 4
    assert all(("augmente le risque" in _text(i)) or ("diminue le risque" in _text(i)) for i in items)
    for name in PROTECTED_ATTRIBUTES:
        assert name not in _text(reasons)
    assert panel is not None and {o["value"] for o in keys} >= {"age_band", "income_type"}


def test_new_application_opens_without_outcome(page, served_client_model):
    alert, style, heading, status, *_ = page.render_client(str(NEW_FIRST_ID + 7))
    assert alert is None and style == {}
    assert "Nouvelle demande" in status


@pytest.mark.parametrize("raw, expected", [("", "Saisissez"), (None, "Saisissez"), ("12x", "n'est pas un identifiant"),
                                           ("123", "Aucun client n'a l'identifiant 123")])
def test_render_bad_ids_give_a_clear_message_and_hide_the_file(page, raw, expected):
    alert, style, *rest = page.render_client(raw)
    assert expected in _text(alert)
    assert style == page.HIDDEN
    assert rest[-2] is None  # no decision panel for a non-client


@pytest.mark.parametrize("raw", HOSTILE)
def test_hostile_strings_never_raise(page, raw):
    alert, style, *_ = page.render_client(raw)
    assert alert is not None and style == page.HIDDEN
    figure, message = page.comparison(raw, "AMT_CREDIT", ["age_band"])
    assert message is None
    matches, feedback, nav = page.search_update(raw, opening=True)
    assert nav is dash.no_update and feedback is not None
    page.search_update(raw, opening=False)


def test_search_suggests_ids_by_prefix_and_opens_an_existing_client(page, served_client_model):
    matches, feedback, nav = page.search_update("10000", opening=False)
    links = [c for c in matches if getattr(c, "href", None)]
    assert 1 <= len(links) <= page.N_SUGGESTIONS
    assert all(link.children.startswith("10000") and link.href == f"/client/{link.children}" for link in links)
    client_id = _labelled_id(served_client_model)
    assert page.search_update(f" {client_id} ", opening=True)[2] == f"/client/{client_id}"
    assert "Aucun client" in _text(page.search_update("123456789", opening=False)[1])
    assert "Aucun client" in _text(page.search_update("123", opening=True)[1])


def test_comparison_marks_the_client_and_refuses_tiny_cohorts(page, served_client_model):
    client_id = _labelled_id(served_client_model)
    figure, messages = page.comparison(str(client_id), "AMT_CREDIT", ["age_band"])
    bars = [t for t in figure.data if t.type == "bar"]
    assert len(bars) == 4  # repaid / difficulties x (all clients, similar clients)
    assert not any("customdata" in t and t.customdata is not None for t in figure.data)
    # every attribute at once: the tiny portfolio has fewer than 20 such clients
    figure, messages = page.comparison(str(client_id), "AMT_CREDIT", list(page.SIMILARITY_OPTIONS))
    assert len([t for t in figure.data if t.type == "bar"]) == 2
    assert "anonymat" in _text(messages)
    scatter, note = page.scatter(str(client_id), "AGE_YEARS", "CREDIT_TERM", list(page.SIMILARITY_OPTIONS))
    assert note is None and "anonymat" in json.dumps(scatter.to_plotly_json()["layout"], ensure_ascii=False)


def test_scatter_sends_anonymous_points_only(page, served_client_model):
    client_id = _labelled_id(served_client_model)
    figure, note = page.scatter(str(client_id), "AGE_YEARS", "ANNUITY_INCOME_RATIO", ["contract_type"])
    cohort, star = figure.data
    assert star.name == "Ce client" and len(star.x) == 1
    ids = {str(i) for i in served_client_model[1]["SK_ID_CURR"]}
    dumped = json.dumps(figure.to_plotly_json(), default=str)
    assert not any(f'"{i}"' in dumped for i in list(ids)[:200])
    assert cohort.text is None and cohort.customdata is None


def test_forged_dropdown_values_fall_back_to_defaults(page, served_client_model):
    client_id = _labelled_id(served_client_model)
    figure, _ = page.comparison(str(client_id), "__class__", ["nope", 3])
    assert figure.layout.xaxis.title.text == page._feature_axis(page.DEFAULT_FEATURE, "fr")


def test_viewing_a_file_is_audited(page, served_client_model, dash_app):
    client_id = _labelled_id(served_client_model)
    with request_as(dash_app.server, "officer-audit", "officer"):
        page.render_client(str(client_id))
        events = audit_events(current_engine(), target=str(client_id), action=VIEW_CLIENT)
    assert [e.username for e in events][:1] == ["officer-audit"]


def test_english_texts(page, served_client_model, dash_app):
    client_id = _labelled_id(served_client_model)
    with request_as(dash_app.server, "officer-en", "officer"):
        import flask

        flask.request.cookies = {"lang": "en"}
        alert, style, heading, status, identity, gauge, score, *_ = page.render_client(str(client_id))
    assert "refusal threshold" in _text(score)
