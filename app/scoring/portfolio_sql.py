"""The served portfolio in PostgreSQL: published offline, queried by every dyno.

Where one machine is outgrown (several dynos, each with its own ephemeral disk, or a portfolio larger
than one machine's page cache), the portfolio lives in the database instead of a file mapped by
each machine: ``scripts/publish_portfolio.py`` copies a built column store (``column_store``: the
served columns, the precomputed arrays of the pages and the full rows) into tables, and a worker
started with ``PORTFOLIO_ENGINE=postgresql`` runs its queries there (``SqlPortfolio`` here, the
portfolio page's group questions in ``app.scoring.sql_groups``). The workers hold no per-client
array: their memory does not grow with the portfolio.

Versions: a publication writes four tables named after its version (``portfolio_<v>_frame``,
``_analysis``, ``_comparison``, ``_rows``), then registers the version in ``portfolio_versions``
in one transaction: a worker opens the newest version registered for its model and threshold
and keeps to it; a half-written publication is never registered (and is dropped by the next one).
The previous version is kept for the workers still serving it, older ones are dropped.

Missing values are SQL NULLs (not NaN: PostgreSQL sorts NaN above every number and ``NaN >= x``
is true, where numpy's comparisons are false), so a filter selects the same clients as numpy's.
No Dash here.
"""
from __future__ import annotations

import base64
import datetime
import hashlib
import io
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from app.scoring.column_store import MANIFEST, MappedStore
from app.scoring.schema import ID_COLUMN

REGISTRY = "portfolio_versions"
POSITION = "pos"  # row number in ascending client id (the row order of the mapped frame and arrays)
PARTS = ("frame", "analysis", "comparison", "rows")
COPY_ROWS = 65_536
FORMAT_VERSION = 2  # bump when the tables or the published meta change: the next publication is a new version
PUBLISH_LOCK = 0x706F7274  # pg_advisory_xact_lock key of publications ("port")


class PortfolioDatabaseError(OSError):
    """The portfolio's database did not answer (down, unreachable, a table dropped under a worker).

    An OSError, as a missing portfolio file is: every page that handles an unreadable portfolio
    (a message instead of a figure, /healthz unhealthy) handles an unreachable database the same way."""


class PublishedPortfolioError(PortfolioDatabaseError):
    """No publication of the portfolio for this model in the database (or it cannot be read)."""


def version_of(manifest: dict, key: dict) -> str:
    """A publication's version: a digest of what the store was built from and for (the portfolio
    file's fingerprint, the key of its precomputed arrays, the publication key: the model's files);
    the same store of the same model gives the same one."""
    basis = json.dumps({"format": FORMAT_VERSION, "source": manifest["source"], "key": key,
                        "store_format": manifest["format_version"]}, sort_keys=True)
    return hashlib.sha256(basis.encode()).hexdigest()[:16]


def table_name(version: str, part: str) -> str:
    if part not in PARTS or not version.isalnum():
        raise ValueError(f"no table {part!r} of version {version!r}")
    return f"portfolio_{version}_{part}"


def quoted(name: str) -> str:
    """A column name as an SQL identifier (names with dots or capitals, never with a double quote)."""
    if '"' in name or "\x00" in name or len(name.encode()) > 63:
        raise ValueError(f"column name {name!r} cannot be a PostgreSQL identifier")
    return f'"{name}"'


# --- publication --------------------------------------------------------------------------------
def _sql_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    if pa.types.is_int8(arrow_type) or pa.types.is_int16(arrow_type) or pa.types.is_uint8(arrow_type):
        return "smallint"
    if pa.types.is_integer(arrow_type) and arrow_type.bit_width <= 32 and not pa.types.is_uint32(arrow_type):
        return "integer"
    if pa.types.is_integer(arrow_type):
        return "bigint"
    if pa.types.is_float32(arrow_type) or pa.types.is_float16(arrow_type):
        return "real"
    if pa.types.is_floating(arrow_type):
        return "double precision"
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "text"
    if pa.types.is_timestamp(arrow_type):
        return "timestamptz" if arrow_type.tz else "timestamp"
    if pa.types.is_date(arrow_type):
        return "date"
    raise ValueError(f"{arrow_type} has no PostgreSQL column type here")


