"""The access policy as pure functions: the table the pages declare, paths, component ids, callbacks."""
import pytest

from app.security.access import NOT_FOUND_ROLE, AccessTable, Role, area_of, role_allows
from app.security.callbacks import CallbackRequestError, callback_specs, match_callback
from tests.security.callback_payloads import exact_payload

#: what the pages of a small app would declare in their dash.register_page calls
TABLE = AccessTable.from_pages([("/", Role.OFFICER), ("/client/none", Role.OFFICER), ("/client", Role.OFFICER),
                                ("/portfolio", Role.MANAGER), ("/model", Role.MANAGER), ("/admin", Role.ADMIN)])


@pytest.mark.parametrize("path, role", [
    ("/", Role.OFFICER), ("/client/100002", Role.OFFICER), ("/portfolio", Role.MANAGER),
    ("/model?x=1", Role.MANAGER), ("/admin/users", Role.ADMIN), ("/export/portfolio.csv", Role.ADMIN),
    ("/unknown-page", Role.ADMIN), ("", Role.OFFICER), ("/auth/status", Role.OFFICER),
])
def test_role_for_path(path, role):
    assert TABLE.for_path(path) is role


def test_table_is_built_from_the_pages_declarations_only():
    assert area_of("/client/100002?x=1") == "client" and area_of("/") == ""
    assert set(TABLE.areas) == {"", "client", "portfolio", "model", "admin", "auth"}
    with pytest.raises(ValueError, match="declares no role"):
        AccessTable.from_pages([("/monitoring", None)])
    with pytest.raises(ValueError, match="different roles"):
        AccessTable.from_pages([("/client", Role.OFFICER), ("/client/<id>", Role.MANAGER)])


def test_roles_are_ordered():
    assert role_allows("admin", Role.MANAGER) and role_allows("manager", Role.OFFICER)
    assert not role_allows("officer", Role.MANAGER) and not role_allows("manager", Role.ADMIN)
    assert not role_allows("superuser", Role.OFFICER) and not role_allows(None, Role.OFFICER)


@pytest.mark.parametrize("component_id, role", [
    ("client-score", Role.OFFICER), ("portfolio-table", Role.MANAGER), ("client-export-pdf", Role.MANAGER),
    ({"type": "model-row", "index": 3}, Role.MANAGER), ({"index": 3}, Role.ADMIN), ("mystery", Role.ADMIN),
    ("", Role.ADMIN), (42, Role.ADMIN), ("-client", Role.ADMIN), ("auth-logout", Role.OFFICER),
])
def test_role_for_component(component_id, role):
    assert TABLE.for_component(component_id) is role


SPECS = callback_specs({
    "client-out.children": {"inputs": [{"id": "client-in", "property": "value"}],
                            "state": [{"id": "portfolio-secret", "property": "data"}], "callback": print},
    ".._pages_content.children..._pages_store.data..": {
        "inputs": [{"id": "_pages_location", "property": "pathname"}, {"id": "_pages_location", "property": "search"}], "callback": print},
    "_pages_dummy.children": {"inputs": [{"id": "_pages_store", "property": "data"}], "callback": print},
})
PAGES_KEY = ".._pages_content.children..._pages_store.data.."


def _page_for(path: str) -> str | None:
    """A stand-in for Dash's router: three known pages, everything else unknown."""
    return path if path in ("/", "/portfolio", "/admin") else None


def _role(key: str, values=None) -> Role:
    return TABLE.for_callback(match_callback(exact_payload(SPECS[key], values), SPECS), _page_for)


def test_callback_takes_the_strictest_component():
    assert _role("client-out.children") is Role.MANAGER


def test_page_container_callback_is_judged_by_the_page_dash_renders():
    for path, role in (("/", Role.OFFICER), ("/portfolio", Role.MANAGER), ("/admin", Role.ADMIN),
                       ("/nowhere", Role.OFFICER)):  # unknown: Dash renders the 404 page, open to everybody
        assert _role(PAGES_KEY, {"_pages_location.pathname": path, "_pages_location.search": ""}) is role
    assert _role("_pages_dummy.children") is Role.OFFICER


@pytest.mark.parametrize("pathname, search", [(None, ""), (5, ""), ("model", ""), ("/", {"a": 1}), ("/", ["x"])])
def test_page_container_values_dash_cannot_route_are_refused(pathname, search):
    with pytest.raises(CallbackRequestError):
        _role(PAGES_KEY, {"_pages_location.pathname": pathname, "_pages_location.search": search})


def test_role_for_page():
    assert TABLE.for_page(None) is NOT_FOUND_ROLE is Role.OFFICER and TABLE.for_page("/model") is Role.MANAGER
