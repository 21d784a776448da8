"""The manager's portfolio page (/portfolio): filter a group of clients, compare two groups, list and
export the clients behind the numbers.

Callbacks are thin: they turn form values into a :class:`~app.presenters.group_view.PortfolioView`
(validated exactly like a shared URL), ask the memoised :class:`~app.scoring.groups.GroupQuestions`
and hand its answers to the figure builders and panel factories. Managers only: every id starts with
"portfolio-", the area this page declares for managers (``role=`` below); the CSV export also
carries "export" in its ids and is recorded in the audit trail.
"""
from __future__ import annotations

import logging
import math
from datetime import UTC, datetime

import dash
import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, dcc, html

from app.components.portfolio_grid import ClientGrid, parse_request
from app.components.portfolio_panels import (
    ChartCard,
    FilterPanel,
    KpiBlock,
    field_id,
    group_id,
    option_label,
)
from app.figures import portfolio as figures
from app.i18n import translate
from app.presenters.formatting import MISSING_TEXT, count_text
from app.presenters.group_compare import describe_differences
from app.presenters.group_export import MAX_EXPORT_ROWS, export_frame, table_records, to_csv_bytes
from app.presenters.group_view import PortfolioView, view_from_controls
from app.resources import served
from app.scoring.cohorts import CATEGORY_FIELDS, MIN_COHORT_SIZE, RANGE_FIELDS
from app.scoring.group_arrays import FEATURES, SEGMENTS, SORTABLE
from app.scoring.groups import OK, TOO_SMALL, GroupQuestions
from app.security import EXPORT, audit
from app.security.access import Role
from app.ui import Card, Dropdown, current_language, page_title

log = logging.getLogger(__name__)

URL_ID = "portfolio-url"
COMPARE_ID = "portfolio-compare"
SEGMENT_ID = "portfolio-segment"
FEATURE_ID = "portfolio-feature"
RESULTS_ID = "portfolio-results"
TABLE_ID = "portfolio-table"
TABLE_HELP_ID = "portfolio-table-help"
EXPORT_BUTTON_ID = "portfolio-export-button"
EXPORT_DOWNLOAD_ID = "portfolio-export-download"
EXPORT_STATUS_ID = "portfolio-export-status"
TABLE_CARD_ID = "portfolio-table-card"
DIFF_ID = "portfolio-diff"
DIFF_LIST_ID = "portfolio-diff-list"
B_FILTERS_ID = group_id("b", "filters")
PAGE_SIZE = 20


def analysis() -> GroupQuestions:
    """The served portfolio wrapped for group questions (built once per served model, read-only)."""
    return served().analysis


def _options(an: GroupQuestions) -> dict[str, list[str]]:
    return {field: [v for v in labels if v != MISSING_TEXT] for field, (_, labels) in an.segments.items()}


def _group_inputs(group: str) -> dict:
    """Every control of one group's form, as a dict of callback inputs (flexible signature)."""
    inputs = {name: Input(field_id(group, name), "value") for name in CATEGORY_FIELDS}
    for name in RANGE_FIELDS:
        inputs[f"{name}_min"] = Input(field_id(group, f"{name}_min"), "value")
        inputs[f"{name}_max"] = Input(field_id(group, f"{name}_max"), "value")
    inputs["population"] = Input(field_id(group, "population"), "value")
    return inputs


def _as_states(inputs: dict) -> dict:
    return {k: State(v.component_id, v.component_property) for k, v in inputs.items()}


