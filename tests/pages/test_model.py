"""Model page: layout and callbacks called as plain functions on a tiny model folder."""
import json
import re

import dash
import numpy as np
import pandas as pd
import plotly
import plotly.graph_objects as go
import pytest

from app.scoring.bundle import OOF_FILE
from app.scoring.metrics import CostModel, optimal_threshold
from tests.factories import make_model_card
from tests.pages.governance_support import component_text, governance_model  # noqa: F401 - fixture


def _text(component) -> str:
    return component_text(component)


def _closed_panels() -> list:
    """The panel of every tab the layout does not bring, as its callback gives it when the tab opens
    (or, for the two cards far below the fold, when the card is first seen)."""
    from app.pages import model

    return [opener(name) for opener, names in ((model.open_performance_tab, model.PERFORMANCE_TABS[1:]),
                                               (model.open_compare_tab, ("policies",)),
                                               (model.open_explain_tab, model.EXPLAIN_TABS),
                                               (model.open_fairness_tab, ("gender", "age_band"))) for name in names]


def test_layout_shows_card_curves_costs_explanations_and_fairness(governance_model):
    from app.pages import model

    text = _text(model.layout()) + _text(_closed_panels())
    for needle in ("model-card-table", "hors échantillon", "Courbe ROC", "Calibration", "Matrice de confusion",
                   "Explorateur du coût", "ne modifie le seuil de production", "Régression logistique",
                   "Tout accorder", "Importance moyenne", "Par sexe", "Par tranche d'âge", "quatre cinquièmes",
                   "Attributs protégés exclus", "Sexe"):
        assert needle in text, needle
    assert "CODE_GENDER" in text  # listed among the protected attributes excluded


def test_cost_callback_marks_the_optimum_and_reports_figures(governance_model):
    from app.pages import model

    oof = pd.read_parquet(governance_model / OOF_FILE)
    fig, kpis, message = model.update_cost(5, 2, 20)
    assert message == "" and isinstance(fig, go.Figure)
    best = optimal_threshold(oof["TARGET"], oof["PROBA_OOF"], CostModel(5, 2))
    cost = fig.data[0]
    assert min(cost.y) == pytest.approx(best.cost_per_client)  # curve minimum == engine optimum
    annotations = " ".join(a.text for a in fig.layout.annotations)
    assert f"{100 * best.threshold:.1f}".replace(".", ",") in annotations and "Exploré 20,0" in annotations
    kpi_text = _text(kpis)
    refused_good = int(((oof["PROBA_OOF"] >= 0.2) & (oof["TARGET"] == 0)).sum())
    assert f"{refused_good:,}".replace(",", "\u00a0") in kpi_text


def test_cost_callback_withholds_figures_describing_a_few_granted_clients(governance_model):
    from app.pages import model

    proba = pd.read_parquet(governance_model / OOF_FILE)["PROBA_OOF"].to_numpy()
    # the first step of the slider (0.5 %) that grants a few clients, but not none
    step, granted = next((s, int((proba < s / 100).sum())) for s in np.arange(0.5, 100, model.SLIDER_STEP)
                         if 0 < (proba < s / 100).sum() < 20)
    _fig, kpis, message = model.update_cost(10, 1, float(step))
    assert message.startswith(f"{granted} clients seulement seraient accordés à ce seuil (minimum 20)")
    assert "—" in _text(kpis)


@pytest.mark.parametrize("fn, fp", [(None, 1), ("abc", 1), (0, 1), (-3, 1), (10, 1e9)])
def test_cost_callback_rejects_bad_costs_with_a_message(governance_model, fn, fp):
    from app.pages import model

    _fig, kpis, message = model.update_cost(fn, fp, 10)
    assert kpis == [] and "positifs" in message


def test_slider_does_not_change_the_production_threshold(governance_model):
    from app.pages import model
    from app.resources import served

    before = served().bundle.threshold
    model.update_cost(10, 1, 90)
    assert served().bundle.threshold == before
    card = json.loads((governance_model / "model_card.json").read_text())
    assert card["decision"]["threshold"] == before


