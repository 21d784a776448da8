"""The audit trail (/audit, managers and admins), read-only: filters, paging, CSV export.

Sign-ins, failures, refused access, file views, exports, decisions, approvals and account changes
are all in one table (``app.security.audit``); this page only reads it, nobody edits it here.
The export gives every event the table's filters match (all pages), is itself audited, and is
refused with a message above :data:`MAX_EXPORT_EVENTS` rather than silently cut: a partial audit
file would read as the whole trail.
"""
from __future__ import annotations

import datetime as dt
import json

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, dcc, html

from app.i18n import translate
from app.presenters.formatting import count_text
from app.presenters.group_export import to_csv_bytes
from app.security.access import Role
from app.security.audit import EXPORT, event_actions, record_audit, search_events
from app.security.web import current_engine, current_username
from app.ui import Card, Dropdown, current_language, fetch_page, page_index, page_title

USER = "audit-user"
ACTION = "audit-action"
CLIENT = "audit-client"
START = "audit-from"
END = "audit-to"
PREVIOUS = "audit-previous"
NEXT = "audit-next"
PAGE = "audit-page"
TABLE = "audit-table"
COUNT = "audit-count"
EXPORT_BUTTON = "audit-export-button"
EXPORT_DOWNLOAD = "audit-export-download"
EXPORT_FEEDBACK = "audit-export-feedback"
PAGE_SIZE = 50
#: Events per export: 20,000 rows of at most 4,000 characters of details stay well inside a worker.
MAX_EXPORT_EVENTS = 20_000
COLUMNS = ("at", "user", "action", "target", "details")


class BadDateError(ValueError):
    pass


def parse_day(value) -> dt.datetime | None:
    """"2026-12-01" -> that day's midnight UTC; blank -> None; anything else -> BadDateError."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        return None
    try:
        return dt.datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=dt.UTC)
    except ValueError:
        raise BadDateError(text[:20]) from None


def _text(value) -> str | None:
    return value.strip()[:200] if isinstance(value, str) and value.strip() else None


def event_filter(user, action, client, start, end) -> dict:
    """The filters as ``search_events`` keywords, one reading for the table and the export.

    Raises BadDateError on a date that is not YYYY-MM-DD; the end day is included.
    """
    since, until = parse_day(start), parse_day(end)
    return {"username": _text(user), "action": _text(action), "target": _text(client), "start": since,
            "end": until + dt.timedelta(days=1) if until else None}


def _details(details) -> str:
    return json.dumps(details, ensure_ascii=False, sort_keys=True) if details else ""


def audit_update(user, action, client, start, end, page, lang: str):
    """(table, count line, page index) for the filters. Plain function for the tests."""
    engine = current_engine()
    if engine is None:
        return dbc.Alert(translate("decisions.unavailable", lang), color="danger"), None, 0
    try:
        where = event_filter(user, action, client, start, end)
    except BadDateError as exc:
        return dbc.Alert(translate("audit.bad_date", lang, value=str(exc)), color="warning"), None, 0
    total, events, page, pages = fetch_page(
        lambda index: search_events(engine, **where, offset=index * PAGE_SIZE, limit=PAGE_SIZE), page, PAGE_SIZE)
    count = translate("audit.count", lang, total=total, page=page + 1, pages=pages)
    if not events:
        return html.P(translate("audit.none", lang), className="text-muted"), count, page
    head = html.Thead(html.Tr([html.Th(translate(f"audit.col.{c}", lang)) for c in COLUMNS]))
    body = html.Tbody([html.Tr([
        html.Td(e.at.strftime("%Y-%m-%d %H:%M:%S")), html.Td(e.username), html.Td(e.action), html.Td(e.target),
        html.Td(_details(e.details)[:300] or "—", className="small", style={"wordBreak": "break-word"}),
    ]) for e in events])
    return dbc.Table([head, body], size="sm", striped=True, className="small", id=f"{TABLE}-rows"), count, page


@dash.callback(
    Output(TABLE, "children"), Output(COUNT, "children"), Output(PAGE, "data"),
    Input(USER, "value"), Input(ACTION, "value"), Input(CLIENT, "value"), Input(START, "value"), Input(END, "value"),
    Input(PREVIOUS, "n_clicks"), Input(NEXT, "n_clicks"),
    State(PAGE, "data"),
)
def show_events(user, action, client, start, end, _previous, _next, page):
    trigger = dash.ctx.triggered_id
    page = page_index(page, -1 if trigger == PREVIOUS else 1) if trigger in (PREVIOUS, NEXT) else 0
    return audit_update(user, action, client, start, end, page, current_language())


def export_update(user, action, client, start, end, lang: str):
    """(download, message): every event the filters match as a CSV, the export audited with the filter
    and the row count. Plain function for the tests; the callback's role is checked by the security layer."""
    engine = current_engine()
    if engine is None:
        return dash.no_update, dbc.Alert(translate("decisions.unavailable", lang), color="danger")
    try:
        where = event_filter(user, action, client, start, end)
    except BadDateError as exc:
        return dash.no_update, dbc.Alert(translate("audit.bad_date", lang, value=str(exc)), color="warning")
    total, events = search_events(engine, **where, limit=MAX_EXPORT_EVENTS)
    if total > MAX_EXPORT_EVENTS:
        return dash.no_update, dbc.Alert(translate("audit.export_too_many", lang, total=count_text(total, lang),
                                                   max=count_text(MAX_EXPORT_EVENTS, lang)), color="warning")
    frame = pd.DataFrame([(e.at.strftime("%Y-%m-%d %H:%M:%S"), e.username, e.action, e.target, _details(e.details))
                          for e in events], columns=[translate(f"audit.col.{c}", lang) for c in COLUMNS])
    shown = {"user": where["username"], "action": where["action"], "client": where["target"],
             "from": start.strip() if where["start"] else None, "to": end.strip() if where["end"] else None}
    record_audit(engine, current_username() or "", EXPORT, "audit", {"filter": shown, "rows": len(events)})
    return (dcc.send_bytes(to_csv_bytes(frame, lang), "audit.csv"),
            dbc.Alert(translate("audit.exported", lang, n=len(events)), color="success"))


