"""Load, validate and clean the Kaggle "Home Credit Default Risk" tables.

Users hold the original ``.csv`` / ``.csv.zip`` files, developers the Parquet extract: both load into
the same exact schema (:mod:`app.scoring.schema`) so that features, model and pages never see a
surprise dtype. Any problem (missing column, text in a numeric column, duplicated id, a CSV line with
too few or too many fields, unreadable file) raises :class:`DataValidationError` with a one-line
message naming file, column, value and row (or line); pandas and pyarrow exceptions never escape.

Dtypes after :func:`prepare_applications` (chosen to be simple and predictable rather than compact):
``SK_ID_CURR`` and ``TARGET`` are ``int64`` (never missing); every other numeric column is ``float64``
(integer columns such as ``DAYS_EMPLOYED`` gain missing values when cleaned, and one dtype for all
measures means no nullable ``Int64`` corner cases downstream); category columns use pandas' default
``str`` dtype with ``NaN`` for missing. The index is a fresh ``RangeIndex``.
"""
from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from app.scoring.schema import (
    DATE_COLUMN,
    DAYS_EMPLOYED_SENTINEL,
    ID_COLUMN,
    MISSING_MARKERS,
    TARGET_COLUMN,
    application_schema,
)
from app.scoring.validation import (
    DataValidationError,
    is_numeric,
    show,
    to_binary_target,
    to_date,
    to_float,
    to_identifier,
    to_text,
)

__all__ = [
    "CORE_COLUMNS",
    "DataValidationError",
    "HomeCreditData",
    "PreparedBatch",
    "SECONDARY_TABLES",
    "check_application_columns",
    "check_csv",
    "clean_applications",
    "find_table",
    "load_home_credit",
    "prepare_application_batch",
    "prepare_applications",
    "prepare_secondary",
    "read_table",
    "unreadable",
    "unsupported",
    "unknown_levels_warning",
    "zipped_csv",
]

#: Columns an application must carry besides its id (and TARGET when labelled): what an officer reads
#: first and what the model needs most. Every other schema column is optional.
CORE_COLUMNS: tuple[str, ...] = (
    "NAME_CONTRACT_TYPE",
    "CODE_GENDER",
    "AMT_INCOME_TOTAL",
    "AMT_CREDIT",
    "AMT_ANNUITY",
    "AMT_GOODS_PRICE",
    "DAYS_BIRTH",
    "DAYS_EMPLOYED",
    "NAME_INCOME_TYPE",
    "NAME_EDUCATION_TYPE",
    "NAME_FAMILY_STATUS",
    "NAME_HOUSING_TYPE",
    "EXT_SOURCE_1",
    "EXT_SOURCE_2",
    "EXT_SOURCE_3",
)

TRAIN_TABLE = "application_train"
TEST_TABLE = "application_test"
#: Secondary tables and the key column that must be filled with whole numbers on every row.
SECONDARY_TABLES: dict[str, str] = {
    "bureau": "SK_ID_CURR",
    "bureau_balance": "SK_ID_BUREAU",
    "previous_application": "SK_ID_CURR",
    "POS_CASH_balance": "SK_ID_CURR",
    "credit_card_balance": "SK_ID_CURR",
    "installments_payments": "SK_ID_CURR",
}
#: Secondary tables have no committed schema; their numeric columns follow Kaggle's naming.
_NUMERIC_PREFIXES = ("SK_", "AMT_", "DAYS_", "CNT_", "MONTHS_", "RATE_", "HOUR_", "NFLAG_", "NUM_")
_NUMERIC_NAMES = frozenset({"SELLERPLACE_AREA", "CREDIT_DAY_OVERDUE"})
_SUFFIXES = (".parquet", ".csv", ".csv.zip")
_MAX_LISTED = 8


# --------------------------------------------------------------------------------------- reading
def read_table(path: Path | str) -> pd.DataFrame:
    """Read a ``.csv``, ``.csv.zip`` (a zip holding one csv) or ``.parquet`` file, nothing else.

    Any failure (missing, binary, truncated or malformed file) becomes a DataValidationError naming
    the file, so a bad upload or a half-copied file gives a message instead of a pyarrow traceback.
    """
    path = Path(path)
    source = path.name
    name = source.lower()
    if not path.is_file():
        raise DataValidationError(f"{source}: file not found ({path})", source=source)
    try:
        if name.endswith(".parquet") or name.endswith(".pq"):
            return pd.read_parquet(path)
        if name.endswith(".zip"):
            return _read_zipped_csv(path, source)
        if name.endswith(".csv"):
            return _read_csv(lambda: open(path, "rb"), source)
    except DataValidationError:
        raise
    except Exception as exc:  # the boundary: whatever pandas/pyarrow/zipfile raise
        raise unreadable(source, exc) from exc
    raise unsupported(source)