def test_dependence_callback(governance_model):
    from app.pages import model

    fig = model.update_dependence("EXT_SOURCE_MEAN")
    assert fig.layout.xaxis.title.text == "Score externe moyen" and len(fig.data[0].x) > 100
    assert fig.data[0].type in ("scattergl", "scatter")
    assert model.update_dependence("NAME_INCOME_TYPE").data[0].type == "box"
    assert "inconnue" in model.update_dependence("<script>alert(1)</script>").layout.annotations[0].text


def _in_language(dash_app, lang: str):
    """A request of a user whose language cookie is ``lang`` (what the pages read)."""
    return dash_app.server.test_request_context("/model", headers={"Cookie": f"lang={lang}"})


@pytest.mark.parametrize("forged", ["abc", "nan", "inf", 1e9, -5, [20], {"x": 1}, True])
def test_forged_threshold_gets_a_message_not_an_error(governance_model, forged):
    from app.pages import model

    fig, kpis, message = model.update_cost(5, 2, forged)
    assert kpis == [] and "seuil" in message.lower() and isinstance(fig, go.Figure)


def test_numbers_follow_the_reader_language(governance_model, dash_app):
    from app.pages import model

    with _in_language(dash_app, "en"):
        english = _text(model.layout())
        _fig, kpis, _ = model.update_cost(5, 2, 20)
        english_kpis = _text(kpis)
    french = _text(model.layout())
    oof = pd.read_parquet(governance_model / OOF_FILE)
    assert f"{len(oof):,}" in english and f"{len(oof):,}".replace(",", "\u00a0") in french
    assert "20.0%" in english_kpis and "\u00a0%" not in english_kpis
    assert "\u00a0%" in french and "\u202f" not in french
    for text in (english, french):
        assert "nan %" not in text and "nan\u00a0%" not in text and "nan%" not in text


def test_model_card_shows_a_dash_for_missing_values():
    from app.components.model_card import ModelCardTable

    def edit(card):
        card["data_fingerprint"]["labelled"]["rows"] = 1234
        card["data_fingerprint"]["default_rate"] = float("nan")  # undefined: written as JSON's NaN
        card["decision"]["costs"]["cost_fn"] = 0.5

    text = _text(ModelCardTable(make_model_card(edit), "fr"))
    assert not re.search(r"\bnan\b", text.lower()) and "taux de défaut —" in text  # not "financé"
    assert "1\u00a0234 lignes" in text and "= 0,5\u00a0€" in text


def test_browser_tab_title_follows_the_language(dash_app):
    import dash

    titles = {page["path"]: page["title"] for page in dash.page_registry.values()}
    for path, fr, en in (("/model", "Modèle", "Model"), ("/monitoring", "Surveillance", "Monitoring"),
                         ("/portfolio", "Portefeuille", "Portfolio"), ("/", "Accueil", "Home")):
        assert callable(titles[path])
        with _in_language(dash_app, "en"):
            assert titles[path]() == f"{en} — Prêt à dépenser"
        with _in_language(dash_app, "fr"):
            assert titles[path]() == f"{fr} — Prêt à dépenser"


def test_model_card_describes_the_loan_term_estimator_only_when_there_is_one():
    from app.components.model_card import ModelCardTable

    term_model = {"file": "term_model.cbm", "trained_on": 32901, "mae_months": 0.887, "source": "previous_application"}
    with_terms = _text(ModelCardTable(make_model_card(lambda card: card["features"].update(term_model=term_model)), "fr"))
    assert "32\u00a0901 crédits antérieurs" in with_terms and "erreur moyenne 0,9 mois" in with_terms
    assert "Durée et taux estimés" not in _text(ModelCardTable(make_model_card(), "fr"))


def test_forged_thresholds_are_snapped_to_the_slider_steps(governance_model):
    """Two thresholds a hair apart would single out the client between them (hostile review #4)."""
    from app.pages import model
    from app.resources import served

    production = served().bundle.threshold
    assert model.parse_threshold(None, production) == production
    assert model.parse_threshold(model.slider_start(production), production) == model.slider_start(production) / 100
    assert model.parse_threshold(3.792344767, production) == model.parse_threshold(3.792507044, production) == 0.04
    assert model.parse_threshold(12.5, production) == 0.125
    assert model.parse_threshold(100.5, production) is None and model.parse_threshold(True, production) is None


