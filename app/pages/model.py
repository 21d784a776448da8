"""Model page (managers): model card, honest performance, business cost explorer, global explanations,
baselines and fairness.

Every performance, cost and fairness figure comes from the out-of-fold predictions of the model folder
(``oof.parquet``), never from the model's fit on its own training clients; the page says so. The cost
explorer recomputes costs for other thresholds and costs but never changes the production threshold.

Speed (issue #16: the page took 3.7-4.6 s to draw its 11 charts): the charts depend on the served
model and the language only, so they are built once per served model and language
(``ServedModel.memoised``) instead of at every visit; the cost and dependence charts of the default
settings come with the layout (no second round trip); and the panels read one at a time sit in tabs
(performance, comparison, explanations, fairness) whose closed panels are neither sent nor drawn: a
callback builds a tab's panel when it opens (``app.components.deferred_tabs``; the layout shrank from
410 to 100 kB, the SHAP point clouds being most of it). The explanation and fairness cards, three and
four screens down, get even their open tab's panel only when they come within a screen of the
viewport: the page draws 2 charts on arrival (ROC, cost explorer), not 4.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import numpy as np
import plotly.graph_objects as go
from dash import Input, Output, dcc, html

from app.components import model_charts as charts
from app.components.deferred_tabs import DeferredTabs, Panel, panel_id, seen_id
from app.components.fairness import TABS_ID as FAIRNESS_TABS_ID
from app.components.fairness import FairnessPanel, FairnessSection
from app.components.model_card import ComparisonTable, ModelCardTable
from app.figures.style import empty_figure, wire_form
from app.i18n import translate
from app.presenters.formatting import count_text, money_text, percent_text
from app.presenters.model_verdict import verdict_sentences
from app.resources import served
from app.scoring.metrics import CostModel
from app.scoring.privacy import MIN_COHORT_SIZE
from app.security.access import Role
from app.ui import Card, Dropdown, current_language, page_title

COST_FN_ID = "model-cost-fn"
COST_FP_ID = "model-cost-fp"
THRESHOLD_ID = "model-threshold"
SLIDER_STEP = 0.5  # % of the threshold slider
COST_GRAPH_ID = "model-cost-graph"
COST_KPIS_ID = "model-cost-kpis"
COST_MESSAGE_ID = "model-cost-message"
DEPENDENCE_FEATURE_ID = "model-dependence-feature"
DEPENDENCE_GRAPH_ID = "model-dependence-graph"
PERFORMANCE_TABS_ID = "model-performance-tabs"
EXPLAIN_TABS_ID = "model-explain-tabs"
PERFORMANCE_TABS = ("roc", "pr", "calibration", "confusion")
EXPLAIN_TABS = ("importance", "summary", "dependence")
COMPARE_TABS_ID = "model-compare-tabs"
#: Height (px) a card waiting to be seen keeps for its chart (the importance chart is about 500 px).
UNTIL_SEEN_HEIGHT = 480
MAX_COST = 10_000_000.0  # euros: above 10 M€ per client a cost is a typo


def pct(value: float | None, lang: str) -> str:
    """A rate of the page in % ("12,3 %" / "12.3%"); "—" when undefined."""
    return percent_text(value, 1, lang)


def per_thousand(cost_per_client: float | None) -> float | None:
    """The cost of 1,000 applications (None stays None: a figure withheld for privacy)."""
    return None if cost_per_client is None else 1000 * cost_per_client


def _graph(figure, id: str | None = None) -> dcc.Graph:
    if id:
        return dcc.Graph(figure=figure, config={"displaylogo": False}, id=id)
    return dcc.Graph(figure=figure, config={"displaylogo": False})


def Kpi(label: str, value: str, help_text: str | None = None) -> html.Div:
    """A labelled figure of the cost explorer."""
    return html.Div([html.Div(label, className="small text-muted"), html.Div(value, className="fs-5 fw-semibold"),
                     html.Div(help_text, className="small text-muted") if help_text else None],
                    className="me-4 mb-2")


# --- input handling -------------------------------------------------------------------------------
def parse_threshold(threshold_pct, production: float) -> float | None:
    """The slider's value (in %) as a fraction; the production threshold when the slider is empty,
    None when the value is not a number from 0 to 100 (the slider never sends one: forged input).

    Only the values the slider can send are explored: its start (the production threshold, to 0.1 %)
    and its 0.5 % steps. Any other number is snapped to the nearest step, so two forged thresholds a
    hair apart cannot single out the one client between them.
    """
    if threshold_pct is None:
        return float(production)
    if isinstance(threshold_pct, bool):
        return None
    try:
        value = float(threshold_pct)
    except (TypeError, ValueError, OverflowError):
        return None
    if not (np.isfinite(value) and 0 <= value <= 100):
        return None
    if value != slider_start(production):
        value = round(value / SLIDER_STEP) * SLIDER_STEP
    return value / 100


def slider_start(production: float) -> float:
    """Where the threshold slider starts (in %): the production threshold, to 0.1 %."""
    return round(100 * production, 1)


def _costs(cost_fn, cost_fp) -> CostModel | None:
    """The typed costs, or None when they are not positive finite numbers up to ``MAX_COST``."""
    try:
        costs = CostModel(float(cost_fn), float(cost_fp))
    except (TypeError, ValueError, OverflowError):  # a 400-digit integer overflows float()
        return None
    if not (np.isfinite(costs.cost_fn) and np.isfinite(costs.cost_fp)) \
            or costs.cost_fn > MAX_COST or costs.cost_fp > MAX_COST:
        return None
    return costs


# --- views ----------------------------------------------------------------------------------------
def cost_view(cost_fn, cost_fp, threshold_pct, lang: str) -> tuple[go.Figure, list, str]:
    """Curve, optimum and figures at the slider's threshold (never saved), or a message saying why not."""
    model = served()
    bundle = model.bundle
    costs = _costs(cost_fn, cost_fp)
    if costs is None:
        message = translate("model.cost.invalid", lang, max=int(MAX_COST))
        return empty_figure(message), [], message
    threshold = parse_threshold(threshold_pct, bundle.threshold)
    if threshold is None:  # a value the slider cannot send: forged request, answered in words
        message = translate("model.cost.invalid_threshold", lang)
        return empty_figure(message), [], message
    figure, result = charts.cost_chart(model, costs, threshold, lang)
    at = result.at
    message = "" if result.too_few is None else translate(
        "model.cost.too_few", lang, n=count_text(result.too_few[1], lang),
        side=translate(f"model.cost.side.{result.too_few[0]}", lang), min=MIN_COHORT_SIZE)
    kpis = [
        Kpi(translate("model.cost.kpi_threshold", lang), pct(threshold, lang)),
        Kpi(translate("model.cost.kpi_approval", lang), pct(at["approval_rate"], lang)),
        Kpi(translate("model.cost.kpi_default", lang), pct(at["default_rate_approved"], lang)),
        Kpi(translate("model.cost.kpi_fn", lang), count_text(at["fn"], lang), translate("model.cost.kpi_fn_help", lang)),
        Kpi(translate("model.cost.kpi_fp", lang), count_text(at["fp"], lang), translate("model.cost.kpi_fp_help", lang)),
        Kpi(translate("model.cost.kpi_cost", lang), money_text(at["cost_per_client"], lang),
            translate("model.cost.kpi_cost_help", lang,
                      per_thousand=money_text(per_thousand(at["cost_per_client"]), lang))),
        Kpi(translate("model.cost.kpi_optimum", lang), pct(result.optimum_threshold, lang),
            translate("model.cost.kpi_optimum_help", lang, cost=money_text(result.optimum_cost, lang))),
    ]
    return figure, kpis, message


