"""The 404 page of Dash Pages, in the user's language."""
from __future__ import annotations

import dash
from dash import html

from app.ui import t



def layout(**_query) -> html.Div:
    return html.Div([html.H1("404", className="h3"), html.P(t("error.not_found")), html.A("↩", href="/")])


dash.register_page(__name__, path="/404", name="not_found", layout=layout)
