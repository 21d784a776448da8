"""Score an application file batch by batch into a scores file (CSV or Parquet), in bounded memory.

What ``scripts/predict.py`` writes: one row per application, in file order, with ``SK_ID_CURR``,
``PROBA_DEFAULT``, ``DECISION`` and ``GRADE`` (``ModelBundle.score``). The whole file used to be read,
prepared and scored at once (about 3 GB at 487,440 applications); here one batch of
:class:`~app.scoring.batches.ApplicationFile` is held at a time and its scores appended to the output:
a CSV is byte for byte the one ``DataFrame.to_csv`` wrote, a Parquet file holds the same table (one
row group per batch). The file is written under a temporary name and renamed when complete, so a
file refused half-way (a bad value in a late batch) leaves no partial scores behind.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from app.scoring.batches import DEFAULT_BATCH_ROWS, ApplicationFile
from app.scoring.bundle import REFUSED, ModelBundle
from app.scoring.features import mostly_missing

EXAMPLES = 5  # ids of applications scored on mostly missing inputs named in the warning


@dataclass
class ScoreSummary:
    """Counts over every batch: what the script's last lines report."""

    scored: int = 0
    refused: int = 0
    unreliable: int = 0  # applications with most inputs missing (``app.scoring.features.mostly_missing``)
    unreliable_ids: list[int] = field(default_factory=list)  # the first EXAMPLES + 1 of them

    def add(self, applications: pd.DataFrame, scores: pd.DataFrame) -> None:
        flagged = mostly_missing(applications).to_numpy()
        self.scored += len(scores)
        self.refused += int((scores["DECISION"] == REFUSED).sum())
        self.unreliable += int(flagged.sum())
        room = EXAMPLES + 1 - len(self.unreliable_ids)
        if room > 0:
            self.unreliable_ids += [int(i) for i in applications["SK_ID_CURR"].to_numpy()[flagged][:room]]


class _ScoresWriter:
    """Appends score batches to a CSV (header once) or a Parquet file (schema of the first batch)."""

    def __init__(self, path: Path) -> None:
        self.path, self.parquet = path, path.suffix.lower() == ".parquet"
        self.parquet_writer: pq.ParquetWriter | None = None
        self.text = None if self.parquet else open(path, "w", encoding="utf-8", newline="")

    def write(self, scores: pd.DataFrame) -> None:
        if self.text is not None:
            scores.to_csv(self.text, index=False, header=self.text.tell() == 0)
            return
        table = pa.Table.from_pandas(scores, preserve_index=False)
        if self.parquet_writer is None:
            self.parquet_writer = pq.ParquetWriter(self.path, table.schema, compression="snappy")  # pandas' default
        self.parquet_writer.write_table(table)

    def close(self) -> None:
        if self.text is not None:
            self.text.close()
        if self.parquet_writer is not None:
            self.parquet_writer.close()


def stream_scores(bundle: ModelBundle, applications: ApplicationFile, path: Path, *,
                  batch_rows: int = DEFAULT_BATCH_ROWS,
                  progress: Callable[[str], None] | None = None) -> ScoreSummary:
    """Score ``applications`` into ``path`` (``.csv`` or ``.parquet``); one progress line per batch.

    Raises :class:`~app.scoring.data.DataValidationError` (a bad row in a batch) or ``OSError``
    (cannot write); either way nothing is left at ``path`` nor beside it.
    """
    report = progress or (lambda line: None)
    summary = ScoreSummary()
    tmp = path.with_name(f".{path.name}.tmp{path.suffix}")
    started = time.perf_counter()
    try:
        writer = _ScoresWriter(tmp)
        try:
            for batch in applications.batches(batch_rows):
                scores = bundle.score(batch)
                writer.write(scores)
                summary.add(batch, scores)
                report(f"scored {summary.scored:,} / {applications.rows:,} applications "
                       f"({100 * summary.scored / applications.rows:.0f} %) in {time.perf_counter() - started:.1f} s")
        finally:
            writer.close()
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return summary
