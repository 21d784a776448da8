"""Flask side of the security layer: sessions, login/logout, and the access check on EVERY request.

``init_security(dash_app, settings)`` installs it. Enforcement lives in one ``before_request``
hook, not in the pages, so pages stay free of security code, their callbacks can be unit-tested
as plain functions, and a page that forgets a check is still protected:

* public: ``/login``, ``/logout``, ``/healthz``, ``/lang/<code>``, ``/assets/``, Dash's JS/CSS
  bundles and favicon;
* Dash's JSON endpoints (``/_dash-layout``, ``/_dash-dependencies``, ``/_dash-update-component``...):
  401 JSON when anonymous, 403 JSON when the role is insufficient for the callback
  (``AccessTable.for_callback``, after an exact match against the registered callback);
* every other path is a page: anonymous users are redirected to the login page, users whose role
  is insufficient get a 403 page.
"""
from __future__ import annotations

import dataclasses
import hashlib
import hmac
import logging
import secrets
from datetime import timedelta

import dash
import flask
from dash.fingerprint import check_fingerprint
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import Settings
from app.security import access
from app.security.accounts import Account
from app.security.audit import ACCESS_DENIED, CALLBACK_REFUSED, record_audit_throttled
from app.security.callbacks import CallbackRequestError, CallbackSpec, callback_specs, match_callback
from app.security.csrf import CSRF_HEADER, install_csrf_cookie, same_origin
from app.security.db import get_engine, init_db
from app.security.headers import install_security_headers
from app.security.logs import log_event
from app.security.paths import CALLBACK_PATH, STATUS_PATH, USER_HEADER
from app.security.sessions import SessionPolicy, resolve_session

EXTENSION_KEY = "credit_security"
SESSION_COOKIE = "credit_session"
PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/lang/", "/static/")
PUBLIC_PATHS = frozenset({"/login", "/logout", "/healthz", "/_favicon.ico", "/favicon.ico"})

log = logging.getLogger(__name__)


class ConfigurationError(RuntimeError):
    """The deployment is unsafe to start; the message says what to set."""


@dataclasses.dataclass
class SecurityState:
    """Per-Flask-app state (in ``server.extensions``, not a module global)."""

    engine: Engine
    settings: Settings
    policy: SessionPolicy
    dash_app: dash.Dash  # its callback map and page registry decide what a request may run
    table: access.AccessTable  # minimum role per area, as the pages declared it
    _specs: tuple[int, dict[str, CallbackSpec]] = (-1, {})  # callback_specs() of the map at that size

    def callback_specs(self) -> dict[str, CallbackSpec]:
        """The registered callbacks as specs, rebuilt only when Dash has registered more of them.

        Dash adds callbacks (its router, at the first request) but never removes or replaces one, so
        the map's size says whether the specs are current; every callback request reads them.
        """
        size, specs = self._specs
        callback_map = self.dash_app.callback_map
        if size != len(callback_map):
            specs = callback_specs(callback_map)
            self._specs = (len(callback_map), specs)
        return specs


def _secret_key(settings: Settings) -> str:
    if settings.secret_key:
        if settings.is_production and len(settings.secret_key) < 32:
            raise ConfigurationError("SECRET_KEY must be at least 32 characters in production "
                                     "(e.g. python -c 'import secrets; print(secrets.token_hex(32))')")
        return settings.secret_key
    if settings.is_production:
        raise ConfigurationError(
            "SECRET_KEY is not set: production (APP_ENV=production) refuses to start without it. Set SECRET_KEY to a "
            "long random value, e.g. python -c 'import secrets; print(secrets.token_hex(32))'"
        )
    log.warning("SECRET_KEY not set: using a random key, sessions end when the process restarts (development only)")
    return secrets.token_hex(32)


def _check_database(settings: Settings) -> None:
    """Production must name its database: a PaaS wipes the local disk on every restart, so the
    default SQLite file would silently lose the audit trail and the decision log."""
    from app.config import DEFAULT_SQLITE_PATH

    if settings.is_production and settings.database_url == f"sqlite:///{DEFAULT_SQLITE_PATH}":
        raise ConfigurationError(
            "DATABASE_URL is not set: production (APP_ENV=production) refuses to keep the audit trail and the "
            "decision log in the default local SQLite file, which a PaaS deletes on restart. Set DATABASE_URL "
            "(PostgreSQL), or an explicit sqlite:////path/on/a/persistent/disk.db"
        )


