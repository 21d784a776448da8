"""Data dictionary: a French and English label, a unit and an "actionable" flag for every column a
person may see (the 122 application columns and the engineered model features).

The labels are our own, committed in ``column_labels.csv`` (one row per column, edited by hand).
The official English description from Kaggle's ``HomeCredit_columns_description.csv`` is merged in
when that file is available (it is a competition file and is never committed). ``actionable`` says
whether a client could change the value for a new application (amount, annuity, term, documents...),
so explanations can tell an officer what is worth discussing and never suggest changing one's age.
"""
from __future__ import annotations

import csv
import io
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

import pandas as pd

from app.config import get_settings
from app.i18n import normalise_language
from app.presenters.formatting import UNIT_KINDS, display_value, format_display, unit_label

LOGGER = logging.getLogger(__name__)
LABELS_PATH = Path(__file__).with_name("column_labels.csv")
DESCRIPTION_FILE = "HomeCredit_columns_description.csv"

#: Model features computed by ``app.scoring.features`` (names fixed there); everything else shown is
#: a column of the application table.
ENGINEERED_FEATURES: tuple[str, ...] = (
    "AGE_YEARS", "EMPLOYED_YEARS", "REGISTRATION_YEARS", "ID_PUBLISH_YEARS", "PHONE_CHANGE_YEARS",
    "EMPLOYED_AGE_RATIO", "CREDIT_INCOME_RATIO", "ANNUITY_INCOME_RATIO", "CREDIT_TERM",
    "GOODS_CREDIT_RATIO", "CREDIT_GOODS_GAP", "EXT_SOURCE_MEAN", "EXT_SOURCE_MIN", "EXT_SOURCE_MAX",
    "EXT_SOURCE_STD", "EXT_SOURCE_PROD", "EXT_SOURCE_MISSING", "DOCUMENT_COUNT", "CONTACT_COUNT",
    "REGION_MISMATCH_COUNT", "TERM_MONTHS_EST", "INTEREST_RATE_EST",
)
#: Shown in completed years (a person is 35 until their 36th birthday), not rounded.
_WHOLE_YEARS = frozenset({"DAYS_BIRTH", "AGE_YEARS"})


@dataclass(frozen=True)
class ColumnInfo:
    """What a person needs to read one column: labels, unit kind, whether the client can act on it."""

    name: str
    label_fr: str
    label_en: str
    unit: str
    actionable: bool
    engineered: bool
    description_en: str | None = None

    def label(self, lang: str = "fr") -> str:
        return self.label_en if normalise_language(lang) == "en" else self.label_fr


@dataclass(frozen=True)
class DataDictionary:
    """Read-only lookup of :class:`ColumnInfo` by column name, with display helpers."""

    columns: Mapping[str, ColumnInfo]

    @property
    def names(self) -> list[str]:
        return list(self.columns)

    def __contains__(self, name: object) -> bool:
        return name in self.columns

    def info(self, name: str) -> ColumnInfo:
        """The column's entry; an unknown name raises a KeyError that says what went wrong."""
        try:
            return self.columns[name]
        except (KeyError, TypeError):
            raise KeyError(
                f"unknown column {name!r}: not an application column nor an engineered feature "
                f"(the data dictionary lists {len(self.columns)} columns)"
            ) from None

    def label(self, name: str, lang: str = "fr") -> str:
        return self.info(name).label(lang)

    def label_or_name(self, name: str, lang: str = "fr") -> str:
        """The label in words, or the name itself for a column the dictionary does not know (a model
        folder trained elsewhere may carry extra features): a page never fails on a new feature."""
        return self.info(name).label(lang) if name in self.columns else str(name)

    def unit_label(self, name: str, lang: str = "fr") -> str:
        """The unit as shown to a person ("années" / "years", "€", "%")."""
        return unit_label(self.info(name).unit, lang)

    def display_value(self, name: str, raw_value: object) -> object:
        """The value in its displayed unit (negative days -> positive years, fraction -> %, 0/1 ->
        bool), None when missing. Use for plotting; :meth:`format_value` for text."""
        return display_value(self.info(name).unit, raw_value, name=name)

    def format_value(self, name: str, raw_value: object, lang: str = "fr") -> str:
        """The value as text with its unit in the reader's language: "35 ans" / "35 years",
        "12 500 €" / "€12,500", "32 %" / "32%", "Oui" / "Yes", "—" when missing."""
        info = self.info(name)
        shown = display_value(info.unit, raw_value, name=name)
        return format_display(
            info.unit, shown, normalise_language(lang), name=name, whole_years=name in _WHOLE_YEARS
        )


def _read_labels(path: Path) -> list[dict[str, str]]:
    """The committed labels file, checked: a typo in it must fail loudly at start, not at display."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        problem = (
            "duplicated name" if row["name"] in seen
            else f"unknown unit {row['unit']!r}" if row["unit"] not in UNIT_KINDS
            else "actionable must be yes or no" if row["actionable"] not in ("yes", "no")
            else "empty label" if not row["label_fr"].strip() or not row["label_en"].strip()
            else None
        )
        if problem:
            raise ValueError(f"{path.name} line {number} ({row['name']}): {problem}")
        seen.add(row["name"])
    return rows


def read_descriptions(path: Path) -> dict[str, str]:
    """Official English descriptions of the application columns, ``{}`` when the file is unusable.

    The Kaggle file is Windows-1252 in places and its first column is an unnamed index in the
    original download; both are tolerated. Descriptions are a nicety: a bad file is logged, not fatal.
    """
    try:
        raw = path.read_bytes()
    except OSError:
        return {}
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError) as exc:
        LOGGER.warning("column descriptions in %s ignored: %s", path, exc)
        return {}
    columns = {str(c).strip().lower(): c for c in frame.columns}
    if not {"table", "row", "description"} <= set(columns):
        LOGGER.warning("column descriptions in %s ignored: unexpected header", path)
        return {}
    special = frame[columns["special"]] if "special" in columns else pd.Series("", index=frame.index)
    descriptions: dict[str, str] = {}
    for table, name, description, extra in zip(
        frame[columns["table"]], frame[columns["row"]], frame[columns["description"]], special, strict=True
    ):
        if not table.strip().startswith("application") or not description.strip():
            continue
        extra = extra.strip()
        descriptions[name.strip()] = description.strip() + (f" ({extra})" if extra else "")
    return descriptions


@lru_cache(maxsize=4)
def data_dictionary(description_csv: Path | None = None) -> DataDictionary:
    """The data dictionary (cached: read-only, loaded once).

    ``description_csv`` defaults to the Kaggle description file in the Home Credit data folder
    (``HOME_CREDIT_DIR``); descriptions are simply absent when the file is not there.
    """
    path = description_csv or get_settings().home_credit_dir / DESCRIPTION_FILE
    descriptions = read_descriptions(Path(path))
    engineered = frozenset(ENGINEERED_FEATURES)
    entries = {
        row["name"]: ColumnInfo(
            name=row["name"],
            label_fr=row["label_fr"].strip(),
            label_en=row["label_en"].strip(),
            unit=row["unit"],
            actionable=row["actionable"] == "yes",
            engineered=row["name"] in engineered,
            description_en=descriptions.get(row["name"]),
        )
        for row in _read_labels(LABELS_PATH)
    }
    return DataDictionary(MappingProxyType(entries))
