"""Score gauge of the client file: probability of default on the grade bands, threshold marked.

A horizontal bullet gauge rather than a dial: the distance to the refusal threshold, which is what
an officer explains, reads as a length. Grade bands carry their letter (not only a colour) and the
threshold line carries its value.
"""
from __future__ import annotations

import math

import plotly.graph_objects as go

from app.figures.client_layout import percent_suffix, separators
from app.figures.style import BLACK, FONT, GREEN, ORANGE, SKY, VERMILLION, YELLOW
from app.i18n import translate
from app.presenters.formatting import number_text
from app.scoring.metrics import grade_bands

#: One colour per grade, from safe (A, green) to risky (E, vermillion): Okabe-Ito, and the letter
#: is always written in its band.
GRADE_COLOURS = {"A": GREEN, "B": SKY, "C": YELLOW, "D": ORANGE, "E": VERMILLION}


def gauge_range(proba: float, threshold: float) -> float:
    """Upper end of the axis, in %: three times the threshold, more if the client is beyond it,
    rounded up to 5 points (a 0-100 % axis would squeeze the whole decision into its first tenth)."""
    top = max(3.0 * 100 * threshold, 1.15 * 100 * proba, 5.0)
    return float(min(100.0, 5.0 * math.ceil(top / 5.0)))


def score_gauge(proba: float, threshold: float, lang: str) -> go.Figure:
    """Bullet gauge of ``proba`` (probability of default, 0-1) against ``threshold`` (0-1)."""
    top = gauge_range(proba, threshold)
    bands = grade_bands(threshold)
    steps = [{"range": [100 * b["min_proba"], min(100 * b["max_proba"], top)], "color": GRADE_COLOURS[b["grade"]]}
             for b in bands if 100 * b["min_proba"] < top]
    indicator = {
        "type": "indicator", "mode": "gauge", "value": 100 * proba,  # the number is written next to the chart, in words
        "gauge": {
            "shape": "bullet",
            "axis": {"range": [0, top], "ticksuffix": percent_suffix(lang)},
            "bar": {"color": BLACK, "thickness": 0.3},
            "steps": steps,
            "threshold": {"line": {"color": BLACK, "width": 4}, "thickness": 1.0, "value": 100 * threshold},
        },
        "domain": {"x": [0.0, 1.0], "y": [0.3, 0.75]},
    }
    annotations = []
    for band in steps:
        lo, hi = band["range"]
        grade = next(g for g, c in GRADE_COLOURS.items() if c == band["color"])
        annotations.append({"x": (lo + hi) / 2 / top, "y": 0.8, "xref": "paper", "yref": "paper",
                            "text": f"<b>{grade}</b>", "showarrow": False, "yanchor": "bottom", "font": {"size": 13}})
    annotations.append({"x": 100 * threshold / top, "y": 0.0, "xref": "paper", "yref": "paper", "yanchor": "bottom",
                        "text": translate("client.gauge.threshold", lang, value=number_text(100 * threshold, 1, lang)),
                        "showarrow": False, "font": {"size": 12}})
    layout = {"template": None, "height": 150, "margin": {"l": 20, "r": 10, "t": 10, "b": 10}, "font": FONT,
              "separators": separators(lang), "paper_bgcolor": "white", "annotations": annotations}
    # one dict validated once: each add_annotation call re-validated the whole layout (~14 ms -> ~3 ms)
    fig = go.Figure({"data": [indicator], "layout": layout})
    return fig
