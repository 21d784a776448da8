"""Column-level checks shared by the Home Credit loaders: one error type, one message style.

Every problem found in a user's file becomes a :class:`DataValidationError` whose message names the
file, the column, an offending value and its row, so that an officer or an operator can fix the file
without reading a traceback. Row numbers count data rows from 1 (the CSV header is not a row).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

#: Spellings of "no value" accepted in numeric columns besides a truly empty cell.
NA_TOKENS = frozenset({"", "na", "nan", "n/a", "null", "none", "<na>"})
_MAX_SHOWN = 60


class DataValidationError(ValueError):
    """A file or table does not match what the loader expects.

    ``source`` is the file (or table) name, ``column`` the column at fault (``None`` for file-level
    problems), ``example`` an offending value and ``row`` its 1-based data row when one applies.
    ``str(error)`` is a one-line message naming all of them.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str,
        column: str | None = None,
        example: object = None,
        row: int | None = None,
    ) -> None:
        super().__init__(message)
        self.source = source
        self.column = column
        self.example = example
        self.row = row


def show(value: object) -> str:
    """Quote a value for a one-line message; long or multi-line hostile strings stay short and inert."""
    text = str(value)
    if len(text) > _MAX_SHOWN:
        return repr(text[: _MAX_SHOWN - 1]) + "…"
    return repr(text)


def first_position(mask: pd.Series) -> int:
    """Position (0-based) of the first True of a boolean mask that has at least one True."""
    return int(np.flatnonzero(mask.to_numpy(dtype=bool))[0])


def is_numeric(series: pd.Series) -> bool:
    """True for int/float/bool columns, which need no parsing (datetimes and strings do)."""
    return pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_complex_dtype(
        series.dtype
    )


def to_float(series: pd.Series, *, source: str, column: str) -> pd.Series:
    """Parse a column as float64; empty cells and NA spellings become missing, anything else fails.

    CSV columns holding one bad value arrive as text, so the text is parsed here to report the first
    offending value and its row instead of pandas' generic error.
    """
    if is_numeric(series):
        out = series.astype("float64")
    else:
        text = series.astype("str").str.strip()
        missing = text.isna() | text.str.lower().isin(NA_TOKENS)
        out = pd.to_numeric(text.where(~missing), errors="coerce").astype("float64")
        bad = ~missing & out.isna()
        if bad.any():
            _reject(series, bad, source, column, "must be numeric")
    infinite = pd.Series(np.isinf(out.to_numpy()), index=out.index)
    if infinite.any():
        _reject(series, infinite, source, column, "must be a finite number")
    return out


def to_date(series: pd.Series, *, source: str, column: str) -> pd.Series:
    """Parse a date column (ISO ``YYYY-MM-DD`` text, or dates already) to day-precision datetimes.

    Every row needs a date: a file that dates applications must date them all, so an empty or
    unreadable cell fails naming its row rather than silently dropping out of every monthly figure.
    """
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        out = pd.to_datetime(series)
        bad = out.isna()
    else:
        text = series.astype("str").str.strip()
        out = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
        bad = out.isna()
    if bad.any():
        _reject(series, bad, source, column, "must hold a date (YYYY-MM-DD) on every row",
                missing=bool(series.isna().iloc[first_position(bad)]))
    return out.dt.normalize().astype("datetime64[ns]")


def to_identifier(series: pd.Series, *, source: str, column: str, unique: bool) -> pd.Series:
    """Validate a key column (present on every row, whole numbers, optionally unique) as int64."""
    if pd.api.types.is_integer_dtype(series.dtype) and not series.isna().any():
        values = series.astype("int64")
    else:
        floats = to_float(series, source=source, column=column)
        if floats.isna().any():
            _reject(series, floats.isna(), source, column, "must be filled on every row", missing=True)
        fractional = floats != np.floor(floats)
        if fractional.any():
            _reject(series, fractional, source, column, "must hold whole numbers")
        values = floats.astype("int64")
    if unique:
        duplicated = values.duplicated(keep=False)
        if duplicated.any():
            first = first_position(duplicated)
            value = values.iloc[first]
            rows = np.flatnonzero((values == value).to_numpy())[:2] + 1
            raise DataValidationError(
                f"{source}: column {column} must be unique; {value} appears at rows "
                f"{rows[0]} and {rows[1]}",
                source=source, column=column, example=int(value), row=int(rows[1]),
            )
    return values


def to_binary_target(series: pd.Series, *, source: str, column: str) -> pd.Series:
    """Validate a label column: 0 or 1 on every row, returned as int64."""
    floats = to_float(series, source=source, column=column)
    if floats.isna().any():
        _reject(series, floats.isna(), source, column, "must be 0 or 1 on every row", missing=True)
    invalid = ~floats.isin((0.0, 1.0))
    if invalid.any():
        _reject(series, invalid, source, column, "must be 0 or 1")
    return floats.astype("int64")


def to_text(series: pd.Series) -> pd.Series:
    """Category column as pandas' default string dtype; blank cells become missing, anything else
    (HTML, very long or non-Latin text) is kept verbatim: it is data, escaped when displayed."""
    text = series.astype("str")
    return text.mask(text.str.strip() == "")


def _reject(series: pd.Series, bad: pd.Series, source: str, column: str, rule: str, *, missing: bool = False) -> None:
    """Raise the one-line error naming the file, the column, the first offending value and its row."""
    pos = first_position(bad)
    found = "missing" if missing else f"found {show(series.iloc[pos])}"
    raise DataValidationError(
        f"{source}: column {column} {rule}; {found} at row {pos + 1}",
        source=source, column=column, example=series.iloc[pos], row=pos + 1,
    )
