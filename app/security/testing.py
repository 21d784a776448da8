"""Helpers for tests of any page: create users, log a Flask test client in, fake a logged-in request.

Usage::

    from app.security.testing import login_client, make_user
    make_user(server, "alice", "manager")
    client = login_client(server, "alice", "manager")   # creates the user if needed
    assert client.get("/portfolio").status_code == 200
"""
from __future__ import annotations

import contextlib
import re

import flask

from app.security.accounts import create_user, get_account
from app.security.csrf import CSRF_COOKIE
from app.security.web import current_engine

TEST_PASSWORD = "correct horse battery staple"


def make_user(server: flask.Flask, username: str, role: str, password: str = TEST_PASSWORD):
    """Create (or return the existing) account ``username`` with ``role`` in the app's database."""
    with server.app_context():
        engine = current_engine()
        if engine is None:
            raise RuntimeError("the app has no database (create it with app.shell.create_app)")
        existing = get_account(engine, username)
        return existing or create_user(engine, username, password, role)


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login_client(server: flask.Flask, username: str, role: str | None = None, password: str = TEST_PASSWORD):
    """A Flask test client logged in as ``username`` (created with ``role`` when given)."""
    if role is not None:
        make_user(server, username, role, password)
    client = server.test_client()
    page = client.get("/login")
    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": csrf_from(page.get_data(as_text=True)), "next": "/"})
    assert response.status_code == 302, f"login of {username!r} failed: {response.status_code}"
    # Send the anti-forgery token as Dash's renderer does (app/security/csrf.py).
    cookie = client.get_cookie(CSRF_COOKIE)
    assert cookie is not None, f"no {CSRF_COOKIE} cookie after the login of {username!r}"
    client.environ_base["HTTP_X_CSRFTOKEN"] = cookie.value
    return client


@contextlib.contextmanager
def request_as(server: flask.Flask, username: str, role: str, path: str = "/"):
    """A request context where ``username`` is logged in: call a Dash callback as a plain function
    and have ``audit()`` / ``current_username()`` see that user."""
    account = make_user(server, username, role)
    with server.test_request_context(path):
        flask.g.account = account
        yield account
