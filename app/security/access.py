"""Who may see what: roles, and the required role of every page path and Dash component id.

Pure functions (no Flask, no Dash) so the policy can be read and tested in one place. The team
convention makes the first path segment of a page and the prefix of its component ids the same
word ("/portfolio" and "portfolio-..."), so one table, ``AREA_ROLES``, covers both. A page
declares its required role by adding ONE line to that table. Anything not listed is admin-only
(deny by default), so a forgotten entry fails safe and visibly.
"""
from __future__ import annotations

import enum
from collections.abc import Iterable


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


class CallbackAccessError(ValueError):
    """The callback request is malformed: refuse it rather than guess."""


def callback_component_ids(payload: dict) -> list:
    """Every component id a ``/_dash-update-component`` request names (outputs, inputs, state)."""
    if not isinstance(payload, dict):
        raise CallbackAccessError("callback request body is not a JSON object")
    ids: list = []
    outputs = payload.get("outputs")
    for group in (outputs, payload.get("inputs"), payload.get("state")):
        if group is None:
            continue
        items = group if isinstance(group, list) else [group]
        for item in items:
            # wildcard (ALL/ALLMATCH) groups arrive as nested lists
            for entry in item if isinstance(item, list) else [item]:
                if not isinstance(entry, dict) or "id" not in entry:
                    raise CallbackAccessError("callback request names a component without an id")
                ids.append(entry["id"])
    if not outputs:
        raise CallbackAccessError("callback request has no outputs")
    return ids


def required_role_for_callback(payload: dict) -> Role:
    """Minimum role for one Dash callback request.

    The page-container callback of Dash Pages renders whichever page its ``pathname`` input
    names, so it is judged by that path; every other callback by the strictest area among all
    the component ids it reads or writes (an officer cannot read a manager's component by
    pairing it with one of their own).
    """
    ids = callback_component_ids(payload)
    roles: list[Role] = []
    for component_id in ids:
        if isinstance(component_id, str) and component_id in PAGES_INTERNAL_IDS:
            continue
        roles.append(required_role_for_component(component_id))
    if any(isinstance(i, str) and i in PAGES_INTERNAL_IDS for i in ids):
        pathname = None
        for entry in payload.get("inputs") or []:
            if isinstance(entry, dict) and entry.get("id") == PAGES_LOCATION_ID and entry.get("property") == "pathname":
                pathname = entry.get("value")
        if pathname is not None and not isinstance(pathname, str):
            raise CallbackAccessError("page container callback: pathname is not a string")
        # No pathname (e.g. the store->dummy callback): the safest page is the home page.
        roles.append(required_role_for_path(pathname or "/"))
    return _strictest(roles)
