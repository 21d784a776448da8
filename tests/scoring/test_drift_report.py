"""The drift report parsed once into frozen dataclasses: round trip, the committed report, loud failures."""
import json

import pytest

from app.config import DEFAULT_MODEL_DIR
from app.scoring.artefacts import ArtefactError, FormatVersionError
from app.scoring.drift import PREDICTION, REPORT_FILE
from app.scoring.drift_report import REPORT_VERSION, DriftReport


def _demo() -> dict:
    return json.loads((DEFAULT_MODEL_DIR / REPORT_FILE).read_text(encoding="utf-8"))


def test_the_committed_demo_report_parses_and_writes_back_byte_identical():
    text = (DEFAULT_MODEL_DIR / REPORT_FILE).read_text(encoding="utf-8")
    report = DriftReport.from_dict(json.loads(text))
    assert json.dumps(report.to_dict(), ensure_ascii=False, separators=(",", ":")) == text
    assert report.dataset.n_features == len(report.features) == 48
    assert report.row(PREDICTION) is report.prediction and report.prediction.importance is None
    assert report.row("CREDIT_TERM").histogram.edges is not None and report.row("no such input") is None


@pytest.mark.parametrize("edit, entry", [
    (lambda r: r.pop("dataset"), "'dataset'"),
    (lambda r: r["thresholds"].pop("dataset_share"), "'thresholds.dataset_share'"),
    (lambda r: r["features"][3].update(score=r["features"][3].pop("drift_score")), "'features[3].drift_score'"),
    (lambda r: r["features"][0]["histogram"].pop("edges"), "'features[0].histogram.edges'"),
    (lambda r: r["prediction"].pop("mean_current"), "'prediction.mean_current'"),
])
def test_a_missing_or_renamed_entry_fails_naming_it(edit, entry):
    report = _demo()
    edit(report)
    with pytest.raises(ArtefactError, match=f"lacks {entry}".replace("[", r"\[").replace("]", r"\]")):
        DriftReport.from_dict(report)


def test_an_unknown_or_absent_version_is_refused_with_what_to_do():
    report = _demo()
    report["version"] = REPORT_VERSION + 1
    with pytest.raises(FormatVersionError, match=rf"format version {REPORT_VERSION + 1}, this dashboard reads "
                                                 r"version 1: rerun scripts/drift_report.py"):
        DriftReport.from_dict(report)
    report.pop("version")  # every report written so far records one: without it, it is not a report
    with pytest.raises(FormatVersionError, match="lacks 'version': rerun scripts/drift_report.py"):
        DriftReport.from_dict(report)


def test_a_statistic_of_the_wrong_type_is_named():
    report = _demo()
    report["features"][1]["drifted"] = "yes"
    with pytest.raises(ArtefactError, match=r"'features\[1\].drifted' is str, expected true or false"):
        DriftReport.from_dict(report)
