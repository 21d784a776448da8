"""Small Dash-layer helpers shared by the pages: current language, component factories.

Pages import from here rather than each re-implementing the cookie lookup or the card markup.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import dash_bootstrap_components as dbc
import flask
from dash import dcc, html

from app.i18n import LANGUAGES, normalise_language, translate

LANGUAGE_COOKIE = "lang"


#: Where ``create_app`` puts its settings in ``server.config`` (read here for the default language).
SETTINGS_CONFIG_KEY = "CREDIT_SETTINGS"


def html_attributes(attributes: Mapping[str, str]) -> dict[str, Any]:
    """HTML attributes whose names are not Python identifiers (``aria-label``, ``data-user``), to pass as
    ``**html_attributes({...})``: Dash's generated signatures type every keyword, so a ``dict[str, str]``
    unpacked into them does not type-check (a value of type ``Any`` does)."""
    return dict(attributes)


def default_language() -> str:
    """The deployment's language (``APP_LANGUAGE``) for readers who chose none; French outside an app."""
    settings = flask.current_app.config.get(SETTINGS_CONFIG_KEY) if flask.has_app_context() else None
    return normalise_language(getattr(settings, "default_language", None))


def current_language() -> str:
    """The reader's language: the ``lang`` cookie set by ``/lang/<code>``, else the deployment's."""
    if not flask.has_request_context():
        return default_language()
    chosen = flask.request.cookies.get(LANGUAGE_COOKIE)
    return chosen if chosen in LANGUAGES else default_language()


def page_title(nav_key: str) -> Callable[..., str]:
    """The browser tab title of a page, for ``dash.register_page(title=...)``: a callable, because
    Dash calls it at each visit (initial HTML and page change) within the request, so the title
    follows the user's language instead of being frozen in French at import."""
    def title(**_path_variables) -> str:
        lang = current_language()
        return translate("common.page_title", lang, page=translate(nav_key, lang))

    return title


def date_text(value: object, lang: str) -> str:
    """An ISO timestamp (model card, drift report) as people read it: "31/12/2025 14:05 UTC" (fr) or
    "2025-12-31 14:05 UTC" (en), converted to UTC when it carries a time zone; "—" when missing,
    the text as it is when it is not a date."""
    if value is None or str(value).strip() == "":
        return "—"
    try:
        when = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    suffix = ""
    if when.tzinfo is not None:
        when, suffix = when.astimezone(dt.UTC), " UTC"
    return when.strftime("%d/%m/%Y %H:%M" if lang == "fr" else "%Y-%m-%d %H:%M") + suffix


def Card(title: str, body, *, id: str | None = None, class_name: str = "") -> dbc.Card:
    """A titled Bootstrap card: the repeated panel of every page."""
    kwargs = {"id": id} if id else {}
    return dbc.Card(
        [dbc.CardHeader(html.H2(title, className="h6 mb-0")), dbc.CardBody(body)],
        className=f"mb-3 shadow-sm {class_name}".strip(),
        **kwargs,
    )


#: The texts dcc.Dropdown draws itself (Dash 4 ``labels``); ``{num_selected}`` is filled in by Dash.
DROPDOWN_LABELS = ("select_all", "deselect_all", "selected_count", "search", "clear_search", "clear_selection",
                   "no_options_found")


def dropdown_labels(lang: str) -> dcc.Dropdown.Labels:
    """dcc.Dropdown's own texts ("Search", "2 selected", "No options found") in the reader's language."""
    return dcc.Dropdown.Labels(**{name: translate(f"common.dropdown.{name}", lang, num_selected="{num_selected}")  # type: ignore[typeddict-item]  # keys: DROPDOWN_LABELS, Dash's own
                                  for name in DROPDOWN_LABELS})


def Dropdown(lang: str, **props: Any) -> dcc.Dropdown:
    """A dcc.Dropdown whose widget texts and placeholder are in the reader's language.

    Dash draws "Select...", "Search" and "2 selected" in English unless told otherwise; every
    dropdown of the app is built here so none is forgotten (``tests/test_widget_texts.py``).
    """
    props.setdefault("placeholder", translate("common.dropdown.placeholder", lang))
    return dcc.Dropdown(labels=dropdown_labels(lang), **props)


#: Highest page index a request may ask for: a forged 10**30 would overflow the database's integers
#: in OFFSET (a server error); any page past the last one is shown as the last one anyway.
MAX_PAGE_INDEX = 1_000_000


def page_index(value: object, step: int = 0) -> int:
    """A page number from the network (a dcc.Store, forgeable): a whole number in [0, MAX_PAGE_INDEX],
    moved by ``step`` (previous -1 / next +1); anything else (text, a float, a bool, None) is page 0."""
    page = value if isinstance(value, int) and not isinstance(value, bool) else 0
    return max(0, min(page + step, MAX_PAGE_INDEX))


Rows = TypeVar("Rows")


def fetch_page(fetch: Callable[[int], tuple[int, Rows]], page: object, size: int) -> tuple[int, Rows, int, int]:
    """(total, rows, page, pages) of a server-paged table. ``fetch(page)`` answers (total, that page's
    rows); a page past the last one (the filters narrowed since) is shown as the last one."""
    index = page_index(page)
    total, rows = fetch(index)
    pages = max(1, -(-total // size))
    if index >= pages:
        index = pages - 1
        total, rows = fetch(index)
    return total, rows, index, pages
