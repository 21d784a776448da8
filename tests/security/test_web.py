"""Authentication and authorisation over HTTP (Flask test client), on SQLite and PostgreSQL."""
import json
import re

import pytest

from app.security.audit import audit_events
from app.security.testing import csrf_from, login_client, make_user

ROLES = ("officer", "manager", "admin")
#: page path -> roles allowed
PAGES = {
    "/": ROLES, "/client/100002": ROLES, "/portfolio": ("manager", "admin"), "/model": ("manager", "admin"),
    "/monitoring": ("manager", "admin"), "/queue": ROLES, "/decisions": ("manager", "admin"),
    "/audit": ("manager", "admin"), "/admin": ("admin",),
}
#: paths no page serves: a 404 for everybody signed in (a 403 would reveal which areas exist)
UNKNOWN_PAGES = ("/admin-x", "/not-declared", "/portfolio-x")
UNKNOWN_PATHS = (*UNKNOWN_PAGES, "/client/100002%0A")  # the last one no Flask route even matches


def test_anonymous_pages_redirect_to_login(server):
    client = server.test_client()
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("role", ROLES)
def test_pages_by_role(server, role):
    client = login_client(server, f"user-{role}", role)
    for path, allowed in PAGES.items():
        status = client.get(path).status_code
        assert status == (200 if role in allowed else 403), (role, path, status)
    for path in UNKNOWN_PATHS:
        response = client.get(path)
        assert response.status_code == 404, (role, path, response.status_code)
        assert "Page introuvable" in response.get_data(as_text=True)


def test_public_endpoints(server):
    client = server.test_client()
    assert client.get("/login").status_code == 200
    assert client.get("/assets/vendor/bootstrap.min.css").status_code == 200
    assert client.get("/lang/en").status_code == 302


def test_healthz_reports_model_and_database(server):
    response = server.test_client().get("/healthz")  # public: the PaaS probe has no session
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"status": "ok", "model_loaded": True, "database_reachable": True}


def test_healthz_model_check_fails_without_a_model(tmp_path, server):
    from app.health import model_loaded
    from tests.served_support import serving

    with serving(server, tmp_path), server.app_context():  # an empty folder: no model, no portfolio
        assert model_loaded() is False
        (tmp_path / "model_card.json").write_text("{not json")
        (tmp_path / "model.cbm").write_bytes(b"junk")
        assert model_loaded() is False  # a corrupt folder is unhealthy, not a 500
        assert server.test_client().get("/healthz").status_code == 503


@pytest.mark.parametrize("referrer, expected", [
    (None, "/"),
    ("http://localhost/portfolio?grade=A", "/portfolio?grade=A"),
    ("https://evil.example/phish", "/"),
    ("//evil.example/x", "/"),
])
def test_language_switch_redirects_only_within_the_site(server, referrer, expected):
    headers = {"Referer": referrer} if referrer else {}
    response = server.test_client().get("/lang/en", headers=headers)
    assert response.status_code == 302
    assert response.headers["Location"] == expected
    assert "lang=en" in response.headers["Set-Cookie"]


def _callback(area_in: str, area_out: str, value="v"):
    return {"output": f"{area_out}-probe-out.children", "outputs": {"id": f"{area_out}-probe-out", "property": "children"},
            "inputs": [{"id": f"{area_in}-probe-in", "property": "value", "value": value}], "changedPropIds": [], "state": []}


def _page_callback(path: str):
    return {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": ""}],
            "changedPropIds": ["_pages_location.pathname"], "state": []}


def test_callback_endpoint_anonymous_gets_401_json(server):
    client = server.test_client()
    for endpoint in ("/_dash-layout", "/_dash-dependencies"):
        assert client.get(endpoint).status_code == 401
    response = client.post("/_dash-update-component", json=_callback("client", "client"))
    assert response.status_code == 401 and response.get_json()["error"] == "unauthenticated"


AREAS = {"client": ROLES, "portfolio": ("manager", "admin"), "model": ("manager", "admin"),
         "monitoring": ("manager", "admin"), "admin": ("admin",), "client-export": ("manager", "admin")}