def init_security(dash_app, settings: Settings, engine: Engine | None = None) -> SecurityState:
    """Configure cookies, database, routes, the access hook and the security headers.

    Call it once the pages are registered: the access table is read from their declarations.
    """
    from app.navigation import access_table  # app.navigation imports this package
    server: flask.Flask = dash_app.server
    server.secret_key = _secret_key(settings)
    if engine is None:
        _check_database(settings)
    server.config.update(
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.is_production,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_max_hours),
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
    )
    if settings.trusted_proxy_hops > 0:
        server.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way to add a middleware
            server.wsgi_app, x_for=settings.trusted_proxy_hops, x_proto=settings.trusted_proxy_hops,
            x_host=settings.trusted_proxy_hops)
    state = SecurityState(
        engine=engine if engine is not None else get_engine(settings.database_url),
        settings=settings,
        policy=SessionPolicy(idle=timedelta(minutes=settings.session_idle_minutes),
                             absolute=timedelta(hours=settings.session_max_hours)),
        dash_app=dash_app,
        table=access_table(),
    )
    prepare_database(state.engine, settings)
    server.extensions[EXTENSION_KEY] = state
    from app.security.login_page import register_auth_routes  # avoids an import cycle

    register_auth_routes(server)
    server.before_request(_enforce_access)
    install_csrf_cookie(server, secure=settings.is_production)
    install_security_headers(dash_app)
    return state


def prepare_database(engine: Engine, settings: Settings) -> None:
    """Development upgrades its database itself; production only checks it is current.

    In production the PaaS runs the upgrade once, before the new processes start (the Procfile's
    ``release:`` line): web processes starting together must not race on the schema, and one on a
    database older than the code refuses to start, naming the command, instead of failing later on
    a missing column in front of an officer.
    """
    if not settings.is_production:
        init_db(engine)
        return
    from app.security.schema import SchemaOutdatedError, require_current

    try:
        require_current(engine)
    except SchemaOutdatedError as exc:
        raise ConfigurationError(str(exc)) from None


def bind_database(server: flask.Flask, engine: Engine) -> None:
    """Point an initialised app at another database (tests run one Dash app against SQLite and PostgreSQL)."""
    init_db(engine)
    server.extensions[EXTENSION_KEY].engine = engine


def _state() -> SecurityState | None:
    if not flask.has_app_context():
        return None
    return flask.current_app.extensions.get(EXTENSION_KEY)


def current_engine() -> Engine | None:
    """The database of the current app, or None outside a request/app with the security layer."""
    state = _state()
    return state.engine if state else None


def current_account() -> Account | None:
    """The logged-in account of this request (None when anonymous or outside a request)."""
    if not flask.has_request_context():
        return None
    if "account" not in flask.g:
        state = _state()
        token = flask.session.get("sid") if state else None
        flask.g.account = resolve_session(state.engine, token, state.policy) if state and token else None
    return flask.g.account


def user_tag(account: Account | None = None) -> str:
    """A short, stable tag of the signed-in user ("" when anonymous), for the browser's own checks.

    The session guard compares the tag its page was built for with the one ``/auth/status`` gives
    after a sign-in in another tab, and decision drafts are stored under it, so a second person
    signing in on the same browser never inherits the first one's page or drafts.
    """
    account = account if account is not None else current_account()
    if account is None:
        return ""
    return hashlib.sha256(f"credit-user:{account.username}".encode()).hexdigest()[:16]


def current_username() -> str | None:
    account = current_account()
    return account.username if account else None


def csrf_token() -> str:
    """Per-session anti-CSRF token for server-rendered forms (login, logout)."""
    token = flask.session.get("csrf")
    if not token:
        token = flask.session["csrf"] = secrets.token_urlsafe(32)
    return token


def csrf_valid(submitted: str | None) -> bool:
    expected = flask.session.get("csrf")
    return bool(expected and submitted and hmac.compare_digest(str(expected), str(submitted)))


def _relative_path() -> str:
    return flask.request.path or "/"


def _is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def _json_error(status: int, code: str, message: str):
    response = flask.jsonify({"error": code, "message": message})
    response.status_code = status
    return response


def _api_paths(state: SecurityState) -> frozenset[str]:
    """The JSON endpoints (answer 401/403 as JSON, never a redirect): Dash's own, exactly, and the
    session probe. Anything else under ``/_dash-`` is an unknown path like any other (404)."""
    prefix = state.dash_app.config.routes_pathname_prefix
    dash_api = ("_dash-layout", "_dash-dependencies", "_dash-update-component", "_reload-hash")
    return frozenset({*(prefix + name for name in dash_api), STATUS_PATH})


