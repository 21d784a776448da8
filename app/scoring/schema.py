"""The Home Credit application table schema: column order, dtypes and known category levels.

Loaded from ``application_schema.json`` (structure only, never rows), shared by the loader, the
synthetic generator and the feature function so that all three agree on what a valid table is.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from app.config import SCHEMA_PATH

ID_COLUMN = "SK_ID_CURR"
TARGET_COLUMN = "TARGET"
#: When the application was made. Not a Home Credit column (the real files carry no date): the demo
#: has it, a lender's file may, otherwise the loader stamps an explicit ``--as-of`` date.
DATE_COLUMN = "APPLICATION_DATE"
MISSING_TEXT = "—"  # a missing value, in every language (bin labels and formatted values)
DAYS_EMPLOYED_SENTINEL = 365243
MISSING_MARKERS = ("XNA", "XAP")


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str  # "int", "float" or "category"
    categories: tuple[str, ...] = ()
    in_test: bool = True


@dataclass(frozen=True)
class ApplicationSchema:
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def test_names(self) -> list[str]:
        """Columns of ``application_test`` (the train schema minus TARGET)."""
        return [c.name for c in self.columns if c.in_test]

    def by_name(self) -> dict[str, Column]:
        return {c.name: c for c in self.columns}

    @property
    def categorical(self) -> list[str]:
        return [c.name for c in self.columns if c.dtype == "category"]

    @property
    def numeric(self) -> list[str]:
        return [c.name for c in self.columns if c.dtype != "category"]


@lru_cache(maxsize=1)
def application_schema() -> ApplicationSchema:
    """The schema of ``application_train`` (``application_test`` has every column but TARGET)."""
    raw = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return ApplicationSchema(
        tuple(
            Column(c["name"], c["dtype"], tuple(c.get("categories", ())), c["in_test"])
            for c in raw["columns"]
        )
    )
