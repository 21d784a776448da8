"""The navigation entries and which of them a role may open (shared by the Dash navbar and the
server-rendered error pages, so both always show the same links).

Hiding a link is comfort only: access is enforced on the server by ``app.security``.
"""
from __future__ import annotations

import dash

from app.security.access import required_role_for_path, role_allows

NAV_ITEMS = (
    ("nav.client", "/client"),
    ("nav.portfolio", "/portfolio"),
    ("nav.model", "/model"),
    ("nav.monitoring", "/monitoring"),
)


def nav_links(role: str | None) -> list[tuple[str, str]]:
    """(label key, href) of the registered pages that ``role`` may open, in menu order."""
    if role is None:
        return []
    registered = {page["path"] for page in dash.page_registry.values()}
    return [(key, href) for key, href in NAV_ITEMS
            if href in registered and role_allows(role, required_role_for_path(href))]