@pytest.mark.parametrize("role", ROLES)
def test_callbacks_by_role(server, role):
    client = login_client(server, f"cb-{role}", role)
    assert client.get("/_dash-layout").status_code == 200
    for area, allowed in AREAS.items():
        response = client.post("/_dash-update-component", json=_callback(area, area, "42"))
        if role in allowed:
            assert response.status_code == 200, (role, area)
            assert "ok 42" in response.get_data(as_text=True)
        else:
            assert response.status_code == 403 and response.get_json()["error"] == "forbidden", (role, area)
    # pairing an allowed output with a forbidden input is no registered callback: refused for everybody
    mixed = client.post("/_dash-update-component", json=_callback("portfolio", "client"))
    assert mixed.status_code == 400 and mixed.get_json()["error"] == "bad_request"
    for path, allowed in PAGES.items():
        response = client.post("/_dash-update-component", json=_page_callback(path))
        if role in allowed:
            assert response.status_code == 200, (role, path)
        else:
            assert response.status_code == 403, (role, path)
    for path in UNKNOWN_PAGES:  # the router renders the app's 404 page
        response = client.post("/_dash-update-component", json=_page_callback(path))
        assert response.status_code == 200 and "error-not-found" in response.get_data(as_text=True), (role, path)


def test_malformed_callback_is_400(server):
    client = login_client(server, "alice", "admin")
    assert client.post("/_dash-update-component", data="not json", content_type="text/plain").status_code == 400
    assert client.post("/_dash-update-component", json={"inputs": []}).status_code == 400


def test_login_rejects_wrong_password_then_locks(server):
    make_user(server, "alice", "officer")
    client = server.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    for _ in range(5):
        r = client.post("/login", data={"username": "alice", "password": "wrong-password!", "csrf_token": token})
        assert r.status_code == 401 and "incorrect" in r.get_data(as_text=True)
    r = client.post("/login", data={"username": "alice", "password": "correct horse battery staple", "csrf_token": token})
    assert r.status_code == 429 and "15 min" in r.get_data(as_text=True)
    with server.app_context():
        from app.security.web import current_engine
        actions = [e.action for e in audit_events(current_engine(), username="alice")]
    assert actions.count("auth.login_failed") == 6


def test_failed_login_never_stores_an_unknown_name_in_clear(server):
    """A password typed into the user-name field must not land in the audit trail."""
    client = server.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"username": "Tr0ub4dor&3", "password": "x", "csrf_token": token})
    with server.app_context():
        from app.security.web import current_engine
        names = [e.username for e in audit_events(current_engine()) if e.action == "auth.login_failed"]
    assert names and all("tr0ub4dor" not in n.lower() for n in names)
    assert any(n.startswith("unknown:") for n in names)


def test_login_response_already_holds_a_fresh_csrf_token(server):
    """The logout form's token must exist in the cookie set by the login itself (see login_page)."""
    client = server.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        before = session.get("csrf")
    logged_in = login_client(server, "dora", "officer")
    with logged_in.session_transaction() as session:
        assert session.get("csrf") and session.get("csrf") != before and session.get("sid")


def test_login_purges_expired_sessions(server):
    import datetime as dt

    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from app.security.accounts import get_account
    from app.security.db import UserSession, utcnow
    from app.security.sessions import open_session
    from app.security.web import current_engine

    make_user(server, "carol", "officer")
    with server.app_context():
        engine = current_engine()
        open_session(engine, get_account(engine, "carol"), now=utcnow() - dt.timedelta(days=30))
        cutoff = utcnow() - dt.timedelta(days=1)

        def stale_sessions() -> int:
            with Session(engine) as session:
                return session.scalar(select(func.count()).where(UserSession.created_at < cutoff))

        assert stale_sessions() == 1
        login_client(server, "carol")
        assert stale_sessions() == 0


def test_login_requires_csrf_and_refuses_open_redirect(server):
    make_user(server, "alice", "officer")
    client = server.test_client()
    client.get("/login")
    r = client.post("/login", data={"username": "alice", "password": "correct horse battery staple", "csrf_token": "forged"})
    assert r.status_code == 400
    token = csrf_from(client.get("/login").get_data(as_text=True))
    r = client.post("/login", data={"username": "alice", "password": "correct horse battery staple",
                                    "csrf_token": token, "next": "//evil.example/"})
    assert r.status_code == 302 and r.headers["Location"] == "/"


