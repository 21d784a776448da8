"""The access matrix, over HTTP: every page route and every registered callback x every role.

Expected answers are derived here from the roles the pages declare in ``dash.register_page`` (first
path segment, component-id prefix, "export" ids for managers) independently of the code under test; the callbacks and pages are
those the app really registered, so a new page or callback is covered without editing this file.
"""
from __future__ import annotations

import dash
import pytest

from app.security.access import Role
from app.security.audit import ACCESS_DENIED, CALLBACK_REFUSED, audit_events
from app.security.callbacks import callback_specs, match_callback
from app.security.testing import login_client
from app.security.web import current_engine
from tests.security.callback_payloads import exact_payload, forgeries

ROLES = ("anonymous", "officer", "manager", "admin")
RANK = {"officer": 1, "manager": 2, "admin": 3}
PAGES_IDS = {"_pages_location", "_pages_content", "_pages_store", "_pages_dummy"}


def _declared() -> dict[str, Role]:
    """Area -> role, straight from the page registry (plus the security layer's own "auth-" widgets)."""
    areas = {"auth": Role.OFFICER}
    for page in dash.page_registry.values():
        areas[page["path"].strip("/").split("/")[0]] = page["role"]
    return areas


def _expected_component_role(component_id: str) -> Role:
    area = component_id.split("-", 1)[0]
    role = _declared().get(area, Role.ADMIN) if area else Role.ADMIN
    if "export" in component_id.split("-") and role.rank < Role.MANAGER.rank:
        role = Role.MANAGER
    return role


def _expected_callback_role(spec) -> Role:
    roles = [_expected_component_role(i) for i in spec.component_ids if i not in PAGES_IDS]
    if set(spec.component_ids) & PAGES_IDS:
        roles.append(_declared()[""])  # the matrix posts the page container with pathname "/"
    return max(roles, key=lambda r: r.rank)


def _page_paths() -> dict[str, Role]:
    paths = {}
    for page in dash.page_registry.values():
        template = page.get("path_template")
        path = template.replace("<client_id>", "100002") if template else page["path"]
        paths[path] = page["role"]
    return paths


def _client(server, role: str):
    return server.test_client() if role == "anonymous" else login_client(server, f"matrix-{role}", role)


def _specs(server):
    login_client(server, "matrix-setup", "officer").get("/_dash-layout")  # Dash registers the router on first use
    app = server.extensions["credit_security"].dash_app
    return callback_specs(app.callback_map)


def test_every_callback_belongs_to_one_page_and_has_its_role(server):
    """A component id outside its page's area would silently make the callback admin-only."""
    declared = _declared()
    specs = _specs(server)
    table = server.extensions["credit_security"].table  # what the app enforces
    for key, spec in specs.items():
        if "-probe-" in key:
            continue  # the security tests' own probes
        areas = {i.split("-", 1)[0] for i in spec.component_ids if i not in PAGES_IDS}
        assert areas <= set(declared), (key, areas - set(declared))
        if not areas:
            continue  # Dash Pages' router: judged by the page it renders
        assert len(areas) == 1, (key, areas)
        page_role = declared[areas.pop()]
        exports = any("export" in i.split("-") for i in spec.component_ids)
        enforced = table.for_callback(match_callback(exact_payload(spec), specs), lambda _: "/")
        assert enforced is (max(page_role, Role.MANAGER, key=lambda r: r.rank) if exports else page_role), key


@pytest.mark.parametrize("role", ROLES)
def test_every_page_route_by_role(server, role):
    client = _client(server, role)
    for path, required in _page_paths().items():
        status = client.get(path).status_code
        if role == "anonymous":
            assert status == 302, path
        else:
            assert status == (200 if RANK[role] >= required.rank else 403), (role, path, status)


