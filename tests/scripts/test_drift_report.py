"""scripts/drift_report.py: report of an applications file (JSON + standalone HTML), bad files refused."""
import importlib.util
import json
from pathlib import Path

from tests.factories import make_applications
from tests.pages.governance_support import tiny_model_dir

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "drift_report.py"


def _script():
    spec = importlib.util.spec_from_file_location("drift_report_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_report_of_a_file_and_of_the_portfolio(tmp_path):
    model_dir = tiny_model_dir()
    batch = make_applications(500, seed=5, labelled=False, first_id=950_000)
    batch["AMT_INCOME_TOTAL"] = batch["AMT_INCOME_TOTAL"] * 4
    path = tmp_path / "batch.csv"
    batch.to_csv(path, index=False)
    out_json, out_html = tmp_path / "r.json", tmp_path / "r.html"
    assert _script().main(["--model-dir", str(model_dir), "--current", str(path), "--json", str(out_json),
                           "--html", str(out_html), "--lang", "en"]) == 0
    report = json.loads(out_json.read_text())
    assert report["current"]["source"] == "batch.csv" and report["current_rows"] == 500
    assert {r["feature"]: r["drifted"] for r in report["features"]}["AMT_INCOME_TOTAL"]
    page = out_html.read_text()
    assert "<script" in page and "src=\"http" not in page and "Riskiest drifts" in page  # self-contained
    assert _script().main(["--model-dir", str(model_dir), "--json", str(out_json), "--html", str(out_html)]) == 0
    assert json.loads(out_json.read_text())["current"]["source"] == "portfolio-new"


def test_malformed_file_is_refused_with_a_message(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("SK_ID_CURR,foo\n1,2\n")
    assert _script().main(["--model-dir", str(tiny_model_dir()), "--current", str(path),
                           "--json", str(tmp_path / "r.json"), "--html", str(tmp_path / "r.html")]) == 2
    assert "error:" in capsys.readouterr().err and not (tmp_path / "r.json").exists()


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: "), err
    return err


def test_a_sample_below_the_minimum_is_refused_not_declared_drifted(tmp_path, capsys):
    path = tmp_path / "one.csv"
    make_applications(1, seed=6, labelled=False, first_id=960_000).to_csv(path, index=False)
    assert _script().main(["--model-dir", str(tiny_model_dir()), "--current", str(path),
                           "--json", str(tmp_path / "r.json"), "--html", str(tmp_path / "r.html")]) == 2
    assert _one_error_line(capsys) == ("error: applications of one.csv: drift needs at least 300 rows in both "
                                       "samples (reference 1,500, current 1): on fewer, chance differences read "
                                       "as drift\n")
    assert not (tmp_path / "r.json").exists()


def test_outputs_naming_a_folder_are_refused_before_computing(tmp_path, capsys):
    (tmp_path / "r.json").mkdir()
    assert _script().main(["--model-dir", str(tiny_model_dir()), "--json", str(tmp_path / "r.json"),
                           "--html", str(tmp_path / "r.html")]) == 2
    assert f"--json {tmp_path / 'r.json'} is a folder" in _one_error_line(capsys)


def test_a_portfolio_without_new_applications_is_explained(tmp_path, capsys):
    import shutil

    import pandas as pd

    from app.scoring.bundle import PORTFOLIO_FILE

    folder = tmp_path / "model"
    shutil.copytree(tiny_model_dir(), folder)
    portfolio = pd.read_parquet(folder / PORTFOLIO_FILE)
    portfolio[portfolio["IS_LABELLED"]].to_parquet(folder / PORTFOLIO_FILE, index=False)
    assert _script().main(["--model-dir", str(folder)]) == 2  # raised TypeError before
    assert "no current applications to compare" in _one_error_line(capsys)
