"""Figures of the model page (performance, costs, global explanations). Pure builders.

Every builder takes the language and returns a ``go.Figure``. Probabilities and rates are shown in
%, costs in euros per client (a missed defaulter costs ``cost_fn`` €, a refused good client
``cost_fp`` €, the settings'). Markers carry a text label as well as a colour.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from app.figures.style import (
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    PURPLE,
    SKY,
    VALUE_SCALE,
    VERMILLION,
    base_layout,
    fast_figure,
    resolved_template,
)
from app.i18n import translate
from app.presenters.formatting import MISSING_TEXT, count_text, number_text, percent_suffix, percent_text
from app.scoring.privacy import MIN_COHORT_SIZE


def _finish(fig: go.Figure, lang: str, **layout) -> go.Figure:
    """The shared look, with the template itself (the figures skip validation: ``style.fast_figure``)."""
    return resolved_template(base_layout(fig, lang=lang, template=False, **layout))


def roc_figure(roc: dict, point: tuple[float, float], lang: str) -> go.Figure:
    """ROC curve (out of fold), the random-guess diagonal and the decision rule's point."""
    fig = fast_figure()
    fig.add_scatter(x=[0, 100], y=[0, 100], mode="lines", line=dict(color=GREY, dash="dash"), name=translate("model.fig.random", lang),
                    hoverinfo="skip")
    fig.add_scatter(x=100 * np.asarray(roc["fpr"]), y=100 * np.asarray(roc["tpr"]), mode="lines",
                    line=dict(color=BLUE, width=3), name=translate("model.fig.roc_model", lang, auc=number_text(roc["auc"], 3, lang)),
                    customdata=100 * np.asarray(roc["threshold"]),
                    hovertemplate=translate("model.fig.roc_hover", lang) + "<extra></extra>")
    _rule_point(fig, point, "bottom right", lang)
    return _finish(fig, lang, x_title=translate("model.fig.fpr_axis", lang), y_title=translate("model.fig.tpr_axis", lang))


def pr_figure(pr: dict, point: tuple[float, float], lang: str) -> go.Figure:
    """Precision-recall curve (out of fold), the random model's precision (prevalence), the rule's point."""
    fig = fast_figure()
    prev = 100 * pr["prevalence"]
    fig.add_scatter(x=[0, 100], y=[prev, prev], mode="lines", line=dict(color=GREY, dash="dash"),
                    name=translate("model.fig.pr_random", lang, rate=number_text(prev, 1, lang)), hoverinfo="skip")
    fig.add_scatter(x=100 * np.asarray(pr["recall"]), y=100 * np.asarray(pr["precision"]), mode="lines",
                    line=dict(color=BLUE, width=3), name=translate("model.fig.pr_model", lang, ap=number_text(pr["ap"], 3, lang)),
                    hovertemplate=translate("model.fig.pr_hover", lang) + "<extra></extra>")
    _rule_point(fig, point, "top right", lang)
    return _finish(fig, lang, x_title=translate("model.fig.recall_axis", lang), y_title=translate("model.fig.precision_axis", lang))


def _rule_point(fig: go.Figure, point: tuple[float, float], position: str, lang: str) -> None:
    """The production rule's point (a labelled diamond: not colour alone) and the 0-100 % axes of both curves."""
    fig.add_scatter(x=[100 * point[0]], y=[100 * point[1]], mode="markers+text", marker=dict(symbol="diamond", size=13,
                    color=VERMILLION, line=dict(color="black", width=1)), text=[translate("model.fig.threshold_marker", lang)],
                    textposition=position, name=translate("model.fig.threshold_marker", lang))
    fig.update_xaxes(range=[0, 100], ticksuffix=percent_suffix(lang))
    fig.update_yaxes(range=[0, 101], ticksuffix=percent_suffix(lang))


