"""Dash pages, one module each. ``register_all`` imports them once the Dash app exists."""
from __future__ import annotations

import importlib

PAGE_MODULES = ("home", "client", "portfolio", "model", "monitoring", "not_found_404")


def register_all() -> None:
    """Import every page module so that its ``dash.register_page`` call runs."""
    for name in PAGE_MODULES:
        importlib.import_module(f"app.pages.{name}")
