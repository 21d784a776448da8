"""Drift statistics against known cases and hand-computed values."""
import math

import numpy as np
import pandas as pd
import pytest

from app.scoring import drift
from app.scoring.drift import (
    drift_report,
    feature_drift,
    jensen_shannon,
    psi_categorical,
    psi_numeric,
    read_report,
    wasserstein_normalised,
    write_report,
)
from app.scoring.drift_report import DriftReport


@pytest.fixture
def normal():
    return np.random.default_rng(0).normal(50, 10, size=5000)


def test_identical_samples_show_no_drift(normal):
    row = feature_drift("x", normal, normal.copy())
    assert row["statistic"] == pytest.approx(0.0, abs=1e-12)
    assert row["psi"] == pytest.approx(0.0, abs=1e-12)
    assert not row["drifted"] and row["psi_level"] == "stable"
    cats = ["a", "b", "c"] * 100
    row = feature_drift("c", cats, list(cats), categorical=True)
    assert row["statistic"] == pytest.approx(0.0, abs=1e-12) and not row["drifted"]


def test_same_distribution_other_draw_stays_under_the_thresholds(normal):
    other = np.random.default_rng(1).normal(50, 10, size=5000)
    row = feature_drift("x", normal, other)
    assert row["statistic"] < drift.WASSERSTEIN_THRESHOLD and row["psi"] < drift.PSI_MODERATE
    assert not row["drifted"]


def test_shifted_sample_is_flagged(normal):
    row = feature_drift("x", normal, normal + 5)  # half a standard deviation
    assert row["statistic"] == pytest.approx(5 / np.std(normal), rel=1e-9)  # a pure shift moves every quantile by 5
    assert row["drifted"] and row["psi_level"] == "significant"
    assert row["drift_score"] == pytest.approx(max(row["statistic"] / 0.1, row["psi"] / 0.2))


def test_psi_hand_computed_categorical():
    # shares a/b: 0.5/0.5 -> 0.75/0.25
    expected = (0.75 - 0.5) * math.log(0.75 / 0.5) + (0.25 - 0.5) * math.log(0.25 / 0.5)
    assert psi_categorical(list("aabb"), list("aaab")) == pytest.approx(expected)
    assert expected == pytest.approx(0.274653, abs=1e-6)


def test_psi_hand_computed_numeric_deciles():
    # reference 0..9: each value alone in its decile; current half 0, half 9 -> two bins at 0.5, eight empty
    ref, cur = np.arange(10.0), np.array([0.0] * 5 + [9.0] * 5)
    eps = drift.PSI_EPSILON
    expected = 2 * (0.5 - 0.1) * math.log(0.5 / 0.1) + 8 * (eps - 0.1) * math.log(eps / 0.1)
    assert psi_numeric(ref, cur) == pytest.approx(expected)


def test_psi_counts_missing_values_that_wasserstein_ignores(normal):
    current = normal.copy()
    current[::2] = np.nan
    assert wasserstein_normalised(normal, current) < 0.05
    row = feature_drift("x", normal, current)
    assert row["psi_level"] == "significant" and row["drifted"]


def test_jensen_shannon_hand_computed():
    # P = (0.5, 0.5), Q = (1, 0), M = (0.75, 0.25)
    kl_p = 0.5 * math.log(0.5 / 0.75) + 0.5 * math.log(0.5 / 0.25)
    kl_q = math.log(1 / 0.75)
    assert jensen_shannon(["a", "b"], ["a", "a"]) == pytest.approx(math.sqrt((kl_p + kl_q) / 2))
    assert jensen_shannon(["a", "b"], ["b", "a"]) == pytest.approx(0.0)


def test_missing_category_is_a_level():
    assert jensen_shannon(["a", None, "a", None], ["a", "a", "a", "a"]) > 0.1


def test_few_valued_numbers_are_compared_as_categories():
    flags = np.array([0, 1] * 500, dtype=float)
    row = feature_drift("FLAG", flags, np.ones(1000))
    assert row["kind"] == "categorical" and row["method"] == "jensen_shannon" and row["drifted"]


def test_wasserstein_of_a_constant_reference_does_not_divide_by_zero():
    assert np.isfinite(wasserstein_normalised(np.ones(100), np.ones(100) * 2))


def _frames(shift: float, n: int = 2000):
    rng = np.random.default_rng(3)
    ref = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n),
                        "c": rng.choice(["x", "y"], size=n)})
    cur = pd.DataFrame({"a": rng.normal(size=n) + shift, "b": rng.normal(size=n) + shift,
                        "c": rng.choice(["x", "y"], size=n)})
    return ref, cur