@pytest.mark.parametrize("forged", [10 ** 400, float("nan"), float("inf"), -1e308])
def test_cost_callback_refuses_numbers_a_form_cannot_send(governance_model, forged):
    from app.pages import model

    figure, kpis, message = model.update_cost(forged, 1, 50)
    assert kpis == [] and message and figure.layout.annotations


def _graphs(node) -> list:
    """Every dcc.Graph of a component tree."""
    from dash import dcc

    if isinstance(node, (list, tuple)):
        return [found for child in node for found in _graphs(child)]
    if isinstance(node, dcc.Graph):
        return [node]
    if hasattr(node, "to_plotly_json"):
        return _graphs(getattr(node, "children", None))
    return []


def test_every_chart_of_the_page_is_there_and_valid(governance_model):
    """The speed work sends 2 charts with the page, 2 when their card far below the fold is first seen
    and 7 when their tab opens (each built by a callback), sends the charts in Dash's wire form and
    skips plotly.py's validation: none is lost, each is still a valid plotly figure, and the point
    clouds are WebGL."""
    from dash import dcc

    from app.pages import model

    arrival, later = _graphs(model.layout()), _graphs(_closed_panels())
    assert len(arrival) == 2 and len(later) == 9
    graphs = arrival + later
    assert all(getattr(g, "figure", None) is not None for g in graphs)
    assert not any(isinstance(tab, dcc.Tab) and tab.children for tab in _tree(model.layout()))  # labels only
    figures = [go.Figure(g.figure) for g in graphs]  # a misspelt property fails here
    figures += [model.update_cost(10.0, 1.0, None)[0], model.update_dependence(served_feature())]
    for fig in figures:
        go.Figure(fig.to_dict())
    assert {getattr(g, "id", None) for g in arrival} >= {model.COST_GRAPH_ID}
    assert model.DEPENDENCE_GRAPH_ID in {getattr(g, "id", None) for g in later}
    kinds = {trace.type for fig in figures for trace in fig.data}
    assert "scattergl" in kinds and not any(t.type == "scatter" and t.mode == "markers" and len(t.x) > 500
                                            for fig in figures for t in fig.data if not isinstance(t.x, dict))


def _tree(node) -> list:
    """Every component of a tree, depth first."""
    if isinstance(node, (list, tuple)):
        return [found for child in node for found in _tree(child)]
    if hasattr(node, "to_plotly_json"):
        return [node, *_tree(getattr(node, "children", None))]
    return []