def test_session_cookie_flags_and_logout(server):
    client = login_client(server, "alice", "officer")
    cookie = client.get_cookie("credit_session")
    assert cookie.http_only and cookie.same_site == "Lax"
    home = client.get("/")
    assert home.status_code == 200
    layout = json.dumps(client.get("/_dash-layout").get_json())
    assert "alice" in layout and "/logout" in layout
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 302
    assert client.get("/").status_code == 200  # forged logout ignored
    token = csrf_from(client.get("/logout").get_data(as_text=True))
    client.post("/logout", data={"csrf_token": token})
    assert client.get("/").status_code == 302
    assert client.post("/_dash-update-component", json=_callback("client", "client")).status_code == 401


def test_navbar_shows_only_allowed_links(server):
    """The menu comes from the pages' own declarations (nav=, order=, role=)."""
    officer = json.dumps(login_client(server, "off", "officer").get("/_dash-layout").get_json())
    manager = json.dumps(login_client(server, "man", "manager").get("/_dash-layout").get_json(), ensure_ascii=False)
    assert '"href": "/client"' in officer and '"href": "/portfolio"' not in officer and "/monitoring" not in officer
    assert '"href": "/portfolio"' in manager and '"href": "/monitoring"' in manager
    labels = re.findall(r'"children": "(Dossier client|Portefeuille|Modèle|Surveillance)"', manager)
    assert labels == ["Dossier client", "Portefeuille", "Modèle", "Surveillance"]  # the declared order


def test_security_headers(server):
    client = login_client(server, "alice", "officer")
    headers = client.get("/").headers
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] and headers["Cache-Control"] == "no-store"


def test_disabled_user_is_logged_out_at_next_request(server):
    from app.security.accounts import set_active
    from app.security.web import current_engine

    client = login_client(server, "alice", "manager")
    assert client.get("/portfolio").status_code == 200
    with server.app_context():
        set_active(current_engine(), "alice", False)
    response = client.get("/portfolio")
    assert response.status_code == 302 and "expired=1" in response.headers["Location"]


def test_callbacks_need_the_anti_forgery_token_and_a_same_site_origin(server):
    client = login_client(server, "csrf-user", "officer")
    cookie = client.get_cookie("_csrf_token")
    assert cookie is not None and not cookie.http_only and cookie.same_site == "Strict"
    body = _callback("client", "client", "1")
    assert client.post("/_dash-update-component", json=body).status_code == 200
    assert client.post("/_dash-update-component", json=body, headers={"Origin": "https://evil.example"}).status_code == 403
    assert client.post("/_dash-update-component", json=body, headers={"Origin": "http://localhost"}).status_code == 200
    del client.environ_base["HTTP_X_CSRFTOKEN"]
    refused = client.post("/_dash-update-component", json=body)
    assert refused.status_code == 403 and refused.get_json()["error"] == "csrf"
    forged = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": "guessed"})
    assert forged.status_code == 403
    token = csrf_from(client.get("/logout").get_data(as_text=True))
    client.post("/logout", data={"csrf_token": token})
    assert client.get_cookie("_csrf_token") is None  # removed with the session


def test_unknown_component_suite_is_404_without_a_traceback(server, caplog):
    client = server.test_client()  # anonymous: anybody could fill the log
    with caplog.at_level("INFO"):
        for path in ("/_dash-component-suites/os/path.py", "/_dash-component-suites/dash/../../etc/passwd",
                     "/_dash-component-suites/dash/nothing.js"):
            assert client.get(path).status_code == 404, path
    assert not [r for r in caplog.records if r.exc_info]
    layout = login_client(server, "bundle-user", "officer").get("/").get_data(as_text=True)
    bundle = re.search(r'src="(/_dash-component-suites/dash/[^"]+\.js)"', layout).group(1)
    assert client.get(bundle).status_code == 200  # the real bundles are still served


