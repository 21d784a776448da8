"""Decision panel of the client file: the final decision, the form to record or revise it, the history.

The client page includes it with one call: ``DecisionPanel(client_id, model_decision, basis=...,
open_application=...)``. What the model showed (client, recommendation, model version, probability,
threshold, grade, reasons) travels to the browser in a token SIGNED with the app's secret key, so a
user cannot record a decision against another model outcome or client than the one shown, and the
row records what the officer saw. The form's request token (``REQUEST_ID``, signed too) makes a double
click record once and names the decision a revision replaces. Validation is server-side
(``app.security.decisions``); every text is rendered as a React text node, i.e. escaped.

The final decision is shown apart from the model's recommendation: who decided, when, followed or
overridden, the reason and, for an override under four-eyes, whether a manager approved it.
"""
from __future__ import annotations

import secrets
from typing import Any

import dash
import dash_bootstrap_components as dbc
import flask
from dash import Input, Output, State, dcc, html
from itsdangerous import BadSignature, URLSafeSerializer

from app.components.whatif import WHATIF_TERMS
from app.i18n import translate
from app.security.audit import DECISION, record_audit
from app.security.decisions import (
    DECISIONS,
    GRANTED_MODIFIED,
    MAX_NOTE_CHARS,
    OVERRIDE_REASONS,
    DecisionError,
    DecisionRecord,
    ModelBasis,
    current_decision,
    decision_history,
    model_version,
    record_decision,
)
from app.security.web import current_engine, current_username, user_tag
from app.ui import SETTINGS_CONFIG_KEY, Card, Dropdown, current_language

CONTEXT_ID = "client-decision-context"
REQUEST_ID = "client-decision-request"
CHOICE_ID = "client-decision-choice"
REASON_ID = "client-decision-reason"
NOTE_ID = "client-decision-note"
REVISION_ID = "client-decision-revision"
REVISION_GROUP = "client-decision-revision-group"
SUBMIT_ID = "client-decision-submit"
FORM_ID = "client-decision-form"
FEEDBACK_ID = "client-decision-feedback"
HISTORY_ID = "client-decision-history"
FINAL_ID = "client-decision-final"
_SALT = "client-decision-context"
_REQUEST_SALT = "client-decision-request"
CHOICES = ("follow", "override", "modified")
HIDDEN = {"display": "none"}


def _serializer(salt: str = _SALT) -> URLSafeSerializer | None:
    if not flask.has_app_context() or not flask.current_app.secret_key:
        return None
    return URLSafeSerializer(flask.current_app.secret_key, salt=salt)


def sign_context(client_id: str, model_decision: str, basis: ModelBasis | None = None,
                 open_application: bool = True) -> str | None:
    """Token binding the panel to one client, the model's recommendation and what it showed (None without an app)."""
    serializer = _serializer()
    if serializer is None:
        return None
    return serializer.dumps({"client_id": str(client_id), "model_decision": model_decision,
                             "basis": basis.to_dict() if basis else None, "open": bool(open_application)})


def _unsigned(token: object, salt: str) -> dict | None:
    """The dict a token signed with ``salt`` carries, or None when missing, forged or from another key."""
    serializer = _serializer(salt)
    if serializer is None or not isinstance(token, str):
        return None
    try:
        data = serializer.loads(token)
    except BadSignature:
        return None
    return data if isinstance(data, dict) else None


def read_context(token: object) -> dict | None:
    """The signed context, or None when missing, forged or from another secret key."""
    data = _unsigned(token, _SALT)
    return data if data is not None and {"client_id", "model_decision"} <= data.keys() else None


def sign_request(client_id: str, revises: int | None) -> str | None:
    """A fresh request token for the next recording, naming the decision it would revise."""
    serializer = _serializer(_REQUEST_SALT)
    if serializer is None:
        return None
    return serializer.dumps({"client_id": str(client_id), "token": secrets.token_urlsafe(18), "revises": revises})


def read_request(token: object, client_id: str) -> dict | None:
    """The request token of this client's form, or None (forged, another client's, another key)."""
    data = _unsigned(token, _REQUEST_SALT)
    ok = data is not None and data.get("client_id") == client_id and isinstance(data.get("token"), str)
    return data if ok else None


def decision_basis(card, file, reasons) -> ModelBasis:
    """What the officer sees of the model on this file: version, probability, threshold, grade, reasons.

    ``card`` is the served model's card, ``file`` an ``app.presenters.client_file.ClientFile``,
    ``reasons`` the ``app.presenters.reasons.Reason`` list shown, in its order.
    """
    return ModelBasis(model_version(card.checksums, card.created_at), round(float(file.proba), 6),
                      float(file.threshold), str(file.grade),
                      tuple({"concept": r.concept, "features": list(r.features), "points": round(float(r.points), 3)}
                            for r in reasons))


