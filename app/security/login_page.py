"""Server-rendered login, logout and "signed in again" pages (plain Flask + Jinja autoescaping, no Dash).

The 404 and 403 pages use the same frame (``app.security.error_pages``).

Plain HTML forms work without JavaScript and without the Dash callback endpoint, which stays
closed to anonymous users. Bootstrap comes from the vendored stylesheet in ``assets/``.
"""
from __future__ import annotations

import hashlib
import logging

import flask
from markupsafe import Markup

from app.i18n import LANGUAGES, translate
from app.security.accounts import get_account, login
from app.security.audit import LOGIN, LOGIN_FAILED, LOGOUT, record_audit
from app.security.paths import RESUMED_PATH, STATUS_PATH
from app.security.sessions import close_session, open_session, purge_expired
from app.ui import current_language

PAGE = """<!doctype html>
<html lang="{{ lang }}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title><link rel="stylesheet" href="/assets/vendor/bootstrap.min.css"></head>
<body class="bg-light">
<nav class="navbar navbar-expand navbar-dark bg-dark mb-4"><div class="container-fluid">
<a class="navbar-brand" href="/">{{ brand }}</a>
{% if links %}<ul class="navbar-nav me-auto">{% for label, href in links %}<li class="nav-item"><a class="nav-link" href="{{ href }}">{{ label }}</a></li>{% endfor %}</ul>{% endif %}
{% if user %}<span class="navbar-text text-light me-2">{{ user }}</span>
<form action="/logout" method="post" class="d-flex me-3 mb-0"><input type="hidden" name="csrf_token" value="{{ csrf }}"><button class="btn btn-outline-light btn-sm" type="submit">{{ logout }}</button></form>{% endif %}
<span>{% for code in languages %}<a class="text-light ms-2 {{ 'fw-bold' if code == lang else '' }}" href="/lang/{{ code }}">{{ code|upper }}</a>{% endfor %}</span>
</div></nav>
<main class="container" style="max-width: 28rem">{{ body }}</main>
</body></html>"""

LOGIN_BODY = """<h1 class="h4 mb-3">{{ translate('auth.heading', lang) }}</h1>
{% if message %}<div class="alert alert-{{ level }}" role="alert" id="auth-message">{{ message }}</div>{% endif %}
<form method="post" action="/login" id="auth-form" class="card card-body shadow-sm">
<input type="hidden" name="csrf_token" value="{{ csrf }}"><input type="hidden" name="next" value="{{ next }}">
<label class="form-label" for="auth-username">{{ translate('auth.username', lang) }}</label>
<input class="form-control mb-3" id="auth-username" name="username" autocomplete="username" required maxlength="64" value="{{ username }}">
<label class="form-label" for="auth-password">{{ translate('auth.password', lang) }}</label>
<input class="form-control mb-3" id="auth-password" name="password" type="password" autocomplete="current-password" required maxlength="256">
<button class="btn btn-primary" type="submit" id="auth-submit">{{ translate('auth.submit', lang) }}</button>
</form>
<p class="text-muted small mt-3">{{ translate('auth.help', lang) }}</p>"""

LOGOUT_BODY = """<h1 class="h4 mb-3">{{ translate('auth.logout', lang) }}</h1>
<form method="post" action="/logout"><input type="hidden" name="csrf_token" value="{{ csrf }}">
<button class="btn btn-primary" type="submit" id="auth-logout-confirm">{{ translate('auth.logout', lang) }}</button></form>"""


RESUMED_BODY = """<h1 class="h4 mb-3">{{ translate('auth.resumed_title', lang) }}</h1>
<div class="alert alert-success" role="status" id="auth-resumed">{{ translate('auth.resumed_body', lang) }}</div>"""


def render_page(body_template: str, lang: str, status: int = 200, *, title_key: str = "auth.title",
                frame: dict | None = None, **context) -> flask.Response:
    """A server-rendered page in ``lang`` (the route resolved it once); ``frame`` adds navigation links and
    the user menu. The templates look their strings up as the Dash pages do: ``translate(key, lang)``."""
    body = flask.render_template_string(body_template, translate=translate, lang=lang, **context)
    html = flask.render_template_string(PAGE, lang=lang, title=translate(title_key, lang),
                                        brand=translate("app.brand", lang), languages=LANGUAGES, body=Markup(body),
                                        **(frame or {}))
    return flask.make_response(html, status)


