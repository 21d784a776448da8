"""The client file's simulator ("what if"), counter-offer and letter links: a card of the client page.

The officer types another amount, term or goods price; the probability, decision, grade and waterfall
of *that* application appear next to the file's, with the difference. A refused client gets the
closest loan the model would grant, in one sentence, with a button loading it into the simulator.
Nothing is saved: the current modified terms live in the browser (``dcc.Store`` :data:`WHATIF_TERMS`,
read by the decision panel to record "granted with modified terms"). The per-client work (bounds,
pricing, counter-offer) is cached in the served model; one update scores one row and explains it.
"""
from __future__ import annotations

import logging

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html

from app.components.client_comparison import CLIENT_ID, GRAPH_CONFIG
from app.components.client_file import Message, client_file, reasons_reference
from app.figures.client_layout import blank_figure
from app.figures.waterfall import waterfall_figure
from app.i18n import translate
from app.presenters.client_file import ClientIdError, parse_client_id
from app.presenters.client_view import waterfall_view
from app.presenters.explanation import file_reasons, offer_for
from app.presenters.whatif import (
    FIELD_LABELS,
    bounds_text,
    change_sentence,
    comparison_rows,
    input_error_text,
    intro_text,
    simulated_file,
)
from app.resources import ServedModel, served
from app.scoring.bundle import ModelNotFoundError
from app.scoring.counteroffer import CounterOffer
from app.scoring.whatif import (
    LoanBounds,
    LoanCase,
    LoanTerms,
    WhatIfInputError,
    granted_loans,
    loan_case,
    portfolio_bounds,
    terms_from_input,
)
from app.ui import Card, current_language, html_attributes

log = logging.getLogger(__name__)

#: The current modified terms ({AMT_CREDIT, AMT_ANNUITY, AMT_GOODS_PRICE, CNT_PAYMENT}, or None when the
#: simulation is the file's own terms or not valid). Defined once: the decision panel reads it.
WHATIF_TERMS = "client-whatif-terms"
WHATIF_CREDIT = "client-whatif-credit"
WHATIF_MONTHS = "client-whatif-months"
WHATIF_GOODS = "client-whatif-goods"
WHATIF_RESET = "client-whatif-reset"
WHATIF_APPLY = "client-whatif-apply"
WHATIF_OFFER = "client-whatif-offer"
WHATIF_INTRO = "client-whatif-intro"
WHATIF_BOUNDS = "client-whatif-bounds"
WHATIF_RESULT = "client-whatif-result"
WHATIF_WATERFALL = "client-whatif-waterfall"
WHATIF_LETTER = "client-whatif-letter"
HIDDEN = {"display": "none"}


# --- per-model and per-client work, cached in the served model ------------------------------------
def _bounds_of(model: ServedModel) -> dict[str, LoanBounds]:
    published = model.published
    if published is not None:  # computed by the same code when the portfolio was published
        return published.loan_bounds
    return portfolio_bounds(model.bundle, granted_loans(model.local_portfolio.frame))


def loan_bounds(model: ServedModel) -> dict[str, LoanBounds]:
    """Bounds by contract type of the served portfolio (computed once per served model)."""
    return model.memoised(_bounds_of, 1)()


def _case_of(model: ServedModel, client_id: int) -> LoanCase:
    return loan_case(model.bundle, model.portfolio.client_row(client_id), loan_bounds(model))


def client_case(model: ServedModel, client_id: int) -> LoanCase:
    """One client's application row, pricing, own terms and bounds (once per client)."""
    return model.memoised(_case_of, 256)(client_id)


def _offer_of(model: ServedModel, client_id: int) -> CounterOffer | None:
    return offer_for(model.bundle, client_file(model, client_id), client_case(model, client_id))


def client_offer(model: ServedModel, client_id: int) -> CounterOffer | None:
    """The counter-offer of a refused client (None when granted), scored in one batch, once per client."""
    return model.memoised(_offer_of, 256)(client_id)