@dash.callback(Output(EXPORT_DOWNLOAD, "data"), Output(EXPORT_FEEDBACK, "children"), Input(EXPORT_BUTTON, "n_clicks"),
               State(USER, "value"), State(ACTION, "value"), State(CLIENT, "value"), State(START, "value"),
               State(END, "value"), prevent_initial_call=True)
def export(_n, user, action, client, start, end):
    return export_update(user, action, client, start, end, current_language())


def layout(**_query) -> html.Div:
    lang = current_language()
    engine = current_engine()
    actions = event_actions(engine) if engine is not None else []

    def field(label: str, control) -> dbc.Col:
        return dbc.Col([dbc.Label(translate(label, lang), html_for=control.id), control], md=2)

    return html.Div([
        dcc.Store(id=PAGE, data=0),
        html.H1(translate("audit.title", lang), className="h3"),
        html.P(translate("audit.intro", lang), className="text-muted"),
        Card(translate("audit.title", lang), [
            dbc.Row([
                field("audit.user", dbc.Input(id=USER, type="text", debounce=True, maxLength=64)),
                field("audit.action", Dropdown(lang, id=ACTION, options=[{"label": a, "value": a} for a in actions])),
                field("audit.client", dbc.Input(id=CLIENT, type="text", debounce=True, maxLength=200)),
                field("audit.from", dbc.Input(id=START, type="text", debounce=True, placeholder="2026-12-01", maxLength=10)),
                field("audit.to", dbc.Input(id=END, type="text", debounce=True, placeholder="2026-12-31", maxLength=10)),
            ], className="mb-2"),
            html.Div([dbc.Button(translate("audit.previous", lang), id=PREVIOUS, size="sm", outline=True, className="me-2"),
                      dbc.Button(translate("audit.next", lang), id=NEXT, size="sm", outline=True, className="me-3"),
                      html.Span(id=COUNT, role="status"),
                      dbc.Button(translate("audit.export", lang), id=EXPORT_BUTTON, size="sm", outline=True,
                                 className="ms-3"),
                      dcc.Download(id=EXPORT_DOWNLOAD)], className="mb-2"),
            html.Div(id=EXPORT_FEEDBACK, role="status"),
            html.Div(id=TABLE),
        ]),
    ])


dash.register_page(__name__, path="/audit", name="audit", title=page_title("audit.nav"), layout=layout,
                   role=Role.MANAGER, nav="audit.nav", order=7)
