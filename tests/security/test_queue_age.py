"""The work queue's age column: days since each application's own date, else since the file was loaded."""
import datetime as dt
import json
import shutil

import pandas as pd
import pyarrow.parquet as pq

from app.presenters.formatting import count_text
from app.security.testing import request_as
from app.security.worklist import age_days, all_dated, queue_items
from tests.security.conftest import engine, probed_app, server  # noqa: F401 - shared fixtures
from tests.served_support import serving

NOW = dt.datetime(2026, 12, 2, 10, 45, tzinfo=dt.UTC)
LOADED = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


def _apps(dates=None) -> pd.DataFrame:
    frame = pd.DataFrame({"PROBA_DEFAULT": [0.30, 0.20, 0.10], "DECISION": ["refused", "refused", "granted"],
                          "GRADE": ["E", "D", "B"]}, index=pd.Index([1, 2, 3], name="SK_ID_CURR"))
    if dates is not None:
        frame["APPLICATION_DATE"] = pd.to_datetime(dates)
    return frame


def test_each_application_is_aged_from_its_own_date():
    items = queue_items(_apps(["2026-11-30", "2025-12-01", "2026-12-05"]), {}, {})
    assert [age_days(i, LOADED, NOW) for i in items] == [2, 366, 0]  # a date after today reads 0, never negative
    assert all_dated(items)


def test_undated_applications_fall_back_to_the_file_time():
    for apps in (_apps(), _apps([None, "2026-11-30", None])):  # no column / a portfolio built without dates
        items = queue_items(apps, {}, {})
        assert [i.client_id for i in items] == [1, 2, 3]
        assert age_days(items[0], LOADED, NOW) == 7 and not all_dated(items)
    assert age_days(queue_items(_apps([None, "2026-11-30", None]), {}, {})[1], LOADED, NOW) == 2


def _text(component) -> str:
    return json.dumps(component.to_plotly_json(), default=lambda o: o.to_plotly_json(), ensure_ascii=False)


def test_queue_page_shows_the_dated_ages_of_the_demo(server):
    """The demo's new applications are dated (Dec 2025 - Nov 2026): ages differ from row to row."""
    from app.pages.home import queue_update

    with request_as(server, "ann", "officer"):
        rows, count = queue_update("all", "fr")
    assert len({r["age"] for r in rows}) > 100 and all(r["age"] >= 0 for r in rows)
    assert "depuis la date de chaque demande" in _text(count)
    total = len(served_new_applications(server))
    assert total >= 1000 and f"sur {count_text(total, 'fr')} en attente" in _text(count)  # a thousands separator, as every count


def served_new_applications(server):
    from app.resources import served

    with server.app_context():
        frame = served().portfolio.frame
    return frame[~frame["IS_LABELLED"]]


def test_queue_page_without_dates_uses_the_file_time(server, tmp_path):
    from app.pages.home import queue_update
    from app.resources import served

    with server.app_context():
        demo = served().portfolio.path.parent  # built on first use when missing
    folder = tmp_path / "undated"
    shutil.copytree(demo, folder)
    portfolio = folder / "portfolio.parquet"
    table = pq.read_table(portfolio)
    pq.write_table(table.drop(["APPLICATION_DATE"]), portfolio, row_group_size=2_048)  # an older portfolio
    with serving(server, folder), request_as(server, "ann", "officer"):
        rows, count = queue_update("all", "en")
    assert rows and {r["age"] for r in rows} == {0}  # the file was written just now
    assert "since the applications were loaded" in _text(count)
