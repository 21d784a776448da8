"""Repeated pieces of the portfolio page: a group's filter form, its key-figure tiles, its charts.

Factories only (no callback): ``app/pages/portfolio.py`` wires them. Component ids are built here,
once, from the group letter ("portfolio-a-grade", "portfolio-b-income-min"...), so the page and its
tests use the same names.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from app.i18n import translate
from app.presenters.formatting import (
    category_label,
    cost_setting_text,
    count_text,
    money_text,
    percent_text,
)
from app.scoring.cohorts import CATEGORY_FIELDS, MIN_COHORT_SIZE, RANGE_FIELDS, CohortFilter
from app.scoring.groups import OK, TOO_SMALL, GroupSummary
from app.scoring.metrics import CostModel
from app.ui import Dropdown

GROUPS = ("a", "b")
POPULATIONS = ("all", "labelled", "new")
#: Filters shown first (the ones managers use most); the rest sit in a collapsed "more" row.
MAIN_FIELDS = ("age_band", "income_type", "contract_type", "grade", "decision")


def field_id(group: str, field: str) -> str:
    """Id of one filter control: ``portfolio-a-grade``, ``portfolio-b-credit-min``..."""
    return f"portfolio-{group}-{field.replace('_', '-')}"


def group_id(group: str, part: str) -> str:
    """Id of one piece of a group's panels, THE place these ids are spelt: ``group_id("b", "filters")``
    -> ``portfolio-b-filters``; also "column", "kpi", "score-graph", "segment-graph", "feature-graph"."""
    return f"portfolio-{group}-{part}"


def option_label(field: str, value: str, lang: str) -> str:
    """A category value as a manager reads it (translated, with its unit where it has one)."""
    column = CATEGORY_FIELDS[field]
    if field == "decision":
        return translate(f"decision.{value}", lang) if value in ("granted", "refused") else value
    if field == "age_band":
        return translate("client.age_band_years", lang, band=value)
    return category_label(column, value, lang)


def FilterPanel(group: str, filter_: CohortFilter, options: dict[str, list[str]], lang: str,
                hidden: bool = False) -> dbc.Card:
    """The filter form of group ``group`` pre-filled with ``filter_`` (e.g. from the URL)."""
    def dropdown(field: str):
        label = translate(f"portfolio.filter.{field}", lang)
        values = [v for v in getattr(filter_, field) if v in options.get(field, [])]
        control = Dropdown(
            lang,
            id=field_id(group, field), multi=True, value=values, placeholder=translate("portfolio.filters.any", lang),
            options=[{"label": option_label(field, v, lang), "value": v} for v in options.get(field, [])],
        )
        note = [html.Small(translate("portfolio.filter.gender_note", lang), className="text-muted")] if field == "gender" else []
        return dbc.Col([dbc.Label(label, html_for=field_id(group, field), className="small mb-0"), control, *note],
                       md=4, lg=True if field in MAIN_FIELDS else 3, className="mb-2")

    def range_inputs(field: str):
        lo, hi = getattr(filter_, field)
        label = translate(f"portfolio.filter.{field}", lang)
        inputs = dbc.InputGroup([
            dbc.Input(id=field_id(group, f"{field}_min"), type="number", min=0, value=lo, debounce=True,
                      placeholder=translate("portfolio.filters.min", lang)),
            dbc.Input(id=field_id(group, f"{field}_max"), type="number", min=0, value=hi, debounce=True,
                      placeholder=translate("portfolio.filters.max", lang)),
        ], size="sm")
        return dbc.Col([dbc.Label(label, html_for=field_id(group, f"{field}_min"), className="small mb-0"), inputs],
                       md=4, lg=3, className="mb-2")

    population = dbc.Col([
        dbc.Label(translate("portfolio.filter.population", lang), className="small mb-0"),
        dbc.RadioItems(id=field_id(group, "population"), value=filter_.population, inline=True,
                       options=[{"label": translate(f"portfolio.population.{p}", lang), "value": p} for p in POPULATIONS]),
    ], md=12, className="mb-2")
    main = dbc.Row([population] + [dropdown(f) for f in MAIN_FIELDS])
    more = dbc.Row([dropdown(f) for f in CATEGORY_FIELDS if f not in MAIN_FIELDS]
                   + [range_inputs(f) for f in RANGE_FIELDS])
    title = translate("portfolio.filters.title", lang, group=group.upper())
    return dbc.Card([
        dbc.CardHeader(html.H2(title, className="h6 mb-0")),
        dbc.CardBody([main, more], className="pb-1"),
    ], id=group_id(group, "filters"), className="mb-3 shadow-sm",
        style={"display": "none"} if hidden else {}, color="light" if group == "b" else None)


# -- key figures ----------------------------------------------------------------------------------
def KpiTile(label: str, value: str, note: str, tile_id: str) -> dbc.Col:
    """One key figure: name, value (large) and what it means (small)."""
    return dbc.Col(html.Div([
        html.Div(label, className="small text-muted"),
        html.Div(value, className="fs-4 fw-semibold", id=tile_id),
        html.Div(note, className="small text-muted"),
    ], className="border rounded p-2 h-100"), xs=12, sm=6, xl=3, className="mb-2")


def KpiBlock(group: str, summary: GroupSummary, threshold: float, costs: CostModel, lang: str,
             wide: bool = True) -> html.Div:
    """The key figures of a group, or the reason why it is not described."""
    tid = group_id(group, "kpi")
    if summary.status != OK:
        message = (translate("portfolio.kpi.too_small", lang, n=summary.n, min=MIN_COHORT_SIZE) if summary.status == TOO_SMALL
                   else translate("portfolio.kpi.empty", lang))
        return dbc.Alert(message, color="secondary", id=f"{tid}-message", className="mb-2")
    k = summary.kpis
    assert k is not None  # status OK: the key figures are there
    no_outcome = _no_outcome_note(k["n_known_outcome"], lang)
    n = k["n"]
    tiles = [
        (translate("portfolio.kpi.n", lang), count_text(n, lang), "", "n"),
        (translate("portfolio.kpi.approval_rate", lang), percent_text(k["approval_rate"], 1, lang),
         translate("portfolio.kpi.approval_note", lang, threshold=percent_text(threshold, 1, lang)), "approval"),
        (translate("portfolio.kpi.default_rate", lang), percent_text(k["default_rate"], 1, lang),
         no_outcome if k["default_rate"] is None
         else translate("portfolio.kpi.default_note", lang, n=count_text(k["n_known_outcome"], lang)), "default"),
        (translate("portfolio.kpi.mean_proba", lang), percent_text(k["mean_proba"], 1, lang),
         translate("portfolio.kpi.mean_proba_note", lang), "proba"),
        (translate("portfolio.kpi.cost_per_client", lang),
         money_text(k["cost_per_client"], lang),
         no_outcome if k["cost_per_client"] is None
         else translate("portfolio.kpi.cost_note", lang, fn=cost_setting_text(costs.cost_fn, lang),
                        fp=cost_setting_text(costs.cost_fp, lang),
                        per_thousand=money_text(1000 * k["cost_per_client"], lang)), "cost"),
        (translate("portfolio.kpi.exposure", lang), money_text(k["exposure"], lang),
         translate("portfolio.kpi.exposure_detail", lang, note=translate("portfolio.kpi.exposure_note", lang),
                   per_client=translate("portfolio.kpi.exposure_per_client", lang),
                   amount=money_text(k["exposure"] / n, lang)), "exposure"),
        (translate("portfolio.kpi.expected_loss", lang), money_text(k["expected_loss"], lang),
         translate("portfolio.kpi.expected_loss_note", lang), "loss"),
    ]
    cols = [KpiTile(label, value, note, f"{tid}-{key}") for label, value, note, key in tiles]
    if not wide:
        cols = [dbc.Col(c.children, xs=12, sm=6, className="mb-2") for c in cols]
    return html.Div(dbc.Row(cols), id=tid)


def _no_outcome_note(n_known: int, lang: str) -> str:
    """Why a group has no default rate nor cost: no known outcome at all, or too few to be shown."""
    if n_known == 0:
        return translate("portfolio.kpi.no_outcome", lang)
    return translate("portfolio.kpi.too_few_outcomes", lang, n=count_text(n_known, lang), min=MIN_COHORT_SIZE)


def ChartCard(title: str, graph_id: str, figure, message: str | None = None) -> dbc.Card:
    """A titled chart (toolbar hidden: the page is for reading), or, when there is nothing to draw,
    a sentence saying why (text wraps in a narrow column, an empty plot would not)."""
    body = [dbc.Alert(message, color="secondary", className="mb-0 small", id=f"{graph_id}-message")
            if message else dcc.Graph(id=graph_id, figure=figure, config={"displayModeBar": False})]
    return dbc.Card([dbc.CardHeader(html.H3(title, className="h6 mb-0")), dbc.CardBody(body, className="p-2")],
                    className="mb-3 shadow-sm h-100")
