"""Monitoring page: history, banner, trends, realised performance and latest month, read from the
database on every request (layout and callback called as plain functions)."""
import contextlib
import dataclasses

import pytest

from app.monitoring_store import model_key, store_outcomes, store_run
from app.scoring.bundle import ModelBundle
from app.scoring.monitoring import model_signature
from tests.monitoring_support import SHIFTED_MONTH, dated_model_dir, outcomes_file
from tests.pages.governance_support import component_text, governance_model  # noqa: F401 - fixture
from tests.served_support import serving


@contextlib.contextmanager
def database(server, path):
    """Bind the app to a database of its own for a block, then back to the previous one."""
    from app.security.db import get_engine
    from app.security.web import EXTENSION_KEY, bind_database

    previous = server.extensions[EXTENSION_KEY].engine
    engine = get_engine(f"sqlite:///{path}")
    bind_database(server, engine)
    try:
        yield engine
    finally:
        bind_database(server, previous)


@pytest.fixture(scope="module")
def backfilled(tmp_path_factory):
    """A database holding the dated folder's monthly runs (computed once for the module)."""
    from app.cli.history import backfill
    from app.security.db import get_engine, init_db

    path = tmp_path_factory.mktemp("monitoring") / "history.sqlite3"
    engine = get_engine(f"sqlite:///{path}")
    init_db(engine)
    backfill(engine, ModelBundle.load(dated_model_dir()), log=lambda m: None)
    return path


@pytest.fixture
def history_page(dash_app, backfilled, tmp_path):
    import shutil

    path = tmp_path / "copy.sqlite3"
    shutil.copy(backfilled, path)  # each test may add rows of its own
    with database(dash_app.server, path) as engine, serving(dash_app.server, dated_model_dir()), \
            dash_app.server.test_request_context("/monitoring"):  # the page reads the request's database
        yield engine


def _text(component) -> str:
    return component_text(component)


def _figures(component) -> list:
    from dash import dcc
    from dash.development.base_component import Component

    found = []

    def walk(node):
        if isinstance(node, dcc.Graph) and getattr(node, "figure", None) is not None:
            found.append(node.figure)
        if isinstance(node, Component):
            walk(getattr(node, "children", None))
        elif isinstance(node, (list, tuple)):
            for child in node:
                walk(child)

    walk(component)
    return found


def _by_id(component, wanted):
    from dash.development.base_component import Component

    if isinstance(component, Component):
        if getattr(component, "id", None) == wanted:
            return component
        return _by_id(getattr(component, "children", None), wanted)
    if isinstance(component, (list, tuple)):
        return next((found for c in component if (found := _by_id(c, wanted)) is not None), None)
    return None


def test_an_empty_history_says_what_is_missing_in_a_managers_words(governance_model, dash_app, tmp_path):
    from app.pages import monitoring

    with database(dash_app.server, tmp_path / "empty.sqlite3"), dash_app.server.test_request_context("/monitoring"):
        text = _text(monitoring.layout())
    assert "monitoring-empty" in text and "Aucun mois de demandes n'a encore été analysé" in text
    assert "Aucun dénouement de prêt n'a encore été enregistré" in text
    for developer_word in ("scripts/", ".py", "python", "lancez"):
        assert developer_word not in text, developer_word


def test_the_history_shows_every_month_the_banner_follows_the_rule_and_the_latest_month(history_page):
    from app.pages import monitoring

    page = monitoring.layout()
    text = _text(page)
    assert _text(_by_id(page, monitoring.BANNER_ID)).startswith("⚠  Alerte en avr. 2026")  # sign and words, not colour alone
    assert "Règle : alerte dès que le score du modèle ou l'une des 10 variables" in text
    assert "5 mois analysés, de janv. 2026 à mai 2026" in text
    assert "Moins de 300 demandes, dérive non mesurée (taux seulement) : mai 2026" in text
    assert "Détail du dernier mois analysé : avr. 2026" in text and "monitoring-table" in text
    figures = [f.to_plotly_json() for f in _figures(page)]
    psi = next(f for f in figures if f["layout"].get("yaxis", {}).get("title", {}).get("text") == "PSI du score")
    assert list(psi["data"][0]["x"]) == ["janv. 2026", "févr. 2026", "mars 2026", "avr. 2026", "mai 2026"]
    assert psi["data"][0]["text"][-1] == "non mesuré" and psi["data"][0]["text"][3].endswith("⚠")
    heat = next(f for f in figures if f["data"][0]["type"] == "heatmap")
    assert len(heat["data"][0]["y"]) == 10 and any("⚠" in c for c in heat["data"][0]["text"][0])
    rates = next(f for f in figures if len(f["data"]) == 3)
    assert [t["name"] for t in rates["data"]] == ["Accord du modèle", "Dérogations des chargés",
                                                   "Probabilité de défaut moyenne"]


