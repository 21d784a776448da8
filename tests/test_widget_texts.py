"""Words a French officer reads aloud: category levels in French, Dash's own widget texts translated."""
import pathlib

import pytest
from dash import dcc

from app.i18n import CATEGORY_LABELS
from app.presenters.formatting import category_label
from app.scoring.schema import application_schema
from app.ui import DROPDOWN_LABELS, Dropdown, dropdown_labels

APP = pathlib.Path(__file__).resolve().parents[1] / "app"


@pytest.mark.parametrize("column", [c.name for c in application_schema().columns if c.dtype == "category"])
def test_every_category_level_has_a_french_text(column):
    levels = next(c.categories for c in application_schema().columns if c.name == column)
    missing = [level for level in levels if level not in CATEGORY_LABELS["fr"].get(column, {})]
    assert missing == []


@pytest.mark.parametrize("raw, french", [("Sales staff", "Commerciaux"), ("Laborers", "Ouvriers"),
                                         ("Security staff", "Agents de sécurité")])
def test_occupations_read_in_french(raw, french):
    assert category_label("OCCUPATION_TYPE", raw, "fr") == french
    assert category_label("OCCUPATION_TYPE", raw, "en") == raw


def test_employer_sectors_read_in_french():
    assert category_label("ORGANIZATION_TYPE", "Business Entity Type 3", "fr") == "Entreprise, type 3"
    assert category_label("ORGANIZATION_TYPE", "Trade: type 7", "fr") == "Commerce, type 7"
    assert category_label("ORGANIZATION_TYPE", "Self-employed", "fr") == "Indépendant"


def test_dropdowns_say_search_and_n_selected_in_the_readers_language():
    fr = Dropdown("fr", id="x", options=[], multi=True)
    assert fr.labels["search"] == "Rechercher" and fr.labels["selected_count"] == "{num_selected} sélectionnés"
    assert fr.placeholder == "Choisir…"
    assert set(dropdown_labels("en")) == set(DROPDOWN_LABELS) and dropdown_labels("en")["search"] == "Search"
    assert Dropdown("fr", id="y", placeholder="Tous").placeholder == "Tous"
    # every text dcc.Dropdown draws itself has a translation
    assert set(DROPDOWN_LABELS) == set(dcc.Dropdown.Labels.__annotations__)


def test_no_dropdown_is_built_without_its_translated_texts():
    """Every dropdown goes through app.ui.Dropdown (a bare dcc.Dropdown shows "Search" in English)."""
    offenders = [str(p.relative_to(APP)) for p in APP.rglob("*.py")
                 if "dcc.Dropdown(" in p.read_text(encoding="utf-8") and p.name != "ui.py"]
    assert offenders == []
