"""The access policy as pure functions: paths, component ids, callback payloads."""
import pytest

from app.security.access import (
    CallbackAccessError,
    Role,
    required_role_for_callback,
    required_role_for_component,
    required_role_for_path,
    role_allows,
)


@pytest.mark.parametrize("path, role", [
    ("/", Role.OFFICER), ("/client/100002", Role.OFFICER), ("/portfolio", Role.MANAGER),
    ("/model", Role.MANAGER), ("/monitoring?x=1", Role.MANAGER), ("/admin/users", Role.ADMIN),
    ("/export/portfolio.csv", Role.MANAGER), ("/unknown-page", Role.ADMIN), ("", Role.OFFICER),
])
def test_required_role_for_path(path, role):
    assert required_role_for_path(path) is role


def test_roles_are_ordered():
    assert role_allows("admin", Role.MANAGER) and role_allows("manager", Role.OFFICER)
    assert not role_allows("officer", Role.MANAGER) and not role_allows("manager", Role.ADMIN)
    assert not role_allows("superuser", Role.OFFICER) and not role_allows(None, Role.OFFICER)


@pytest.mark.parametrize("component_id, role", [
    ("client-score", Role.OFFICER), ("portfolio-table", Role.MANAGER), ("client-export-pdf", Role.MANAGER),
    ({"type": "model-row", "index": 3}, Role.MANAGER), ({"index": 3}, Role.ADMIN), ("mystery", Role.ADMIN),
    ("", Role.ADMIN), (42, Role.ADMIN),
])
def test_required_role_for_component(component_id, role):
    assert required_role_for_component(component_id) is role


def _payload(outputs, inputs, state=None):
    return {"output": "x", "outputs": outputs, "inputs": inputs, "state": state or [], "changedPropIds": []}


def test_callback_takes_the_strictest_component():
    payload = _payload({"id": "client-out", "property": "children"},
                       [{"id": "client-in", "property": "value"}], [{"id": "portfolio-secret", "property": "data"}])
    assert required_role_for_callback(payload) is Role.MANAGER


def test_page_container_callback_is_judged_by_pathname():
    outputs = [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}]
    for path, role in (("/", Role.OFFICER), ("/portfolio", Role.MANAGER), ("/admin", Role.ADMIN)):
        inputs = [{"id": "_pages_location", "property": "pathname", "value": path},
                  {"id": "_pages_location", "property": "search", "value": ""}]
        assert required_role_for_callback(_payload(outputs, inputs)) is role


@pytest.mark.parametrize("payload", [None, [], {"inputs": []}, _payload([{"property": "x"}], []),
                                     _payload({"id": "_pages_content", "property": "children"},
                                              [{"id": "_pages_location", "property": "pathname", "value": 5}])])
def test_malformed_callback_payload_is_refused(payload):
    with pytest.raises(CallbackAccessError):
        required_role_for_callback(payload)
