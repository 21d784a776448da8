"""The charts of the model page, built once per served model and language.

They depend on nothing else (the out-of-fold predictions, the SHAP sample and the card are read-only),
so each is kept in the served model's own bounded caches (``ServedModel.memoised``): building them
at every visit took a second of server time, most of the page's wait before the browser could start
drawing. The charts a layout sends as they are come in Dash's wire form (``style.wire_form``), so
that a visit does not deep-copy and re-encode them either; the callbacks' charts stay figures.
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from app.components.fairness import fairness_figures, oof_fairness_tables
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
from app.figures.style import wire_form
from app.i18n import LANGUAGES
from app.presenters.dictionary import data_dictionary
from app.resources import ServedModel
from app.scoring.governance import (
    CostExplorer,
    dependence_points,
    explore_costs,
    mean_abs_shap,
    pr_points,
    roc_point_at,
    roc_points,
    summary_points,
)
from app.scoring.metrics import CostModel, confusion_at, shown_reliability

TOP_FEATURES = 15
SUMMARY_FEATURES = 12
SUMMARY_POINTS = 500  # per feature
#: Explorations kept per served model (the default costs in each language and the latest others),
#: and dependence plots (about 60 kB each) of the features opened last.
COST_CHARTS_KEPT = 32
DEPENDENCE_CHARTS_KEPT = 32


def feature_labels(names, lang: str) -> dict[str, str]:
    """Model feature name -> label in words from the data dictionary (the name when unknown)."""
    dictionary = data_dictionary()
    return {n: dictionary.label_or_name(n, lang) for n in names}


def _unit_scale(name: str) -> float:
    """Factor from stored value to shown value (shares are stored as fractions, shown in %)."""
    dictionary = data_dictionary()
    return 100.0 if name in dictionary and dictionary.info(name).unit == "percent" else 1.0


def _performance(model: ServedModel, lang: str) -> dict[str, dict]:
    bundle, oof = model.bundle, model.oof
    y, p = oof["TARGET"].to_numpy(), oof["PROBA_OOF"].to_numpy()
    fpr, tpr = roc_point_at(y, p, bundle.threshold)
    c = confusion_at(y, p, bundle.threshold)
    precision = c.tp / max(c.tp + c.fp, 1)
    reliability = shown_reliability([b.to_dict() for b in bundle.card.calibration.reliability])
    figures = {"roc": roc_figure(roc_points(y, p), (fpr, tpr), lang),
               "pr": pr_figure(pr_points(y, p), (tpr, precision), lang),
               "calibration": calibration_figure(reliability, lang),
               "confusion": confusion_figure(c.tn, c.fp, c.fn, c.tp, lang)}
    return {name: wire_form(fig) for name, fig in figures.items()}


def performance_charts(model: ServedModel, lang: str) -> dict[str, dict]:
    """ROC, precision-recall, calibration and confusion charts of the out-of-fold predictions."""
    return model.memoised(_performance, len(LANGUAGES))(lang)


def _ranked_features(model: ServedModel) -> list[str]:
    return list(mean_abs_shap(model.shap_inputs[0]).index)


def ranked_features(model: ServedModel) -> list[str]:
    """The model's features, most important (mean |SHAP|) first."""
    return model.memoised(_ranked_features, 1)()


def _explanations(model: ServedModel, lang: str) -> dict[str, dict]:
    shap, X = model.shap_inputs
    importance = mean_abs_shap(shap)
    labels = feature_labels(model.bundle.feature_names, lang)
    top = list(importance.index[:SUMMARY_FEATURES])
    return {"importance": wire_form(importance_figure(importance.iloc[:TOP_FEATURES], labels, lang)),
            "summary": wire_form(summary_figure(summary_points(shap, X, top, max_points=SUMMARY_POINTS), top,
                                                labels, lang))}


def explanation_charts(model: ServedModel, lang: str) -> dict[str, dict]:
    """Mean importance and per-client summary of the SHAP sample."""
    return model.memoised(_explanations, len(LANGUAGES))(lang)


def _dependence(model: ServedModel, feature: str, lang: str) -> go.Figure:
    shap, X = model.shap_inputs
    label = feature_labels([feature], lang)[feature]
    return dependence_figure(dependence_points(shap, X, feature), label, feature in model.bundle.cat_features, lang,
                             scale=_unit_scale(feature))


def dependence_chart(model: ServedModel, feature: str, lang: str) -> go.Figure:
    """How one model feature's value moves the risk (``feature`` must be a model feature)."""
    return model.memoised(_dependence, DEPENDENCE_CHARTS_KEPT)(feature, lang)


def _cost(model: ServedModel, costs: CostModel, threshold: float, lang: str) -> tuple[go.Figure, CostExplorer]:
    oof = model.oof
    result = explore_costs(oof["TARGET"], oof["PROBA_OOF"], costs, threshold)
    return cost_figure(result.curve, model.bundle.threshold, result.optimum_threshold, threshold, lang), result


def cost_chart(model: ServedModel, costs: CostModel, threshold: float, lang: str) -> tuple[go.Figure, CostExplorer]:
    """The cost curve for these costs with the explored threshold marked, and the figures behind it."""
    return model.memoised(_cost, COST_CHARTS_KEPT)(costs, threshold, lang)


def _policies(model: ServedModel, lang: str) -> dict:
    card = model.bundle.card
    naive = card.decision.costs_per_client
    policy = {"model": naive.at_threshold}
    policy.update({name: m.cost_per_client for name, m in card.baselines.items()})
    policy.update({"at_0_5": naive.at_0_5, "accept_all": naive.accept_all, "refuse_all": naive.refuse_all})
    return wire_form(policy_costs_figure(policy, lang))


def policy_chart(model: ServedModel, lang: str) -> dict:
    """Cost per client of the model, its baselines and the naive policies."""
    return model.memoised(_policies, len(LANGUAGES))(lang)


def _fairness(model: ServedModel, lang: str) -> tuple[dict[str, pd.DataFrame], dict[str, dict]]:
    tables = oof_fairness_tables(model.oof, model.bundle.threshold)
    return tables, {attribute: wire_form(fig) for attribute, fig in fairness_figures(tables, lang).items()}


def fairness_charts(model: ServedModel, lang: str) -> tuple[dict[str, pd.DataFrame], dict[str, dict]]:
    """The fairness tables at the production threshold and the disparate-impact chart of each attribute."""
    return model.memoised(_fairness, len(LANGUAGES))(lang)
