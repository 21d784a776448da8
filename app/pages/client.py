"""Client file page (/client, /client/<id>): the page an officer opens in front of a client.

Search by id with server-side type-ahead, then score, decision, reasons, SHAP waterfall, comparison
with similar clients (``app.components.client_comparison``) and the decision log. The URL carries
the client, so a file can be bookmarked; the browser tab's title follows the reader's language.

Callbacks are thin adapters (unpack, call one function, return). The heavy work of a client (one
row read from disk, model inputs, exact SHAP) is done once per client and cached in the served
model (``ServedModel.memoised``): later callbacks of the same page and a reload reuse it, and a
test serving another model folder binds another instance with caches of its own.
"""
from __future__ import annotations

import logging
from typing import Any, cast
from urllib.parse import unquote

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, dcc, html

from app.components import client_comparison
from app.components.client_comparison import CLIENT_ID, COMPARE_KEYS, ComparisonCard
from app.components.client_file import (
    IdentityCard,
    Message,
    ReasonList,
    ScoreSummary,
    StatusLine,
    client_file,
    reasons_reference,
)
from app.components.decision_log import DecisionPanel, decision_basis
from app.components.whatif import WhatIfCard
from app.figures.client_layout import blank_figure
from app.figures.gauge import score_gauge
from app.figures.waterfall import waterfall_figure
from app.i18n import translate
from app.pages import path_decides
from app.presenters.client_file import ClientIdError, parse_client_id
from app.presenters.client_view import BY_CONCEPT, BY_INPUT, similarity_options, waterfall_view
from app.presenters.reasons import decision_reasons
from app.resources import ServedModel, served
from app.scoring.bundle import ModelNotFoundError
from app.security import VIEW_CLIENT, audit
from app.security.access import Role
from app.ui import Card, current_language

log = logging.getLogger(__name__)

# --- component ids (defined once; the comparison panel's are in app.components.client_comparison) ---
SEARCH_INPUT = "client-search-input"
SEARCH_OPEN = "client-search-open"
SEARCH_MATCHES = "client-search-matches"
SEARCH_FEEDBACK = "client-search-feedback"
NAV = "client-nav"
ALERT = "client-alert"
BODY = "client-body"
HEADING = "client-heading"
STATUS = "client-status"
IDENTITY = "client-identity"
GAUGE = "client-gauge"
SCORE = "client-score"
WATERFALL = "client-waterfall"
WATERFALL_VIEW = "client-waterfall-view"
REASONS = "client-reasons"
DECISION_SLOT = "client-decision-slot"

CLIENT_PATH = "/client/<client_id>"
N_SUGGESTIONS = 8
HIDDEN = {"display": "none"}
GRAPH_CONFIG = client_comparison.GRAPH_CONFIG


# --- per-client work, cached in the served model (pure functions of read-only resources) ---------
def _client_view_of(model: ServedModel, client_id: int, lang: str) -> dict:
    """Figures and texts of one client in one language (cached: the same file is reopened often)."""
    file = client_file(model, client_id)
    return {
        "gauge": score_gauge(file.proba, file.threshold, lang),
        "reasons": decision_reasons(file.explanation, file.decision, reasons_reference(model), lang),
        "similarity": [{"label": " " + label, "value": key} for key, label in similarity_options(file.row, lang)],
    }


def _waterfall_of(model: ServedModel, client_id: int, lang: str, by: str):
    """The client's waterfall by concept or by input, in one language (cached like the view)."""
    view = waterfall_view(client_file(model, client_id), lang, by)
    return waterfall_figure(view.labels, view.points, view.hover, view.base_percent, view.final_percent,
                            view.threshold_percent, texts=view.texts, lang=lang)


# --- input handling ------------------------------------------------------------------------------
def resolve_client(raw, lang: str = "fr") -> tuple[int | None, str | None]:
    """(client id, None) for a client of the portfolio, else (None, message for the officer)."""
    try:
        client_id = parse_client_id(raw)
        if client_id not in served().portfolio:
            raise ClientIdError("unknown", client_id)
    except ClientIdError as exc:
        shown = str(raw).strip()[:40]
        return None, translate(f"client.error.{exc.code}", lang, raw=shown, client_id=shown,
                               example=served().example_client_id())
    except (ModelNotFoundError, FileNotFoundError, OSError):
        log.exception("client file unavailable")
        return None, translate("client.error.unavailable", lang)
    return client_id, None


