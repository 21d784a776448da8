"""Comparison panel of the client file: the client among all clients and among similar clients.

Holds the panel's layout factory, its component ids, its two thin callbacks and the per-portfolio
arrays they read (computed once per feature, cached in the served model). The numbers
come from ``app.scoring.comparison`` (privacy rule, the client excluded from their own cohort);
this module only turns them into figures and sentences in the reader's language.
"""
from __future__ import annotations

import functools

import dash
import dash_bootstrap_components as dbc
import numpy as np
from dash import Input, Output, dcc, html

from app.components.client_file import Message
from app.figures.client_comparison import cohort_scatter, distribution_figure
from app.figures.client_layout import blank_figure
from app.i18n import translate
from app.presenters.client_file import ClientIdError, parse_client_id, plain_label
from app.presenters.dictionary import data_dictionary
from app.presenters.formatting import format_display, number_text
from app.resources import ServedModel, served
from app.scoring.bundle import ModelNotFoundError
from app.scoring.cohorts import MIN_COHORT_SIZE, SIMILARITY_KEYS, CohortFilter
from app.scoring.comparison import (
    COMPARISON_FEATURES,
    DEFAULT_FEATURE,
    DEFAULT_SCATTER,
    SIMILARITY_OPTIONS,
    ClientComparison,
    CohortScatter,
    Distribution,
    bin_edges,
    cohort_scatter_view,
    compare_client,
    distribution,
    feature_values,
    outcomes,
    similar_members,
)
from app.scoring.sql_comparison import SqlComparison
from app.ui import Card, Dropdown, current_language

CLIENT_ID = "client-id"  # the page's dcc.Store holding the id from the URL
COMPARE_FEATURE = "client-compare-feature"
COMPARE_KEYS = "client-compare-keys"
COMPARE_FIGURE = "client-compare-figure"
COMPARE_MESSAGE = "client-compare-message"
SCATTER_X = "client-scatter-x"
SCATTER_Y = "client-scatter-y"
SCATTER_FIGURE = "client-scatter-figure"
SCATTER_NOTE = "client-scatter-note"
GRAPH_CONFIG: dcc.Graph.Config = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"], "responsive": True}


# --- per-portfolio arrays (read-only, the same for every client: cached in the served model) ------
def _values_of(model: ServedModel, feature: str) -> np.ndarray:
    """Precomputed with the portfolio's mapped columns (shared pages), else computed here once."""
    values = model.local_portfolio.precomputed("comparison", feature) if feature in COMPARISON_FEATURES else None
    if values is None:
        values = feature_values(model.local_portfolio.frame, feature)
        values.flags.writeable = False
    return values


def _targets_of(model: ServedModel) -> np.ndarray:
    found = model.local_portfolio.precomputed("comparison", "outcomes")
    return found if found is not None else outcomes(model.local_portfolio.frame)


def _everyone_of(model: ServedModel, feature: str) -> Distribution:
    """Bins and outcome histogram of a feature over the whole portfolio (the same for every client)."""
    values = _values(model, feature)
    return distribution(values, model.memoised(_targets_of, 1)(), bin_edges(values))


def _cohort_bits_of(model: ServedModel, cohort: CohortFilter) -> np.ndarray:
    """A cohort's members as packed bits, cached by the cohort itself: clients of the same profile
    share one entry, and a bit per client (445 KB at 3,562,550 clients) keeps the cache small
    whatever is ticked."""
    bits = np.packbits(cohort.mask(model.local_portfolio.frame))
    bits.flags.writeable = False
    return bits


def _cohort_mask(model: ServedModel, cohort: CohortFilter) -> np.ndarray:
    return np.unpackbits(model.memoised(_cohort_bits_of)(cohort), count=len(model.local_portfolio.frame)).view(bool)


def _values(model: ServedModel, feature: str) -> np.ndarray:
    return model.memoised(_values_of)(feature)


def _members(model: ServedModel, client_id: int, keys: tuple[str, ...]) -> np.ndarray:
    return similar_members(model.local_portfolio.frame, client_id, keys,
                           cohort_mask=functools.partial(_cohort_mask, model))


