"""The portfolio page's group questions answered by PostgreSQL (``PORTFOLIO_ENGINE=postgresql``).

:class:`SqlAnalysis` gives :class:`~app.scoring.groups.GroupQuestions` its raw counts from the
published tables (``app.scoring.portfolio_sql``) instead of numpy arrays: a filter becomes a
``WHERE`` clause over the analysis table (segment codes, amounts, population), a chart's counts one
``GROUP BY`` over its precomputed static key (the same key ``group_counts.cross_counts`` bincounts),
the key figures one aggregate, a table page one ``ORDER BY`` over the precomputed ranks. The
privacy rules stay in ``GroupQuestions``: both engines apply the same code to the same counts.

A filter's predicate is wrapped in ``IS TRUE``: a missing amount makes ``income >= x`` NULL in SQL,
and ``NOT NULL`` is NULL again, where numpy's ``~(nan >= x)`` is True; clients without a value
would otherwise drop out of "B not in A".
"""
from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property

import numpy as np
import pandas as pd

from app.scoring.cohorts import CATEGORY_FIELDS, LABELLED, RANGE_FIELDS, CohortFilter, category_mask
from app.scoring.group_arrays import SORTABLE
from app.scoring.group_counts import KpiCounts, kpis_from_counts
from app.scoring.groups import GroupQuestions
from app.scoring.metrics import CostModel
from app.scoring.portfolio_sql import POSITION, SqlPortfolio, quoted
from app.scoring.privacy import large_enough


