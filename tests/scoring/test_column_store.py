"""The memory-mapped column store: the same frame as the in-memory load, mapped, rebuilt when stale."""
import json
import mmap
import threading

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from app.scoring import column_store
from app.scoring.cohorts import CohortFilter, add_derived_columns
from app.scoring.column_store import StoreError, build_store, open_store, store_dir
from app.scoring.group_arrays import GroupArrays
from app.scoring.groups import PortfolioAnalysis
from app.scoring.portfolio import PortfolioStore
from tests.scoring.test_groups import served_frame

COLUMNS = ["TARGET", "IS_LABELLED", "PROBA_DEFAULT", "PROBA_OOF", "DECISION", "GRADE", "CODE_GENDER", "DAYS_BIRTH",
           "DAYS_EMPLOYED", "NAME_INCOME_TYPE", "NAME_EDUCATION_TYPE", "NAME_FAMILY_STATUS", "NAME_CONTRACT_TYPE",
           "NAME_HOUSING_TYPE", "REGION_RATING_CLIENT", "AMT_INCOME_TOTAL", "AMT_CREDIT", "AMT_ANNUITY",
           "EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3", "OCCUPATION_TYPE"]
KEY = {"threshold": 0.2}


def write_file(path, n=600, seed=0):
    """A portfolio file as build_portfolio writes it: text as strings, float64, several row groups."""
    frame = served_frame(n, seed).drop(columns=["AGE_YEARS", "AGE_BAND", "EMPLOYED_YEARS"]).reset_index()
    for c in frame.columns:
        if isinstance(frame[c].dtype, pd.CategoricalDtype):
            frame[c] = frame[c].astype(str)
        elif frame[c].dtype == np.float32:
            frame[c] = frame[c].astype(np.float64)
    # a text column with missing values, whose values first appear late in the file
    frame["OCCUPATION_TYPE"] = np.where(np.arange(n) < n // 2, None, np.where(np.arange(n) % 3, "Drivers", "Core staff"))
    frame["APPLICATION_DATE"] = pd.Timestamp("2026-01-01") + pd.to_timedelta(np.arange(n) % 90, unit="D")
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path, row_group_size=128)
    return path


def opened(path, **kwargs):
    return PortfolioStore.open_mapped(path, COLUMNS, KEY, derive=add_derived_columns, optional=("APPLICATION_DATE",),
                                      **kwargs)


def listing(portfolio) -> list[str]:
    """The folder's entries, version folders as "version", the build lock left out."""
    names = [p.name for p in portfolio.parent.iterdir() if not p.name.endswith(".lock")]
    return sorted("version" if ".columns.v-" in n else n for n in names)


def is_mapped(array: np.ndarray) -> bool:
    """Whether the array's memory is a mapped file (follows the chain of views to its owner)."""
    base = array
    while isinstance(base, np.ndarray):
        base = base.base
    return isinstance(base, mmap.mmap)


@pytest.fixture
def portfolio(tmp_path, monkeypatch):
    monkeypatch.setattr(column_store, "BATCH_ROWS", 50)  # many batches over 600 rows
    return write_file(tmp_path / "portfolio.parquet")


def test_the_mapped_frame_is_the_in_memory_frame(portfolio):
    expected = PortfolioStore.open(portfolio, columns=COLUMNS, derive=add_derived_columns,
                                   optional=("APPLICATION_DATE",)).frame
    store = PortfolioStore.open_mapped(portfolio, COLUMNS, KEY, derive=add_derived_columns,
                                       optional=("APPLICATION_DATE",))
    pd.testing.assert_frame_equal(store.frame, expected)
    assert list(store.frame["OCCUPATION_TYPE"].cat.categories) == ["Core staff", "Drivers"]  # first appearance (row 300)
    assert store.frame["OCCUPATION_TYPE"].isna().sum() == 300


def test_columns_are_mapped_read_only_not_copied(portfolio):
    frame = opened(portfolio).frame
    for name in ("AMT_CREDIT", "TARGET", "IS_LABELLED", "APPLICATION_DATE"):
        values = frame[name].to_numpy()
        assert is_mapped(values), name
    assert is_mapped(frame["GRADE"].array.codes) and is_mapped(frame.index.to_numpy())
    with pytest.raises(ValueError):
        frame["AMT_CREDIT"].to_numpy()[0] = 1.0


def test_a_rebuilt_portfolio_or_another_key_rebuilds_the_store(portfolio):
    first = opened(portfolio)
    assert open_store(portfolio, KEY) is not None and open_store(portfolio, {"threshold": 0.3}) is None
    write_file(portfolio, n=700, seed=1)  # the portfolio file is rebuilt: the store is stale
    assert open_store(portfolio, KEY) is None
    second = opened(portfolio)
    assert len(second.frame) == 700 and len(first.frame) == 600  # the first reader keeps its own mapping
    assert float(first.frame["AMT_CREDIT"].sum()) != float(second.frame["AMT_CREDIT"].sum())


