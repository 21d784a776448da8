"""Memory-mapped column store: the served portfolio's columns, shared by every worker of a machine.

Why: at 3,562,550 clients the slim pandas frame (~90 bytes a client) and the arrays the pages
precompute from it (ranks, bins, comparison features: ~300 bytes a client) held as private memory
in each gunicorn worker would need well over a gigabyte per worker. Written once, one ``.npy`` file
per array, and memory-mapped read-only, they live in the operating system's page cache instead:
one copy per machine whatever the number of workers, read from disk on demand, made of clean pages
the kernel can drop under memory pressure and read again. The frame is built over the mapped
arrays without a copy (pandas keeps them as they are), so a worker's private memory no longer
grows with the portfolio.

Layout: ``portfolio.columns`` beside ``portfolio.parquet``, a link to one version folder holding
``manifest.json`` (format version, the parquet's fingerprint, the key of the precomputed arrays,
each column's dtype and categories), the arrays (``frame/<column>.npy``, ``<group>/<name>.npy``)
and the full rows in shards (``rows/``). One process builds at a time (a lock file), into a
staging folder published by replacing the link (:func:`build_store`), so a reader never sees half
a store; a store whose fingerprint (:func:`fingerprint`) or key no longer matches (the portfolio
was rewritten, the threshold changed, this format changed) is rebuilt.

The parquet is read in batches: building the store of a 10x portfolio takes bounded memory.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from app.scoring.schema import ID_COLUMN, TARGET_COLUMN

FORMAT_VERSION = 3  # bump when what is stored, or how it is computed, changes
MANIFEST = "manifest.json"
BATCH_ROWS = 131_072
#: full rows are copied into shards of this many clients: reading one client then parses one
#: shard's small footer (~2 ms) instead of keeping the whole file's parsed footer in memory
#: (217 MB at 3,562,550 clients in 1,740 row groups of 128 columns)
SHARD_ROWS = 16_384
ROW_GROUP_ROWS = 2_048  # portfolio.parquet's and the shards' row groups: one client's decodes in milliseconds
#: arrays computed from the mapped frame, by group: {group: (arrays, JSON metadata)}; an array may
#: be given as a function that computes it, so that only one is in memory at a time
Extras = Callable[[pd.DataFrame], Mapping[str, tuple[Mapping[str, np.ndarray | Callable[[], np.ndarray]], dict]]]
Derive = Callable[[pd.DataFrame], pd.DataFrame]


class StoreError(ValueError):
    """The store cannot be built from this portfolio file (damaged or foreign columns)."""


def store_dir(parquet_path: Path) -> Path:
    """Where the store of a portfolio file lives: beside it, named after it."""
    return parquet_path.with_name(parquet_path.stem + ".columns")


def fingerprint(parquet_path: Path) -> dict:
    """What identifies the portfolio file a store was built from: its size, its modification time
    and a digest of its footer (every column chunk's offsets, sizes and statistics). A rewrite
    changes the time, and a file put in its place with an old time (``cp -p``) has another footer
    unless it holds the same data; a copy that keeps times (tar, a PaaS slug, ``cp -p``) keeps its
    store, one that does not gets it rebuilt."""
    mtime_ns = parquet_path.stat().st_mtime_ns
    with open(parquet_path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        if size < 12:
            raise StoreError(f"{parquet_path.name} is not a Parquet file")
        handle.seek(size - 8)
        footer_length = int.from_bytes(handle.read(4), "little")
        handle.seek(max(size - 8 - footer_length, 0))
        digest = hashlib.sha256(handle.read(footer_length)).hexdigest()
    return {"file": parquet_path.name, "size": size, "mtime_ns": mtime_ns, "footer_sha256": digest}


@dataclass(frozen=True)
class MappedStore:
    """The opened store: the frame over mapped arrays, and the precomputed groups of arrays."""

    directory: Path
    frame: pd.DataFrame
    groups: Mapping[str, Mapping[str, np.ndarray]]
    meta: Mapping[str, dict]
    shard_first_ids: np.ndarray  # lowest client id of each shard of full rows (sorted)

    def read_rows(self, ids: np.ndarray, columns: list[str] | None) -> list[pa.Table]:
        """Full rows of the (sorted, known) ``ids``, shard by shard and row group by row group."""
        if not len(ids):  # the columns, no row (an unknown id must not read the big file)
            schema = pq.read_schema(self.directory / "rows" / "000000.parquet")
            return [schema.empty_table().select(columns or schema.names)]
        shards = np.searchsorted(self.shard_first_ids, ids, side="right") - 1
        parts: list[pa.Table] = []
        for shard in np.unique(shards):
            parquet = pq.ParquetFile(self.directory / "rows" / f"{int(shard):06d}.parquet")
            parts += read_groups(parquet, group_first_ids(parquet.metadata), ids[shards == shard], columns)
        return parts

    def group(self, name: str) -> tuple[Mapping[str, np.ndarray], dict] | None:
        """The arrays and metadata precomputed under ``name`` (None when the store has none)."""
        if name not in self.groups:
            return None
        return self.groups[name], self.meta.get(name, {})


def open_store(parquet_path: Path, key: dict) -> MappedStore | None:
    """The store of ``parquet_path`` when it is complete and current for ``key``, else None.

    The link is resolved once: the store opened is one immutable version folder, whose arrays and
    shards stay those of this version even when a newer one is published meanwhile.
    """
    try:
        directory = store_dir(parquet_path).resolve(strict=True)
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("format_version") != FORMAT_VERSION or manifest.get("source") != fingerprint(parquet_path) \
                or manifest.get("key") != _jsonable(key):
            return None
        return _mapped(directory, manifest)
    except (OSError, ValueError, KeyError, TypeError):  # absent, half-deleted, foreign: rebuild it
        return None


def build_store(parquet_path: Path, key: dict, columns: list[str], derive: Derive | None = None,
                optional: tuple[str, ...] = (), extras: Extras | None = None,
                batch_rows: int | None = None) -> MappedStore:
    """Write the store of ``parquet_path`` and open it (or open the one another process just built).

    ``columns`` (with ``optional`` ones when the file has them) are stored as the served frame
    reads them: text as categories (in order of first appearance), floats narrowed to float32
    except the target; ``derive`` adds computed columns batch by batch; ``extras`` computes the
    pages' per-client arrays from the mapped frame, stored under their group names.

    One builder at a time per portfolio (a lock file): a process that waited for another's build
    opens that one instead of building again. The store is written into a staging folder, which
    becomes a version folder that the link ``portfolio.columns`` then points to (replacing a link
    is atomic), so a reader never sees a half-written store and a worker still serving the
    previous version keeps reading its own files; versions older than the previous one, and
    staging folders left by a killed build, are removed by the next build.
    """
    final = store_dir(parquet_path)
    with _build_lock(final):
        current = open_store(parquet_path, key)
        if current is not None:
            return current
        _remove_leftovers(final)
        staging = final.with_name(f".{final.name}.staging-{uuid.uuid4().hex[:8]}")
        source = fingerprint(parquet_path)
        try:
            staging.mkdir(parents=True)
            _write_store(parquet_path, staging, source, key, columns, derive, optional, extras, batch_rows or BATCH_ROWS)
            version = final.with_name(f".{final.name}.v-{uuid.uuid4().hex[:12]}")
            os.replace(staging, version)
            _point(final, version)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    opened = open_store(parquet_path, key)
    if opened is None:  # the portfolio file changed while the store was being built
        raise StoreError(f"{parquet_path} changed while its column store was being built; start again")
    return opened


def _write_store(parquet_path: Path, staging: Path, source: dict, key: dict, columns: list[str],
                 derive: Derive | None, optional: tuple[str, ...], extras: Extras | None, batch_rows: int) -> None:
    specs = _write_frame(parquet_path, staging / "frame", columns, optional, derive, batch_rows)
    _write_shards(parquet_path, staging / "rows", SHARD_ROWS)
    manifest = {"format_version": FORMAT_VERSION, "source": source, "key": _jsonable(key),
                "index": ID_COLUMN, "columns": specs, "groups": {}}
    if extras is not None:
        frame = _mapped(staging, manifest).frame
        for group, (arrays, meta) in extras(frame).items():
            (staging / group).mkdir()
            for name, array in arrays.items():
                values = array() if callable(array) else array
                np.save(staging / group / f"{name}.npy", np.ascontiguousarray(values), allow_pickle=False)
                del values
            manifest["groups"][group] = {"arrays": list(arrays), "meta": _jsonable(meta)}
    (staging / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


@contextmanager
def _build_lock(final: Path) -> Iterator[None]:
    """An exclusive lock on ``.portfolio.columns.lock`` (released by the kernel if the holder dies)."""
    import fcntl

    final.parent.mkdir(parents=True, exist_ok=True)
    with open(final.with_name(f".{final.name}.lock"), "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _point(final: Path, version: Path) -> None:
    """Make the link ``final`` point to ``version`` in one atomic step (a store of the first
    layout, a real folder, is removed first)."""
    if final.is_dir() and not final.is_symlink():
        shutil.rmtree(final)
    link = final.with_name(f".{final.name}.link-{uuid.uuid4().hex[:8]}")
    os.symlink(version.name, link)
    os.replace(link, final)


def _remove_leftovers(final: Path) -> None:
    """Under the build lock no other build runs: every staging folder is a killed build's; of the
    versions, the current one and the one before stay (a worker may still serve it)."""
    for path in final.parent.glob(f".{final.name}.staging-*"):
        shutil.rmtree(path, ignore_errors=True)
    for path in final.parent.glob(f".{final.name}.link-*"):
        path.unlink(missing_ok=True)
    current = final.resolve() if final.is_symlink() else None
    for path in final.parent.glob(f".{final.name}.v-*"):
        if path != current:  # older than the one about to become the previous version
            shutil.rmtree(path, ignore_errors=True)


def _write_frame(parquet_path: Path, directory: Path, columns: list[str], optional: tuple[str, ...],
                 derive: Derive | None, batch_rows: int) -> list[dict]:
    """Stream the parquet's columns into one preallocated .npy per column; returns their specs."""
    parquet = pq.ParquetFile(parquet_path)
    schema = parquet.schema_arrow
    wanted = [ID_COLUMN, *[c for c in columns if c != ID_COLUMN]]
    wanted += [c for c in optional if c in schema.names and c not in wanted]
    missing = [c for c in wanted if c not in schema.names]
    if missing:
        raise StoreError(f"{parquet_path.name} has no column {', '.join(missing[:5])}")
    text = [c for c in wanted if pa.types.is_string(schema.field(c).type) or pa.types.is_large_string(schema.field(c).type)]
    categories = _categories(parquet, text, batch_rows)
    nullable = _nullable(parquet, wanted)
    n = parquet.metadata.num_rows
    directory.mkdir()
    outputs: dict[str, np.memmap] = {}
    specs: dict[str, dict] = {}
    start = 0
    for batch in parquet.iter_batches(batch_size=batch_rows, columns=wanted):
        frame = _batch_frame(batch, text, categories, nullable)
        if derive is not None:
            frame = derive(frame)
        if not outputs:
            specs = {name: _spec(frame[name]) for name in frame.columns}
            outputs = {name: np.lib.format.open_memmap(directory / f"{name}.npy", mode="w+",
                                                       dtype=np.dtype(spec["dtype"]), shape=(n,))
                       for name, spec in specs.items()}
        for name, out in outputs.items():
            out[start:start + len(frame)] = _values(frame[name], specs[name], name)
        start += len(frame)
    if start != n:
        raise StoreError(f"{parquet_path.name}: read {start} rows, its metadata says {n}")
    if not outputs:  # an empty portfolio: the columns exist, with no rows
        frame = derive(_batch_frame(schema.empty_table(), text, categories)) if derive else \
            _batch_frame(schema.empty_table(), text, categories)
        specs = {name: _spec(frame[name]) for name in frame.columns}
        for name, spec in specs.items():
            np.save(directory / f"{name}.npy", np.empty(0, dtype=np.dtype(spec["dtype"])))
    for out in outputs.values():
        out.flush()
    del outputs
    return [{"name": name, **spec} for name, spec in specs.items()]


def _write_shards(parquet_path: Path, directory: Path, shard_rows: int) -> None:
    """Copy the full rows into shards of ``shard_rows`` clients (the file is sorted by id)."""
    directory.mkdir()
    parquet = pq.ParquetFile(parquet_path)
    firsts = []
    for number, batch in enumerate(parquet.iter_batches(batch_size=shard_rows)):
        pq.write_table(pa.Table.from_batches([batch]), directory / f"{number:06d}.parquet",
                       row_group_size=ROW_GROUP_ROWS, compression="zstd")
        firsts.append(batch.column(ID_COLUMN)[0].as_py())
    if not firsts:  # an empty portfolio: one empty shard still gives the columns
        pq.write_table(parquet.schema_arrow.empty_table(), directory / f"{0:06d}.parquet")
    np.save(directory / "first_ids.npy", np.asarray(firsts, dtype=np.int64))


def group_first_ids(metadata: pq.FileMetaData) -> np.ndarray:
    """Lowest SK_ID_CURR of each row group (the file is sorted): a client's group by binary search."""
    ids = metadata.schema.to_arrow_schema().get_field_index(ID_COLUMN)
    stats = [metadata.row_group(g).column(ids).statistics for g in range(metadata.num_row_groups)]
    # an empty file's one row group has no statistics: no id is looked for in it
    return np.array([s.min if s is not None and s.has_min_max else np.iinfo(np.int64).max for s in stats],
                    dtype=np.int64)


def read_groups(parquet: pq.ParquetFile, first_ids: np.ndarray, ids: np.ndarray,
                columns: list[str] | None) -> list[pa.Table]:
    """The rows of the sorted ``ids`` from a file sorted by id, one row group in memory at a time."""
    groups = np.searchsorted(first_ids, ids, side="right") - 1
    parts = []
    for group in np.unique(groups):
        table = parquet.read_row_group(int(group), columns=columns)
        keep = pc.is_in(table.column(ID_COLUMN), value_set=pa.array(ids[groups == group]))
        parts.append(table.filter(keep))
    return parts


def _nullable(parquet: pq.ParquetFile, names: list[str]) -> frozenset[str]:
    """Columns with a missing value somewhere in the file (from the footer's statistics; a column
    without statistics counts as nullable): an integer column among them is stored as float64."""
    metadata, schema = parquet.metadata, parquet.schema_arrow
    found = set()
    for name in names:
        index = schema.get_field_index(name)
        for group in range(metadata.num_row_groups):
            stats = metadata.row_group(group).column(index).statistics
            if stats is None or not stats.has_null_count or stats.null_count > 0:
                found.add(name)
                break
    return frozenset(found)


def _categories(parquet: pq.ParquetFile, text: list[str], batch_rows: int) -> dict[str, list[str]]:
    """Every value of each text column, in order of first appearance (a first pass over them only)."""
    found: dict[str, dict[str, None]] = {c: {} for c in text}
    if text:
        for batch in parquet.iter_batches(batch_size=batch_rows, columns=text):
            for name in text:
                for value in pc.unique(batch.column(name)).drop_null().to_pylist():
                    found[name].setdefault(value)
    return {name: list(values) for name, values in found.items()}


def _batch_frame(batch: pa.RecordBatch | pa.Table, text: list[str], categories: dict[str, list[str]],
                 nullable: frozenset[str] = frozenset()) -> pd.DataFrame:
    """One batch as the served frame holds it: categories, float32 (the target stays float64)."""
    data: dict[str, object] = {}
    for name in batch.schema.names:
        column = batch.column(name)
        if name in text:
            cats = categories[name]
            codes = pc.index_in(column, value_set=pa.array(cats, type=column.type)).fill_null(-1)
            data[name] = pd.Categorical.from_codes(codes.to_numpy(zero_copy_only=False).astype(_code_type(cats)),
                                                   categories=cats, validate=False)
        elif pa.types.is_floating(column.type) and name != TARGET_COLUMN:
            data[name] = column.cast(pa.float32()).to_numpy(zero_copy_only=False)
        elif pa.types.is_integer(column.type) and name in nullable:  # as pandas reads it: NaN for missing
            data[name] = column.cast(pa.float64()).to_numpy(zero_copy_only=False)
        else:
            data[name] = column.to_pandas() if not pa.types.is_floating(column.type) else \
                column.to_numpy(zero_copy_only=False)
    return pd.DataFrame(data)


def _code_type(categories: list) -> type:
    return np.int8 if len(categories) < 127 else np.int16 if len(categories) < 32_000 else np.int32


def _spec(column: pd.Series) -> dict:
    if isinstance(column.dtype, pd.CategoricalDtype):
        cats = column.cat.categories
        return {"kind": "category", "dtype": str(column.cat.codes.dtype), "categories": [_plain(c) for c in cats],
                "categories_dtype": str(cats.dtype) if pd.api.types.is_numeric_dtype(cats.dtype) else "str"}
    dtype = column.dtype
    if not isinstance(dtype, np.dtype) or dtype.kind == "O":
        raise StoreError(f"column {column.name}: {dtype} cannot be memory-mapped")
    return {"kind": "values", "dtype": dtype.str}


def _values(column: pd.Series, spec: dict, name: str) -> np.ndarray:
    if spec["kind"] == "category":
        cats = [_plain(c) for c in column.cat.categories]
        if cats != spec["categories"]:
            raise StoreError(f"column {name}: its categories differ from one batch to the next")
        return column.cat.codes.to_numpy()
    values = column.to_numpy()
    if values.dtype.str != spec["dtype"]:  # e.g. integers in the first batch, missing values later
        raise StoreError(f"column {name}: {values.dtype} in a later batch, {spec['dtype']} in the first")
    return values


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _mapped(directory: Path, manifest: dict) -> MappedStore:
    """Open every array read-only and memory-mapped; build the frame over them without copies."""
    data: dict[str, object] = {}
    for spec in manifest["columns"]:
        array = _load(directory / "frame" / f"{spec['name']}.npy")
        if spec["kind"] == "category":
            cats = pd.Index(spec["categories"], dtype=None if spec["categories_dtype"] == "str" else spec["categories_dtype"])
            data[spec["name"]] = pd.Categorical.from_codes(array, categories=cats, validate=False)
        else:
            data[spec["name"]] = array
    index = pd.Index(data.pop(manifest["index"]), name=manifest["index"], copy=False)
    frame = pd.DataFrame(data, index=index, copy=False)
    groups, meta = {}, {}
    for group, entry in manifest["groups"].items():
        groups[group] = MappingProxyType({
            name: _load(directory / group / f"{name}.npy") for name in entry["arrays"]})
        meta[group] = entry["meta"]
    shards = np.load(directory / "rows" / "first_ids.npy", allow_pickle=False)
    return MappedStore(directory, frame, MappingProxyType(groups), MappingProxyType(meta), read_only(shards))


def _load(path: Path) -> np.ndarray:
    """One array, mapped read-only, as a plain ndarray (np.memmap results would stay memmaps)."""
    try:
        return np.load(path, mmap_mode="r", allow_pickle=False).view(np.ndarray)
    except ValueError:  # an empty array cannot be mapped (mmap refuses a length of 0)
        array = np.load(path, allow_pickle=False)
        if array.size:
            raise
        return read_only(array)


def read_only(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


def _jsonable(value):
    """JSON round trip, so that a key or metadata compares equal to what the manifest gives back."""
    return json.loads(json.dumps(value, default=_plain))
