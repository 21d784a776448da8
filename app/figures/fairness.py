"""Fairness chart: each group's approval rate relative to the best-treated group (disparate impact),
against the four-fifths line. Pure builder."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from app.figures.style import BLUE, GREY, VERMILLION, base_layout, fast_figure, resolved_template
from app.i18n import translate
from app.presenters.formatting import MISSING_TEXT, percent_suffix, percent_text


def disparate_impact_figure(table: pd.DataFrame, group_labels: dict[str, str], threshold_ratio: float,
                            lang: str) -> go.Figure:
    """One bar per group (ratio in %); groups under the four-fifths line are vermillion, hatched and
    marked with a warning sign in their label, so the flag does not rest on colour alone."""
    impact = table["disparate_impact"].to_numpy(dtype=float)
    known = np.isfinite(impact)  # no group approved at all: the ratio is undefined, shown as "—"
    ok = table["four_fifths_ok"].astype(bool).to_numpy() | ~known
    names = [group_labels.get(str(g), str(g)) for g in table["group"]]
    fig = fast_figure().add_trace(go.Bar(
        x=names, y=np.where(known, 100 * impact, np.nan),
        marker_color=[GREY if not k else BLUE if o else VERMILLION for k, o in zip(known, ok, strict=True)],
        marker_pattern_shape=["" if o else "x" for o in ok],
        text=[MISSING_TEXT if not k else percent_text(v, 0, lang) + ("" if o else " ⚠")
              for v, k, o in zip(impact, known, ok, strict=True)],
        textposition="outside",
        customdata=100 * table["approval_rate"].astype(float),
        hovertemplate=translate("model.fig.di_hover", lang) + "<extra></extra>"))
    fig.add_hline(y=100 * threshold_ratio, line=dict(color="black", dash="dash"),
                  annotation=dict(text=translate("model.fig.four_fifths", lang), bgcolor="white"),
                  annotation_position="top left")
    fig.update_yaxes(range=[0, 115], ticksuffix=percent_suffix(lang))
    base_layout(fig, y_title=translate("model.fig.di_axis", lang), height=300, legend=False, lang=lang, template=False)
    return resolved_template(fig)  # built without validation (style.fast_figure): send the template itself
