"""Monitoring page (managers): the model over time, month by month of applications.

What it shows, all read from the database (``app.monitoring_store``) on every request, so a run of
``scripts/drift_report.py`` on any machine shows up at the next page load, on every worker and dyno:
the banner of the latest analysed month (the rule written next to it, ``app.scoring.history``), the
score PSI per month, the ten riskiest inputs (drift x importance) with their trend, the approval,
override and mean-probability rates, the realised performance on loans whose outcome is known
(``app.scoring.realised``), then the latest month in detail (``app.components.drift_detail``).
A month under 20 applications is never stored; one under 300 has its rates but no drift figures.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, dcc, html
from sqlalchemy.exc import SQLAlchemyError

from app.components.drift_detail import (
    DISTRIBUTION_ID,
    FEATURE_ID,
    category_labels,
    detail,
    feature_label,
    feature_scale,
    method_card,
)
from app.figures.drift import (
    distribution_figure,
    empty_drift_note,
    input_trend_figure,
    rates_figure,
    realised_figure,
    score_psi_figure,
)
from app.figures.style import empty_figure
from app.i18n import translate
from app.monitoring_store import history, latest_report, model_key, outcomes
from app.presenters.formatting import count_text, month_text, number_text, percent_text
from app.resources import ServedModel, served
from app.scoring import drift
from app.scoring.artefacts import ArtefactError
from app.scoring.bundle import ModelBundle
from app.scoring.drift_report import DriftReport
from app.scoring.history import IMPORTANT_INPUTS, PeriodSummary, banner, ranked_inputs
from app.scoring.monitoring import model_signature
from app.scoring.realised import MonthPerformance, Reference, oof_reference, realised_performance
from app.security.access import Role
from app.security.web import current_engine
from app.ui import Card, current_language, page_title

BANNER_ID = "monitoring-banner"
EMPTY_ID = "monitoring-empty"
REALISED_TABLE_ID = "monitoring-realised-table"
LEVEL_STYLE = {"alert": ("danger", "⚠"), "watch": ("warning", "⚠"), "stable": ("success", "✓")}  # signs every font has


def _key(bundle: ModelBundle) -> str:
    return model_key(model_signature(bundle))


def _latest(bundle: ModelBundle) -> tuple[str, DriftReport] | None:
    """The latest month's full report from the database (None: none stored, or no database)."""
    engine = current_engine()
    if engine is None:
        return None
    try:
        return latest_report(engine, _key(bundle))
    except (SQLAlchemyError, ArtefactError):
        return None


def update_distribution(feature):
    """Overlaid reference / current distributions of the chosen feature in the latest analysed month."""
    lang = current_language()
    try:
        latest = _latest(served().bundle)
    except (ValueError, OSError):
        latest = None
    if latest is None:
        return empty_drift_note(lang)
    report = latest[1]
    row = report.row(feature) if isinstance(feature, str) else None  # a forged request may send any JSON value
    if row is None:
        return empty_figure(translate("monitoring.unknown_feature", lang))
    label = feature_label(feature, lang)
    if feature == drift.PREDICTION:
        label = translate("common.in_percent", lang, label=label)
    return distribution_figure(row.histogram, label, lang, scale=feature_scale(feature),
                               category_labels=category_labels(feature, row.histogram, lang))


def _banner(months: list[PeriodSummary], lang: str) -> html.Div:
    latest = next((m for m in reversed(months) if m.has_drift), None)
    rule = html.P(translate("monitoring.banner.rule", lang, n=IMPORTANT_INPUTS), className="small mb-0")
    if latest is None:
        return html.Div([dbc.Alert(translate("monitoring.banner.none", lang), color="secondary", id=BANNER_ID), rule])
    result = banner(latest)
    assert result is not None  # has_drift
    colour, icon = LEVEL_STYLE[result.level]
    cause = (translate("monitoring.banner.score", lang) if result.cause == "score"
             else translate("monitoring.banner.input", lang, name=feature_label(result.cause, lang))
             if result.cause else "")
    message = translate(f"monitoring.banner.{result.level}", lang, month=month_text(latest.period, lang), cause=cause,
                        psi=number_text(result.psi, 3, lang), score=number_text(result.drift_score, 2, lang),
                        n=IMPORTANT_INPUTS)
    return html.Div([dbc.Alert([icon + " ", html.Strong(message)], color=colour,
                               id=BANNER_ID, className="mb-1"), rule], className="mb-3")


