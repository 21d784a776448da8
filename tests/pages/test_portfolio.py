"""Portfolio page callbacks called as plain functions, on a tiny trained model folder."""
import base64
import io

import dash
import pandas as pd
import pytest

from app.scoring.cohorts import CohortFilter
from tests.pages.client_support import served_client_model  # noqa: F401 - session fixture


@pytest.fixture
def page(served_client_model):
    from app.pages import portfolio

    return portfolio


def _ids(component) -> dict:
    """Every component with an id in a layout tree, by id."""
    found = {}

    def walk(node):
        if isinstance(node, (list, tuple)):
            for child in node:
                walk(child)
            return
        if node is None or isinstance(node, (str, int, float)):
            return
        if getattr(node, "id", None) is not None:
            found[node.id] = node
        walk(getattr(node, "children", None))

    walk(component)
    return found


def test_layout_fills_the_forms_from_the_url(page):
    ids = _ids(page.layout(grade=["D", "E"], credit_min="100000", compare="1", b="income_type=Working"))
    assert ids["portfolio-a-grade"].value == ["D", "E"]
    assert ids["portfolio-a-credit-min"].value == 100000
    assert ids["portfolio-compare"].value is True
    assert ids["portfolio-b-income-type"].value == ["Working"]
    assert ids["portfolio-b-filters"].style == {}


@pytest.mark.parametrize("query", [
    {"grade": "<script>alert(1)</script>", "credit_min": "1e999", "population": "root"},
    {"b": "%%%&&=", "compare": ["1", "0"], "segment": "__class__", "feature": "DAYS_BIRTH"},
    {"income_min": "9", "income_max": "1", "age_band": ["x" * 5000]},
])
def test_hostile_query_strings_do_not_break_the_page(page, query):
    ids = _ids(page.layout(**query))
    assert ids["portfolio-a-grade"].value in ([], ["A"])  # unknown values are not applied
    assert ids["portfolio-segment"].value in page.SEGMENTS and ids["portfolio-feature"].value in page.FEATURES
    # and the callbacks answer for whatever the forms hold
    page.update_results({"grade": ["<script>"]}, {"credit_min": "abc"}, True, "__class__", None)


def test_filters_change_the_key_figures(page, served_client_model):
    frame = page.analysis().frame
    everyone = _ids(page.update_results({}, {}, False, "grade", "AMT_CREDIT"))
    assert everyone["portfolio-a-kpi-n"].children == f"{len(frame):,}".replace(",", "\u00a0")
    refused = _ids(page.update_results({"decision": ["refused"]}, {}, False, "grade", "AMT_CREDIT"))
    n_refused = int((frame["DECISION"] == "refused").sum())
    assert n_refused >= 20
    assert refused["portfolio-a-kpi-n"].children.replace("\u00a0", "") == str(n_refused)
    assert refused["portfolio-a-kpi-approval"].children == "0,0\u00a0%"
    new = _ids(page.update_results({"population": "new"}, {}, False, "grade", "AMT_CREDIT"))
    assert new["portfolio-a-kpi-default"].children == "—"  # no known outcome: no fake 0
    assert "portfolio-a-score-graph" in new


def test_empty_and_small_groups_are_not_described(page):
    empty = _ids(page.update_results({"income_min": 1e12}, {}, False, "grade", "AMT_CREDIT"))
    assert "Aucun client" in empty["portfolio-a-kpi-message"].children
    assert "portfolio-a-score-graph" not in empty
    small = _ids(page.update_results(_five_top_credits(page), {}, False, "grade", "AMT_CREDIT"))
    assert "5 clients" in small["portfolio-a-kpi-message"].children and "confidentialité" in small["portfolio-a-kpi-message"].children


def _five_top_credits(page) -> dict:
    """Group A's form selecting the 5 clients with the largest credits (below the privacy floor)."""
    an = page.analysis()
    rows, _ = an.page(CohortFilter(), "AMT_CREDIT", True, 0, 5)
    return {"credit_min": float(an.frame["AMT_CREDIT"].iloc[rows[-1]])}


