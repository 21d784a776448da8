"""Model page (managers): model card, honest performance, business cost explorer, global explanations,
baselines and fairness.

Every performance, cost and fairness figure comes from the out-of-fold predictions of the model folder
(``oof.parquet``), never from the model's fit on its own training clients; the page says so. The cost
explorer recomputes costs for other thresholds and costs but never changes the production threshold.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import Input, Output, dcc, html

from app.components.fairness import FairnessSection
from app.components.model_card import ModelCardTable
from app.figures.model import (
    calibration_figure,
    confusion_figure,
    cost_figure,
    dependence_figure,
    importance_figure,
    policy_costs_figure,
    pr_figure,
    roc_figure,
    summary_figure,
)
from app.figures.style import empty_figure
from app.presenters.dictionary import data_dictionary
from app.presenters.formatting import count_text, money_text, number_text, percent_text
from app.presenters.model_verdict import verdict_sentences
from app.resources import served
from app.scoring.governance import (
    dependence_points,
    explore_costs,
    mean_abs_shap,
    pr_points,
    roc_point_at,
    roc_points,
    summary_points,
)
from app.scoring.metrics import CostModel, confusion_at, shown_reliability
from app.scoring.privacy import MIN_COHORT_SIZE
from app.security.access import Role
from app.ui import Card, Dropdown, current_language, page_title, t

COST_FN_ID = "model-cost-fn"
COST_FP_ID = "model-cost-fp"
THRESHOLD_ID = "model-threshold"
SLIDER_STEP = 0.5  # % of the threshold slider
COST_GRAPH_ID = "model-cost-graph"
COST_KPIS_ID = "model-cost-kpis"
COST_MESSAGE_ID = "model-cost-message"
DEPENDENCE_FEATURE_ID = "model-dependence-feature"
DEPENDENCE_GRAPH_ID = "model-dependence-graph"
EXPLAIN_TABS_ID = "model-explain-tabs"
TOP_FEATURES = 15
SUMMARY_FEATURES = 12
SUMMARY_POINTS = 500  # per feature: an SVG scatter (no WebGL needed) that stays light
MAX_COST = 10_000_000.0  # euros: above 10 M€ per client a cost is a typo


def pct(value: float | None, lang: str) -> str:
    """A rate of the page in % ("12,3 %" / "12.3%"); "—" when undefined."""
    return percent_text(value, 1, lang)


def per_thousand(cost_per_client: float | None) -> float | None:
    """The cost of 1,000 applications (None stays None: a figure withheld for privacy)."""
    return None if cost_per_client is None else 1000 * cost_per_client


def cost_cell(value: float | None, lang: str) -> str:
    """A cost per client, in euros (the card's costs are the settings' euros)."""
    return money_text(value, lang)


def num(value: float | None, lang: str) -> str:
    """A score or cost of the page with 3 decimals ("0,734" / "0.734"); "—" when undefined."""
    return number_text(value, 3, lang)


def feature_labels(names, lang: str) -> dict[str, str]:
    """Model feature name -> label in words from the data dictionary (the name when unknown)."""
    dictionary = data_dictionary()
    return {n: dictionary.label_or_name(n, lang) for n in names}


def _unit_scale(name: str) -> float:
    """Factor from stored value to shown value (shares are stored as fractions, shown in %)."""
    dictionary = data_dictionary()
    return 100.0 if name in dictionary and dictionary.info(name).unit == "percent" else 1.0


def _graph(figure, id: str | None = None) -> dcc.Graph:
    if id:
        return dcc.Graph(figure=figure, config={"displaylogo": False}, id=id)
    return dcc.Graph(figure=figure, config={"displaylogo": False})


def Kpi(label: str, value: str, help_text: str | None = None) -> html.Div:
    """A labelled figure of the cost explorer."""
    return html.Div([html.Div(label, className="small text-muted"), html.Div(value, className="fs-5 fw-semibold"),
                     html.Div(help_text, className="small text-muted") if help_text else None],
                    className="me-4 mb-2")


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


def update_cost(cost_fn, cost_fp, threshold_pct):
    """Cost explorer callback: curve, optimum and figures at the slider's threshold (never saved)."""
    lang = current_language()
    bundle = served().bundle
    try:
        costs = CostModel(float(cost_fn), float(cost_fp))
        if not (np.isfinite(costs.cost_fn) and np.isfinite(costs.cost_fp)) \
                or costs.cost_fn > MAX_COST or costs.cost_fp > MAX_COST:
            raise ValueError
    except (TypeError, ValueError, OverflowError):  # a 400-digit integer overflows float()
        message = t("model.cost.invalid", max=int(MAX_COST))
        return empty_figure(message), [], message
    threshold = parse_threshold(threshold_pct, bundle.threshold)
    if threshold is None:  # a value the slider cannot send: forged request, answered in words
        message = t("model.cost.invalid_threshold")
        return empty_figure(message), [], message
    oof = served().oof
    result = explore_costs(oof["TARGET"], oof["PROBA_OOF"], costs, threshold)
    at = result.at
    figure = cost_figure(result.curve, bundle.threshold, result.optimum_threshold, threshold, lang)
    message = "" if result.too_few is None else t(
        "model.cost.too_few", n=count_text(result.too_few[1], lang), side=t(f"model.cost.side.{result.too_few[0]}"),
        min=MIN_COHORT_SIZE)
    kpis = [
        Kpi(t("model.cost.kpi_threshold"), pct(threshold, lang)),
        Kpi(t("model.cost.kpi_approval"), pct(at["approval_rate"], lang)),
        Kpi(t("model.cost.kpi_default"), pct(at["default_rate_approved"], lang)),
        Kpi(t("model.cost.kpi_fn"), count_text(at["fn"], lang), t("model.cost.kpi_fn_help")),
        Kpi(t("model.cost.kpi_fp"), count_text(at["fp"], lang), t("model.cost.kpi_fp_help")),
        Kpi(t("model.cost.kpi_cost"), money_text(at["cost_per_client"], lang),
            t("model.cost.kpi_cost_help", per_thousand=money_text(per_thousand(at["cost_per_client"]), lang))),
        Kpi(t("model.cost.kpi_optimum"), pct(result.optimum_threshold, lang),
            t("model.cost.kpi_optimum_help", cost=money_text(result.optimum_cost, lang))),
    ]
    return figure, kpis, message


