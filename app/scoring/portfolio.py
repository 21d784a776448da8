"""The scored portfolio the dashboard serves, and its read-only store.

A portfolio row is a prepared application (all Home Credit columns, cleaned) plus:
``PROBA_DEFAULT`` (the served model's calibrated probability; its SHAP values explain it exactly),
``PROBA_OOF`` (labelled clients only: the out-of-fold probability, i.e. from a model that never saw the
client, which is what honest performance and cost figures must use), ``DECISION``, ``GRADE`` and
``IS_LABELLED`` (known outcome vs new application).

The file is sorted by ``SK_ID_CURR`` in row groups, so that one client's full row is read from disk
by id in milliseconds, while the process keeps in memory only a slim frame of the columns the
pages filter and plot: at 356,255 clients the whole table would not fit a 512 MB worker.
"""
from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from app.scoring.bundle import ModelBundle
from app.scoring.column_store import (
    ROW_GROUP_ROWS,
    Derive,
    Extras,
    MappedStore,
    build_store,
    group_first_ids,
    open_store,
    read_groups,
)
from app.scoring.schema import ID_COLUMN, TARGET_COLUMN

ROW_GROUP_SIZE = ROW_GROUP_ROWS  # 2,048: small enough that reading one client's group takes milliseconds


def build_portfolio(bundle: ModelBundle, labelled: pd.DataFrame, new: pd.DataFrame | None = None,
                    oof: pd.DataFrame | None = None, batch_size: int = 50_000) -> pd.DataFrame:
    """Score prepared applications into a portfolio frame sorted by client id.

    ``oof`` (columns SK_ID_CURR, PROBA_OOF) attaches out-of-fold probabilities to labelled clients.
    Scoring runs in batches; the frames themselves are whole: for files too large for memory,
    ``app.scoring.portfolio_build.stream_portfolio`` gives the same file from batches.
    """
    parts = [flag_rows(labelled, True)]
    if new is not None and len(new):
        parts.append(flag_rows(new, False))
    frame = pd.concat(parts, ignore_index=True)
    if frame[ID_COLUMN].duplicated().any():
        dup = frame.loc[frame[ID_COLUMN].duplicated(), ID_COLUMN].iloc[0]
        raise ValueError(both_message(dup))
    frame = score_rows(bundle, frame, oof_lookup(oof), batch_size)
    return frame.sort_values(ID_COLUMN, kind="stable").reset_index(drop=True)


def both_message(client_id) -> str:
    return f"client {client_id} appears both as labelled and as new application"


def flag_rows(table: pd.DataFrame, is_labelled: bool) -> pd.DataFrame:
    """Prepared applications with ``IS_LABELLED`` (and a missing ``TARGET`` for new ones) appended."""
    extra = {"IS_LABELLED": np.full(len(table), is_labelled)}
    if not is_labelled:
        extra[TARGET_COLUMN] = np.full(len(table), np.nan)
    return pd.concat([table.reset_index(drop=True), pd.DataFrame(extra)], axis=1)


def oof_lookup(oof: pd.DataFrame | None) -> pd.Series | None:
    """``PROBA_OOF`` indexed by client id, for :func:`score_rows`."""
    return None if oof is None else oof.set_index(ID_COLUMN)["PROBA_OOF"]


def score_rows(bundle: ModelBundle, frame: pd.DataFrame, oof: pd.Series | None,
               batch_size: int = 50_000) -> pd.DataFrame:
    """Flagged rows (:func:`flag_rows`) with ``TARGET`` as float and the score columns appended, in
    the same order; one client's scores depend on its row only, so batches can be scored apart."""
    proba = np.concatenate([
        bundle.proba(bundle.features(frame.iloc[i:i + batch_size])) for i in range(0, len(frame), batch_size)
    ]) if len(frame) else np.array([])
    frame = frame.assign(**{TARGET_COLUMN: frame[TARGET_COLUMN].astype("float64")})  # no copy (copy-on-write)
    oof_proba = (frame[ID_COLUMN].map(oof).astype("float64")
                 if oof is not None else pd.Series(np.nan, index=frame.index))
    scores = pd.DataFrame({"PROBA_DEFAULT": proba, "PROBA_OOF": oof_proba.to_numpy(),
                           "DECISION": bundle.decide(proba), "GRADE": bundle.grade(proba)}, index=frame.index)
    return pd.concat([frame.drop(columns=[c for c in scores.columns if c in frame.columns]), scores], axis=1)