def test_the_latest_months_detail_states_the_banners_level_not_a_contradicting_verdict(history_page):
    """The banner follows the important inputs and the score; the detail below it must not say "no drift"
    for the same month because few of all the inputs moved (it said "Pas de dérive" under "Alerte")."""
    from app.components.drift_detail import VERDICT_ID
    from app.pages import monitoring

    page = monitoring.layout()
    banner, verdict = _text(_by_id(page, monitoring.BANNER_ID)), _text(_by_id(page, VERDICT_ID))
    assert "Alerte en avr. 2026" in banner
    assert "niveau du mois : alerte" in verdict.lower() and "pas de dérive" not in verdict.lower()
    assert "variables sur" in verdict  # the share of all inputs stays, as a figure


def test_a_new_run_shows_at_the_next_load_without_restart(history_page):
    """The reported defect: a running process kept the report it read first."""
    from app.cli.history import run_month  # noqa: F401 - the job's code path is the one tested in tests/scripts
    from app.monitoring_store import history
    from app.pages import monitoring

    key = model_key(model_signature(ModelBundle.load(dated_model_dir())))
    april = next(m for m in history(history_page, key) if m.period == SHIFTED_MONTH)
    calm = dataclasses.replace(april, period="2026-07", score_psi=0.01, score_drift=0.05, score_drifted=False,
                               inputs=tuple(dataclasses.replace(i, psi=0.01, drift_score=0.05, risk=0.05 * i.importance,
                                                                drifted=False) for i in april.inputs))
    assert "Alerte en avr. 2026" in _text(monitoring.layout())
    store_run(history_page, key, calm, source="portfolio-new", reference="portfolio-labelled", report=None)
    text = _text(monitoring.layout())
    assert "Stable en juil. 2026" in text and "6 mois analysés" in text


def test_realised_performance_by_month_against_the_out_of_fold_reference(history_page):
    from app.cli.history import outcome_rows
    from app.pages import monitoring

    folder = dated_model_dir()
    import pandas as pd

    portfolio = pd.read_parquet(folder / "portfolio.parquet")
    rows, unknown = outcome_rows(ModelBundle.load(folder), portfolio, outcomes_file(folder))
    assert unknown == 0
    store_outcomes(history_page, rows)
    page = monitoring.layout()
    text = _text(page)
    assert "Référence hors échantillon" in text and "IC 95" in text
    table = _text(_by_id(page, monitoring.REALISED_TABLE_ID))
    assert "janv. 2026" in table and "févr. 2026" in table and "mars 2026" not in table  # months with outcomes
    assert "hasard jusqu'à" in table and "(dont" in table


def test_distribution_callback_reads_the_latest_report_from_the_database(history_page):
    from app.pages import monitoring

    fig = monitoring.update_distribution("AMT_CREDIT")
    assert len(fig.data) == 2 and fig.data[0].name.startswith("Référence") and fig.data[1].name.startswith("Actuel")
    assert sum(fig.data[0].y) == pytest.approx(100.0, abs=0.01)
    assert max(monitoring.update_distribution("PROBA_DEFAULT").data[0].x) > 1  # shown in %
    assert "inconnue" in monitoring.update_distribution("DROP TABLE").layout.annotations[0].text


def test_the_page_in_english(history_page, dash_app):
    from app.pages import monitoring

    with dash_app.server.test_request_context("/monitoring", headers={"Cookie": "lang=en"}):
        text = _text(monitoring.layout())
    assert "Alert in Apr 2026" in text and "\u00a0%" not in text and "Rule: alert as soon as" in text
