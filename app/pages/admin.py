"""Accounts (/admin, admins only): list, create (password shown once), change role, disable / enable,
reset a password. Every change is audited (never the password); the last active admin can be neither
disabled nor demoted (``app.security.accounts``), so the page cannot lock everybody out.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html

from app.i18n import translate
from app.security import accounts
from app.security.access import ROLES, Role
from app.security.audit import ACCOUNT, record_audit
from app.security.passwords import PasswordPolicyError
from app.security.web import current_engine, current_username
from app.ui import Card, Dropdown, current_language, page_title

NEW_USERNAME = "admin-new-username"
NEW_ROLE = "admin-new-role"
CREATE = "admin-create"
ACCOUNT_SELECT = "admin-account"
ROLE_SELECT = "admin-role"
SET_ROLE = "admin-set-role"
DISABLE = "admin-disable"
ENABLE = "admin-enable"
RESET = "admin-reset"
FEEDBACK = "admin-feedback"
TABLE = "admin-accounts"
LOAD = "admin-load"
ACTIONS = {CREATE: "create", SET_ROLE: "set_role", DISABLE: "disable", ENABLE: "enable", RESET: "reset"}


def _role_options(lang: str) -> list[dict]:
    return [{"label": translate(f"auth.role.{r}", lang), "value": r} for r in ROLES]


def accounts_table(items: list[accounts.Account], lang: str):
    head = html.Thead(html.Tr([html.Th(translate(f"admin.col.{c}", lang)) for c in ("user", "role", "state", "created")]))
    body = html.Tbody([html.Tr([
        html.Td(a.username), html.Td(translate(f"auth.role.{a.role}", lang)),
        html.Td(translate("admin.active" if a.active else "admin.disabled", lang)),
        html.Td(a.created_at.strftime("%Y-%m-%d")),
    ]) for a in items])
    return dbc.Table([head, body], size="sm", striped=True, className="small", id=f"{TABLE}-table")


def _apply(engine, action: str, username, role) -> tuple[str, dict, accounts.Account]:
    """Run one account change; returns (message key, message values, account)."""
    if action == "create":
        password = accounts.random_password()
        account = accounts.create_user(engine, username or "", password, role or "")
        return "admin.created", {"user": account.username, "password": password}, account
    if not username:
        raise accounts.AccountError("choose")
    if action == "set_role":
        account = accounts.set_role(engine, username, role or "")
        return "admin.done.set_role", {"user": account.username, "role": account.role}, account
    if action == "reset":
        password = accounts.random_password()
        account = accounts.reset_password(engine, username, password)
        return "admin.done.reset", {"user": account.username, "password": password}, account
    account = accounts.set_active(engine, username, action == "enable")
    return f"admin.done.{action}", {"user": account.username}, account


def admin_update(action: str | None, lang: str, *, new_username=None, new_role=None, username=None, role=None):
    """(feedback, accounts table, account options, new-username value). Plain function for the tests."""
    engine = current_engine()
    if engine is None:
        return dbc.Alert(translate("decisions.unavailable", lang), color="danger"), None, [], dash.no_update
    feedback: object = None
    cleared: object = dash.no_update
    if action is not None:
        target, wanted = (new_username, new_role) if action == "create" else (username, role)
        target, wanted = (v if isinstance(v, str) else None for v in (target, wanted))  # any JSON may come in
        try:
            key, values, account = _apply(engine, action, target, wanted)
        except (accounts.AccountError, PasswordPolicyError) as exc:
            message = translate("admin.choose", lang) if str(exc) == "choose" else translate("admin.error", lang, message=str(exc))
            feedback = dbc.Alert(message, color="danger")
        else:
            record_audit(engine, current_username() or "", ACCOUNT, account.username,
                         {"change": action, "role": account.role, "active": account.active})
            feedback = dbc.Alert(translate(key, lang, **values), color="success", id=f"{FEEDBACK}-done")
            cleared = "" if action == "create" else dash.no_update
    items = accounts.list_accounts(engine)
    options = [{"label": f"{a.username} ({translate(f'auth.role.{a.role}', lang)})", "value": a.username} for a in items]
    return feedback, accounts_table(items, lang), options, cleared


@dash.callback(
    Output(FEEDBACK, "children"), Output(TABLE, "children"), Output(ACCOUNT_SELECT, "options"),
    Output(NEW_USERNAME, "value"),
    Input(CREATE, "n_clicks"), Input(SET_ROLE, "n_clicks"), Input(DISABLE, "n_clicks"), Input(ENABLE, "n_clicks"),
    Input(RESET, "n_clicks"), Input(LOAD, "data"),
    State(NEW_USERNAME, "value"), State(NEW_ROLE, "value"), State(ACCOUNT_SELECT, "value"), State(ROLE_SELECT, "value"),
)
def change_account(_c, _s, _d, _e, _r, _load, new_username, new_role, username, role):
    trigger = dash.ctx.triggered_id
    action = ACTIONS.get(trigger) if isinstance(trigger, str) else None
    return admin_update(action, current_language(), new_username=new_username, new_role=new_role,
                        username=username, role=role)


def layout(**_query) -> html.Div:
    lang = current_language()
    return html.Div([
        dcc.Store(id=LOAD, data=1),
        html.H1(translate("admin.title", lang), className="h3"),
        html.Div(id=FEEDBACK, role="status"),
        dbc.Row([
            dbc.Col(Card(translate("admin.create", lang), [
                dbc.Label(translate("admin.username", lang), html_for=NEW_USERNAME),
                dbc.Input(id=NEW_USERNAME, type="text", maxLength=64, autoComplete="off", className="mb-2"),
                dbc.Label(translate("admin.role", lang), html_for=NEW_ROLE),
                Dropdown(lang, id=NEW_ROLE, options=_role_options(lang), value=Role.OFFICER.value, clearable=False,
                             className="mb-2"),
                dbc.Button(translate("admin.create_submit", lang), id=CREATE, color="primary"),
            ]), lg=4),
            dbc.Col(Card(translate("admin.manage", lang), [
                dbc.Label(translate("admin.account", lang), html_for=ACCOUNT_SELECT),
                Dropdown(lang, id=ACCOUNT_SELECT, options=[], className="mb-2"),
                dbc.Label(translate("admin.role", lang), html_for=ROLE_SELECT),
                Dropdown(lang, id=ROLE_SELECT, options=_role_options(lang), value=Role.OFFICER.value, clearable=False,
                             className="mb-2"),
                html.Div([
                    dbc.Button(translate("admin.set_role", lang), id=SET_ROLE, color="primary", className="me-2 mb-1"),
                    dbc.Button(translate("admin.disable", lang), id=DISABLE, color="danger", outline=True,
                               className="me-2 mb-1"),
                    dbc.Button(translate("admin.enable", lang), id=ENABLE, color="success", outline=True,
                               className="me-2 mb-1"),
                    dbc.Button(translate("admin.reset", lang), id=RESET, color="secondary", outline=True, className="mb-1"),
                ]),
            ]), lg=8),
        ]),
        Card(translate("admin.title", lang), html.Div(id=TABLE)),
    ])


dash.register_page(__name__, path="/admin", name="admin", title=page_title("admin.nav"), layout=layout,
                   role=Role.ADMIN, nav="admin.nav", order=8)