# -- layout ----------------------------------------------------------------------------------------
def layout(**query) -> html.Div:
    lang = current_language()
    try:
        an = analysis()
    except Exception as exc:  # a missing or broken model folder must not kill the app
        log.exception("portfolio unavailable: %s", exc)  # the details (paths...) stay in the server log
        return dbc.Alert(translate("portfolio.unavailable", lang), color="danger")
    view = PortfolioView.from_query(query)
    options = _options(an)
    chart_controls = dbc.Row([
        dbc.Col([dbc.Label(translate("portfolio.chart.segment_choice", lang), html_for=SEGMENT_ID, className="small mb-0"),
                 Dropdown(lang, id=SEGMENT_ID, value=view.segment, clearable=False,
                              options=[{"label": translate(f"portfolio.filter.{s}", lang), "value": s} for s in SEGMENTS])], md=4),
        dbc.Col([dbc.Label(translate("portfolio.chart.feature_choice", lang), html_for=FEATURE_ID, className="small mb-0"),
                 Dropdown(lang, id=FEATURE_ID, value=view.feature, clearable=False,
                              options=[{"label": translate(f"portfolio.feature.{f}", lang), "value": f} for f in FEATURES])], md=4),
        dbc.Col(dbc.Switch(id=COMPARE_ID, label=translate("portfolio.compare.toggle", lang), value=view.compare,
                           className="mt-4"), md=4),
    ], className="mb-3")
    table = ClientGrid(TABLE_ID, lang, SORTABLE, PAGE_SIZE)
    export = html.Div([
        dbc.Button(translate("portfolio.export.button", lang), id=EXPORT_BUTTON_ID, color="primary", outline=True, size="sm"),
        html.Small(translate("portfolio.export.note", lang), className="text-muted ms-2"),
        html.Div(id=EXPORT_STATUS_ID, className="small mt-1", role="status"),
        dcc.Download(id=EXPORT_DOWNLOAD_ID),
    ], className="mb-2")
    return html.Div([
        dcc.Location(id=URL_ID, refresh=False),
        html.H1(translate("portfolio.title", lang), className="h3"),
        html.P(translate("portfolio.intro", lang), className="text-muted"),
        FilterPanel("a", view.a, options, lang),
        FilterPanel("b", view.b, options, lang, hidden=not view.compare),
        chart_controls,
        html.Div(id=RESULTS_ID),
        Card(translate("portfolio.table.title", lang, group="A"), [export, html.P(id=TABLE_HELP_ID, className="small text-muted"),
                                                     table], id=TABLE_CARD_ID),
    ])


# -- callbacks -------------------------------------------------------------------------------------
_A, _B = _group_inputs("a"), _group_inputs("b")


@dash.callback(Output(B_FILTERS_ID, "style"), Input(COMPARE_ID, "value"))
def show_group_b(compare):
    """Group B's form only appears when the manager asks for a comparison."""
    return {} if compare else {"display": "none"}


@dash.callback(
    Output(URL_ID, "search"),
    inputs=dict(a=_A, b=_B, compare=Input(COMPARE_ID, "value"), segment=Input(SEGMENT_ID, "value"),
                feature=Input(FEATURE_ID, "value")),
)
def update_url(a, b, compare, segment, feature):
    """Keep the view in the address bar (no reload), so that it can be bookmarked and shared."""
    query = view_from_controls(a, b, compare, segment, feature).to_query()
    return f"?{query}" if query else ""


@dash.callback(
    Output(RESULTS_ID, "children"),
    inputs=dict(a=_A, b=_B, compare=Input(COMPARE_ID, "value"), segment=Input(SEGMENT_ID, "value"),
                feature=Input(FEATURE_ID, "value")),
)
def update_results(a, b, compare, segment, feature):
    """Key figures and charts of group A, or of A and B side by side with their differences in words."""
    return results(view_from_controls(a, b, compare, segment, feature), current_language())


