"""Client-page callbacks called as plain functions: good id, unknown id, malformed and hostile input,
privacy of the comparison (no other client's id, outcome groups never below the minimum, the client
not counted among their own similar clients), labels and number formats in French and English."""
from __future__ import annotations

import json
import re

import dash
import flask
import numpy as np
import plotly.graph_objects as go
import pytest

from app.components import client_comparison as panel
from app.config import PROTECTED_ATTRIBUTES
from app.resources import served
from app.scoring.cohorts import MIN_COHORT_SIZE, similar_clients_filter
from app.security.audit import VIEW_CLIENT, audit_events
from app.security.testing import request_as
from app.security.web import current_engine
from tests.pages.client_support import NEW_FIRST_ID, served_client_model  # noqa: F401 - fixture

HOSTILE = ("<script>alert(1)</script>", "1; DROP TABLE clients", "../../etc/passwd", "１２３", "12e3", "-5",
           " ", "9" * 40, "1 000")
KEY_SETS = (["age_band"], ["contract_type"], ["age_band", "income_type"], ["income_type", "education"],
            ["age_band", "contract_type", "education"])


@pytest.fixture
def page(served_client_model):
    from app.pages import client

    return client


def _text(component) -> str:
    """All text of a component tree (what the officer reads)."""
    return json.dumps(component.to_plotly_json() if hasattr(component, "to_plotly_json") else component,
                      default=lambda o: o.to_plotly_json() if hasattr(o, "to_plotly_json") else str(o),
                      ensure_ascii=False)


def _figure_json(figure: go.Figure) -> str:
    return json.dumps(figure.to_plotly_json(), default=str, ensure_ascii=False)


def _labelled_id(served):
    _, labelled, _ = served
    return int(labelled["SK_ID_CURR"].iloc[3])


def _english(dash_app, username="officer-en"):
    """A request context of a logged-in officer who chose English."""
    class _Ctx:
        def __enter__(self):
            self._cm = request_as(dash_app.server, username, "officer")
            self._cm.__enter__()
            flask.request.cookies = {"lang": "en"}
            return self

        def __exit__(self, *exc):
            return self._cm.__exit__(*exc)
    return _Ctx()


def test_render_good_id_shows_score_decision_reasons_and_waterfall(page, served_client_model):
    client_id = _labelled_id(served_client_model)
    alert, style, heading, status, identity, gauge, score, reasons, decision, keys = page.render_client(str(client_id))
    assert alert is None and style == {}
    assert str(client_id) in heading
    assert isinstance(gauge, go.Figure)
    file = page.client_file(served(), client_id)
    decision_word = "accordé" if file.decision == "granted" else "refusé"
    assert decision_word in _text(score)
    assert "seuil de refus" in _text(score)
    intro, items = reasons.children[0], reasons.children[1].children
    assert ("Ce qui a fait monter" if file.decision == "refused" else "Ce qui a le plus réduit") in _text(intro)
    assert 1 <= len(items) <= 4
    direction = "augmente le risque" if file.decision == "refused" else "réduit le risque"
    assert all(direction in _text(i) for i in items)  # never a reason pointing away from the decision
    assert "Autres caractéristiques" not in _text(reasons)
    for name in PROTECTED_ATTRIBUTES:
        assert name not in _text(reasons)
    assert decision is not None and {o["value"] for o in keys} >= {"age_band", "income_type"}


@pytest.mark.parametrize("by", ["concept", "input", "bogus"])
def test_waterfall_by_concept_or_input_adds_up_to_the_probability(page, served_client_model, by):
    client_id = _labelled_id(served_client_model)
    waterfall = page.waterfall(str(client_id), by)
    file = page.client_file(served(), client_id)
    wf = waterfall.data[0]
    assert list(wf.measure)[0] == "absolute" and list(wf.measure)[-1] == "total"
    assert wf.x[-1] == pytest.approx(100 * file.proba)
    assert wf.x[0] + sum(wf.x[1:-1]) == pytest.approx(100 * file.proba, abs=1e-9)
    for text, points in zip(wf.text[1:-1], wf.x[1:-1], strict=True):  # arrows only on steps that do not round to 0
        assert text.endswith(" pts")
        assert text.startswith("\u25b2" if round(points, 1) > 0 else "\u25bc" if round(points, 1) < 0 else "0,0")
    assert all(h.endswith(" points") for h in wf.hovertext[1:-1])
    labels = list(wf.y[1:-1])
    if by == "input":
        assert any(label.startswith("Autres caractéristiques (") for label in labels)
    else:  # the default: one bar per concept, named in words, never a column name
        assert "Scores de crédit externes" in labels and len(labels) == len(file.concepts)
        assert not any("_" in label for label in labels)


