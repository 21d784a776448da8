"""Comparison charts of the client file: the client among all clients and among similar clients.

Aggregates only (histogram bars computed server-side) and anonymous sampled points: no identifier
is ever sent to the browser. Outcome groups differ by colour AND by hatching; the client's
position is a labelled line or a labelled star, never a colour alone.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from app.figures.client_layout import plain_layout
from app.figures.style import BLACK, BLUE, ORANGE
from app.scoring.comparison import Distribution

#: Colour-blind-safe sequential scale for risk (Cividis: blue -> yellow, readable in grey too).
RISK_SCALE = "Cividis"


def distribution_figure(panels: Sequence[tuple[str, Distribution]], client_value: float | None,
                        client_text: str, *, texts: dict[str, str], lang: str = "fr") -> go.Figure:
    """One histogram panel per group (title, distribution), outcome groups side by side, the
    client's value as a labelled vertical line. ``texts``: "repaid", "difficulties", "x", "y"."""
    fig = make_subplots(rows=1, cols=len(panels), shared_yaxes=False, horizontal_spacing=0.08,
                        subplot_titles=[title for title, _ in panels])
    fig.update_layout(template=None)
    for col, (_, dist) in enumerate(panels, start=1):
        centres = (dist.edges[:-1] + dist.edges[1:]) / 2
        width = float(np.diff(dist.edges).mean()) * 0.45
        for name, shares, colour, pattern, offset in (
            (texts["repaid"], dist.repaid, BLUE, "", -width / 2),
            (texts["difficulties"], dist.difficulties, ORANGE, "/", width / 2),
        ):
            fig.add_trace(go.Bar(
                x=centres + offset, y=shares, width=width, name=name, legendgroup=name, showlegend=col == 1,
                marker={"color": colour, "pattern": {"shape": pattern, "fgcolor": BLACK, "size": 6, "fillmode": "overlay"}},
                hovertemplate=f"{name}<br>%{{y:.1f}} %<extra></extra>",
            ), row=1, col=col)
        if client_value is not None and np.isfinite(client_value):
            x = float(np.clip(client_value, dist.edges[0], dist.edges[-1]))
            fig.add_vline(x=x, row=1, col=col, line={"color": BLACK, "width": 3},
                          annotation_text=client_text, annotation_position="top",
                          annotation_font={"size": 12})
        fig.update_xaxes(title_text=texts["x"], row=1, col=col)
    fig.update_yaxes(title_text=texts["y"], ticksuffix=" %", row=1, col=1)
    plain_layout(fig, height=380, lang=lang, margin={"l": 60, "r": 20, "t": 80, "b": 50})
    fig.update_layout(barmode="overlay", legend={"orientation": "h", "y": 1.18, "x": 0, "yanchor": "bottom"})
    return fig


def cohort_scatter(points, client_x: float | None, client_y: float | None, *, texts: dict[str, str],
                   lang: str = "fr") -> go.Figure:
    """Anonymous clients of the cohort (``points``: columns x, y, risk in %) coloured by risk, and
    the client as a labelled star. ``texts``: "x", "y", "risk", "client", "title"."""
    fig = go.Figure(layout={"template": None}).add_trace(go.Scatter(
        x=points["x"], y=points["y"], mode="markers", name=texts["cohort"],
        marker={"color": points["risk"], "colorscale": RISK_SCALE, "size": 5, "opacity": 0.6,
                "colorbar": {"title": {"text": texts["risk"]}, "ticksuffix": " %"}},
        hovertemplate=f"{texts['x']}: %{{x:.3~f}}<br>{texts['y']}: %{{y:.3~f}}<br>"
                      f"{texts['risk']}: %{{marker.color:.1f}} %<extra></extra>",
    ))
    if client_x is not None and client_y is not None and np.isfinite(client_x) and np.isfinite(client_y):
        fig.add_trace(go.Scatter(
            x=[client_x], y=[client_y], mode="markers+text", name=texts["client"], text=[texts["client"]],
            textposition="top center", textfont={"size": 13, "color": BLACK},
            marker={"symbol": "star", "size": 18, "color": "#FFFFFF", "line": {"color": BLACK, "width": 2}},
            hovertemplate=f"{texts['client']}<extra></extra>",
        ))
    plain_layout(fig, title=texts.get("title"), x_title=texts["x"], y_title=texts["y"], height=420, lang=lang)
    return fig
