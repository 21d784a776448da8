"""The clients of a group as people read them: the page's table rows and the CSV export.

One column list serves both, so the table and the file a manager downloads always agree. Headers
carry their unit ("Montant du crédit (€)"). The table gets formatted text (the browser only shows
one page); the CSV keeps numbers as numbers (a spreadsheet must be able to add them up), with the
language's separators (";" and decimal "," in French, as French spreadsheets expect).

Every cell of text that a spreadsheet would read as a formula (starting with = + - @, tab or carriage
return) is prefixed with an apostrophe: a category value in a data file must never run as a formula
on a manager's computer (CSV/formula injection).
Vectorised over columns (categories are translated and protected once per category, not per row).
An export is capped at :data:`MAX_EXPORT_ROWS` clients: the file, its base64 copy and the JSON
answer must fit in the 512 MB worker next to the portfolio.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from app.i18n import normalise_language, translate
from app.presenters.formatting import MISSING_TEXT, category_label, count_text, money_text, percent_text

#: (column, catalog key of the header, kind). OUTCOME is derived from TARGET and IS_LABELLED.
TABLE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("SK_ID_CURR", "portfolio.col.id", "id"),
    ("AGE_YEARS", "portfolio.col.age", "years"),
    ("NAME_INCOME_TYPE", "portfolio.col.income_type", "category"),
    ("NAME_CONTRACT_TYPE", "portfolio.col.contract_type", "category"),
    ("AMT_INCOME_TOTAL", "portfolio.col.income", "eur"),
    ("AMT_CREDIT", "portfolio.col.credit", "eur"),
    ("PROBA_DEFAULT", "portfolio.col.proba", "percent"),
    ("GRADE", "portfolio.col.grade", "category"),
    ("DECISION", "portfolio.col.decision", "decision"),
    ("OUTCOME", "portfolio.col.outcome", "outcome"),
)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_EXPORT_ROWS = 100_000


def protect_cell(value: object) -> object:
    """Neutralise a text cell a spreadsheet would evaluate as a formula; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def headers(lang: str) -> dict[str, str]:
    """Column -> human-readable header (with unit) in ``lang``."""
    return {col: translate(key, lang) for col, key, _ in TABLE_COLUMNS}


def _categories(column: pd.Series, name: str, lang: str) -> pd.Series:
    """Category values translated for the reader, missing as "—" (mapped once per category)."""
    decisions = {v: translate(f"decision.{v}", lang) for v in ("granted", "refused")} if name == "DECISION" else {}
    cat = column if isinstance(column.dtype, pd.CategoricalDtype) else column.astype("category")
    mapping = {c: protect_cell(decisions.get(str(c)) or category_label(name, str(c), lang)) for c in cat.cat.categories}
    return cat.map(mapping).astype(object).where(cat.notna(), MISSING_TEXT)  # maps categories, not rows


def _outcome(rows: pd.DataFrame, lang: str) -> pd.Series:
    target = rows["TARGET"].to_numpy(dtype=float)
    known = rows["IS_LABELLED"].to_numpy(dtype=bool) & ~np.isnan(target)
    text = np.where(~known, translate("portfolio.outcome.unknown", lang),
                    np.where(target == 1, translate("portfolio.outcome.difficulties", lang),
                             translate("portfolio.outcome.repaid", lang)))
    return pd.Series(text, index=rows.index, dtype=object)


def export_frame(rows: pd.DataFrame, lang: str = "fr") -> pd.DataFrame:
    """The clients ``rows`` (served frame, indexed by SK_ID_CURR) with readable headers and values."""
    lang = normalise_language(lang)
    out = {}
    for col, _, kind in TABLE_COLUMNS:
        if col == "SK_ID_CURR":
            out[col] = rows.index.to_numpy(dtype=np.int64)
        elif kind == "outcome":
            out[col] = _outcome(rows, lang).to_numpy()
        elif kind in ("category", "decision"):
            out[col] = _categories(rows[col], col, lang).to_numpy()  # protected per category, not per row
        elif kind == "years":
            out[col] = np.floor(rows[col].to_numpy(dtype=float))  # completed years
        elif kind == "percent":
            out[col] = np.round(rows[col].to_numpy(dtype=float) * 100, 1)
        else:
            out[col] = np.round(rows[col].to_numpy(dtype=float), 0)
    return pd.DataFrame(out).rename(columns=headers(lang))


def to_csv_bytes(frame: pd.DataFrame, lang: str = "fr") -> bytes:
    """CSV for spreadsheets in ``lang`` (UTF-8 with BOM so accents survive Excel), formula-safe."""
    lang = normalise_language(lang)
    safe = frame.rename(columns=lambda c: protect_cell(str(c)))
    for col in safe.columns:
        if safe[col].dtype == object or pd.api.types.is_string_dtype(safe[col].dtype):
            values = safe[col].astype(object)
            if values.str.startswith(FORMULA_PREFIXES).fillna(False).astype(bool).any():
                safe[col] = values.map(protect_cell)  # idempotent: protected text starts with "'"
    sep, decimal = (";", ",") if lang == "fr" else (",", ".")
    text = safe.to_csv(index=False, sep=sep, decimal=decimal, na_rep="", float_format="%.10g", lineterminator="\n")
    return text.encode("utf-8-sig")


def table_records(rows: pd.DataFrame, lang: str = "fr") -> list[dict]:
    """One page of clients as grid records: formatted text, the id as a markdown link to the client file."""
    lang = normalise_language(lang)
    data = export_frame(rows, lang)
    data.columns = [col for col, _, _ in TABLE_COLUMNS]
    records = []
    for rec in data.to_dict("records"):
        out = {}
        for col, _, kind in TABLE_COLUMNS:
            value = rec[col]
            if kind == "id":
                out[col] = f"[{int(value)}](/client/{int(value)})"
            elif kind == "years":
                out[col] = count_text(value, lang)
            elif kind == "eur":
                out[col] = money_text(value, lang)
            elif kind == "percent":
                out[col] = percent_text(value / 100, 1, lang)  # the frame holds % (CSV), the text takes a fraction
            else:
                out[col] = value
        records.append(out)
    return records