def test_waterfall_of_a_bad_id_is_blank(page, served_client_model):
    assert not page.waterfall("12x", "concept").data


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
    assert message is None and not figure.data
    matches, feedback, nav = page.search_update(raw, opening=True)
    assert nav is dash.no_update and feedback is not None
    matches, feedback, nav = page.search_update(raw, opening=False)
    assert matches is None and nav is dash.no_update
    if raw.strip():  # typed text that cannot be an id is named in the message
        assert "n'est pas un identifiant" in _text(feedback)
    else:
        assert feedback is None


def test_search_suggests_ids_by_prefix_and_opens_an_existing_client(page, served_client_model):
    matches, feedback, nav = page.search_update("10000", opening=False)
    links = [c for c in matches if getattr(c, "href", None)]
    assert 1 <= len(links) <= page.N_SUGGESTIONS
    assert all(link.children.startswith("10000") and link.href == f"/client/{link.children}" for link in links)
    client_id = _labelled_id(served_client_model)
    assert page.search_update(f" {client_id} ", opening=True)[2] == f"/client/{client_id}"
    assert "Aucun client" in _text(page.search_update("123456789", opening=False)[1])
    assert "Aucun client" in _text(page.search_update("123", opening=True)[1])


def test_the_client_is_not_one_of_their_own_similar_clients(page, served_client_model):
    client_id = _labelled_id(served_client_model)
    frame = served().portfolio.frame
    everyone_similar = int(similar_clients_filter(frame.loc[client_id], ("age_band",)).mask(frame).sum())
    result = panel.client_comparison(client_id, "AGE_YEARS", ("age_band",))
    assert result.n_cohort == everyone_similar - 1
    position = frame.index.get_loc(client_id)
    members = panel._members(served(), client_id, ("age_band",))
    assert position not in set(members) and len(members) == everyone_similar - 1
    values = panel._values(served(), "AGE_YEARS")
    others = values[members]
    assert result.percentile == pytest.approx(100 * np.mean(others[np.isfinite(others)] < values[position]))
    figure, messages = page.comparison(str(client_id), "AGE_YEARS", ["age_band"])
    assert f"(n = {everyone_similar - 1})" in _figure_json(figure)
    view = panel.client_scatter(client_id, "AGE_YEARS", "CREDIT_TERM", ("age_band",))
    assert view.n_cohort == everyone_similar - 1 and len(view.points) == min(view.n_plottable, 3000)


@pytest.mark.parametrize("keys", KEY_SETS)
def test_outcome_groups_are_never_drawn_below_the_minimum(page, served_client_model, keys):
    client_id = _labelled_id(served_client_model)
    result = panel.client_comparison(client_id, "AMT_CREDIT", tuple(keys))
    figure, messages = page.comparison(str(client_id), "AMT_CREDIT", keys)
    bars = [t for t in figure.data if t.type == "bar"]
    assert len(bars) == sum(2 if p.split else 1 for p in result.panels)
    for p in result.panels:
        assert p.distribution.n_values >= MIN_COHORT_SIZE
        if p.split:
            assert min(p.distribution.n_repaid, p.distribution.n_difficulties) >= MIN_COHORT_SIZE
        else:
            assert "sans séparer les issues" in _text(messages)
    if not any(p.group == "cohort" for p in result.panels):
        assert "anonymat" in _text(messages)


def test_a_cohort_with_few_payment_difficulties_is_shown_without_the_outcome_split(page, served_client_model):
    """The tiny portfolio has cohorts of >= 20 clients of which < 20 had difficulties: they must be
    drawn as one series ("all outcomes together"), never as a bar of a handful of defaulters."""
    client_id = _labelled_id(served_client_model)
    for keys in KEY_SETS:
        result = panel.client_comparison(client_id, "AMT_CREDIT", tuple(keys))
        cohort = [p for p in result.panels if p.group == "cohort"]
        if cohort and not cohort[0].split:
            break
    else:
        pytest.fail("no cohort of the test portfolio exercises the unsplit case")
    figure, messages = page.comparison(str(client_id), "AMT_CREDIT", keys)
    names = [t.name for t in figure.data if t.type == "bar"]
    assert names.count("Difficultés de paiement") == (1 if result.panels[0].split else 0)
    assert "Toutes issues confondues" in names
    assert "sans séparer les issues" in _text(messages)


