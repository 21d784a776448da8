"""Fairness section of the model page: by gender and by age band, at the production threshold, on
out-of-fold predictions, each figure explained in words for a manager.

Gender is not a model input (protected attribute); it is kept beside the predictions only to check
that the decisions do not treat women and men differently. Age is an input and is checked by band.

Both verdicts sit above one tab per attribute (its table and chart): a flagged group is seen whichever
tab is open; the second tab's table and chart are built and sent only when it opens (page speed, issue #16).
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html
from dash.development.base_component import Component

from app.components.deferred_tabs import DeferredTabs, Panel
from app.figures.fairness import disparate_impact_figure
from app.i18n import translate
from app.presenters.formatting import count_text, percent_text
from app.scoring.fairness import FOUR_FIFTHS, fairness_tables
from app.ui import Card

SECTION_ID = "model-fairness"
TABS_ID = "model-fairness-tabs"


def _pct(value: float | None, lang: str) -> str:
    return percent_text(value, 1, lang)


def _flagged(table: pd.DataFrame) -> np.ndarray:
    """Groups under the four-fifths line; an undefined ratio (nobody approved) is neither ok nor flagged."""
    return np.isfinite(table["disparate_impact"].to_numpy(dtype=float)) & ~table["four_fifths_ok"].astype(bool).to_numpy()


def oof_fairness_tables(oof: pd.DataFrame, threshold: float) -> dict[str, pd.DataFrame]:
    """:func:`~app.scoring.fairness.fairness_tables` of the model folder's out-of-fold predictions,
    the same computation training records in the model card."""
    return fairness_tables(oof["TARGET"], oof["PROBA_OOF"], threshold, oof["CODE_GENDER"], oof["AGE_YEARS"])


def group_labels(attribute: str, lang: str) -> dict[str, str]:
    """Group code -> its name in ``lang`` ("F" -> "Femmes", "<25" -> "moins de 25 ans")."""
    if attribute == "gender":
        return {"F": translate("model.fairness.female", lang), "M": translate("model.fairness.male", lang),
                "XNA": translate("model.fairness.unknown", lang), "unknown": translate("model.fairness.unknown", lang)}
    return {"<25": translate("model.fairness.age_under", lang, age=25),
            "55+": translate("model.fairness.age_over", lang, age=55),
            **{b: translate("model.fairness.age_range", lang, band=b) for b in ("25-34", "35-44", "45-54")},
            "unknown": translate("model.fairness.unknown", lang)}


def fairness_figures(tables: dict[str, pd.DataFrame], lang: str) -> dict[str, go.Figure]:
    """The disparate-impact chart of each attribute (built once per model and language by the page)."""
    return {attribute: disparate_impact_figure(table, group_labels(attribute, lang), FOUR_FIFTHS, lang)
            for attribute, table in tables.items()}


def FairnessTable(table: pd.DataFrame, labels: dict[str, str], lang: str) -> dbc.Table:
    """Numbers of one attribute; a group under the four-fifths line gets a warning sign and text."""
    head = ["group", "n", "approval", "default", "tpr", "fpr", "di"]
    rows = []
    for r, flagged in zip(table.itertuples(index=False), _flagged(table), strict=True):
        flag = (html.Span("⚠ " + translate("model.fairness.flag", lang), className="text-danger fw-bold") if flagged
                else html.Span("✓ " + translate("model.fairness.ok", lang), className="text-success")
                if np.isfinite(r.disparate_impact) else None)  # the ratio itself already reads "—"
        rows.append(html.Tr([html.Th(labels.get(str(r.group), str(r.group)), scope="row", className="fw-normal"),
                             html.Td(count_text(r.n, lang)), html.Td(_pct(r.approval_rate, lang)),
                             html.Td(_pct(r.default_rate, lang)), html.Td(_pct(r.tpr, lang)), html.Td(_pct(r.fpr, lang)),
                             html.Td([_pct(r.disparate_impact, lang), " ", flag])]))
    return dbc.Table([html.Thead(html.Tr([html.Th(translate(f"model.fairness.col.{h}", lang)) for h in head])),
                      html.Tbody(rows)], size="sm", striped=True, responsive=True, className="small")


def _verdict(attribute: str, table: pd.DataFrame, labels: dict[str, str], lang: str) -> dbc.Alert:
    flagged = [labels.get(str(g), str(g)) for g, bad in zip(table["group"], _flagged(table), strict=True) if bad]
    heading = html.Strong(translate("model.fairness.verdict_of", lang,
                                    attribute=translate(f"model.fairness.{attribute}", lang)))
    if flagged:
        return dbc.Alert([heading, translate("model.fairness.flagged", lang, groups=", ".join(flagged))],
                         color="danger", className="py-2 small mb-2")
    return dbc.Alert([heading, translate("model.fairness.all_ok", lang)], color="success", className="py-2 small mb-2")


def FairnessPanel(attribute: str, table: pd.DataFrame, figure: dict | go.Figure, lang: str) -> html.Div:
    """One attribute's tab: its table and its disparate-impact chart (``figure``, a figure or its
    wire form, see ``model_charts``)."""
    return Panel(attribute, html.Div(FairnessTable(table, group_labels(attribute, lang), lang), className="mt-3"),
                 dcc.Graph(figure=figure, config={"displaylogo": False}))


def FairnessSection(threshold: float, tables: dict[str, pd.DataFrame], figures: dict[str, dict] | dict[str, go.Figure],
                    lang: str, *, seen_placeholder: Component | None = None) -> dbc.Card:
    """The reading guide, each attribute's verdict, then one tab per attribute: the first one's panel
    (:func:`FairnessPanel`) comes with the section, or ``seen_placeholder`` does when the section waits
    to be seen (``deferred_tabs``); the other panels come from the page's callback on ``TABS_ID``."""
    labels = {attribute: group_labels(attribute, lang) for attribute in tables}
    guide = html.Ul([html.Li(translate(f"model.fairness.guide.{k}", lang)) for k in ("approval", "default", "tpr", "fpr", "di")],
                    className="small")
    first = next(iter(tables))
    return Card(translate("model.fairness.title", lang), [
        html.P(translate("model.fairness.intro", lang, threshold=_pct(threshold, lang)), className="small"),
        guide,
        *[_verdict(attribute, table, labels[attribute], lang) for attribute, table in tables.items()],
        DeferredTabs(TABS_ID, first, {attribute: translate(f"model.fairness.{attribute}", lang) for attribute in tables},
                     None if seen_placeholder else FairnessPanel(first, tables[first], figures[first], lang),
                     seen_placeholder=seen_placeholder),
        html.P(translate("model.fairness.caveat", lang), className="small text-muted mb-0 mt-2"),
    ], id=SECTION_ID)
