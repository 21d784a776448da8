"""Landing page: what the dashboard is and where to go."""
from __future__ import annotations

import dash
from dash import dcc, html

from app.i18n import translate
from app.resources import served
from app.security.access import Role
from app.ui import current_language, page_title


def layout(**_query) -> html.Div:
    """What the dashboard does, and one client id that exists in the served portfolio to start from."""
    lang = current_language()
    example = served().example_client_id()
    return html.Div(
        [
            html.H1(translate("home.heading", lang), className="h3"),
            html.P(translate("home.intro", lang)),
            html.P([translate("home.example", lang, client=example), " ",
                    dcc.Link(translate("home.example_link", lang, client=example), href=f"/client/{example}",
                             id="home-example-link")]),
            html.P(translate("home.demo", lang), className="text-muted small"),
        ]
    )


dash.register_page(__name__, path="/", name="home", title=page_title("nav.home"), layout=layout, role=Role.OFFICER)
