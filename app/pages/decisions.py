"""Managers' review of decisions (/decisions): approve or reject pending overrides in place, see the latest.

Four-eyes: an override waits here until a manager other than its author approves or rejects it
with a comment (``app.security.decisions.review_decision`` refuses one's own). Each review is
audited. Pattern-matching callbacks are refused by the security layer, so a single form with a
list of the pending overrides does the reviewing rather than a button per row.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html

from app.i18n import translate
from app.security.access import Role
from app.security.audit import REVIEW, record_audit
from app.security.decisions import (
    MAX_NOTE_CHARS,
    DecisionError,
    DecisionRecord,
    latest_decisions,
    pending_reviews,
    review_decision,
)
from app.security.web import current_engine, current_username
from app.ui import Card, current_language, page_title

SELECT = "decisions-pending-select"
COMMENT = "decisions-comment"
APPROVE = "decisions-approve"
REJECT = "decisions-reject"
FEEDBACK = "decisions-feedback"
PENDING = "decisions-pending"
RECENT = "decisions-recent"
LOAD = "decisions-load"


def _when(record: DecisionRecord) -> str:
    return record.at.strftime("%Y-%m-%d %H:%M")


def pending_options(records: list[DecisionRecord], lang: str) -> list[dict]:
    return [{"label": translate("decisions.option", lang, client=r.client_id, user=r.username, at=_when(r),
                                final=translate(f"decision.{r.final_decision}", lang),
                                reason=translate(f"decision.reason.{r.reason}", lang) if r.reason else "—"),
             "value": r.id} for r in records]


def decisions_table(records: list[DecisionRecord], lang: str, id_: str):
    if not records:
        return html.P(translate("decisions.pending_none", lang), className="text-muted", id=id_)
    cols = ("client", "at", "user", "final", "overridden", "reason", "grade", "status")
    head = html.Thead(html.Tr([html.Th(translate(f"decisions.col.{c}", lang)) for c in cols]))
    body = html.Tbody([html.Tr([
        html.Td(dcc.Link(r.client_id, href=f"/client/{r.client_id}")), html.Td(_when(r)), html.Td(r.username),
        html.Td(translate(f"decision.{r.final_decision}", lang)),
        html.Td(translate("decisions.yes" if r.overridden else "decisions.no", lang)),
        html.Td(translate(f"decision.reason.{r.reason}", lang) if r.reason else "—"),
        html.Td(r.grade or "—"),
        html.Td(translate(f"decision.status.{r.status}", lang)
                + (f" — {r.review.username}: {r.review.comment}" if r.review else ""), style={"wordBreak": "break-word"}),
    ]) for r in records])
    return dbc.Table([head, body], size="sm", striped=True, className="small", id=id_)


def review_update(action: str | None, decision_id, comment, lang: str):
    """Record a review when ``action`` is "approved"/"rejected"; returns (feedback, options, pending, recent,
    comment value). Plain function for the tests."""
    engine = current_engine()
    if engine is None:
        return dbc.Alert(translate("decisions.unavailable", lang), color="danger"), [], None, None, dash.no_update
    feedback: object = None
    comment_value: object = dash.no_update
    if action is not None:
        try:
            if not isinstance(decision_id, int) or isinstance(decision_id, bool):
                raise DecisionError("choose", "no decision chosen")
            record = review_decision(engine, decision_id=decision_id, reviewer=current_username() or "",
                                     verdict=action, comment=comment)
        except DecisionError as exc:
            key = "decisions.choose" if exc.code == "choose" else f"decision.error.{exc.code}"
            feedback = dbc.Alert(translate(key, lang, max=MAX_NOTE_CHARS), color="danger")
        else:
            record_audit(engine, record.review.username if record.review else "", REVIEW, record.client_id,
                         {"decision_id": record.id, "verdict": action, "officer": record.username})
            feedback, comment_value = dbc.Alert(translate(f"decisions.reviewed.{action}", lang), color="success"), ""
    pending = pending_reviews(engine)
    return (feedback, pending_options(pending, lang), decisions_table(pending, lang, f"{PENDING}-table"),
            decisions_table(latest_decisions(engine, 100), lang, f"{RECENT}-table"), comment_value)


@dash.callback(
    Output(FEEDBACK, "children"), Output(SELECT, "options"), Output(PENDING, "children"), Output(RECENT, "children"),
    Output(COMMENT, "value"),
    Input(APPROVE, "n_clicks"), Input(REJECT, "n_clicks"), Input(LOAD, "data"),
    State(SELECT, "value"), State(COMMENT, "value"),
)
def review(_approve, _reject, _load, decision_id, comment):
    trigger = dash.ctx.triggered_id
    action = {APPROVE: "approved", REJECT: "rejected"}.get(trigger) if isinstance(trigger, str) else None
    return review_update(action, decision_id, comment, current_language())


def layout(**_query) -> html.Div:
    lang = current_language()
    return html.Div([
        dcc.Store(id=LOAD, data=1),
        html.H1(translate("decisions.title", lang), className="h3"),
        Card(translate("decisions.pending", lang), [
            html.Div(id=PENDING, className="mb-2"),
            dbc.Label(translate("decisions.select", lang), html_for=SELECT),
            dcc.Dropdown(id=SELECT, options=[], className="mb-2"),
            dbc.Label(translate("decisions.comment", lang), html_for=COMMENT),
            dbc.Textarea(id=COMMENT, maxLength=MAX_NOTE_CHARS, rows=2, className="mb-2"),
            dbc.Button(translate("decisions.approve", lang), id=APPROVE, color="success", className="me-2"),
            dbc.Button(translate("decisions.reject", lang), id=REJECT, color="danger", outline=True),
            html.Div(id=FEEDBACK, role="status", className="mt-2"),
        ]),
        Card(translate("decisions.recent", lang), html.Div(id=RECENT)),
    ])


dash.register_page(__name__, path="/decisions", name="decisions", title=page_title("decisions.nav"), layout=layout,
                   role=Role.MANAGER, nav="decisions.nav", order=6)
