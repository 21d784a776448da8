"""Dash pages, one module each. ``register_all`` imports them once the Dash app exists.

Adding a page is adding a module here: every module of this package is imported, in name order, and its
``dash.register_page`` call declares its path, navigation entry and role (``app/navigation.py``).
"""
from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Callable

import dash


def page_modules() -> list[str]:
    """Every module of this package, in name order (the navigation order comes from each page's ``order``)."""
    return sorted(info.name for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_"))


def register_all() -> None:
    """Import every page module so that its ``dash.register_page`` call runs."""
    for name in page_modules():
        importlib.import_module(f"{__name__}.{name}")


def path_decides(template: str) -> Callable[[Callable], Callable]:
    """Decorate a page layout so its path variables come from the URL's path, never from its query.

    Dash Pages calls a layout with the query parameters merged OVER the path variables, so
    ``/client/1000002?client_id=1000009`` would title the tab with one client and show another.
    Inside the router callback the path Dash routed is read back (the position access control
    checked) and its variables replace any query parameter of the same name.
    """
    from dash._pages import _parse_path_variables  # the router's own parser

    def decorate(layout: Callable) -> Callable:
        @functools.wraps(layout)
        def layout_from_path(**kwargs):
            try:
                pathname = dash.callback_context.inputs.get("_pages_location.pathname")
            except dash.exceptions.MissingCallbackContextException:
                pathname = None  # called directly (tests): the arguments are what they are
            if isinstance(pathname, str):
                app = dash.get_app()
                kwargs.update(_parse_path_variables(app.strip_relative_path(pathname) or "", template.strip("/")) or {})
            return layout(**kwargs)

        return layout_from_path

    return decorate
