"""Who may see what: roles, and the required role of every page path and Dash component id.

Pure functions (no Flask, no Dash) so the policy can be read and tested in one place. Each page
declares its role once, in its own ``dash.register_page(..., role=Role.MANAGER)`` call; the
``AccessTable`` is built from those declarations (``app.navigation.access_table``). The first path segment
of a page and the prefix of its component ids are the same word, its *area* ("/portfolio" and
"portfolio-..."), so one table covers pages and callbacks. Anything in no area is admin-only (deny
by default); a test checks that every registered callback falls in its page's area.
"""
from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType

from app.security.callbacks import CallbackRequestError, MatchedCallback


class Role(str, enum.Enum):  # noqa: UP042 - StrEnum would change str(role) ("Role.ADMIN" -> "admin")
    OFFICER = "officer"
    MANAGER = "manager"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Role.OFFICER: 1, Role.MANAGER: 2, Role.ADMIN: 3}
ROLES: tuple[str, ...] = tuple(r.value for r in Role)

#: Areas of the shell, not of a page: the security layer's own widgets (sign-out, session banner).
SHELL_AREAS: Mapping[str, Role] = MappingProxyType({"auth": Role.OFFICER})

#: Who may see the "page not found" answer for a path no page serves: everybody signed in.
NOT_FOUND_ROLE = Role.OFFICER

#: A component id containing this word is an export (download button, dcc.Download): managers only,
#: whatever page it sits on.
EXPORT_MARKER = "export"

#: Component ids of Dash Pages' own page container.
PAGES_LOCATION_ID = "_pages_location"
PAGES_INTERNAL_IDS = frozenset({"_pages_location", "_pages_content", "_pages_store", "_pages_dummy"})


def area_of(path: str) -> str:
    """The area of a path: its first segment ("/client/100002?x=1" -> "client", "/" -> "")."""
    return (path or "/").split("?", 1)[0].strip("/").split("/", 1)[0]


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


def _id_prefix(component_id) -> str | None:
    """Area of a component id: text before the first "-" (pattern-matching ids: their "type").

    Dict ids never reach the access check today (``callbacks.callback_specs`` refuses pattern-matching
    callbacks); they are still read here so that allowing them later cannot open a gap by default.
    """
    if isinstance(component_id, dict):
        component_id = component_id.get("type")
    if not isinstance(component_id, str) or not component_id:
        return None
    return component_id.split("-", 1)[0]


@dataclasses.dataclass(frozen=True)
class AccessTable:
    """Minimum role per area, from the pages' declarations plus the shell's own areas."""

    areas: Mapping[str, Role]

    @classmethod
    def from_pages(cls, declarations: Iterable[tuple[str, Role]]) -> AccessTable:
        """Table of (registered page path, declared role) pairs; two pages of one area must agree."""
        areas = dict(SHELL_AREAS)
        for path, role in declarations:
            area = area_of(path)
            if not isinstance(role, Role):
                raise ValueError(f"page {path!r} declares no role (dash.register_page(..., role=Role.X))")
            if areas.setdefault(area, role) is not role:
                raise ValueError(f"pages of area {area!r} declare different roles ({areas[area].value}, {role.value})")
        return cls(MappingProxyType(areas))

    def for_path(self, path: str) -> Role:
        """Minimum role to open a path such as "/client/100002" (unknown areas: admin)."""
        return self.areas.get(area_of(path), Role.ADMIN)

    def for_page(self, page_path: str | None) -> Role:
        """Minimum role for a page Dash serves, given the registered path of the page it resolved to.

        ``None`` means no page matched: everybody signed in gets the app's "page not found" page, so an
        unknown path answers 404 rather than revealing, by a 403, which areas exist.
        """
        return NOT_FOUND_ROLE if page_path is None else self.for_path(page_path)

    def for_component(self, component_id) -> Role:
        """Minimum role to read or write a component (unknown or malformed ids: admin)."""
        prefix = _id_prefix(component_id)
        if not prefix or prefix not in self.areas:
            return Role.ADMIN
        role = self.areas[prefix]
        text = component_id.get("type", "") if isinstance(component_id, dict) else component_id
        if EXPORT_MARKER in text.split("-"):
            role = _strictest([role, Role.MANAGER])
        return role

    def for_callback(self, matched: MatchedCallback, page_for: Callable[[str], str | None]) -> Role:
        """Minimum role for a callback request that matched its registered callback exactly.

        Every callback is judged by the strictest area among the component ids it declares (an officer
        cannot read a manager's component by pairing it with one of their own). The page-container
        callback of Dash Pages renders whichever page its ``pathname`` names, so it is also judged by
        that page: the pathname is read at the position Dash passes to the router, ``page_for`` resolves
        it as Dash's router does (the registered path of the page, or None when no page matches).
        """
        ids = matched.spec.component_ids
        roles = [self.for_component(i) for i in ids if i not in PAGES_INTERNAL_IDS]
        if any(i in PAGES_INTERNAL_IDS for i in ids):
            inputs = {(d.id, d.property) for d in matched.spec.inputs}
            if (PAGES_LOCATION_ID, "pathname") in inputs:
                pathname = matched.value(PAGES_LOCATION_ID, "pathname")
                search = matched.value(PAGES_LOCATION_ID, "search") if (PAGES_LOCATION_ID, "search") in inputs else None
                if not isinstance(pathname, str) or not pathname.startswith("/"):
                    raise CallbackRequestError("page container callback: pathname is not a path")
                if search is not None and not isinstance(search, str):
                    raise CallbackRequestError("page container callback: search is not text")
                roles.append(self.for_page(page_for(pathname)))
            else:  # a callback on Dash Pages' components that routes no path: the home page's role at least
                roles.append(self.for_page("/"))
        return _strictest(roles)