def test_each_tab_callback_gives_its_panel_and_refuses_a_forged_tab(governance_model, dash_app):
    """The closed tabs' panels come from one callback per tab set (output: the panel container beside
    the tabs, no initial call: the layout brings the open tab's panel, or for the explanation and
    fairness cards a placeholder and a "seen" store, the callback's second input, that the browser sets
    when the card nears the screen). Called as plain functions, each gives the chosen tab's panel,
    marked with its tab; the open tab's equals what the layout shows; a tab no tab set has gets a
    sentence, not an error."""
    from app.components.deferred_tabs import panel_id, seen_id
    from app.pages import model

    layout = model.layout()
    by_id = {getattr(c, "id", None): c for c in _tree(layout)}
    openers = {model.PERFORMANCE_TABS_ID: (model.open_performance_tab, model.PERFORMANCE_TABS),
               model.COMPARE_TABS_ID: (model.open_compare_tab, ("models", "policies")),
               model.EXPLAIN_TABS_ID: (model.open_explain_tab, model.EXPLAIN_TABS),
               model.FAIRNESS_TABS_ID: (model.open_fairness_tab, ("gender", "age_band"))}
    registered = {cb["output"]: cb for cb in [*dash._callback.GLOBAL_CALLBACK_LIST, *dash_app._callback_list]}
    until_seen = {model.EXPLAIN_TABS_ID, model.FAIRNESS_TABS_ID}
    for tabs_id, (opener, names) in openers.items():
        assert [tab.value for tab in by_id[tabs_id].children] == list(names)
        callback = registered[f"{panel_id(tabs_id)}.children"]
        assert callback["prevent_initial_call"]
        inputs = [(i["id"], i["property"]) for i in callback["inputs"]]
        assert inputs == [(tabs_id, "value")] + ([(seen_id(tabs_id), "data")] if tabs_id in until_seen else [])
        for name in names:
            panel = opener(name)
            assert panel.to_plotly_json()["props"]["data-panel"] == name
        shown = by_id[panel_id(tabs_id)].children
        if tabs_id in until_seen:  # a placeholder of a chart's height, no chart, until the card is seen
            assert by_id[seen_id(tabs_id)].data is False and _graphs(shown) == []
            assert "data-panel" not in shown.to_plotly_json()["props"] and "se dessine" in _text(shown)
            assert by_id[panel_id(tabs_id)].children is not None
            continue
        assert json.dumps(shown, cls=plotly.utils.PlotlyJSONEncoder) == json.dumps(
            opener(by_id[tabs_id].value), cls=plotly.utils.PlotlyJSONEncoder)
        for forged in ("nope", None, 3, ["roc"]):
            assert _text(opener(forged)) == "Onglet inconnu : choisissez-en un parmi ceux de la page. text-danger small mt-3 alert"
    assert len(_graphs(model.open_explain_tab("dependence"))) == 1
    assert _text(model.open_explain_tab("importance", True)) == _text(model.open_explain_tab("importance"))


def test_deferred_tabs_take_a_panel_or_a_placeholder_and_a_known_open_tab():
    from dash import html

    from app.components.deferred_tabs import DeferredTabs

    labels = {"a": "A", "b": "B"}
    with pytest.raises(ValueError, match="open tab 'c'"):
        DeferredTabs("model-x", "c", labels, html.Div())
    for panel, placeholder in ((None, None), (html.Div(), html.Div())):
        with pytest.raises(ValueError, match="placeholder"):
            DeferredTabs("model-x", "a", labels, panel, seen_placeholder=placeholder)
    waiting = DeferredTabs("model-x", "a", labels, seen_placeholder=html.Div("later"))
    assert waiting.to_plotly_json()["props"]["data-seen-store"] == "model-x-seen"


def served_feature() -> str:
    from app.resources import served

    return served().bundle.feature_names[0]


def test_the_layout_draws_what_the_callbacks_would_for_the_default_settings(governance_model, dash_app):
    """The cost and dependence charts of the default settings come with the layout (their callbacks
    wait for a change): they must be exactly what the callbacks give for those settings."""
    from app.pages import model
    from app.resources import served

    layout = model.layout()
    graphs = {getattr(g, "id", None): g.figure for g in _graphs([layout, model.open_explain_tab("dependence")])}
    bundle = served().bundle
    figure, kpis, message = model.update_cost(bundle.costs.cost_fn, bundle.costs.cost_fp,
                                              model.slider_start(bundle.threshold))
    assert graphs[model.COST_GRAPH_ID] == json.loads(figure.to_json())
    assert _text(kpis) in _text(layout) and message == ""
    first = model.charts.ranked_features(served())[0]
    assert graphs[model.DEPENDENCE_GRAPH_ID] == json.loads(model.update_dependence(first).to_json())
    # The app takes the global list over once its server is set up: read both.
    registered = [*dash._callback.GLOBAL_CALLBACK_LIST, *dash_app._callback_list]
    callbacks = {cb["output"]: cb for cb in registered}
    assert callbacks[f"{model.DEPENDENCE_GRAPH_ID}.figure"]["prevent_initial_call"]
    assert all(cb["prevent_initial_call"] for key, cb in callbacks.items() if model.COST_GRAPH_ID in key)