def update_cost(cost_fn, cost_fp, threshold_pct):
    """Cost explorer callback (the layout draws the default costs itself)."""
    return cost_view(cost_fn, cost_fp, threshold_pct, current_language())


def dependence_view(feature, lang: str) -> go.Figure:
    """Dependence plot of the chosen feature (unknown feature -> a message, not an error)."""
    model = served()
    if feature not in model.bundle.feature_names:
        return empty_figure(translate("model.explain.unknown_feature", lang))
    return charts.dependence_chart(model, feature, lang)


def update_dependence(feature):
    """Dependence callback (the layout draws the most important feature's chart itself)."""
    return dependence_view(feature, current_language())


def _panel(title: str, help_text: str, *body) -> list:
    return [html.H3(title, className="h6 mt-3"), html.P(help_text, className="small text-muted"), *body]


def _unknown_tab(lang: str) -> html.P:
    """What a tab value no tab has (a forged request) gets: a sentence, not a server error."""
    return html.P(translate("model.tabs.unknown", lang), className="text-danger small mt-3", role="alert")


def _known(name, names) -> bool:
    """Whether a callback's tab value is one of ``names`` (a forged one may be any JSON value)."""
    return isinstance(name, str) and name in names


def _labels(names, key: str, lang: str) -> dict[str, str]:
    return {name: translate(key.format(name=name), lang) for name in names}


