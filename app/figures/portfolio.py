"""Figures of the portfolio page: score distribution, rates by segment, a variable by outcome. Pure.

Builders receive already-aggregated data (histogram counts, per-segment rates from
``app.scoring.groups``), never one point per client: a figure of a 356k-client group stays a few
kilobytes. The privacy floor is the domain's (bars merged or hidden there); builders add two
guards of their own: a count under the floor is never written in a hover or on a bar, and a bar
made wider by merging is drawn at its true width with, as height, its share per standard bin (so the
shape of the distribution is not inflated by the merge), a note saying so under the chart. Every series is told apart by its name, a pattern or text as well as by its colour
(Okabe-Ito palette), units are in axis titles, French by default.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from app.figures.style import (
    BLUE,
    GREY,
    ORANGE,
    VERMILLION,
    base_layout,
    empty_figure,
    fast_figure,
    resolved_template,
)
from app.i18n import normalise_language, translate
from app.presenters.formatting import MISSING_TEXT, count_text, number_text, percent_suffix, percent_text
from app.scoring.cohorts import MIN_COHORT_SIZE


def _count(n, lang: str) -> str:
    """A count as a hover may write it: never one under the privacy floor (the domain merges or hides
    such cells; this is the builder's own guard)."""
    return count_text(n, lang) if n == 0 or n >= MIN_COHORT_SIZE else MISSING_TEXT


def _hover_cells(counts: np.ndarray, share: np.ndarray, hist, lang: str) -> tuple[list[str], list[str]]:
    """(count, share) texts of each bar for the hover; "—" for a bar withheld by the domain."""
    hidden = hist.hidden if getattr(hist, "hidden", None) is not None else np.zeros(len(counts), dtype=bool)
    return ([MISSING_TEXT if h else _count(c, lang) for c, h in zip(counts, hidden, strict=True)],
            [MISSING_TEXT if h else number_text(v, 1, lang) for v, h in zip(share, hidden, strict=True)])


def _heights(counts: np.ndarray, total: int, widths: np.ndarray, base: float) -> tuple[np.ndarray, np.ndarray]:
    """(share of the series in each bar, in %; height drawn: that share per standard bin)."""
    share = np.asarray(counts, dtype=float) / max(total, 1) * 100
    return share, share * base / widths


def _notes(fig: go.Figure, hist, lang: str, y: float = -0.22) -> None:
    """Say under the chart which bars were merged or hidden for privacy."""
    keys = (["portfolio.fig.merged"] if getattr(hist, "merged", False) else []) + \
        (["portfolio.fig.bins_hidden"] if getattr(hist, "any_hidden", False) else [])
    for i, key in enumerate(keys):
        fig.add_annotation(text=translate(key, lang, min=MIN_COHORT_SIZE), x=0, y=y - 0.07 * i, xref="paper", yref="paper",
                           showarrow=False, xanchor="left", font=dict(size=11, color=GREY))
    if keys:
        fig.update_layout(margin=dict(b=70 + 20 * len(keys)))


def _finish(fig: go.Figure, lang: str, **layout) -> go.Figure:
    base_layout(fig, lang=lang, template=False, **layout)
    fig.update_layout(bargap=0.05)
    return resolved_template(fig)


def score_distribution(hist, threshold: float, lang: str, title: str | None = None) -> go.Figure:
    """Share of the group per probability bin, granted bars (blue) left of the labelled threshold
    line and refused bars (orange, hatched) right of it. ``hist``: ``groups.Histogram`` or None."""
    lang = normalise_language(lang)
    if hist is None:
        return empty_figure(translate("portfolio.fig.not_described", lang, min=MIN_COHORT_SIZE))
    pct = percent_suffix(lang)
    edges = np.asarray(hist.edges, dtype=float)
    total = max(sum(hist.totals.values()), 1)
    centres, widths = (edges[:-1] + edges[1:]) / 2, np.diff(edges)
    base = float(hist.base_width or widths.min())
    fig = fast_figure()
    for key, colour, pattern in (("granted", BLUE, ""), ("refused", ORANGE, "/")):
        counts = np.asarray(hist.counts[key])
        share, height = _heights(counts, total, widths, base)
        ranges = [f"{number_text(lo, 1, lang)}–{number_text(hi, 1, lang)}" for lo, hi in zip(edges[:-1], edges[1:], strict=True)]
        fig.add_trace(go.Bar(
            x=centres, y=height, width=widths, name=translate(f"portfolio.fig.{key}", lang), marker_color=colour,
            marker_pattern_shape=pattern,
            customdata=np.column_stack([_hover_cells(counts, share, hist, lang)[0], ranges,
                                        _hover_cells(counts, share, hist, lang)[1]]),
            hovertemplate=f"%{{customdata[1]}}{pct}<br>%{{customdata[2]}}{pct} — %{{customdata[0]}} "
            + translate("portfolio.fig.clients", lang) + "<extra>%{fullData.name}</extra>",
        ))
    thr = threshold * 100
    fig.add_vline(x=thr, line=dict(color="#222222", width=2, dash="dash"))
    fig.add_annotation(x=thr, y=0.98, yref="paper", yanchor="top", showarrow=False, xanchor="left", xshift=4,
                       text=translate("portfolio.fig.threshold", lang, value=percent_text(threshold, 1, lang)), font=dict(size=12),
                       bgcolor="rgba(255,255,255,0.85)")
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(range=[0, edges[-1]])
    _notes(fig, hist, lang)
    return _finish(fig, lang, title=title, x_title=translate("portfolio.fig.proba_axis", lang), y_title=translate("portfolio.fig.share_axis", lang))


def segment_rates(table: pd.DataFrame | None, segment_title: str, lang: str = "fr",
                  labels: dict[str, str] | None = None, title: str | None = None, compared: bool = False) -> go.Figure:
    """Approval and observed default rate per segment: grouped bars with the value and the number
    of clients written on each bar; segments too small to describe are shown empty and named, with
    neither rate nor count (their count would be the small figure). ``compared``: the group is
    shown next to another one, whose segments were hidden with it (the note says so)."""
    lang = normalise_language(lang)
    if table is None or not len(table):
        return empty_figure(translate("portfolio.fig.not_described", lang, min=MIN_COHORT_SIZE))
    labels = labels or {}
    names = [labels.get(str(s), str(s)) for s in table["segment"]]
    fig = fast_figure()
    clients = translate("portfolio.fig.clients", lang)
    for col, n_col, key, colour, pattern in (("approval_rate", "n", "approval", BLUE, ""),
                                             ("default_rate", "n_known", "default", VERMILLION, "x")):
        rates = table[col].to_numpy(dtype=float)
        counts = table[n_col].to_numpy()
        text = [MISSING_TEXT if np.isnan(r) else f"{percent_text(r, 1, lang)}<br>n={_count(c, lang)}"
                for r, c in zip(rates, counts, strict=True)]
        # the hover says "—" for a hidden rate, like the bar's text: the bar's height 0 is no rate,
        # and no count either (a hidden segment's size is the small figure itself)
        hover = [MISSING_TEXT if np.isnan(r) else percent_text(r, 1, lang) for r in rates]
        sizes = ["" if np.isnan(r) else f" ({_count(c, lang)} {clients})" for r, c in zip(rates, counts, strict=True)]
        fig.add_trace(go.Bar(
            x=names, y=np.where(np.isnan(rates), 0, rates * 100), name=translate(f"portfolio.fig.{key}", lang), marker_color=colour,
            marker_pattern_shape=pattern, text=text, textposition="outside", cliponaxis=False,
            customdata=np.column_stack([sizes, hover]),
            hovertemplate="%{x}<br>%{customdata[1]}%{customdata[0]}<extra>%{fullData.name}</extra>",
        ))
    hidden = table["approval_rate"].isna() | table["default_rate"].isna()
    top = np.nanmax(table[["approval_rate", "default_rate"]].to_numpy(dtype=float)) if (~hidden).any() else 1.0
    fig.update_layout(barmode="group", uniformtext=dict(minsize=9, mode="show"))
    fig.update_yaxes(range=[0, min(max(top * 100 * 1.25, 5), 118)], tickvals=list(range(0, 101, 20)))
    if hidden.any():
        fig.add_annotation(text=translate("portfolio.fig.hidden_compared", lang, min=MIN_COHORT_SIZE) if compared
                           else translate("portfolio.fig.hidden", lang, min=MIN_COHORT_SIZE),
                           x=0, y=-0.28, xref="paper", yref="paper",
                           showarrow=False, xanchor="left", font=dict(size=11, color=GREY))
    return _finish(fig, lang, title=title, x_title=segment_title, y_title=translate("portfolio.fig.rate_axis", lang), height=380)


def _decimals(width: float) -> int:
    """Decimals that tell a bar's edges apart (0.05-wide scores need 2, € amounts none)."""
    return 0 if width >= 10 else 1 if width >= 1 else 2


def feature_by_outcome(hist, feature_title: str, lang: str = "fr", title: str | None = None) -> go.Figure:
    """Distribution of a variable among repaid clients (blue line, circles) and clients with payment
    difficulties (vermillion dashed line, diamonds), each as % of its own outcome group, one point per
    bar of ``hist`` (merged bars: their share per standard bin, the hover gives the bar's range,
    share and count)."""
    lang = normalise_language(lang)
    if hist is None:
        return empty_figure(translate("portfolio.fig.no_outcome", lang, min=MIN_COHORT_SIZE))
    pct = percent_suffix(lang)
    edges = np.asarray(hist.edges, dtype=float)
    centres, widths = (edges[:-1] + edges[1:]) / 2, np.diff(edges)
    base = float(hist.base_width or widths.min())
    ranges = [f"{number_text(lo, _decimals(hi - lo), lang)}–{number_text(hi, _decimals(hi - lo), lang)}"
              for lo, hi in zip(edges[:-1], edges[1:], strict=True)]
    fig = fast_figure()
    for key, colour, dash, symbol in (("repaid", BLUE, "solid", "circle"), ("difficulties", VERMILLION, "dash", "diamond")):
        counts = np.asarray(hist.counts[key])
        share, height = _heights(counts, hist.totals[key], widths, base)
        name = f"{translate('portfolio.fig.' + key, lang)} (n={_count(hist.totals[key], lang)})"
        fig.add_trace(go.Scatter(
            x=centres, y=height, name=name, mode="lines+markers", line=dict(color=colour, dash=dash, width=2),
            marker=dict(symbol=symbol, size=7),
            customdata=np.column_stack([_hover_cells(counts, share, hist, lang)[0], ranges,
                                        _hover_cells(counts, share, hist, lang)[1]]),
            hovertemplate=f"%{{customdata[1]}}<br>%{{customdata[2]}}{pct} (%{{customdata[0]}} " + translate("portfolio.fig.clients", lang)
            + ")<extra>%{fullData.name}</extra>",
        ))
    _notes(fig, hist, lang)
    return _finish(fig, lang, title=title, x_title=feature_title, y_title=translate("portfolio.fig.outcome_axis", lang))