def _opposite(decision: str) -> str:
    return "refused" if decision == "granted" else "granted"


def four_eyes() -> bool:
    """The FOUR_EYES setting of the running app (on when no app: the safe side)."""
    settings = flask.current_app.config.get(SETTINGS_CONFIG_KEY) if flask.has_app_context() else None
    return True if settings is None else bool(settings.four_eyes)


def _choice_of(record: DecisionRecord | None) -> str:
    """The form opens on the current decision's choice, not on "follow the model" again."""
    if record is None:
        return "follow"
    if record.final_decision == GRANTED_MODIFIED:
        return "modified"
    return "override" if record.overridden else "follow"


def _current(client_id: str) -> DecisionRecord | None:
    engine = current_engine()
    if engine is None:
        return None
    try:
        return current_decision(engine, client_id)
    except DecisionError:
        return None


def DecisionPanel(client_id: str, model_decision: str, *, basis: ModelBasis | None = None,
                  open_application: bool = True, lang: str | None = None) -> dbc.Card:
    """The decision card for one client; ``model_decision`` is "granted" or "refused".

    ``open_application`` is False for a file with a known outcome (a closed, historical loan): the
    panel says so and the server refuses any decision on it.
    """
    if model_decision not in DECISIONS:
        raise ValueError(f"model_decision must be one of {DECISIONS}, got {model_decision!r}")
    lang = lang or current_language()
    current = _current(client_id)
    model_label = translate(f"decision.{model_decision}", lang)
    # What the officer chose and typed survives a reload in this tab (e.g. after signing in again
    # when the session ended): kept per user and client in the tab's sessionStorage, dropped once
    # recorded; another person signing in on this browser never gets it.
    draft: dict[str, Any] = {"persistence": f"decision-{user_tag()}-{client_id}", "persistence_type": "session"}
    choice = _choice_of(current)
    form_style = None if open_application else HIDDEN
    body = [
        dcc.Store(id=CONTEXT_ID, data=sign_context(client_id, model_decision, basis, open_application)),
        dcc.Store(id=REQUEST_ID, data=sign_request(client_id, current.id if current else None)),
        html.Div(final_summary(current, lang), id=FINAL_ID, className="mb-2"),
        html.P(translate("decision.model", lang, decision=model_label), className="mb-2 text-muted small"),
        dbc.Alert(translate("decision.closed_file", lang), color="info", className="mb-2",
                  style=None if not open_application else HIDDEN),
        html.Div(id=FORM_ID, style=form_style, children=[
            dbc.Label(translate("decision.choice", lang), html_for=CHOICE_ID),
            dbc.RadioItems(
                id=CHOICE_ID,
                options=[
                    {"label": translate("decision.follow", lang, decision=model_label), "value": "follow"},
                    {"label": translate("decision.override", lang,
                                        decision=translate(f"decision.{_opposite(model_decision)}", lang)),
                     "value": "override"},
                    {"label": translate("decision.modified", lang), "value": "modified"},
                ],
                value=choice, className="mb-2", **draft,
            ),
            dbc.Label(translate("decision.reason", lang), html_for=REASON_ID),
            Dropdown(lang, id=REASON_ID, options=[{"label": translate(f"decision.reason.{r}", lang), "value": r}
                                                  for r in OVERRIDE_REASONS],
                     value=current.reason if current else None, disabled=choice == "follow", className="mb-2",
                     **draft),
            dbc.Label(translate("decision.note", lang, max=MAX_NOTE_CHARS), html_for=NOTE_ID),
            dbc.Textarea(id=NOTE_ID, maxLength=MAX_NOTE_CHARS, rows=3, className="mb-2", **draft),
            html.Div(id=REVISION_GROUP, style=None if current else HIDDEN, children=[
                dbc.Label(translate("decision.revision", lang, max=MAX_NOTE_CHARS), html_for=REVISION_ID),
                dbc.Textarea(id=REVISION_ID, maxLength=MAX_NOTE_CHARS, rows=2, className="mb-2", **draft),
            ]),
            dbc.Button(translate("decision.submit", lang), id=SUBMIT_ID, color="primary", className="mb-2",
                       disabled=not open_application or current is not None),
        ]),
        html.Div(id=FEEDBACK_ID, role="status"),
        html.H3(translate("decision.history", lang), className="h6 mt-3"),
        html.Div(id=HISTORY_ID),
    ]
    return Card(translate("decision.title", lang), body, id="client-decision-panel")