def test_clients_of_a_small_group_are_neither_listed_nor_exported(page, dash_app):
    from app.security.audit import EXPORT, audit_events
    from app.security.testing import request_as
    from app.security.web import current_engine

    response, caption = page.update_table(_request(), _five_top_credits(page))
    assert response == {"rowData": [], "rowCount": 0}
    assert caption.startswith("5 clients seulement") and "ne sont pas listés" in caption
    with request_as(dash_app.server, "manager-export-small", "manager"):
        download, status = page.export_group(1, _five_top_credits(page))
        engine = current_engine()
    assert download is dash.no_update and "5 clients seulement" in status and "confidentialité" in status
    assert audit_events(engine, username="manager-export-small", action=EXPORT) == []  # nothing was sent


def test_compare_two_groups_states_the_differences(page):
    out = _ids(page.update_results({"grade": ["A", "B"]}, {"grade": ["D", "E"]}, True, "income_type", "EXT_SOURCE_2"))
    sentences = [li.children for li in out["portfolio-diff-list"].children]
    assert len(sentences) == 7
    assert any(s.startswith("Probabilité moyenne de défaut : +") and s.endswith("points dans B") for s in sentences)
    assert "portfolio-a-score-graph" in out and "portfolio-b-score-graph" in out
    too_small = _ids(page.update_results({}, {"income_min": 1e12}, True, "grade", "AMT_CREDIT"))
    assert "Comparaison impossible" in too_small["portfolio-diff-list"].children


def test_compare_refuses_groups_that_few_clients_tell_apart(page, dash_app):
    an = page.analysis()
    credits = an.frame["AMT_CREDIT"].to_numpy(dtype=float)
    all_but_7 = {"credit_max": float(sorted(credits)[-8])}  # everyone but the 7 largest credits
    assert int((credits <= all_but_7["credit_max"]).sum()) == len(credits) - 7
    out = _ids(page.update_results({}, all_but_7, True, "grade", "AMT_CREDIT"))
    message = out["portfolio-diff-list"].children
    assert message == ("Comparaison refusée : les groupes A et B ne diffèrent que de 7 clients (minimum 20), ce qui "
                       "dévoilerait ces clients. Élargissez l'écart entre les deux groupes.")
    assert "portfolio-a-score-graph" in out  # group A alone is still described
    assert "portfolio-b-score-graph" not in out and "portfolio-b-kpi" not in out  # no B figures next to A's
    assert "portfolio-b-kpi-message" in out
    with dash_app.server.test_request_context("/portfolio", headers={"Cookie": "lang=en"}):
        en = _ids(page.update_results(all_but_7, {}, True, "grade", "AMT_CREDIT"))
    assert en["portfolio-diff-list"].children.startswith("Comparison refused: groups A and B differ by only 7 clients")


def test_url_follows_the_forms(page):
    search = page.update_url({"grade": ["E"], "credit_max": 5e5}, {"grade": ["A"]}, True, "education", "AMT_CREDIT")
    assert search == "?grade=E&credit_max=500000&compare=1&b=grade%3DA&segment=education"
    assert page.update_url({}, {}, False, "income_type", "AMT_CREDIT") == ""
    assert page.show_group_b(True) == {} and page.show_group_b(False) == {"display": "none"}


def _request(start: int = 0, sort: list | None = None) -> dict:
    """A getRowsRequest as the grid sends it (one block of a page)."""
    return {"startRow": start, "endRow": start + 20, "sortModel": sort or [], "filterModel": {}}


def _shown_ids(response) -> list[int]:
    return [int(r["SK_ID_CURR"].split("]")[0].strip("[")) for r in response["rowData"]]