# --- views ----------------------------------------------------------------------------------------
def client_outputs(raw_id, lang: str) -> tuple:
    """Every output of ``render_client`` for the id in the URL: the file, or a message saying why not.

    Viewing is audited before anything is shown; an access that cannot be recorded shows nothing.
    """
    blank: tuple[Any, ...] = (HIDDEN, "", "", None, dash.no_update, None, None, None, [])
    client_id, error = resolve_client(raw_id, lang)
    if client_id is None:
        assert error is not None  # resolve_client gives a message whenever it gives no id
        return (Message(error, "warning"), *blank)
    try:
        model = served()
        view = model.memoised(_client_view_of, 128)(client_id, lang)
        file = client_file(model, client_id)
    except (ModelNotFoundError, FileNotFoundError, OSError):
        log.exception("client %s could not be scored", client_id)
        return (Message(translate("client.error.unavailable", lang), "danger"), *blank)
    try:
        audit(VIEW_CLIENT, str(client_id))
    except Exception:  # fail closed: an unrecorded access shows nothing
        log.exception("audit of client %s failed", client_id)
        return (Message(translate("client.error.audit", lang), "danger"), *blank)
    return (
        None, {}, translate("client.heading", lang, client_id=client_id), StatusLine(file, lang),
        IdentityCard(file.row, lang), view["gauge"], ScoreSummary(file, lang),
        ReasonList(view["reasons"], file.decision, lang),
        DecisionPanel(str(client_id), file.decision, basis=decision_basis(model.bundle.card, file, view["reasons"]),
                      open_application=not file.is_labelled, lang=lang),
        view["similarity"],
    )


def search_update(value, opening: bool, lang: str = "fr"):
    """(suggestion links, feedback, new pathname or no_update). Plain function for the tests."""
    text = value.strip() if isinstance(value, str) else ""
    if opening:
        client_id, error = resolve_client(text, lang)
        if client_id is not None:
            return dash.no_update, None, f"/client/{client_id}"
        assert error is not None  # resolve_client gives a message whenever it gives no id
        return None, Message(error, "warning"), dash.no_update
    if not text:
        return None, None, dash.no_update
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        return None, Message(translate("client.error.malformed", lang, raw=text[:40]), "warning"), dash.no_update
    try:
        ids = served().portfolio.search_ids(text, N_SUGGESTIONS)
    except (ModelNotFoundError, FileNotFoundError, OSError):
        return None, Message(translate("client.error.unavailable", lang), "danger"), dash.no_update
    if not ids:
        return None, html.Small(translate("client.search.none", lang, prefix=text), className="text-muted"), dash.no_update
    links = [dcc.Link(str(i), href=f"/client/{i}", className="btn btn-outline-primary btn-sm me-1 mb-1") for i in ids]
    return [html.Span(translate("client.search.matches", lang) + " ", className="small me-1"), *links], None, dash.no_update


def url_client_id(raw: object) -> str | None:
    """The client id as the URL's path carries it, decoded once (%31 is "1"), for the title and the file alike."""
    return None if raw is None else unquote(str(raw))[:100]


def page_title(client_id: str | None = None) -> str:
    """Browser tab title in the reader's language (Dash calls it with the URL's path variables)."""
    lang = current_language()
    try:
        return translate("client.page_title_id", lang, client_id=parse_client_id(url_client_id(client_id)))
    except ClientIdError:
        return translate("client.page_title", lang)


# --- callbacks (thin adapters) --------------------------------------------------------------------
def render_client(raw_id):
    """Everything that depends on the client only."""
    return client_outputs(raw_id, current_language())


def waterfall(raw_id, by):
    """The waterfall of the client in the URL, by concept (default) or by input (the switch)."""
    client_id, _ = resolve_client(raw_id)
    if client_id is None:
        return blank_figure("")
    try:
        model = served()
        return model.memoised(_waterfall_of, 128)(client_id, current_language(), BY_INPUT if by == BY_INPUT else BY_CONCEPT)
    except (ModelNotFoundError, FileNotFoundError, OSError):
        log.exception("waterfall of client %s unavailable", client_id)
        return blank_figure("")


def search(value, n_clicks, n_submit):  # the trigger says which input fired
    """Type-ahead suggestions while typing; Enter or the button opens the file (or says why not)."""
    opening = bool({f"{SEARCH_OPEN}.n_clicks", f"{SEARCH_INPUT}.n_submit"} & set(dash.ctx.triggered_prop_ids))
    return search_update(value, opening, current_language())


# re-exported for the tests and callers that knew them here
comparison, scatter = client_comparison.comparison, client_comparison.scatter


