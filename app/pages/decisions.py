"""Managers' review of decisions (/decisions): approve or reject pending overrides in place, see the latest.

Four-eyes: an override waits here until a manager other than its author approves or rejects it
with a comment (``app.security.decisions.review_decision`` refuses one's own). Each review is
audited. Pattern-matching callbacks are refused by the security layer, so a single form with a
list of the pending overrides does the reviewing rather than a button per row.
"""
from __future__ import annotations

import dataclasses

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html

from app.components.decision_review import decisions_csv, rates_table
from app.i18n import translate
from app.presenters.formatting import count_text
from app.security.access import Role
from app.security.audit import EXPORT, REVIEW, record_audit
from app.security.decision_stats import DecisionFilter, agreement_by_month, filtered_decisions, officers, override_rates
from app.security.decisions import (
    FINAL_DECISIONS,
    MAX_NOTE_CHARS,
    OVERRIDE_REASONS,
    DecisionError,
    DecisionRecord,
    pending_reviews,
    review_decision,
)
from app.security.web import current_engine, current_username
from app.ui import Card, Dropdown, current_language, fetch_page, page_index, page_title

SELECT = "decisions-pending-select"
COMMENT = "decisions-comment"
APPROVE = "decisions-approve"
REJECT = "decisions-reject"
FEEDBACK = "decisions-feedback"
PENDING = "decisions-pending"
RECENT = "decisions-recent"
LOAD = "decisions-load"
STATS = "decisions-stats"
FILTERS = ("officer", "final", "overridden", "reason", "grade", "month")
FILTER_IDS = tuple(f"decisions-f-{name}" for name in FILTERS)
EXPORT_BUTTON = "decisions-export-button"
EXPORT_DOWNLOAD = "decisions-export-download"
EXPORT_MESSAGE = "decisions-export-message"
MAX_EXPORT_DECISIONS = 100_000
CHANGED = "decisions-changed"  # set by a review: the filtered table and rates refresh
PAGE = "decisions-page"
PREVIOUS = "decisions-previous"
NEXT = "decisions-next"
GRADES = ("A", "B", "C", "D", "E")
PAGE_SIZE = 50  # decisions per page of the table (server-side paging)
PENDING_SHOWN = 100  # oldest pending overrides listed at once; the next ones appear as these are reviewed


def _when(record: DecisionRecord) -> str:
    return record.at.strftime("%Y-%m-%d %H:%M")


def pending_options(records: list[DecisionRecord], lang: str) -> list[dict]:
    return [{"label": translate("decisions.option", lang, client=r.client_id, user=r.username, at=_when(r),
                                final=translate(f"decision.{r.final_decision}", lang),
                                reason=translate(f"decision.reason.{r.reason}", lang) if r.reason else "—"),
             "value": r.id} for r in records]


def decisions_table(records: list[DecisionRecord], lang: str, id_: str, empty: str = "decisions.pending_none"):
    if not records:
        return html.P(translate(empty, lang), className="text-muted", id=id_)
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


def stats_view(engine, f: DecisionFilter, lang: str):
    """Override rates by officer, reason and grade, and agreement with the model by month (database aggregates)."""
    return html.Div([
        html.H3(translate("decisions.rates", lang), className="h6"),
        dbc.Row([dbc.Col(rates_table(override_rates(engine, f, by), by, lang, f"{STATS}-{by}"), lg=4)
                 for by in ("officer", "reason", "grade")]),
        html.H3(translate("decisions.agreement", lang), className="h6"),
        rates_table(agreement_by_month(engine, f), "month", lang, f"{STATS}-month", agreement=True),
    ])