# --- tab panels: the open one comes with the layout, the others from a callback when opened ---------
def performance_panel(name: str, lang: str) -> html.Div | html.P:
    """One curve of the out-of-fold performance card (the four were a third of the page's drawing time)."""
    if not _known(name, PERFORMANCE_TABS):
        return _unknown_tab(lang)
    model = served()
    bundle = model.bundle
    if name == "roc":
        title, help_text = translate("model.roc.title", lang), translate("model.roc.help", lang)
    elif name == "pr":
        title, help_text = translate("model.pr.title", lang), translate("model.pr.help", lang)
    elif name == "calibration":
        title = translate("model.calibration.title", lang)
        help_text = translate("model.calibration.help", lang,
                              ece=percent_text(bundle.card.metrics.cross_validated.ece, 2, lang))
    else:
        title = translate("model.confusion.title", lang, threshold=pct(bundle.threshold, lang))
        help_text = translate("model.confusion.help", lang)
    return Panel(name, *_panel(title, help_text, _graph(charts.performance_charts(model, lang)[name])))


def compare_panel(name: str, lang: str) -> html.Div | html.P:
    """The comparison card's table of the model beside its baselines, or the policies' costs chart."""
    card = served().bundle.card
    if name == "models":
        return Panel(name, ComparisonTable(card, lang), html.H3(translate("model.verdict.title", lang), className="h6 mt-3"),
                     html.Ul([html.Li(sentence) for sentence in
                              verdict_sentences(card.metrics.cross_validated, card.baselines, lang)],
                             id="model-verdict", className="small"))
    if name == "policies":
        return Panel(name, *_panel(translate("model.compare.policies", lang), translate("model.compare.policies_help", lang),
                                   _graph(charts.policy_chart(served(), lang))))
    return _unknown_tab(lang)


def explain_panel(name: str, lang: str) -> html.Div | html.P:
    """Importance ranking, SHAP summary or dependence plot: the two point clouds (thousands of
    clients) were most of the page's drawing time and are read after the ranking, not before."""
    if not _known(name, EXPLAIN_TABS):
        return _unknown_tab(lang)
    model = served()
    title, help_text = translate(f"model.explain.{name}", lang), translate(f"model.explain.{name}_help", lang)
    if name != "dependence":
        return Panel(name, *_panel(title, help_text, _graph(charts.explanation_charts(model, lang)[name])))
    ranked = charts.ranked_features(model)
    labels = charts.feature_labels(ranked, lang)
    return Panel(name, *_panel(
        title, help_text, dbc.Label(translate("model.explain.feature_label", lang), html_for=DEPENDENCE_FEATURE_ID),
        Dropdown(lang, id=DEPENDENCE_FEATURE_ID, options=[{"label": labels[f], "value": f} for f in ranked],
                 value=ranked[0], clearable=False, className="mb-2", style={"maxWidth": "32rem"}),
        dcc.Loading(_graph(wire_form(dependence_view(ranked[0], lang)), DEPENDENCE_GRAPH_ID))))


def fairness_panel(attribute: str, lang: str) -> html.Div | html.P:
    """One protected attribute's table and chart (both verdicts stay above the tabs)."""
    tables, figures = charts.fairness_charts(served(), lang)
    if not _known(attribute, tables):
        return _unknown_tab(lang)
    return FairnessPanel(attribute, tables[attribute], figures[attribute], lang)


def open_performance_tab(name):
    """Callback: the chosen performance tab's panel."""
    return performance_panel(name, current_language())


def open_compare_tab(name):
    """Callback: the chosen comparison tab's panel."""
    return compare_panel(name, current_language())


def open_explain_tab(name, _seen=None):
    """Callback: the chosen explanation tab's panel, or the open one's once the card is first seen."""
    return explain_panel(name, current_language())


def open_fairness_tab(attribute, _seen=None):
    """Callback: the chosen fairness tab's panel, or the open one's once the card is first seen."""
    return fairness_panel(attribute, current_language())


def _until_seen(lang: str) -> html.Div:
    """What a card far below the fold shows until it comes near the viewport (about a chart's height,
    so that the page does not jump when the chart arrives)."""
    return html.Div(translate("model.tabs.until_seen", lang), className="small text-muted mt-3",
                    style={"minHeight": f"{UNTIL_SEEN_HEIGHT}px"})


# --- cards ----------------------------------------------------------------------------------------
def _performance(bundle, n_clients: int, lang: str) -> list:
    return [
        dbc.Alert(translate("model.oof_note", lang, n=count_text(n_clients, lang), folds=bundle.card.config.n_folds),
                  color="info", className="py-2"),
        Card(translate("model.performance.title", lang), DeferredTabs(
            PERFORMANCE_TABS_ID, "roc", _labels(PERFORMANCE_TABS, "model.performance.tab_{name}", lang),
            performance_panel("roc", lang))),
    ]


