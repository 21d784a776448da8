"""``scripts/train.py`` end to end on a small Home Credit folder, then ``scripts/predict.py``."""
import json
import subprocess
import sys

import pandas as pd
import pytest

from app.config import PROJECT_DIR
from app.scoring.bundle import CARD_FILE, ModelBundle, ModelNotFoundError
from app.scoring.loan_terms import TERM_FEATURES, TERM_MODEL_FILE
from tests.factories import make_applications, make_previous_applications
from tests.scripts.script_support import script_env

SCRIPTS = PROJECT_DIR / "scripts"


def run(script, *args, env=None):
    return subprocess.run([sys.executable, str(SCRIPTS / script), *map(str, args)],
                          capture_output=True, text=True, timeout=600, env={**script_env(), **(env or {})})


def test_folder_with_previous_applications_trains_loan_terms(tmp_path):
    data, out = tmp_path / "data", tmp_path / "model"
    data.mkdir()
    make_applications(900, seed=21).to_csv(data / "application_train.csv", index=False)
    make_previous_applications(1500, seed=22).to_csv(data / "previous_application.csv", index=False)
    trained = run("train.py", "--data-dir", data, "--model-dir", out, "--no-search", "--folds", 3, "--threads", 2,
                  "--no-tracking")
    assert trained.returncode == 0, trained.stderr
    assert "loan terms learnt from 1,500 previous loans" in trained.stdout
    card = json.loads((out / CARD_FILE).read_text())
    assert (out / TERM_MODEL_FILE).exists() and card["features"]["term_model"]["trained_on"] == 1500
    assert set(card["checksums"]) == {"model.cbm", TERM_MODEL_FILE}  # both checked at every load
    assert set(TERM_FEATURES) <= set(card["features"]["names"])
    assert "previous_application" in card["source"]["files"]
    bundle = ModelBundle.load(out)
    assert bundle.term_model is not None

    new = make_applications(30, seed=23, labelled=False, first_id=700_000)
    new.to_csv(tmp_path / "new.csv", index=False)
    scored = run("predict.py", "--model-dir", out, "--input", tmp_path / "new.csv", "--output", tmp_path / "s.csv")
    assert scored.returncode == 0, scored.stderr
    assert pd.read_csv(tmp_path / "s.csv")["SK_ID_CURR"].tolist() == new["SK_ID_CURR"].tolist()

    served = tmp_path / "served"
    built = run("build_portfolio.py", "--model-dir", out, "--labelled", data / "application_train.csv",
                "--new", tmp_path / "new.csv", "--out", served)
    assert built.returncode == 0, built.stderr
    assert ModelBundle.load(served).term_model is not None  # the estimator travels with the model

    (served / TERM_MODEL_FILE).write_bytes(b"half a term model")
    with pytest.raises(ModelNotFoundError, match=f"{TERM_MODEL_FILE} does not match the SHA-256"):
        ModelBundle.load(served)
    (served / TERM_MODEL_FILE).unlink()
    with pytest.raises(ModelNotFoundError, match=TERM_MODEL_FILE):
        ModelBundle.load(served)


def test_malformed_previous_applications_are_refused_clearly(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    make_applications(300, seed=24).to_csv(data / "application_train.csv", index=False)
    make_previous_applications(600).drop(columns="CNT_PAYMENT").to_csv(data / "previous_application.csv", index=False)
    result = run("train.py", "--data-dir", data, "--model-dir", tmp_path / "model", "--no-search", "--folds", 3)
    assert result.returncode == 2
    assert "previous_application" in result.stderr and "CNT_PAYMENT" in result.stderr
    assert "Traceback" not in result.stderr

    without = run("train.py", "--data-dir", data, "--model-dir", tmp_path / "model", "--no-search", "--folds", 3,
                  "--no-loan-terms", "--threads", 2, "--no-tracking")
    assert without.returncode == 0, without.stderr
    assert ModelBundle.load(tmp_path / "model").term_model is None


def _labels(n: int, defaults: int) -> pd.DataFrame:
    table = make_applications(n, seed=25)
    table["TARGET"] = 0
    table.loc[: defaults - 1, "TARGET"] = 1
    return table


@pytest.mark.parametrize("n, defaults, found", [
    (1, 0, "found 1 row, 0 with TARGET = 1"),          # n_splits > n_samples
    (200, 0, "found 200 rows, 0 with TARGET = 1"),     # a single class
    (25, 1, "found 25 rows, 1 with TARGET = 1"),       # one default for five folds
])
def test_untrainable_labels_are_refused_in_one_line(tmp_path, n, defaults, found):
    path = tmp_path / "application_train.csv"
    _labels(n, defaults).to_csv(path, index=False)
    result = run("train.py", "--data-dir", path, "--model-dir", tmp_path / "model", "--no-search", "--threads", 1)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: application_train.csv: training needs at least 100 rows")
    assert "every fold holds both classes" in result.stderr and found in result.stderr
    assert not (tmp_path / "model").exists()


@pytest.mark.parametrize("args, message", [
    (("--folds", 1), "--folds: needs at least 2 folds"),
    (("--cost-fn", -1), "--cost-fn: costs must be positive"),
    (("--threads", 0), "--threads: must be -1"),
])
def test_impossible_settings_are_refused_before_training(tmp_path, args, message):
    result = run("train.py", *args, "--model-dir", tmp_path / "model")  # never the committed demo folder
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_a_model_dir_that_is_a_file_is_refused_before_training(tmp_path):
    target = tmp_path / "model"
    target.write_text("not a folder")
    result = run("train.py", "--model-dir", target, "--demo-labelled", 200, "--demo-new", 0)
    assert result.returncode == 2 and result.stderr == f"error: --model-dir {target} is a file, not a folder\n"
    nested = run("train.py", "--model-dir", target / "inner", "--demo-labelled", 200, "--demo-new", 0)
    assert nested.returncode == 2 and "is a file, not a folder" in nested.stderr
