"""The portfolio published in PostgreSQL answers as the memory-mapped store does (PORTFOLIO_ENGINE).

Runs against the real PostgreSQL server of TEST_DATABASE_URL (``.ci/run`` starts one; the tests
fail in CI without it, skip locally). The reference of every answer is the local engine over the
same model folder: both engines must give the same rows, ids, counts, figures and pages.
"""
from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

from app.resources import ServedModel
from app.scoring import portfolio_sql
from app.scoring.cohorts import RANGE_FIELDS, CohortFilter
from app.scoring.group_arrays import SORTABLE
from app.scoring.portfolio_sql import PublishedPortfolioError, newest_publication, open_published, publish
from app.scoring.served_portfolio import publication_key, publish_served
from app.scoring.sql_groups import SqlAnalysis
from app.security.db import get_engine
from tests.security.conftest import postgres_url


def drop_publications(engine) -> None:
    with engine.begin() as connection:
        for (name,) in connection.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'portfolio\\_%'")):
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")


@pytest.fixture(scope="module")
def pg(small_model_dir):
    engine = get_engine(postgres_url())
    drop_publications(engine)
    yield engine
    drop_publications(engine)


@pytest.fixture(scope="module")
def engines(pg, small_model_dir):
    """(local served model, published SqlPortfolio, SqlAnalysis) over the same model folder."""
    local = ServedModel(small_model_dir[0])
    publish_served(pg, local.bundle, local.portfolio)
    remote = ServedModel(small_model_dir[0], postgres_url())
    return local, remote


def test_the_served_model_reads_the_publication(engines):
    local, remote = engines
    assert isinstance(remote.portfolio, portfolio_sql.SqlPortfolio)
    assert isinstance(remote.analysis, SqlAnalysis)
    assert len(remote.portfolio) == len(local.portfolio) > 0
    assert remote.example_client_id() == local.example_client_id()


