"""The latest analysed month in detail (the monitoring page's lower half): dataset verdict, drift of
the score, riskiest inputs with their table, distributions compared, method and thresholds.

Built from the month's full :class:`~app.scoring.drift_report.DriftReport`, as stored in the
database with the month's run. Pure layout factories, language passed in.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from app.figures.drift import distribution_figure, drift_ranking_figure
from app.i18n import translate
from app.presenters.dictionary import data_dictionary
from app.presenters.formatting import (
    MISSING_CATEGORY,
    MISSING_TEXT,
    category_label,
    number_text,
    percent_text,
)
from app.scoring import drift
from app.scoring.drift_report import DriftReport, FeatureDrift, Histogram
from app.scoring.history import IMPORTANT_INPUTS, MIN_DRIFT_SAMPLE
from app.ui import Card, Dropdown

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


def feature_label(name: str, lang: str) -> str:
    if name == drift.PREDICTION:
        return translate("monitoring.prediction_label", lang)
    return data_dictionary().label_or_name(name, lang)


def feature_scale(name: str) -> float:
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


def _verdict(report: DriftReport, level: str | None, lang: str) -> dbc.Alert:
    """The month's level as the banner states it (important inputs and score), then the share of all
    inputs that drifted as a figure: a headline of its own ("no dataset drift") read as a contradiction
    under an alert raised by one important input."""
    ds = report.dataset
    limit = _pct(report.thresholds.dataset_share, lang, 0)
    overall = translate("monitoring.level.overall_drift" if ds.drift else "monitoring.level.overall_ok", lang,
                        limit=limit)
    share = translate("monitoring.level.share", lang, n=ds.n_drifted, total=ds.n_features,
                      share=_pct(ds.share_drifted, lang, 0), overall=overall)
    headline = [html.Strong(translate(f"monitoring.level.{level}", lang)), " "] if level else []
    return dbc.Alert([*headline, share], color="light", id=VERDICT_ID, className="border")


def _prediction(report: DriftReport, lang: str) -> dbc.Card:
    p = report.prediction
    if p is None:
        return Card(translate("monitoring.prediction.title", lang), html.P(translate("monitoring.prediction.none", lang)))
    status = translate("monitoring.flag.drifted" if p.drifted else "monitoring.flag.stable", lang)
    facts = html.Ul([
        html.Li(translate("monitoring.prediction.mean", lang, ref=_pct(p.mean_reference, lang),
                          cur=_pct(p.mean_current, lang))),
        html.Li(translate("monitoring.prediction.approval", lang, ref=_pct(p.approval_reference, lang),
                          cur=_pct(p.approval_current, lang))),
        html.Li(translate("monitoring.prediction.stats", lang, wd=_num(p.statistic, lang), psi=_num(p.psi, lang),
                          status=status)),
    ], className="small")
    label = translate("common.in_percent", lang, label=translate("monitoring.prediction_label", lang))
    return Card(translate("monitoring.prediction.title", lang), [
        html.P(translate("monitoring.prediction.help", lang), className="small text-muted"), facts,
        dcc.Graph(figure=distribution_figure(p.histogram, label, lang, scale=100.0), config={"displaylogo": False}),
    ])


def _risk_table(rows: tuple[FeatureDrift, ...], lang: str) -> dbc.Table:
    head = ["feature", "method", "statistic", "psi", "score", "importance", "status"]
    body = []
    for r in rows:
        status = (html.Span("⚠ " + translate("monitoring.flag.drifted", lang), className="text-danger fw-bold")
                  if r.drifted else html.Span(translate("monitoring.flag.stable", lang)))
        body.append(html.Tr([
            html.Th(feature_label(r.feature, lang), scope="row", className="fw-normal"),
            html.Td(translate(f"monitoring.method.{r.method}", lang)),
            html.Td(_num(r.statistic, lang)),
            html.Td(f"{_num(r.psi, lang)} ({translate('monitoring.psi.' + r.psi_level, lang)})"),
            html.Td(_num(r.drift_score, lang, 2)),
            html.Td(_pct(r.importance, lang, 0)),
            html.Td(status),
        ]))
    return dbc.Table([html.Thead(html.Tr([html.Th(translate(f"monitoring.col.{h}", lang)) for h in head])),
                      html.Tbody(body)], size="sm", striped=True, responsive=True, className="small", id=TABLE_ID)


def method_card(report: DriftReport | None, lang: str) -> dbc.Card:
    th = report.thresholds if report is not None else None
    items = [html.Li(translate("monitoring.method.banner", lang, n=IMPORTANT_INPUTS)),
             html.Li(translate("monitoring.method.months", lang, n=MIN_DRIFT_SAMPLE))]
    if th is not None:
        items += [
            html.Li(translate("monitoring.method.psi_help", lang, moderate=_num(th.psi_moderate, lang, 1),
                              significant=_num(th.psi_significant, lang, 1))),
            html.Li(translate("monitoring.method.wd_help", lang, limit=_num(th.wasserstein, lang, 1))),
            html.Li(translate("monitoring.method.js_help", lang, limit=_num(th.jensen_shannon, lang, 1))),
            html.Li(translate("monitoring.method.rule", lang)),
            html.Li(translate("monitoring.method.risk", lang)),
            html.Li(translate("monitoring.method.dataset", lang, share=_pct(th.dataset_share, lang, 0))),
        ]
    items.append(html.Li(translate("monitoring.method.refresh", lang)))
    return Card(translate("monitoring.method.title", lang), html.Ul(items, className="small mb-0"))


def detail(report: DriftReport, month: str, lang: str, level: str | None = None) -> list:
    """The cards of the latest month with a full report; ``level`` is the banner's level for that month."""
    rows = report.features
    risky = [r for r in rows if r.risk is not None][:TOP_RISKS]
    options = ([{"label": translate("monitoring.prediction_label", lang), "value": drift.PREDICTION}]
               if report.prediction else []) + [{"label": feature_label(r.feature, lang), "value": r.feature}
                                                for r in rows]
    return [
        html.H2(translate("monitoring.detail.heading", lang, month=month), className="h4 mt-4"),
        html.P(translate("monitoring.detail.intro", lang, ref=number_text(report.reference_rows, 0, lang),
                         cur=number_text(report.current_rows, 0, lang)), className="text-muted small"),
        _verdict(report, level, lang),
        _prediction(report, lang),
        Card(translate("monitoring.risk.title", lang), [
            html.P(translate("monitoring.risk.help", lang), className="small text-muted"),
            dcc.Graph(figure=drift_ranking_figure(risky, {r.feature: feature_label(r.feature, lang) for r in risky},
                                                  lang), config={"displaylogo": False}),
            html.H3(translate("monitoring.risk.table", lang, n=min(TABLE_ROWS, len(rows))), className="h6 mt-2"),
            _risk_table(rows[:TABLE_ROWS], lang),
        ]),
        Card(translate("monitoring.distribution.title", lang), [
            html.P(translate("monitoring.distribution.help", lang), className="small text-muted"),
            dbc.Label(translate("monitoring.distribution.feature", lang), html_for=FEATURE_ID),
            Dropdown(lang, id=FEATURE_ID, options=options, value=rows[0].feature if rows else None, clearable=False,
                     style={"maxWidth": "32rem"}, className="mb-2"),
            dcc.Loading(dcc.Graph(id=DISTRIBUTION_ID, config={"displaylogo": False})),
        ]),
    ]
