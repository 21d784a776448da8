"""Read and prepare one application file in batches, refusing what the whole-file path refuses.

``prepare_applications(read_table(path))`` holds the whole file in pandas twice (raw and prepared):
about 10 GB for a portfolio of 3.56 million applications. :class:`ApplicationFile` reads it one batch
at a time and prepares each batch with the same code (``app.scoring.data.prepare_application_batch``),
keeping in memory only what a whole-file check needs:

- the header is checked once (a repeated or missing required column; unknown and absent optional
  columns are warned about once);
- the id column is read alone and validated whole (filled, whole numbers, unique): a client twice in
  the file is refused with the message and rows the whole-file path gives, before any batch is
  prepared or scored, wherever the two rows fall. The ids (8 bytes a row) also give the row count for
  progress lines, and let a portfolio refuse a client present in both of its files up front;
- every other column is checked batch by batch, an error naming its row counted from the file's
  first data row, as the whole-file path does;
- values outside the known categories are counted over all batches: one warning per column.

A file with several problems may see another one reported first than the whole-file path would
(it checks column by column over all rows, this batch by batch); each problem alone gives the same
message.

Formats are those of ``read_table``: Parquet streams by record batches
(``pyarrow.parquet.ParquetFile.iter_batches``); CSV and zipped CSV by pandas' chunked reader, after
the same pre-checks (field counts over the whole file) and with one encoding for the whole file
(UTF-8, else Windows-1252, decided by a pass over its bytes) so that no batch is decoded differently.
A CSV is therefore read four times (field counts, encoding, ids, batches): Parquet is the format for
large files. Numbers are parsed per batch by the same functions, so a column pandas types differently
in two chunks (text in one, numbers in another) still gives the same values.
"""
from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from app.scoring.data import (
    DataValidationError,
    check_application_columns,
    check_csv,
    prepare_application_batch,
    unknown_levels_warning,
    unreadable,
    unsupported,
    zipped_csv,
)
from app.scoring.schema import ID_COLUMN, TARGET_COLUMN
from app.scoring.validation import to_identifier

DEFAULT_BATCH_ROWS = 50_000  # about 60 MB of raw application columns: bounded, and scored at full speed


class _ParquetReader:
    """Column reads and record batches of a Parquet file; pandas' index columns are left out, as
    ``pd.read_parquet`` makes them the index that ``prepare_applications`` then drops."""

    def __init__(self, path: Path) -> None:
        # Read column chunks through a small buffer, not whole: a row group of a million rows would
        # otherwise be held compressed in memory while its batches are decoded (about 140 MB more).
        self.file = pq.ParquetFile(path, pre_buffer=False, buffer_size=1 << 20)
        schema = self.file.schema_arrow
        index = {c for c in (schema.pandas_metadata or {}).get("index_columns", []) if isinstance(c, str)}
        self.columns = [n for n in schema.names if n not in index]

    def column(self, name: str) -> pd.Series:
        return self.file.read(columns=[name]).to_pandas()[name]

    def batches(self, rows: int) -> Iterator[pd.DataFrame]:
        for batch in self.file.iter_batches(batch_size=rows, columns=self.columns):
            yield pa.Table.from_batches([batch]).to_pandas()


class _CsvReader:
    """Column reads and chunks of a CSV (plain or the one csv of a zip), after ``check_csv``."""

    def __init__(self, open_binary: Callable[[], IO[bytes]], source: str) -> None:
        check_csv(open_binary, source)
        self.open_binary, self.source = open_binary, source
        self.encoding = _csv_encoding(open_binary)
        with open_binary() as handle:
            self.columns = list(self._read(handle, nrows=0).columns)

    def _read(self, handle: IO[bytes], **options):
        try:
            return pd.read_csv(handle, low_memory=False, encoding=self.encoding,
                               encoding_errors="strict" if self.encoding == "utf-8-sig" else "replace", **options)
        except pd.errors.EmptyDataError as exc:
            raise DataValidationError(f"{self.source}: the file is empty", source=self.source) from exc

    def column(self, name: str) -> pd.Series:
        with self.open_binary() as handle:
            return self._read(handle, usecols=[name])[name]

    def batches(self, rows: int) -> Iterator[pd.DataFrame]:
        with self.open_binary() as handle:
            yield from self._read(handle, chunksize=rows)