STATUS_COLOURS = {"not_required": "success", "approved": "success", "pending": "warning", "rejected": "danger"}
STATUS_ICONS = {"not_required": "✔", "approved": "✔", "pending": "⚠", "rejected": "✖"}


def final_summary(record: DecisionRecord | None, lang: str):
    """The decision that counts, in large type: what, who, when, followed or overridden, why, approval."""
    if record is None:
        return dbc.Alert(translate("decision.final.none", lang), color="secondary", className="mb-0")
    status = record.status
    what = translate(f"decision.final.{record.final_decision}", lang)
    how = translate("decision.final.overridden" if record.overridden else "decision.final.followed", lang)
    lines: list[Any] = [
        html.Div(translate("decision.final.label", lang), className="small text-uppercase fw-semibold"),
        html.Div(f"{STATUS_ICONS[status]} {what}", className="fs-4 fw-bold", id=f"{FINAL_ID}-what"),
        html.Div(translate("decision.final.by", lang, user=record.username, at=record.at.strftime("%Y-%m-%d %H:%M UTC"),
                           how=how)),
    ]
    if record.reason:
        lines.append(html.Div(translate("decision.final.reason", lang,
                                        reason=translate(f"decision.reason.{record.reason}", lang))))
    if record.terms:
        lines.append(html.Div(terms_text(record.terms, lang)))
    lines.append(html.Div(translate(f"decision.status.{status}", lang), className="fw-semibold mt-1",
                          id=f"{FINAL_ID}-status"))
    if record.review:
        lines.append(html.Div(translate("decision.final.review", lang, user=record.review.username,
                                        at=record.review.at.strftime("%Y-%m-%d %H:%M UTC"),
                                        comment=record.review.comment), style={"whiteSpace": "pre-wrap"}))
    return dbc.Alert(lines, color=STATUS_COLOURS[status], className="mb-0")


def terms_text(terms: dict, lang: str) -> str:
    from app.presenters.formatting import number_text

    return translate("decision.final.terms", lang, credit=number_text(terms["AMT_CREDIT"], 0, lang),
                     annuity=number_text(terms["AMT_ANNUITY"], 0, lang),
                     goods=number_text(terms["AMT_GOODS_PRICE"], 0, lang), months=terms["CNT_PAYMENT"])


def history_table(records: list[DecisionRecord], lang: str):
    """History as a table; every cell is a text node (escaped by React)."""
    if not records:
        return html.P(translate("decision.history_empty", lang), className="text-muted small")
    columns = ("at", "user", "model", "final", "reason", "note", "status")
    header = html.Thead(html.Tr([html.Th(translate(f"decision.col.{c}", lang)) for c in columns]))
    rows = []
    for r in records:
        final = translate(f"decision.{r.final_decision}", lang)
        if r.overridden:
            final += f" ({translate('decision.overridden', lang)})"
        note = r.note if not r.revision_reason else f"{r.note}\n{translate('decision.revised_because', lang)} {r.revision_reason}".strip()
        status = translate(f"decision.status.{r.status}", lang)
        if r.review:
            status += f" — {r.review.username} : {r.review.comment}" if lang == "fr" else f" — {r.review.username}: {r.review.comment}"
        rows.append(html.Tr([
            html.Td(r.at.strftime("%Y-%m-%d %H:%M UTC")),
            html.Td(r.username),
            html.Td(translate(f"decision.{r.model_decision}", lang)),
            html.Td(final),
            html.Td(translate(f"decision.reason.{r.reason}", lang) if r.reason else "—"),
            html.Td(note, style={"whiteSpace": "pre-wrap", "wordBreak": "break-word"}),
            html.Td(status, style={"wordBreak": "break-word"}),
        ]))
    return dbc.Table([header, html.Tbody(rows)], size="sm", striped=True, className="small")


@dash.callback(Output(REASON_ID, "disabled"), Input(CHOICE_ID, "value"))
def toggle_reason(choice: str | None) -> bool:
    """The reason list applies to a decision other than following the model."""
    return choice not in ("override", "modified")


