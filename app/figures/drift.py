"""Figures of the monitoring page: data drift of one report (:mod:`app.scoring.drift_report`) and
the monthly history (score PSI, input drift trend, decision rates, realised performance). Pure
builders: no Dash, no database.

Reference (training portfolio) is blue with solid outline, current (new applications) orange and
hatched: the two stay apart in grey-scale print and for colour-blind readers.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from app.figures.style import BLACK, BLUE, GREEN, GREY, ORANGE, VERMILLION, base_layout, empty_figure
from app.i18n import translate
from app.presenters.formatting import MISSING_TEXT, month_text, number_text, percent_suffix
from app.scoring.drift import PSI_MODERATE, PSI_SIGNIFICANT
from app.scoring.drift_report import FeatureDrift, Histogram
from app.scoring.realised import MonthPerformance


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


# --- monitoring over time (one point per application month, ``app.scoring.history``) -------------


def _months(periods: Sequence[str], lang: str) -> list[str]:
    return [month_text(p, lang) for p in periods]


def score_psi_figure(periods: Sequence[str], psi: Sequence[float | None], lang: str) -> go.Figure:
    """Score PSI month by month: bars blue (stable), orange dotted (moderate), vermillion hatched
    (significant), the value written on each bar; dashed lines at the two PSI levels. A month without
    drift figures (under 300 applications) has no bar and says so."""
    levels = [None if v is None else "significant" if v >= PSI_SIGNIFICANT else "moderate" if v >= PSI_MODERATE
              else "stable" for v in psi]
    colour = {"stable": BLUE, "moderate": ORANGE, "significant": VERMILLION, None: GREY}
    pattern = {"stable": "", "moderate": ".", "significant": "x", None: ""}
    fig = go.Figure(go.Bar(
        x=_months(periods, lang), y=[np.nan if v is None else v for v in psi],
        marker_color=[colour[lv] for lv in levels], marker_pattern_shape=[pattern[lv] for lv in levels],
        text=[translate("monitoring.fig.no_drift_month", lang) if v is None else number_text(v, 3, lang) + (" ⚠" if v >= PSI_SIGNIFICANT
              else "") for v in psi],
        textposition="outside", cliponaxis=False, hovertemplate="%{x}: PSI %{y:.3f}<extra></extra>"))
    for level, dash, key in ((PSI_MODERATE, "dot", "psi_moderate"), (PSI_SIGNIFICANT, "dash", "psi_significant")):
        fig.add_hline(y=level, line=dict(color=BLACK, dash=dash, width=1),
                      annotation=dict(text=translate(f"monitoring.fig.{key}", lang, value=number_text(level, 1, lang))),
                      annotation_position="top left")
    top = max([v for v in psi if v is not None] + [PSI_SIGNIFICANT])
    fig.update_yaxes(range=[0, top * 1.25], title_text=translate("monitoring.fig.psi_axis", lang), rangemode="tozero")
    fig.update_xaxes(type="category")
    return base_layout(fig, height=320, legend=False, lang=lang)


def input_trend_figure(labels: Sequence[str], periods: Sequence[str], scores: Sequence[Sequence[float | None]],
                       lang: str) -> go.Figure:
    """Drift score of the top inputs (rows, riskiest on top) month by month (columns): a cividis heat
    map (readable by colour-blind readers and in grey) with the score written in every cell, ⚠ from
    the alarm level (1) on."""
    z = [[np.nan if v is None else v for v in row] for row in scores]
    text = [[MISSING_TEXT if v is None else number_text(v, 2, lang) + (" ⚠" if v >= 1.0 else "") for v in row]
            for row in scores]
    finite = [v for row in scores for v in row if v is not None]
    fig = go.Figure(go.Heatmap(
        z=z, x=_months(periods, lang), y=list(labels), text=text, texttemplate="%{text}", colorscale="Cividis",
        zmin=0, zmax=max(2.0, max(finite) if finite else 2.0),
        colorbar=dict(title=dict(text=translate("monitoring.fig.score_short", lang))),
        hovertemplate="%{y}<br>%{x}: " + translate("monitoring.fig.score_hover_z", lang) + "<extra></extra>"))
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(type="category", side="top")
    base_layout(fig, height=max(260, 34 * len(labels) + 100), legend=False, lang=lang)
    fig.update_layout(margin=dict(l=20, t=40))
    return fig


def rates_figure(periods: Sequence[str], approval: Sequence[float | None], override: Sequence[float | None],
                 mean_proba: Sequence[float | None], lang: str) -> go.Figure:
    """Three monthly rates in %: model approval (blue, solid, circles), officers' overrides
    (vermillion, dashed, squares), mean predicted probability (green, dotted, diamonds)."""
    fig = go.Figure()
    for values, key, colour, dash, symbol in ((approval, "approval", BLUE, "solid", "circle"),
                                              (override, "override", VERMILLION, "dash", "square"),
                                              (mean_proba, "mean_proba", GREEN, "dot", "diamond")):
        fig.add_scatter(x=_months(periods, lang), y=[np.nan if v is None else 100 * v for v in values],
                        name=translate(f"monitoring.fig.{key}", lang), mode="lines+markers", connectgaps=False,
                        line=dict(color=colour, dash=dash), marker=dict(symbol=symbol, size=9),
                        hovertemplate="%{x}: %{y:.1f}" + percent_suffix(lang) + "<extra>" + translate(f"monitoring.fig.{key}", lang) + "</extra>")
    fig.update_yaxes(ticksuffix=percent_suffix(lang), rangemode="tozero", title_text=translate("monitoring.fig.rate_axis", lang))
    fig.update_xaxes(type="category")
    return base_layout(fig, height=340, lang=lang)


def realised_figure(months: Sequence[MonthPerformance], lang: str) -> go.Figure:
    """Observed default rate of the granted loans (blue circles, 95 % interval as error bars) against
    the mean probability the model gave them (orange crosses, dashed); ⚠ above a month on alert."""
    x = _months([m.period for m in months], lang)
    observed = [100 * m.default_rate for m in months]
    fig = go.Figure()
    fig.add_scatter(
        x=x, y=observed, name=translate("monitoring.fig.observed_rate", lang), mode="markers+text", marker=dict(color=BLUE, size=10),
        error_y=dict(type="data", symmetric=False, array=[100 * m.default_interval[1] - o for m, o in
                                                          zip(months, observed, strict=True)],
                     arrayminus=[o - 100 * m.default_interval[0] for m, o in zip(months, observed, strict=True)]),
        text=["⚠" if "default_rate" in m.alerts else "" for m in months], textposition="top center",
        hovertemplate="%{x}: %{y:.1f}" + percent_suffix(lang) + "<extra>" + translate("monitoring.fig.observed_rate", lang) + "</extra>")
    fig.add_scatter(x=x, y=[100 * m.mean_proba for m in months], name=translate("monitoring.fig.predicted_rate", lang),
                    mode="lines+markers", line=dict(color=ORANGE, dash="dash"), marker=dict(symbol="x", size=10),
                    hovertemplate="%{x}: %{y:.1f}" + percent_suffix(lang) + "<extra>" + translate("monitoring.fig.predicted_rate", lang)
                    + "</extra>")
    fig.update_yaxes(ticksuffix=percent_suffix(lang), rangemode="tozero", title_text=translate("monitoring.fig.default_axis", lang))
    fig.update_xaxes(type="category")
    return base_layout(fig, height=340, lang=lang)
