"""The drift report of a model folder: computed offline from the portfolio, only read by the dashboard."""
import json

import pytest

from app.scoring.bundle import ModelBundle
from app.scoring.drift import REPORT_FILE
from app.scoring.monitoring import load_report, model_drift_report, portfolio_drift_report, write_portfolio_report


def test_portfolio_report_covers_every_model_input(small_model_dir):
    out, _, labelled, new = small_model_dir
    bundle = ModelBundle.load(out)
    report = portfolio_drift_report(bundle)
    assert {r.feature for r in report.features} == set(bundle.feature_names)
    assert report.reference_rows == len(labelled) and report.current_rows == len(new)
    assert not set(bundle.protected) & {r.feature for r in report.features}
    risks = [r.risk for r in report.features]
    assert risks == sorted(risks, reverse=True)
    assert 0 <= report.prediction.approval_current <= 1


def test_a_batch_is_scored_and_compared(small_model_dir):
    out, _, labelled, _ = small_model_dir
    bundle = ModelBundle.load(out)
    shifted = labelled.copy()
    shifted["AMT_INCOME_TOTAL"] = shifted["AMT_INCOME_TOTAL"] * 3
    report = model_drift_report(bundle, labelled, shifted, current_source="batch.csv", current_label="batch")
    assert report.row("AMT_INCOME_TOTAL").drifted and not report.row("AMT_CREDIT").drifted
    assert report.row("CREDIT_INCOME_RATIO").drifted  # engineered from the shifted income


def test_training_writes_the_report_and_the_dashboard_only_reads_it(small_model_dir, tmp_path):
    out, _, _, _ = small_model_dir
    assert (out / REPORT_FILE).exists()  # run_training wrote it, offline, with the model
    folder = tmp_path / "model"
    folder.mkdir()
    for f in out.iterdir():
        (folder / f.name).write_bytes(f.read_bytes())
    bundle = ModelBundle.load(folder)
    assert load_report(bundle).dataset.n_features == len(bundle.feature_names)
    stale = json.loads((folder / REPORT_FILE).read_text())
    stale["model"]["created_at"] = "1999-01-01T00:00:00+00:00"
    (folder / REPORT_FILE).write_text(json.dumps(stale))
    with pytest.raises(ValueError, match="another model"):
        load_report(bundle)  # a retrained model never shows a stale report
    (folder / REPORT_FILE).write_text("garbage")
    with pytest.raises(ValueError):
        load_report(bundle)
    (folder / REPORT_FILE).unlink()
    with pytest.raises(ValueError, match="drift_report.py"):
        load_report(bundle)  # missing: the page says what to run, nothing is computed in the web process
    written = write_portfolio_report(bundle)
    assert load_report(bundle) == written