@pytest.mark.parametrize("role", ROLES)
def test_every_registered_callback_by_role(server, role):
    specs = _specs(server)
    client = _client(server, role)
    assert len(specs) >= 15
    for key, spec in specs.items():
        body = exact_payload(spec, {"_pages_location.pathname": "/", "_pages_location.search": ""})
        response = client.post("/_dash-update-component", json=body)
        if role == "anonymous":
            assert response.status_code == 401, key
        elif RANK[role] >= _expected_callback_role(spec).rank:
            assert response.status_code not in (400, 401, 403) and response.status_code < 500, (role, key, response.status_code)
        else:
            assert response.status_code == 403, (role, key, response.status_code)
            assert response.get_json()["error"] == "forbidden"
    if role == "officer":
        with server.app_context():
            denied = audit_events(current_engine(), username="matrix-officer", action=ACCESS_DENIED, limit=500)
        assert {e.target for e in denied} == {k for k, s in specs.items() if _expected_callback_role(s).rank > 1}


@pytest.mark.parametrize("role", ROLES)
def test_every_forged_callback_request_is_refused(server, role):
    """Entries reordered, duplicated, renamed, missing or added: refused before anything runs."""
    specs = _specs(server)
    client = _client(server, role)
    count = 0
    for spec in specs.values():
        for name, body in forgeries(spec, specs):
            response = client.post("/_dash-update-component", json=body)
            assert response.status_code == (401 if role == "anonymous" else 400), (role, spec.key, name)
            count += 1
    assert count > 15 * 10
    if role != "anonymous":
        with server.app_context():
            assert audit_events(current_engine(), username=f"matrix-{role}", action=CALLBACK_REFUSED, limit=1)


@pytest.mark.parametrize("forged_inputs", [
    [{"id": "_pages_location", "property": "search", "value": "/model"},
     {"id": "_pages_location", "property": "pathname", "value": "/"}],
    [{"id": "_pages_location", "property": "pathname", "value": "/model"},
     {"id": "_pages_location", "property": "pathname", "value": "/"}],
    [{"id": "client-x", "property": "pathname", "value": "/monitoring"},
     {"id": "_pages_location", "property": "search", "value": ""}],
])
def test_the_reported_page_forgeries_no_longer_open_manager_pages(server, forged_inputs):
    officer = login_client(server, "matrix-forger", "officer")
    body = {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": forged_inputs, "changedPropIds": []}
    response = officer.post("/_dash-update-component", json=body)
    assert response.status_code == 400 and "model-" not in response.get_data(as_text=True)
    with server.app_context():
        assert audit_events(current_engine(), username="matrix-forger", action=CALLBACK_REFUSED, limit=1)


HOSTILE_VALUES = (None, {"a": 1}, [1, {"b": 2}], "x" * 5000, 1e308, 10 ** 400, float("nan"), float("inf"), True,
                  "<script>alert(1)</script>")


@pytest.mark.parametrize("hostile", HOSTILE_VALUES, ids=lambda v: f"{type(v).__name__}-{str(v)[:6]}")
def test_every_callback_answers_hostile_values_without_a_server_error(server, hostile, caplog):
    """A well-formed request may still carry any JSON value: it gets an answer, never a 500."""
    specs = _specs(server)
    admin = login_client(server, "matrix-hostile", "admin")
    for key, spec in specs.items():
        values = {d.prop_id: hostile for d in (*spec.inputs, *spec.state)}
        values.update({"_pages_location.pathname": "/", "_pages_location.search": ""})
        response = admin.post("/_dash-update-component", json=exact_payload(spec, values))
        assert response.status_code < 500, (key, hostile)
    assert not [r for r in caplog.records if r.exc_info]


@pytest.mark.parametrize("role", ROLES[1:])
def test_the_router_is_judged_by_the_page_it_renders(server, role):
    specs = _specs(server)
    router = specs[".._pages_content.children..._pages_store.data.."]
    client = _client(server, role)
    for path, required in _page_paths().items():
        body = exact_payload(router, {"_pages_location.pathname": path, "_pages_location.search": ""})
        status = client.post("/_dash-update-component", json=body).status_code
        assert status == (200 if RANK[role] >= required.rank else 403), (role, path, status)