def test_comparison_refuses_tiny_cohorts(page, served_client_model):
    client_id = _labelled_id(served_client_model)
    figure, messages = page.comparison(str(client_id), "AMT_CREDIT", list(page.client_comparison.SIMILARITY_OPTIONS))
    assert all(t.type == "bar" for t in figure.data)
    assert len(figure.layout.annotations) >= 1 and "Autres clients similaires" not in _figure_json(figure)
    assert "anonymat" in _text(messages)
    scatter, note = page.scatter(str(client_id), "AGE_YEARS", "CREDIT_TERM", list(page.client_comparison.SIMILARITY_OPTIONS))
    assert note is None and "anonymat" in json.dumps(scatter.to_plotly_json()["layout"], ensure_ascii=False)


@pytest.mark.parametrize("feature", ["AMT_CREDIT", "AGE_YEARS", "ANNUITY_INCOME_RATIO", "EXT_SOURCE_MEAN"])
def test_no_other_clients_id_in_any_comparison_figure(page, served_client_model, feature):
    client_id = _labelled_id(served_client_model)
    _, labelled, new = served_client_model
    others = {int(i) for i in labelled["SK_ID_CURR"]} | {int(i) for i in new["SK_ID_CURR"]}
    others.discard(client_id)
    pattern = re.compile(r"\b(?:" + "|".join(str(i) for i in sorted(others)) + r")\b")
    for keys in (["age_band"], ["contract_type"], []):
        dumped = [_figure_json(page.comparison(str(client_id), feature, keys)[0]),
                  _figure_json(page.scatter(str(client_id), feature, "PROBA_DEFAULT", keys)[0]),
                  _figure_json(page.scatter(str(client_id), "CREDIT_TERM", feature, keys)[0])]
        for text in dumped:
            assert pattern.search(text) is None, pattern.search(text).group(0)


def test_scatter_labels_units_once_and_sends_anonymous_points(page, served_client_model):
    client_id = _labelled_id(served_client_model)
    figure, note = page.scatter(str(client_id), "AMT_CREDIT", "ANNUITY_INCOME_RATIO", ["contract_type"])
    cohort, star = figure.data
    assert star.name == "Ce client" and len(star.x) == 1
    assert cohort.text is None and cohort.customdata is None
    assert cohort.marker.colorbar.title.text == "Probabilité de défaut (%)"
    hover = cohort.hovertemplate
    assert "(%)" not in hover and "(€)" not in hover and "~f" not in hover
    assert "%{x:,.0f}\u00a0€" in hover and "%{y:.1f}\u00a0%" in hover and "%{marker.color:.1f}\u00a0%" in hover
    assert figure.layout.xaxis.title.text.endswith("(€)")


def test_forged_dropdown_values_fall_back_to_defaults(page, served_client_model):
    client_id = _labelled_id(served_client_model)
    figure, _ = page.comparison(str(client_id), "__class__", ["nope", 3, None])
    assert figure.layout.xaxis.title.text == panel.feature_axis(panel.DEFAULT_FEATURE, "fr")


def test_viewing_a_file_is_audited(page, served_client_model, dash_app):
    client_id = _labelled_id(served_client_model)
    with request_as(dash_app.server, "officer-audit", "officer"):
        page.render_client(str(client_id))
        events = audit_events(current_engine(), target=str(client_id), action=VIEW_CLIENT)
    assert [e.username for e in events][:1] == ["officer-audit"]


def test_english_texts_and_number_formats(page, served_client_model, dash_app):
    client_id = _labelled_id(served_client_model)
    with _english(dash_app):
        alert, style, heading, status, identity, gauge, score, *_ = page.render_client(str(client_id))
        waterfall = page.waterfall(str(client_id), "input")
        figure, messages = page.comparison(str(client_id), "AMT_CREDIT", ["age_band"])
        scatter, note = page.scatter(str(client_id), "AMT_CREDIT", "AGE_YEARS", ["age_band"])
        title = page.page_title(str(client_id))
    assert "refusal threshold" in _text(score)
    wf = waterfall.data[0]
    assert re.fullmatch(r"\d+\.\d%", wf.text[0]) and re.fullmatch(r"\d+\.\d%", wf.text[-1])
    assert all("," not in t for t in wf.text[1:-1])
    assert any("Refusal threshold" in a.text and "," not in a.text for a in gauge.layout.annotations)
    assert waterfall.layout.separators == ".," and figure.layout.separators == ".,"
    assert figure.layout.yaxis.ticksuffix == "%"
    bars = [t for t in figure.data if t.type == "bar"]
    assert bars[0].name == "Repaid" and "€" in bars[0].hovertext[0] and "\u00a0%" not in bars[0].hovertext[0]
    assert "€%{x:,.0f}" in scatter.data[0].hovertemplate and "years" in scatter.data[0].hovertemplate
    assert "Other similar clients" in _figure_json(figure)
    assert title == f"Client {client_id} — Prêt à dépenser"