def test_table_pages_and_sorts_server_side(page):
    an = page.analysis()
    granted_filter = {"decision": ["granted"]}
    response, caption = page.update_table(_request(page.PAGE_SIZE, [{"colId": "PROBA_DEFAULT", "sort": "desc"}]),
                                          granted_filter)
    granted = an.frame[an.frame["DECISION"] == "granted"].sort_values("PROBA_DEFAULT", ascending=False, kind="stable")
    assert response["rowCount"] == len(granted) > 2 * page.PAGE_SIZE and len(response["rowData"]) == page.PAGE_SIZE
    expected_ids = granted.index[page.PAGE_SIZE:2 * page.PAGE_SIZE]  # the second page, nothing more
    shown = _shown_ids(response)
    assert [granted.loc[i, "PROBA_DEFAULT"] for i in shown] == list(granted.loc[expected_ids, "PROBA_DEFAULT"])
    assert response["rowData"][0]["SK_ID_CURR"] == f"[{shown[0]}](/client/{shown[0]})"
    assert caption.startswith(f"{len(granted):,}".replace(",", "\u00a0") + " clients")
    ascending, _ = page.update_table(_request(0, [{"colId": "AMT_CREDIT", "sort": "asc"}]), granted_filter)
    credits = [an.frame.loc[i, "AMT_CREDIT"] for i in _shown_ids(ascending)]
    assert credits == sorted(credits) and credits[0] == granted["AMT_CREDIT"].min()
    # beyond the last page: the last page; a column the domain does not sort is ignored (not an error)
    last, _ = page.update_table(_request(10_000 * page.PAGE_SIZE, [{"colId": "__dict__", "sort": "desc"}]),
                                granted_filter)
    assert 0 < len(last["rowData"]) <= page.PAGE_SIZE and last["rowCount"] == len(granted)
    in_frame_order = an.frame.index[an.frame["DECISION"] == "granted"]  # unsorted: the frame's order
    assert _shown_ids(last) == list(in_frame_order[-len(last["rowData"]):])
    empty, caption = page.update_table(_request(), {"income_min": 1e12})
    assert empty == {"rowData": [], "rowCount": 0} and caption.startswith("0 clients")


@pytest.mark.parametrize("request_", [None, "x", {"startRow": "20"}, {"startRow": -40}, {"startRow": True},
                                      {"startRow": 0, "sortModel": "PROBA_DEFAULT"}, {"sortModel": [None]}])
def test_table_answers_forged_requests_with_the_first_unsorted_page(page, request_):
    response, _ = page.update_table(request_, {})
    first, _ = page.update_table(_request(), {})
    assert response == first and len(first["rowData"]) == page.PAGE_SIZE


def test_table_never_sends_more_than_a_page(page):
    """However large the block a request asks for, one page of rows leaves the server."""
    response, _ = page.update_table({"startRow": 0, "endRow": 10 ** 6}, {})
    assert len(response["rowData"]) == page.PAGE_SIZE < response["rowCount"]


def test_grid_keeps_rows_server_side_and_links_plain(page):
    grid = _ids(page.layout())[page.TABLE_ID]
    assert grid.rowModelType == "infinite" and getattr(grid, "rowData", None) is None
    options = grid.dashGridOptions
    assert options["pagination"] and options["paginationPageSize"] == options["cacheBlockSize"] == page.PAGE_SIZE
    assert options["suppressMultiSort"] is True
    assert grid.dangerously_allow_code is False
    columns = {c["field"]: c for c in grid.columnDefs}
    assert {f for f, c in columns.items() if c["sortable"]} == set(page.SORTABLE)
    assert columns["SK_ID_CURR"]["cellRenderer"] == "markdown" and columns["SK_ID_CURR"]["headerName"] == "Identifiant client"
    # CSP script-src 'self': AG Grid compiles string expressions and {"function": ...} with new Function
    assert "function" not in repr(grid.to_plotly_json()) and "Getter" not in repr(grid.columnDefs)