# --- layout ---------------------------------------------------------------------------------------
def SearchBar(lang: str) -> html.Div:
    return html.Div([
        dbc.Label(translate("client.search.label", lang), html_for=SEARCH_INPUT, className="fw-semibold"),
        dbc.InputGroup([
            dbc.Input(id=SEARCH_INPUT, type="text", inputMode="numeric", autoComplete="off", maxLength=20,
                      placeholder=translate("client.search.placeholder", lang,
                                                  example=served().example_client_id()), value=""),
            dbc.Button(translate("client.search.open", lang), id=SEARCH_OPEN, color="primary"),
        ], className="mb-1", style={"maxWidth": "560px"}),
        html.Div(id=SEARCH_MATCHES, className="mb-1"),
        html.Div(id=SEARCH_FEEDBACK, role="status"),
        html.Small(translate("client.search.help", lang), className="text-muted"),
    ], className="mb-3")


def WaterfallSwitch(lang: str) -> html.Div:
    """By concept (the default) or by input: the detail an analyst may want, the topics a client can follow."""
    return html.Div([
        html.Span(translate("client.waterfall.view", lang) + " :" if lang == "fr" else
                  translate("client.waterfall.view", lang) + ":", className="small me-2", id=f"{WATERFALL_VIEW}-label"),
        dbc.RadioItems(id=WATERFALL_VIEW, value=BY_CONCEPT, inline=True, className="d-inline-block small",
                       options=[{"label": translate("client.waterfall.by_concept", lang), "value": BY_CONCEPT},
                                {"label": translate("client.waterfall.by_input", lang), "value": BY_INPUT}]),
    ], className="mb-1")


def _graph(id_: str, height: int) -> dcc.Graph:
    return dcc.Graph(id=id_, config=GRAPH_CONFIG, figure=blank_figure("", height=height), style={"minHeight": height})


def ClientBody(lang: str) -> html.Div:
    """The file's panels, empty until ``render_client`` fills them (hidden when the id is not a client)."""
    return html.Div(id=BODY, style=HIDDEN, children=[
        html.H2(id=HEADING, className="h4 mb-0"),
        html.P(id=STATUS, className="text-muted mb-3"),
        dbc.Row([
            dbc.Col(Card(translate("client.score.title", lang), [_graph(GAUGE, 150), html.Div(id=SCORE)]), lg=7),
            dbc.Col(Card(translate("client.identity.title", lang), html.Div(id=IDENTITY)), lg=5),
        ]),
        dbc.Row([
            dbc.Col(Card(translate("client.why.title", lang), [
                html.P(translate("client.why.intro", lang), className="small text-muted"), WaterfallSwitch(lang),
                _graph(WATERFALL, 480)]), lg=7),
            dbc.Col([Card(translate("client.reasons.title", lang), html.Div(id=REASONS)),
                     html.Div(id=DECISION_SLOT)], lg=5),
        ]),
        WhatIfCard(lang),
        ComparisonCard(lang),
    ])


def layout(client_id: str | None = None, **_query) -> html.Div:
    """/client (search only) or /client/<id> (search + the file, filled by ``render_client``)."""
    lang = current_language()
    children = [html.H1(translate("client.title", lang), className="h3"), dcc.Location(id=NAV, refresh="callback-nav"),
                SearchBar(lang)]
    if client_id is not None:
        children += [dcc.Store(id=CLIENT_ID, data=url_client_id(client_id)), html.Div(id=ALERT),
                     dcc.Loading(ClientBody(lang), type="default", delay_show=300,
                                 # only while the file itself renders, not over the page at each simulation
                                 # (cast: Dash types this dict as an empty TypedDict)
                                 target_components=cast(Any, {HEADING: "children"}))]
    return html.Div(children)


dash.callback(
    Output(SEARCH_MATCHES, "children"), Output(SEARCH_FEEDBACK, "children"), Output(NAV, "pathname"),
    Input(SEARCH_INPUT, "value"), Input(SEARCH_OPEN, "n_clicks"), Input(SEARCH_INPUT, "n_submit"),
)(search)

dash.callback(
    Output(ALERT, "children"), Output(BODY, "style"), Output(HEADING, "children"), Output(STATUS, "children"),
    Output(IDENTITY, "children"), Output(GAUGE, "figure"), Output(SCORE, "children"),
    Output(REASONS, "children"), Output(DECISION_SLOT, "children"), Output(COMPARE_KEYS, "options"),
    Input(CLIENT_ID, "data"),
)(render_client)


dash.callback(Output(WATERFALL, "figure"), Input(CLIENT_ID, "data"), Input(WATERFALL_VIEW, "value"))(waterfall)


def search_layout(**_query) -> html.Div:
    """/client: the search alone (a ``?client_id=`` query opens nothing: the path decides)."""
    return layout(None)


dash.register_page(__name__, path_template=CLIENT_PATH, name="client", title=page_title,
                   layout=path_decides(CLIENT_PATH)(layout), role=Role.OFFICER)
dash.register_page(f"{__name__}.search", path="/client", name="client-search", title=page_title, layout=search_layout,
                   role=Role.OFFICER, nav="nav.client", order=1)
