"""Shared look of every chart: the colour-blind-safe palette and small layout helpers.

Okabe-Ito palette (distinguishable with the common colour-vision deficiencies). Colour is never the
only carrier of meaning: builders also use labels, line dashes, marker symbols or text.
"""
from __future__ import annotations

from functools import lru_cache

import plotly.graph_objects as go

from app.i18n import normalise_language

BLUE = "#0072B2"
ORANGE = "#E69F00"
VERMILLION = "#D55E00"
GREEN = "#009E73"
SKY = "#56B4E9"
YELLOW = "#F0E442"
PURPLE = "#CC79A7"
GREY = "#999999"
BLACK = "#000000"
PALETTE = (BLUE, ORANGE, GREEN, VERMILLION, SKY, PURPLE, YELLOW, GREY)
#: Diverging scale for "low value -> high value" colouring (blue to orange, safe for deuteranopia).
VALUE_SCALE = ((0.0, BLUE), (0.5, "#E0E0E0"), (1.0, VERMILLION))

FONT = dict(family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size=13)


def separators(lang: str) -> str:
    """Plotly's decimal and thousands separators for the language (12 500,5 / 12,500.5): the same
    number formats in charts as in the page's text (``app.presenters.formatting``)."""
    return ", " if normalise_language(lang) == "fr" else ".,"


def base_layout(fig: go.Figure, *, title: str | None = None, x_title: str | None = None,
                y_title: str | None = None, height: int = 360, legend: bool = True,
                lang: str | None = None, template: bool = True) -> go.Figure:
    """Apply the common layout: white background, light grid, readable fonts, legend on top, and
    (given ``lang``) the language's number separators. ``template=False`` for a figure finished by
    :func:`resolved_template` (naming the template makes plotly.py load and copy it: ~25 ms)."""
    if lang is not None:
        fig.update_layout(separators=separators(lang))
    if template:
        fig.update_layout(template="plotly_white")
    fig.update_layout(
        font=FONT, height=height, margin=dict(l=60, r=20, t=50 if title else 20, b=50),
        title=dict(text=title, x=0, xanchor="left", font=dict(size=15)) if title else None,
        showlegend=legend,
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        hoverlabel=dict(font_size=13),
    )
    if x_title is not None:
        fig.update_xaxes(title_text=x_title)
    if y_title is not None:
        fig.update_yaxes(title_text=y_title)
    return fig


def fast_figure() -> go.Figure:
    """A figure that skips plotly.py's property validation: building a page's charts is then about
    4 times faster. Tests re-validate such figures (``go.Figure(fig.to_dict())``) so that a misspelt
    property still fails a test; finish them with :func:`resolved_template`."""
    return go.Figure(_validate=False)


@lru_cache(maxsize=1)
def _white_template() -> dict:
    import plotly.io as pio

    return pio.templates["plotly_white"].to_plotly_json()


def resolved_template(fig: go.Figure) -> go.Figure:
    """Without validation plotly.py would send the template's NAME, which plotly.js does not know
    (hatched bars then lose their fill): send the template itself (resolved once per process)."""
    fig.layout.template = _white_template()
    return fig


def wire_form(fig: go.Figure) -> dict:
    """The figure as Dash sends it (plain JSON types, arrays as base64 typed arrays), for charts a page
    keeps and sends again: Dash would otherwise deep-copy and re-encode each figure at every visit,
    which took longer than building the model page's layout itself."""
    import json

    import plotly.io as pio

    return json.loads(pio.to_json(fig, validate=False))


def empty_figure(message: str, height: int = 240) -> go.Figure:
    """A blank chart that says why there is nothing to show (instead of empty axes)."""
    fig = go.Figure()
    fig.add_annotation(text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font=dict(size=14, color="#555555"))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return base_layout(fig, height=height, legend=False)
