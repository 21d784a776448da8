"""Model page: layout and callbacks called as plain functions on a tiny model folder."""
import json

import pandas as pd
import plotly.graph_objects as go
import pytest

from app.scoring.bundle import OOF_FILE
from app.scoring.metrics import CostModel, optimal_threshold
from tests.pages.governance_support import component_text, governance_model  # noqa: F401 - fixture


def _text(component) -> str:
    return component_text(component)


def test_layout_shows_card_curves_costs_explanations_and_fairness(governance_model):
    from app.pages import model

    text = _text(model.layout())
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
    assert f"{refused_good:,}".replace(",", "\u202f") in kpi_text


@pytest.mark.parametrize("fn, fp", [(None, 1), ("abc", 1), (0, 1), (-3, 1), (10, 1e9)])
def test_cost_callback_rejects_bad_costs_with_a_message(governance_model, fn, fp):
    from app.pages import model

    _fig, kpis, message = model.update_cost(fn, fp, 10)
    assert kpis == [] and "positifs" in message


def test_slider_does_not_change_the_production_threshold(governance_model):
    from app import resources
    from app.pages import model

    before = resources.get_bundle().threshold
    model.update_cost(10, 1, 90)
    assert resources.get_bundle().threshold == before
    card = json.loads((governance_model / "model_card.json").read_text())
    assert card["decision"]["threshold"] == before


def test_dependence_callback(governance_model):
    from app.pages import model

    fig = model.update_dependence("EXT_SOURCE_MEAN")
    assert fig.layout.xaxis.title.text == "Score externe moyen" and len(fig.data[0].x) > 100
    assert fig.data[0].type in ("scattergl", "scatter")
    assert model.update_dependence("NAME_INCOME_TYPE").data[0].type == "box"
    assert "inconnue" in model.update_dependence("<script>alert(1)</script>").layout.annotations[0].text
