"""The Dash application shell: constructor, navigation bar, page container, ``server``.

Pages live one per module under ``app/pages`` and register themselves with ``dash.register_page``;
they are imported explicitly below (``pages_folder=""``) so they stay ordinary package modules
that tests can import and whose callbacks they can call as plain functions.
"""
from __future__ import annotations

import logging

import dash
import dash_bootstrap_components as dbc
import flask
from dash import dcc, html

from app.config import get_settings
from app.i18n import LANGUAGES, normalise_language, translate
from app.ui import LANGUAGE_COOKIE, current_language

log = logging.getLogger(__name__)

NAV_ITEMS = (
    ("nav.client", "/client"),
    ("nav.portfolio", "/portfolio"),
    ("nav.model", "/model"),
    ("nav.monitoring", "/monitoring"),
)


def navbar() -> dbc.Navbar:
    """Top navigation, rendered per request in the user's language."""
    lang = current_language()
    links = [
        dbc.NavItem(dbc.NavLink(translate(key, lang), href=href, active="partial"))
        for key, href in NAV_ITEMS
        if dash.page_registry and any(p["path"] == href for p in dash.page_registry.values())
    ]
    switch = [
        dbc.NavItem(
            html.A(code.upper(), href=f"/lang/{code}", className="nav-link" + (" active fw-bold" if code == lang else ""),
                   **{"aria-label": f"{translate('nav.language', lang)}: {code}"})
        )
        for code in LANGUAGES
    ]
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand(translate("app.brand", lang), href="/"),
                dbc.Nav(links, navbar=True, className="me-auto"),
                dbc.Nav(switch, navbar=True),
            ],
            fluid=True,
        ),
        color="dark",
        dark=True,
        className="mb-3",
    )


def serve_layout() -> html.Div:
    """Layout built per request so the navigation follows the language cookie."""
    return html.Div([navbar(), dbc.Container(dash.page_container, fluid=True, className="pb-4")])


def _register_language_route(server: flask.Flask) -> None:
    @server.route("/lang/<code>")
    def set_language(code: str):  # pragma: no cover - exercised by browser and client tests
        response = flask.redirect(flask.request.referrer or "/")
        response.set_cookie(LANGUAGE_COOKIE, normalise_language(code), max_age=365 * 24 * 3600,
                            samesite="Lax", httponly=True)
        return response


def create_app() -> dash.Dash:
    """Build the Dash app, register the pages and return it (one per process)."""
    settings = get_settings()
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder="",
        assets_folder=str(__import__("app.config", fromlist=["PROJECT_DIR"]).PROJECT_DIR / "assets"),
        external_stylesheets=[dbc.themes.BOOTSTRAP],
        title=translate("app.title", settings.default_language),
        suppress_callback_exceptions=True,
        update_title=None,
    )
    from app.pages import register_all  # noqa: PLC0415 - pages need the app to exist first

    register_all()
    app.layout = serve_layout
    _register_language_route(app.server)
    return app
