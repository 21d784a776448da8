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