def test_full_rows_are_those_of_the_portfolio_file(engines):
    local, remote = engines
    ids = local.portfolio.ids
    picked = [int(ids[0]), int(ids[len(ids) // 2]), int(ids[-1]), 123]  # 123: no such client, skipped
    pd.testing.assert_frame_equal(remote.portfolio.rows(picked), local.portfolio.rows(picked))
    pd.testing.assert_frame_equal(remote.portfolio.rows(picked, columns=["AMT_CREDIT", "DECISION"]),
                                  local.portfolio.rows(picked, columns=["AMT_CREDIT", "DECISION"]))
    assert remote.portfolio.client_row(123).empty
    assert list(remote.portfolio.client_row(123).columns) == list(local.portfolio.client_row(123).columns)


def test_id_search_and_membership_match(engines):
    local, remote = engines
    first = str(int(local.portfolio.ids[0]))
    for prefix in ("", "0", "x", first[:1], first[:3], first, first + "9", "9" * 19):
        assert remote.portfolio.search_ids(prefix, 7) == local.portfolio.search_ids(prefix, 7), prefix
    assert int(first) in remote.portfolio and 123 not in remote.portfolio
    assert 10**30 not in remote.portfolio and remote.portfolio.rows([10**30, -(10**30)]).empty  # beyond bigint


def _filters(local) -> list[CohortFilter]:
    """Groups of every kind: segments, amounts (with missing values), populations, too small, empty."""
    frame = local.portfolio.frame
    income = frame["AMT_INCOME_TOTAL"].to_numpy(dtype=float)
    median = float(np.nanmedian(income))
    labels = local.analysis.segments
    out = [CohortFilter(), CohortFilter(population="labelled"), CohortFilter(population="new"),
           CohortFilter(income=(median, None)), CohortFilter(income=(None, median), population="labelled"),
           CohortFilter(credit=(0.0, float(np.nanpercentile(frame["AMT_CREDIT"], 3)))),
           CohortFilter(decision=("refused",)), CohortFilter(grade=tuple(labels["grade"][1][:2])),
           CohortFilter(region_rating=("2",)), CohortFilter(region_rating=("2.0", "3")),
           CohortFilter(income_type=(labels["income_type"][1][0],), age_band=tuple(labels["age_band"][1][:2])),
           CohortFilter(gender=("nobody",)), CohortFilter(income=(1e12, None)),
           CohortFilter(income=(float(np.sort(income[np.isfinite(income)])[-10]), None))]  # ~10 clients: too small
    return out


def test_group_answers_match_the_local_engine(engines):
    local, remote = engines
    a_local, a_sql = local.analysis, remote.analysis
    filters = _filters(local)
    assert {a_local.summary(f).status for f in filters} >= {"ok", "empty", "too_small"}
    for f in filters:
        expected, got = a_local.summary(f), a_sql.summary(f)
        assert (got.n, got.status) == (expected.n, expected.status), f
        if expected.kpis is not None:
            assert {k for k, v in got.kpis.items() if v is None} == {k for k, v in expected.kpis.items() if v is None}
            shown = {k: v for k, v in expected.kpis.items() if v is not None}
            assert {k: got.kpis[k] for k in shown} == pytest.approx(shown, rel=1e-9), f  # sums: another order
        _same_histogram(a_sql.score_histogram(f), a_local.score_histogram(f))
        for feature in ("AGE_YEARS", "AMT_INCOME_TOTAL", "PROBA_DEFAULT"):
            _same_histogram(a_sql.feature_by_outcome(f, feature), a_local.feature_by_outcome(f, feature))
        for segment in ("grade", "income_type", "region_rating"):
            _same_table(a_sql.segment_rates(f, segment), a_local.segment_rates(f, segment))
        np.testing.assert_array_equal(a_sql.members(f), a_local.members(f))


def test_side_by_side_groups_match(engines):
    local, remote = engines
    a_local, a_sql = local.analysis, remote.analysis
    for a, b in itertools.permutations(_filters(local)[:8], 2):
        assert a_sql.comparison_risk(a, b) == a_local.comparison_risk(a, b), (a, b)
        _same_histogram(a_sql.score_histogram(a, b), a_local.score_histogram(a, b))
        _same_table(a_sql.segment_rates(a, "grade", b), a_local.segment_rates(a, "grade", b))


def test_missing_amounts_count_apart_as_numpy_counts_them(engines):
    """A client without an income is outside "income >= x" and therefore inside "everyone but them"."""
    local, remote = engines
    frame = local.portfolio.frame
    rich = CohortFilter(income=(float(np.nanmedian(frame["AMT_INCOME_TOTAL"])), None))
    assert remote.analysis._apart_sizes(rich, CohortFilter()) == local.analysis._apart_sizes(rich, CohortFilter())


def test_table_pages_match_in_every_order(engines):
    local, remote = engines
    a_local, a_sql = local.analysis, remote.analysis
    for f in (CohortFilter(), CohortFilter(population="labelled")):
        for column, descending in itertools.product((None, *SORTABLE), (False, True)):
            for page in (0, 3, 10_000):
                expected, got = a_local.page(f, column, descending, page, 25), a_sql.page(f, column, descending, page, 25)
                np.testing.assert_array_equal(got[0], expected[0], err_msg=f"{column} {descending} {page}")
                assert got[1] == expected[1]
    rows, _ = a_local.page(CohortFilter(), "AMT_CREDIT", True, 1, 30)
    pd.testing.assert_frame_equal(a_sql.records(rows), a_local.records(rows), check_categorical=True)
    with pytest.raises(KeyError):
        a_sql.page(CohortFilter(), "PASSWORD", False, 0, 10)


def _same_histogram(got, expected) -> None:
    assert (got is None) == (expected is None)
    if expected is None:
        return
    np.testing.assert_allclose(got.edges, expected.edges)
    assert got.counts.keys() == expected.counts.keys() and got.totals == expected.totals
    for name in expected.counts:
        np.testing.assert_array_equal(got.counts[name], expected.counts[name])
    np.testing.assert_array_equal(got.hidden, expected.hidden)


def _same_table(got, expected) -> None:
    assert (got is None) == (expected is None)
    if expected is not None:
        pd.testing.assert_frame_equal(got, expected)


def test_publishing_again_copies_nothing_and_versions_are_kept_two_deep(pg, engines, small_model_dir):
    local, _ = engines
    key = publication_key(local.bundle)
    first = newest_publication(pg, key).version
    assert publish(pg, local.portfolio.mapped, key) == first  # already there: same version, no copy
    other = {**key, "threshold": 0.99}  # as if the model had been recalibrated: a new version
    second = publish(pg, local.portfolio.mapped, other, filter_columns=tuple(RANGE_FIELDS.values()))
    third = publish(pg, local.portfolio.mapped, {**key, "threshold": 0.98})
    assert len({first, second, third}) == 3
    with pg.connect() as connection:
        versions = {r[0] for r in connection.execute(text(f"SELECT version FROM {portfolio_sql.REGISTRY}"))}
        tables = {r[0] for r in connection.execute(text("SELECT tablename FROM pg_tables WHERE tablename LIKE 'portfolio\\_%'"))}
    assert versions == {second, third}  # the oldest dropped, with its tables
    assert not any(first in t for t in tables) and any(second in t for t in tables)
    with pytest.raises(PublishedPortfolioError, match="publish_portfolio"):
        newest_publication(pg, key)  # the model's own version is gone: said, not served stale
    publish_served(pg, local.bundle, local.portfolio)  # restored for the other tests


def test_a_publication_killed_midway_is_never_served_and_is_cleaned_up(pg, engines):
    local, _ = engines
    key = {**publication_key(local.bundle), "threshold": 0.5}
    with pg.begin() as connection:  # what a publication killed after its first table leaves
        connection.exec_driver_sql("CREATE TABLE portfolio_deadbeef00000000_frame (pos bigint)")
    with pytest.raises(PublishedPortfolioError):
        open_published(pg, key)
    assert "deadbeef00000000" in portfolio_sql.drop_old_versions(pg)
    with pg.connect() as connection:
        assert not connection.execute(text("SELECT 1 FROM pg_tables WHERE tablename LIKE 'portfolio_deadbeef%'")).first()


def test_a_foreign_or_unreachable_database_is_a_clear_error(engines):
    with pytest.raises(PublishedPortfolioError, match="cannot be read"):
        newest_publication(get_engine("postgresql+psycopg://nobody:wrong@127.0.0.1:1/none"), {"threshold": 0.1})
    with pytest.raises(ValueError):
        portfolio_sql.quoted('x"; DROP TABLE users; --')
    assert json.loads(json.dumps(publication_key(engines[0].bundle)))["model"]


class _Decision:
    def __init__(self, username: str, status: str, final: bool):
        self.username, self.status, self.is_final = username, status, final


@pytest.mark.parametrize("username", [None, "ann", "bob"])
def test_the_work_queue_is_the_local_one(engines, username):
    from app.security.worklist import published_queue, work_queue

    local, remote = engines
    frame = local.portfolio.frame
    new = frame.index[~frame["IS_LABELLED"].to_numpy(dtype=bool)]
    decisions = {str(c): _Decision(["ann", "bob"][i % 2], "pending" if i % 3 else "final", i % 3 == 0)
                 for i, c in enumerate(new[::4])}
    viewers = {str(c): "bob" for c in new[1::9]}
    rows = np.flatnonzero(~frame["IS_LABELLED"].to_numpy(dtype=bool))
    for limit in (None, 15):
        expected = work_queue(frame, decisions, viewers, username=username, rows=rows, limit=limit)
        got = published_queue(remote.portfolio, decisions, viewers, username=username, limit=limit)
        for a, b in zip(got.items, expected.items, strict=True):
            assert a == b, (a, b)
        assert (got.total, got.all_dated) == (expected.total, expected.all_dated) and got.total > 0
    assert remote.portfolio.loaded_at.tzinfo is not None


def test_two_publications_at_once_copy_once(pg, engines):
    """Two deploys publishing the same portfolio: the second waits for the first, then finds it done."""
    from concurrent.futures import ThreadPoolExecutor

    local, _ = engines
    key = {**publication_key(local.bundle), "threshold": 0.42}
    with ThreadPoolExecutor(2) as pool:
        versions = list(pool.map(lambda _: publish(pg, local.portfolio.mapped, key), range(2)))
    assert versions[0] == versions[1]
    with pg.connect() as connection:
        assert connection.execute(text(f"SELECT count(*) FROM {portfolio_sql.REGISTRY} WHERE version = :v"),
                                  {"v": versions[0]}).scalar() == 1
    publish_served(pg, local.bundle, local.portfolio)


def test_a_database_gone_is_an_os_error_the_pages_already_handle(engines):
    """A worker whose tables were dropped (or whose server went down) gets OSError, as for a missing file."""
    _, remote = engines
    broken = portfolio_sql.SqlPortfolio(remote.portfolio.engine, portfolio_sql.Publication(
        "0123456789abcdef", remote.portfolio.publication.meta, 1, remote.portfolio.loaded_at))
    with pytest.raises(OSError, match="did not answer"):
        _ = 5 in broken


@pytest.mark.parametrize("keys", [("age_band", "income_type", "contract_type", "education"), (), ("income_type",),
                                  ("age_band", "income_type", "contract_type", "education", "family_status", "housing")])
def test_the_client_comparison_is_the_local_one(engines, monkeypatch, keys):
    """Every client-file comparison (distributions, percentile, notes, scatter sample) counted in SQL
    equals the local one, for wide, whole-portfolio and tiny cohorts (6 attributes: under 20)."""
    from app.components import client_comparison as component
    from app.scoring.comparison import COMPARISON_FEATURES

    local, remote = engines
    ids = local.portfolio.ids
    clients = [int(ids[0]), int(ids[len(ids) // 3]), int(ids[-1])]
    notes = set()
    for client_id in clients:
        for feature in COMPARISON_FEATURES:
            monkeypatch.setattr(component, "served", lambda: local)
            expected = component.client_comparison(client_id, feature, keys)
            monkeypatch.setattr(component, "served", lambda: remote)
            got = component.client_comparison(client_id, feature, keys)
            _same_comparison(got, expected)
            notes.update(expected.notes)
        for x, y in (("AGE_YEARS", "ANNUITY_INCOME_RATIO"), ("EXT_SOURCE_1", "AMT_CREDIT")):
            monkeypatch.setattr(component, "served", lambda: local)
            expected = component.client_scatter(client_id, x, y, keys)
            monkeypatch.setattr(component, "served", lambda: remote)
            got = component.client_scatter(client_id, x, y, keys)
            assert (got.n_cohort, got.n_plottable) == (expected.n_cohort, expected.n_plottable)
            np.testing.assert_equal([got.client_x, got.client_y], [expected.client_x, expected.client_y])
            assert (got.points is None) == (expected.points is None)
            if expected.points is not None:
                pd.testing.assert_frame_equal(got.points.reset_index(drop=True), expected.points.reset_index(drop=True))
    if len(keys) == 6:
        assert "too_small_cohort" in notes  # the privacy floor was exercised, in both engines alike
    with pytest.raises(KeyError):
        remote.published.compare(clients[0], "PASSWORD", keys)
    with pytest.raises(KeyError):  # a hostile name never reaches the SQL text, on either axis
        remote.published.scatter(clients[0], 'AGE_YEARS" FROM pg_user --', "AMT_CREDIT", keys)
    with pytest.raises(KeyError):
        remote.published.scatter(clients[0], "AGE_YEARS", "PASSWORD", keys)


def _same_comparison(got, expected) -> None:
    assert (got.feature, got.n_cohort, got.notes) == (expected.feature, expected.n_cohort, expected.notes)
    np.testing.assert_equal(got.client_value, expected.client_value)
    assert got.percentile == expected.percentile
    assert [(p.group, p.split) for p in got.panels] == [(p.group, p.split) for p in expected.panels]
    for a, b in zip(got.panels, expected.panels, strict=True):
        np.testing.assert_array_equal(a.distribution.edges, b.distribution.edges)
        for name in b.distribution.counts:
            np.testing.assert_array_equal(a.distribution.counts[name], b.distribution.counts[name])
        assert (a.distribution.n, a.distribution.n_missing_value) == (b.distribution.n, b.distribution.n_missing_value)


def test_the_simulator_bounds_are_the_local_ones(engines):
    from app.components.whatif import loan_bounds

    local, remote = engines
    assert loan_bounds(remote) == loan_bounds(local) and loan_bounds(local)


@pytest.mark.parametrize("keys", [(), ("income_type",)])
def test_the_scatter_draws_the_same_sample_as_the_local_one(engines, monkeypatch, keys):
    """Above the number of points shown, the database picks the same clients' points as the local
    draw (the sample size lowered to 40 so the small portfolio is sampled)."""
    from app.components import client_comparison as component
    from app.scoring import comparison

    monkeypatch.setattr(comparison.scatter_sample, "__defaults__", (40, 0))
    monkeypatch.setattr(comparison.sample_positions, "__defaults__", (40, 0))
    local, remote = engines
    ids = local.portfolio.ids
    for client_id in (int(ids[1]), int(ids[len(ids) // 2])):
        monkeypatch.setattr(component, "served", lambda: local)
        expected = component.client_scatter(client_id, "AGE_YEARS", "AMT_CREDIT", keys)
        monkeypatch.setattr(component, "served", lambda: remote)
        got = component.client_scatter(client_id, "AGE_YEARS", "AMT_CREDIT", keys)
        assert expected.n_plottable > 40 and len(expected.points) == 40  # the draw was exercised
        pd.testing.assert_frame_equal(got.points.reset_index(drop=True), expected.points.reset_index(drop=True))
