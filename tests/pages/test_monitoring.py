"""Monitoring page: layout and callback called as plain functions on a tiny model folder."""
import json

import pytest

from app.scoring.drift import REPORT_FILE
from tests.pages.governance_support import component_text, governance_model  # noqa: F401 - fixture


def _text(component) -> str:
    return component_text(component)


def test_layout_reads_the_report_and_shows_verdict_ranking_and_method(governance_model):
    from app.pages import monitoring

    text = _text(monitoring.layout())
    assert (governance_model / REPORT_FILE).exists()  # computed once, cached for the next start
    report = json.loads((governance_model / REPORT_FILE).read_text())
    assert ("Dérive du jeu de données." in text) == report["dataset"]["drift"]
    for needle in ("monitoring-verdict", "Dérive du score lui-même", "Dérives les plus risquées", "monitoring-table",
                   "Wasserstein", "Jensen-Shannon", "PSI", "50\u00a0%"):
        assert needle in text, needle
    top = report["features"][0]["feature"]
    from app.presenters.dictionary import data_dictionary

    assert data_dictionary().label(top, "fr") in text


def test_distribution_callback(governance_model):
    from app.pages import monitoring

    fig = monitoring.update_distribution("AMT_CREDIT")
    assert len(fig.data) == 2 and fig.data[0].name.startswith("Référence") and fig.data[1].name.startswith("Actuel")
    assert sum(fig.data[0].y) == pytest.approx(100.0, abs=0.01)
    assert monitoring.update_distribution("NAME_INCOME_TYPE").layout.barmode == "group"
    proba = monitoring.update_distribution("PROBA_DEFAULT")
    assert max(proba.data[0].x) > 1  # shown in %
    assert "inconnue" in monitoring.update_distribution("DROP TABLE").layout.annotations[0].text


def test_page_says_so_when_no_report_can_be_built(governance_model, tmp_path, dash_app):
    from app.pages import monitoring
    from tests.served_support import serving

    folder = tmp_path / "model"
    folder.mkdir()
    for name in ("model.cbm", "model_card.json", "oof.parquet", "shap_sample.parquet"):
        (folder / name).write_bytes((governance_model / name).read_bytes())
    with serving(dash_app.server, folder):  # no portfolio, not the synthetic demo: no report
        assert "scripts/drift_report.py" in _text(monitoring.layout())
        assert monitoring.update_distribution("AMT_CREDIT").layout.annotations


def test_categories_are_shown_in_the_reader_language(governance_model, dash_app):
    from app.pages import monitoring
    from app.presenters.formatting import category_label

    french = list(monitoring.update_distribution("NAME_INCOME_TYPE").data[0].x)
    assert category_label("NAME_INCOME_TYPE", "Working", "fr") in french and "Working" not in french
    with dash_app.server.test_request_context("/monitoring", headers={"Cookie": "lang=en"}):
        english_fig = monitoring.update_distribution("NAME_INCOME_TYPE")
        english = _text(monitoring.layout())
        prediction = monitoring.update_distribution("PROBA_DEFAULT")
    assert "Working" in list(english_fig.data[0].x)
    assert "\u00a0%" not in english and "\u202f" not in english and "50%" in english
    assert prediction.layout.xaxis.title.text == "Predicted probability of default (%)"
    assert english.count("UTC") == 1  # the report's date, converted to UTC and labelled once