@dash.callback(
    Output(FEEDBACK_ID, "children"),
    Output(HISTORY_ID, "children"),
    Output(NOTE_ID, "value"),
    Output(FINAL_ID, "children"),
    Output(REQUEST_ID, "data"),
    Output(REVISION_ID, "value"),
    Output(REVISION_GROUP, "style"),
    Output(SUBMIT_ID, "disabled"),
    Input(SUBMIT_ID, "n_clicks"),
    Input(CONTEXT_ID, "data"),
    State(REQUEST_ID, "data"),
    State(CHOICE_ID, "value"),
    State(REASON_ID, "value"),
    State(NOTE_ID, "value"),
    State(REVISION_ID, "value"),
    State(WHATIF_TERMS, "data"),  # the what-if's modified terms (or None)
)
def save_decision(n_clicks, context_token, request_token, choice, reason, note, revision, terms):
    """Dash adapter: a click on the button submits, the panel's first render only shows the history."""
    return decision_update(bool(n_clicks) and dash.ctx.triggered_id == SUBMIT_ID, context_token, choice, reason,
                           note, request_token=request_token, revision=revision, terms=terms)


def _final_of(choice: str, model: str) -> str:
    if choice == "follow":
        return model
    if choice == "override":
        return _opposite(model)
    return GRANTED_MODIFIED


def decision_update(submitted: bool, context_token, choice, reason, note, *, request_token=None, revision=None,
                    terms=None, lang: str | None = None):
    """Record the decision when ``submitted`` (validated server-side), then return (feedback, history,
    note value, final decision, next request token, revision value, revision group style, button
    disabled). Once a decision is saved the button waits for a revision reason: the second click of a
    double click lands on a disabled button instead of asking for a revision nobody meant (a second
    request already in flight carries the same request token and answers with the saved decision).
    Plain function: tests call it inside ``request_as``."""
    lang = lang or current_language()
    context, engine = read_context(context_token), current_engine()
    skip = (dash.no_update,) * 7
    if context is None or engine is None:
        return (dbc.Alert(translate("decision.unavailable", lang), color="warning"), *skip)
    client_id, model = context["client_id"], context["model_decision"]
    feedback: dbc.Alert | None = None
    note_value: object = dash.no_update  # "" once a decision is saved
    if submitted:
        request = read_request(request_token, client_id)
        try:
            if request is None:
                raise DecisionError("token_invalid", "the form's request token is missing or forged")
            if choice not in CHOICES:
                raise DecisionError("choice_required", "choose follow, override or modified terms")
            record = record_decision(
                engine, client_id=client_id, username=current_username() or "", model_decision=model,
                final_decision=_final_of(choice, model), reason=reason, note=note,
                basis=ModelBasis.from_dict(context.get("basis")), terms=terms, request_token=request["token"],
                revises_id=request.get("revises"), revision_reason=revision,
                open_application=bool(context.get("open", True)), four_eyes=four_eyes())
        except DecisionError as exc:
            return (dbc.Alert(translate(f"decision.error.{exc.code}", lang, max=MAX_NOTE_CHARS), color="danger"),
                    *skip)
        if record.request_token == request["token"] and not _already_audited(engine, record):
            record_audit(engine, record.username, DECISION, record.client_id,
                         {"decision_id": record.id, "final_decision": record.final_decision,
                          "overridden": record.overridden, "reason": record.reason, "status": record.status,
                          "revises": record.revises_id, "model_version": record.model_version})
        key = "decision.saved_pending" if record.status == "pending" else "decision.saved"
        feedback, note_value = dbc.Alert(translate(key, lang), color="success"), ""
    history = decision_history(engine, client_id)
    current = history[0] if history else None
    next_request = sign_request(client_id, current.id if current else None) if submitted else dash.no_update
    return (feedback, history_table(history, lang), note_value, final_summary(current, lang), next_request,
            "" if submitted else dash.no_update, None if current else HIDDEN,
            True if submitted else dash.no_update)


# A recorded decision changes only through a revision with its reason: the button stays off until one
# is typed (in the browser, so it answers each keystroke at once).
# A closed file's form is hidden and its button stays off whatever is typed.
dash.clientside_callback(
    """function (revision, style, formStyle) {
        const hidden = (s) => Boolean(s && s.display === 'none');
        if (hidden(formStyle)) { return true; }
        return !hidden(style) && !(revision || '').trim();
    }""",
    Output(SUBMIT_ID, "disabled", allow_duplicate=True),
    Input(REVISION_ID, "value"), Input(REVISION_GROUP, "style"), State(FORM_ID, "style"),
    prevent_initial_call="initial_duplicate",
)


def _already_audited(engine, record: DecisionRecord) -> bool:
    """A replayed request (double click) answers with the stored decision; it was audited once already."""
    from app.security.audit import audit_events

    return any((e.details or {}).get("decision_id") == record.id
               for e in audit_events(engine, target=record.client_id, action=DECISION, limit=20))