def audited_username(engine, typed: str) -> str:
    """The name to record for a failed login: the account's name when it exists, else a short hash.

    People type their password into the user-name field by mistake; an unknown name is therefore
    never stored in clear, but its hash still lets an administrator spot repeated attempts.
    """
    name = (typed or "").strip().lower()
    if name and get_account(engine, name) is not None:
        return name
    return "unknown:" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]


def safe_next(target: str | None) -> str:
    """Only same-site relative paths may be redirected to after login (no open redirect)."""
    if not target or not isinstance(target, str) or not target.startswith("/") or target.startswith("//") \
            or "\\" in target or any(ord(c) < 32 for c in target):
        return "/"
    return target


def client_ip() -> str:
    """Remote address (already corrected by ProxyFix when TRUSTED_PROXY_HOPS is set)."""
    return flask.request.remote_addr or "unknown"


def register_auth_routes(server: flask.Flask) -> None:
    from app.security.web import _state, csrf_token, csrf_valid, current_account

    @server.route("/login", methods=["GET", "POST"], endpoint="auth_login")
    def login_view():
        state = _state()
        lang = current_language()
        if flask.request.method == "GET":
            if current_account() is not None:
                return flask.redirect(safe_next(flask.request.args.get("next")))
            expired = flask.request.args.get("expired")
            return render_page(LOGIN_BODY, lang, csrf=csrf_token(), next=safe_next(flask.request.args.get("next")),
                               username="", message=translate("auth.expired", lang) if expired else "", level="info")
        form = flask.request.form
        next_url = safe_next(form.get("next"))
        username = (form.get("username") or "")[:64]
        if not csrf_valid(form.get("csrf_token")):
            return render_page(LOGIN_BODY, lang, 400, csrf=csrf_token(), next=next_url, username=username,
                               message=translate("auth.csrf", lang), level="warning")
        s = state.settings
        result = login(state.engine, username, form.get("password") or "", client_ip(),
                       max_failures=s.login_max_failures, max_failures_per_ip=s.login_max_failures_per_ip,
                       window_minutes=s.login_window_minutes)
        if result.account is None:
            record_audit(state.engine, audited_username(state.engine, username), LOGIN_FAILED,
                         "locked" if result.locked else "bad_credentials")
            message = translate("auth.locked", lang, minutes=result.retry_after_minutes) if result.locked \
                else translate("auth.invalid", lang)
            return render_page(LOGIN_BODY, lang, 429 if result.locked else 401, csrf=csrf_token(), next=next_url,
                               username=username, message=message, level="danger")
        flask.session.clear()  # new session identity at login (no fixation)
        flask.session.permanent = True
        purge_expired(state.engine, state.policy)  # expired sessions are deleted, not kept forever
        flask.session["sid"] = open_session(state.engine, result.account)
        # A fresh CSRF token in the same response that opens the session: were it created later, while
        # the first page's layout renders, a parallel callback response could re-send the cookie
        # without it, and the logout form would then carry a token the server no longer knows.
        csrf_token()
        flask.g.account = result.account
        record_audit(state.engine, result.account.username, LOGIN, result.account.role)
        return flask.redirect(next_url)

    @server.route(STATUS_PATH, endpoint="auth_status")
    def status_view():
        """Who is signed in, as a tag (the access hook answers 401 otherwise): the session guard's probe."""
        from app.security.web import user_tag

        return flask.jsonify({"user": user_tag()})

    @server.route(RESUMED_PATH, endpoint="auth_resumed")
    def resumed_view():
        from app.security.error_pages import page_frame

        lang = current_language()
        return render_page(RESUMED_BODY, lang, title_key="auth.resumed_title", frame=page_frame(lang))

    @server.route("/logout", methods=["GET", "POST"], endpoint="auth_logout")
    def logout_view():
        state = _state()
        if flask.request.method == "GET":
            if current_account() is None:
                return flask.redirect(flask.url_for("auth_login"))
            return render_page(LOGOUT_BODY, current_language(), csrf=csrf_token())
        if not csrf_valid(flask.request.form.get("csrf_token")):
            return flask.redirect(flask.url_for("auth_logout"))
        account = current_account()
        close_session(state.engine, flask.session.get("sid"))
        if account is not None:
            record_audit(state.engine, account.username, LOGOUT, account.role)
        flask.session.clear()
        logging.getLogger(__name__).debug("logged out")
        return flask.redirect(flask.url_for("auth_login"))
