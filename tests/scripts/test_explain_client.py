"""``scripts/explain_client.py``: the JSON explanation, the HTML and PDF letters, an unknown id (exit 2)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from app.cli.explain_client import main
from app.config import PROJECT_DIR
from app.scoring.bundle import PORTFOLIO_FILE
from app.scoring.portfolio import PortfolioStore
from tests.scripts.script_support import script_env


@pytest.fixture(scope="module")
def folder(small_model_dir):
    out = small_model_dir[0]
    frame = PortfolioStore.open(out / PORTFOLIO_FILE, columns=["DECISION"]).frame
    return out, int(frame.index[frame["DECISION"] == "refused"][0]), int(frame.index[frame["DECISION"] == "granted"][0])


def test_json_holds_the_documented_keys(folder, tmp_path):
    out, refused, granted = folder
    for client_id in (refused, granted):
        target = tmp_path / f"{client_id}.json"
        assert main(["--model-dir", str(out), "--client-id", str(client_id), "--format", "json",
                     "--output", str(target), "--lang", "en"]) == 0
        data = json.loads(target.read_text(encoding="utf-8"))
        assert {"client_id", "proba_default", "decision", "threshold", "reasons", "application",
                "counter_offer"} <= set(data)
        assert data["client_id"] == client_id and data["decision"] in ("granted", "refused")
        assert (data["decision"] == "refused") == (data["proba_default"] >= data["threshold"])
        for reason in data["reasons"]:
            assert {"concept", "label", "points", "actionable", "features"} <= set(reason)
            assert (reason["points"] > 0) == (data["decision"] == "refused")  # reasons point the decision's way
        assert data["application"]["SK_ID_CURR"] == client_id and "AMT_CREDIT" in data["application"]
        assert "TARGET" not in data["application"]
        offer = data["counter_offer"]
        if offer is None:
            assert data["counter_offer_reason"] in ("granted", "none_in_bounds", "no_bounds")
        else:
            assert offer["decision"] == "granted" and offer["proba_default"] < data["threshold"]
            assert set(offer["changes"]) <= {"AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE"}
    assert json.loads((tmp_path / f"{granted}.json").read_text())["counter_offer_reason"] == "granted"


def test_html_and_pdf_letters_are_written(folder, tmp_path):
    out, refused, _ = folder
    assert main(["--model-dir", str(out), "--client-id", str(refused), "--format", "html", "--output",
                 str(tmp_path / "l.html")]) == 0
    assert "Vos droits" in (tmp_path / "l.html").read_text(encoding="utf-8")
    assert main(["--model-dir", str(out), "--client-id", str(refused), "--format", "pdf", "--output",
                 str(tmp_path / "l.pdf")]) == 0
    assert (tmp_path / "l.pdf").read_bytes().startswith(b"%PDF")


def test_an_unknown_client_is_one_clear_line_and_exit_2(folder, tmp_path):
    out, _, _ = folder
    result = subprocess.run([sys.executable, str(PROJECT_DIR / "scripts" / "explain_client.py"), "--model-dir", str(out),
                             "--client-id", "12", "--output", str(tmp_path / "x.json")],
                            capture_output=True, text=True, timeout=300, env=script_env())
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"error: no client 12 in the portfolio of {out}"]
    assert not (tmp_path / "x.json").exists()


@pytest.mark.parametrize("args", [["--client-id", "abc"], ["--client-id", "1", "--format", "docx"],
                                  ["--client-id", "1", "--lang", "de"]])
def test_impossible_options_are_argparse_errors(folder, tmp_path, args, capsys):
    with pytest.raises(SystemExit) as info:
        main(["--model-dir", str(folder[0]), "--output", str(tmp_path / "x.json"), *args])
    assert info.value.code == 2 and "error:" in capsys.readouterr().err


def test_a_missing_output_folder_is_refused_before_any_work(folder, tmp_path, capsys):
    assert main(["--model-dir", str(folder[0]), "--client-id", str(folder[1]), "--output",
                 str(tmp_path / "nowhere" / "x.json")]) == 2
    assert "does not exist" in capsys.readouterr().err