class SqlAnalysis(GroupQuestions):
    """Group questions over a published portfolio (one per process, like ``PortfolioAnalysis``)."""

    def __init__(self, portfolio: SqlPortfolio, threshold: float, costs: CostModel = CostModel(), cache_size: int = 48):
        meta = portfolio.publication.meta["groups"]["analysis"]
        segments = {k: (None, list(v)) for k, v in meta["segment_labels"].items()}
        super().__init__(threshold, costs, cache_size, segments, np.asarray(meta["score_edges"], dtype=np.float64),
                         {k: np.asarray(v, dtype=np.float64) for k, v in meta["feature_edges"].items()},
                         int(meta["threshold_bin"]))
        self.portfolio = portfolio
        self.table = portfolio.publication.table("analysis")
        self.frame_table = portfolio.publication.table("frame")
        self.specs = {c["name"]: c for c in portfolio.publication.meta["columns"]}
        self.n = len(portfolio)

    # -- filters as SQL ---------------------------------------------------------------------------
    def _codes(self, field: str, values: tuple[str, ...]) -> list[int]:
        """The segment codes of the values a filter selects, by ``cohorts.category_mask`` itself
        (over one row per category): "2" selects the rating 2.0, as in numpy."""
        labels = self.segments[field][1]
        spec = self.specs.get(CATEGORY_FIELDS[field])
        if spec is not None and spec["kind"] == "category":
            categories = pd.Index(spec["categories"], dtype=None if spec["categories_dtype"] == "str" else spec["categories_dtype"])
            column = pd.Series(pd.Categorical.from_codes(np.arange(len(categories)), categories=categories))
        else:  # a numeric column (ratings): the labels of its values, as numbers; "—" (missing) is none
            column = pd.Series([_number(label) for label in labels], dtype="float64")
        return [int(c) for c in np.flatnonzero(category_mask(column, values))]

    def where(self, filter_: CohortFilter, name: str) -> tuple[str, dict]:
        """``(predicate, parameters)`` selecting the group's rows of the analysis table; parameter
        names start with ``name`` so that two groups fit in one query."""
        terms: list[str] = []
        params: dict[str, object] = {}
        for field in CATEGORY_FIELDS:
            values = getattr(filter_, field)
            if values:
                params[f"{name}_{field}"] = self._codes(field, values)
                terms.append(f"{quoted('segment.' + field)} = ANY(:{name}_{field})")
        for field, column in RANGE_FIELDS.items():
            for bound, op, side in zip(getattr(filter_, field), (">=", "<="), ("min", "max"), strict=True):
                if bound is not None:
                    params[f"{name}_{field}_{side}"] = float(bound)
                    terms.append(f"{quoted('frame.' + column)} {op} :{name}_{field}_{side}")
        if filter_.population != "all":
            terms.append("labelled" if filter_.population == LABELLED else "NOT labelled")
        return (f"({' AND '.join(terms)}) IS TRUE" if terms else "TRUE"), params

    def _rows(self, sql: str, params: dict) -> list[tuple]:
        return self.portfolio.query(sql, params)

    # -- the hooks of GroupQuestions --------------------------------------------------------------
    def _kpis(self, filter_: CohortFilter) -> tuple[int, dict | None]:
        where, params = self.where(filter_, "a")
        row = self._rows(
            "SELECT count(*), count(*) FILTER (WHERE known), count(*) FILTER (WHERE NOT refused), "
            "coalesce(sum(proba), 0), coalesce(sum(credit_or_0), 0), coalesce(sum(loss), 0), "
            "count(*) FILTER (WHERE known AND outcome = 1), "
            "count(*) FILTER (WHERE known AND NOT refused_oof AND outcome = 1), "
            "count(*) FILTER (WHERE known AND refused_oof AND outcome <> 1) "
            f"FROM {self.table} WHERE {where}", params)[0]
        counts = KpiCounts(int(row[0]), int(row[1]), int(row[2]), float(row[3]), float(row[4]), float(row[5]),
                           int(row[6]), int(row[7]), int(row[8]))
        if not large_enough(counts.n):
            return counts.n, None
        return counts.n, kpis_from_counts(counts, self.costs)

    def _cross(self, chart, n_cells, n_classes, filter_, other):
        a, params = self.where(filter_, "a")
        if other is None:
            member, scope = "1", a
        else:
            b, more = self.where(other, "b")
            params.update(more)
            member, scope = f"(CASE WHEN {a} THEN 1 ELSE 0 END + CASE WHEN {b} THEN 2 ELSE 0 END)", f"({a}) OR ({b})"
        size = n_classes * 4 * n_cells
        rows = self._rows(f"SELECT {quoted('key.' + chart)} + {member} * {int(n_cells)} AS k, count(*) "
                          f"FROM {self.table} WHERE {scope} GROUP BY 1", params)
        counts = np.zeros(size + 4 * n_cells, dtype=np.int64)
        for key, count in rows:
            counts[int(key)] = int(count)
        return counts[:size].reshape(n_classes, 4, n_cells)

    def _apart_sizes(self, a_filter, b_filter):
        a, params = self.where(a_filter, "a")
        b, more = self.where(b_filter, "b")
        row = self._rows(
            f"SELECT count(*) FILTER (WHERE {a} AND NOT {b}), count(*) FILTER (WHERE {b} AND NOT {a}), "
            f"count(*) FILTER (WHERE {a} AND NOT {b} AND known), count(*) FILTER (WHERE {b} AND NOT {a} AND known) "
            f"FROM {self.table} WHERE ({a}) OR ({b})", {**params, **more})[0]
        return (int(row[0]), int(row[1])), (int(row[2]), int(row[3]))

    def _positions(self, filter_):
        where, params = self.where(filter_, "a")
        rows = self._rows(f"SELECT {POSITION} FROM {self.table} WHERE {where} ORDER BY 1", params)
        return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))

    def _page(self, filter_, sort_by, descending, start, stop, total):
        where, params = self.where(filter_, "a")
        order = POSITION
        if sort_by is not None:
            if sort_by not in SORTABLE or sort_by not in self.sortable:
                raise KeyError(f"cannot sort by {sort_by!r}")
            rank = quoted("rank." + sort_by)
            # ranks put missing values last (ties by id): descending keeps them there, as PortfolioAnalysis
            order = (f"CASE WHEN {rank} >= {self.valued(sort_by)} THEN {rank}::bigint + {2 * self.n} "
                     f"ELSE {self.n} - {rank} END" if descending else rank)
        rows = self._rows(f"SELECT {POSITION} FROM {self.table} WHERE {where} ORDER BY {order} "
                          f"LIMIT {int(stop - start)} OFFSET {int(start)}", params)
        return np.array([r[0] for r in rows], dtype=np.int64)

    @cached_property
    def sortable(self) -> frozenset[str]:
        return frozenset(c[len("rank."):] for c in self.portfolio.publication.columns("analysis") if c.startswith("rank."))

    def valued(self, column: str) -> int:
        """How many clients have a value in ``column``: the ascending ranks below it are theirs."""
        return self._valued[column]

    @cached_property
    def _valued(self) -> Mapping[str, int]:
        terms = {"SK_ID_CURR": "count(*)", "OUTCOME": "count(*) FILTER (WHERE known)"}
        for column in self.sortable - set(terms):
            spec = self.specs[column]
            terms[column] = (f"count(*) FILTER (WHERE {quoted(column)} >= 0)" if spec["kind"] == "category"
                             else f"count({quoted(column)})")
        names = sorted(terms)
        row = self._rows(f"SELECT {', '.join(terms[c] for c in names)} FROM {self.frame_table} f "
                         f"JOIN {self.table} a USING ({POSITION})", {})[0]
        return dict(zip(names, (int(v) for v in row), strict=True))

    def records(self, positions: np.ndarray) -> pd.DataFrame:
        """The served columns of these clients (typed as the mapped frame), in the order asked."""
        wanted = [int(p) for p in positions]
        names = [c["name"] for c in self.portfolio.publication.meta["columns"]]
        rows = self._rows(f"SELECT {POSITION}, {', '.join(quoted(n) for n in names)} FROM {self.frame_table} "
                          f"WHERE {POSITION} = ANY(:p)", {"p": wanted}) if wanted else []
        order = {p: i for i, p in enumerate(wanted)}
        rows.sort(key=lambda r: order[r[0]])
        return frame_of(rows, self.portfolio.publication.meta)


def frame_of(rows: list[tuple], meta: dict) -> pd.DataFrame:
    """Rows of the frame table (position first) as the mapped frame types them, indexed by id."""
    data = {}
    for i, spec in enumerate(meta["columns"], start=1):
        values = [r[i] for r in rows]
        if spec["kind"] == "category":
            cats = pd.Index(spec["categories"], dtype=None if spec["categories_dtype"] == "str" else spec["categories_dtype"])
            data[spec["name"]] = pd.Categorical.from_codes(np.asarray(values, dtype=spec["dtype"]), categories=cats,
                                                           validate=False)
        else:
            dtype = np.dtype(spec["dtype"])
            data[spec["name"]] = np.asarray([np.nan if v is None else v for v in values], dtype=dtype) \
                if dtype.kind == "f" else np.asarray(values, dtype=dtype)
    frame = pd.DataFrame(data)
    return frame.set_index(meta["index"])


def _number(label: str) -> float:
    try:
        return float(label)
    except ValueError:
        return float("nan")