def test_forbidden_page_has_navigation_and_is_audited(server):
    client = login_client(server, "nosy-officer", "officer")
    response = client.get("/model")
    html = response.get_data(as_text=True)
    assert response.status_code == 403 and "<title>Accès refusé" in html and "Connexion" not in html
    assert 'href="/client"' in html and 'action="/logout"' in html and 'href="/portfolio"' not in html
    with server.app_context():
        from app.security.web import current_engine
        events = audit_events(current_engine(), username="nosy-officer", action="access.denied")
    assert [e.target for e in events] == ["/model"] and events[0].details["required"] == "manager"


def test_repeated_refusals_are_logged_each_time_but_audited_once_a_minute(server, caplog):
    client = login_client(server, "loop-officer", "officer")
    with caplog.at_level("WARNING"):
        for _ in range(5):
            assert client.get("/model").status_code == 403
    assert sum(r.getMessage() == "access_denied" for r in caplog.records) == 5
    with server.app_context():
        from app.security.web import current_engine
        assert len(audit_events(current_engine(), username="loop-officer", action="access.denied")) == 1


def test_unknown_dash_like_paths_are_404(server):
    client = login_client(server, "prefix-user", "admin")
    for path in ("/_dash-x", "/_reload-hashx", "/_dash-layout/../model", "/_dash-layoutx"):
        assert client.get(path).status_code == 404, path
    assert client.get("/_dash-layout").status_code == 200


def test_not_found_page_in_the_readers_language(server):
    client = login_client(server, "lost-user", "manager")
    client.set_cookie("lang", "en")
    response = client.get("/no/such/page")
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and "<title>Page not found" in html and 'href="/portfolio"' in html


@pytest.mark.parametrize("inputs", [
    [{"id": "_pages_location", "property": "pathname", "value": None}, {"id": "_pages_location", "property": "search", "value": ""}],
    [{"id": "_pages_location", "property": "pathname", "value": "/"}, {"id": "_pages_location", "property": "search", "value": {"a": 1}}],
])
def test_page_callback_with_values_dash_cannot_route_is_400(server, inputs, caplog):
    client = login_client(server, "odd-user", "admin")
    body = {**_page_callback("/"), "inputs": inputs}
    with caplog.at_level("INFO"):
        assert client.post("/_dash-update-component", json=body).status_code == 400
        unknown = {**_callback("client", "client"), "output": "nothing.children"}
        assert client.post("/_dash-update-component", json=unknown).status_code == 400
    assert not [r for r in caplog.records if r.exc_info]


def test_login_purges_failures_past_the_window(server):
    import datetime as dt

    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from app.security.db import LoginFailure, utcnow
    from app.security.web import current_engine

    with server.app_context():
        engine = current_engine()
        with Session(engine) as session, session.begin():
            session.add_all([LoginFailure(username="ghost", ip="10.0.0.1", at=utcnow() - dt.timedelta(days=d))
                             for d in (1, 2, 3)])
            session.add(LoginFailure(username="ghost", ip="10.0.0.1", at=utcnow() - dt.timedelta(minutes=1)))
        login_client(server, "purger", "officer")
        with Session(engine) as session:  # the recent one still counts towards the lock
            assert session.scalar(select(func.count()).select_from(LoginFailure)) == 1


def test_session_probe_and_resumed_page(server):
    anonymous = server.test_client()
    probe = anonymous.get("/auth/status")
    assert probe.status_code == 401 and probe.get_json()["error"] == "unauthenticated"  # JSON, not a redirect
    assert anonymous.get("/auth/resumed").status_code == 302
    client = login_client(server, "back-again", "officer")
    tag = client.get("/auth/status").get_json()["user"]
    other = login_client(server, "someone-else", "officer").get("/auth/status").get_json()["user"]
    assert len(tag) == 16 and tag != other  # the guard tells a different person from the same one
    page = client.get("/auth/resumed").get_data(as_text=True)
    assert "Fermez cet onglet" in page and 'action="/logout"' in page
    layout = json.dumps(client.get("/_dash-layout").get_json(), ensure_ascii=False)
    assert "auth-session-banner" in layout and "/login?next=/auth/resumed" in layout
    assert f'"data-user": "{tag}"' in layout
    assert "Votre session a pris fin" in layout
