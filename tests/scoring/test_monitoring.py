"""The drift report of a model folder: built from the portfolio, cached on disk, recomputed when stale."""
import json

import pytest

from app.scoring.bundle import ModelBundle
from app.scoring.drift import REPORT_FILE
from app.scoring.monitoring import load_or_build_report, model_drift_report, portfolio_drift_report


def test_portfolio_report_covers_every_model_input(small_model_dir):
    out, _, labelled, new = small_model_dir
    bundle = ModelBundle.load(out)
    report = portfolio_drift_report(bundle)
    assert {r["feature"] for r in report["features"]} == set(bundle.feature_names)
    assert report["reference_rows"] == len(labelled) and report["current_rows"] == len(new)
    assert not set(bundle.protected) & {r["feature"] for r in report["features"]}
    risks = [r["risk"] for r in report["features"]]
    assert risks == sorted(risks, reverse=True)
    assert 0 <= report["prediction"]["approval_current"] <= 1


def test_a_batch_is_scored_and_compared(small_model_dir):
    out, _, labelled, _ = small_model_dir
    bundle = ModelBundle.load(out)
    shifted = labelled.copy()
    shifted["AMT_INCOME_TOTAL"] = shifted["AMT_INCOME_TOTAL"] * 3
    report = model_drift_report(bundle, labelled, shifted, current_source="batch.csv", current_label="batch")
    rows = {r["feature"]: r for r in report["features"]}
    assert rows["AMT_INCOME_TOTAL"]["drifted"] and not rows["AMT_CREDIT"]["drifted"]
    assert rows["CREDIT_INCOME_RATIO"]["drifted"]  # engineered from the shifted income


def test_report_is_cached_and_recomputed_for_another_model(small_model_dir, tmp_path):
    out, _, _, _ = small_model_dir
    folder = tmp_path / "model"
    folder.mkdir()
    for f in out.iterdir():
        (folder / f.name).write_bytes(f.read_bytes())
    bundle = ModelBundle.load(folder)
    first = load_or_build_report(bundle)
    assert (folder / REPORT_FILE).exists()
    assert load_or_build_report(bundle)["created_at"] == first["created_at"]
    stale = json.loads((folder / REPORT_FILE).read_text())
    stale["model"]["created_at"] = "1999-01-01T00:00:00+00:00"
    stale["created_at"] = "stale"
    (folder / REPORT_FILE).write_text(json.dumps(stale))
    assert load_or_build_report(bundle)["created_at"] != "stale"
    (folder / REPORT_FILE).write_text("garbage")
    assert load_or_build_report(bundle)["dataset"]["n_features"] == len(bundle.feature_names)