def update_dependence(feature):
    """Dependence plot of the chosen feature (unknown feature -> a message, not an error)."""
    lang = current_language()
    bundle = served().bundle
    if feature not in bundle.feature_names:
        return empty_figure(t("model.explain.unknown_feature"))
    shap, X = served().shap_inputs
    label = feature_labels([feature], lang)[feature]
    return dependence_figure(dependence_points(shap, X, feature), label, feature in bundle.cat_features, lang,
                             scale=_unit_scale(feature))


def _performance(bundle, oof: pd.DataFrame, lang: str) -> list:
    y, p = oof["TARGET"].to_numpy(), oof["PROBA_OOF"].to_numpy()
    roc, pr = roc_points(y, p), pr_points(y, p)
    fpr, tpr = roc_point_at(y, p, bundle.threshold)
    c = confusion_at(y, p, bundle.threshold)
    precision = c.tp / max(c.tp + c.fp, 1)
    card = bundle.card
    reliability = shown_reliability([b.to_dict() for b in card.calibration.reliability])
    return [
        dbc.Alert(t("model.oof_note", n=count_text(len(oof), lang), folds=card.config.n_folds),
                  color="info", className="py-2"),
        dbc.Row([
            dbc.Col(Card(t("model.roc.title"), [html.P(t("model.roc.help"), className="small text-muted"),
                                                _graph(roc_figure(roc, (fpr, tpr), lang))]), lg=6),
            dbc.Col(Card(t("model.pr.title"), [html.P(t("model.pr.help"), className="small text-muted"),
                                               _graph(pr_figure(pr, (tpr, precision), lang))]), lg=6),
        ]),
        dbc.Row([
            dbc.Col(Card(t("model.calibration.title"), [
                html.P(t("model.calibration.help", ece=percent_text(card.metrics.cross_validated.ece, 2, lang)),
                       className="small text-muted"),
                _graph(calibration_figure(reliability, lang))]), lg=6),
            dbc.Col(Card(t("model.confusion.title", threshold=pct(bundle.threshold, lang)), [
                html.P(t("model.confusion.help"), className="small text-muted"),
                _graph(confusion_figure(c.tn, c.fp, c.fn, c.tp, lang))]), lg=6),
        ]),
    ]


def _cost_explorer(bundle, lang: str) -> dbc.Card:
    costs = bundle.costs
    return Card(t("model.cost.title"), [
        html.P(t("model.cost.help"), className="small"),
        dbc.Alert(t("model.cost.not_saved", threshold=pct(bundle.threshold, lang)), color="warning", className="py-2 small"),
        dbc.Row([
            dbc.Col([dbc.Label(t("model.cost.fn_label"), html_for=COST_FN_ID),
                     dbc.Input(id=COST_FN_ID, type="number", min=0.01, max=MAX_COST, step="any", value=costs.cost_fn)], md=3),
            dbc.Col([dbc.Label(t("model.cost.fp_label"), html_for=COST_FP_ID),
                     dbc.Input(id=COST_FP_ID, type="number", min=0.01, max=MAX_COST, step="any", value=costs.cost_fp)], md=3),
            dbc.Col([dbc.Label(t("model.cost.threshold_label"), html_for=THRESHOLD_ID),
                     dcc.Slider(id=THRESHOLD_ID, min=0, max=100, step=SLIDER_STEP, value=slider_start(bundle.threshold),
                                marks={v: percent_text(v / 100, 0, lang) for v in (0, 25, 50, 75, 100)},
                                tooltip={"placement": "bottom", "always_visible": True})], md=6),
        ]),
        html.Div(id=COST_MESSAGE_ID, className="text-danger small", role="alert"),
        html.Div(id=COST_KPIS_ID, className="d-flex flex-wrap mt-2"),
        dcc.Loading(dcc.Graph(id=COST_GRAPH_ID, config={"displaylogo": False})),
    ])


