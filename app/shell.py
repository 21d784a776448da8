"""The Dash application shell: constructor, navigation bar, page container, ``server``.

Pages live one per module under ``app/pages`` and register themselves with ``dash.register_page``;
they are imported explicitly below (``pages_folder=""``) so they stay ordinary package modules
that tests can import and whose callbacks they can call as plain functions.
"""
from __future__ import annotations

import importlib
import logging
import threading
import time
from urllib.parse import urlsplit

import dash
import dash_bootstrap_components as dbc
import flask
from dash import dcc, html

from app.config import Settings, get_settings
from app.i18n import LANGUAGES, normalise_language, translate
from app.navigation import nav_links
from app.resources import ServedModel, bind_served_model
from app.security.login_page import safe_next
from app.security.paths import RELOGIN_HREF
from app.security.web import csrf_token, current_account, user_tag
from app.ui import LANGUAGE_COOKIE, SETTINGS_CONFIG_KEY, current_language, html_attributes

log = logging.getLogger(__name__)


def _user_menu(lang: str) -> list:
    """User name, role and a logout button (a POST form with the CSRF token: no logout by link forgery)."""
    account = current_account()
    if account is None:
        return []
    return [
        dbc.NavItem(html.Span(f"{account.username} ({translate('auth.role.' + account.role, lang)})",
                              className="navbar-text text-light me-2", id="auth-user")),
        dbc.NavItem(html.Form(
            [dcc.Input(type="hidden", name="csrf_token", value=csrf_token(), id="auth-csrf"),
             html.Button(translate("auth.logout", lang), type="submit", id="auth-logout",
                         className="btn btn-outline-light btn-sm")],
            action="/logout", method="POST", className="d-flex me-3 mb-0")),
    ]


def navbar() -> dbc.Navbar:
    """Top navigation, rendered per request in the user's language, with only the links the role may open
    (hiding is comfort only: access is enforced server-side by app.security)."""
    lang = current_language()
    account = current_account()
    links = [dbc.NavItem(dbc.NavLink(translate(key, lang), href=href, active="partial"))
             for key, href in nav_links(account.role if account else None)]
    switch = [
        dbc.NavItem(
            html.A(code.upper(), href=f"/lang/{code}", className="nav-link" + (" active fw-bold" if code == lang else ""),
                   **html_attributes({"aria-label": f"{translate('nav.language', lang)}: {code}"}))
        )
        for code in LANGUAGES
    ]
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand(translate("app.brand", lang), href="/"),
                dbc.Nav(links, navbar=True, className="me-auto"),
                dbc.Nav(_user_menu(lang), navbar=True),
                dbc.Nav(switch, navbar=True),
            ],
            fluid=True,
        ),
        color="dark",
        dark=True,
        className="mb-3",
    )


def SessionBanner(lang: str) -> html.Div:
    """Hidden until assets/session_guard.js shows it: what to do when a callback was refused."""
    def part(name: str, key: str, *extra) -> html.Span:
        return html.Span([translate(key, lang), *extra], id=f"auth-session-{name}", hidden=True)

    relogin = html.A(translate("auth.session_relogin", lang), href=RELOGIN_HREF, target="_blank", rel="noopener",
                     className="alert-link ms-1", id="auth-session-relogin")
    close = html.Button(type="button", className="btn-close", id="auth-session-close",
                        **html_attributes({"aria-label": translate("auth.session_close", lang)}))
    return html.Div([close, part("ended", "auth.session_ended", " ", relogin),
                     part("forbidden", "auth.session_forbidden"), part("stale", "auth.session_stale"),
                     part("resumed", "auth.session_resumed")],
                    id="auth-session-banner", role="alert", hidden=True, className="alert alert-warning mb-3",
                    **html_attributes({"data-user": user_tag()}))


def serve_layout() -> html.Div:
    """Layout built per request so the navigation follows the language cookie."""
    lang = current_language()
    return html.Div([navbar(), dbc.Container([SessionBanner(lang), dash.page_container], fluid=True, className="pb-4")])