def _trend_cards(months: list[PeriodSummary], lang: str) -> list:
    periods = [m.period for m in months]
    top = ranked_inputs(months)
    scores = [[next((i.drift_score for i in m.inputs if i.feature == f), None) if m.inputs else None for m in months]
              for f in top]
    gaps = [month_text(m.period, lang) for m in months if not m.has_drift]
    gap_note = ([html.P(translate("monitoring.trend.small_months", lang, months=", ".join(gaps)),
                        className="small text-muted mb-0")] if gaps else [])
    override = [m.decisions.override_rate for m in months]
    return [
        Card(translate("monitoring.trend.score_title", lang), [
            html.P(translate("monitoring.trend.score_help", lang), className="small text-muted"),
            dcc.Graph(figure=score_psi_figure(periods, [m.score_psi for m in months], lang), config={"displaylogo": False}),
            *gap_note]),
        Card(translate("monitoring.trend.inputs_title", lang, n=len(top)), [
            html.P(translate("monitoring.trend.inputs_help", lang), className="small text-muted"),
            dcc.Graph(figure=input_trend_figure([feature_label(f, lang) for f in top], periods, scores, lang),
                      config={"displaylogo": False}) if top else html.P(translate("monitoring.trend.no_inputs", lang))]),
        Card(translate("monitoring.trend.rates_title", lang), [
            html.P(translate("monitoring.trend.rates_help", lang), className="small text-muted"),
            dcc.Graph(figure=rates_figure(periods, [m.approval_rate for m in months], override,
                                          [m.mean_proba for m in months], lang), config={"displaylogo": False}),
            html.P(translate("monitoring.trend.counts", lang, months=", ".join(
                translate("monitoring.trend.count", lang, month=month_text(m.period, lang),
                          n=count_text(m.n_applications, lang), d=count_text(m.decisions.n_decisions, lang))
                for m in months)), className="small text-muted mb-0")]),
    ]


def _reference_of(model: ServedModel) -> Reference | None:
    try:
        oof = model.oof
    except (OSError, ValueError, KeyError):
        return None
    return oof_reference(oof["TARGET"], oof["PROBA_OOF"], model.bundle.threshold)


def _interval(lo: float, hi: float, lang: str, percent: bool) -> str:
    fmt = (lambda v: percent_text(v, 1, lang)) if percent else (lambda v: number_text(v, 3, lang))
    return f"[{fmt(lo)} ; {fmt(hi)}]" if lang == "fr" else f"[{fmt(lo)}, {fmt(hi)}]"


def _realised_table(months: list[MonthPerformance], reference: Reference | None, lang: str) -> dbc.Table:
    head = ["month", "loans", "default", "predicted", "auc", "ece", "status"]
    body = []
    for m in months:
        auc = (translate("monitoring.realised.auc_value", lang, auc=number_text(m.auc, 3, lang),
                         ci=_interval(*m.auc_interval, lang, percent=False))
               if m.auc is not None and m.auc_interval is not None else translate("monitoring.realised.auc_none", lang))
        status = (html.Span("⚠ " + ", ".join(translate(f"monitoring.realised.alert.{a}", lang) for a in m.alerts),
                            className="text-danger fw-bold") if m.alerts
                  else html.Span("✓ " + translate("monitoring.realised.ok", lang)))
        body.append(html.Tr([
            html.Th(month_text(m.period, lang), scope="row", className="fw-normal"),
            html.Td(translate("monitoring.realised.loans", lang, n=count_text(m.n, lang), d=count_text(m.n_defaults, lang))),
            html.Td(f"{percent_text(m.default_rate, 1, lang)} {_interval(*m.default_interval, lang, percent=True)}"),
            html.Td(percent_text(m.mean_proba, 1, lang)),
            html.Td(auc),
            html.Td(translate("monitoring.realised.ece_value", lang, ece=number_text(m.ece, 3, lang),
                              noise=number_text(m.ece_noise, 3, lang))),
            html.Td(status),
        ]))
    return dbc.Table([html.Thead(html.Tr([html.Th(translate(f"monitoring.realised.col.{h}", lang)) for h in head])),
                      html.Tbody(body)], size="sm", striped=True, responsive=True, className="small",
                     id=REALISED_TABLE_ID)