def test_grid_speaks_the_readers_language(page, dash_app):
    with dash_app.server.test_request_context("/portfolio", headers={"Cookie": "lang=en"}):
        grid = _ids(page.layout())[page.TABLE_ID]
    headers = [c["headerName"] for c in grid.columnDefs]
    assert headers[0] == "Client id" and "Monthly income (€)" in headers
    assert grid.dashGridOptions["localeText"]["nextPage"] == "Next page"
    french = _ids(page.layout())[page.TABLE_ID]
    assert french.dashGridOptions["localeText"]["nextPage"] == "Page suivante"
    assert french.dashGridOptions["localeText"]["of"] == "sur"


def test_grid_refresh_function_is_served_from_assets(page, dash_app):
    """The clientside refresh after a change of filters names a function of assets/ (no inline script)."""
    from dash._callback import GLOBAL_CALLBACK_LIST

    from app.config import PROJECT_DIR

    registered = [*GLOBAL_CALLBACK_LIST, *dash_app._callback_list]  # the app takes over the global list once built
    refresh = [c for c in registered if c["output"] == f"{page.TABLE_ID}.paginationGoTo"]
    assert len(refresh) == 1
    namespace, function = refresh[0]["clientside_function"]["namespace"], refresh[0]["clientside_function"]["function_name"]
    script = (PROJECT_DIR / "assets" / "portfolio_grid.js").read_text()
    assert f"{namespace}: {{" in script and f"{function}: function" in script
    assert {i["id"] for i in refresh[0]["inputs"]} == {i.component_id for i in page._A.values()}


def test_export_is_formula_safe_readable_and_audited(page, dash_app):
    from app.security.audit import EXPORT, audit_events
    from app.security.testing import request_as
    from app.security.web import current_engine

    with request_as(dash_app.server, "manager-export", "manager"):
        download, status = page.export_group(1, {"grade": ["E"], "population": "labelled"})
        engine = current_engine()
    an = page.analysis()
    n = int(((an.frame["GRADE"] == "E") & an.frame["IS_LABELLED"]).sum())
    assert status == f"{n} clients exportés."
    assert download["filename"].startswith("portefeuille-") and download["filename"].endswith(".csv")
    text = base64.b64decode(download["content"]).decode("utf-8-sig")
    table = pd.read_csv(io.StringIO(text), sep=";", decimal=",")
    assert len(table) == n and "Montant du crédit (€)" in table.columns and set(table["Note de risque"]) == {"E"}
    event = audit_events(engine, username="manager-export", action=EXPORT)[0]
    assert event.target == "portfolio" and event.details["filter"] == {"grade": ["E"], "population": "labelled"}
    assert event.details["rows"] == n
    empty = page.export_group(1, {"income_min": 1e12})
    assert empty[1] == "Rien à exporter : le groupe est vide."


def test_only_managers_reach_the_page_and_its_callbacks(page, dash_app):
    from app.navigation import access_table
    from app.security.access import Role
    from app.security.callbacks import callback_specs, match_callback
    from app.security.testing import login_client
    from tests.security.callback_payloads import exact_payload

    table = access_table()
    assert table.for_path("/portfolio?grade=A") == Role.MANAGER
    from dash._callback import GLOBAL_CALLBACK_MAP

    specs = callback_specs({**GLOBAL_CALLBACK_MAP, **dash_app.callback_map})
    checked = 0
    for key, spec in specs.items():
        if "portfolio-" in key and "-probe-" not in key:  # the security tests' probes are not the page's
            assert table.for_callback(match_callback(exact_payload(spec), specs), lambda _: "/") == Role.MANAGER
            checked += 1
    assert checked == 5  # URL, results, table, export, group B's form
    officer = login_client(dash_app.server, "officer-portfolio", "officer")
    assert officer.get("/portfolio").status_code == 403
    export = next(s for k, s in specs.items() if "portfolio-export-download" in k)
    answer = officer.post("/_dash-update-component", json=exact_payload(export, {"portfolio-export-button.n_clicks": 1}))
    assert answer.status_code == 403
    manager = login_client(dash_app.server, "manager-portfolio", "manager")
    assert manager.get("/portfolio").status_code == 200


