"""HTTP security headers suited to a Dash 4 app (checked in Chromium: pages render, console clean).

Dash's index page carries inline scripts (the renderer bootstrap and clientside callbacks, e.g.
Dash Pages' title updater); they are allowed by their SHA-256 hash (``Dash.csp_hashes``), computed
per response so callbacks registered late are covered, never by 'unsafe-inline'. Plotly and
React set inline styles, hence style-src 'unsafe-inline' (styles cannot run code). Everything
is served by the app itself (Bootstrap is vendored in assets/), so no third-party origin.
"""
from __future__ import annotations

import flask

BASE_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def content_security_policy(script_hashes: list[str]) -> str:
    """The CSP header value, given the hashes of the inline scripts to allow."""
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def install_security_headers(dash_app) -> None:
    """Add the headers to every response; no caching of anything but static bundles."""
    server: flask.Flask = dash_app.server
    https = server.config.get("SESSION_COOKIE_SECURE", False)

    @server.after_request
    def _security_headers(response: flask.Response) -> flask.Response:
        for name, value in BASE_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers["Content-Security-Policy"] = content_security_policy(list(dash_app.csp_hashes()))
        if https:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        path = flask.request.path
        if not path.startswith(("/assets/", "/_dash-component-suites/")):
            # Pages and callback answers carry personal data: never store them in a shared cache.
            response.headers["Cache-Control"] = "no-store"
        return response
