"""What the pages declared in ``dash.register_page``: the access table and the navigation menu.

A page is one module. Its ``dash.register_page`` call says, once, its path, its minimum ``role``
and, when it has a menu entry, ``nav`` (the i18n key of its label) and ``order``. The security
layer and the navbar read them here, so adding a page touches no other registry. The menu is
shared by the Dash navbar and the server-rendered error pages.

Hiding a link is comfort only: access is enforced on the server by ``app.security``.
"""
from __future__ import annotations

import dash

from app.security.access import AccessTable, role_allows


def access_table() -> AccessTable:
    """The access table of the registered pages (each must declare ``role=``)."""
    return AccessTable.from_pages((page["path"], page.get("role")) for page in dash.page_registry.values())


def nav_links(role: str | None) -> list[tuple[str, str]]:
    """(label key, href) of the menu entries ``role`` may open, in the pages' declared order."""
    if role is None:
        return []
    entries = sorted((p for p in dash.page_registry.values() if p.get("nav")), key=lambda p: (p.get("order") or 0))
    return [(page["nav"], page["path"]) for page in entries if role_allows(role, page["role"])]
