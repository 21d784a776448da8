"""Monitoring page (managers): data drift of the applications the model scores now against the
portfolio it learned on, the riskiest drifts (drift x importance), drift of the predicted
probability itself, a dataset-level verdict, and the two distributions of any feature.

The page only reads the precomputed report (``<model folder>/drift_report.json``, written by
``scripts/drift_report.py``, or computed once at first start): opening it costs no computation.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, dcc, html

from app.figures.drift import distribution_figure, drift_ranking_figure, empty_drift_note
from app.figures.style import empty_figure
from app.presenters.dictionary import data_dictionary
from app.presenters.formatting import (
    MISSING_CATEGORY,
    MISSING_TEXT,
    category_label,
    count_text,
    number_text,
    percent_text,
)
from app.resources import served
from app.scoring import drift
from app.scoring.drift_report import DriftReport, FeatureDrift, Histogram
from app.security.access import Role
from app.ui import Card, Dropdown, current_language, date_text, page_title, t

FEATURE_ID = "monitoring-feature"
DISTRIBUTION_ID = "monitoring-distribution"
VERDICT_ID = "monitoring-verdict"
TABLE_ID = "monitoring-table"
TOP_RISKS = 15
TABLE_ROWS = 25


def _pct(value, lang: str, decimals: int = 1) -> str:
    return percent_text(value, decimals, lang)


def _num(value, lang: str, decimals: int = 3) -> str:
    return number_text(value, decimals, lang)


def _label(name: str, lang: str) -> str:
    if name == drift.PREDICTION:
        return t("monitoring.prediction_label")
    return data_dictionary().label_or_name(name, lang)


def _scale(name: str) -> float:
    if name == drift.PREDICTION:
        return 100.0
    dictionary = data_dictionary()
    return 100.0 if name in dictionary and dictionary.info(name).unit == "percent" else 1.0


def category_labels(feature: str, histogram: Histogram, lang: str) -> dict[str, str]:
    """The categories of a feature's histogram as the reader says them ("Salarié" for "Working"),
    the model's missing category as "—"; numeric histograms have none."""
    if histogram.bins is None:
        return {}
    return {b: MISSING_TEXT if b == MISSING_CATEGORY else category_label(feature, b, lang)
            for b in histogram.bins if b != drift.OTHER_LABEL}


def _report() -> DriftReport | None:
    """The report, or None when the model folder cannot produce one (message shown instead)."""
    try:
        return served().drift_report
    except (ValueError, OSError, KeyError):
        return None


def update_distribution(feature):
    """Overlaid reference / current distributions of the chosen feature (or of the prediction)."""
    lang = current_language()
    report = _report()
    if report is None:
        return empty_drift_note(lang)
    row = report.row(feature) if isinstance(feature, str) else None  # a forged request may send any JSON value
    if row is None:
        return empty_figure(t("monitoring.unknown_feature"))
    label = _label(feature, lang)
    if feature == drift.PREDICTION:
        label = t("common.in_percent", label=label)
    histogram = row.histogram
    return distribution_figure(histogram, label, lang, scale=_scale(feature),
                               category_labels=category_labels(feature, histogram, lang))


def _verdict(report: DriftReport, lang: str) -> dbc.Alert:
    ds = report.dataset
    key = "monitoring.verdict.drift" if ds.drift else "monitoring.verdict.stable"
    return dbc.Alert([html.Strong(t(key)), " ", t("monitoring.verdict.detail", n=ds.n_drifted, total=ds.n_features,
                                                  share=_pct(ds.share_drifted, lang, 0),
                                                  limit=_pct(report.thresholds.dataset_share, lang, 0))],
                     color="danger" if ds.drift else "success", id=VERDICT_ID)


def _prediction(report: DriftReport, lang: str) -> dbc.Card:
    p = report.prediction
    if p is None:
        return Card(t("monitoring.prediction.title"), html.P(t("monitoring.prediction.none")))
    status = t("monitoring.flag.drifted") if p.drifted else t("monitoring.flag.stable")
    facts = html.Ul([
        html.Li(t("monitoring.prediction.mean", ref=_pct(p.mean_reference, lang), cur=_pct(p.mean_current, lang))),
        html.Li(t("monitoring.prediction.approval", ref=_pct(p.approval_reference, lang),
                  cur=_pct(p.approval_current, lang))),
        html.Li(t("monitoring.prediction.stats", wd=_num(p.statistic, lang), psi=_num(p.psi, lang), status=status)),
    ], className="small")
    return Card(t("monitoring.prediction.title"), [
        html.P(t("monitoring.prediction.help"), className="small text-muted"), facts,
        dcc.Graph(figure=distribution_figure(p.histogram, t("common.in_percent", label=t("monitoring.prediction_label")),
                                                  lang, scale=100.0),
                  config={"displaylogo": False}),
    ])


