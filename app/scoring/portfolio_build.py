"""Build the portfolio file from application files in batches, in bounded memory.

``write_portfolio(build_portfolio(...))`` holds every client in pandas at once: about 10 GB at 3.56
million clients. :func:`stream_portfolio` writes the same file (same rows, columns, schema, sort
order, row groups of ``ROW_GROUP_SIZE`` and compression) holding at most one batch of applications
or one bucket of scored clients at a time:

1. both files are opened (:class:`~app.scoring.batches.ApplicationFile`): headers and ids checked
   whole, and a client in both files refused, before anything is scored;
2. the ids (known from step 1) are cut into id ranges ("buckets") of ``bucket_rows`` clients;
3. each batch is prepared, scored by the same :func:`~app.scoring.portfolio.score_rows` as the
   in-memory build, and its rows appended to their bucket's temporary Arrow file;
4. each bucket, in id order, is read back, sorted by id and appended to the Parquet writer, rows
   carried over between buckets so that every row group but the last holds ``ROW_GROUP_SIZE`` rows
   (as ``write_portfolio`` writes them);
5. the file is written under a temporary name, then renamed: a reader never sees half a portfolio.

Temporary files go in a hidden folder beside the output (same disk, so nothing lands in a RAM-backed
/tmp), removed on success or failure. Every bucket file stays open while scoring: a bucket size far
below the default on a large file would meet the limit on open files. pyarrow only, no external sort.
"""
from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from app.scoring.batches import DEFAULT_BATCH_ROWS, ApplicationFile, shared_client
from app.scoring.bundle import ModelBundle
from app.scoring.data import DataValidationError
from app.scoring.portfolio import ROW_GROUP_SIZE, both_message, flag_rows, oof_lookup, score_rows
from app.scoring.schema import ID_COLUMN

#: Clients sorted at a time (a bucket is held twice while sorted): the peak at 3.56 million clients was
#: 2.3 GB with buckets of 250,000, 1.05 GB with 100,000 (36 bucket files open at once).
DEFAULT_BUCKET_ROWS = 100_000
_BUCKET_OPTIONS = pa.ipc.IpcWriteOptions(compression="lz4")  # temporary files: the fastest codec


@dataclass(frozen=True)
class BuildSummary:
    clients: int
    labelled: int


class _Buckets:
    """One temporary Arrow file per id range, appended to batch by batch."""

    def __init__(self, folder: Path, bounds: np.ndarray, schema: pa.Schema) -> None:
        self.bounds = bounds  # first id of buckets 1..n-1
        self.schema = schema
        self.paths = [folder / f"bucket-{i:05d}.arrow" for i in range(len(bounds) + 1)]
        self.writers = [pa.ipc.new_file(p, schema, options=_BUCKET_OPTIONS) for p in self.paths]

    def add(self, table: pa.Table) -> None:
        ids = table.column(ID_COLUMN).to_numpy()
        bucket = np.searchsorted(self.bounds, ids, side="right")
        order = np.argsort(bucket, kind="stable")
        grouped = table.take(pa.array(order))
        starts = np.concatenate([[0], np.cumsum(np.bincount(bucket, minlength=len(self.paths)))])
        for i, writer in enumerate(self.writers):
            if starts[i + 1] > starts[i]:
                writer.write_table(grouped.slice(int(starts[i]), int(starts[i + 1] - starts[i])))

    def close(self) -> None:
        for writer in self.writers:
            writer.close()

    def sorted_tables(self):
        """Each bucket read back and sorted by id, in id order; its file is removed once read."""
        for path in self.paths:
            with pa.memory_map(str(path)) as source:
                table = pa.ipc.open_file(source).read_all()
            path.unlink()
            yield table.take(pc.sort_indices(table, sort_keys=[(ID_COLUMN, "ascending")]))
            del table
            pa.default_memory_pool().release_unused()  # the allocator keeps freed buckets otherwise


def stream_portfolio(bundle: ModelBundle, labelled: ApplicationFile, new: ApplicationFile | None, path: Path,
                     *, oof: pd.DataFrame | None = None, batch_rows: int = DEFAULT_BATCH_ROWS,
                     bucket_rows: int = DEFAULT_BUCKET_ROWS,
                     progress: Callable[[str], None] | None = None) -> BuildSummary:
    """Score ``labelled`` then ``new`` batch by batch into the portfolio file ``path`` (see module doc).

    ``oof`` as for ``build_portfolio``. ``progress`` receives one line per batch and a last one.
    Raises :class:`DataValidationError` (a bad file, or a client both labelled and new).
    """
    if batch_rows < 1 or bucket_rows < 1:
        raise ValueError("batch and bucket sizes must be at least 1")
    files = [(labelled, True)] + ([(new, False)] if new is not None else [])
    if new is not None and (dup := shared_client(labelled, new)) is not None:
        raise DataValidationError(both_message(dup), source=new.source, column=ID_COLUMN, example=dup)
    total = sum(f.rows for f, _ in files)
    ids = np.sort(np.concatenate([f.ids for f, _ in files]))
    bounds = ids[bucket_rows::bucket_rows]
    del ids
    report = progress or (lambda line: None)
    lookup = oof_lookup(oof)
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f".{path.name}-", dir=path.parent) as folder:
        buckets: _Buckets | None = None
        columns: list[str] = []
        done = 0
        try:
            for file, is_labelled in files:
                for table in file.batches(batch_rows):
                    frame = score_rows(bundle, flag_rows(table, is_labelled), lookup, batch_rows)
                    if buckets is None:
                        columns = list(frame.columns)  # the labelled file's order, as pd.concat keeps it
                        arrow = pa.Table.from_pandas(frame, preserve_index=False)
                        buckets = _Buckets(Path(folder), bounds, arrow.schema)
                    else:
                        arrow = pa.Table.from_pandas(frame[columns], schema=buckets.schema,
                                                     preserve_index=False)
                    buckets.add(arrow)
                    done += len(frame)
                    report(f"scored {done:,} / {total:,} clients ({100 * done / total:.0f} %) in "
                           f"{time.perf_counter() - started:.1f} s")
        finally:
            if buckets is not None:
                buckets.close()
        assert buckets is not None  # the labelled file has rows (ApplicationFile refuses an empty one)
        _write_sorted(buckets, path)
    report(f"sorted {len(buckets.paths):,} bucket(s) of up to {bucket_rows:,} clients into {path} in "
           f"{time.perf_counter() - started:.1f} s")
    return BuildSummary(clients=total, labelled=labelled.rows)


def _write_sorted(buckets: _Buckets, path: Path) -> None:
    """Append the sorted buckets in row groups of ROW_GROUP_SIZE (temporary file, then rename)."""
    tmp = path.with_suffix(".tmp")
    try:
        with pq.ParquetWriter(tmp, buckets.schema, compression="zstd") as writer:
            carry: pa.Table | None = None
            for table in buckets.sorted_tables():
                if carry is not None:
                    table = pa.concat_tables([carry, table])
                whole = len(table) // ROW_GROUP_SIZE * ROW_GROUP_SIZE
                if whole:
                    writer.write_table(table.slice(0, whole), row_group_size=ROW_GROUP_SIZE)
                carry = table.slice(whole)
            if carry is not None and len(carry):
                writer.write_table(carry, row_group_size=ROW_GROUP_SIZE)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
