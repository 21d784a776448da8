"""Turn raw Home Credit values into what an officer reads, in French or English.

One function per unit kind, so every page shows the same value the same way: ages as positive years,
amounts in € with the language's separators, shares in %, flags as yes/no, the common category levels
in French. Every word comes from the one catalog, :mod:`app.i18n`. Used through :class:`app.presenters.dictionary.DataDictionary`; pure Python, no UI import.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from app.i18n import CATEGORY_LABELS, normalise_language, translate
from app.scoring.features import MISSING_CATEGORY
from app.scoring.schema import DAYS_EMPLOYED_SENTINEL, MISSING_TEXT

NBSP = "\u00a0"
DAYS_PER_YEAR = 365.25

#: Every unit kind a column may have; its label in each language is the catalog entry
#: ``common.unit.<kind>`` of :mod:`app.i18n` (see :func:`unit_label`).
UNIT_KINDS: tuple[str, ...] = (
    "eur", "years_from_days", "years", "percent", "ratio", "count", "score", "flag", "category", "hour",
    "instalments", "normalised", "rating", "id",
)

_TRUE = frozenset({"1", "1.0", "y", "yes", "true", "oui"})
_FALSE = frozenset({"0", "0.0", "n", "no", "false", "non"})


def unit_label(unit: str, lang: str) -> str:
    """The unit as a person reads it ("années" / "years", "€", "%"), from the catalog."""
    return translate(f"common.unit.{unit}", normalise_language(lang))


def category_label(column: str, value: object, lang: str) -> str:
    """A category level in the reader's language (:data:`app.i18n.CATEGORY_LABELS`); a level the
    table does not know is shown as it is, a missing one (or the model's "MISSING") as "—"."""
    if is_missing(value) or value == MISSING_CATEGORY:
        return MISSING_TEXT
    text = str(value)
    return CATEGORY_LABELS.get(normalise_language(lang), {}).get(column, {}).get(text, text)


def is_missing(value: object) -> bool:
    """None, NaN, pd.NA and NaT are missing; so are blank strings (nothing to show)."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # list-likes: not a single missing value
        return False


def as_float(value: object) -> float | None:
    """The value as a finite float, or None when it is not a number (shown as it is, not a crash)."""
    if isinstance(value, (bool, np.bool_)):
        return float(value)
    try:
        number = float(value)  # type: ignore[arg-type]  # any object: the except below handles non-numbers
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def as_flag(value: object) -> bool | None:
    """0/1, Y/N, Yes/No, True/False as a bool; None when it is none of those."""
    number = as_float(value)
    if number in (0.0, 1.0):
        return number == 1.0
    text = str(value).strip().lower()
    return True if text in _TRUE else False if text in _FALSE else None


def display_value(unit: str, raw: object, *, name: str = "") -> object:
    """Raw value converted to the displayed quantity (days -> positive years, share -> %...).

    Returns None for missing (including the DAYS_EMPLOYED sentinel), a bool for flags, a str for
    categories and ids, a float otherwise; a value of the wrong type is returned unchanged.
    """
    if is_missing(raw):
        return None
    if unit == "category":
        return str(raw)
    if unit == "id":
        number = as_float(raw)
        return str(int(number)) if number is not None and number == int(number) else str(raw)
    if unit == "flag":
        flag = as_flag(raw)
        return raw if flag is None else flag
    number = as_float(raw)
    if number is None:
        return raw
    if unit == "years_from_days":
        if name == "DAYS_EMPLOYED" and number == DAYS_EMPLOYED_SENTINEL:
            return None
        return -number / DAYS_PER_YEAR
    if unit == "percent":
        return number * 100.0
    return number


def number_text(value: object, decimals: int, lang: str) -> str:
    """Thousands separators and decimal mark of the language: 12 500,5 (fr, NBSP) / 12,500.5 (en);
    "—" for a missing or non-finite value (never "nan")."""
    value = as_float(value)
    if value is None:
        return MISSING_TEXT
    if round(value, decimals) == 0:
        value = 0.0  # no "-0"
    text = f"{value:,.{decimals}f}"
    if lang == "fr":
        text = text.replace(",", NBSP).replace(".", ",")
    return text


def percent_text(fraction: float | None, decimals: int, lang: str) -> str:
    """A share given as a fraction, in %: "12,3 %" (fr, non-breaking space) / "12.3%" (en); "—" when
    missing or not finite. THE way every page writes a rate, so French and English never mix."""
    number = as_float(fraction)
    if number is None:
        return MISSING_TEXT
    return f"{number_text(100 * number, decimals, lang)}{percent_suffix(lang)}"


def percent_suffix(lang: str) -> str:
    """What follows a number in % (also a chart axis' tick suffix): " %" in French, "%" in English."""
    return f"{NBSP}%" if normalise_language(lang) == "fr" else "%"


def count_text(n: object, lang: str) -> str:
    """A number of clients, rows...: "12 345" (fr) / "12,345" (en); "—" when missing."""
    return number_text(n, 0, lang)


def money_text(amount: object, lang: str) -> str:
    """An amount in euros, whole: "12 345 €" (fr) / "€12,345" (en); "—" when missing."""
    return format_display("eur", as_float(amount), normalise_language(lang))


def cost_setting_text(value: object, lang: str) -> str:
    """A cost setting in euros with only the decimals it needs ("5 000 €", "0,5 €"): a setting may be
    small, and rounding it to whole euros would show it as "0 €" or "1 €"."""
    text = short_number_text(value, lang)
    if text == MISSING_TEXT:
        return text
    return f"{text}{NBSP}€" if normalise_language(lang) == "fr" else f"€{text}"


def short_number_text(value: object, lang: str, max_decimals: int = 2) -> str:
    """A number with only the decimals it needs (0.5 -> "0,5", 10 -> "10", 1.25 -> "1,25"): for
    user-entered settings such as costs, which rounding to whole units would show as "0"."""
    number = as_float(value)
    if number is None:
        return MISSING_TEXT
    for decimals in range(max_decimals + 1):
        if round(number, decimals) == round(number, max_decimals):
            return number_text(number, decimals, lang)
    return number_text(number, max_decimals, lang)


def _compact(value: float, lang: str) -> tuple[str, float]:
    """Whole numbers from 10 upwards, one decimal below (dropped when it is 0): 35, 3,5, 2.

    Returns the text and the rounded value it shows (for singular / plural).
    """
    decimals = 0 if abs(value) >= 10 or round(value, 1) == round(value) else 1
    return number_text(value, decimals, lang), round(value, decimals)


def _unit_word(word: str, value: float, lang: str) -> str:
    """The catalog's ``common.<word>.one`` or ``.many``: French singular below 2 ("1,5 an"),
    English singular for exactly 1 ("1 year")."""
    one = abs(value) < 2 if lang == "fr" else abs(value) == 1
    return translate(f"common.{word}.{'one' if one else 'many'}", lang)


def format_display(
    unit: str, value: object, lang: str, *, name: str = "", whole_years: bool = False
) -> str:
    """Text for a value already converted by :func:`display_value`; missing -> "—".

    A non-breaking space separates French thousands and precedes the symbols (€, %, ×, h) so that a
    value never wraps in a table cell; a plain space precedes words ("35 ans", "24 instalments").
    """
    if value is None or is_missing(value):
        return MISSING_TEXT
    if isinstance(value, bool):
        return translate("common.yes" if value else "common.no", lang)
    if unit in ("category", "id", "flag") or not isinstance(value, float) or not math.isfinite(value):
        return category_label(name, value, lang)
    if unit == "eur":
        amount = number_text(abs(value), 0, lang)
        sign = "-" if round(value) < 0 else ""
        return f"{sign}{amount}{NBSP}€" if lang == "fr" else f"{sign}€{amount}"
    if unit in ("years", "years_from_days"):
        text, shown = _compact(float(math.floor(value)) if whole_years else value, lang)
        return f"{text} {_unit_word('year', shown, lang)}"
    if unit in ("percent", "ratio"):
        text, _ = _compact(value, lang)
        symbol = "%" if unit == "percent" else "×"
        return f"{text}{NBSP}{symbol}" if lang == "fr" else f"{text}{symbol}"
    if unit == "instalments":
        text, shown = _compact(value, lang)
        return f"{text} {_unit_word('instalment', shown, lang)}"
    if unit == "hour":
        hour = int(value)
        return f"{hour}{NBSP}h" if lang == "fr" else f"{hour:02d}:00"
    if unit == "score":
        return number_text(value, 2, lang)
    if unit == "normalised":
        return number_text(value, 3, lang)
    if unit == "rating":
        return number_text(value, 0, lang)
    return number_text(value, 0 if value == round(value) else 1, lang)  # counts


_MONTHS = {
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


def month_text(period: str, lang: str) -> str:
    """A ``YYYY-MM`` month as people read it: "mars 2026" (fr) / "Mar 2026" (en); the text as it is
    when it is not such a month."""
    try:
        year, month = (int(part) for part in str(period).split("-"))
        name = _MONTHS.get(lang, _MONTHS["en"])[month - 1]
    except (ValueError, IndexError):
        return str(period)
    return f"{name} {year}"