def _csv_encoding(open_binary: Callable[[], IO[bytes]]) -> str:
    """``utf-8-sig`` when the whole file is valid UTF-8, else ``cp1252`` (what ``read_table`` falls
    back to on a decoding error), decided before the first batch is parsed."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        with open_binary() as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def _reader(path: Path, source: str) -> _ParquetReader | _CsvReader:
    name = source.lower()
    if not path.is_file():
        raise DataValidationError(f"{source}: file not found ({path})", source=source)
    if name.endswith((".parquet", ".pq")):
        return _ParquetReader(path)
    if name.endswith(".zip"):
        return _CsvReader(zipped_csv(path, source), source)
    if name.endswith(".csv"):
        return _CsvReader(lambda: open(path, "rb"), source)
    raise unsupported(source)


def _shifted(exc: DataValidationError, offset: int) -> DataValidationError:
    """A batch's error with its row counted from the file's first row (messages end "at row N")."""
    suffix = f" at row {exc.row}"
    message = str(exc)
    if exc.row is None or not offset or not message.endswith(suffix):
        return exc
    row = exc.row + offset
    return DataValidationError(f"{message[:-len(suffix)]} at row {row}", source=exc.source, column=exc.column,
                               example=exc.example, row=row)


class ApplicationFile:
    """An application file opened for reading in batches: header checked, ids read and validated.

    ``ignore_target`` drops a ``TARGET`` column before anything is checked, as the scripts do with
    files of new applications. Raises :class:`DataValidationError` (on opening or while iterating).
    """

    def __init__(self, path: Path | str, *, labelled: bool, as_of: pd.Timestamp | None = None,
                 ignore_target: bool = False) -> None:
        self.path = Path(path)
        self.source = self.path.name
        self.labelled, self.as_of, self.ignore_target = labelled, as_of, ignore_target
        try:
            self._reader = _reader(self.path, self.source)
            raw = [c for c in self._reader.columns if not (ignore_target and c == TARGET_COLUMN)]
            names = [str(c).strip() for c in raw]
            self.column_warnings = check_application_columns(names, source=self.source, labelled=labelled)
            ids = self._reader.column(raw[names.index(ID_COLUMN)])
        except DataValidationError:
            raise
        except Exception as exc:  # the boundary: whatever pandas/pyarrow/zipfile raise
            raise unreadable(self.source, exc) from exc
        if not len(ids):
            raise DataValidationError(f"{self.source}: the table has no rows", source=self.source)
        self.ids: np.ndarray = to_identifier(ids, source=self.source, column=ID_COLUMN, unique=True).to_numpy()
        self._levels: dict[str, tuple[int, object]] = {}

    @property
    def rows(self) -> int:
        return len(self.ids)

    @property
    def warnings(self) -> list[str]:
        """The warnings ``prepare_applications`` gives on the whole file (complete once iterated)."""
        return [*self.column_warnings, *self.level_warnings]

    @property
    def level_warnings(self) -> list[str]:
        """Values outside the known categories, counted over the batches read so far."""
        return [unknown_levels_warning(self.source, name, count, example)
                for name, (count, example) in self._levels.items()]

    def batches(self, rows: int = DEFAULT_BATCH_ROWS) -> Iterator[pd.DataFrame]:
        """Prepared batches of at most ``rows`` applications, in file order (fresh RangeIndex each)."""
        if rows < 1:
            raise ValueError("batch size must be at least 1")
        self._levels = {}
        offset = 0
        for raw in self._raw_batches(rows):
            if self.ignore_target:
                raw = raw.drop(columns=[TARGET_COLUMN], errors="ignore")
            try:
                prepared = prepare_application_batch(raw, source=self.source, labelled=self.labelled,
                                                     as_of=self.as_of)
            except DataValidationError as exc:
                raise _shifted(exc, offset) from exc
            for name, (count, example) in prepared.unknown_levels.items():
                before = self._levels.get(name)
                self._levels[name] = (count, example) if before is None else (before[0] + count, before[1])
            offset += len(raw)
            yield prepared.table

    def _raw_batches(self, rows: int) -> Iterator[pd.DataFrame]:
        batches = self._reader.batches(rows)
        while True:
            try:
                raw = next(batches)
            except StopIteration:
                return
            except DataValidationError:
                raise
            except Exception as exc:  # a file damaged past its header: the boundary again
                raise unreadable(self.source, exc) from exc
            yield raw


def shared_client(labelled: ApplicationFile, new: ApplicationFile) -> int | None:
    """The first client of ``new`` (in file order) that is also in ``labelled``, or ``None``: the one
    ``build_portfolio`` names when refusing a client both labelled and new."""
    both = np.isin(new.ids, labelled.ids)
    return int(new.ids[np.argmax(both)]) if both.any() else None
