"""Tabs whose panels the server builds when they open (page speed, issue #16).

With ``dcc.Tabs`` holding every tab's children, plotly draws only the open tab's chart, but the
browser still receives, parses and keeps every other tab's figure: on the model page the point
clouds of the closed explanation tabs were two thirds of the layout (about 250 of 410 kB), and
handling them was a fifth of the page's drawing time. Here the tabs carry labels only; the open
tab's panel sits in a container beside them, and a callback of the page fills it when another tab
is chosen (one small round trip at the click instead of every panel at every visit).

Each panel is wrapped in a ``div`` marked ``data-panel=<tab value>``, so a browser test (or the
benchmark) can tell the new panel from the previous one still shown while the callback runs.
"""
from __future__ import annotations

from dash import dcc, html
from dash.development.base_component import Component

from app.ui import html_attributes

PANEL_SUFFIX = "-panel"


def panel_id(tabs_id: str) -> str:
    """Id of the container holding the open tab's panel (a callback's output)."""
    return tabs_id + PANEL_SUFFIX


def Panel(value: str, *children) -> html.Div:
    """One tab's content, marked with the tab it belongs to."""
    return html.Div(list(children), **html_attributes({"data-panel": value}))


def DeferredTabs(tabs_id: str, value: str, labels: dict[str, str], panel: Component) -> html.Div:
    """The tabs (``labels``: tab value -> label) and the container of the open one's ``panel``
    (``value``'s, built by the layout; the others by the page's callback on ``tabs_id``'s value)."""
    if value not in labels:
        raise ValueError(f"open tab {value!r} is not one of {sorted(labels)}")
    return html.Div([
        dcc.Tabs(id=tabs_id, value=value, children=[dcc.Tab(label=label, value=name) for name, label in labels.items()]),
        html.Div(panel, id=panel_id(tabs_id)),
    ])
