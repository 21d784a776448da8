"""The portfolio's client list as an AG Grid whose rows stay on the server.

The grid uses AG Grid's infinite row model with pagination: it asks for one block of
``page_size`` rows at a time (``getRowsRequest``: first and last row, sort model) and the page's
callback answers that block only (``getRowsResponse``), so a group of 356,000 clients never
travels to the browser. Sorting is single-column and server-side on the domain's sortable columns.

Content-Security-Policy (``script-src 'self'``): no grid option here is a string expression or a
``{"function": ...}`` (AG Grid compiles those with ``new Function``); the client id is drawn by the
built-in markdown renderer with raw HTML off (``dangerously_allow_code=False``), so it stays a plain
link. The refresh after a change of filters is a clientside function in ``assets/portfolio_grid.js``.
"""
from __future__ import annotations

import dash_ag_grid as dag

from app.i18n import translate
from app.presenters.group_export import headers

#: Columns shown left-aligned (words); the others are numbers, right-aligned for comparison.
TEXT_COLUMNS = frozenset({"SK_ID_CURR", "NAME_INCOME_TYPE", "NAME_CONTRACT_TYPE", "GRADE", "DECISION", "OUTCOME"})
#: AG Grid's own words (pager, overlays, ARIA labels) -> catalog key: the grid speaks the reader's language.
LOCALE_KEYS = {
    "page": "grid.page", "of": "grid.of", "to": "grid.to", "more": "grid.more",
    "firstPage": "grid.first_page", "previousPage": "grid.previous_page", "nextPage": "grid.next_page",
    "lastPage": "grid.last_page", "noRowsToShow": "grid.no_rows", "loadingOoo": "grid.loading",
    "ariaSortableColumn": "grid.aria_sortable", "ariaSortAscending": "grid.aria_ascending",
    "ariaSortDescending": "grid.aria_descending", "ariaSortNone": "grid.aria_unsorted",
    "thousandSeparator": "grid.thousands", "decimalSeparator": "grid.decimal",
}


def grid_locale(lang: str) -> dict[str, str]:
    """AG Grid's ``localeText`` for ``lang`` (its built-in words are English only)."""
    return {key: translate(f"portfolio.{name}", lang) for key, name in LOCALE_KEYS.items()}


def column_defs(lang: str, sortable: tuple[str, ...]) -> list[dict]:
    """One column per listed field, headed in ``lang``; only the domain's sortable columns sort."""
    columns = []
    for col, name in headers(lang).items():
        column = {"field": col, "headerName": name, "sortable": col in sortable,
                  "type": None if col in TEXT_COLUMNS else "rightAligned",
                  "tooltipField": col if col in TEXT_COLUMNS - {"SK_ID_CURR"} else None}  # cut words, read in full
        if col == "SK_ID_CURR":  # "[123](/client/123)": a real link (same tab), drawn without raw HTML
            column.update(cellRenderer="markdown", pinned="left", minWidth=140)
        columns.append({k: v for k, v in column.items() if v is not None})
    return columns


def ClientGrid(grid_id: str, lang: str, sortable: tuple[str, ...], page_size: int) -> dag.AgGrid:
    """The grid, empty until its first ``getRowsRequest`` is answered by the page's callback."""
    return dag.AgGrid(
        id=grid_id,
        rowModelType="infinite",
        columnDefs=column_defs(lang, sortable),
        defaultColDef={"resizable": True, "wrapHeaderText": True, "autoHeaderHeight": True, "minWidth": 120},
        columnSize="responsiveSizeToFit",
        dashGridOptions={
            "pagination": True, "paginationPageSize": page_size, "paginationPageSizeSelector": False,
            "cacheBlockSize": page_size, "maxBlocksInCache": 10, "infiniteInitialRowCount": page_size,
            "maxConcurrentDatasourceRequests": 1, "suppressMultiSort": True, "domLayout": "autoHeight",
            "localeText": grid_locale(lang), "suppressCellFocus": False, "enableCellTextSelection": True,
        },
        dangerously_allow_code=False,
        className="ag-theme-quartz",
        style={"width": "100%"},
    )


def parse_request(request, sortable: tuple[str, ...], page_size: int) -> tuple[str | None, bool, int]:
    """(sort column, descending, page index) of a ``getRowsRequest`` sent by the browser.

    Anything the grid cannot send (a column outside ``sortable``, a negative or non-integer row)
    falls back to "unsorted" or "first page": the request comes from the network, it is not trusted.
    """
    request = request if isinstance(request, dict) else {}
    start = request.get("startRow")
    page = start // page_size if isinstance(start, int) and not isinstance(start, bool) and start > 0 else 0
    column, descending = None, False
    model = request.get("sortModel")
    if isinstance(model, list) and model and isinstance(model[0], dict) and model[0].get("colId") in sortable:
        column, descending = model[0]["colId"], model[0].get("sort") == "desc"
    return column, descending, page
