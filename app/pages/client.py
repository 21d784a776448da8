"""Client file page (/client, /client/<id>): the page an officer opens in front of a client.

Search by id with server-side type-ahead, then score, decision, reasons, SHAP waterfall, comparison
with similar clients and the decision log. The URL carries the client, so a file can be bookmarked.

Callbacks are thin adapters (unpack, call one function, return). The heavy work of a client (one
row read from disk, model inputs, exact SHAP) is done once per client and cached by id
(``functools.lru_cache`` on pure functions of read-only resources): later callbacks of the same
page and a reload reuse it. Cache keys include the portfolio path so a test serving another model
folder never sees a stale file.
"""
from __future__ import annotations

import logging
from functools import lru_cache

import dash
import dash_bootstrap_components as dbc
import numpy as np
from dash import Input, Output, dcc, html

from app.components.client_file import IdentityCard, Message, ReasonList, ScoreSummary, StatusLine
from app.components.decision_log import DecisionPanel
from app.figures.client_comparison import cohort_scatter, distribution_figure
from app.figures.gauge import score_gauge
from app.figures.client_layout import blank_figure as empty_figure
from app.figures.waterfall import waterfall_figure
from app.i18n import translate
from app.resources import get_bundle, get_portfolio
from app.scoring.bundle import ModelNotFoundError
from app.scoring.client_file import ClientFile, ClientIdError, load_client_file, parse_client_id, points_text
from app.scoring.cohorts import CATEGORY_FIELDS, MIN_COHORT_SIZE, SIMILARITY_KEYS, large_enough, similar_clients_filter
from app.scoring.comparison import (
    COMPARISON_FEATURES, DEFAULT_FEATURE, DEFAULT_SCATTER, SIMILARITY_OPTIONS, bin_edges, distribution,
    feature_values, percentile_of, scatter_sample,
)
from app.scoring.dictionary import data_dictionary
from app.scoring.explain import OTHER_FEATURES
from app.scoring.formatting import format_display, number_text
from app.scoring.reasons import check_not_protected, feature_label, top_reasons, value_text
from app.security import VIEW_CLIENT, audit
from app.ui import Card, current_language, t

log = logging.getLogger(__name__)

# --- component ids (defined once) -----------------------------------------------------------------
SEARCH_INPUT = "client-search-input"
SEARCH_OPEN = "client-search-open"
SEARCH_MATCHES = "client-search-matches"
SEARCH_FEEDBACK = "client-search-feedback"
NAV = "client-nav"
CLIENT_ID = "client-id"
ALERT = "client-alert"
BODY = "client-body"
HEADING = "client-heading"
STATUS = "client-status"
IDENTITY = "client-identity"
GAUGE = "client-gauge"
SCORE = "client-score"
WATERFALL = "client-waterfall"
REASONS = "client-reasons"
DECISION_SLOT = "client-decision-slot"
COMPARE_FEATURE = "client-compare-feature"
COMPARE_KEYS = "client-compare-keys"
COMPARE_FIGURE = "client-compare-figure"
COMPARE_MESSAGE = "client-compare-message"
SCATTER_X = "client-scatter-x"
SCATTER_Y = "client-scatter-y"
SCATTER_FIGURE = "client-scatter-figure"
SCATTER_NOTE = "client-scatter-note"

N_SUGGESTIONS = 8
GRAPH_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"], "responsive": True}
HIDDEN = {"display": "none"}


# --- cached domain work (pure functions of read-only resources) ----------------------------------
def _portfolio_key() -> str:
    return str(get_portfolio().path)


@lru_cache(maxsize=256)
def _client_file(portfolio_key: str, client_id: int) -> ClientFile:  # noqa: ARG001 - cache key
    return load_client_file(get_bundle(), get_portfolio(), client_id)


@lru_cache(maxsize=32)
def _values(portfolio_key: str, feature: str) -> np.ndarray:  # noqa: ARG001 - cache key
    values = feature_values(get_portfolio().frame, feature)
    values.flags.writeable = False
    return values


@lru_cache(maxsize=1)
def _targets(portfolio_key: str) -> np.ndarray:  # noqa: ARG001 - cache key
    frame = get_portfolio().frame
    target = frame["TARGET"].to_numpy(dtype="float64", na_value=np.nan)
    return np.where(frame["IS_LABELLED"].to_numpy(dtype=bool), target, np.nan)


