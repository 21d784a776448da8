"""Cross-site request forgery defence of the Dash callback endpoint: origin check + double-submit token.

SameSite=Lax cookies and the JSON content type already stop most cross-site callback requests,
but both are browser behaviours, not checks of ours. Two checks are added on every
``/_dash-update-component`` request:

* **Origin**: a browser sends ``Origin`` with every POST from a script; when present it must be this
  site (scheme and host, as the proxy reports them through ProxyFix).
* **Double-submit token**: Dash's renderer sends the cookie named ``_csrf_token`` back as the
  ``X-CSRFToken`` header of each callback (its ``csrf_token_name`` / ``csrf_header_name`` options).
  The cookie holds the session's anti-CSRF token (the one of the login and logout forms); another
  site can neither read it nor set the header, so a forged request carries no valid token.

The cookie is readable by the page's own script (not HttpOnly: that is the point of a double
submit) and ``SameSite=Strict``; it carries no power by itself without the session cookie.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import flask

CSRF_COOKIE = "_csrf_token"  # Dash's default csrf_token_name
CSRF_HEADER = "X-CSRFToken"  # Dash's default csrf_header_name


def same_origin(request: flask.Request) -> bool:
    """False when the request says it comes from another origin (absent ``Origin``: the token decides)."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    parts = urlsplit(origin)
    return f"{parts.scheme}://{parts.netloc}" == request.host_url.rstrip("/")


def install_csrf_cookie(server: flask.Flask, *, secure: bool) -> None:
    """Keep the ``_csrf_token`` cookie equal to the session's token (set at login, removed at logout)."""

    @server.after_request
    def _sync_csrf_cookie(response: flask.Response) -> flask.Response:
        token = flask.session.get("csrf") if "sid" in flask.session else None
        sent = flask.request.cookies.get(CSRF_COOKIE)
        if token and sent != token:
            response.set_cookie(CSRF_COOKIE, token, secure=secure, httponly=False, samesite="Strict")
        elif not token and sent:
            response.delete_cookie(CSRF_COOKIE, secure=secure, httponly=False, samesite="Strict")
        return response
