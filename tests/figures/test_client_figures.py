"""Client-file figures: gauge bands and threshold, waterfall adding up, comparison without identifiers."""

import numpy as np
import pandas as pd
import pytest

from app.figures.client_comparison import cohort_scatter, distribution_figure
from app.figures.gauge import GRADE_COLOURS, gauge_range, score_gauge
from app.figures.waterfall import waterfall_figure
from app.scoring.comparison import bin_edges, distribution, feature_values, percentile_of, scatter_sample


def test_gauge_marks_threshold_and_labels_every_band():
    fig = score_gauge(0.05, 0.085, "fr")
    gauge = fig.data[0].gauge
    assert gauge.threshold.value == pytest.approx(8.5) and fig.data[0].value == pytest.approx(5.0)
    letters = {a.text.strip("<b>/") for a in fig.layout.annotations if a.text.startswith("<b>")}
    assert letters == set("ABCDE")
    assert {s.color for s in gauge.steps} == set(GRADE_COLOURS.values())
    assert any("Seuil de refus 8,5" in a.text for a in fig.layout.annotations)
    assert gauge_range(0.6, 0.085) >= 60  # a client far beyond the threshold stays on the axis


def test_waterfall_steps_and_total():
    fig = waterfall_figure(["Âge = 30 ans", "Autres (3)"], [2.0, -1.0], ["a", "b"], 7.0, 8.0, 8.5,
                           texts={"base": "Base", "client": "Client", "threshold": "Seuil", "axis": "%"}, lang="fr")
    trace = fig.data[0]
    assert list(trace.measure) == ["absolute", "relative", "relative", "total"]
    assert trace.text[1].startswith("\u25b2 +2,0") and trace.text[2].startswith("\u25bc \u22121,0")
    assert fig.layout.separators == ", "
    [line], [name] = fig.layout.shapes, fig.layout.annotations  # the threshold, drawn and named
    assert (line.x0, line.x1, line.line.dash) == (8.5, 8.5, "dash") and (name.text, name.x) == ("Seuil", 8.5)
    assert fig.layout.yaxis.autorange == "reversed" and fig.layout.xaxis.title.text == "%"


def test_distribution_shares_by_outcome_and_no_ids_in_figures():
    values = np.array([1.0, 2.0, 2.0, 3.0, np.nan, 10.0])
    target = np.array([0, 0, 1, 1, 0, np.nan])
    dist = distribution(values, target, bin_edges(values, 4))
    assert dist.repaid.sum() == pytest.approx(100) and dist.difficulties.sum() == pytest.approx(100)
    assert (dist.n_repaid, dist.n_difficulties, dist.n_missing_value) == (2, 2, 1)
    fig = distribution_figure([("Tous", dist)], 2.0, "Ce client : 2",
                              texts={"repaid": "R", "difficulties": "D", "x": "x", "y": "y"})
    assert [t.marker.pattern.shape for t in fig.data] == ["", "/"]  # hatching, not colour only
    points = scatter_sample(np.arange(5000.0), np.arange(5000.0), np.full(5000, 3.0), n=300, seed=1)
    assert list(points.columns) == ["x", "y", "risk"] and len(points) == 300
    assert points.equals(scatter_sample(np.arange(5000.0), np.arange(5000.0), np.full(5000, 3.0), n=300, seed=1))
    fig = cohort_scatter(points, 10.0, 20.0, texts={"x": "x", "y": "y", "risk": "r", "client": "Ce client", "cohort": "c"})
    assert fig.data[1].text == ("Ce client",) and fig.data[0].customdata is None


def test_feature_values_in_display_units():
    frame = pd.DataFrame({"AMT_ANNUITY": [3200.0], "AMT_INCOME_TOTAL": [10000.0], "AMT_CREDIT": [64000.0],
                          "DAYS_BIRTH": [-365.25 * 40], "PROBA_DEFAULT": [0.05],
                          "EXT_SOURCE_1": [np.nan], "EXT_SOURCE_2": [0.2], "EXT_SOURCE_3": [0.4]})
    assert feature_values(frame, "ANNUITY_INCOME_RATIO")[0] == pytest.approx(32.0)
    assert feature_values(frame, "CREDIT_TERM")[0] == pytest.approx(20.0)
    assert feature_values(frame, "AGE_YEARS")[0] == pytest.approx(40.0)
    assert feature_values(frame, "EXT_SOURCE_MEAN")[0] == pytest.approx(0.3)
    assert feature_values(frame, "PROBA_DEFAULT")[0] == pytest.approx(5.0)
    with pytest.raises(KeyError):
        feature_values(frame, "SK_ID_CURR")
    assert percentile_of(np.array([1.0, 2.0, 3.0, 4.0]), 3.0) == 50.0 and percentile_of(np.array([1.0]), np.nan) is None


def test_merged_bars_are_drawn_at_their_width_as_a_share_per_standard_bin():
    from app.scoring.comparison import Panel, merge_panels

    rng = np.random.default_rng(0)
    values = rng.normal(50, 10, 120)
    target = np.r_[np.zeros(90), np.ones(30)]
    dist = distribution(values, target, bin_edges(values, 10))
    (panel,) = merge_panels([Panel("all", dist, True)])
    merged = panel.distribution
    assert merged.merged and set(merged.edges) <= set(dist.edges)
    assert all(((c == 0) | (c >= 20)).all() for c in (merged.counts["repaid"], merged.counts["difficulties"]))
    fig = distribution_figure([("Tous", merged)], 50.0, "Ce client", texts={"repaid": "R", "difficulties": "D", "x": "x", "y": "y"})
    repaid = fig.data[0]
    steps = np.diff(merged.edges)
    np.testing.assert_allclose(np.asarray(repaid.width), steps * 0.45)
    np.testing.assert_allclose(np.asarray(repaid.y) * steps / merged.base_width, merged.repaid)
    assert "%" in repaid.hovertext[0]