def _realised_card(model: ServedModel, lang: str) -> dbc.Card:
    title = translate("monitoring.realised.title", lang)
    engine = current_engine()
    try:
        frame = outcomes(engine, _key(model.bundle)) if engine is not None else None
    except SQLAlchemyError:
        frame = None
    if frame is None or frame.empty:
        return Card(title, html.P(translate("monitoring.realised.none", lang)))
    reference = model.memoised(_reference_of, 1)()
    months = realised_performance(frame, reference)
    if not months:
        return Card(title, html.P(translate("monitoring.realised.too_few", lang, n=count_text(len(frame), lang))))
    ref_text = (translate("monitoring.realised.reference", lang, n=count_text(reference.n, lang),
                          rate=percent_text(reference.default_rate, 1, lang), auc=number_text(reference.auc, 3, lang),
                          ece=number_text(reference.ece, 3, lang)) if reference is not None
                else translate("monitoring.realised.no_reference", lang))
    return Card(title, [
        html.P(translate("monitoring.realised.help", lang), className="small text-muted"),
        html.P(ref_text, className="small"),
        dcc.Graph(figure=realised_figure(months, lang), config={"displaylogo": False}),
        _realised_table(months, reference, lang),
        html.P(translate("monitoring.realised.rules", lang), className="small text-muted mb-0"),
    ])


def layout(**_query) -> html.Div:
    lang = current_language()
    heading = [html.H1(translate("monitoring.history.heading", lang), className="h3")]
    model = served()
    try:
        bundle = model.bundle
    except (ValueError, OSError):
        return html.Div(heading + [dbc.Alert(translate("monitoring.no_model", lang), color="warning", id=EMPTY_ID)])
    engine = current_engine()
    try:
        months = history(engine, _key(bundle)) if engine is not None else []
    except SQLAlchemyError:
        months = []
    latest = _latest(bundle)
    if not months:
        return html.Div(heading + [dbc.Alert(translate("monitoring.empty", lang), color="info", id=EMPTY_ID),
                                   _realised_card(model, lang), method_card(None, lang)])
    last = months[-1]
    intro = translate("monitoring.history.intro", lang, n=len(months), first=month_text(months[0].period, lang),
                      last=month_text(last.period, lang), ref=count_text(last.reference_rows, lang))
    parts = [html.P(intro, className="text-muted"), _banner(months, lang), *_trend_cards(months, lang),
             _realised_card(model, lang)]
    if latest is not None:
        summary = next((m for m in months if m.period == latest[0]), None)
        level = banner(summary) if summary is not None else None
        parts += detail(latest[1], month_text(latest[0], lang), lang, level.level if level else None)
    parts.append(method_card(latest[1] if latest else None, lang))
    return html.Div(heading + parts)


dash.callback(Output(DISTRIBUTION_ID, "figure"), Input(FEATURE_ID, "value"))(update_distribution)

dash.register_page(__name__, path="/monitoring", name="monitoring", title=page_title("nav.monitoring"),
                   layout=layout, role=Role.MANAGER, nav="nav.monitoring", order=4)