def test_report_ranks_by_drift_times_importance_and_gives_a_verdict():
    ref, cur = _frames(1.0)
    importance = pd.Series({"a": 0.1, "b": 0.4, "c": 0.2})
    report = drift_report(ref, cur, categorical=["c"], importance=importance,
                          reference_proba=np.full(2000, 0.1), current_proba=np.full(2000, 0.3), threshold=0.2)
    rows = {r["feature"]: r for r in report["features"]}
    assert [r["feature"] for r in report["features"]][:2] == ["b", "a"]  # same drift, b matters more
    assert rows["b"]["importance"] == pytest.approx(1.0) and rows["a"]["importance"] == pytest.approx(0.25)
    assert rows["a"]["drifted"] and rows["b"]["drifted"] and not rows["c"]["drifted"]
    assert report["dataset"] == {"n_features": 3, "n_drifted": 2, "share_drifted": pytest.approx(2 / 3), "drift": True}
    assert report["prediction"]["approval_reference"] == 1.0 and report["prediction"]["approval_current"] == 0.0


def test_dataset_verdict_is_stable_below_half():
    ref, cur = _frames(0.0)
    report = drift_report(ref, cur, categorical=["c"])
    assert report["dataset"]["n_drifted"] == 0 and not report["dataset"]["drift"]


def test_report_refuses_missing_columns_and_empty_samples():
    ref, cur = _frames(0.0)
    with pytest.raises(ValueError, match="lacks 1 model inputs: b"):
        drift_report(ref, cur.drop(columns=["b"]))
    with pytest.raises(ValueError, match="rows in both"):
        drift_report(ref, cur.iloc[:0])


def test_histograms_share_bins_and_sum_to_the_non_missing_share(normal):
    current = np.append(normal[:900] + 3, [np.nan] * 100)
    hist = feature_drift("x", normal, current)["histogram"]
    assert len(hist["edges"]) == drift.HISTOGRAM_BINS + 1
    assert sum(hist["reference"]) == pytest.approx(100.0)
    assert sum(hist["current"]) + hist["missing"][1] == pytest.approx(100.0)
    cats = feature_drift("c", list("aab"), list("abb"), categorical=True)["histogram"]
    assert cats["bins"] == ["a", "b"] and cats["reference"] == pytest.approx([200 / 3, 100 / 3])


def test_report_round_trip_and_malformed_file(tmp_path):
    ref, cur = _frames(0.5, n=300)
    path = tmp_path / "r.json"
    written = DriftReport.from_dict(drift_report(ref, cur, categorical=["c"]))
    write_report(written, path)
    assert read_report(path) == written and read_report(path).dataset.n_features == 3
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="cannot be read"):
        read_report(path)
    path.write_text('{"version": 99}', encoding="utf-8")
    with pytest.raises(ValueError, match="drift_report.py"):
        read_report(path)


def test_report_refuses_samples_below_the_minimum_where_chance_reads_as_drift():
    ref, cur = _frames(0.0)
    with pytest.raises(drift.DriftSampleTooSmall, match=f"at least {drift.MIN_DRIFT_SAMPLE} rows in both samples "
                                                        r"\(reference 2,000, current 1\)"):
        drift_report(ref, cur.iloc[:1])  # one row: every feature "drifted" before
    with pytest.raises(drift.DriftSampleTooSmall, match="reference 299"):
        drift_report(ref.iloc[: drift.MIN_DRIFT_SAMPLE - 1], cur)
    assert drift_report(ref, cur.iloc[: drift.MIN_DRIFT_SAMPLE])["current_rows"] == drift.MIN_DRIFT_SAMPLE


def test_categorical_drift_reads_the_reference_rows_a_few_times_not_once_per_level():
    """A defect found while backfilling 12 demo months: the reference's set of levels was rebuilt from
    every row for each level of the current sample (~1 s per categorical input at 30,000 clients).
    Timed against one pass over the reference rows, so a loaded machine slows both alike."""
    import time

    import pandas as pd

    from app.scoring.drift import histogram, jensen_shannon

    rng = np.random.default_rng(0)
    ref = pd.Series(rng.choice([f"level {i}" for i in range(40)], 40_000)).astype("string[pyarrow]")
    cur = pd.Series(rng.choice([f"level {i}" for i in range(60)], 4_000)).astype("string[pyarrow]")

    def timed(action) -> float:
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            action()
            best = min(best, time.perf_counter() - started)
        return best

    one_pass = timed(lambda: set(ref))
    drift_cost = timed(lambda: (histogram(ref, cur, categorical=True), jensen_shannon(ref, cur)))
    assert drift_cost < 20 * one_pass, f"{drift_cost / one_pass:.0f} passes over the reference rows (60 levels)"