def _comparison(bundle, lang: str) -> dbc.Card:
    card = bundle.card
    models = {"model": card.metrics.cross_validated, **card.baselines}
    columns = [("roc_auc", "model.compare.auc", num), ("average_precision", "model.compare.ap", num),
               ("brier", "model.compare.brier", num), ("ece", "model.compare.ece", pct),
               ("threshold", "model.compare.threshold", pct), ("approval_rate", "model.compare.approval", pct),
               ("cost_per_client", "model.compare.cost", cost_cell)]
    header = html.Thead(html.Tr([html.Th(t("model.compare.name"))] + [html.Th(t(k)) for _, k, _ in columns]))
    body = html.Tbody([html.Tr([html.Th(t("model.fig.policy_" + name), scope="row",
                                        className="fw-bold" if name == "model" else "fw-normal")]
                               + [html.Td(fmt(getattr(m, col), lang)) for col, _, fmt in columns])
                       for name, m in models.items()])
    naive = card.decision.costs_per_client
    policy = {"model": naive.at_threshold}
    policy.update({name: m.cost_per_client for name, m in models.items() if name != "model"})
    policy.update({"at_0_5": naive.at_0_5, "accept_all": naive.accept_all, "refuse_all": naive.refuse_all})
    return Card(t("model.compare.title"), [
        html.P(t("model.compare.help"), className="small"),
        dbc.Table([header, body], size="sm", striped=True, responsive=True, className="small"),
        html.H3(t("model.verdict.title"), className="h6 mt-3"),
        html.Ul([html.Li(sentence) for sentence in verdict_sentences(card.metrics.cross_validated, card.baselines, lang)],
                id="model-verdict", className="small"),
        html.H3(t("model.compare.policies"), className="h6 mt-3"),
        html.P(t("model.compare.policies_help"), className="small text-muted"),
        _graph(policy_costs_figure(policy, lang)),
    ])


def _explanations(bundle, lang: str) -> dbc.Card:
    shap, X = served().shap_inputs
    importance = mean_abs_shap(shap)
    labels = feature_labels(bundle.feature_names, lang)
    top = list(importance.index[:SUMMARY_FEATURES])
    options = [{"label": labels[f], "value": f} for f in importance.index]
    importance_panel = [
        html.H3(t("model.explain.importance"), className="h6 mt-3"),
        html.P(t("model.explain.importance_help"), className="small text-muted"),
        _graph(importance_figure(importance.iloc[:TOP_FEATURES], labels, lang)),
    ]
    summary_panel = [
        html.H3(t("model.explain.summary"), className="h6 mt-3"),
        html.P(t("model.explain.summary_help"), className="small text-muted"),
        _graph(summary_figure(summary_points(shap, X, top, max_points=SUMMARY_POINTS), top, labels, lang)),
    ]
    dependence_panel = [
        html.H3(t("model.explain.dependence"), className="h6 mt-3"),
        html.P(t("model.explain.dependence_help"), className="small text-muted"),
        dbc.Label(t("model.explain.feature_label"), html_for=DEPENDENCE_FEATURE_ID),
        Dropdown(lang, id=DEPENDENCE_FEATURE_ID, options=options, value=importance.index[0], clearable=False,
                     className="mb-2", style={"maxWidth": "32rem"}),
        dcc.Loading(dcc.Graph(id=DEPENDENCE_GRAPH_ID, config={"displaylogo": False})),
    ]
    # One view at a time, drawn when opened: the two point clouds (thousands of clients) were most of
    # the page's drawing time and are read after the importance ranking, not before.
    return Card(t("model.explain.title"), [
        html.P(t("model.explain.help", n=count_text(len(shap), lang)), className="small"),
        dcc.Tabs(id=EXPLAIN_TABS_ID, value="importance", children=[
            dcc.Tab(label=t(f"model.explain.{name}"), value=name, children=panel)
            for name, panel in (("importance", importance_panel), ("summary", summary_panel),
                                ("dependence", dependence_panel))
        ]),
    ])


def layout(**_query) -> html.Div:
    lang = current_language()
    bundle = served().bundle
    oof = served().oof
    return html.Div([
        html.H1(t("model.heading"), className="h3"),
        html.P(t("model.intro"), className="text-muted"),
        Card(t("model.card.title"), ModelCardTable(bundle.card)),
        *_performance(bundle, oof, lang),
        _cost_explorer(bundle, lang),
        _comparison(bundle, lang),
        _explanations(bundle, lang),
        FairnessSection(bundle, oof, lang),
    ])


dash.callback(
    Output(COST_GRAPH_ID, "figure"), Output(COST_KPIS_ID, "children"), Output(COST_MESSAGE_ID, "children"),
    Input(COST_FN_ID, "value"), Input(COST_FP_ID, "value"), Input(THRESHOLD_ID, "value"),
)(update_cost)
dash.callback(Output(DEPENDENCE_GRAPH_ID, "figure"), Input(DEPENDENCE_FEATURE_ID, "value"))(update_dependence)

dash.register_page(__name__, path="/model", name="model", title=page_title("nav.model"), layout=layout,
                   role=Role.MANAGER, nav="nav.model", order=3)