class LocalComparison:
    """The comparison's numbers over the model folder's arrays: the same ``compare`` / ``scatter``
    as ``sql_comparison.SqlComparison`` over a portfolio published in PostgreSQL."""

    def __init__(self, model: ServedModel):
        self.model = model

    def warm_up(self) -> None:
        self.model.memoised(_everyone_of)(DEFAULT_FEATURE)

    def compare(self, client_id: int, feature: str, keys: tuple[str, ...]) -> ClientComparison:
        model = self.model
        position = model.local_portfolio.frame.index.get_loc(client_id)
        return compare_client(feature, _values(model, feature), model.memoised(_targets_of, 1)(), position,
                              _members(model, client_id, keys), model.memoised(_everyone_of)(feature))

    def scatter(self, client_id: int, x_feature: str, y_feature: str, keys: tuple[str, ...],
                seed: int = 0) -> CohortScatter:
        model = self.model
        position = model.local_portfolio.frame.index.get_loc(client_id)
        return cohort_scatter_view(x_feature, y_feature, _values(model, x_feature), _values(model, y_feature),
                                   _values(model, "PROBA_DEFAULT"), position, _members(model, client_id, keys),
                                   seed=seed)


def comparison_engine(model: ServedModel) -> LocalComparison | SqlComparison:
    """The one place the portfolio's engine is chosen: counted in PostgreSQL when it is published
    there (by the same rules, ``sql_comparison``), else over the model folder's arrays."""
    return model.published if model.published is not None else LocalComparison(model)


def warm_up(model: ServedModel) -> None:
    """The whole-portfolio distribution a client file shows first (its default chart; published
    with a portfolio in a database, so nothing to compute there)."""
    comparison_engine(model).warm_up()


# --- inputs -----------------------------------------------------------------------------------------
def similarity_keys(keys) -> tuple[str, ...]:
    """Only known attributes, in a stable order (a forged value is ignored, not an error)."""
    chosen = {k for k in keys if isinstance(k, str)} if isinstance(keys, (list, tuple)) else set()
    return tuple(k for k in SIMILARITY_OPTIONS if k in chosen)


def feature_choice(name, default: str) -> str:
    return name if isinstance(name, str) and name in COMPARISON_FEATURES else default


def _client(raw_id) -> int | None:
    """The id of a client of the portfolio (the page already told the officer what is wrong)."""
    try:
        client_id = parse_client_id(raw_id)
        return client_id if client_id in served().portfolio else None
    except (ClientIdError, ModelNotFoundError, OSError):
        return None


def feature_axis(name: str, lang: str) -> str:
    """Axis title with its unit ("Montant du crédit (€)")."""
    return translate("client.feature.PROBA_DEFAULT", lang) if name == "PROBA_DEFAULT" else \
        data_dictionary().label(name, lang)


def feature_name(name: str, lang: str) -> str:
    """The name without its unit, for a hover line whose value carries the unit."""
    return translate("client.scatter.risk", lang) if name == "PROBA_DEFAULT" else plain_label(name, lang)


# --- views (numbers -> figure and sentences) ----------------------------------------------------
def comparison_view(result: ClientComparison, lang: str):
    """(figure, messages) of a :class:`ClientComparison`."""
    n_all = next((p.distribution.n for p in result.panels if p.group == "all"), 0)
    titles = {"all": translate("client.compare.all", lang, n=number_text(n_all, 0, lang)),
              "cohort": translate("client.compare.cohort", lang, n=number_text(result.n_cohort, 0, lang))}
    kind = COMPARISON_FEATURES[result.feature]
    value = format_display(kind, result.client_value, lang) if np.isfinite(result.client_value) else "—"
    texts = {"repaid": translate("client.compare.repaid", lang),
             "difficulties": translate("client.compare.difficulties", lang),
             "everyone": translate("client.compare.everyone", lang),
             "x": feature_axis(result.feature, lang), "y": translate("client.compare.share", lang)}
    if result.panels:
        figure = distribution_figure([(titles[p.group], p.distribution, p.split) for p in result.panels],
                                     result.client_value, translate("client.compare.client_value", lang, value=value),
                                     texts=texts, lang=lang, kind=kind)
    else:
        figure = blank_figure(translate("client.compare.too_small_all", lang, min=MIN_COHORT_SIZE), height=380)
    messages = []
    if result.percentile is not None:
        pct = format_display("percent", float(round(result.percentile)), lang)
        messages.append(html.P(translate("client.compare.position", lang, pct=pct), className="mb-1"))
    for note in result.notes:
        if note == "too_small_cohort" and result.n_cohort < MIN_COHORT_SIZE:
            text = translate("client.compare.too_small", lang, n=result.n_cohort, min=MIN_COHORT_SIZE)
        elif note == "too_small_cohort":
            text = translate("client.compare.too_few_values", lang, min=MIN_COHORT_SIZE)
        else:
            text = translate(f"client.compare.{note}", lang, min=MIN_COHORT_SIZE)
        messages.append(html.P(text, className="mb-1") if note == "no_value" else Message(text, "info"))
    return figure, [*messages, html.P(translate("client.compare.note", lang), className="text-muted small mb-0")]