def review_update(action: str | None, decision_id, comment, lang: str):
    """Record a review when ``action`` is "approved"/"rejected"; returns (feedback, options, pending table,
    comment value, changed) where ``changed`` tells the filtered views to refresh. Plain function for the tests.

    The pending overrides do not depend on the filters: they are read here, on load and after a review,
    never on a filter change (at 100,000 decisions they were half of each filter change's time).
    """
    engine = current_engine()
    if engine is None:
        return (dbc.Alert(translate("decisions.unavailable", lang), color="danger"), [], None, dash.no_update,
                dash.no_update)
    feedback: object = None
    comment_value: object = dash.no_update
    changed: object = dash.no_update
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
            changed = record.id
    pending = pending_reviews(engine, limit=PENDING_SHOWN)
    table = decisions_table(pending, lang, f"{PENDING}-table")
    if len(pending) == PENDING_SHOWN:
        table = html.Div([html.P(translate("decisions.pending_more", lang, n=PENDING_SHOWN), className="small mb-1"), table])
    return feedback, pending_options(pending, lang), table, comment_value, changed


def filters_update(f: DecisionFilter, page, lang: str):
    """(one page of the matching decisions with its count line, statistics, page index) for a filter
    change. Plain function for the tests."""
    engine = current_engine()
    if engine is None:
        return dbc.Alert(translate("decisions.unavailable", lang), color="danger"), None, 0
    return decisions_view(engine, f, page, lang)


def decisions_view(engine, f: DecisionFilter, page, lang: str):
    """What a filter change costs, database and rendering (``scripts/benchmark_decisions.py`` times it).

    Server-side paging: one page of :data:`PAGE_SIZE` decisions is read and rendered; the counts and
    rates come from the ``decision_counts`` aggregates, never from a scan of the log.
    """
    total, records, page, pages = fetch_page(
        lambda index: filtered_decisions(engine, f, limit=PAGE_SIZE, offset=index * PAGE_SIZE), page, PAGE_SIZE)
    recent = html.Div([html.P(translate("decisions.matching", lang, n=total, page=page + 1, pages=pages),
                              className="small mb-1", id=f"{RECENT}-count"),
                       decisions_table(records, lang, f"{RECENT}-table", empty="decisions.none_match")])
    return recent, stats_view(engine, f, lang), page


def export_update(f: DecisionFilter, lang: str):
    """(download, message): the filtered decisions as a CSV (audited with the filter), or a message when
    the filter matches more than an export holds: a cut file would read as every decision of the filter.
    Plain function for the tests."""
    engine = current_engine()
    if engine is None:
        return dash.no_update, None
    total, records = filtered_decisions(engine, f, limit=MAX_EXPORT_DECISIONS)
    if total > MAX_EXPORT_DECISIONS:
        return dash.no_update, dbc.Alert(translate("decisions.export_too_many", lang, total=count_text(total, lang),
                                                   max=count_text(MAX_EXPORT_DECISIONS, lang)), color="warning")
    record_audit(engine, current_username() or "", EXPORT, "decisions", {"filter": dataclasses.asdict(f), "rows": len(records)})
    return dcc.send_bytes(decisions_csv(records, lang), "decisions.csv"), None


@dash.callback(
    Output(FEEDBACK, "children"), Output(SELECT, "options"), Output(PENDING, "children"), Output(COMMENT, "value"),
    Output(CHANGED, "data"),
    Input(APPROVE, "n_clicks"), Input(REJECT, "n_clicks"), Input(LOAD, "data"),
    State(SELECT, "value"), State(COMMENT, "value"),
)
def review(_approve, _reject, _load, decision_id, comment):
    trigger = dash.ctx.triggered_id
    action = {APPROVE: "approved", REJECT: "rejected"}.get(trigger) if isinstance(trigger, str) else None
    return review_update(action, decision_id, comment, current_language())