def _register_language_route(server: flask.Flask) -> None:
    @server.route("/lang/<code>")
    def set_language(code: str):
        # Back to the page the user was on, but only to a path of this site (the Referer header is
        # attacker-controlled: an absolute URL there must not turn this public route into an open redirect).
        referrer = urlsplit(flask.request.referrer or "/")
        same_site = not referrer.netloc or referrer.netloc == flask.request.host
        back = referrer.path + (f"?{referrer.query}" if referrer.query else "") if same_site else "/"
        response = flask.redirect(safe_next(back))
        response.set_cookie(LANGUAGE_COOKIE, normalise_language(code), max_age=365 * 24 * 3600,
                            samesite="Lax", httponly=True)
        return response


def create_app(settings: Settings | None = None, *, warm_up: bool = False) -> dash.Dash:
    """Build the Dash app, register the pages, install the security layer and return it (one per process).

    ``warm_up`` loads the model and the portfolio now (the WSGI entry does, so gunicorn's preloading
    master shares them with its workers and the first officer does not wait); tests leave it off.

    Raises ``app.security.web.ConfigurationError`` when production settings are unsafe (no SECRET_KEY).
    """
    settings = settings or get_settings()
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder="",
        assets_folder=str(__import__("app.config", fromlist=["PROJECT_DIR"]).PROJECT_DIR / "assets"),
        # Bootstrap is vendored in assets/vendor/ (loaded automatically): no third-party CDN, so the
        # Content-Security-Policy stays 'self' and officers' browsers call no outside host.
        external_stylesheets=[],
        title=translate("app.title", settings.default_language),
        suppress_callback_exceptions=True,
        update_title="",  # the tab's title stays as it is while a callback runs (Dash: None or '')
    )
    app.server.config[SETTINGS_CONFIG_KEY] = settings
    _serialise_first_request_setup(app)
    from app.pages import register_all  # pages need the app to exist first

    register_all()
    importlib.import_module("app.components.decision_log")  # registers the decision panel's callbacks

    app.layout = serve_layout
    _register_language_route(app.server)
    from app.components.letter import register_letter_routes

    register_letter_routes(app.server)
    from app.health import register_health_route
    from app.security.bootstrap import ensure_env_admin
    from app.security.web import init_security

    state = init_security(app, settings)
    register_health_route(app.server)
    ensure_env_admin(state.engine, settings)
    model = ServedModel(settings.model_dir, settings.portfolio_database_url
                        if settings.portfolio_engine == "postgresql" else None)
    bind_served_model(app.server, model)
    if warm_up:
        _warm_up(model)
    return app


def _serialise_first_request_setup(app: dash.Dash) -> None:
    """Run Dash's first-request setup under a lock, so no request overtakes it.

    Dash's ``_setup_server`` (a before_request hook) marks itself done *first*, then takes the
    callbacks registered with ``dash.callback`` into ``app.callback_map``: a request arriving in
    another thread meanwhile skips the setup and finds 2 callbacks of 32. A fresh gthread worker
    whose first requests are a page's concurrent callbacks (a restart with officers' pages open, a
    load test) refused them as "callback request names no registered callback" (HTTP 400). The
    lock costs an uncontended acquire per request; after the first, the setup returns at once.
    """
    funcs = app.server.before_request_funcs.setdefault(None, [])
    setup = app._setup_server
    if setup not in funcs:
        raise RuntimeError("Dash no longer installs _setup_server as a before_request hook: review this lock")
    lock = threading.Lock()

    def setup_server_once() -> None:
        with lock:
            setup()

    funcs[funcs.index(setup)] = setup_server_once


def _warm_up(model: ServedModel) -> None:
    """Load model and portfolio once; a missing model is logged, not fatal (/healthz reports it and
    the pages say the score is unavailable)."""
    from app.scoring.bundle import ModelNotFoundError

    try:
        model.warm_up()
    except (ModelNotFoundError, OSError) as exc:
        log.warning("model not loaded at start-up: %s", exc)
        return
    # what every worker would otherwise compute on its first officer (1.5 s for the loan bounds at
    # 3.56M clients, while the other requests queue behind it): computed once here, in the
    # preloaded master, and shared by the forked workers
    from app.components.client_comparison import warm_up as warm_comparison
    from app.components.client_file import reasons_reference
    from app.components.whatif import loan_bounds

    started = time.perf_counter()
    _ = model.analysis
    reasons_reference(model)
    loan_bounds(model)
    warm_comparison(model)
    log.info("portfolio pages warmed up in %.1fs", time.perf_counter() - started)