@lru_cache(maxsize=32)
def _all_clients(portfolio_key: str, feature: str):
    """Bins and outcome histogram of a feature over the whole portfolio (the same for every client)."""
    values = _values(portfolio_key, feature)
    edges = bin_edges(values)
    return edges, distribution(values, _targets(portfolio_key), edges)


@lru_cache(maxsize=256)
def _cohort(portfolio_key: str, client_id: int, keys: tuple[str, ...]) -> np.ndarray:  # noqa: ARG001
    """Row positions of the clients sharing ``client_id``'s profile on ``keys``."""
    frame = get_portfolio().frame
    return np.flatnonzero(similar_clients_filter(frame.loc[client_id], keys).mask(frame))


def clear_caches() -> None:
    """Forget cached clients (tests that switch model folders call it with the resources' caches)."""
    for cached in (_client_file, _values, _targets, _all_clients, _cohort, _client_view):
        cached.cache_clear()


# --- input handling ------------------------------------------------------------------------------
def resolve_client(raw) -> tuple[int | None, str | None]:
    """(client id, None) for a client of the portfolio, else (None, message for the officer)."""
    lang = current_language()
    try:
        client_id = parse_client_id(raw)
        if client_id not in get_portfolio():
            raise ClientIdError("unknown", client_id)
    except ClientIdError as exc:
        shown = str(raw).strip()[:40]
        return None, translate(f"client.error.{exc.code}", lang, raw=shown, client_id=shown)
    except (ModelNotFoundError, FileNotFoundError, OSError):
        log.exception("client file unavailable")
        return None, translate("client.error.unavailable", lang)
    return client_id, None


def _similarity_keys(keys) -> tuple[str, ...]:
    """Only known attributes, in a stable order (a forged value is ignored, not an error)."""
    chosen = set(keys) if isinstance(keys, (list, tuple)) else set()
    return tuple(k for k in SIMILARITY_OPTIONS if k in chosen)


def _feature(name, default: str) -> str:
    return name if isinstance(name, str) and name in COMPARISON_FEATURES else default


def _feature_axis(name: str, lang: str) -> str:
    return translate("client.feature.PROBA_DEFAULT", lang) if name == "PROBA_DEFAULT" else \
        data_dictionary().label(name, lang)


def _value_text(name: str, value: float, lang: str) -> str:
    if not np.isfinite(value):
        return "—"
    return format_display(COMPARISON_FEATURES[name], float(value), lang, name=name)


# --- views ----------------------------------------------------------------------------------------
@lru_cache(maxsize=128)
def _client_view(portfolio_key: str, client_id: int, lang: str) -> dict:
    """Figures and texts of one client in one language (cached: the same file is reopened often)."""
    file = _client_file(portfolio_key, client_id)
    check_not_protected(file.explanation.contributions.index)
    steps = file.steps
    shown = steps[steps["feature"] != OTHER_FEATURES]
    labels, hover = [], []
    for feature, value, points in zip(steps["feature"], steps["value"], steps["points"]):
        if feature == OTHER_FEATURES:
            label = translate("client.waterfall.other", lang, n=len(file.explanation.contributions) - len(shown))
            labels.append(label)
            hover.append(f"{label}<br>{points_text(points, lang, signed=True)} points")
            continue
        label, text = feature_label(feature, lang), value_text(feature, value, lang)
        labels.append(f"{label} = {text}")
        hover.append(translate("client.waterfall.hover", lang, label=label, value=text,
                               points=points_text(points, lang, signed=True)))
    texts = {k: translate(f"client.waterfall.{k}", lang) for k in ("base", "client", "axis", "threshold")}
    return {
        "gauge": score_gauge(file.proba, file.threshold, lang),
        "waterfall": waterfall_figure(labels, steps["points"].tolist(), hover, 100 * file.explanation.base_proba,
                                      100 * file.proba, 100 * file.threshold, texts=texts, lang=lang),
        "reasons": top_reasons(steps, lang),
    }


