"""Tables of the managers' decisions page: override rates, agreement with the model over time, the CSV.

Rates under the privacy floor show "—" with the reason, never a percentage over a handful of cases.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from app.i18n import translate
from app.presenters.group_export import to_csv_bytes
from app.scoring.privacy import MIN_COHORT_SIZE
from app.security.decision_stats import RateRow
from app.security.decisions import DecisionRecord


def percent(value: float | None, lang: str) -> str:
    if value is None:
        return "—"
    text = f"{100 * value:.1f}"
    return (text.replace(".", ",") + "\u00a0%") if lang == "fr" else text + "%"


def _label(by: str, key: str | None, lang: str) -> str:
    if key is None:
        return translate("decisions.none_value", lang)
    return translate(f"decision.reason.{key}", lang) if by == "reason" else key


def rates_table(rows: list[RateRow], by: str, lang: str, id_: str, *, agreement: bool = False):
    """One line per officer / reason / grade / month: decisions, overrides (or agreements), rate."""
    what = "decisions.col.agreement" if agreement else "decisions.col.override_rate"
    head = html.Thead(html.Tr([html.Th(translate(f"decisions.by.{by}", lang)), html.Th(translate("decisions.col.count", lang)),
                               html.Th(translate(what, lang))]))
    body = html.Tbody([html.Tr([
        html.Td(_label(by, r.key, lang)),
        html.Td(translate("decisions.count", lang, n=r.decisions)),
        html.Td(percent(r.rate, lang) if r.rate is not None else
                translate("decisions.too_few", lang, n=r.decisions, min=MIN_COHORT_SIZE)),
    ]) for r in rows])
    return dbc.Table([head, body], size="sm", striped=True, className="small mb-2", id=id_)


def decisions_frame(records: list[DecisionRecord], lang: str) -> pd.DataFrame:
    """The decisions as the CSV gives them (one row each, headed in ``lang``)."""
    def col(name: str) -> str:
        return translate(f"decisions.csv.{name}", lang)

    return pd.DataFrame([{
        col("id"): r.id, col("client"): r.client_id, col("at"): r.at.strftime("%Y-%m-%d %H:%M:%S"), col("user"): r.username,
        col("model"): r.model_decision, col("final"): r.final_decision, col("overridden"): r.overridden,
        col("reason"): r.reason or "", col("note"): r.note, col("status"): r.status,
        col("reviewer"): r.review.username if r.review else "", col("comment"): r.review.comment if r.review else "",
        col("proba"): r.proba, col("threshold"): r.threshold, col("grade"): r.grade or "",
        col("model_version"): r.model_version or "", col("revises"): r.revises_id,
    } for r in records])


def decisions_csv(records: list[DecisionRecord], lang: str) -> bytes:
    """CSV of the decisions, formula-safe (an officer's note starting with "=" stays text)."""
    return to_csv_bytes(decisions_frame(records, lang), lang)
