"""One language-aware way to write the numbers people read: shares, counts, money, missing values.

English pages must read "12.3%", "12,345", "€12,345"; French ones "12,3 %", "12 345", "12 345 €"
(non-breaking spaces); a missing value is "—", never "nan %" or "0".
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from app.i18n import CATALOG, CATEGORY_LABELS
from app.presenters.formatting import (
    MISSING_TEXT,
    NBSP,
    UNIT_KINDS,
    category_label,
    count_text,
    format_display,
    money_text,
    number_text,
    percent_suffix,
    percent_text,
    short_number_text,
    unit_label,
)

MISSING_VALUES = [None, math.nan, np.nan, math.inf, -math.inf, pd.NA, "abc"]


@pytest.mark.parametrize("fraction, decimals, fr, en", [
    (0.1234, 1, f"12,3{NBSP}%", "12.3%"),
    (0.5, 0, f"50{NBSP}%", "50%"),
    (0.00049, 1, f"0,0{NBSP}%", "0.0%"),  # no "-0,0" and no lost digit
    (12.3456, 0, f"1{NBSP}235{NBSP}%", "1,235%"),
    (np.float32(0.25), 2, f"25,00{NBSP}%", "25.00%"),
])
def test_percent_text_follows_the_language(fraction, decimals, fr, en):
    assert percent_text(fraction, decimals, "fr") == fr
    assert percent_text(fraction, decimals, "en") == en


@pytest.mark.parametrize("value", MISSING_VALUES)
def test_missing_values_read_as_a_dash_everywhere(value):
    for lang in ("fr", "en"):
        assert percent_text(value, 1, lang) == MISSING_TEXT
        assert number_text(value, 2, lang) == MISSING_TEXT
        assert count_text(value, lang) == MISSING_TEXT
        assert money_text(value, lang) == MISSING_TEXT
        assert short_number_text(value, lang) == MISSING_TEXT


def test_counts_and_money_in_both_languages():
    assert count_text(12345, "fr") == f"12{NBSP}345" and count_text(12345, "en") == "12,345"
    assert count_text(np.int64(7), "en") == "7"
    assert money_text(12345.4, "fr") == f"12{NBSP}345{NBSP}€" and money_text(12345.4, "en") == "€12,345"
    assert money_text(-1200, "en") == "-€1,200"
    assert percent_suffix("fr") == f"{NBSP}%" and percent_suffix("en") == "%"
    assert percent_suffix("de") == percent_suffix("fr")  # unknown language: the default one


@pytest.mark.parametrize("value, fr, en", [
    (0.5, "0,5", "0.5"),  # a cost of half a unit is not "0"
    (10.0, "10", "10"),
    (1.25, "1,25", "1.25"),
    (1.256, "1,26", "1.26"),
    (1500.0, f"1{NBSP}500", "1,500"),
])
def test_short_numbers_keep_only_the_decimals_they_need(value, fr, en):
    assert short_number_text(value, "fr") == fr and short_number_text(value, "en") == en


def test_unit_words_come_from_the_catalog_in_both_languages():
    for unit in UNIT_KINDS:
        for lang in ("fr", "en"):
            assert unit_label(unit, lang) == CATALOG[f"common.unit.{unit}"][lang]
    assert unit_label("years", "en") == "years" and unit_label("years", "fr") == "années"
    assert format_display("years", 1.0, "en") == "1 year" and format_display("years", 1.5, "fr") == "1,5 an"
    assert format_display("years", 35.0, "fr") == "35 ans" and format_display("years", 35.0, "en") == "35 years"
    assert format_display("instalments", 1.0, "fr") == "1 échéance"
    assert format_display("instalments", 24.0, "en") == "24 instalments"
    assert format_display("flag", True, "en") == "Yes" and format_display("flag", False, "fr") == "Non"


def test_category_levels_are_translated_from_the_one_catalog():
    assert category_label("NAME_INCOME_TYPE", "Working", "fr") == CATEGORY_LABELS["fr"]["NAME_INCOME_TYPE"]["Working"]
    assert category_label("NAME_INCOME_TYPE", "Working", "en") == "Working"
    assert category_label("CODE_GENDER", "F", "en") == "Female"
    assert category_label("NAME_INCOME_TYPE", "Astronaut", "fr") == "Astronaut"  # unknown level: as it is
    for missing in (None, "", "MISSING", math.nan):
        assert category_label("NAME_INCOME_TYPE", missing, "fr") == MISSING_TEXT
    assert format_display("category", "MISSING", "en", name="NAME_INCOME_TYPE") == MISSING_TEXT