def test_charts_are_built_once_per_served_model_and_language(governance_model, dash_app, monkeypatch):
    """The second visit reuses the first one's charts; another language or another served model
    builds its own (the cache lives in the served model, not in the module)."""
    from app.components import model_charts
    from app.pages import model
    from tests.served_support import serving

    built = []
    real = model_charts.roc_figure
    monkeypatch.setattr(model_charts, "roc_figure", lambda *a, **k: built.append(a[-1]) or real(*a, **k))
    model.layout()
    model.layout()
    with _in_language(dash_app, "en"):
        model.layout()
    assert built == ["fr", "en"]
    with serving(dash_app.server, governance_model):  # a fresh ServedModel of the same folder
        model.layout()
    assert built == ["fr", "en", "fr"]


def test_the_model_page_is_in_the_language_it_is_given(governance_model, dash_app):
    """The language is resolved once by the layout and passed down: a page built for English is wholly
    English even inside a French reader's request (an implicit cookie lookup would slip French in)."""
    from app.pages import model
    from app.resources import served
    from tests.language_support import french_in

    with _in_language(dash_app, "fr"):
        english = _text(model.model_page("en"))
        comparison = _text(model._comparison(served().bundle, "en"))
        figure, kpis, message = model.cost_view(5, 2, 20, "en")
        dependence = model.dependence_view("EXT_SOURCE_MEAN", "en")
    assert "Out-of-fold performance" in english and "Model card" in english and "By age band" in english
    assert french_in(english) == [] and "hors échantillon" not in english
    assert "Cost per client" in comparison and "Logistic regression" in comparison and french_in(comparison) == []
    assert "Explored 20.0" in " ".join(a.text for a in figure.layout.annotations) and "Cost per client" in _text(kpis)
    assert dependence.layout.xaxis.title.text != "Score externe moyen"
    with _in_language(dash_app, "en"):
        french = _text(model.model_page("fr"))
    assert "Fiche du modèle" in french and "Model card" not in french


def test_app_language_english_without_cookie_gives_an_english_model_page(governance_model, dash_app):
    import dataclasses

    from app.pages import model
    from app.ui import SETTINGS_CONFIG_KEY
    from tests.language_support import french_in

    server = dash_app.server
    before = server.config[SETTINGS_CONFIG_KEY]
    server.config[SETTINGS_CONFIG_KEY] = dataclasses.replace(before, default_language="en")
    try:
        with server.test_request_context("/model"):  # no cookie: the deployment's language
            text = _text(model.layout())
            title = next(p["title"] for p in dash.page_registry.values() if p["path"] == "/model")()
    finally:
        server.config[SETTINGS_CONFIG_KEY] = before
    assert "Out-of-fold performance" in text and french_in(text) == [] and title == "Model — Prêt à dépenser"


def _card_rows(card, lang) -> dict[str, str]:
    """The model card table as label -> value."""
    from app.components.model_card import ModelCardTable

    table = ModelCardTable(card, lang).children[0]
    return {row.children[0].children: row.children[1].children for row in table.children.children}


def test_model_card_names_the_tracking_run_and_registered_version_or_says_not_tracked():
    tracking = {"uri": "sqlite:////srv/mlruns/mlflow.db", "experiment": "credit-default-training",
                "run_id": "4f2c9d1e8a7b4c3d9e0f1a2b3c4d5e6f", "registered_model": "credit-default-catboost",
                "version": 7}
    tracked = make_model_card(lambda card: card.__setitem__("tracking", tracking))
    assert _card_rows(tracked, "fr")["Suivi des expériences"] == (
        "run 4f2c9d1e8a7b4c3d9e0f1a2b3c4d5e6f, version 7 du modèle enregistré credit-default-catboost")
    assert _card_rows(tracked, "en")["Experiment tracking"] == (
        "run 4f2c9d1e8a7b4c3d9e0f1a2b3c4d5e6f, version 7 of the registered model credit-default-catboost")
    untracked = make_model_card(lambda card: card.pop("tracking", None))  # --no-tracking, or before tracking existed
    assert _card_rows(untracked, "fr")["Suivi des expériences"].startswith(
        "Non suivi : l'entraînement de ce modèle n'a pas été enregistré")
    assert _card_rows(untracked, "en")["Experiment tracking"].startswith("Not tracked: this model's training was not")