def calibration_figure(reliability: list[dict], lang: str) -> go.Figure:
    """Reliability diagram (observed vs predicted default rate per bin, with the number of clients)
    above a bar chart of those counts: a bin of 30 clients cannot be read like one of 12,000.
    Bins whose rates are withheld (None: ``metrics.shown_reliability``: under the privacy floor, or
    the next smallest that would give them back) get neither a point nor a count bar (their count
    is the small figure: 4 clients predicted at 90-100 % are 4 clients described), and a note says
    why; the hover of such a bin reads "—"."""
    table = pd.DataFrame(reliability)
    if len(table):
        table[["predicted", "observed"]] = table[["predicted", "observed"]].astype(float)  # None -> NaN
    points = table.dropna(subset=["predicted", "observed"]) if len(table) else table
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.7, 0.3], vertical_spacing=0.06,
                        figure=fast_figure())
    fig.add_scatter(x=[0, 100], y=[0, 100], mode="lines", line=dict(color=GREY, dash="dash"),
                    name=translate("model.fig.perfect", lang), hoverinfo="skip", row=1, col=1)
    if len(points):
        fig.add_scatter(x=100 * points["predicted"], y=100 * points["observed"], mode="lines+markers+text",
                        marker=dict(size=9, color=BLUE, symbol="circle"), line=dict(color=BLUE),
                        text=[f"n={count_text(c, lang)}" for c in points["count"]], textposition="top center",
                        textfont=dict(size=10), name=translate("model.fig.calibration_model", lang),
                        hovertemplate=translate("model.fig.calibration_hover", lang) + "<extra></extra>",
                        customdata=points["count"], row=1, col=1)
    if len(table):
        withheld = table["predicted"].isna() | table["observed"].isna()
        counts = [None if w else int(c) for w, c in zip(withheld, table["count"], strict=True)]
        fig.add_bar(x=100 * (table["lower"] + table["upper"]) / 2, y=counts,
                    width=100 * (table["upper"] - table["lower"]) * 0.9,
                    marker_color=SKY, name=translate("model.fig.clients_per_bin", lang), showlegend=False,
                    customdata=[MISSING_TEXT if w else count_text(c, lang) for w, c in zip(withheld, table["count"], strict=True)],
                    hovertemplate=translate("model.fig.count_hover", lang) + "<extra></extra>", row=2, col=1)
    if len(points) < len(table):
        fig.add_annotation(text=translate("model.fig.calibration_hidden", lang, min=MIN_COHORT_SIZE), xref="paper", yref="paper",
                           x=0, y=1.06, showarrow=False, xanchor="left", font=dict(size=11, color=GREY))
    top = float(max(points["predicted"].max(), points["observed"].max())) * 100 if len(points) else 100.0
    upper = min(100.0, max(10.0, top * 1.15))
    fig.update_xaxes(range=[0, upper], ticksuffix=percent_suffix(lang))
    fig.update_yaxes(range=[0, upper], ticksuffix=percent_suffix(lang), title_text=translate("model.fig.observed_axis", lang), row=1, col=1)
    fig.update_yaxes(title_text=translate("model.fig.clients_axis", lang), row=2, col=1)
    fig.update_xaxes(title_text=translate("model.fig.predicted_axis", lang), row=2, col=1)
    return _finish(fig, lang, height=440)


def confusion_figure(tn: int, fp: int, fn: int, tp: int, lang: str) -> go.Figure:
    """2 x 2 matrix of counts (and % of all clients) at the threshold, each cell named in words."""
    n = max(tn + fp + fn + tp, 1)
    z = [[tn, fp], [fn, tp]]
    names = [[translate("model.fig.cm_tn", lang), translate("model.fig.cm_fp", lang)], [translate("model.fig.cm_fn", lang), translate("model.fig.cm_tp", lang)]]
    text = [[f"<b>{names[i][j]}</b><br>{count_text(z[i][j], lang)}<br>({percent_text(z[i][j] / n, 1, lang)})"
             for j in range(2)] for i in range(2)]
    fig = fast_figure().add_trace(go.Heatmap(
        z=z, x=[translate("model.fig.cm_pred_granted", lang), translate("model.fig.cm_pred_refused", lang)],
        y=[translate("model.fig.cm_true_good", lang), translate("model.fig.cm_true_default", lang)], text=text, texttemplate="%{text}",
        colorscale=[[0, "#F2F7FB"], [1, SKY]], showscale=False, hoverinfo="skip", textfont=dict(size=13)))
    fig.update_yaxes(autorange="reversed")
    return _finish(fig, lang, x_title=translate("model.fig.cm_x", lang), y_title=translate("model.fig.cm_y", lang), height=320, legend=False)


