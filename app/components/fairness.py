"""Fairness section of the model page: by gender and by age band, at the production threshold, on
out-of-fold predictions, each figure explained in words for a manager.

Gender is not a model input (protected attribute); it is kept beside the predictions only to check
that the decisions do not treat women and men differently. Age is an input and is checked by band.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import dcc, html

from app.figures.fairness import disparate_impact_figure
from app.presenters.formatting import count_text, percent_text
from app.scoring.fairness import FOUR_FIFTHS, fairness_tables
from app.ui import Card, t

SECTION_ID = "model-fairness"


def _pct(value: float | None, lang: str) -> str:
    return percent_text(value, 1, lang)


def _flagged(table: pd.DataFrame) -> np.ndarray:
    """Groups under the four-fifths line; an undefined ratio (nobody approved) is neither ok nor flagged."""
    return np.isfinite(table["disparate_impact"].to_numpy(dtype=float)) & ~table["four_fifths_ok"].astype(bool).to_numpy()


def oof_fairness_tables(oof: pd.DataFrame, threshold: float) -> dict[str, pd.DataFrame]:
    """:func:`~app.scoring.fairness.fairness_tables` of the model folder's out-of-fold predictions,
    the same computation training records in the model card."""
    return fairness_tables(oof["TARGET"], oof["PROBA_OOF"], threshold, oof["CODE_GENDER"], oof["AGE_YEARS"])


def group_labels(attribute: str) -> dict[str, str]:
    if attribute == "gender":
        return {"F": t("model.fairness.female"), "M": t("model.fairness.male"), "XNA": t("model.fairness.unknown"),
                "unknown": t("model.fairness.unknown")}
    return {"<25": t("model.fairness.age_under", age=25), "55+": t("model.fairness.age_over", age=55),
            **{b: t("model.fairness.age_range", band=b) for b in ("25-34", "35-44", "45-54")},
            "unknown": t("model.fairness.unknown")}


def FairnessTable(table: pd.DataFrame, labels: dict[str, str], lang: str) -> dbc.Table:
    """Numbers of one attribute; a group under the four-fifths line gets a warning sign and text."""
    head = ["group", "n", "approval", "default", "tpr", "fpr", "di"]
    rows = []
    for r, flagged in zip(table.itertuples(index=False), _flagged(table), strict=True):
        flag = (html.Span("⚠ " + t("model.fairness.flag"), className="text-danger fw-bold") if flagged
                else html.Span("✓ " + t("model.fairness.ok"), className="text-success") if np.isfinite(r.disparate_impact)
                else None)  # the ratio itself already reads "—"
        rows.append(html.Tr([html.Th(labels.get(str(r.group), str(r.group)), scope="row", className="fw-normal"),
                             html.Td(count_text(r.n, lang)), html.Td(_pct(r.approval_rate, lang)),
                             html.Td(_pct(r.default_rate, lang)), html.Td(_pct(r.tpr, lang)), html.Td(_pct(r.fpr, lang)),
                             html.Td([_pct(r.disparate_impact, lang), " ", flag])]))
    return dbc.Table([html.Thead(html.Tr([html.Th(t(f"model.fairness.col.{h}")) for h in head])), html.Tbody(rows)],
                     size="sm", striped=True, responsive=True, className="small")


def FairnessSection(bundle, oof: pd.DataFrame, lang: str) -> dbc.Card:
    """Both attributes side by side, with the reading guide above them."""
    tables = oof_fairness_tables(oof, bundle.threshold)
    blocks = []
    for attribute, table in tables.items():
        labels = group_labels(attribute)
        flagged = [labels.get(str(g), str(g)) for g, bad in zip(table["group"], _flagged(table), strict=True) if bad]
        verdict = (dbc.Alert(t("model.fairness.flagged", groups=", ".join(flagged)), color="danger", className="py-2 small")
                   if flagged else dbc.Alert(t("model.fairness.all_ok"), color="success", className="py-2 small"))
        blocks.append(dbc.Col([
            html.H3(t(f"model.fairness.{attribute}"), className="h6"),
            verdict,
            FairnessTable(table, labels, lang),
            dcc.Graph(figure=disparate_impact_figure(table, labels, FOUR_FIFTHS, lang), config={"displaylogo": False}),
        ], lg=6))
    guide = html.Ul([html.Li(t(f"model.fairness.guide.{k}")) for k in ("approval", "default", "tpr", "fpr", "di")],
                    className="small")
    return Card(t("model.fairness.title"), [
        html.P(t("model.fairness.intro", threshold=_pct(bundle.threshold, lang)), className="small"),
        guide,
        dbc.Row(blocks),
        html.P(t("model.fairness.caveat"), className="small text-muted mb-0"),
    ], id=SECTION_ID)
