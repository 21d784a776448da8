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