def _nan_as_null(table: pa.Table) -> pa.Table:
    """Floats' NaN as nulls (see the module docstring); other columns as they are."""
    columns = []
    for column in table.columns:
        if pa.types.is_floating(column.type):
            column = pc.if_else(pc.is_nan(column), pa.scalar(None, column.type), column)
        columns.append(column)
    return pa.Table.from_arrays(columns, names=table.column_names)


def _csv(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pa_csv.write_csv(_nan_as_null(table), buffer, pa_csv.WriteOptions(include_header=False))
    return buffer.getvalue()


def _create(connection, name: str, schema: pa.Schema) -> None:
    columns = ", ".join(f"{quoted(f.name)} {_sql_type(f.type)}" for f in schema)
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
    connection.exec_driver_sql(f"CREATE TABLE {name} ({columns})")


def _copy(connection, name: str, batches: Iterator[pa.Table]) -> int:
    """COPY the batches into ``name`` (CSV through the driver's COPY protocol); returns the rows."""
    cursor = connection.connection.driver_connection.cursor()
    rows = 0
    with cursor.copy(f"COPY {name} FROM STDIN (FORMAT csv)") as copy:
        for batch in batches:
            copy.write(_csv(batch))
            rows += batch.num_rows
    return rows


def _finish(connection, name: str, key: str) -> None:
    connection.exec_driver_sql(f"ALTER TABLE {name} ADD PRIMARY KEY ({quoted(key)})")  # indexed once loaded
    connection.exec_driver_sql(f"ANALYZE {name}")


def _array_batches(arrays: dict[str, np.ndarray], n: int) -> Iterator[pa.Table]:
    for start in range(0, n, COPY_ROWS):
        stop = min(start + COPY_ROWS, n)
        yield pa.table({POSITION: pa.array(np.arange(start, stop, dtype=np.int64)),
                        **{k: pa.array(np.asarray(v[start:stop])) for k, v in arrays.items()}})


def _frame_arrays(store: MappedStore, manifest: dict) -> dict[str, np.ndarray]:
    """The mapped frame's columns as stored: category codes (-1 missing), values, the id."""
    arrays = {manifest["index"]: store.frame.index.to_numpy()}
    for spec in manifest["columns"]:
        if spec["name"] == manifest["index"]:
            continue
        column = store.frame[spec["name"]]
        arrays[spec["name"]] = column.array.codes if spec["kind"] == "category" else column.to_numpy()
    return arrays


def publish(engine: Engine, store: MappedStore, key: dict, filter_columns: tuple[str, ...] = (),
            log: Callable[[str], None] = lambda _: None, extra: dict | None = None) -> str:
    """Copy a column store into the database as a new version for ``key``
    (``served_portfolio.publication_key``), register it, drop the versions before the previous one;
    returns the version (nothing is copied when it is already there). ``filter_columns``: frame
    columns copied into the analysis table too (``frame.<name>``), so that a group's filter reads
    one table; the segment codes are copied into the comparison table for the same reason.
    ``extra``: JSON published with the version (what the dynos would otherwise compute over every
    client: the distributions of all clients, the loan bounds; ``served_portfolio.publish_served``)."""
    manifest = json.loads((store.directory / MANIFEST).read_text(encoding="utf-8"))
    key = json.loads(json.dumps(key))
    version = version_of(manifest, key)
    ensure_registry(engine)
    n = len(store.frame)
    parts = {"frame": _frame_arrays(store, manifest)}
    parts.update({group: dict(store.groups[group]) for group in ("analysis", "comparison") if group in store.groups})
    if "analysis" in parts:
        parts["analysis"].update({f"frame.{c}": store.frame[c].to_numpy() for c in filter_columns})
        if "comparison" in parts:
            parts["comparison"].update({k: v for k, v in parts["analysis"].items() if k.startswith("segment.")})
    with engine.begin() as connection:
        # one publication at a time (two deploys, two operators): the second waits, then finds it done
        connection.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": PUBLISH_LOCK})
        if connection.execute(text(f"SELECT 1 FROM {REGISTRY} WHERE version = :v"), {"v": version}).first():
            log(f"version {version} is already published")
            return version
        for part, arrays in parts.items():
            started = time.perf_counter()
            name = table_name(version, part)
            first = next(_array_batches(arrays, min(n, 1)))
            _create(connection, name, first.schema)
            _copy(connection, name, _array_batches(arrays, n))
            _finish(connection, name, POSITION)
            if part == "frame":
                connection.exec_driver_sql(f"CREATE UNIQUE INDEX ON {name} ({quoted(ID_COLUMN)})")
            log(f"{part}: {n:,} clients x {len(arrays)} columns in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        shards = sorted((store.directory / "rows").glob("*.parquet"))
        schema = pq.read_schema(shards[0])
        name = table_name(version, "rows")
        _create(connection, name, schema)
        rows = _copy(connection, name, (pq.read_table(s) for s in shards))
        _finish(connection, name, ID_COLUMN)
        log(f"rows: {rows:,} clients x {len(schema)} columns in {time.perf_counter() - started:.1f} s")
        meta = {"format": FORMAT_VERSION, "columns": manifest["columns"], "index": manifest["index"],
                "groups": {g: manifest["groups"][g]["meta"] for g in parts if g in manifest["groups"]},
                "arrays": {g: list(a) for g, a in parts.items()}, "n_clients": n, "extra": extra or {},
                "rows_schema": base64.b64encode(schema.serialize().to_pybytes()).decode()}
        connection.execute(text(f"INSERT INTO {REGISTRY} (version, key, source, meta, n_clients) "
                                "VALUES (:v, :key, :source, :meta, :n)"),
                           {"v": version, "key": json.dumps(key, sort_keys=True),
                            "source": json.dumps(manifest["source"]), "meta": json.dumps(meta), "n": n})
    drop_old_versions(engine, keep=2)
    return version


def ensure_registry(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql(
            f"CREATE TABLE IF NOT EXISTS {REGISTRY} (version text PRIMARY KEY, key text NOT NULL, "
            "source text NOT NULL, meta text NOT NULL, n_clients bigint NOT NULL, "
            "published_at timestamptz NOT NULL DEFAULT now())")


def drop_old_versions(engine: Engine, keep: int = 2) -> list[str]:
    """Drop the tables of registered versions beyond the ``keep`` newest, and of publications that
    never got registered (killed midway); returns the versions dropped."""
    with engine.begin() as connection:
        connection.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": PUBLISH_LOCK})
        registered = [r[0] for r in connection.execute(text(
            f"SELECT version FROM {REGISTRY} ORDER BY published_at DESC, version"))]
        tables = [r[0] for r in connection.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'portfolio\\_%'"))]
        kept = set(registered[:keep])
        dropped = sorted({t.split("_")[1] for t in tables if t.count("_") == 2 and t.split("_")[2] in PARTS}
                         - kept)
        for version in dropped:
            for part in PARTS:
                connection.exec_driver_sql(f"DROP TABLE IF EXISTS {table_name(version, part)}")
        connection.execute(text(f"DELETE FROM {REGISTRY} WHERE version = ANY(:v)"), {"v": dropped})
    return dropped


# --- serving ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Publication:
    """One registered version: its tables and what the workers need to read them."""

    version: str
    meta: dict
    n_clients: int
    published_at: datetime.datetime

    def table(self, part: str) -> str:
        return table_name(self.version, part)

    def columns(self, group: str) -> list[str]:
        return list(self.meta["arrays"].get(group, []))


def newest_publication(engine: Engine, key: dict) -> Publication:
    """The newest version published for ``key`` (``served_portfolio.store_key``: threshold and
    definitions of the precomputed arrays); PublishedPortfolioError when there is none."""
    wanted = json.dumps(json.loads(json.dumps(key)), sort_keys=True)
    try:
        with engine.connect() as connection:
            row = connection.execute(text(
                f"SELECT version, meta, n_clients, published_at FROM {REGISTRY} WHERE key = :key "
                "ORDER BY published_at DESC, version LIMIT 1"), {"key": wanted}).first()
    except Exception as exc:
        raise PublishedPortfolioError(f"the portfolio database cannot be read ({type(exc).__name__})") from exc
    if row is None:
        raise PublishedPortfolioError("no portfolio is published for this model and threshold: run "
                                      "scripts/publish_portfolio.py --model-dir <folder> --database-url <url>")
    meta = json.loads(row[1])
    if meta.get("format") != FORMAT_VERSION:
        raise PublishedPortfolioError(f"portfolio version {row[0]} was published in another format: publish it again")
    return Publication(row[0], meta, int(row[2]), row[3])


class SqlPortfolio:
    """The served portfolio's client-level questions, answered by the database (the interface of
    ``PortfolioStore`` the pages use: membership, id search, full rows)."""

    def __init__(self, engine: Engine, publication: Publication):
        self.engine = engine
        self.publication = publication
        self.frame_table = publication.table("frame")
        self.rows_table = publication.table("rows")

    def __len__(self) -> int:
        return self.publication.n_clients

    @cached_property
    def rows_schema(self) -> pa.Schema:
        return pa.ipc.read_schema(pa.py_buffer(base64.b64decode(self.publication.meta["rows_schema"])))

    def query(self, sql: str, params: dict | None = None) -> list[tuple]:
        """Rows of one read-only query; a driver error is a :class:`PortfolioDatabaseError`."""
        try:
            with self.engine.connect() as connection:
                return [tuple(r) for r in connection.execute(text(sql), params or {})]
        except SQLAlchemyError as exc:
            raise PortfolioDatabaseError(f"the portfolio database did not answer ({type(exc).__name__}: "
                                         f"{str(exc).splitlines()[0][:200]})") from exc

    def __contains__(self, client_id: int) -> bool:
        if not -(2**63) <= int(client_id) < 2**63:  # no such bigint: no such client (and no SQL error)
            return False
        return bool(self.query(f"SELECT 1 FROM {self.frame_table} WHERE {quoted(ID_COLUMN)} = :id",
                               {"id": int(client_id)}))

    @cached_property
    def first_id(self) -> int | None:
        found = self.query(f"SELECT min({quoted(ID_COLUMN)}) FROM {self.frame_table}")
        return None if found[0][0] is None else int(found[0][0])

    @cached_property
    def last_id(self) -> int | None:
        found = self.query(f"SELECT max({quoted(ID_COLUMN)}) FROM {self.frame_table}")
        return None if found[0][0] is None else int(found[0][0])

    def search_ids(self, prefix: str, limit: int = 10) -> list[int]:
        """``PortfolioStore.search_ids``: ids starting with the digits ``prefix``, one indexed range
        query per possible number of digits."""
        if not prefix.isdigit() or prefix.startswith("0") or limit <= 0 or len(prefix) > 18 or self.last_id is None:
            return []
        start, found = int(prefix), list[int]()
        max_digits = len(str(self.last_id))
        ranges = [(start * 10**e, (start + 1) * 10**e) for e in range(0, max(max_digits - len(prefix), 0) + 1)]
        for lo, hi in ranges:
            found += [int(r[0]) for r in self.query(
                f"SELECT {quoted(ID_COLUMN)} FROM {self.frame_table} WHERE {quoted(ID_COLUMN)} >= :lo AND "
                f"{quoted(ID_COLUMN)} < :hi ORDER BY 1 LIMIT :n", {"lo": lo, "hi": hi, "n": limit - len(found)})]
            if len(found) >= limit:
                break
        return sorted(found)[:limit]

    def rows(self, client_ids, columns: list[str] | None = None) -> pd.DataFrame:
        """Full rows of the known ids (sorted by id), typed as the portfolio file types them."""
        ids = sorted({int(i) for i in client_ids if -(2**63) <= int(i) < 2**63})
        schema = self.rows_schema
        names = schema.names if columns is None else [ID_COLUMN, *[c for c in columns if c != ID_COLUMN]]
        schema = pa.schema([schema.field(n) for n in names], metadata=schema.metadata if columns is None else None)
        found = self.query(f"SELECT {', '.join(quoted(n) for n in names)} FROM {self.rows_table} "
                           f"WHERE {quoted(ID_COLUMN)} = ANY(:ids) ORDER BY {quoted(ID_COLUMN)}", {"ids": ids}) \
            if ids else []
        table = pa.Table.from_pydict({n: [r[i] for r in found] for i, n in enumerate(names)}, schema=schema)
        return table.to_pandas()

    def client_row(self, client_id: int) -> pd.DataFrame:
        return self.rows([client_id])

    @property
    def loaded_at(self) -> datetime.datetime:
        """When the served applications were published (the age of undated applications)."""
        return self.publication.published_at

    def new_applications(self, exclude: np.ndarray, only: np.ndarray | None,
                         limit: int | None) -> tuple[pd.DataFrame, int, bool]:
        """The new applications outside ``exclude`` (and inside ``only`` when given), riskiest
        first (ties by id), at most ``limit`` of them: (PROBA_DEFAULT, DECISION, GRADE,
        APPLICATION_DATE by id), how many there are, whether all of them are dated."""
        specs = {c["name"]: c for c in self.publication.meta["columns"]}
        dated = "APPLICATION_DATE" in specs
        where = 'NOT "IS_LABELLED" AND NOT ("SK_ID_CURR" = ANY(:exclude))' + \
            ("" if only is None else ' AND "SK_ID_CURR" = ANY(:only)')
        params = {"exclude": [int(i) for i in exclude], "only": None if only is None else [int(i) for i in only]}
        date = '"APPLICATION_DATE"' if dated else "NULL::timestamp"
        count = self.query(f"SELECT count(*), count({date}) FROM {self.frame_table} WHERE {where}", params)[0]
        rows = self.query(f'SELECT "SK_ID_CURR", "PROBA_DEFAULT", "DECISION", "GRADE", {date} FROM {self.frame_table} '
                          f'WHERE {where} ORDER BY "PROBA_DEFAULT" DESC, "SK_ID_CURR" '
                          + ("" if limit is None else f"LIMIT {int(limit)}"), params)
        labels = {name: specs[name]["categories"] for name in ("DECISION", "GRADE")}
        table = pd.DataFrame({
            # a real comes back as its shortest decimal text: float32 first gives back the stored value
            "PROBA_DEFAULT": np.array([r[1] for r in rows], dtype=np.dtype(specs["PROBA_DEFAULT"]["dtype"])).astype(np.float64),
            "DECISION": [None if r[2] < 0 else labels["DECISION"][r[2]] for r in rows],
            "GRADE": [None if r[3] < 0 else labels["GRADE"][r[3]] for r in rows],
            "APPLICATION_DATE": pd.to_datetime(pd.Series([r[4] for r in rows], dtype="object")).to_numpy()
            if rows else np.array([], dtype="datetime64[ns]")},
            index=pd.Index([int(r[0]) for r in rows], dtype=np.int64))
        return table, int(count[0]), int(count[1]) == int(count[0])


def open_published(engine: Engine, key: dict) -> SqlPortfolio:
    return SqlPortfolio(engine, newest_publication(engine, key))
