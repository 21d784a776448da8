"""Turn raw Home Credit values into what an officer reads, in French or English.

One function per unit kind, so every page shows the same value the same way: ages as positive years,
amounts in € with the language's separators, shares in %, flags as yes/no, the common category levels
in French. Used through :class:`app.scoring.dictionary.DataDictionary`; pure Python, no UI import.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from app.scoring.schema import DAYS_EMPLOYED_SENTINEL

MISSING_TEXT = "—"
NBSP = "\u00a0"
DAYS_PER_YEAR = 365.25

#: Every unit kind a column may have, with its label in each language.
UNIT_LABELS: dict[str, dict[str, str]] = {
    "eur": {"fr": "€", "en": "€"},
    "years_from_days": {"fr": "années", "en": "years"},
    "years": {"fr": "années", "en": "years"},
    "percent": {"fr": "%", "en": "%"},
    "ratio": {"fr": "×", "en": "×"},
    "count": {"fr": "nombre", "en": "count"},
    "score": {"fr": "score de 0 à 1", "en": "score from 0 to 1"},
    "flag": {"fr": "oui / non", "en": "yes / no"},
    "category": {"fr": "catégorie", "en": "category"},
    "hour": {"fr": "heure", "en": "hour of day"},
    "instalments": {"fr": "échéances", "en": "instalments"},
    "normalised": {"fr": "indice normalisé", "en": "normalised index"},
    "rating": {"fr": "note de 1 à 3", "en": "rating from 1 to 3"},
    "id": {"fr": "identifiant", "en": "identifier"},
}
UNIT_KINDS: tuple[str, ...] = tuple(UNIT_LABELS)

_TRUE = frozenset({"1", "1.0", "y", "yes", "true", "oui"})
_FALSE = frozenset({"0", "0.0", "n", "no", "false", "non"})
_YES_NO = {"fr": ("Oui", "Non"), "en": ("Yes", "No")}

#: Category levels an officer reads often, translated; any other level is shown as it is.
CATEGORY_LABELS: dict[str, dict[str, dict[str, str]]] = {
    "fr": {
        "NAME_CONTRACT_TYPE": {
            "Cash loans": "Prêt personnel", "Revolving loans": "Crédit renouvelable",
        },
        "CODE_GENDER": {"F": "Femme", "M": "Homme"},
        "NAME_INCOME_TYPE": {
            "Working": "Salarié", "Commercial associate": "Associé commercial",
            "Pensioner": "Retraité", "State servant": "Fonctionnaire", "Student": "Étudiant",
            "Unemployed": "Sans emploi", "Businessman": "Chef d'entreprise",
            "Maternity leave": "Congé maternité",
        },
        "NAME_EDUCATION_TYPE": {
            "Secondary / secondary special": "Secondaire", "Higher education": "Supérieur",
            "Incomplete higher": "Supérieur inachevé", "Lower secondary": "Collège",
            "Academic degree": "Doctorat",
        },
        "NAME_FAMILY_STATUS": {
            "Married": "Marié(e)", "Single / not married": "Célibataire",
            "Civil marriage": "Union libre", "Separated": "Séparé(e)", "Widow": "Veuf / veuve",
            "Unknown": "Inconnue",
        },
        "NAME_HOUSING_TYPE": {
            "House / apartment": "Maison / appartement", "Rented apartment": "Location",
            "With parents": "Chez les parents", "Municipal apartment": "Logement social",
            "Office apartment": "Logement de fonction", "Co-op apartment": "Logement coopératif",
        },
        "NAME_TYPE_SUITE": {
            "Unaccompanied": "Seul(e)", "Family": "Famille", "Spouse, partner": "Conjoint(e)",
            "Children": "Enfants", "Group of people": "Groupe", "Other_A": "Autre", "Other_B": "Autre",
        },
        "WEEKDAY_APPR_PROCESS_START": {
            "MONDAY": "Lundi", "TUESDAY": "Mardi", "WEDNESDAY": "Mercredi", "THURSDAY": "Jeudi",
            "FRIDAY": "Vendredi", "SATURDAY": "Samedi", "SUNDAY": "Dimanche",
        },
    },
    "en": {
        "CODE_GENDER": {"F": "Female", "M": "Male"},
        "WEEKDAY_APPR_PROCESS_START": {
            day: day.capitalize()
            for day in ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
        },
    },
}


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
        number = float(value)  # type: ignore[arg-type]
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


def number_text(value: float, decimals: int, lang: str) -> str:
    """Thousands separators and decimal mark of the language: 12 500,5 (fr, NBSP) / 12,500.5 (en)."""
    if round(value, decimals) == 0:
        value = 0.0  # no "-0"
    text = f"{value:,.{decimals}f}"
    if lang == "fr":
        text = text.replace(",", NBSP).replace(".", ",")
    return text


def _compact(value: float, lang: str) -> tuple[str, float]:
    """Whole numbers from 10 upwards, one decimal below (dropped when it is 0): 35, 3,5, 2.

    Returns the text and the rounded value it shows (for singular / plural).
    """
    decimals = 0 if abs(value) >= 10 or round(value, 1) == round(value) else 1
    return number_text(value, decimals, lang), round(value, decimals)


def _plural(value: float, lang: str, fr: tuple[str, str], en: tuple[str, str]) -> str:
    """French singular below 2 ("1,5 an"), English singular for exactly 1 ("1 year")."""
    if lang == "fr":
        return fr[0] if abs(value) < 2 else fr[1]
    return en[0] if abs(value) == 1 else en[1]


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
        return _YES_NO[lang][0 if value else 1]
    if unit in ("category", "id", "flag") or not isinstance(value, float) or not math.isfinite(value):
        text = str(value)
        return CATEGORY_LABELS.get(lang, {}).get(name, {}).get(text, text)
    if unit == "eur":
        amount = number_text(abs(value), 0, lang)
        sign = "-" if round(value) < 0 else ""
        return f"{sign}{amount}{NBSP}€" if lang == "fr" else f"{sign}€{amount}"
    if unit in ("years", "years_from_days"):
        text, shown = _compact(float(math.floor(value)) if whole_years else value, lang)
        return f"{text} {_plural(shown, lang, ('an', 'ans'), ('year', 'years'))}"
    if unit in ("percent", "ratio"):
        text, _ = _compact(value, lang)
        symbol = "%" if unit == "percent" else "×"
        return f"{text}{NBSP}{symbol}" if lang == "fr" else f"{text}{symbol}"
    if unit == "instalments":
        text, shown = _compact(value, lang)
        words = _plural(shown, lang, ("échéance", "échéances"), ("instalment", "instalments"))
        return f"{text} {words}"
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
