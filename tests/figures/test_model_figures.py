"""Figures of the model and monitoring pages: language-aware numbers, missing values never drawn as 0."""
from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from app.figures.drift import distribution_figure, drift_ranking_figure
from app.figures.fairness import disparate_impact_figure
from app.figures.model import calibration_figure, confusion_figure, roc_figure
from app.figures.style import separators
from app.presenters.formatting import MISSING_TEXT, NBSP
from app.scoring.drift_report import FeatureDrift, Histogram


def _json(fig: go.Figure) -> str:
    go.Figure(fig.to_dict())  # valid plotly
    return json.dumps(fig.to_plotly_json(), ensure_ascii=False, default=str)


def test_separators_follow_the_language():
    assert separators("fr") == ", " and separators("en") == ".,"


def test_undefined_disparate_impact_is_a_dash_not_a_bar_nor_a_flag():
    table = pd.DataFrame({"group": ["F", "M", "XNA"], "disparate_impact": [1.0, 0.7, math.nan],
                          "four_fifths_ok": [True, False, False], "approval_rate": [0.8, 0.56, 0.0]})
    fig = disparate_impact_figure(table, {"F": "Women", "M": "Men"}, 0.8, "en")
    bar = fig.data[0]
    assert list(bar.text) == ["100%", "70% ⚠", MISSING_TEXT]
    assert bar.y[0] == 100 and math.isnan(bar.y[2])  # no bar for the undefined ratio
    assert bar.marker.pattern.shape[2] == ""  # not hatched as flagged
    assert fig.layout.yaxis.ticksuffix == "%" and fig.layout.separators == ".,"
    assert "nan" not in " ".join(bar.text).lower()
    french = disparate_impact_figure(table, {}, 0.8, "fr")
    assert french.data[0].text[1] == f"70{NBSP}% ⚠" and french.layout.separators == ", "
    _json(fig)


def test_missing_drift_score_is_not_drawn_as_zero():
    hist = Histogram(kind="numeric", edges=(0.0, 1.0), reference=(100.0,), current=(100.0,), missing=(0.0, 0.0))
    row = FeatureDrift(feature="AMT_CREDIT", kind="numeric", method="wasserstein", statistic=0.14,
                       statistic_threshold=0.1, psi=0.01, psi_level="stable", drift_score=1.4, drifted=True,
                       histogram=hist, importance=0.2, risk=0.28)
    rows = [row, dataclasses.replace(row, feature="EXT_SOURCE_1", statistic=None, drift_score=None, drifted=False,
                                     importance=0.1, risk=None)]
    fig = drift_ranking_figure(rows, {"AMT_CREDIT": "Credit"}, "fr")
    bar = fig.data[0]  # riskiest on top: reversed order
    assert math.isnan(bar.x[0]) and bar.x[1] == 1.4
    assert bar.text[0].startswith(MISSING_TEXT) and "0,00" not in bar.text[0]
    assert bar.text[1].startswith("1,40") and bar.text[1].endswith("⚠")
    _json(fig)


def test_distribution_shows_translated_categories_and_language_percent():
    hist = Histogram(kind="categorical", bins=("Working", "MISSING", "__other__"), reference=(60.0, 30.0, 10.0),
                     current=(50.0, 40.0, 10.0), missing=(0.0, 1.5))
    fig = distribution_figure(hist, "Income type", "en", category_labels={"Working": "Salarié", "MISSING": "—"})
    assert list(fig.data[0].x) == ["Salarié", "—", "Other"]
    assert fig.layout.yaxis.ticksuffix == "%"
    assert fig.data[1].name == "Current (missing 1.5%)" and "%{y:.1f}%<extra>" in fig.data[0].hovertemplate


def test_confusion_counts_and_shares_in_the_reader_language():
    english = _json(confusion_figure(12345, 10, 20, 30, "en"))
    assert "12,345" in english and "99.5%" in english
    french = _json(confusion_figure(12345, 10, 20, 30, "fr"))
    assert f"12{NBSP}345" in french and f"99,5{NBSP}%" in french


def test_curves_use_the_language_percent_suffix():
    roc = {"fpr": np.linspace(0, 1, 5), "tpr": np.linspace(0, 1, 5) ** 0.5, "threshold": np.linspace(1, 0, 5), "auc": 0.7}
    assert roc_figure(roc, (0.2, 0.5), "en").layout.xaxis.ticksuffix == "%"
    assert roc_figure(roc, (0.2, 0.5), "fr").layout.xaxis.ticksuffix == f"{NBSP}%"


def test_calibration_bins_without_rates_get_neither_a_point_nor_a_count():
    """A count bar of 4 clients is a statistic about 4 clients; the 30 go with them (secondary
    suppression: the total minus the shown bars would give the 4 back)."""
    bins = [{"lower": 0.0, "upper": 0.1, "count": 200, "predicted": 0.05, "observed": 0.05},
            {"lower": 0.4, "upper": 0.5, "count": 30, "predicted": None, "observed": None},
            {"lower": 0.9, "upper": 1.0, "count": 4, "predicted": None, "observed": None}]
    fig = calibration_figure(bins, "fr")
    _json(fig)
    points, bars = fig.data[1], fig.data[2]
    assert list(points.y) == [5.0] and list(points.text) == ["n=200"]
    assert list(bars.y) == [200, None, None]
    assert list(bars.customdata) == ["200", MISSING_TEXT, MISSING_TEXT] and "customdata" in bars.hovertemplate
    assert any("moins de 20 clients" in a.text for a in fig.layout.annotations)
