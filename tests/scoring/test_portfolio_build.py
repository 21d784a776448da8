"""The streamed portfolio build: the same file as the in-memory one, the same refusals, from batches."""
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from app.scoring.batches import ApplicationFile
from app.scoring.bundle import OOF_FILE, ModelBundle
from app.scoring.data import DataValidationError, prepare_applications, read_table
from app.scoring.portfolio import ROW_GROUP_SIZE, build_portfolio, write_portfolio
from app.scoring.portfolio_build import stream_portfolio
from tests.factories import make_applications

N_LABELLED, N_NEW = 2_600, 1_500  # several row groups of 2,048 and, below, many batches and buckets


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A labelled Parquet file (small row groups) and a new CSV file whose ids interleave, unsorted."""
    folder = tmp_path_factory.mktemp("stream")
    rng = np.random.default_rng(5)
    ids = rng.permutation(np.arange(100_000, 100_000 + N_LABELLED + N_NEW))  # the model's OOF covers 100000-101499
    labelled = make_applications(N_LABELLED, seed=61).assign(SK_ID_CURR=ids[:N_LABELLED])
    new = make_applications(N_NEW, seed=62, labelled=False).assign(SK_ID_CURR=ids[N_LABELLED:])
    labelled.loc[7, "NAME_HOUSING_TYPE"] = "Igloo"  # unknown categories in two batches: one summed warning
    labelled.loc[2_500, "NAME_HOUSING_TYPE"] = "Castle"
    labelled.to_parquet(folder / "train.parquet", index=False, row_group_size=500)
    new.to_csv(folder / "test.csv", index=False)
    return folder / "train.parquet", folder / "test.csv"


@pytest.fixture(scope="module")
def bundle_and_oof(small_model_dir):
    folder = small_model_dir[0]
    return ModelBundle.load(folder), pd.read_parquet(folder / OOF_FILE, columns=["SK_ID_CURR", "PROBA_OOF"])


def _in_memory(bundle, train, test, oof, out):
    labelled, _ = prepare_applications(read_table(train), source=train.name, labelled=True)
    new, _ = prepare_applications(read_table(test).drop(columns=["TARGET"], errors="ignore"), source=test.name,
                                  labelled=False)
    write_portfolio(build_portfolio(bundle, labelled, new, oof=oof), out)


def _streamed(bundle, train, test, oof, out, **sizes):
    lines: list[str] = []
    summary = stream_portfolio(bundle, ApplicationFile(train, labelled=True),
                               ApplicationFile(test, labelled=False, ignore_target=True), out, oof=oof,
                               progress=lines.append, **sizes)
    return summary, lines


def test_the_streamed_file_equals_the_in_memory_one(files, bundle_and_oof, tmp_path):
    bundle, oof = bundle_and_oof
    whole, streamed = tmp_path / "whole.parquet", tmp_path / "streamed.parquet"
    _in_memory(bundle, *files, oof, whole)
    summary, lines = _streamed(bundle, *files, oof, streamed, batch_rows=300, bucket_rows=700)
    expected, got = pd.read_parquet(whole), pd.read_parquet(streamed)
    pd.testing.assert_frame_equal(got, expected)  # every column, dtype and row, in order
    assert got["PROBA_OOF"].notna().sum() > 0 and got["SK_ID_CURR"].is_monotonic_increasing
    assert pq.read_schema(streamed).equals(pq.read_schema(whole), check_metadata=True)
    meta, meta_whole = pq.ParquetFile(streamed).metadata, pq.ParquetFile(whole).metadata
    sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
    assert sizes == [meta_whole.row_group(i).num_rows for i in range(meta_whole.num_row_groups)]
    assert sizes[:-1] == [ROW_GROUP_SIZE] * (len(sizes) - 1)
    assert meta.row_group(0).column(0).compression == "ZSTD"
    assert (summary.clients, summary.labelled) == (N_LABELLED + N_NEW, N_LABELLED)
    batches = -(-N_LABELLED // 300) + -(-N_NEW // 300)
    assert len(lines) == batches + 1
    assert lines[0].startswith(f"scored 300 / {N_LABELLED + N_NEW:,} clients (7 %) in ")
    assert lines[-2].startswith(f"scored {N_LABELLED + N_NEW:,} / {N_LABELLED + N_NEW:,} clients (100 %)")
    assert lines[-1].startswith("sorted 6 bucket(s) of up to 700 clients")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["streamed.parquet", "whole.parquet"]  # temporaries gone


def test_one_bucket_and_one_batch_give_the_same_file_too(files, bundle_and_oof, tmp_path):
    bundle, oof = bundle_and_oof
    _streamed(bundle, *files, oof, tmp_path / "a.parquet", batch_rows=10_000, bucket_rows=10_000)
    _streamed(bundle, *files, oof, tmp_path / "b.parquet", batch_rows=1_000, bucket_rows=2_048)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "a.parquet"), pd.read_parquet(tmp_path / "b.parquet"))


def test_the_warnings_are_those_of_the_whole_file(files):
    train = files[0]
    _, expected = prepare_applications(read_table(train), source=train.name, labelled=True)
    opened = ApplicationFile(train, labelled=True)
    for _ in opened.batches(400):
        pass
    assert opened.warnings == expected
    assert any("2 value(s) outside the known categories (e.g. 'Igloo')" in w for w in expected)


def _whole_file_error(path, labelled=True) -> str:
    with pytest.raises(DataValidationError) as caught:
        prepare_applications(read_table(path), source=path.name, labelled=labelled)
    return str(caught.value)


def _stream_error(path, labelled=True, rows=100) -> str:
    with pytest.raises(DataValidationError) as caught:
        for _ in ApplicationFile(path, labelled=labelled).batches(rows):
            pass
    return str(caught.value)


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_a_client_twice_in_one_file_is_refused_as_from_the_whole_file(tmp_path, suffix):
    table = make_applications(600, seed=63)
    table.loc[550, "SK_ID_CURR"] = table.loc[20, "SK_ID_CURR"]  # rows 21 and 551: batches 1 and 6
    path = tmp_path / f"train{suffix}"
    table.to_parquet(path, index=False) if suffix == ".parquet" else table.to_csv(path, index=False)
    message = _whole_file_error(path)
    assert "must be unique; 100020 appears at rows 21 and 551" in message
    assert _stream_error(path) == message


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_a_bad_value_in_a_later_batch_names_its_row_in_the_file(tmp_path, suffix):
    table = make_applications(600, seed=64).astype({"AMT_CREDIT": "str"})  # text, as a CSV with one bad value
    table.loc[432, "AMT_CREDIT"] = "lots"
    path = tmp_path / f"train{suffix}"
    table.to_parquet(path, index=False) if suffix == ".parquet" else table.to_csv(path, index=False)
    message = _whole_file_error(path)
    assert message.endswith("found 'lots' at row 433")
    assert _stream_error(path) == message


def test_a_client_both_labelled_and_new_is_refused_before_scoring(files, bundle_and_oof, tmp_path):
    bundle, _ = bundle_and_oof
    train, _ = files
    new = make_applications(300, seed=65, labelled=False, first_id=500_000)
    shared = int(pd.read_parquet(train, columns=["SK_ID_CURR"])["SK_ID_CURR"].iloc[1234])
    new.loc[[120, 250], "SK_ID_CURR"] = [shared, shared - 1 if shared - 1 >= 100_000 else shared + 1]
    test = tmp_path / "test.parquet"
    new.to_parquet(test, index=False)
    labelled, _ = prepare_applications(read_table(train), source=train.name, labelled=True)
    with pytest.raises(ValueError) as whole:
        build_portfolio(bundle, labelled, prepare_applications(read_table(test), source=test.name, labelled=False)[0])
    lines: list[str] = []
    with pytest.raises(DataValidationError) as streamed:
        stream_portfolio(bundle, ApplicationFile(train, labelled=True), ApplicationFile(test, labelled=False),
                         tmp_path / "out" / "portfolio.parquet", progress=lines.append)
    assert str(streamed.value) == str(whole.value) == f"client {shared} appears both as labelled and as new application"
    assert lines == [] and not (tmp_path / "out" / "portfolio.parquet").exists()


def test_a_failure_mid_stream_leaves_no_file_and_no_temporary_one(files, bundle_and_oof, tmp_path):
    bundle, _ = bundle_and_oof
    train, _ = files
    table = make_applications(500, seed=66, labelled=False, first_id=700_000).astype({"AMT_ANNUITY": "str"})
    table.loc[480, "AMT_ANNUITY"] = "n/a?"
    test = tmp_path / "test.csv"
    table.to_csv(test, index=False)
    out = tmp_path / "out"
    with pytest.raises(DataValidationError, match="found 'n/a\\?' at row 481"):
        stream_portfolio(bundle, ApplicationFile(train, labelled=True), ApplicationFile(test, labelled=False),
                         out / "portfolio.parquet", batch_rows=400)
    assert list(out.iterdir()) == []


def test_an_empty_file_and_a_file_cut_short_are_refused_as_from_the_whole_file(tmp_path):
    header_only = tmp_path / "empty.csv"
    make_applications(0, seed=67).to_csv(header_only, index=False)
    assert _stream_error(header_only) == _whole_file_error(header_only) == "empty.csv: the table has no rows"
    cut = tmp_path / "cut.csv"
    text = make_applications(50, seed=68).to_csv(index=False)
    cut.write_text(text[: len(text) - 200])
    assert _stream_error(cut) == _whole_file_error(cut)
    assert "the file is cut short" in _whole_file_error(cut)
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 not really")
    assert _stream_error(broken).startswith("broken.parquet: cannot be read as a Parquet file")


def test_a_windows_1252_csv_is_decoded_as_the_whole_file_is(tmp_path):
    table = make_applications(400, seed=69)
    table.loc[390, "ORGANIZATION_TYPE"] = "Caf\u00e9"
    path = tmp_path / "excel.csv"
    path.write_bytes(table.to_csv(index=False).encode("cp1252"))  # the é is not UTF-8, in the last batch
    expected, _ = prepare_applications(read_table(path), source=path.name, labelled=True)
    got = pd.concat(ApplicationFile(path, labelled=True).batches(100), ignore_index=True)
    pd.testing.assert_frame_equal(got, expected)
    assert got.loc[390, "ORGANIZATION_TYPE"] == "Caf\u00e9"
