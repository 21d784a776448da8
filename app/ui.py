"""Small Dash-layer helpers shared by the pages: current language, component factories.

Pages import from here rather than each re-implementing the cookie lookup or the card markup.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
import flask
from dash import html

from app.i18n import DEFAULT_LANGUAGE, normalise_language, translate

LANGUAGE_COOKIE = "lang"


def current_language() -> str:
    """The user's language, from the ``lang`` cookie set by ``/lang/<code>`` (French by default)."""
    if not flask.has_request_context():
        return DEFAULT_LANGUAGE
    return normalise_language(flask.request.cookies.get(LANGUAGE_COOKIE))


def t(key: str, **values: object) -> str:
    """Translate ``key`` into the current user's language."""
    return translate(key, current_language(), **values)


def Card(title: str, body, *, id: str | None = None, class_name: str = "") -> dbc.Card:  # noqa: N802
    """A titled Bootstrap card: the repeated panel of every page."""
    kwargs = {"id": id} if id else {}
    return dbc.Card(
        [dbc.CardHeader(html.H2(title, className="h6 mb-0")), dbc.CardBody(body)],
        className=f"mb-3 shadow-sm {class_name}".strip(),
        **kwargs,
    )