def _cost_explorer(bundle, lang: str) -> dbc.Card:
    costs = bundle.costs
    figure, kpis, message = cost_view(costs.cost_fn, costs.cost_fp, slider_start(bundle.threshold), lang)
    return Card(translate("model.cost.title", lang), [
        html.P(translate("model.cost.help", lang), className="small"),
        dbc.Alert(translate("model.cost.not_saved", lang, threshold=pct(bundle.threshold, lang)), color="warning",
                  className="py-2 small"),
        dbc.Row([
            dbc.Col([dbc.Label(translate("model.cost.fn_label", lang), html_for=COST_FN_ID),
                     dbc.Input(id=COST_FN_ID, type="number", min=0.01, max=MAX_COST, step="any", value=costs.cost_fn)], md=3),
            dbc.Col([dbc.Label(translate("model.cost.fp_label", lang), html_for=COST_FP_ID),
                     dbc.Input(id=COST_FP_ID, type="number", min=0.01, max=MAX_COST, step="any", value=costs.cost_fp)], md=3),
            dbc.Col([dbc.Label(translate("model.cost.threshold_label", lang), html_for=THRESHOLD_ID),
                     dcc.Slider(id=THRESHOLD_ID, min=0, max=100, step=SLIDER_STEP, value=slider_start(bundle.threshold),
                                marks={v: percent_text(v / 100, 0, lang) for v in (0, 25, 50, 75, 100)},
                                tooltip={"placement": "bottom", "always_visible": True})], md=6),
        ]),
        html.Div(message, id=COST_MESSAGE_ID, className="text-danger small", role="alert"),
        html.Div(kpis, id=COST_KPIS_ID, className="d-flex flex-wrap mt-2"),
        dcc.Loading(_graph(wire_form(figure), COST_GRAPH_ID)),
    ])


def _comparison(bundle, lang: str) -> dbc.Card:
    """Cross-validated figures of the model beside its baselines; the cost of each policy when opened."""
    return Card(translate("model.compare.title", lang), [
        html.P(translate("model.compare.help", lang), className="small"),
        DeferredTabs(COMPARE_TABS_ID, "models", {"models": translate("model.compare.tab_models", lang),
                                                 "policies": translate("model.compare.policies", lang)},
                     compare_panel("models", lang)),
    ])


def _explanations(lang: str) -> dbc.Card:
    model = served()
    return Card(translate("model.explain.title", lang), [
        html.P(translate("model.explain.help", lang, n=count_text(len(model.shap_inputs[0]), lang)), className="small"),
        DeferredTabs(EXPLAIN_TABS_ID, "importance", _labels(EXPLAIN_TABS, "model.explain.{name}", lang),
                     seen_placeholder=_until_seen(lang)),
    ])


def model_page(lang: str) -> html.Div:
    """The whole page in ``lang`` (the layout resolves the reader's language and passes it here)."""
    model = served()
    bundle = model.bundle
    return html.Div([
        html.H1(translate("model.heading", lang), className="h3"),
        html.P(translate("model.intro", lang), className="text-muted"),
        Card(translate("model.card.title", lang), ModelCardTable(bundle.card, lang)),
        *_performance(bundle, len(model.oof), lang),
        _cost_explorer(bundle, lang),
        _comparison(bundle, lang),
        _explanations(lang),
        FairnessSection(bundle.threshold, *charts.fairness_charts(model, lang), lang, seen_placeholder=_until_seen(lang)),
    ])


def layout(**_query) -> html.Div:
    return model_page(current_language())


dash.callback(
    Output(COST_GRAPH_ID, "figure"), Output(COST_KPIS_ID, "children"), Output(COST_MESSAGE_ID, "children"),
    Input(COST_FN_ID, "value"), Input(COST_FP_ID, "value"), Input(THRESHOLD_ID, "value"),
    prevent_initial_call=True,
)(update_cost)
dash.callback(Output(DEPENDENCE_GRAPH_ID, "figure"), Input(DEPENDENCE_FEATURE_ID, "value"),
              prevent_initial_call=True)(update_dependence)
for _tabs_id, _opener in ((PERFORMANCE_TABS_ID, open_performance_tab), (COMPARE_TABS_ID, open_compare_tab)):
    dash.callback(Output(panel_id(_tabs_id), "children"), Input(_tabs_id, "value"),
                  prevent_initial_call=True)(_opener)
for _tabs_id, _opener in ((EXPLAIN_TABS_ID, open_explain_tab), (FAIRNESS_TABS_ID, open_fairness_tab)):
    dash.callback(Output(panel_id(_tabs_id), "children"), Input(_tabs_id, "value"), Input(seen_id(_tabs_id), "data"),
                  prevent_initial_call=True)(_opener)

dash.register_page(__name__, path="/model", name="model", title=page_title("nav.model"), layout=layout,
                   role=Role.MANAGER, nav="nav.model", order=3)