def render_client(raw_id):
    """Everything that depends on the client only. Returns the tuple of ``render`` outputs."""
    lang = current_language()
    client_id, error = resolve_client(raw_id)
    blank = (HIDDEN, "", "", None, dash.no_update, None, dash.no_update, None, None, [])
    if client_id is None:
        return (Message(error, "warning"), *blank)
    try:
        view = _client_view(_portfolio_key(), client_id, lang)
        file = _client_file(_portfolio_key(), client_id)
    except (ModelNotFoundError, FileNotFoundError, OSError):
        log.exception("client %s could not be scored", client_id)
        return (Message(translate("client.error.unavailable", lang), "danger"), *blank)
    try:
        audit(VIEW_CLIENT, str(client_id))
    except Exception:  # noqa: BLE001 - fail closed: an unrecorded access shows nothing
        log.exception("audit of client %s failed", client_id)
        return (Message(translate("client.error.audit", lang), "danger"), *blank)
    served = get_portfolio().frame.loc[client_id]
    key_options = []
    for key in SIMILARITY_OPTIONS:
        raw = served.get(CATEGORY_FIELDS[key])
        value = "—" if raw is None or raw != raw else (
            translate("client.age_band_years", lang, band=raw) if key == "age_band" else
            data_dictionary().format_value(CATEGORY_FIELDS[key], raw, lang))
        key_options.append({"label": " " + translate(f"client.filter.{key}", lang, value=value), "value": key})
    return (
        None, {}, translate("client.heading", lang, client_id=client_id), StatusLine(file, lang),
        IdentityCard(file.row, lang), view["gauge"], ScoreSummary(file, lang), view["waterfall"],
        ReasonList(view["reasons"], lang), DecisionPanel(str(client_id), file.decision), key_options,
    )


def _cohort_inputs(raw_id, keys):
    client_id, _ = resolve_client(raw_id)
    if client_id is None:
        return None, None, None
    key = _portfolio_key()
    return client_id, key, _cohort(key, client_id, _similarity_keys(keys))


def comparison(raw_id, feature, keys):
    """Distribution of a feature among all and similar clients, by outcome, the client marked."""
    lang = current_language()
    client_id, key, members = _cohort_inputs(raw_id, keys)
    if client_id is None:
        return empty_figure(""), None
    feature = _feature(feature, DEFAULT_FEATURE)
    values, target = _values(key, feature), _targets(key)
    position = get_portfolio().frame.index.get_loc(client_id)
    client_value = float(values[position])
    edges, everyone = _all_clients(key, feature)
    panels = [(translate("client.compare.all", lang, n=number_text(len(values), 0, lang)), everyone)]
    messages = []
    if large_enough(len(members)):
        panels.append((translate("client.compare.cohort", lang, n=number_text(len(members), 0, lang)),
                       distribution(values[members], target[members], edges)))
        pct = percentile_of(values[members], client_value)
        if pct is not None:
            messages.append(html.P(translate("client.compare.position", lang,
                                             pct=format_display("percent", float(round(pct)), lang)), className="mb-1"))
    else:
        messages.append(Message(translate("client.compare.too_small", lang, n=len(members), min=MIN_COHORT_SIZE)))
    if not np.isfinite(client_value):
        messages.append(html.P(translate("client.compare.no_value", lang), className="mb-1"))
    texts = {"repaid": translate("client.compare.repaid", lang), "difficulties": translate("client.compare.difficulties", lang),
             "x": _feature_axis(feature, lang), "y": translate("client.compare.share", lang)}
    client_text = translate("client.compare.client_value", lang, value=_value_text(feature, client_value, lang))
    figure = distribution_figure(panels, client_value, client_text, texts=texts, lang=lang)
    return figure, [*messages, html.P(translate("client.compare.note", lang), className="text-muted small mb-0")]


