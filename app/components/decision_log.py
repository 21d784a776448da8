"""Decision panel of the client file: record the final decision, show the history (newest first).

The client page includes it with one call: ``DecisionPanel(client_id, model_decision)``.
Client id and model decision travel to the browser in a token SIGNED with the app's secret key,
so a user cannot record a decision against another model outcome or client than the one shown.
Validation is server-side (``app.security.decisions``); every text is rendered as a React text
node, i.e. escaped, whatever an officer typed.
"""
from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import flask
from dash import Input, Output, State, dcc, html
from itsdangerous import BadSignature, URLSafeSerializer

from app.security.audit import DECISION, record_audit
from app.security.decisions import (
    DECISIONS,
    MAX_NOTE_CHARS,
    OVERRIDE_REASONS,
    DecisionError,
    DecisionRecord,
    decision_history,
    record_decision,
)
from app.security.web import current_engine, current_username, user_tag
from app.ui import Card, Dropdown, current_language, t

CONTEXT_ID = "client-decision-context"
CHOICE_ID = "client-decision-choice"
REASON_ID = "client-decision-reason"
NOTE_ID = "client-decision-note"
SUBMIT_ID = "client-decision-submit"
FEEDBACK_ID = "client-decision-feedback"
HISTORY_ID = "client-decision-history"
_SALT = "client-decision-context"


def _serializer() -> URLSafeSerializer | None:
    if not flask.has_app_context() or not flask.current_app.secret_key:
        return None
    return URLSafeSerializer(flask.current_app.secret_key, salt=_SALT)


def sign_context(client_id: str, model_decision: str) -> str | None:
    """Token binding the panel to one client and the model decision shown (None without an app)."""
    serializer = _serializer()
    return serializer.dumps({"client_id": str(client_id), "model_decision": model_decision}) if serializer else None


def read_context(token: object) -> dict | None:
    """The signed context, or None when missing, forged or from another secret key."""
    serializer = _serializer()
    if serializer is None or not isinstance(token, str):
        return None
    try:
        data = serializer.loads(token)
    except BadSignature:
        return None
    return data if isinstance(data, dict) and {"client_id", "model_decision"} <= data.keys() else None


def _opposite(decision: str) -> str:
    return "refused" if decision == "granted" else "granted"


def DecisionPanel(client_id: str, model_decision: str) -> dbc.Card:
    """The decision card for one client; ``model_decision`` is "granted" or "refused"."""
    if model_decision not in DECISIONS:
        raise ValueError(f"model_decision must be one of {DECISIONS}, got {model_decision!r}")
    model_label = t(f"decision.{model_decision}")
    # What the officer chose and typed survives a reload in this tab (e.g. after signing in again
    # when the session ended): kept per user and client in the tab's sessionStorage, dropped once
    # recorded; another person signing in on this browser never gets it.
    draft: dict[str, Any] = {"persistence": f"decision-{user_tag()}-{client_id}", "persistence_type": "session"}
    body = [
        dcc.Store(id=CONTEXT_ID, data=sign_context(client_id, model_decision)),
        html.P(t("decision.model", decision=model_label), className="mb-2"),
        dbc.Label(t("decision.choice"), html_for=CHOICE_ID),
        dbc.RadioItems(
            id=CHOICE_ID,
            options=[
                {"label": t("decision.follow", decision=model_label), "value": "follow"},
                {"label": t("decision.override", decision=t(f"decision.{_opposite(model_decision)}")), "value": "override"},
            ],
            value="follow",
            className="mb-2",
            **draft,
        ),
        dbc.Label(t("decision.reason"), html_for=REASON_ID),
        Dropdown(current_language(), id=REASON_ID, options=[{"label": t(f"decision.reason.{r}"), "value": r} for r in OVERRIDE_REASONS],
                     disabled=True, className="mb-2", **draft),
        dbc.Label(t("decision.note", max=MAX_NOTE_CHARS), html_for=NOTE_ID),
        dbc.Textarea(id=NOTE_ID, maxLength=MAX_NOTE_CHARS, rows=3, className="mb-2", **draft),
        dbc.Button(t("decision.submit"), id=SUBMIT_ID, color="primary", className="mb-2"),
        html.Div(id=FEEDBACK_ID, role="status"),
        html.H3(t("decision.history"), className="h6 mt-3"),
        html.Div(id=HISTORY_ID),
    ]
    return Card(t("decision.title"), body, id="client-decision-panel")


def history_table(records: list[DecisionRecord]):
    """History as a table; every cell is a text node (escaped by React)."""
    if not records:
        return html.P(t("decision.history_empty"), className="text-muted small")
    header = html.Thead(html.Tr([html.Th(t(f"decision.col.{c}")) for c in ("at", "user", "model", "final", "reason", "note")]))
    rows = [
        html.Tr([
            html.Td(r.at.strftime("%Y-%m-%d %H:%M UTC")),
            html.Td(r.username),
            html.Td(t(f"decision.{r.model_decision}")),
            html.Td(t(f"decision.{r.final_decision}") + (f" ({t('decision.overridden')})" if r.overridden else "")),
            html.Td(t(f"decision.reason.{r.reason}") if r.reason else "—"),
            html.Td(r.note, style={"whiteSpace": "pre-wrap", "wordBreak": "break-word"}),
        ])
        for r in records
    ]
    return dbc.Table([header, html.Tbody(rows)], size="sm", striped=True, className="small")


@dash.callback(Output(REASON_ID, "disabled"), Input(CHOICE_ID, "value"))
def toggle_reason(choice: str | None) -> bool:
    """The reason list only applies to an override."""
    return choice != "override"


@dash.callback(
    Output(FEEDBACK_ID, "children"),
    Output(HISTORY_ID, "children"),
    Output(NOTE_ID, "value"),
    Input(SUBMIT_ID, "n_clicks"),
    Input(CONTEXT_ID, "data"),
    State(CHOICE_ID, "value"),
    State(REASON_ID, "value"),
    State(NOTE_ID, "value"),
)
def save_decision(n_clicks, context_token, choice, reason, note):
    """Dash adapter: a click on the button submits, the panel's first render only shows the history."""
    return decision_update(bool(n_clicks) and dash.ctx.triggered_id == SUBMIT_ID, context_token, choice, reason, note)


def decision_update(submitted: bool, context_token, choice, reason, note):
    """Record the decision when ``submitted`` (validated server-side), then return
    (feedback, history, new note value). Plain function: tests call it inside ``request_as``."""
    context, engine = read_context(context_token), current_engine()
    if context is None or engine is None:
        return dbc.Alert(t("decision.unavailable"), color="warning"), dash.no_update, dash.no_update
    feedback: dbc.Alert | None = None
    note_value: object = dash.no_update  # "" once a decision is saved
    if submitted:
        model = context["model_decision"]
        try:
            if choice not in ("follow", "override"):
                raise DecisionError("choice_required", "choose follow or override")
            final = model if choice == "follow" else _opposite(model)
            record = record_decision(engine, client_id=context["client_id"], username=current_username() or "",
                                     model_decision=model, final_decision=final, reason=reason, note=note)
        except DecisionError as exc:
            return (dbc.Alert(t(f"decision.error.{exc.code}", max=MAX_NOTE_CHARS), color="danger"),
                    dash.no_update, dash.no_update)
        record_audit(engine, record.username, DECISION, record.client_id,
                     {"final_decision": record.final_decision, "overridden": record.overridden, "reason": record.reason})
        feedback, note_value = dbc.Alert(t("decision.saved"), color="success"), ""
    return feedback, history_table(decision_history(engine, context["client_id"])), note_value