def test_a_damaged_manifest_is_rebuilt_not_trusted(portfolio):
    opened(portfolio)
    manifest = store_dir(portfolio) / column_store.MANIFEST
    manifest.write_text("{not json", encoding="utf-8")
    assert open_store(portfolio, KEY) is None
    assert len(opened(portfolio).frame) == 600
    json.loads(manifest.read_text(encoding="utf-8"))  # written again, whole


def test_precomputed_group_arrays_give_the_same_answers(portfolio):
    def extras(frame):
        comparison = {"outcomes": lambda: np.where(frame["IS_LABELLED"].to_numpy(), frame["TARGET"].to_numpy(), np.nan)}
        return {"analysis": GroupArrays.compute(frame, 0.2).to_store(), "comparison": (comparison, {"note": 1})}

    store = opened(portfolio, extras=extras)
    found = store.mapped.group("analysis")
    mapped = PortfolioAnalysis(store.frame, 0.2, arrays=GroupArrays.from_store(store.ids, *found))
    computed = PortfolioAnalysis(store.frame, 0.2)
    assert is_mapped(mapped.score_bins) and is_mapped(mapped.rank("AMT_CREDIT"))
    group = CohortFilter(income_type=("Working",))
    assert mapped.summary(group).kpis == computed.summary(group).kpis
    for a, b in [(mapped.score_histogram(group), computed.score_histogram(group)),
                 (mapped.feature_by_outcome(group, "AGE_YEARS"), computed.feature_by_outcome(group, "AGE_YEARS"))]:
        assert np.array_equal(a.edges, b.edges) and all(np.array_equal(a.counts[k], b.counts[k]) for k in a.counts)
    pd.testing.assert_frame_equal(mapped.segment_rates(group, "gender"), computed.segment_rates(group, "gender"))
    for column in ("AMT_CREDIT", "GRADE", "OUTCOME"):
        assert np.array_equal(mapped.page(group, column, True, 1, 7)[0], computed.page(group, column, True, 1, 7)[0])
    assert store.precomputed("comparison", "outcomes") is not None and store.precomputed("comparison", "x") is None
    assert store.mapped.group("comparison")[1] == {"note": 1}


def test_a_failed_build_leaves_no_store_and_no_staging(portfolio):
    def broken(frame):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        opened(portfolio, extras=broken)
    assert not store_dir(portfolio).exists()
    assert listing(portfolio) == ["portfolio.parquet"]


def test_a_missing_column_is_a_clear_error(portfolio):
    with pytest.raises(StoreError, match="has no column NOPE"):
        build_store(portfolio, KEY, [*COLUMNS, "NOPE"])


def test_derived_categories_must_not_change_between_batches(portfolio):
    def unstable(frame):
        return frame.assign(BAND=pd.Categorical(frame["CODE_GENDER"].astype(str)))  # categories seen in this batch

    frame = pq.read_table(portfolio).to_pandas()
    frame["CODE_GENDER"] = np.where(np.arange(len(frame)) < 100, "F", frame["CODE_GENDER"])  # first batches: F only
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), portfolio)
    with pytest.raises(StoreError, match="BAND: its categories differ"):
        build_store(portfolio, KEY, COLUMNS, derive=unstable)