def _as_text(value: float | int | None) -> str:
    """A value for an input box, exact (an amount with cents keeps them, so "unchanged" stays unchanged)."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")


# --- views (plain functions, for the tests) --------------------------------------------------------
def setup_outputs(raw_id, load_offer: bool, lang: str) -> tuple:
    """(credit, months, months disabled, goods, intro, bounds, offer, apply button style, letter links) of a
    client, the inputs holding the file's terms, or the counter-offer's when ``load_offer``."""
    blank = ("", "", True, "", "", "", None, HIDDEN, None)
    try:
        client_id = parse_client_id(raw_id)
        model = served()
        if client_id not in model.portfolio:
            return blank
        file, case, offer = client_file(model, client_id), client_case(model, client_id), client_offer(model, client_id)
    except ClientIdError:
        return blank
    except (ModelNotFoundError, FileNotFoundError, OSError):
        log.exception("simulator unavailable for %s", raw_id)
        return ("", "", True, "", Message(translate("whatif.error.unavailable", lang), "danger"), *blank[5:])
    terms: LoanTerms = offer.terms if load_offer and offer is not None and offer.terms is not None else case.original
    sentence = change_sentence(file.decision, offer, file_reasons(file, reasons_reference(model), lang), file.threshold, lang)
    offer_box = html.P(sentence, className="mb-2 fw-semibold" if offer is not None and offer.found else "mb-2")
    letter = [html.A(translate("letter.print", lang), href=f"/client/{client_id}/letter", target="_blank",
                     rel="noopener", className="btn btn-outline-secondary btn-sm me-2", id=f"{WHATIF_LETTER}-html"),
              html.A(translate("letter.pdf", lang), href=f"/client/{client_id}/letter.pdf",
                     className="btn btn-outline-secondary btn-sm", id=f"{WHATIF_LETTER}-pdf")]
    bounds = bounds_text(case.bounds, lang) if case.bounds is not None else translate("whatif.no_bounds", lang)
    return (_as_text(terms.credit), _as_text(terms.months), case.pricing.revolving, _as_text(terms.goods),
            intro_text(case, lang), bounds, offer_box,
            {} if offer is not None and offer.found else HIDDEN, letter)


def ComparisonTable(rows, lang: str) -> dbc.Table:
    head = html.Thead(html.Tr([html.Th(translate(f"whatif.col.{k}", lang), scope="col")
                               for k in ("item", "file", "simulated", "difference")]))
    body = html.Tbody([html.Tr([html.Th(r.label, scope="row", className="fw-normal"), html.Td(r.file),
                                html.Td(r.simulated, className="fw-semibold"), html.Td(r.difference)]) for r in rows])
    return dbc.Table([head, body], bordered=False, size="sm", className="mb-2", id=f"{WHATIF_RESULT}-table")


def simulate_outputs(raw_id, credit, months, goods, lang: str) -> tuple:
    """(result, waterfall figure, waterfall style, terms for the store) of the typed terms.

    A value that cannot be scored gives a message and no score (the store is emptied, so no decision
    can be recorded "with modified terms" that were never scored).
    """
    try:
        client_id = parse_client_id(raw_id)
        model = served()
        if client_id not in model.portfolio:
            return None, dash.no_update, HIDDEN, None
        file, case = client_file(model, client_id), client_case(model, client_id)
    except ClientIdError:
        return None, dash.no_update, HIDDEN, None
    except (ModelNotFoundError, FileNotFoundError, OSError):
        log.exception("simulation unavailable for %s", raw_id)
        return Message(translate("whatif.error.unavailable", lang), "danger"), dash.no_update, HIDDEN, None
    if case.bounds is None:
        return Message(translate("whatif.no_bounds", lang), "secondary"), dash.no_update, HIDDEN, None
    if all(v is None or v == "" for v in (credit, months, goods)):
        return None, dash.no_update, HIDDEN, None  # the boxes before the file's terms fill them: no message yet
    try:
        terms = terms_from_input(credit, months, goods, case.pricing, case.bounds, case.original)
    except WhatIfInputError as exc:
        return Message(input_error_text(exc, lang), "warning", id=f"{WHATIF_RESULT}-error"), dash.no_update, HIDDEN, None
    unchanged = terms == case.original
    simulated = file if unchanged else simulated_file(model.bundle, case, client_id, terms)
    view = waterfall_view(simulated, lang)
    figure = waterfall_figure(view.labels, view.points, view.hover, view.base_percent, view.final_percent,
                              view.threshold_percent, texts=view.texts, lang=lang)
    result = [ComparisonTable(comparison_rows(file, case.original, simulated, terms, lang), lang)]
    if unchanged:
        result.append(html.P(translate("whatif.unchanged_note", lang), className="small text-muted mb-0"))
    return result, figure, {}, None if unchanged else terms.columns()


# --- callbacks (thin adapters) ----------------------------------------------------------------------
def setup(raw_id, _apply_clicks, _reset_clicks):
    """On opening a file or "back to the file": the file's terms; on "load this offer": the offer's."""
    load_offer = f"{WHATIF_APPLY}.n_clicks" in dash.ctx.triggered_prop_ids
    return setup_outputs(raw_id, load_offer, current_language())


def simulate(credit, months, goods, raw_id):
    return simulate_outputs(raw_id, credit, months, goods, current_language())


# --- layout -------------------------------------------------------------------------------------------
def _input(id_: str, key: str, lang: str) -> dbc.Col:
    return dbc.Col([dbc.Label(translate(key, lang), html_for=id_, className="small mb-0"),
                    dbc.Input(id=id_, type="text", inputMode="numeric", autoComplete="off", maxLength=16,
                              debounce=0.4, value="")], md=4)


def WhatIfCard(lang: str) -> dbc.Card:
    """The simulator card (inputs, counter-offer, comparison, simulated waterfall) and its store."""
    return Card(translate("whatif.title", lang), [
        dcc.Store(id=WHATIF_TERMS, data=None),
        html.Div([html.H3(translate("whatif.offer.title", lang), className="h6"), html.Div(id=WHATIF_OFFER),
                  dbc.Button(translate("whatif.apply_offer", lang), id=WHATIF_APPLY, color="primary", size="sm",
                             className="mb-3", style=HIDDEN)]),
        html.P(id=WHATIF_INTRO, className="small text-muted mb-2"),
        dbc.Row([_input(WHATIF_CREDIT, FIELD_LABELS["credit"], lang), _input(WHATIF_MONTHS, FIELD_LABELS["months"], lang),
                 _input(WHATIF_GOODS, FIELD_LABELS["goods"], lang)], className="g-2 mb-1"),
        html.P(id=WHATIF_BOUNDS, className="small text-muted mb-2"),
        dbc.Button(translate("whatif.reset", lang), id=WHATIF_RESET, color="secondary", outline=True, size="sm",
                   className="mb-3"),
        dbc.Row([
            dbc.Col(html.Div(id=WHATIF_RESULT, role="status", **html_attributes({"aria-live": "polite"})), lg=5),
            dbc.Col(html.Div([html.H3(translate("whatif.waterfall_title", lang), className="h6"),
                              dcc.Graph(id=WHATIF_WATERFALL, config=GRAPH_CONFIG, figure=blank_figure("", height=420),
                                        style={"minHeight": 420})], id=f"{WHATIF_WATERFALL}-wrap", style=HIDDEN), lg=7),
        ]),
        html.Div(id=WHATIF_LETTER, className="mt-2"),
    ], id="client-whatif-card")


dash.callback(
    Output(WHATIF_CREDIT, "value"), Output(WHATIF_MONTHS, "value"), Output(WHATIF_MONTHS, "disabled"),
    Output(WHATIF_GOODS, "value"), Output(WHATIF_INTRO, "children"), Output(WHATIF_BOUNDS, "children"),
    Output(WHATIF_OFFER, "children"), Output(WHATIF_APPLY, "style"), Output(WHATIF_LETTER, "children"),
    Input(CLIENT_ID, "data"), Input(WHATIF_APPLY, "n_clicks"), Input(WHATIF_RESET, "n_clicks"),
)(setup)

dash.callback(
    Output(WHATIF_RESULT, "children"), Output(WHATIF_WATERFALL, "figure"), Output(f"{WHATIF_WATERFALL}-wrap", "style"),
    Output(WHATIF_TERMS, "data"),
    Input(WHATIF_CREDIT, "value"), Input(WHATIF_MONTHS, "value"), Input(WHATIF_GOODS, "value"),
    State(CLIENT_ID, "data"),
)(simulate)
