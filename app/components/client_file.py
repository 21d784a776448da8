"""UI factories of the client file page (identity card, score panel, reasons list, messages).

Each takes domain objects (``app.presenters.client_file``, ``app.presenters.reasons``) and the reader's
language, and returns Dash components; all text comes from the catalog. Kept out of the page module
so the page holds only its layout and its thin callbacks.
"""
from __future__ import annotations

import logging

import dash_bootstrap_components as dbc
from dash import html

from app.figures.gauge import GRADE_COLOURS
from app.i18n import translate
from app.presenters.client_file import ClientFile, distance_sentence, identity_facts, load_client_file, percent_text
from app.presenters.reasons import Reason, actionable_text, points_sentence
from app.resources import ServedModel
from app.scoring.concepts import PortfolioReference
from app.scoring.metrics import grade_bands
from app.ui import html_attributes

#: Ids of the score panel's texts (the browser tests read them).
DECISION_TEXT = "client-decision-text"
PROBA_TEXT = "client-proba-text"
DISTANCE_TEXT = "client-distance-text"
GRADE_TEXT = "client-grade-text"
REASONS_LIST = "client-reasons-list"

#: Direction icons of the reasons (text, not colour, carries the meaning; fonts everywhere have them).
ICON_RAISES, ICON_LOWERS = "\u25b2", "\u25bc"  # ▲ ▼

log = logging.getLogger(__name__)


def _client_file_of(model: ServedModel, client_id: int) -> ClientFile:
    return load_client_file(model.bundle, model.portfolio, client_id)


def client_file(model: ServedModel, client_id: int) -> ClientFile:
    """One client's file: row read from disk, model inputs, exact SHAP (once per client, cached in the
    served model; the page, the simulator and the letter share it)."""
    return model.memoised(_client_file_of, 256)(client_id)


def reasons_reference(model: ServedModel) -> PortfolioReference | None:
    """What granted clients look like (the reasons' references); None when the folder has no SHAP sample,
    so the reasons are still given, without a reference, rather than the file failing."""
    try:
        return model.reference
    except (FileNotFoundError, OSError, KeyError, ValueError):
        log.exception("portfolio reference unavailable: reasons are shown without it")
        return None


def Message(text: str, kind: str = "warning", id: str | None = None) -> dbc.Alert:
    """An alert with ``role=alert`` so screen readers announce it (errors, refused cohorts)."""
    kwargs = {"id": id} if id else {}
    return dbc.Alert(text, color=kind, className="mb-2", **kwargs)


def IdentityCard(row, lang: str) -> html.Dl:
    """The descriptive facts, as a two-column definition list (label, value with its unit)."""
    items = []
    for label, value in identity_facts(row, lang):
        items += [html.Dt(label, className="col-7 fw-normal text-muted small"),
                  html.Dd(value, className="col-5 mb-1 fw-semibold")]
    return html.Dl(items, className="row mb-0")


def ScoreSummary(file: ClientFile, lang: str) -> html.Div:
    """The model's recommendation in words with an icon (never worded as the final decision, which is the
    officer's: see ``app.components.decision_log``), probability, distance to the threshold and risk grade."""
    band = next(b for b in grade_bands(file.threshold) if b["grade"] == file.grade)
    refused = file.decision == "refused"
    return html.Div([
        html.P(translate(f"client.score.{file.decision}", lang), id=DECISION_TEXT,
               className="h5 mb-1 " + ("text-danger" if refused else "text-success")),
        html.P(translate("client.score.proba", lang, value=percent_text(file.proba, lang)), className="mb-1 fs-5",
               id=PROBA_TEXT),
        html.P(distance_sentence(file.proba, file.threshold, lang), className="mb-1", id=DISTANCE_TEXT),
        html.P([html.Span(file.grade, className="badge text-dark border border-dark me-2 fs-6",
                          style={"backgroundColor": GRADE_COLOURS[file.grade]}),
                translate("client.score.grade", lang, grade=file.grade, low=percent_text(band["min_proba"], lang),
                          high=percent_text(band["max_proba"], lang))], className="mb-1", id=GRADE_TEXT),
        html.P(translate("client.score.grades_help", lang), className="text-muted small mb-0"),
    ])


def ReasonList(reasons: list[Reason], decision: str, lang: str) -> html.Div | html.P:
    """The principal reasons of the decision (``app.presenters.reasons.decision_reasons``): the topic,
    its sentence with the client's value and the portfolio's reference, its weight in points with
    its direction icon, and whether the client can act on it."""
    if not reasons:
        return html.P(translate("client.reasons.none", lang), className="text-muted")
    items = []
    for reason in reasons:
        icon = ICON_RAISES if reason.raises_risk else ICON_LOWERS
        items.append(html.Li([
            html.Span(icon, className="me-2 " + ("client-raises" if reason.raises_risk else "client-lowers"),
                      **html_attributes({"aria-hidden": "true"})),
            html.Strong(reason.label, className="me-1"),
            html.Span("(" + points_sentence(reason, lang) + ")", className="small text-muted"),
            html.Div(reason.sentence, className="ms-4"),
            html.Div(dbc.Badge(actionable_text(reason, lang), color="primary" if reason.actionable else "light",
                               text_color=None if reason.actionable else "dark",
                               className="fw-normal" + ("" if reason.actionable else " border")),
                     className="ms-4"),
        ], className="mb-2"))
    return html.Div([
        html.P(translate(f"client.reasons.intro_{decision}", lang), className="small text-muted mb-2"),
        html.Ol(items, className="list-unstyled mb-0", id=REASONS_LIST),
    ])


def StatusLine(file: ClientFile, lang: str) -> str:
    """Whether the outcome of this client is known (closed file) or not (new application)."""
    if file.outcome is None:
        return translate("client.status.new", lang)
    return translate("client.status.labelled", lang, outcome=translate(f"client.outcome.{file.outcome}", lang))