def _risk_table(rows: tuple[FeatureDrift, ...], lang: str) -> dbc.Table:
    head = ["feature", "method", "statistic", "psi", "score", "importance", "status"]
    body = []
    for r in rows:
        status = (html.Span("⚠ " + t("monitoring.flag.drifted"), className="text-danger fw-bold") if r.drifted
                  else html.Span(t("monitoring.flag.stable")))
        body.append(html.Tr([
            html.Th(_label(r.feature, lang), scope="row", className="fw-normal"),
            html.Td(t(f"monitoring.method.{r.method}")),
            html.Td(_num(r.statistic, lang)),
            html.Td(f"{_num(r.psi, lang)} ({t('monitoring.psi.' + r.psi_level)})"),
            html.Td(_num(r.drift_score, lang, 2)),
            html.Td(_pct(r.importance, lang, 0)),
            html.Td(status),
        ]))
    return dbc.Table([html.Thead(html.Tr([html.Th(t(f"monitoring.col.{h}")) for h in head])), html.Tbody(body)],
                     size="sm", striped=True, responsive=True, className="small", id=TABLE_ID)


def _method(report: DriftReport, lang: str) -> dbc.Card:
    th = report.thresholds
    return Card(t("monitoring.method.title"), html.Ul([
        html.Li(t("monitoring.method.psi_help", moderate=_num(th.psi_moderate, lang, 1),
                  significant=_num(th.psi_significant, lang, 1))),
        html.Li(t("monitoring.method.wd_help", limit=_num(th.wasserstein, lang, 1))),
        html.Li(t("monitoring.method.js_help", limit=_num(th.jensen_shannon, lang, 1))),
        html.Li(t("monitoring.method.rule")),
        html.Li(t("monitoring.method.risk")),
        html.Li(t("monitoring.method.dataset", share=_pct(th.dataset_share, lang, 0))),
        html.Li(t("monitoring.method.refresh")),
    ], className="small mb-0"))


def layout(**_query) -> html.Div:
    lang = current_language()
    report = _report()
    heading = [html.H1(t("monitoring.heading"), className="h3")]
    if report is None:
        return html.Div(heading + [dbc.Alert(t("monitoring.no_report"), color="warning")])
    current = report.current.source if report.current is not None else "?"
    source = (t("monitoring.current_portfolio") if current == "portfolio-new"
              else t("monitoring.current_file", name=current))
    rows = report.features
    risky = [r for r in rows if r.risk is not None][:TOP_RISKS]
    options = ([{"label": t("monitoring.prediction_label"), "value": drift.PREDICTION}] if report.prediction else []) + \
        [{"label": _label(r.feature, lang), "value": r.feature} for r in rows]
    return html.Div(heading + [
        html.P(t("monitoring.intro", ref=count_text(report.reference_rows, lang),
                 cur=count_text(report.current_rows, lang), source=source,
                 date=date_text(report.created_at, lang)), className="text-muted"),
        _verdict(report, lang),
        _prediction(report, lang),
        Card(t("monitoring.risk.title"), [
            html.P(t("monitoring.risk.help"), className="small text-muted"),
            dcc.Graph(figure=drift_ranking_figure(risky, {r.feature: _label(r.feature, lang) for r in risky}, lang),
                      config={"displaylogo": False}),
            html.H3(t("monitoring.risk.table", n=min(TABLE_ROWS, len(rows))), className="h6 mt-2"),
            _risk_table(rows[:TABLE_ROWS], lang),
        ]),
        Card(t("monitoring.distribution.title"), [
            html.P(t("monitoring.distribution.help"), className="small text-muted"),
            dbc.Label(t("monitoring.distribution.feature"), html_for=FEATURE_ID),
            Dropdown(lang, id=FEATURE_ID, options=options, value=rows[0].feature if rows else None, clearable=False,
                         style={"maxWidth": "32rem"}, className="mb-2"),
            dcc.Loading(dcc.Graph(id=DISTRIBUTION_ID, config={"displaylogo": False})),
        ]),
        _method(report, lang),
    ])


dash.callback(Output(DISTRIBUTION_ID, "figure"), Input(FEATURE_ID, "value"))(update_distribution)

dash.register_page(__name__, path="/monitoring", name="monitoring", title=page_title("nav.monitoring"),
                   layout=layout, role=Role.MANAGER, nav="nav.monitoring", order=4)
