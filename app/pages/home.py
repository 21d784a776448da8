"""Officer's home = the work queue (/, also /queue): new applications that still need a decision.

Applications without a final decision (none yet, an override awaiting approval, a rejected one to
revise), with the model's probability, recommendation and grade, and their age (days since the
application's own date, else since the portfolio file was loaded); sortable; "assigned
to me" or all; plus the files this officer opened recently (audit trail). A row's link opens the file.
The queue is computed per request from the served portfolio and the decision log (the database is
shared by every worker: nothing is cached here).
"""
from __future__ import annotations

import datetime as dt
import logging

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import numpy as np
from dash import Input, Output, dcc, html

from app.components.portfolio_grid import grid_locale
from app.i18n import translate
from app.presenters.formatting import count_text
from app.resources import served
from app.scoring.bundle import ModelNotFoundError
from app.scoring.portfolio_sql import SqlPortfolio
from app.security.access import Role
from app.security.audit import first_viewers, recent_files
from app.security.db import utcnow
from app.security.decisions import current_decisions
from app.security.web import current_engine, current_username
from app.security.worklist import QueueItem, age_days, published_queue, work_queue
from app.ui import Card, current_language, date_text, page_title

log = logging.getLogger(__name__)

SCOPE = "queue-scope"
GRID = "queue-grid"
COUNT = "queue-count"
MAX_ROWS = 2_000  # rows sent to the browser; the riskiest first, the count says how many more wait
COLUMNS = ("client", "proba", "recommendation", "grade", "status", "assigned", "age")


def loaded_at() -> dt.datetime:
    """When the served applications were loaded (the portfolio file's time): the age of undated ones."""
    return served().portfolio.loaded_at


def queue_rows(items: list[QueueItem], lang: str, loaded: dt.datetime, now: dt.datetime) -> list[dict]:
    return [{
        "client": f"[{i.client_id}](/client/{i.client_id})",
        "client_id": i.client_id,
        "proba": round(100.0 * i.proba, 1),
        "recommendation": translate(f"decision.{i.recommendation}", lang),
        "grade": i.grade,
        "status": translate(f"queue.status.{i.status}", lang),
        "assigned": i.assigned_to or "—",
        "age": age_days(i, loaded, now),
    } for i in items[:MAX_ROWS]]


def _new_rows(model) -> np.ndarray:
    """Positions of the new applications in the served frame (once per served model)."""
    rows = np.flatnonzero(~model.portfolio.frame["IS_LABELLED"].to_numpy(dtype=bool))
    rows.flags.writeable = False
    return rows


def queue_update(scope: str | None, lang: str) -> tuple[list[dict], object]:
    """(grid rows, count line) for "mine" or "all". Plain function for the tests."""
    engine, username = current_engine(), current_username()
    try:
        model = served()
        if engine is None:
            raise OSError("no database")
        who = username if scope == "mine" else None
        portfolio = model.portfolio
        if isinstance(portfolio, SqlPortfolio):
            queue = published_queue(portfolio, current_decisions(engine), first_viewers(engine), username=who,
                                    limit=MAX_ROWS)
        else:
            queue = work_queue(portfolio.frame, current_decisions(engine), first_viewers(engine), username=who,
                               rows=model.memoised(_new_rows, 1)(), limit=MAX_ROWS)
        loaded = loaded_at()
    except (ModelNotFoundError, OSError):
        log.exception("work queue unavailable")
        return [], dbc.Alert(translate("queue.unavailable", lang), color="danger")
    key = "queue.count_capped" if queue.total > MAX_ROWS else "queue.count"
    age_help = (translate("queue.age_help_dated", lang) if queue.all_dated
                else translate("queue.age_help", lang, loaded=date_text(loaded.isoformat(), lang)))
    count = html.Div([
        html.Span(translate(key, lang, shown=count_text(len(queue.items), lang), total=count_text(queue.total, lang)),
                  id=f"{COUNT}-text"),
        html.Br(),
        html.Small(age_help, className="text-muted", id=f"{COUNT}-age-help"),
    ])
    return queue_rows(queue.items, lang, loaded, utcnow()), count


def RecentFiles(lang: str):
    engine, username = current_engine(), current_username()
    files = recent_files(engine, username) if engine is not None and username else []
    if not files:
        return html.P(translate("queue.recent_none", lang), className="text-muted small mb-0")
    return html.Ul([html.Li([dcc.Link(client, href=f"/client/{client}"),
                             html.Small(f" — {at:%Y-%m-%d %H:%M} UTC", className="text-muted")])
                    for client, at in files], className="mb-0", id="queue-recent")


def QueueGrid(lang: str) -> dag.AgGrid:
    columns = []
    for col in COLUMNS:
        column = {"field": col, "headerName": translate(f"queue.col.{col}", lang), "sortable": True,
                  "filter": col in ("recommendation", "grade", "status", "assigned")}
        if col == "client":
            column.update(cellRenderer="markdown", pinned="left", minWidth=120, comparator=None, sortable=False)
        if col in ("proba", "age"):
            column["type"] = "rightAligned"
        columns.append({k: v for k, v in column.items() if v is not None})
    return dag.AgGrid(
        id=GRID, rowData=[], columnDefs=columns,
        defaultColDef={"resizable": True, "wrapHeaderText": True, "autoHeaderHeight": True, "minWidth": 110},
        columnSize="responsiveSizeToFit",
        dashGridOptions={"pagination": True, "paginationPageSize": 20, "paginationPageSizeSelector": False,
                         "domLayout": "autoHeight", "localeText": grid_locale(lang), "enableCellTextSelection": True},
        dangerously_allow_code=False, className="ag-theme-quartz", style={"width": "100%"},
    )


def ExampleLink(lang: str) -> html.P:
    """One client id that exists in the served portfolio, to open a file without the queue."""
    example = served().example_client_id()
    return html.P([translate("home.example", lang, client=example), " ",
                   dcc.Link(translate("home.example_link", lang, client=example), href=f"/client/{example}",
                            id="home-example-link")], className="small")


def layout(**_query) -> html.Div:
    lang = current_language()
    return html.Div([
        html.H1(translate("queue.title", lang), className="h3"),
        html.P(translate("queue.intro", lang)),
        ExampleLink(lang),
        dbc.Row([
            dbc.Col(Card(translate("queue.title", lang), [
                dbc.RadioItems(id=SCOPE, inline=True, value="all", className="mb-1", options=[
                    {"label": translate("queue.scope.all", lang), "value": "all"},
                    {"label": translate("queue.scope.mine", lang), "value": "mine"}]),
                html.Small(translate("queue.scope.help", lang), className="text-muted d-block mb-2"),
                html.Div(id=COUNT, className="mb-2", role="status"),
                QueueGrid(lang),
            ]), lg=9),
            dbc.Col(Card(translate("queue.recent", lang), RecentFiles(lang)), lg=3),
        ]),
    ])


@dash.callback(Output(GRID, "rowData"), Output(COUNT, "children"), Input(SCOPE, "value"))
def refresh_queue(scope):
    return queue_update(scope, current_language())


dash.register_page(__name__, path="/", name="home", title=page_title("nav.home"), layout=layout, role=Role.OFFICER)
# The same page under its area's own path: the queue's component ids ("queue-...") need an area with a role.
dash.register_page(f"{__name__}.queue", path="/queue", name="queue", title=page_title("queue.nav"), layout=layout,
                   role=Role.OFFICER, nav="queue.nav", order=0)