def unreadable(source: str, exc: Exception) -> DataValidationError:
    """The error for a file that pandas, pyarrow or zipfile failed to read (their first line)."""
    return DataValidationError(
        f"{source}: cannot be read as a {_kind(source.lower())} file ({_first_line(exc)})", source=source
    )


def unsupported(source: str) -> DataValidationError:
    return DataValidationError(
        f"{source}: unsupported file type (expected .csv, .csv.zip or .parquet)", source=source
    )


def _kind(name: str) -> str:
    return "Parquet" if name.endswith((".parquet", ".pq")) else "zip" if name.endswith(".zip") else "CSV"


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:200]}" if text else type(exc).__name__


def _read_zipped_csv(path: Path, source: str) -> pd.DataFrame:
    """The Kaggle downloads are zips holding exactly one csv; anything else is ambiguous."""
    return _read_csv(zipped_csv(path, source), source)


def zipped_csv(path: Path, source: str) -> Callable[[], IO[bytes]]:
    """Opener of the one csv a zip holds (each call opens it afresh: the csv is read in passes)."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise DataValidationError(f"{source}: not a valid zip archive", source=source) from exc
    with archive:
        members = [
            m for m in archive.infolist() if not m.is_dir() and not m.filename.startswith("__MACOSX/")
        ]
        csvs = [m for m in members if m.filename.lower().endswith(".csv")]
        if len(csvs) != 1:
            raise DataValidationError(
                f"{source}: the zip must hold exactly one .csv file; found {len(csvs)}", source=source
            )
    member = csvs[0].filename
    return lambda: zipfile.ZipFile(path).open(member)


def _read_csv(open_binary: Callable[[], IO[bytes]], source: str) -> pd.DataFrame:
    """Read CSV text (UTF-8, or Windows-1252 as exported by Excel); binary content is refused."""
    check_csv(open_binary, source)
    try:
        with open_binary() as handle:
            frame = pd.read_csv(handle, low_memory=False, encoding="utf-8-sig")
    except UnicodeDecodeError:
        with open_binary() as handle:
            frame = pd.read_csv(
                handle, low_memory=False, encoding="cp1252", encoding_errors="replace"
            )
    except pd.errors.EmptyDataError as exc:
        raise DataValidationError(f"{source}: the file is empty", source=source) from exc
    return frame


def check_csv(open_binary: Callable[[], IO[bytes]], source: str) -> None:
    """The checks made before parsing a CSV: not empty, not binary, comma-separated, and every line
    with as many fields as the header (:func:`_check_field_counts`)."""
    with open_binary() as handle:
        head = handle.read(8192)
    if not head.strip():
        raise DataValidationError(f"{source}: the file is empty", source=source)
    if b"\x00" in head:
        raise DataValidationError(
            f"{source}: not a text CSV file (binary content); save it as UTF-8 CSV", source=source
        )
    header = head.splitlines()[0]
    if b";" in header and b"," not in header:
        raise DataValidationError(
            f"{source}: columns must be separated by commas; this file uses ';'", source=source
        )
    _check_field_counts(open_binary, source)


def _check_field_counts(open_binary: Callable[[], IO[bytes]], source: str) -> None:
    """Refuse a CSV in which a line has more or fewer fields than the header, naming the first.

    pandas pads a line with too few fields with missing values, silently: a file cut mid-row (an
    interrupted copy, download or upload, zipped or not) was scored with invented blanks in its last
    application. pyarrow's parser is strict: it reads every record here, converting only the first
    column, as raw bytes (no decoding: UTF-8 and Windows-1252 files alike), so the check costs a
    fraction of the pandas read. Quoted fields may hold line breaks and blank lines are skipped, as
    pandas does. Line numbers count records, the header being line 1: the file's own line number
    unless a quoted field spans lines or blank lines precede. A last line that is complete but has
    no final line break is fine.
    """
    bad: list = []

    def invalid(row) -> str:
        bad.append(row)
        return "skip"

    with open_binary() as handle:
        reader = pa_csv.open_csv(
            handle,
            read_options=pa_csv.ReadOptions(use_threads=False, autogenerate_column_names=True),
            parse_options=pa_csv.ParseOptions(newlines_in_values=True, invalid_row_handler=invalid),
            convert_options=pa_csv.ConvertOptions(include_columns=["f0"], column_types={"f0": pa.binary()}),
        )
        records = sum(batch.num_rows for batch in reader) + len(bad)  # the header is a record here
    if not bad:
        return
    first = bad[0]
    line = f"line {first.number}" if first.number is not None else "a line"
    if first.number == records and first.actual_columns < first.expected_columns:
        raise DataValidationError(
            f"{source}: the file is cut short: its last line ({line}) has {first.actual_columns} of "
            f"the header's {first.expected_columns} fields (an incomplete copy or download?)",
            source=source, row=None if first.number is None else first.number - 1,
        )
    more = f" ({len(bad) - 1} more such lines)" if len(bad) > 1 else ""
    raise DataValidationError(
        f"{source}: {line} has {first.actual_columns} fields where the header has "
        f"{first.expected_columns}{more}",
        source=source, row=None if first.number is None else first.number - 1,
    )


def find_table(directory: Path | str, name: str) -> Path | None:
    """First of ``name.parquet``, ``name.csv``, ``name.csv.zip`` present in ``directory``."""
    directory = Path(directory)
    for suffix in _SUFFIXES:
        candidate = directory / f"{name}{suffix}"
        if candidate.is_file():
            return candidate
    return None


# ------------------------------------------------------------------------------ applications
def prepare_applications(
    df: pd.DataFrame, *, source: str, labelled: bool, as_of: pd.Timestamp | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """Validate any application table and coerce it to the exact schema, then clean it.

    Used on the Kaggle files and on whatever file a user gives the prediction script, hence the
    tolerance for what does not matter (unknown columns dropped, optional columns added as missing,
    both reported in the returned warnings) and the strictness for what does (required columns, ids,
    numbers, labels). Returns ``(table, warnings)``; raises :class:`DataValidationError`.

    The table keeps an ``APPLICATION_DATE`` column after the schema's: the file's own (every row
    dated), else ``as_of`` on every row (the Kaggle files carry no date), else unknown (NaT), so
    that monthly figures never invent a date.
    """
    batch = prepare_application_batch(df, source=source, labelled=labelled, as_of=as_of)
    return batch.table, [*batch.column_warnings, *batch.level_warnings(source)]


@dataclass(frozen=True)
class PreparedBatch:
    """A prepared table and what its warnings are made of, kept apart so that the batches of one file
    (``app.scoring.batches``) can report its columns once and its unknown categories summed."""

    table: pd.DataFrame
    column_warnings: list[str]
    #: column -> (number of values outside the known categories, first such value)
    unknown_levels: dict[str, tuple[int, object]]

    def level_warnings(self, source: str) -> list[str]:
        return [unknown_levels_warning(source, name, count, example)
                for name, (count, example) in self.unknown_levels.items()]


def check_application_columns(columns: list[str], *, source: str, labelled: bool) -> list[str]:
    """Refuse a header with a repeated or a missing required column; warn about unknown and absent
    optional columns. ``columns`` are stripped names. Returns the warnings."""
    index = pd.Index(columns)
    duplicated = index[index.duplicated()]
    if len(duplicated):
        raise DataValidationError(
            f"{source}: column {duplicated[0]} appears more than once", source=source,
            column=duplicated[0],
        )
    required = [ID_COLUMN, *([TARGET_COLUMN] if labelled else []), *CORE_COLUMNS]
    absent = [c for c in required if c not in columns]
    if absent:
        raise DataValidationError(
            f"{source}: missing required column{'s' if len(absent) > 1 else ''} {_listing(absent)}",
            source=source, column=absent[0],
        )
    schema = application_schema()
    expected = schema.names if labelled else schema.test_names()
    warnings: list[str] = []
    extra = [c for c in columns if c not in expected and c != DATE_COLUMN]
    if extra:
        warnings.append(f"{source}: {len(extra)} unknown column(s) ignored: {_listing(extra)}")
    optional_absent = [c for c in expected if c not in columns]
    if optional_absent:
        warnings.append(
            f"{source}: {len(optional_absent)} optional column(s) absent, treated as missing: "
            f"{_listing(optional_absent)}"
        )
    return warnings


def prepare_application_batch(
    df: pd.DataFrame, *, source: str, labelled: bool, as_of: pd.Timestamp | None = None
) -> PreparedBatch:
    """:func:`prepare_applications` with its warnings still apart (see :class:`PreparedBatch`)."""
    schema = application_schema()
    frame = df.reset_index(drop=True)
    frame.columns = [str(c).strip() for c in frame.columns]
    column_warnings = check_application_columns(list(frame.columns), source=source, labelled=labelled)
    if len(frame) == 0:
        raise DataValidationError(f"{source}: the table has no rows", source=source)

    expected = schema.names if labelled else schema.test_names()
    columns = schema.by_name()
    out: dict[str, pd.Series] = {}
    levels: dict[str, tuple[int, object]] = {}
    for name in expected:
        column = columns[name]
        if name not in frame.columns:
            empty = pd.Series(float("nan"), index=frame.index, dtype="float64")
            out[name] = empty.astype("str") if column.dtype == "category" else empty
        elif name == ID_COLUMN:
            out[name] = to_identifier(frame[name], source=source, column=name, unique=True)
        elif name == TARGET_COLUMN:
            out[name] = to_binary_target(frame[name], source=source, column=name)
        elif column.dtype == "category":
            out[name] = to_text(frame[name])
            found = _unknown_levels(out[name], column.categories)
            if found is not None:
                levels[name] = found
        else:
            out[name] = to_float(frame[name], source=source, column=name)
    out[DATE_COLUMN] = _application_dates(frame, source, as_of)
    table = clean_applications(pd.DataFrame(out, columns=[*expected, DATE_COLUMN]))
    return PreparedBatch(table, column_warnings, levels)


def _application_dates(frame: pd.DataFrame, source: str, as_of: pd.Timestamp | None) -> pd.Series:
    if DATE_COLUMN in frame.columns:
        return to_date(frame[DATE_COLUMN], source=source, column=DATE_COLUMN)
    if as_of is not None:
        return pd.Series(pd.Timestamp(as_of).normalize(), index=frame.index, dtype="datetime64[ns]")
    return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")


def _unknown_levels(values: pd.Series, known: tuple[str, ...]) -> tuple[int, object] | None:
    """Category values the training data never had: kept (the model handles them), but reported."""
    if not known:
        return None
    unknown = values.notna() & ~values.isin((*known, *MISSING_MARKERS))
    if not unknown.any():
        return None
    return int(unknown.sum()), values[unknown].iloc[0]


def unknown_levels_warning(source: str, name: str, count: int, example: object) -> str:
    return (f"{source}: column {name} has {count} value(s) outside the known categories "
            f"(e.g. {show(example)}); kept as is")


def _listing(names: list[str]) -> str:
    shown = ", ".join(names[:_MAX_LISTED])
    return shown if len(names) <= _MAX_LISTED else f"{shown}… (+{len(names) - _MAX_LISTED})"


def clean_applications(df: pd.DataFrame) -> pd.DataFrame:
    """Undo the known quirks of the Home Credit application table; returns a new frame.

    - ``DAYS_EMPLOYED == 365243`` is a sentinel meaning "not employed / pensioner" (about 18 % of
      rows): it becomes missing so that it never reads as 1,000 years of employment.
    - ``'XNA'`` / ``'XAP'`` in any text column mean "not available / not applicable": missing.
    - Numeric columns other than ``SK_ID_CURR`` and ``TARGET`` become ``float64`` (see module doc).
    Works on any subset of the schema's columns, so raw Parquet can be cleaned directly too.
    """
    out = df.copy()
    for name in out.columns:
        series = out[name]
        if name in (ID_COLUMN, TARGET_COLUMN):
            continue
        if is_numeric(series) and not pd.api.types.is_bool_dtype(series.dtype):
            series = series.astype("float64")
            if name == "DAYS_EMPLOYED":
                series = series.mask(series == DAYS_EMPLOYED_SENTINEL)
            out[name] = series
        elif series.dtype == object or isinstance(series.dtype, pd.StringDtype):
            out[name] = series.mask(series.isin(MISSING_MARKERS))
    return out


# ---------------------------------------------------------------------------------- secondary
def prepare_secondary(
    df: pd.DataFrame, *, table: str, source: str
) -> tuple[pd.DataFrame, list[str]]:
    """Validate a secondary table: its key and every ``SK_ID_*`` column are whole numbers on every
    row, numeric columns (by Kaggle's naming) parse as numbers, other columns are text.

    No cleaning beyond types: these tables are aggregated by the feature code, which decides what a
    missing value means. Numeric columns that are already numeric keep their dtype (memory: the
    balance tables have millions of rows).
    """
    if table not in SECONDARY_TABLES:
        raise DataValidationError(f"{source}: unknown secondary table {table!r}", source=source)
    key = SECONDARY_TABLES[table]
    frame = df.reset_index(drop=True)
    frame.columns = [str(c).strip() for c in frame.columns]
    if key not in frame.columns:
        raise DataValidationError(
            f"{source}: missing required column {key}", source=source, column=key
        )
    if len(frame) == 0:
        raise DataValidationError(f"{source}: the table has no rows", source=source)
    out: dict[str, pd.Series] = {}
    for name in frame.columns:
        series = frame[name]
        if name.startswith("SK_ID_"):
            out[name] = to_identifier(series, source=source, column=name, unique=False)
        elif name.startswith(_NUMERIC_PREFIXES) or name in _NUMERIC_NAMES:
            out[name] = series if is_numeric(series) else to_float(series, source=source, column=name)
        else:
            out[name] = series if series.dtype == "str" else to_text(series)
    return pd.DataFrame(out, columns=list(frame.columns)), []


# ------------------------------------------------------------------------------------ folder
@dataclass(frozen=True, eq=False)
class HomeCreditData:
    """The tables found in a Home Credit folder, validated. Absent optional tables are absent.

    ``train`` is ``None`` only when loaded with ``require_train=False`` and the file is missing;
    ``test`` holds the unlabelled "new applications"; ``secondary`` maps a table name (as in
    :data:`SECONDARY_TABLES`) to its frame; ``sources`` maps every loaded table to its file.
    """

    train: pd.DataFrame | None
    test: pd.DataFrame | None = None
    secondary: dict[str, pd.DataFrame] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    sources: dict[str, Path] = field(default_factory=dict)


def load_home_credit(
    directory: Path | str, *, require_train: bool = True, secondary: bool | tuple[str, ...] = True,
    as_of: pd.Timestamp | None = None,
) -> HomeCreditData:
    """Load every Home Credit table present in ``directory`` (Parquet, CSV or zipped CSV).

    ``secondary``: all secondary tables (``True``), none (``False``) or only the named ones.
    ``as_of``: the date of applications whose file has no ``APPLICATION_DATE`` column.

    Raises DataValidationError when a present file is invalid, or when ``application_train`` is
    required and absent; optional tables that are absent are simply left out.
    """
    directory = Path(directory)
    if not directory.is_dir():
        if require_train:
            raise DataValidationError(
                f"{directory.name or directory}: folder not found ({directory})", source=str(directory)
            )
        return HomeCreditData(train=None, warnings=(f"folder not found: {directory}",))
    warnings: list[str] = []
    sources: dict[str, Path] = {}
    tables: dict[str, pd.DataFrame | None] = {}
    for table, labelled in ((TRAIN_TABLE, True), (TEST_TABLE, False)):
        path = find_table(directory, table)
        if path is None:
            tables[table] = None
            if table == TRAIN_TABLE and require_train:
                raise DataValidationError(
                    f"{table}: not found in {directory} (looked for "
                    f"{', '.join(table + s for s in _SUFFIXES)})",
                    source=table,
                )
            continue
        tables[table], found = prepare_applications(
            read_table(path), source=path.name, labelled=labelled, as_of=as_of
        )
        warnings.extend(found)
        sources[table] = path
    train, test = tables[TRAIN_TABLE], tables[TEST_TABLE]
    if train is not None and test is not None:
        shared = pd.Index(train[ID_COLUMN]).intersection(pd.Index(test[ID_COLUMN]))
        if len(shared):
            warnings.append(
                f"{len(shared)} {ID_COLUMN} value(s) appear in both {TRAIN_TABLE} and {TEST_TABLE}"
            )
    others: dict[str, pd.DataFrame] = {}
    wanted = tuple(SECONDARY_TABLES) if secondary is True else tuple(secondary or ())
    unknown = [t for t in wanted if t not in SECONDARY_TABLES]
    if unknown:
        raise ValueError(f"unknown secondary table(s): {', '.join(unknown)}")
    for table in wanted:
        path = find_table(directory, table)
        if path is None:
            continue
        others[table], found = prepare_secondary(read_table(path), table=table, source=path.name)
        warnings.extend(found)
        sources[table] = path
    return HomeCreditData(
        train=train, test=test, secondary=others, warnings=tuple(warnings), sources=sources
    )