@dash.callback(
    Output(RECENT, "children"), Output(STATS, "children"), Output(PAGE, "data"),
    *(Input(i, "value") for i in FILTER_IDS), Input(CHANGED, "data"), Input(PREVIOUS, "n_clicks"),
    Input(NEXT, "n_clicks"), State(PAGE, "data"),
)
def show_decisions(officer, final, overridden, reason, grade, month, _changed, _previous, _next, page):
    trigger = dash.ctx.triggered_id
    page = 0 if trigger in FILTER_IDS else page_index(page, {PREVIOUS: -1, NEXT: 1}.get(trigger, 0))
    f = DecisionFilter.parse(officer, final, overridden, reason, grade, month)
    return filters_update(f, page, current_language())


@dash.callback(Output(EXPORT_DOWNLOAD, "data"), Output(EXPORT_MESSAGE, "children"), Input(EXPORT_BUTTON, "n_clicks"), *(State(i, "value") for i in FILTER_IDS),
               prevent_initial_call=True)
def export(_n, officer, final, overridden, reason, grade, month):
    return export_update(DecisionFilter.parse(officer, final, overridden, reason, grade, month), current_language())


def FilterBar(lang: str, officer_names: list[str]) -> dbc.Row:
    options = {
        "officer": [{"label": o, "value": o} for o in officer_names],
        "final": [{"label": translate(f"decision.{d}", lang), "value": d} for d in FINAL_DECISIONS],
        "overridden": [{"label": translate("decisions.followed", lang), "value": "no"},
                       {"label": translate("decisions.overrides", lang), "value": "yes"}],
        "reason": [{"label": translate(f"decision.reason.{r}", lang), "value": r} for r in OVERRIDE_REASONS],
        "grade": [{"label": g, "value": g} for g in GRADES],
    }
    cols = []
    for name, id_ in zip(FILTERS, FILTER_IDS, strict=True):
        control = (dbc.Input(id=id_, type="text", placeholder="2026-12", maxLength=7, debounce=True) if name == "month"
                   else Dropdown(lang, id=id_, options=options[name]))
        cols.append(dbc.Col([dbc.Label(translate(f"decisions.f.{name}", lang), html_for=id_), control], md=2))
    return dbc.Row(cols, className="mb-2")


def layout(**_query) -> html.Div:
    lang = current_language()
    engine = current_engine()
    return html.Div([
        dcc.Store(id=LOAD, data=1),
        dcc.Store(id=CHANGED),
        dcc.Store(id=PAGE, data=0),
        html.H1(translate("decisions.title", lang), className="h3"),
        Card(translate("decisions.pending", lang), [
            html.Div(id=PENDING, className="mb-2"),
            dbc.Label(translate("decisions.select", lang), html_for=SELECT),
            Dropdown(lang, id=SELECT, options=[], className="mb-2"),
            dbc.Label(translate("decisions.comment", lang), html_for=COMMENT),
            dbc.Textarea(id=COMMENT, maxLength=MAX_NOTE_CHARS, rows=2, className="mb-2"),
            dbc.Button(translate("decisions.approve", lang), id=APPROVE, color="success", className="me-2"),
            dbc.Button(translate("decisions.reject", lang), id=REJECT, color="danger", outline=True),
            html.Div(id=FEEDBACK, role="status", className="mt-2"),
        ]),
        Card(translate("decisions.filters", lang), [
            FilterBar(lang, officers(engine) if engine is not None else []),
            dbc.Button(translate("decisions.export", lang), id=EXPORT_BUTTON, size="sm", outline=True, className="mb-2"),
            dcc.Download(id=EXPORT_DOWNLOAD), html.Div(id=EXPORT_MESSAGE, role="status"),
            html.Div(id=STATS, className="mb-2"),
            html.Div([dbc.Button(translate("decisions.previous", lang), id=PREVIOUS, size="sm", outline=True, className="me-2"),
                      dbc.Button(translate("decisions.next", lang), id=NEXT, size="sm", outline=True)], className="mb-2"),
            html.Div(id=RECENT, role="status"),
        ]),
    ])


dash.register_page(__name__, path="/decisions", name="decisions", title=page_title("decisions.nav"), layout=layout,
                   role=Role.MANAGER, nav="decisions.nav", order=6)