def results(view: PortfolioView, lang: str) -> list:
    an = analysis()
    bundle = served().bundle
    groups = ("a", "b") if view.compare else ("a",)
    summaries = {g: an.summary(getattr(view, g)) for g in groups}
    described = all(s.status == OK for s in summaries.values())
    risk = an.comparison_risk(view.a, view.b) if view.compare and described else None
    # side by side, each group's charts are built with the other's (same cells, 0 or >= 20 apart)
    others = {"a": view.b, "b": view.a} if view.compare and described and not risk else {}
    columns = [dbc.Col(_refused_column(g, lang) if g == "b" and risk else
                       _group_column(an, g, getattr(view, g), summaries[g], view, lang, bundle, wide=not view.compare,
                                     other=others.get(g)),
                       lg=12 // len(groups)) for g in groups]
    out = []
    if view.compare:
        if risk:
            body = dbc.Alert(_refusal(risk, lang), color="warning", className="mb-0", id=DIFF_LIST_ID)
        elif described:
            a_kpis, b_kpis = summaries["a"].kpis, summaries["b"].kpis
            assert a_kpis is not None and b_kpis is not None  # both groups are described (status OK)
            sentences = describe_differences(a_kpis, b_kpis, lang)
            body = html.Ul([html.Li(s) for s in sentences], className="mb-0", id=DIFF_LIST_ID)
        else:
            body = html.P(translate("portfolio.diff.impossible", lang, min=MIN_COHORT_SIZE), className="mb-0", id=DIFF_LIST_ID)
        out.append(Card(translate("portfolio.diff.title", lang), body, id=DIFF_ID))
    out.append(dbc.Row(columns))
    return out


def _refusal(risk, lang: str) -> str:
    """The refused comparison in words: how many clients tell A and B apart, and what they would reveal."""
    key = "portfolio.diff.refused_outcomes" if risk.known_outcome else "portfolio.diff.refused"
    return translate(key + ("_one" if risk.n == 1 else ""), lang, n=risk.n, min=MIN_COHORT_SIZE)


def _refused_column(group: str, lang: str) -> html.Div:
    """Group B's column of a refused comparison: no figure next to A's (the subtraction would be the point)."""
    return html.Div([html.H2(translate("portfolio.group", lang, group=group.upper()), className="h5"),
                     Card(translate("portfolio.kpi.title", lang), dbc.Alert(translate("portfolio.kpi.refused", lang), color="secondary",
                                                              id=f"{group_id(group, 'kpi')}-message", className="mb-2"))],
                    id=group_id(group, "column"))


def _group_column(an, group, filter_, summary, view, lang, bundle, wide, other=None):
    heading = html.H2(translate("portfolio.group", lang, group=group.upper()), className="h5") if not wide else None
    segment_labels = {v: option_label(view.segment, v, lang) for v in dict(_options(an)).get(view.segment, [])}
    seg_title = translate(f"portfolio.filter.{view.segment}", lang)
    if summary.status != OK:
        return html.Div([heading, Card(translate("portfolio.kpi.title", lang), KpiBlock(group, summary, an.threshold, bundle.costs,
                                                                         lang, wide=wide))], id=group_id(group, "column"))
    by_outcome = an.feature_by_outcome(filter_, view.feature, other=other)
    withheld = by_outcome is not None and by_outcome.hidden is not None and bool(by_outcome.hidden.all())
    feature_message = (translate("portfolio.fig.no_outcome", lang, min=MIN_COHORT_SIZE) if by_outcome is None else
                       translate("portfolio.fig.not_compared", lang, min=MIN_COHORT_SIZE) if withheld else None)
    charts = [
        ChartCard(translate("portfolio.chart.score", lang), group_id(group, "score-graph"),
                  figures.score_distribution(an.score_histogram(filter_, other=other), an.threshold, lang)),
        ChartCard(f"{translate('portfolio.chart.segment', lang)} — {seg_title}", group_id(group, "segment-graph"),
                  figures.segment_rates(an.segment_rates(filter_, view.segment, other=other), seg_title, lang,
                                        segment_labels, compared=other is not None)),
        ChartCard(f"{translate('portfolio.chart.feature', lang)} — {translate('portfolio.feature.' + view.feature, lang)}",
                  group_id(group, "feature-graph"),
                  None if feature_message else figures.feature_by_outcome(
                      by_outcome, translate(f"portfolio.feature.{view.feature}", lang), lang),
                  message=feature_message),
    ]
    chart_cols = [dbc.Col(c, lg=6 if wide else 12, className="mb-3") for c in charts]
    return html.Div([
        heading,
        Card(translate("portfolio.kpi.title", lang), KpiBlock(group, summary, an.threshold, bundle.costs, lang, wide=wide)),
        dbc.Row(chart_cols),
    ], id=group_id(group, "column"))


@dash.callback(
    Output(TABLE_ID, "getRowsResponse"), Output(TABLE_HELP_ID, "children"),
    inputs=dict(request=Input(TABLE_ID, "getRowsRequest")), state=dict(a=_as_states(_A)),
)
def update_table(request, a):
    """The block of group A's clients the grid asks for (one page, sorted server-side) and the caption."""
    column, descending, page = parse_request(request, SORTABLE, PAGE_SIZE)
    rows, total, _, help_text = client_page(view_from_controls(a).a, column, descending, page, current_language())
    return {"rowData": rows, "rowCount": total}, help_text


# A change of group A's filters empties the grid's cache and goes back to page 1: the grid then asks
# update_table for its first block again (assets/portfolio_grid.js; a clientside callback, no request).
dash.clientside_callback(ClientsideFunction("portfolio", "refreshGrid"), Output(TABLE_ID, "paginationGoTo"),
                         *_A.values(), prevent_initial_call=True)


def client_page(filter_, column, descending, page, lang):
    """Records of one table page, the number of listed clients, the (clamped) page index and the caption.

    A group under the privacy floor lists nobody (0 rows) and the caption says why instead of "0 clients".
    """
    an = analysis()
    summary = an.summary(filter_)
    if summary.status == TOO_SMALL:
        return [], 0, 0, translate("portfolio.table.too_small", lang, n=count_text(summary.n, lang), min=MIN_COHORT_SIZE)
    rows, total = an.page(filter_, column, descending, page, PAGE_SIZE)
    page = min(page, max(1, math.ceil(total / PAGE_SIZE)) - 1)
    if not len(rows) and total:  # beyond the last page (a stale or forged request): the last page
        rows, total = an.page(filter_, column, descending, page, PAGE_SIZE)
    help_text = translate("portfolio.table.help", lang, n=count_text(total, lang))
    return table_records(an.records(rows), lang), total, page, help_text


@dash.callback(
    Output(EXPORT_DOWNLOAD_ID, "data"), Output(EXPORT_STATUS_ID, "children"),
    inputs=dict(n_clicks=Input(EXPORT_BUTTON_ID, "n_clicks")), state=dict(a=_as_states(_A)), prevent_initial_call=True,
)
def export_group(n_clicks, a):
    """CSV of group A for the manager, recorded in the audit trail with its filter (before sending)."""
    if not n_clicks:
        return dash.no_update, dash.no_update
    filter_ = view_from_controls(a).a
    an = analysis()
    lang = current_language()
    summary = an.summary(filter_)
    if summary.status == TOO_SMALL:
        return dash.no_update, translate("portfolio.export.too_small", lang, n=count_text(summary.n, lang), min=MIN_COHORT_SIZE)
    if summary.n > MAX_EXPORT_ROWS:  # said before any row is read: 3 million rows would not fit a worker
        return dash.no_update, translate("portfolio.export.too_large", lang, n=count_text(summary.n, lang),
                                 max=count_text(MAX_EXPORT_ROWS, lang))
    rows = an.records(an.members(filter_))
    if not len(rows):
        return dash.no_update, translate("portfolio.export.empty", lang)
    audit(EXPORT, "portfolio", {"filter": filter_.describe(), "query": filter_.to_query(), "rows": len(rows)})
    content = to_csv_bytes(export_frame(rows, lang), lang)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    name = translate("portfolio.export.filename", lang, stamp=stamp)
    return dcc.send_bytes(content, name, type="text/csv"), translate("portfolio.export.done", lang, n=count_text(len(rows), lang))


dash.register_page(__name__, path="/portfolio", name="portfolio", title=page_title("nav.portfolio"),
                   layout=layout, role=Role.MANAGER, nav="nav.portfolio", order=2)
