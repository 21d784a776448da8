"""Landing page: what the dashboard is and where to go."""
from __future__ import annotations

import dash
from dash import html

from app.security.access import Role
from app.ui import page_title, t


def layout(**_query) -> html.Div:
    return html.Div(
        [
            html.H1(t("home.heading"), className="h3"),
            html.P(t("home.intro")),
            html.P(t("home.demo"), className="text-muted small"),
        ]
    )


dash.register_page(__name__, path="/", name="home", title=page_title("nav.home"), layout=layout, role=Role.OFFICER)