def test_workers_building_at_once_all_get_a_whole_store(portfolio):
    results, errors = [], []

    def build():
        try:
            results.append(len(build_store(portfolio, KEY, COLUMNS, derive=add_derived_columns).frame))
        except Exception as exc:  # noqa: BLE001 - any failure of a concurrent build is the finding
            errors.append(exc)

    threads = [threading.Thread(target=build) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and results == [600, 600, 600]
    assert open_store(portfolio, KEY) is not None
    assert listing(portfolio) == ["portfolio.columns", "portfolio.parquet", "version"]  # built once


def test_an_empty_portfolio_opens(tmp_path):
    path = write_file(tmp_path / "portfolio.parquet")
    pq.write_table(pq.read_table(path).slice(0, 0), path)  # the columns of a portfolio, no row
    store = opened(path)
    assert len(store.frame) == 0 and store.client_row(100_000).empty and "AMT_CREDIT" in store.client_row(1).columns


def test_full_rows_come_from_the_shards_as_from_the_file(portfolio, monkeypatch):
    monkeypatch.setattr(column_store, "SHARD_ROWS", 100)  # six shards of 100 clients
    mapped, plain = opened(portfolio), PortfolioStore.open(portfolio, columns=COLUMNS)
    assert len(list((store_dir(portfolio) / "rows").glob("*.parquet"))) == 6
    wanted = [100_000, 100_099, 100_100, 100_350, 100_599, 5, 100_350]  # shard edges, unknown, repeated
    pd.testing.assert_frame_equal(mapped.rows(wanted), plain.rows(wanted))
    pd.testing.assert_frame_equal(mapped.rows(wanted, columns=["AMT_CREDIT"]), plain.rows(wanted, columns=["AMT_CREDIT"]))
    assert mapped.client_row(100_123)["SK_ID_CURR"].tolist() == [100_123]
    unknown = mapped.client_row(99)
    assert unknown.empty and list(unknown.columns) == list(plain.client_row(100_000).columns)


def test_a_truncated_array_is_rebuilt_not_mapped(portfolio):
    opened(portfolio)
    array = store_dir(portfolio) / "frame" / "AMT_CREDIT.npy"
    array.write_bytes(array.read_bytes()[:200])  # a disk that filled up, a copy cut short
    assert open_store(portfolio, KEY) is None
    assert float(opened(portfolio).frame["AMT_CREDIT"].sum()) > 0


def test_a_folder_where_no_store_can_be_written_serves_from_memory(portfolio, monkeypatch, caplog):
    from app.scoring import served_portfolio
    from app.scoring.served_portfolio import SERVED_COLUMNS, open_served_portfolio

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    class Bundle:
        threshold = 0.2

    monkeypatch.setattr(served_portfolio, "SERVED_COLUMNS", tuple(c for c in SERVED_COLUMNS if c in COLUMNS))
    monkeypatch.setattr(column_store, "_write_frame", full_disk)
    store = open_served_portfolio(Bundle(), portfolio)
    assert store.mapped is None and len(store.frame) == 600 and "held in this process's memory" in caplog.text
    assert listing(portfolio) == ["portfolio.parquet"]  # no staging folder left
    monkeypatch.setattr(served_portfolio, "IN_MEMORY_LIMIT", 599)  # too many clients for a worker's memory
    with pytest.raises(StoreError, match="600 clients do not fit in a worker's memory"):
        open_served_portfolio(Bundle(), portfolio)


def test_a_worker_keeps_its_version_while_a_new_store_is_published(portfolio):
    old = opened(portfolio)
    before = old.client_row(100_123)["AMT_CREDIT"].iloc[0]
    write_file(portfolio, n=600, seed=9)  # same clients, other amounts: a rescored portfolio
    new = opened(portfolio)
    assert new.mapped.directory != old.mapped.directory
    assert old.client_row(100_123)["AMT_CREDIT"].iloc[0] == before  # its own shards, not the new ones
    assert float(old.frame.loc[100_123, "AMT_CREDIT"]) == float(before)
    assert new.client_row(100_123)["AMT_CREDIT"].iloc[0] != before
    write_file(portfolio, n=600, seed=10)
    opened(portfolio)  # a third version: the first one goes, the previous one stays
    assert listing(portfolio) == ["portfolio.columns", "portfolio.parquet", "version", "version"]


def test_a_killed_build_leaves_nothing_the_next_build_keeps(portfolio):
    opened(portfolio)
    killed = portfolio.with_name(".portfolio.columns.staging-deadbeef")
    (killed / "frame").mkdir(parents=True)
    write_file(portfolio, n=600, seed=4)
    opened(portfolio)
    assert not killed.exists()


def test_a_copied_portfolio_keeps_its_store_and_a_rewritten_one_does_not(portfolio, tmp_path):
    import os
    import shutil

    opened(portfolio)
    copy = tmp_path / "copy"
    shutil.copytree(portfolio.parent, copy, symlinks=True)  # a deployed slug: new inodes, times kept
    assert open_store(copy / "portfolio.parquet", KEY) is not None
    os.utime(copy / "portfolio.parquet", ns=(1, 1))  # a copy that did not keep the time: rebuilt, to be safe
    assert open_store(copy / "portfolio.parquet", KEY) is None
    frame = pq.read_table(portfolio).to_pandas()
    frame.loc[5, "AMT_CREDIT"] += 1.0  # the same size, the same footer, another amount
    stat = portfolio.stat()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), portfolio, row_group_size=128)
    assert portfolio.stat().st_size == stat.st_size and open_store(portfolio, KEY) is None


def test_an_integer_column_with_missing_values_later_is_stored_as_floats(tmp_path, monkeypatch):
    monkeypatch.setattr(column_store, "BATCH_ROWS", 50)
    path = write_file(tmp_path / "portfolio.parquet")
    table = pq.read_table(path)
    counts = pa.array([1] * 500 + [None] * 100, type=pa.int64())  # no missing value in the first batches
    pq.write_table(table.append_column("CNT_FAM_MEMBERS", counts), path, row_group_size=128)
    expected = PortfolioStore.open(path, columns=[*COLUMNS, "CNT_FAM_MEMBERS"]).frame["CNT_FAM_MEMBERS"]
    mapped = build_store(path, KEY, [*COLUMNS, "CNT_FAM_MEMBERS"]).frame["CNT_FAM_MEMBERS"]
    pd.testing.assert_series_equal(mapped, expected)
    assert mapped.isna().sum() == 100