def write_portfolio(frame: pd.DataFrame, path: Path) -> None:
    """Write atomically (temp file then rename) so a reader never sees half a portfolio."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp, row_group_size=ROW_GROUP_SIZE,
                   compression="zstd")
    tmp.replace(path)


class ClientRows(Protocol):
    """What the client file needs of a served portfolio, whichever engine serves it (this module's
    :class:`PortfolioStore`, ``portfolio_sql.SqlPortfolio``)."""

    def __contains__(self, client_id: int) -> bool: ...

    def client_row(self, client_id: int) -> pd.DataFrame: ...

    def rows(self, client_ids, columns: list[str] | None = None) -> pd.DataFrame: ...


@dataclass(frozen=True)
class PortfolioStore:
    """Read-only access to a portfolio file: a slim in-memory frame + per-client reads from disk."""

    path: Path
    frame: pd.DataFrame  # slim columns, indexed by SK_ID_CURR (sorted)
    metadata: pq.FileMetaData | None = None  # parsed once: a client read then costs one row group
    group_first_ids: np.ndarray | None = None  # lowest SK_ID_CURR of each row group (file is sorted)
    mapped: MappedStore | None = None  # the memory-mapped columns the frame is built over, if any

    @classmethod
    def open_mapped(cls, path: Path | str, columns: list[str], key: dict, derive: Derive | None = None,
                    optional: tuple[str, ...] = (), extras: Extras | None = None) -> PortfolioStore:
        """The portfolio served from its memory-mapped column store, built first when missing or stale.

        The frame is the one :meth:`open` loads (same columns, dtypes, categories), but over arrays
        in the page cache shared by every process of the machine instead of private memory; ``key``
        (e.g. the threshold the precomputed ``extras`` depend on) decides when the store is stale.
        Raises OSError when the store cannot be written (read-only folder, full disk).
        """
        path = Path(path)
        store = open_store(path, key) or build_store(path, key, columns, derive, optional, extras)
        return cls(path, store.frame, mapped=store)  # client rows from the store's shards: no footer kept

    @classmethod
    def open(cls, path: Path | str, columns: list[str] | None = None,
             derive: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
             optional: tuple[str, ...] = ()) -> PortfolioStore:
        """Load the slim frame; ``derive`` adds computed columns (e.g. age in years) once, at load.

        ``optional`` columns are loaded when the file has them (``APPLICATION_DATE``: portfolios built
        before applications were dated have none, and must still open).

        Text is read straight into dictionary-encoded categories and floats are narrowed to float32
        inside Arrow, so the full-width pandas frames are never materialised: at 356,255 clients
        this keeps the start-up peak inside a 512 MB worker.
        """
        path = Path(path)
        parquet = pq.ParquetFile(path)
        schema = parquet.schema_arrow
        wanted = schema.names if columns is None else [ID_COLUMN, *[c for c in columns if c != ID_COLUMN]]
        wanted += [c for c in optional if c in schema.names and c not in wanted]
        text = [c for c in wanted if pa.types.is_string(schema.field(c).type) or pa.types.is_large_string(schema.field(c).type)]
        table = pq.read_table(path, columns=wanted, read_dictionary=text)
        narrowed = pa.schema([
            pa.field(f.name, pa.float32()) if pa.types.is_float64(f.type) and f.name != TARGET_COLUMN else f
            for f in table.schema
        ])
        frame = table.cast(narrowed).to_pandas(self_destruct=True, split_blocks=True)
        del table
        if derive is not None:
            frame = derive(frame)
        return cls(path, frame.set_index(ID_COLUMN), parquet.metadata, group_first_ids(parquet.metadata))

    def precomputed_group(self, group: str) -> tuple[Mapping[str, np.ndarray], dict] | None:
        """The arrays and metadata precomputed with the mapped columns under ``group`` (None without
        a store or such a group)."""
        return self.mapped.group(group) if self.mapped is not None else None

    def precomputed(self, group: str, name: str) -> np.ndarray | None:
        """One array precomputed with the mapped columns (None without a store or such an array)."""
        found = self.precomputed_group(group)
        return found[0].get(name) if found is not None else None

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def first_id(self) -> int | None:
        """The lowest client id (None for an empty portfolio)."""
        return int(self.frame.index[0]) if len(self.frame) else None

    @property
    def loaded_at(self) -> datetime.datetime:
        """When the served applications were written (the file's time: the age of undated applications)."""
        return datetime.datetime.fromtimestamp(self.path.stat().st_mtime, datetime.UTC)

    @cached_property
    def ids(self) -> np.ndarray:
        return self.frame.index.to_numpy(dtype=np.int64)

    def _known(self, client_ids: np.ndarray) -> np.ndarray:
        """Which of the (int64) ids are clients of the portfolio: a sorted search, not a scan."""
        pos = np.minimum(np.searchsorted(self.ids, client_ids), max(len(self.ids) - 1, 0))
        return (self.ids[pos] == client_ids) if len(self.ids) else np.zeros(len(client_ids), dtype=bool)

    def __contains__(self, client_id: int) -> bool:
        return bool(self._known(np.array([int(client_id)], dtype=np.int64))[0])

    def search_ids(self, prefix: str, limit: int = 10) -> list[int]:
        """Client ids starting with the digits ``prefix`` (ascending), without scanning every id."""
        if not prefix.isdigit() or prefix.startswith("0") or limit <= 0 or len(prefix) > 18:
            return []  # ids never start with 0: "012" must not suggest ids starting with "12"
        if not len(self.ids):
            return []
        found: list[int] = []
        start = int(prefix)
        max_digits = len(str(int(self.ids[-1])))
        for extra in range(0, max(max_digits - len(prefix), 0) + 1):
            lo, hi = start * 10**extra, (start + 1) * 10**extra
            a, b = np.searchsorted(self.ids, [lo, hi])
            found.extend(int(x) for x in self.ids[a:min(b, a + limit - len(found))])
            if len(found) >= limit:
                break
        return sorted(found)[:limit]

    def rows(self, client_ids, columns: list[str] | None = None) -> pd.DataFrame:
        """Several clients' rows (sorted by id; unknown ids skipped), read one row group at a time.

        A filter on hundreds of ids scattered over the file would decode all of it at once (about
        1 GB at 356,255 clients); this keeps one row group of the needed columns in memory at a time.
        """
        ids = np.unique(np.asarray([int(i) for i in client_ids], dtype=np.int64))
        ids = ids[self._known(ids)]
        wanted = None if columns is None else [ID_COLUMN, *[c for c in columns if c != ID_COLUMN]]
        if self.mapped is not None:
            parts = self.mapped.read_rows(ids, wanted)
        elif len(ids) and self.metadata is not None and self.group_first_ids is not None:
            parts = read_groups(pq.ParquetFile(self.path, metadata=self.metadata), self.group_first_ids, ids, wanted)
        else:
            return pq.read_table(self.path, columns=wanted, filters=[(ID_COLUMN, "in", [int(i) for i in ids] or [-1])]).to_pandas()
        return pa.concat_tables(parts).to_pandas()

    def client_row(self, client_id: int) -> pd.DataFrame:
        """The full portfolio row of one client, read from disk (one row group), or an empty frame."""
        return self.rows([client_id])
