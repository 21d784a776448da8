"""Figures of the monitoring page (data drift). Pure builders over the typed drift report
(:mod:`app.scoring.drift_report`).

Reference (training portfolio) is blue with solid outline, current (new applications) orange and
hatched: the two stay apart in grey-scale print and for colour-blind readers.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from app.figures.style import BLUE, GREY, ORANGE, VERMILLION, base_layout, empty_figure
from app.i18n import translate
from app.presenters.formatting import MISSING_TEXT, number_text, percent_suffix
from app.scoring.drift_report import FeatureDrift, Histogram


def drift_ranking_figure(rows: Sequence[FeatureDrift], labels: dict[str, str], lang: str) -> go.Figure:
    """The riskiest drifts (riskiest on top): drift score bars (1 = alarm level, dashed line), drifted
    features vermillion and hatched, each bar's text giving the score and the feature's importance."""
    rows = list(reversed(rows))
    scores = [r.drift_score for r in rows]  # None: not computable, drawn as no bar
    drifted = [r.drifted for r in rows]
    fig = go.Figure(go.Bar(
        x=[np.nan if s is None else s for s in scores], y=[labels.get(r.feature, r.feature) for r in rows],
        orientation="h",
        marker_color=[GREY if s is None else VERMILLION if d else BLUE for s, d in zip(scores, drifted, strict=True)],
        marker_pattern_shape=["x" if d else "" for d in drifted],
        text=[translate("monitoring.fig.bar_text", lang, score=number_text(s, 2, lang) if s is not None else MISSING_TEXT,
                  importance=number_text(100 * r.importance, 0, lang) if r.importance is not None
                  else MISSING_TEXT)
              + (" ⚠" if d else "") for s, r, d in zip(scores, rows, drifted, strict=True)],
        textposition="outside", cliponaxis=False,
        hovertemplate="%{y}<br>" + translate("monitoring.fig.score_hover", lang) + "<extra></extra>"))
    fig.add_vline(x=1.0, line=dict(color="black", dash="dash"), annotation=dict(text=translate("monitoring.fig.alarm", lang)),
                  annotation_position="top")
    top = max([s for s in scores if s is not None] + [1.0])
    fig.update_xaxes(range=[0, top * 1.45], title_text=translate("monitoring.fig.score_axis", lang))
    base_layout(fig, height=max(300, 30 * len(rows) + 90), legend=False, lang=lang)
    fig.update_layout(margin=dict(l=20))
    fig.update_yaxes(automargin=True)
    return fig


def distribution_figure(hist: Histogram, label: str, lang: str, scale: float = 1.0,
                        category_labels: dict[str, str] | None = None) -> go.Figure:
    """Reference and current distributions of one feature overlaid, as % of each sample, with the
    missing-value shares in the legend names (missing values have no place on the axis)."""
    miss_ref, miss_cur = hist.missing
    names = (translate("monitoring.fig.reference", lang, missing=number_text(miss_ref, 1, lang)),
             translate("monitoring.fig.current", lang, missing=number_text(miss_cur, 1, lang)))
    fig = go.Figure()
    if hist.kind == "numeric":
        edges = np.asarray(hist.edges, dtype=float) * scale
        centres, widths = (edges[:-1] + edges[1:]) / 2, np.diff(edges)
        for values, name, colour, pattern in ((hist.reference, names[0], BLUE, ""),
                                              (hist.current, names[1], ORANGE, "/")):
            fig.add_bar(x=centres, y=values, width=widths, name=name, marker_color=colour, opacity=0.55,
                        marker_pattern_shape=pattern, marker_line=dict(color=colour, width=1),
                        hovertemplate="%{x:.3~g}: %{y:.1f}" + percent_suffix(lang) + "<extra>" + name.split(" (")[0] + "</extra>")
        fig.update_layout(barmode="overlay", bargap=0)
    else:
        shown = [(category_labels or {}).get(b, b) for b in hist.bins or ()]
        shown = [translate("monitoring.fig.other", lang) if b == "__other__" else b for b in shown]
        for values, name, colour, pattern in ((hist.reference, names[0], BLUE, ""),
                                              (hist.current, names[1], ORANGE, "/")):
            fig.add_bar(x=shown, y=values, name=name, marker_color=colour, marker_pattern_shape=pattern,
                        text=[number_text(v, 1, lang) for v in values], textposition="outside",
                        hovertemplate="%{x}: %{y:.1f}" + percent_suffix(lang) + "<extra></extra>")
        fig.update_layout(barmode="group")
    fig.update_yaxes(ticksuffix=percent_suffix(lang), rangemode="tozero")
    return base_layout(fig, x_title=label, y_title=translate("monitoring.fig.share_axis", lang), height=360, lang=lang)


def empty_drift_note(lang: str) -> go.Figure:
    """Placeholder when no drift report is available."""
    return empty_figure(translate("monitoring.fig.no_report", lang))
