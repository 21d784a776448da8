"""Data dictionary: coverage of every visible column and formatting in both languages."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from app.config import get_settings
from app.presenters.dictionary import (
    DESCRIPTION_FILE,
    ENGINEERED_FEATURES,
    data_dictionary,
    read_descriptions,
)
from app.presenters.formatting import NBSP, UNIT_KINDS
from app.scoring import features
from app.scoring.loan_terms import TERM_FEATURES
from app.scoring.schema import DAYS_EMPLOYED_SENTINEL, application_schema

BRIEF_FEATURES = (
    "AGE_YEARS", "EMPLOYED_YEARS", "REGISTRATION_YEARS", "ID_PUBLISH_YEARS", "PHONE_CHANGE_YEARS",
    "EMPLOYED_AGE_RATIO", "CREDIT_INCOME_RATIO", "ANNUITY_INCOME_RATIO", "CREDIT_TERM",
    "GOODS_CREDIT_RATIO", "CREDIT_GOODS_GAP", "EXT_SOURCE_MEAN", "EXT_SOURCE_MIN", "EXT_SOURCE_MAX",
    "EXT_SOURCE_STD", "EXT_SOURCE_PROD", "EXT_SOURCE_MISSING", "DOCUMENT_COUNT", "CONTACT_COUNT",
    "REGION_MISMATCH_COUNT", "TERM_MONTHS_EST", "INTEREST_RATE_EST",
)


@pytest.fixture(scope="module")
def dictionary(tmp_path_factory):
    """Dictionary without the Kaggle descriptions, so the tests do not depend on the machine."""
    return data_dictionary(tmp_path_factory.mktemp("none") / "absent.csv")


@pytest.mark.parametrize("name", [*application_schema().names, *BRIEF_FEATURES])
def test_every_visible_column_has_labels_and_a_unit(dictionary, name):
    info = dictionary.info(name)
    assert info.label_fr.strip() and info.label_en.strip()
    assert info.unit in UNIT_KINDS
    assert dictionary.unit_label(name, "fr") and dictionary.unit_label(name, "en")
    assert info.engineered == (name in BRIEF_FEATURES)


def test_engineered_feature_list_matches_the_feature_module():
    assert set(ENGINEERED_FEATURES) == set(BRIEF_FEATURES)
    # the modules compute what we label
    assert set(features.ENGINEERED_FEATURES) | set(TERM_FEATURES) == set(ENGINEERED_FEATURES)
    assert set(features.feature_names(loan_terms=True)) <= set(data_dictionary(None).names)  # every input labelled


def test_labels_differ_by_language_where_words_differ(dictionary):
    assert dictionary.label("DAYS_BIRTH", "fr") == "Âge (années)"
    assert dictionary.label("DAYS_BIRTH", "en") == "Age (years)"
    different = [n for n in dictionary.names if dictionary.label(n, "fr") != dictionary.label(n, "en")]
    assert len(different) == len(dictionary.names)
    assert dictionary.label("AMT_CREDIT", "de") == dictionary.label("AMT_CREDIT", "fr")  # fallback


def test_actionable_columns(dictionary):
    actionable = {n for n in dictionary.names if dictionary.info(n).actionable}
    assert {"AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE", "CREDIT_TERM"} <= actionable
    assert not actionable & {"DAYS_BIRTH", "AGE_YEARS", "EXT_SOURCE_1", "EXT_SOURCE_MEAN",
                             "REGION_RATING_CLIENT", "CODE_GENDER", "NAME_FAMILY_STATUS"}


@pytest.mark.parametrize("name, raw, fr, en", [
    ("DAYS_BIRTH", -35.6 * 365.25, "35 ans", "35 years"),
    ("AGE_YEARS", 35.99, "35 ans", "35 years"),
    ("DAYS_EMPLOYED", -1.5 * 365.25, "1,5 an", "1.5 years"),
    ("OWN_CAR_AGE", 12.0, "12 ans", "12 years"),
    ("AMT_CREDIT", 12500.0, f"12{NBSP}500{NBSP}€", "€12,500"),
    ("AMT_INCOME_TOTAL", 1_234_567.0, f"1{NBSP}234{NBSP}567{NBSP}€", "€1,234,567"),
    ("CREDIT_GOODS_GAP", -1200.0, f"-1{NBSP}200{NBSP}€", "-€1,200"),
    ("ANNUITY_INCOME_RATIO", 0.32, f"32{NBSP}%", "32%"),
    ("GOODS_CREDIT_RATIO", 0.055, f"5,5{NBSP}%", "5.5%"),
    ("CREDIT_INCOME_RATIO", 3.25, f"3,2{NBSP}×", "3.2×"),
    ("CREDIT_TERM", 24.0, "24 échéances", "24 instalments"),
    ("EXT_SOURCE_2", 0.531, "0,53", "0.53"),
    ("FLAG_OWN_CAR", "Y", "Oui", "Yes"),
    ("FLAG_DOCUMENT_3", 0, "Non", "No"),
    ("EMERGENCYSTATE_MODE", "No", "Non", "No"),
    ("HOUR_APPR_PROCESS_START", 9, f"9{NBSP}h", "09:00"),
    ("CNT_CHILDREN", 2.0, "2", "2"),
    ("NAME_INCOME_TYPE", "Pensioner", "Retraité", "Pensioner"),
    ("NAME_CONTRACT_TYPE", "Revolving loans", "Crédit renouvelable", "Revolving loans"),
    ("NAME_FAMILY_STATUS", "Married", "Marié(e)", "Married"),
    ("ORGANIZATION_TYPE", "Bank", "Banque", "Bank"),
    ("SK_ID_CURR", 100002, "100002", "100002"),
])
def test_format_value_in_both_languages(dictionary, name, raw, fr, en):
    assert dictionary.format_value(name, raw, "fr") == fr
    assert dictionary.format_value(name, raw, "en") == en


@pytest.mark.parametrize("raw", [None, np.nan, pd.NA, float("nan"), "", DAYS_EMPLOYED_SENTINEL])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_missing_values_show_a_dash(dictionary, raw, lang):
    for name in ("AMT_CREDIT", "DAYS_EMPLOYED", "NAME_INCOME_TYPE", "FLAG_EMAIL", "EXT_SOURCE_MEAN"):
        if isinstance(raw, int) and name != "DAYS_EMPLOYED":  # the sentinel
            continue
        assert dictionary.format_value(name, raw, lang) == "—"


def test_display_value_converts_to_the_shown_unit(dictionary):
    assert dictionary.display_value("DAYS_BIRTH", -365.25 * 40) == pytest.approx(40.0)
    assert dictionary.display_value("ANNUITY_INCOME_RATIO", 0.25) == pytest.approx(25.0)
    assert dictionary.display_value("FLAG_EMAIL", 1) is True
    assert dictionary.display_value("DAYS_EMPLOYED", DAYS_EMPLOYED_SENTINEL) is None
    assert dictionary.display_value("AMT_CREDIT", np.float64(5.0)) == 5.0
    assert dictionary.display_value("AMT_CREDIT", None) is None


def test_hostile_and_wrong_type_values_are_shown_as_they_are(dictionary):
    hostile = "<script>alert(1)</script>"
    assert dictionary.format_value("OCCUPATION_TYPE", hostile, "fr") == hostile
    assert dictionary.format_value("AMT_CREDIT", "abc", "en") == "abc"
    assert dictionary.format_value("AMT_CREDIT", math.inf, "en") == "inf"


def test_unknown_column_is_a_clear_key_error(dictionary):
    with pytest.raises(KeyError, match="unknown column 'NOT_A_COLUMN'"):
        dictionary.info("NOT_A_COLUMN")
    with pytest.raises(KeyError, match="unknown column"):
        dictionary.format_value("NOT_A_COLUMN", 1, "fr")


def test_descriptions_read_from_a_windows_1252_file_with_index_column(tmp_path):
    path = tmp_path / DESCRIPTION_FILE
    text = (
        ",Table,Row,Description,Special\n"
        "1,application_{train|test}.csv,AMT_CREDIT,Client\x92s invented text,\n"
        "2,application_{train|test}.csv,EXT_SOURCE_1,Invented score text,normalized\n"
        "3,bureau.csv,AMT_CREDIT_SUM,Not an application column,\n"
    )
    path.write_bytes(text.encode("latin-1"))
    descriptions = read_descriptions(path)
    assert descriptions == {
        "AMT_CREDIT": "Client’s invented text",
        "EXT_SOURCE_1": "Invented score text (normalized)",
    }
    info = data_dictionary(path).info("EXT_SOURCE_1")
    assert info.description_en == "Invented score text (normalized)"
    assert data_dictionary(path).info("AGE_YEARS").description_en is None


def test_unusable_description_file_is_ignored(tmp_path):
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"\x00\x01\x02garbage")
    assert read_descriptions(junk) == {}
    assert read_descriptions(tmp_path / "absent.csv") == {}


REAL_DESCRIPTIONS = get_settings().home_credit_dir / DESCRIPTION_FILE


@pytest.mark.skipif(not REAL_DESCRIPTIONS.exists(), reason="no Kaggle description file")
def test_real_descriptions_cover_every_application_column():
    dictionary = data_dictionary(REAL_DESCRIPTIONS)
    missing = [n for n in application_schema().names if not dictionary.info(n).description_en]
    assert missing == []


def test_label_or_name_falls_back_to_the_name_for_an_unknown_feature(dictionary):
    assert dictionary.label_or_name("AMT_CREDIT", "en") == dictionary.label("AMT_CREDIT", "en")
    assert dictionary.label_or_name("AMT_CREDIT", "fr") == dictionary.label("AMT_CREDIT", "fr")
    assert dictionary.label_or_name("A_FEATURE_FROM_ANOTHER_MODEL", "fr") == "A_FEATURE_FROM_ANOTHER_MODEL"