def scatter_view(view: CohortScatter, lang: str):
    """(figure, note) of a :class:`CohortScatter`; a too-small cohort is a message, not points."""
    if view.points is None:
        key = "client.compare.too_small" if view.n_cohort < MIN_COHORT_SIZE else "client.compare.too_few_values"
        return blank_figure(translate(key, lang, n=view.n_cohort, min=MIN_COHORT_SIZE), height=420), None
    texts = {"x": feature_axis(view.x_feature, lang), "y": feature_axis(view.y_feature, lang),
             "x_hover": feature_name(view.x_feature, lang), "y_hover": feature_name(view.y_feature, lang),
             "risk": translate("client.scatter.risk_axis", lang), "risk_hover": translate("client.scatter.risk", lang),
             "client": translate("client.scatter.client", lang), "cohort": translate("client.scatter.cohort", lang)}
    kinds = (COMPARISON_FEATURES[view.x_feature], COMPARISON_FEATURES[view.y_feature])
    figure = cohort_scatter(view.points, view.client_x, view.client_y, texts=texts, lang=lang, kinds=kinds)
    n = number_text(view.n_plottable, 0, lang)
    note = (translate("client.scatter.all_shown", lang, n=n) if len(view.points) == view.n_plottable else
            translate("client.scatter.sample", lang, shown=number_text(len(view.points), 0, lang), n=n))
    return figure, note


def client_comparison(client_id: int, feature: str, keys: tuple[str, ...]) -> ClientComparison:
    return comparison_engine(served()).compare(client_id, feature, keys)


def client_scatter(client_id: int, x_feature: str, y_feature: str, keys: tuple[str, ...]) -> CohortScatter:
    return comparison_engine(served()).scatter(client_id, x_feature, y_feature, keys, seed=client_id % (2**32))


def comparison(raw_id, feature, keys):
    """Distribution of a feature among all and similar clients, by outcome, the client marked."""
    client_id = _client(raw_id)
    if client_id is None:
        return blank_figure(""), None
    result = client_comparison(client_id, feature_choice(feature, DEFAULT_FEATURE), similarity_keys(keys))
    return comparison_view(result, current_language())


def scatter(raw_id, x_feature, y_feature, keys):
    """The client among a random sample of the other similar clients on two features, coloured by risk."""
    client_id = _client(raw_id)
    if client_id is None:
        return blank_figure(""), None
    view = client_scatter(client_id, feature_choice(x_feature, DEFAULT_SCATTER[0]),
                          feature_choice(y_feature, DEFAULT_SCATTER[1]), similarity_keys(keys))
    return scatter_view(view, current_language())


# --- layout -----------------------------------------------------------------------------------------
def _dropdown(id_: str, value: str, lang: str) -> dcc.Dropdown:
    options = [{"label": feature_axis(name, lang), "value": name} for name in COMPARISON_FEATURES]
    return Dropdown(lang, id=id_, options=options, value=value, clearable=False, searchable=False)


def _graph(id_: str, height: int) -> dcc.Graph:
    return dcc.Graph(id=id_, config=GRAPH_CONFIG, figure=blank_figure("", height=height), style={"minHeight": height})


def ComparisonCard(lang: str) -> dbc.Card:
    """Feature and similarity choices, the distribution chart and the cohort scatter."""
    return Card(translate("client.compare.title", lang), [
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
    ])


dash.callback(
    Output(COMPARE_FIGURE, "figure"), Output(COMPARE_MESSAGE, "children"),
    Input(CLIENT_ID, "data"), Input(COMPARE_FEATURE, "value"), Input(COMPARE_KEYS, "value"),
)(comparison)

dash.callback(
    Output(SCATTER_FIGURE, "figure"), Output(SCATTER_NOTE, "children"),
    Input(CLIENT_ID, "data"), Input(SCATTER_X, "value"), Input(SCATTER_Y, "value"), Input(COMPARE_KEYS, "value"),
)(scatter)