def scatter(raw_id, x_feature, y_feature, keys):
    """The client among a random sample of similar clients on two features, coloured by risk."""
    lang = current_language()
    client_id, key, members = _cohort_inputs(raw_id, keys)
    if client_id is None:
        return empty_figure(""), None
    if not large_enough(len(members)):
        text = translate("client.compare.too_small", lang, n=len(members), min=MIN_COHORT_SIZE)
        return empty_figure(text), None
    x_feature, y_feature = _feature(x_feature, DEFAULT_SCATTER[0]), _feature(y_feature, DEFAULT_SCATTER[1])
    x, y, risk = _values(key, x_feature), _values(key, y_feature), _values(key, "PROBA_DEFAULT")
    points = scatter_sample(x[members], y[members], risk[members], seed=client_id % (2**32))
    position = get_portfolio().frame.index.get_loc(client_id)
    texts = {"x": _feature_axis(x_feature, lang), "y": _feature_axis(y_feature, lang),
             "risk": translate("client.scatter.risk", lang) + " (%)", "client": translate("client.scatter.client", lang),
             "cohort": translate("client.scatter.cohort", lang)}
    figure = cohort_scatter(points, float(x[position]), float(y[position]), texts=texts, lang=lang)
    n = number_text(len(members), 0, lang)
    note = (translate("client.scatter.all_shown", lang, n=n) if len(points) == len(members) else
            translate("client.scatter.sample", lang, shown=number_text(len(points), 0, lang), n=n))
    return figure, note


def search(value, n_clicks, n_submit):
    """Type-ahead suggestions while typing; Enter or the button opens the file (or says why not)."""
    lang = current_language()
    opening = bool({f"{SEARCH_OPEN}.n_clicks", f"{SEARCH_INPUT}.n_submit"} & set(dash.ctx.triggered_prop_ids))
    return search_update(value, opening, lang)


def search_update(value, opening: bool, lang: str = "fr"):
    """(suggestion links, feedback, new pathname or no_update). Plain function for the tests."""
    text = value.strip() if isinstance(value, str) else ""
    if opening:
        client_id, error = resolve_client(text)
        if client_id is not None:
            return dash.no_update, None, f"/client/{client_id}"
        return None, Message(error, "warning"), dash.no_update
    if not text:
        return None, None, dash.no_update
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        return None, Message(translate("client.error.malformed", lang, raw=text[:40]), "warning"), dash.no_update
    try:
        ids = get_portfolio().search_ids(text, N_SUGGESTIONS)
    except (ModelNotFoundError, FileNotFoundError, OSError):
        return None, Message(translate("client.error.unavailable", lang), "danger"), dash.no_update
    if not ids:
        return None, html.Small(translate("client.search.none", lang, prefix=text), className="text-muted"), dash.no_update
    links = [dcc.Link(str(i), href=f"/client/{i}", className="btn btn-outline-primary btn-sm me-1 mb-1") for i in ids]
    return [html.Span(translate("client.search.matches", lang) + " ", className="small me-1"), *links], None, dash.no_update


# --- layout ---------------------------------------------------------------------------------------
def _dropdown(id_: str, value: str, lang: str) -> dcc.Dropdown:
    options = [{"label": _feature_axis(name, lang), "value": name} for name in COMPARISON_FEATURES]
    return dcc.Dropdown(id=id_, options=options, value=value, clearable=False, searchable=False)


def SearchBar(lang: str) -> html.Div:  # noqa: N802
    return html.Div([
        dbc.Label(translate("client.search.label", lang), html_for=SEARCH_INPUT, className="fw-semibold"),
        dbc.InputGroup([
            dbc.Input(id=SEARCH_INPUT, type="text", inputMode="numeric", autoComplete="off", maxLength=20,
                      placeholder=translate("client.search.placeholder", lang), value=""),
            dbc.Button(translate("client.search.open", lang), id=SEARCH_OPEN, color="primary"),
        ], className="mb-1", style={"maxWidth": "560px"}),
        html.Div(id=SEARCH_MATCHES, className="mb-1"),
        html.Div(id=SEARCH_FEEDBACK, role="status"),
        html.Small(translate("client.search.help", lang), className="text-muted"),
    ], className="mb-3")


def _graph(id_: str, height: int) -> dcc.Graph:
    return dcc.Graph(id=id_, config=GRAPH_CONFIG, figure=empty_figure("", height=height), style={"minHeight": height})