def _dash_page_endpoints(state: SecurityState) -> frozenset[str]:
    """Flask endpoints of Dash's index and catch-all routes: the paths that render a Dash page."""
    prefix = state.dash_app.config.routes_pathname_prefix
    return frozenset({prefix, f"{prefix}<path:path>"})


def _page_for(state: SecurityState, path: str) -> str | None:
    """The registered path of the page Dash's router renders for ``path`` (None: its 404 page).

    Uses Dash's own matcher, so access is decided on the very page Dash will render.
    """
    from dash._pages import _path_to_page  # Dash's router matcher, private but exact

    page, _ = _path_to_page(state.dash_app.strip_relative_path(path) or "")
    return page.get("path") if page else None


def _deny(state: SecurityState, account: Account, required: access.Role, path: str, target: str):
    """Refuse, and keep a record: a forbidden attempt is logged AND written to the audit trail."""
    log_event("access_denied", logging.WARNING, username=account.username, role=account.role,
              required=required.value, path=path)
    record_audit_throttled(state.engine, account.username, ACCESS_DENIED, target[:200],
                           {"path": path, "role": account.role, "required": required.value})


def _refuse_callback(state: SecurityState, account: Account, reason: str):
    """A callback request that matches no registered callback exactly: 400, one log line, audited."""
    log_event("callback_refused", logging.WARNING, username=account.username, reason=reason)
    record_audit_throttled(state.engine, account.username, CALLBACK_REFUSED, CALLBACK_PATH, {"reason": reason[:300]})
    return _json_error(400, "bad_request", reason)


def _authorise_callback(state: SecurityState, account: Account):
    """Match the request against the registered callback, check its origin token, then its role."""
    if not same_origin(flask.request) or not csrf_valid(flask.request.headers.get(CSRF_HEADER)):
        log_event("csrf_refused", logging.WARNING, username=account.username, path=CALLBACK_PATH)
        return _json_error(403, "csrf", "Missing or invalid anti-forgery token: reload the page.")
    page_user = flask.request.headers.get(USER_HEADER)
    if page_user is not None and not hmac.compare_digest(page_user, user_tag(account)):
        log_event("other_user_refused", logging.WARNING, username=account.username, path=CALLBACK_PATH)
        return _json_error(403, "other_user", "This page was opened by another user: reload it.")
    try:
        matched = match_callback(flask.request.get_json(silent=True), state.callback_specs())
        required = state.table.for_callback(matched, lambda path: _page_for(state, path))
    except CallbackRequestError as exc:
        return _refuse_callback(state, account, str(exc))
    if access.role_allows(account.role, required):
        return None
    _deny(state, account, required, CALLBACK_PATH, matched.spec.key)
    return _json_error(403, "forbidden", f"Role {required.value!r} required.")


def _check_component_suite(state: SecurityState, path: str):
    """Dash serves its bundles from registered packages only; anything else is a 404, not a 500."""
    package, _, resource = path[len("/_dash-component-suites/"):].partition("/")
    served = state.dash_app.registered_paths.get(package)
    if served and check_fingerprint(resource)[0] in served:
        return None
    log_event("not_found", logging.INFO, path=path[:200])
    flask.abort(404)


def _enforce_access():
    """before_request: authenticate, then authorise the page or the Dash callback."""
    state = _state()
    if state is None:
        return None
    path = _relative_path()
    if path.startswith("/_dash-component-suites/"):
        return _check_component_suite(state, path)
    if _is_public(path):
        return None
    account = current_account()
    is_dash_api = path in _api_paths(state)
    if account is None:
        if is_dash_api:
            return _json_error(401, "unauthenticated", "Login required (session missing or expired).")
        target = flask.request.full_path if flask.request.query_string else path
        expired = {"expired": 1} if flask.session.pop("sid", None) else {}
        return flask.redirect(flask.url_for("auth_login", next=target, **expired))
    if path == CALLBACK_PATH:
        return _authorise_callback(state, account)
    if is_dash_api:
        return None  # layout, dependencies, reload hash, session probe: any signed-in user (callbacks are checked one by one)
    from app.security.error_pages import forbidden_page, not_found_page  # import cycle

    rule = flask.request.url_rule
    if rule is None:
        return not_found_page()  # werkzeug matched no route (e.g. a control character in the path)
    if rule.endpoint in _dash_page_endpoints(state):
        page = _page_for(state, path)
        if page is None:
            return not_found_page()
        required = state.table.for_page(page)
    else:  # another Flask route: its area's role, admin when the area is not declared
        required = state.table.for_path(path)
    if access.role_allows(account.role, required):
        return None
    _deny(state, account, required, path, path)
    return forbidden_page()
