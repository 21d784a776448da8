"""Who may see what: roles, and the required role of every page path and Dash component id.

Pure functions (no Flask, no Dash) so the policy can be read and tested in one place. The team
convention makes the first path segment of a page and the prefix of its component ids the same
word ("/portfolio" and "portfolio-..."), so one table, ``AREA_ROLES``, covers both. A page
declares its required role by adding ONE line to that table. Anything not listed is admin-only
(deny by default), so a forgotten entry fails safe and visibly.
"""
from __future__ import annotations

import enum
from collections.abc import Callable, Iterable

from app.security.callbacks import CallbackRequestError, MatchedCallback


class Role(str, enum.Enum):
    OFFICER = "officer"
    MANAGER = "manager"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Role.OFFICER: 1, Role.MANAGER: 2, Role.ADMIN: 3}
ROLES: tuple[str, ...] = tuple(r.value for r in Role)

#: Minimum role per area (first path segment == component-id prefix). Roles are ordered:
#: a manager can do everything an officer can, an admin everything.
AREA_ROLES: dict[str, Role] = {
    "": Role.OFFICER,  # home page "/"
    "404": Role.OFFICER,  # Dash Pages' not-found page
    "client": Role.OFFICER,  # /client/<id>, ids "client-..."
    "portfolio": Role.MANAGER,
    "model": Role.MANAGER,
    "monitoring": Role.MANAGER,
    "export": Role.MANAGER,  # any /export/... route
    "admin": Role.ADMIN,
    "auth": Role.OFFICER,  # shell widgets of the security layer (logout...)
}

#: A component id containing this word is an export (download button, dcc.Download): managers only,
#: whatever page it sits on.
EXPORT_MARKER = "export"

#: Component ids of Dash Pages' own page container.
PAGES_LOCATION_ID = "_pages_location"
PAGES_INTERNAL_IDS = frozenset({"_pages_location", "_pages_content", "_pages_store", "_pages_dummy"})


def parse_role(value: str | None) -> Role | None:
    """The Role for a stored string, None for anything else (a corrupt row grants nothing)."""
    try:
        return Role(value)
    except ValueError:
        return None


def role_allows(role: str | Role | None, required: Role) -> bool:
    """True when ``role`` is at least ``required``."""
    parsed = parse_role(role) if not isinstance(role, Role) else role
    return parsed is not None and parsed.rank >= required.rank


def _strictest(roles: Iterable[Role]) -> Role:
    return max(roles, key=lambda r: r.rank, default=Role.ADMIN)


def required_role_for_path(path: str) -> Role:
    """Minimum role to open a page path such as "/client/100002" (unknown areas: admin)."""
    segment = (path or "/").split("?", 1)[0].strip("/").split("/", 1)[0]
    return AREA_ROLES.get(segment, Role.ADMIN)


def _id_prefix(component_id) -> str | None:
    """Area of a component id: text before the first "-" (pattern-matching ids: their "type")."""
    if isinstance(component_id, dict):
        component_id = component_id.get("type")
    if not isinstance(component_id, str) or not component_id:
        return None
    return component_id.split("-", 1)[0]


def required_role_for_component(component_id) -> Role:
    """Minimum role to read or write a component (unknown or malformed ids: admin)."""
    prefix = _id_prefix(component_id)
    if prefix is None or prefix not in AREA_ROLES or prefix == "":
        return Role.ADMIN
    role = AREA_ROLES[prefix]
    text = component_id.get("type", "") if isinstance(component_id, dict) else component_id
    if EXPORT_MARKER in text.split("-"):
        role = _strictest([role, Role.MANAGER])
    return role


def required_role_for_page(page_path: str | None) -> Role:
    """Minimum role for a page Dash serves, given the registered path of the page it resolved to.

    ``None`` means no page matched: everybody signed in gets the app's "page not found" page, so an
    unknown path answers 404 rather than revealing, by a 403, which areas exist.
    """
    return AREA_ROLES["404"] if page_path is None else required_role_for_path(page_path)


def required_role_for_callback(matched: MatchedCallback, page_for: Callable[[str], str | None]) -> Role:
    """Minimum role for a callback request that matched its registered callback exactly.

    Every callback is judged by the strictest area among the component ids it declares (an officer
    cannot read a manager's component by pairing it with one of their own). The page-container
    callback of Dash Pages renders whichever page its ``pathname`` names, so it is also judged by
    that page: the pathname is read at the position Dash passes to the router, ``page_for`` resolves
    it as Dash's router does (the registered path of the page, or None when no page matches).
    """
    ids = matched.spec.component_ids
    roles = [required_role_for_component(i) for i in ids if i not in PAGES_INTERNAL_IDS]
    if any(i in PAGES_INTERNAL_IDS for i in ids):
        if any(d.id == PAGES_LOCATION_ID and d.property == "pathname" for d in matched.spec.inputs):
            pathname = matched.value(PAGES_LOCATION_ID, "pathname")
            search = matched.value(PAGES_LOCATION_ID, "search")
            if not isinstance(pathname, str) or not pathname.startswith("/"):
                raise CallbackRequestError("page container callback: pathname is not a path")
            if search is not None and not isinstance(search, str):
                raise CallbackRequestError("page container callback: search is not text")
            roles.append(required_role_for_page(page_for(pathname)))
        else:  # Dash Pages' own store -> title updater: it renders no page
            roles.append(required_role_for_page("/"))
    return _strictest(roles)