def cost_figure(curve: pd.DataFrame, production: float, optimum: float, chosen: float, lang: str) -> go.Figure:
    """Cost per client against the threshold, approval rate on a second axis, three marked thresholds
    (production: dashed, optimum for these costs: dotted, slider: solid), each labelled in text."""
    fig = make_subplots(specs=[[{"secondary_y": True}]], figure=fast_figure())
    x = 100 * curve["threshold"]
    fig.add_scatter(x=x, y=curve["cost_per_client"], mode="lines", line=dict(color=BLUE, width=3),
                    name=translate("model.fig.cost_line", lang), hovertemplate=translate("model.fig.cost_hover", lang) + "<extra></extra>")
    fig.add_scatter(x=x, y=100 * curve["approval_rate"], mode="lines", line=dict(color=GREEN, dash="dashdot"),
                    name=translate("model.fig.approval_line", lang), hovertemplate=translate("model.fig.approval_hover", lang) + "<extra></extra>",
                    secondary_y=True)
    for value, key, dash, color, pos in ((production, "model.fig.production", "dash", VERMILLION, "top right"),
                                         (optimum, "model.fig.optimum", "dot", PURPLE, "right"),
                                         (chosen, "model.fig.chosen", "solid", ORANGE, "bottom right")):
        fig.add_vline(x=100 * value, line=dict(color=color, dash=dash, width=2),
                      annotation=dict(text=translate(key, lang, value=number_text(100 * value, 1, lang)), font=dict(color="black")),
                      annotation_position=pos)
    fig.update_xaxes(range=[0, 100], ticksuffix=percent_suffix(lang), title_text=translate("model.fig.threshold_axis", lang))
    fig.update_yaxes(title_text=translate("model.fig.cost_axis", lang), rangemode="tozero", secondary_y=False)
    fig.update_yaxes(title_text=translate("model.fig.approval_axis", lang), ticksuffix=percent_suffix(lang), range=[0, 101], dtick=20, secondary_y=True,
                     showgrid=False)
    return _finish(fig, lang, height=400)


def importance_figure(importance: pd.Series, labels: dict[str, str], lang: str) -> go.Figure:
    """Mean |SHAP| of the top features (largest on top), labelled in words."""
    top = importance.iloc[::-1]
    fig = fast_figure().add_trace(go.Bar(x=top.to_numpy(), y=[labels.get(f, f) for f in top.index], orientation="h",
                           marker_color=BLUE, text=[number_text(v, 3, lang) for v in top.to_numpy()], textposition="outside",
                           hovertemplate="%{y}: %{x:.3f}<extra></extra>"))
    fig.update_xaxes(title_text=translate("model.fig.importance_axis", lang))
    return _finish(fig, lang, height=max(300, 28 * len(top) + 80), legend=False)


