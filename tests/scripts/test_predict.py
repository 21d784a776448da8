"""scripts/predict.py on bad paths and damaged model folders: exit 2 with one line, nothing written."""
import importlib.util
import shutil
from pathlib import Path

import pandas as pd
import pytest

from app.scoring.bundle import CARD_FILE, MODEL_FILE
from tests.factories import make_applications
from tests.pages.governance_support import tiny_model_dir

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "predict.py"


def _predict(*argv: object) -> int:
    spec = importlib.util.spec_from_file_location("predict_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main([str(a) for a in argv])


@pytest.fixture
def applications(tmp_path):
    path = tmp_path / "apps.csv"
    make_applications(20, seed=31, labelled=False, first_id=800_000).to_csv(path, index=False)
    return path


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: "), err
    return err


def test_output_in_a_missing_folder_or_naming_a_folder_is_refused_before_scoring(tmp_path, applications, capsys):
    missing = tmp_path / "nowhere" / "scores.csv"
    assert _predict("--model-dir", tiny_model_dir(), "--input", applications, "--output", missing) == 2
    assert f"folder {missing.parent} does not exist" in _one_error_line(capsys)
    assert not missing.parent.exists()
    folder = tmp_path / "out.csv"
    folder.mkdir()
    assert _predict("--model-dir", tiny_model_dir(), "--input", applications, "--output", folder) == 2
    assert f"--output {folder} is a folder" in _one_error_line(capsys)


@pytest.mark.parametrize("damage, message", [
    (lambda f: (f / CARD_FILE).write_text('{"decision": '), f"{CARD_FILE} is not a valid model card"),
    (lambda f: (f / MODEL_FILE).write_bytes((f / MODEL_FILE).read_bytes()[:-100]),
     f"{MODEL_FILE} does not match the SHA-256 recorded in {CARD_FILE}"),
])
def test_a_damaged_model_folder_is_refused_naming_the_file(tmp_path, applications, capsys, damage, message):
    folder = tmp_path / "model"
    shutil.copytree(tiny_model_dir(), folder)
    damage(folder)
    out = tmp_path / "scores.csv"
    assert _predict("--model-dir", folder, "--input", applications, "--output", out) == 2
    assert message in _one_error_line(capsys) and not out.exists()


def test_applications_with_every_external_score_empty_are_scored_with_a_warning(tmp_path, capsys):
    table = make_applications(12, seed=32, labelled=False, first_id=810_000)
    table.loc[:3, ["EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3"]] = None
    table.loc[4:, "EXT_SOURCE_2"] = 0.6  # the others keep at least one score
    source, out = tmp_path / "apps.csv", tmp_path / "scores.csv"
    table.to_csv(source, index=False)
    assert _predict("--model-dir", tiny_model_dir(), "--input", source, "--output", out) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if "inputs missing" in line]
    assert warnings == ["warning: 4 of 12 applications have most inputs missing (every external score, or over "
                        "half of the model's inputs): their scores are unreliable (SK_ID_CURR 810000, 810001, "
                        "810002, 810003)"]
    assert len(pd.read_csv(out)) == 12  # still scored: the warning says how far to trust them


def _whole_file_scores(model_dir, source):
    """What predict.py wrote before it streamed: the whole file prepared and scored at once."""
    from app.scoring.bundle import ModelBundle
    from app.scoring.data import prepare_applications, read_table

    applications, _ = prepare_applications(read_table(source).drop(columns=["TARGET"], errors="ignore"),
                                           source=source.name, labelled=False)
    return ModelBundle.load(model_dir).score(applications)


def test_streamed_scores_equal_the_whole_file_ones_with_a_progress_line_per_batch(tmp_path, capsys):
    table = make_applications(450, seed=33, labelled=True, first_id=820_000)  # TARGET present: ignored
    table.loc[[5, 400], "NAME_HOUSING_TYPE"] = ["Igloo", "Castle"]  # unknown categories in two batches
    source = tmp_path / "apps.parquet"
    table.to_parquet(source, index=False)
    expected = _whole_file_scores(tiny_model_dir(), source)
    csv_out, parquet_out = tmp_path / "scores.csv", tmp_path / "scores.parquet"
    for out in (csv_out, parquet_out):
        assert _predict("--model-dir", tiny_model_dir(), "--input", source, "--output", out, "--batch-rows", 100) == 0
        captured = capsys.readouterr()
        progress = [line for line in captured.err.splitlines() if line.startswith("scored ")]
        assert len(progress) == 5 and progress[0].startswith("scored 100 / 450 applications (22 %) in ")
        assert ("warning: apps.parquet: column NAME_HOUSING_TYPE has 2 value(s) outside the known categories "
                "(e.g. 'Igloo'); kept as is") in captured.err.splitlines()
        assert captured.out.startswith("scored 450 applications (")
    expected_csv = tmp_path / "expected.csv"
    expected.to_csv(expected_csv, index=False)
    assert csv_out.read_bytes() == expected_csv.read_bytes()
    pd.testing.assert_frame_equal(pd.read_parquet(parquet_out), expected)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["apps.parquet", "expected.csv", "scores.csv",
                                                          "scores.parquet"]


def test_a_bad_value_in_a_later_batch_ends_in_an_error_line_and_writes_nothing(tmp_path, capsys):
    table = make_applications(300, seed=34, labelled=False, first_id=830_000).astype({"AMT_CREDIT": "str"})
    table.loc[250, "AMT_CREDIT"] = "12,5"
    source, out = tmp_path / "apps.csv", tmp_path / "scores.csv"
    table.to_csv(source, index=False)
    assert _predict("--model-dir", tiny_model_dir(), "--input", source, "--output", out, "--batch-rows", 100) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == "error: apps.csv: column AMT_CREDIT must be numeric; found '12,5' at row 251"
    assert [line.split(" in ")[0] for line in err[:-1]] == ["scored 100 / 300 applications (33 %)",
                                                            "scored 200 / 300 applications (67 %)"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["apps.csv"]