def test_tab_title_follows_the_language(page, dash_app):
    with dash_app.server.test_request_context("/client"):
        assert page.page_title() == "Dossier client — Prêt à dépenser"
        assert page.page_title("<script>") == "Dossier client — Prêt à dépenser"
    with dash_app.server.test_request_context("/client", headers={"Cookie": "lang=en"}):
        assert page.page_title() == "Client file — Prêt à dépenser"
        assert page.page_title("100002") == "Client 100002 — Prêt à dépenser"


def test_an_encoded_id_in_the_url_is_shown_decoded(page):
    """/client/abc%3Cscript%3E: the officer reads what was typed, and it is only ever text."""
    from dash import dcc

    def stores(node):
        if isinstance(node, dcc.Store):
            yield node
        for child in getattr(node, "children", None) or []:
            if not isinstance(child, str):
                yield from stores(child)

    layout = page.layout(client_id="abc%3Cscript%3E")
    assert [s.data for s in stores(layout)] == ["abc<script>"]


def test_the_path_decides_which_client_is_shown(page, dash_app):
    """/client/A?client_id=B: Dash merges query over path variables; the tab and the file must both be A."""
    from app.security.testing import login_client

    officer = login_client(dash_app.server, "officer-path", "officer")
    shown, other = NEW_FIRST_ID + 2, NEW_FIRST_ID + 9

    def route(pathname: str, search: str) -> dict:
        body = {"output": ".._pages_content.children..._pages_store.data..",
                "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
                "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                           {"id": "_pages_location", "property": "search", "value": search}],
                "changedPropIds": ["_pages_location.pathname"], "state": []}
        answer = officer.post("/_dash-update-component", json=body)
        assert answer.status_code == 200
        return answer.get_json()["response"]

    response = route(f"/client/{shown}", f"?client_id={other}")
    text = json.dumps(response["_pages_content"])
    assert f'"data": "{shown}"' in text and str(other) not in text
    assert str(shown) in response["_pages_store"]["data"]["title"]
    search_only = json.dumps(route("/client", f"?client_id={other}"))
    assert str(other) not in search_only and page.CLIENT_ID not in search_only


def test_tab_title_and_file_read_the_same_decoded_id(page, served_client_model):
    """/client/%39%30%30%30%30%32 is client 900002 for the title too (hostile review #7)."""
    encoded = "".join(f"%{ord(c):02X}" for c in str(NEW_FIRST_ID + 2))
    assert str(NEW_FIRST_ID + 2) in page.page_title(encoded)
    assert page.url_client_id(encoded) == str(NEW_FIRST_ID + 2)


def test_examples_name_a_client_of_the_served_portfolio(page, served_client_model):
    """The placeholder, the empty-id message and the home page offer an id that opens a file (Home
    Credit's 100002, the old example, exists in no synthetic portfolio)."""
    from app.pages import home

    example = served().example_client_id()
    assert int(example) in served().portfolio.frame.index
    search = _text(page.SearchBar("fr"))
    assert f"ex. {example}" in search and "100002" not in search
    assert f"par exemple {example}" in _text(page.search_update("", opening=True)[1])
    landing = home.layout()
    assert f'"/client/{example}"' in _text(landing)
    assert page.search_update(example, opening=True)[2] == f"/client/{example}"


def _components(tree, kind):
    """Every component of type ``kind`` in a layout tree."""
    found, stack = [], [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (list, tuple)):
            stack.extend(node)
            continue
        if isinstance(node, kind):
            found.append(node)
        children = getattr(node, "children", None)
        if children is not None and not isinstance(children, str):
            stack.append(children)
    return found


def test_search_placeholder_names_a_client_of_the_portfolio_and_the_label_no_column(page, dash_app):
    """The example id used to be a fixed 100002, absent from the demo portfolio; the label showed SK_ID_CURR."""
    import dash_bootstrap_components as dbc

    with request_as(dash_app.server, "officer-search", "officer"):
        layout = page.layout(None)
    (search,) = [i for i in _components(layout, dbc.Input) if i.id == page.SEARCH_INPUT]
    example = int(re.search(r"\d+", search.placeholder).group())
    assert example in served().portfolio
    labels = _text(layout)
    assert "SK_ID_CURR" not in labels and "Numéro de dossier du client" in labels


def test_switch_of_the_waterfall_is_in_the_readers_language(page, dash_app):
    import dash_bootstrap_components as dbc

    with request_as(dash_app.server, "officer-switch", "officer"):
        layout = page.layout("123")
    (switch,) = [r for r in _components(layout, dbc.RadioItems) if r.id == page.WATERFALL_VIEW]
    assert switch.value == "concept" and [o["label"] for o in switch.options] == ["Par thème", "Par caractéristique"]
