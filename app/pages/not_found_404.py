"""The page Dash's router shows for a path no page serves (a ``dcc.Link`` to a removed page...).

Dash Pages looks for a page module whose name ends in ``not_found_404``. A request for an unknown
address never gets this far: the access hook answers it with the server-rendered 404 page (true
status code). Both say the same thing in the reader's language.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from app.i18n import translate
from app.security.access import NOT_FOUND_ROLE
from app.ui import current_language, page_title


def layout(**_query) -> html.Div:
    lang = current_language()
    return html.Div([
        html.H1(translate("error.not_found_heading", lang), className="h4 mb-3"),
        dbc.Alert(translate("error.not_found_help", lang), color="info", id="error-not-found"),
        dcc.Link(translate("nav.home", lang), href="/", className="btn btn-outline-primary"),
    ])


dash.register_page(__name__, path="/404", name="not_found", title=page_title("error.not_found_heading"),
                   layout=layout, role=NOT_FOUND_ROLE)
