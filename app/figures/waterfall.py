"""Local SHAP waterfall of the client file, in percentage points of probability of default.

Reads top to bottom: the average client's probability (base rate), each feature's push up or down
with the client's value in words, the remaining features summed, and the client's probability. The
direction is written on every bar (+/- points and an arrow; no arrow on a step that rounds to 0.0), so
the colour is never needed to read it. Numbers and units follow the reader's language.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import plotly.graph_objects as go

from app.figures.client_layout import layout_spec, percent_suffix
from app.figures.style import BLUE, GREY, VERMILLION
from app.presenters.client_file import percent_text
from app.presenters.client_view import step_text


def waterfall_figure(
    labels: Sequence[str],
    points: Sequence[float],
    hover: Sequence[str],
    base_percent: float,
    final_percent: float,
    threshold_percent: float,
    *,
    texts: dict[str, str],
    lang: str,
) -> go.Figure:
    """Horizontal waterfall.

    ``labels`` / ``points`` / ``hover``: one entry per step ("Âge = 35 ans", +1.2, hover text), in
    reading order. ``texts``: translated "base", "client", "threshold", "axis".
    """
    y = [texts["base"], *labels, texts["client"]]
    trace = {
        "type": "waterfall", "orientation": "h",
        "measure": ["absolute", *(["relative"] * len(points)), "total"],
        "y": y,
        "x": [base_percent, *points, final_percent],
        "text": [percent_text(base_percent / 100, lang), *[step_text(p, lang) for p in points],
                 percent_text(final_percent / 100, lang)],
        "textposition": "outside",
        "hovertext": [texts["base"], *hover, texts["client"]],
        "hoverinfo": "text",
        "increasing": {"marker": {"color": VERMILLION}},
        "decreasing": {"marker": {"color": BLUE}},
        "totals": {"marker": {"color": GREY}},
        "connector": {"line": {"color": "#BBBBBB", "width": 1}},
        "cliponaxis": False,
    }
    layout = layout_spec(x_title=texts["axis"], height=110 + 34 * len(y), legend=False, lang=lang,
                         margin={"l": 10, "r": 70, "t": 40, "b": 50})
    low, high, ticks = _axis(base_percent, points, final_percent, threshold_percent)
    layout["xaxis"].update(ticksuffix=percent_suffix(lang), range=[low, high], tickvals=ticks)
    layout["yaxis"].update(autorange="reversed", automargin=True, tickfont={"size": 12})
    # The threshold: a dashed vertical line across the plot, its name above it (what add_vline draws).
    layout["shapes"] = [{"type": "line", "xref": "x", "yref": "y domain", "x0": threshold_percent,
                         "x1": threshold_percent, "y0": 0, "y1": 1,
                         "line": {"color": "#000000", "dash": "dash", "width": 2}}]
    layout["annotations"] = [{"text": texts["threshold"], "xref": "x", "yref": "y domain", "x": threshold_percent,
                              "y": 1, "xanchor": "center", "yanchor": "bottom", "showarrow": False,
                              "font": {"size": 12}}]
    return go.Figure({"data": [trace], "layout": layout})  # built and validated in one step


def _axis(base: float, points: Sequence[float], final: float, threshold: float) -> tuple[float, float, list[float]]:
    """Range and ticks of the probability axis.

    A step that lowers the risk is labelled on its left; near 0 % that label would sit on the feature
    names, so the range starts left of zero, and only non-negative ticks are drawn (a probability is
    never negative, the room is only for text).
    """
    cumulative = [base]
    for p in points:
        cumulative.append(cumulative[-1] + p)
    high = max(max(cumulative), final, threshold)
    step = _nice_step(high / 5)
    ticks = [i * step for i in range(int(high / step) + 2) if i * step <= high * 1.15]
    return -0.3 * high, high * 1.18, ticks


def _nice_step(raw: float) -> float:
    """1, 2, 2.5 or 5 times a power of ten: tick spacing a reader does not have to decode."""
    if raw <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