def summary_figure(points: pd.DataFrame, order: list[str], labels: dict[str, str], lang: str) -> go.Figure:
    """Beeswarm-like summary: one row per feature (most important on top), one dot per client at its
    SHAP value, coloured from blue (low value of the feature) to vermillion (high); grey = category
    or missing. Right of zero raises the risk.

    WebGL markers (``scattergl``): thousands of SVG dots took seconds to draw, longer than the rest of
    the page together; the canvas draws them at once and the axes, labels and legend stay SVG."""
    rows = {f: len(order) - 1 - i for i, f in enumerate(order)}
    pts = points[points["feature"].isin(rows)]
    y = pts["feature"].map(rows).to_numpy(dtype=float) + pts["jitter"].to_numpy(dtype=float)
    ranked = pts["rank"].notna().to_numpy()
    fig = fast_figure()
    fig.add_scattergl(x=pts["shap"].to_numpy()[~ranked], y=y[~ranked], mode="markers", name=translate("model.fig.no_rank", lang),
                      marker=dict(color=GREY, size=5, opacity=0.6, symbol="x-thin-open"), hoverinfo="skip")
    fig.add_scattergl(x=pts["shap"].to_numpy()[ranked], y=y[ranked], mode="markers", name=translate("model.fig.value_rank", lang),
                      marker=dict(color=pts["rank"].to_numpy()[ranked], colorscale=VALUE_SCALE, cmin=0, cmax=1, size=5,
                                  opacity=0.75, colorbar=dict(title=translate("model.fig.value_colorbar", lang), tickvals=[0, 1],
                                                              ticktext=[translate("model.fig.low", lang), translate("model.fig.high", lang)], len=0.6)),
                      hoverinfo="skip")
    fig.add_vline(x=0, line=dict(color="black", width=1))
    fig.update_yaxes(tickvals=list(rows.values()), ticktext=[labels.get(f, f) for f in rows], range=[-0.6, len(order) - 0.4])
    fig.update_xaxes(title_text=translate("model.fig.shap_axis", lang))
    return _finish(fig, lang, height=max(320, 32 * len(order) + 90))


def dependence_figure(points: pd.DataFrame, label: str, categorical: bool, lang: str, scale: float = 1.0) -> go.Figure:
    """How a feature's value moves the risk: SHAP contribution against the value (box per category);
    the cloud of points in WebGL, like the summary's."""
    fig = fast_figure()
    if categorical:
        counts = points["value"].astype(str).value_counts()
        keep = list(counts.index[:15])
        sub = points[points["value"].astype(str).isin(keep)]
        fig.add_box(x=sub["value"].astype(str).replace({"MISSING": "—"}), y=sub["shap"], marker_color=BLUE,
                    boxpoints="outliers", name=label, showlegend=False)
    else:
        values = pd.to_numeric(points["value"], errors="coerce") * scale
        present = values.notna()
        fig.add_scattergl(x=values[present], y=points["shap"][present], mode="markers", showlegend=False,
                          marker=dict(color=BLUE, size=6, opacity=0.5), hovertemplate="%{x}: %{y:+.3f}<extra></extra>")
        missing = int((~present).sum())
        if missing:
            fig.add_annotation(text=translate("model.fig.missing_note", lang, n=missing), xref="paper", yref="paper", x=1, y=1.08,
                               showarrow=False, xanchor="right", font=dict(size=11))
    fig.add_hline(y=0, line=dict(color="black", width=1))
    return _finish(fig, lang, x_title=label, y_title=translate("model.fig.shap_axis", lang), legend=False)


def policy_costs_figure(costs: dict[str, float], lang: str) -> go.Figure:
    """Cost per client of the model and of the alternatives (baselines, naive policies), lowest first,
    each bar labelled with its value; the model's bar is the only blue one and is named."""
    items = sorted(costs.items(), key=lambda kv: kv[1], reverse=True)
    names = [translate("model.fig.policy_" + k, lang) for k, _ in items]
    colours = [BLUE if k == "model" else GREY for k, _ in items]
    fig = fast_figure().add_trace(go.Bar(x=[v for _, v in items], y=names, orientation="h", marker_color=colours,
                           marker_pattern_shape=["" if k == "model" else "/" for k, _ in items],
                           text=[number_text(v, 3, lang) for _, v in items], textposition="outside",
                           hovertemplate="%{y}: %{x:.3f}<extra></extra>"))
    fig.update_xaxes(title_text=translate("model.fig.cost_axis", lang), rangemode="tozero")
    return _finish(fig, lang, height=max(260, 40 * len(items) + 80), legend=False)