def test_key_figures_in_english_read_english(page, dash_app):
    frame = page.analysis().frame
    with dash_app.server.test_request_context("/portfolio", headers={"Cookie": "lang=en"}):
        out = _ids(page.update_results({"decision": ["refused"]}, {}, False, "grade", "AMT_CREDIT"))
    n_refused = int((frame["DECISION"] == "refused").sum())
    assert out["portfolio-a-kpi-n"].children == f"{n_refused:,}"
    assert out["portfolio-a-kpi-approval"].children == "0.0%"
    assert out["portfolio-a-kpi-exposure"].children.startswith("€")
    assert "\u00a0" not in out["portfolio-a-kpi-exposure"].children


def test_cost_note_keeps_half_units(page):
    from app.components.portfolio_panels import KpiBlock
    from app.scoring.metrics import CostModel
    from tests.pages.governance_support import component_text

    an = page.analysis()
    summary = an.summary(CohortFilter())
    text = component_text(KpiBlock("a", summary, an.threshold, CostModel(0.5, 1.0), "fr"))
    assert "(0,5\u00a0€ par défaut non détecté, 1\u00a0€ par bon client refusé)" in text  # euros, halves kept
    assert "nan" not in text.lower()


def test_broken_portfolio_shows_a_generic_message_and_logs_the_details(page, monkeypatch, caplog):
    def broken():
        raise OSError("/srv/secret/model/portfolio.parquet: permission denied")

    monkeypatch.setattr(page, "analysis", broken)
    text = str(page.layout().children)
    assert "secret" not in text and "parquet" not in text and "indisponible" in text
    assert "/srv/secret" in caplog.text


def test_export_file_name_follows_the_language(page, dash_app):
    from app.security.testing import request_as

    with request_as(dash_app.server, "manager-export-en", "manager"):
        import flask

        flask.request.cookies = {"lang": "en"}
        download, status = page.export_group(1, {"grade": ["E"]})
    assert download["filename"].startswith("portfolio-") and status.endswith("clients exported.")


def test_group_ids_are_spelt_once(page):
    from app.components.portfolio_panels import group_id

    ids = _ids(page.layout(compare="1"))
    assert page.B_FILTERS_ID == group_id("b", "filters") and page.B_FILTERS_ID in ids
    assert page.TABLE_CARD_ID in ids
    out = _ids(page.update_results({}, {}, True, "grade", "AMT_CREDIT"))
    for group in ("a", "b"):
        assert {group_id(group, "column"), group_id(group, "kpi"), group_id(group, "score-graph")} <= set(out)
    assert page.DIFF_ID in out and page.DIFF_LIST_ID in out


# -- the privacy floor per cell: no bar, bin or hover about 1 to 19 clients ---------------------------------
def _figure(ids, graph_id):
    return ids[graph_id].figure


def _hover_counts(fig) -> list[list[int | None]]:
    """The client counts each trace's hover writes, per bar ("—" -> None)."""
    out = []
    for trace in fig.data:
        if trace.customdata is None:
            continue
        counts = []
        for row in trace.customdata:
            cell = row[0] if getattr(row, "ndim", 1) and not isinstance(row, (str, int)) else row
            text = str(cell).strip(" ()").split(" ")[0].replace("\u00a0", "").replace(",", "")
            counts.append(int(text) if text.isdigit() else None)
        out.append(counts)
    return out


def _no_small_count(fig) -> bool:
    return all(c is None or c == 0 or c >= 20 for counts in _hover_counts(fig) for c in counts)


@pytest.mark.parametrize("a, feature", [({}, "EMPLOYED_YEARS"), ({"income_type": ["State servant"]}, "AMT_INCOME_TOTAL"),
                                        ({"grade": ["D", "E"]}, "EXT_SOURCE_1"), ({"population": "labelled"}, "AGE_YEARS")])
