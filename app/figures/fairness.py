"""Fairness chart: each group's approval rate relative to the best-treated group (disparate impact),
against the four-fifths line. Pure builder."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from app.figures.model import separators
from app.figures.style import BLUE, VERMILLION, base_layout
from app.i18n import translate


def disparate_impact_figure(table: pd.DataFrame, group_labels: dict[str, str], threshold_ratio: float,
                            lang: str) -> go.Figure:
    """One bar per group (ratio in %); groups under the four-fifths line are vermillion, hatched and
    marked with a warning sign in their label, so the flag does not rest on colour alone."""
    ok = table["four_fifths_ok"].astype(bool).to_numpy()
    names = [group_labels.get(str(g), str(g)) for g in table["group"]]
    fig = go.Figure(go.Bar(
        x=names, y=100 * table["disparate_impact"].astype(float),
        marker_color=[BLUE if o else VERMILLION for o in ok],
        marker_pattern_shape=["" if o else "x" for o in ok],
        text=[f"{100 * v:.0f} %" + ("" if o else " ⚠") for v, o in zip(table["disparate_impact"], ok)],
        textposition="outside",
        customdata=100 * table["approval_rate"].astype(float),
        hovertemplate=translate("model.fig.di_hover", lang) + "<extra></extra>"))
    fig.add_hline(y=100 * threshold_ratio, line=dict(color="black", dash="dash"),
                  annotation=dict(text=translate("model.fig.four_fifths", lang), bgcolor="white"),
                  annotation_position="top left")
    fig.update_yaxes(range=[0, 115], ticksuffix=" %")
    base_layout(fig, y_title=translate("model.fig.di_axis", lang), height=300, legend=False)
    fig.update_layout(separators=separators(lang))
    return fig
