"""Tabs whose panels the server builds when they open (page speed, issue #16).

With ``dcc.Tabs`` holding every tab's children, plotly draws only the open tab's chart, but the
browser still receives, parses and keeps every other tab's figure: on the model page the point
clouds of the closed explanation tabs were two thirds of the layout (about 250 of 410 kB), and
handling them was a fifth of the page's drawing time. Here the tabs carry labels only; the open
tab's panel sits in a container beside them, and a callback of the page fills it when another tab
is chosen (one small round trip at the click instead of every panel at every visit).

Each panel is wrapped in a ``div`` marked ``data-panel=<tab value>``, so a browser test (or the
benchmark) can tell the new panel from the previous one still shown while the callback runs.

A set far below the fold can wait to be seen (``seen_placeholder``): it comes with a placeholder
instead of its open tab's panel, and a store (``seen_id``) that ``assets/deferred_panels.js`` sets to
true when the set comes within a screen of the viewport; the page's callback takes that store as a
second input and sends the open tab's panel then. Charts nobody scrolls to are then never drawn.
"""
from __future__ import annotations

from dash import dcc, html
from dash.development.base_component import Component

from app.ui import html_attributes

PANEL_SUFFIX = "-panel"
SEEN_SUFFIX = "-seen"


def panel_id(tabs_id: str) -> str:
    """Id of the container holding the open tab's panel (a callback's output)."""
    return tabs_id + PANEL_SUFFIX


def seen_id(tabs_id: str) -> str:
    """Id of the store that turns true once a set waiting to be seen is near the viewport."""
    return tabs_id + SEEN_SUFFIX


def Panel(value: str, *children) -> html.Div:
    """One tab's content, marked with the tab it belongs to."""
    return html.Div(list(children), **html_attributes({"data-panel": value}))


def DeferredTabs(tabs_id: str, value: str, labels: dict[str, str], panel: Component | None = None, *,
                 seen_placeholder: Component | None = None) -> html.Div:
    """The tabs (``labels``: tab value -> label) and the container of the open one's panel: ``panel``
    (``value``'s, built by the layout; the others by the page's callback on ``tabs_id``'s value), or,
    for a set that waits to be seen, ``seen_placeholder`` until the callback sends ``value``'s panel."""
    if value not in labels:
        raise ValueError(f"open tab {value!r} is not one of {sorted(labels)}")
    if (panel is None) == (seen_placeholder is None):
        raise ValueError("give the open tab's panel or, for a set that waits to be seen, a placeholder")
    tabs = dcc.Tabs(id=tabs_id, value=value, children=[dcc.Tab(label=label, value=name) for name, label in labels.items()])
    if seen_placeholder is None:
        return html.Div([tabs, html.Div(panel, id=panel_id(tabs_id))])
    return html.Div([tabs, html.Div(seen_placeholder, id=panel_id(tabs_id)), dcc.Store(id=seen_id(tabs_id), data=False)],
                    **html_attributes({"data-seen-store": seen_id(tabs_id)}))