def ClientBody(lang: str) -> html.Div:  # noqa: N802
    """The file's panels, empty until ``render`` fills them (hidden when the id is not a client)."""
    return html.Div(id=BODY, style=HIDDEN, children=[
        html.H2(id=HEADING, className="h4 mb-0"),
        html.P(id=STATUS, className="text-muted mb-3"),
        dbc.Row([
            dbc.Col(Card(translate("client.score.title", lang), [_graph(GAUGE, 150), html.Div(id=SCORE)]), lg=7),
            dbc.Col(Card(translate("client.identity.title", lang), html.Div(id=IDENTITY)), lg=5),
        ]),
        dbc.Row([
            dbc.Col(Card(translate("client.why.title", lang), [
                html.P(translate("client.why.intro", lang), className="small text-muted"), _graph(WATERFALL, 480)]), lg=7),
            dbc.Col([Card(translate("client.reasons.title", lang), html.Div(id=REASONS)),
                     html.Div(id=DECISION_SLOT)], lg=5),
        ]),
        Card(translate("client.compare.title", lang), [
            dbc.Row([
                dbc.Col([dbc.Label(translate("client.compare.feature", lang), html_for=COMPARE_FEATURE),
                         _dropdown(COMPARE_FEATURE, DEFAULT_FEATURE, lang)], md=4),
                dbc.Col([dbc.Label(translate("client.compare.similar", lang), html_for=COMPARE_KEYS),
                         dbc.Checklist(id=COMPARE_KEYS, options=[], value=list(SIMILARITY_KEYS), inline=True)], md=8),
            ], className="mb-2"),
            html.Div(id=COMPARE_MESSAGE),
            _graph(COMPARE_FIGURE, 380),
            html.H3(translate("client.scatter.title", lang), className="h6 mt-3"),
            dbc.Row([
                dbc.Col([dbc.Label(translate("client.scatter.x", lang), html_for=SCATTER_X),
                         _dropdown(SCATTER_X, DEFAULT_SCATTER[0], lang)], md=4),
                dbc.Col([dbc.Label(translate("client.scatter.y", lang), html_for=SCATTER_Y),
                         _dropdown(SCATTER_Y, DEFAULT_SCATTER[1], lang)], md=4),
            ], className="mb-2"),
            _graph(SCATTER_FIGURE, 420),
            html.P(id=SCATTER_NOTE, className="text-muted small mb-0"),
        ]),
    ])


def layout(client_id: str | None = None, **_query) -> html.Div:
    """/client (search only) or /client/<id> (search + the file, filled by ``render``)."""
    lang = current_language()
    children = [html.H1(t("client.title"), className="h3"), dcc.Location(id=NAV, refresh="callback-nav"),
                SearchBar(lang)]
    if client_id is not None:
        children += [dcc.Store(id=CLIENT_ID, data=str(client_id)[:100]), html.Div(id=ALERT),
                     dcc.Loading(ClientBody(lang), type="default", delay_show=300)]
    return html.Div(children)


# --- callbacks (thin adapters) --------------------------------------------------------------------
dash.callback(
    Output(SEARCH_MATCHES, "children"), Output(SEARCH_FEEDBACK, "children"), Output(NAV, "pathname"),
    Input(SEARCH_INPUT, "value"), Input(SEARCH_OPEN, "n_clicks"), Input(SEARCH_INPUT, "n_submit"),
)(search)

dash.callback(
    Output(ALERT, "children"), Output(BODY, "style"), Output(HEADING, "children"), Output(STATUS, "children"),
    Output(IDENTITY, "children"), Output(GAUGE, "figure"), Output(SCORE, "children"), Output(WATERFALL, "figure"),
    Output(REASONS, "children"), Output(DECISION_SLOT, "children"), Output(COMPARE_KEYS, "options"),
    Input(CLIENT_ID, "data"),
)(render_client)

dash.callback(
    Output(COMPARE_FIGURE, "figure"), Output(COMPARE_MESSAGE, "children"),
    Input(CLIENT_ID, "data"), Input(COMPARE_FEATURE, "value"), Input(COMPARE_KEYS, "value"),
)(comparison)

dash.callback(
    Output(SCATTER_FIGURE, "figure"), Output(SCATTER_NOTE, "children"),
    Input(CLIENT_ID, "data"), Input(SCATTER_X, "value"), Input(SCATTER_Y, "value"), Input(COMPARE_KEYS, "value"),
)(scatter)

dash.register_page(__name__, path_template="/client/<client_id>", name="client", title="Dossier client",
                   layout=layout)
dash.register_page(f"{__name__}.search", path="/client", name="client-search", title="Dossier client",
                   layout=layout)
