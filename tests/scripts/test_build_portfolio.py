"""scripts/build_portfolio.py: a bad --out or a damaged model folder is one line, exit 2, before scoring."""
import shutil

from app.scoring.bundle import CARD_FILE
from tests.factories import make_applications
from tests.pages.governance_support import tiny_model_dir
from tests.scripts.script_support import one_error_line, script_main


def test_out_that_is_or_lies_under_a_file_is_refused(tmp_path, capsys):
    labelled = tmp_path / "train.csv"
    make_applications(50, seed=41).to_csv(labelled, index=False)
    blocker = tmp_path / "blocker"
    blocker.write_text("a file")
    for out in (blocker, blocker / "served"):
        assert script_main("build_portfolio")(["--model-dir", str(tiny_model_dir()), "--labelled", str(labelled),
                                               "--out", str(out)]) == 2  # FileExistsError before
        assert f"{blocker} is a file, not a folder" in one_error_line(capsys)


def test_a_damaged_model_card_is_refused_naming_it(tmp_path, capsys):
    folder = tmp_path / "model"
    shutil.copytree(tiny_model_dir(), folder)
    (folder / CARD_FILE).write_text("{")
    labelled = tmp_path / "train.csv"
    make_applications(50, seed=42).to_csv(labelled, index=False)
    assert script_main("build_portfolio")(["--model-dir", str(folder), "--labelled", str(labelled),
                                           "--out", str(tmp_path / "served")]) == 2
    assert f"{folder / CARD_FILE} is not a valid model card" in one_error_line(capsys)
    assert not (tmp_path / "served").exists()


def _files(tmp_path, new_rows=300):
    labelled, new = tmp_path / "train.parquet", tmp_path / "test.csv"
    make_applications(700, seed=43).to_parquet(labelled, index=False)
    make_applications(new_rows, seed=44, labelled=False, first_id=300_000).to_csv(new, index=False)
    return labelled, new


def test_the_portfolio_is_built_in_batches_as_the_in_memory_build_writes_it(tmp_path, capsys):
    import pandas as pd

    from app.scoring.bundle import ModelBundle
    from app.scoring.data import prepare_applications, read_table
    from app.scoring.portfolio import build_portfolio, write_portfolio

    labelled, new = _files(tmp_path)
    out = tmp_path / "served"
    assert script_main("build_portfolio")(["--model-dir", str(tiny_model_dir()), "--labelled", str(labelled),
                                           "--new", str(new), "--out", str(out), "--batch-rows", "250",
                                           "--bucket-rows", "400"]) == 0
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert [line.split(" in ")[0] for line in lines[:-2]] == [
        f"scored {n:,} / 1,000 clients ({n // 10} %)" for n in (250, 500, 700, 950, 1000)]
    assert lines[-2].startswith("sorted 3 bucket(s) of up to 400 clients into ")
    assert lines[-1].startswith("served column store written in ") and (out / "portfolio.columns" / "manifest.json").exists()
    assert captured.out.startswith("1,000 clients scored (700 labelled) in ")
    expected = tmp_path / "whole.parquet"
    write_portfolio(build_portfolio(ModelBundle.load(tiny_model_dir()),
                                    prepare_applications(read_table(labelled), source="l", labelled=True)[0],
                                    prepare_applications(read_table(new), source="n", labelled=False)[0]), expected)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "portfolio.parquet"), pd.read_parquet(expected))
    assert {p.name for p in out.iterdir()} >= {"portfolio.parquet", CARD_FILE, "model.cbm"}


def test_a_malformed_file_is_one_error_line_and_leaves_no_folder(tmp_path, capsys):
    labelled, new = _files(tmp_path)
    new.write_text(new.read_text()[:-300])  # cut mid-row, as an interrupted copy
    out = tmp_path / "served"
    assert script_main("build_portfolio")(["--model-dir", str(tiny_model_dir()), "--labelled", str(labelled),
                                           "--new", str(new), "--out", str(out)]) == 2
    assert "test.csv: the file is cut short" in one_error_line(capsys)
    assert not out.exists()


def test_a_client_in_both_files_is_one_error_line_before_scoring(tmp_path, capsys):
    labelled, new = _files(tmp_path)
    new.write_text(new.read_text().replace("\n300007,", "\n100007,", 1))
    out = tmp_path / "served"
    assert script_main("build_portfolio")(["--model-dir", str(tiny_model_dir()), "--labelled", str(labelled),
                                           "--new", str(new), "--out", str(out)]) == 2
    assert "client 100007 appears both as labelled and as new application" in one_error_line(capsys)
    assert not out.exists()