def test_no_chart_hover_counts_1_to_19_clients(page, a, feature):
    """The tester's per-bin leak: "1 clients" in the hover of a bin of payment difficulties."""
    out = _ids(page.update_results(a, {}, False, "income_type", feature))
    for graph in ("portfolio-a-score-graph", "portfolio-a-segment-graph", "portfolio-a-feature-graph"):
        if graph in out:
            assert _no_small_count(_figure(out, graph)), (graph, _hover_counts(_figure(out, graph)))


def test_compared_groups_show_no_cell_that_few_clients_tell_apart(page, monkeypatch):
    """The tester's A/B leak: A and B differ by 22 clients (comparison allowed), but by 2 in the
    "Commercial associate" bar: A's rate next to B's gave those 2 clients' outcomes away."""
    from app.scoring.groups import PortfolioAnalysis
    from tests.scoring.test_groups import nested_frame

    an = PortfolioAnalysis(nested_frame(), 0.2)
    monkeypatch.setattr(page, "analysis", lambda: an)
    out = _ids(page.update_results({}, {"credit_min": 100000}, True, "income_type", "AGE_YEARS"))
    assert "portfolio-b-segment-graph" in out  # the comparison is shown...
    for group in "ab":
        fig = _figure(out, f"portfolio-{group}-segment-graph")
        for trace in fig.data:
            bars = dict(zip(trace.x, trace.text, strict=True))
            assert bars["Associé commercial"] == "—" or bars.get("Commercial associate") == "—"
        assert any("distinguent entre A et B" in (n.text or "") for n in fig.layout.annotations)
    for graph in ("score-graph", "feature-graph"):
        if f"portfolio-a-{graph}" not in out:  # withheld for both, with a message
            assert f"portfolio-a-{graph}-message" in out and f"portfolio-b-{graph}-message" in out
            continue
        a_counts, b_counts = (_hover_counts(_figure(out, f"portfolio-{g}-{graph}")) for g in "ab")
        for ta, tb in zip(a_counts, b_counts, strict=True):
            assert len(ta) == len(tb)  # the same bars in A and B
            for ca, cb in zip(ta, tb, strict=True):
                assert (ca is None) == (cb is None)
                assert ca is None or abs(ca - cb) == 0 or abs(ca - cb) >= 20, (graph, ta, tb)
    # alone, A's segment chart shows every segment (each holds at least 20 clients)
    alone = _ids(page.update_results({}, {}, False, "income_type", "AGE_YEARS"))
    assert "—" not in _figure(alone, "portfolio-a-segment-graph").data[0].text


def test_the_results_are_in_the_language_they_are_given(page, dash_app):
    """``results`` takes the language the callback resolved once: English results inside a French
    reader's request hold no French text (an implicit cookie lookup below it would slip some in)."""
    from app.presenters.group_view import view_from_controls
    from tests.language_support import french_in
    from tests.pages.governance_support import component_text

    view = view_from_controls({"grade": ["A", "B", "C"]}, {"grade": ["D", "E"]}, True, "grade", "AMT_CREDIT")
    with dash_app.server.test_request_context("/portfolio", headers={"Cookie": "lang=fr"}):
        english = component_text(page.results(view, "en"))
        refused = component_text(page.results(view_from_controls({}, {"grade": ["A"]}, True, "grade", "AMT_CREDIT"), "en"))
    assert "Group A" in english and "Key figures" in english and french_in(english) == []
    assert french_in(refused) == []


def test_app_language_english_without_cookie_gives_an_english_portfolio_page(page, dash_app):
    import dataclasses

    from app.ui import SETTINGS_CONFIG_KEY
    from tests.language_support import french_in
    from tests.pages.governance_support import component_text

    server = dash_app.server
    before = server.config[SETTINGS_CONFIG_KEY]
    server.config[SETTINGS_CONFIG_KEY] = dataclasses.replace(before, default_language="en")
    try:
        with server.test_request_context("/portfolio"):
            text = component_text(page.layout()) + component_text(
                page.update_results({}, {}, False, "grade", "AMT_CREDIT"))
    finally:
        server.config[SETTINGS_CONFIG_KEY] = before
    assert "Portfolio: analyse groups of clients" in text and french_in(text) == []
