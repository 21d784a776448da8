"""Group analysis behind the manager's portfolio page: key figures, distributions, paged client lists.

:class:`PortfolioAnalysis` wraps the served slim frame once (per process) and answers every question
the page asks about a group described by a :class:`~app.scoring.cohorts.CohortFilter`. It is built
for the full Home Credit size (356,255 clients) in a 512 MB worker and a 300 ms answer budget:

- the columns it reads are turned into numpy arrays once (category codes, float32 values), so a
  question never copies the frame nor converts a column to text;
- results are memoised per filter (the filter is frozen, hence hashable): a manager toggling a chart
  option, or paging the client table, does not recompute the group;
- sorting the client table uses precomputed ranks (ties broken by client id, so pages never overlap)
  and ``np.argpartition`` down to the requested page: no 356k-row list is ever built.

Privacy: groups and segments smaller than :data:`~app.scoring.cohorts.MIN_COHORT_SIZE` get no figure
nor client list, and two groups that only a few clients tell apart are not compared. Every cell of a
chart obeys the same floor: a histogram bar holds 0 or at least 20 clients (20 known outcomes for an
outcome series), adjacent bins being merged into a wider bar until it does; a segment's rate is shown
only over at least 20 clients. When two groups are shown side by side (``other=``), each chart is
built for both at once, over the same cells, so that every shown cell of A also differs from B's by
0 or at least 20 clients (counted over all clients and over known outcomes): the group-level check
(:meth:`PortfolioAnalysis.comparison_risk`) says nothing about a bar of 22 clients in A and 20 in B.
Everything here is pure (numpy/pandas), so the page callbacks stay thin and the tests need no browser.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from app.scoring.cohorts import CohortFilter
from app.scoring.group_arrays import SORTABLE, GroupArrays, read_only
from app.scoring.group_counts import apart, cross_counts, group_kpis, in_a
from app.scoring.metrics import CostModel
from app.scoring.privacy import (
    DifferencingRisk,
    apart_sizes,
    large_enough,
    merge_bins,
    risk_of_sizes,
    suppressed,
    suppressed_together,
)

EMPTY, TOO_SMALL, OK = "empty", "too_small", "ok"


@dataclass(frozen=True, eq=False)
class GroupSummary:
    """Size and key figures of one group; ``kpis`` is None unless the group may be described."""

    filter: CohortFilter
    n: int
    status: str  # OK, EMPTY or TOO_SMALL
    kpis: dict | None


@dataclass(frozen=True, eq=False)
class Histogram:
    """Counts per bar for named series (edges in the displayed unit) and each series' size.

    Bars may be wider than ``base_width`` (the standard bin width): bins merged so that each bar
    holds 0 or at least MIN_COHORT_SIZE clients. ``hidden``: bars whose counts are withheld (0 in
    ``counts``; a side of the threshold with too few clients). ``totals`` count every client of
    the series, hidden bars included (the group's size is on the page anyway).
    """

    edges: np.ndarray
    counts: dict[str, np.ndarray]
    totals: dict[str, int]
    hidden: np.ndarray | None = None
    base_width: float | None = None

    @property
    def merged(self) -> bool:
        """Whether some bar spans several standard bins (merged for privacy)."""
        if self.base_width is None or len(self.edges) < 2:
            return False
        return bool(np.any(np.diff(self.edges) > self.base_width * (1 + 1e-9)))

    @property
    def any_hidden(self) -> bool:
        return self.hidden is not None and bool(np.any(self.hidden))


class GroupQuestions:
    """The portfolio page's questions about groups and the privacy rules of their answers, over
    whatever answers the raw counts: numpy arrays in this process (:class:`PortfolioAnalysis`) or a
    database (``app.scoring.sql_groups.SqlAnalysis``). A subclass gives the counts (the
    ``_kpis``, ``_cross``, ``_apart_sizes``, ``_positions``, ``_page`` and ``records`` hooks), this
    class decides what may be shown; answers are memoised per filter (filters are frozen)."""

    def __init__(self, threshold: float, costs: CostModel, cache_size: int, segments: Mapping[str, tuple],
                 score_edges: np.ndarray, feature_edges: Mapping[str, np.ndarray], threshold_bin: int):
        self.threshold = float(threshold)
        self.costs = costs
        self.segments, self.score_edges, self.feature_edges = segments, score_edges, feature_edges
        self.threshold_bin = threshold_bin
        # memoised per instance (the instance is itself loaded once): keys are frozen filters
        self.summary = lru_cache(maxsize=cache_size)(self._summary)
        self.score_histogram = lru_cache(maxsize=cache_size)(self._score_histogram)
        self.segment_rates = lru_cache(maxsize=cache_size)(self._segment_rates)
        self.feature_by_outcome = lru_cache(maxsize=cache_size)(self._feature_by_outcome)

    # -- what a backend answers -------------------------------------------------------------------
    def _kpis(self, filter_: CohortFilter) -> tuple[int, dict | None]:
        """The group's size, and its key figures (``group_counts.group_kpis``) when it may be described."""
        raise NotImplementedError

    def _cross(self, chart: str, n_cells: int, n_classes: int, filter_: CohortFilter,
               other: CohortFilter | None) -> np.ndarray:
        """``group_counts.cross_counts`` of the chart's static key for the group (and the other one)."""
        raise NotImplementedError

    def _apart_sizes(self, a: CohortFilter, b: CohortFilter) -> tuple[tuple[int, int], tuple[int, int]]:
        """Clients of A not in B and of B not in A, among all clients and among known outcomes."""
        raise NotImplementedError

    def _positions(self, filter_: CohortFilter) -> np.ndarray:
        """Row positions (ascending client id) of the group's clients."""
        raise NotImplementedError

    def _page(self, filter_: CohortFilter, sort_by: str | None, descending: bool, start: int, stop: int,
              total: int) -> np.ndarray:
        """Row positions of the group's clients ``start:stop`` in the order asked (missing values last)."""
        raise NotImplementedError

    def records(self, positions: np.ndarray) -> pd.DataFrame:
        """The served columns of the clients at these row positions, in this order (the table's rows)."""
        raise NotImplementedError

    # -- groups ---------------------------------------------------------------------------------
    def _summary(self, filter_: CohortFilter) -> GroupSummary:
        """Key figures of the group (``cohorts.kpis``), or why there are none (empty, too small)."""
        n, figures = self._kpis(filter_)
        if n == 0:
            return GroupSummary(filter_, 0, EMPTY, None)
        if not large_enough(n):
            return GroupSummary(filter_, n, TOO_SMALL, None)
        return GroupSummary(filter_, n, OK, figures)

    def comparison_risk(self, a: CohortFilter, b: CohortFilter) -> DifferencingRisk | None:
        """Why groups ``a`` and ``b`` may not be shown side by side (None when they may): only a few
        clients tell them apart (``privacy.differencing_risk``)."""
        return risk_of_sizes(*self._apart_sizes(a, b))

    # -- distributions --------------------------------------------------------------------------
    @staticmethod
    def _pair(filter_: CohortFilter, other: CohortFilter | None) -> CohortFilter | None:
        """The other group when the two are shown side by side and differ (else None)."""
        return None if other is None or other == filter_ else other

    def _binned(self, filter_: CohortFilter, other: CohortFilter | None, chart: str, edges: np.ndarray,
                names: tuple[str, ...], breaks=()) -> Histogram:
        """Counts per bar of each series (``chart``: whose ``group_counts.static_key``) for the group, merged so that every bar holds 0 or at least MIN_COHORT_SIZE
        clients of each series, in the group and, in a comparison, in the other group and in each
        group's clients the other lacks (all counted in one pass: ``group_counts.cross_counts``)."""
        other = self._pair(filter_, other)
        counts = self._cross(chart, len(edges) - 1, len(names), filter_, other)
        own = {name: in_a(counts[i]) for i, name in enumerate(names)}
        rows = list(own.values())
        if other is not None:
            for i in range(len(names)):
                rows += apart(counts[i])[1:]
        merged = merge_bins(edges, rows, breaks)
        hist_counts = {k: read_only(merged.counts[i]) for i, k in enumerate(own)}
        return Histogram(read_only(merged.edges), hist_counts, {k: int(v.sum()) for k, v in own.items()},
                         read_only(merged.hidden), merged.base_width)

    def _score_histogram(self, filter_: CohortFilter, other: CohortFilter | None = None) -> Histogram | None:
        """Clients per probability bar, split into granted and refused (None for undescribed groups).

        Bars are merged until each holds 0 or at least MIN_COHORT_SIZE clients (with ``other``: in
        both groups and in what tells them apart), never across the threshold, so that each bar
        stays wholly granted or wholly refused; a side holding 1 to 19 clients (or 1 to 19 apart
        from ``other``'s) is hidden: its count is the approval rate already in the key figures,
        where they lie beyond the threshold would describe them.
        """
        if self.summary(filter_).status != OK:
            return None
        return self._binned(filter_, other, "score", self.score_edges, ("granted", "refused"),
                            breaks=(self.threshold_bin,))

    def _feature_by_outcome(self, filter_: CohortFilter, feature: str,
                            other: CohortFilter | None = None) -> Histogram | None:
        """Distribution of ``feature`` among repaid (0) and defaulted (1) clients of the group.

        None when the group cannot be described or either outcome has too few known clients;
        values outside the portfolio's 0.5-99.5 % range are counted in the end bins. Bins are
        merged until each holds 0 or at least MIN_COHORT_SIZE known outcomes of each kind (with
        ``other``: also in the other group and in each group's clients the other lacks). In a
        comparison where even the whole range cannot be made safe (1 to 19 defaulters with a value
        tell the groups apart), every bar is hidden (``hidden`` all True): the page withholds the
        chart for both groups.
        """
        if feature not in self.feature_edges:
            raise KeyError(f"unknown feature {feature!r}; choose one of {', '.join(self.feature_edges)}")
        if self.summary(filter_).status != OK:
            return None
        hist = self._binned(filter_, other, f"feature.{feature}", self.feature_edges[feature],
                            ("repaid", "difficulties"))
        if not all(large_enough(t) for t in hist.totals.values()):
            return None
        return hist

    def _segment_rates(self, filter_: CohortFilter, segment: str,
                       other: CohortFilter | None = None) -> pd.DataFrame | None:
        """Per value of ``segment`` within the group: clients, approval rate, known outcomes, default rate.

        Rates of a segment with fewer than MIN_COHORT_SIZE clients (or known outcomes) are NaN, and so
        are those of the next smallest segments when the hidden ones would otherwise hold 1 to 19
        clients together: the group's own rate is on the page, and the group minus the shown
        segments would be exactly those few clients (``privacy.suppressed``).

        With ``other`` (the group shown next to this one), a segment is also hidden when its clients
        in the two groups differ by 1 to 19 (all clients for the approval rate, known outcomes for
        the default rate), and the hidden segments are the same in both groups
        (``privacy.suppressed_together``): hiding B's bar only would let A's bar, B's total and B's
        other bars give it back. The same call with the groups swapped hides the same segments.
        """
        if segment not in self.segments:
            raise KeyError(f"unknown segment {segment!r}; choose one of {', '.join(self.segments)}")
        if self.summary(filter_).status != OK:
            return None
        labels = self.segments[segment][1]
        other = self._pair(filter_, other)
        # one pass: class = refused (0/1) + 2 x outcome (0 repaid, 1 difficulties, 2 unknown)
        counts = self._cross(f"segment.{segment}", len(labels), 6, filter_, other)
        everyone, known = counts.sum(axis=0), counts[:4].sum(axis=0)
        own = in_a(counts)
        n, n_known = in_a(everyone), in_a(known)
        approved, defaults = own[0::2].sum(axis=0), own[2:4].sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            table = pd.DataFrame({
                "segment": labels, "n": n, "approval_rate": np.where(n >= 1, approved / n, np.nan),
                "n_known": n_known, "default_rate": np.where(n_known >= 1, defaults / n_known, np.nan),
            })
        if other is None:
            hide_approval, hide_default = suppressed(n), suppressed(n_known)
        else:
            hide_approval = suppressed_together(apart(everyone)) | (n == 0)
            hide_default = suppressed_together(apart(known)) | (n_known == 0)
        table.loc[hide_approval, "approval_rate"] = np.nan
        table.loc[hide_default, "default_rate"] = np.nan
        return table[table["n"] > 0].reset_index(drop=True)

    # -- the clients behind the numbers -----------------------------------------------------------
    def members(self, filter_: CohortFilter) -> np.ndarray:
        """Row positions (``frame.iloc``) of the clients the page may list or export for the group:
        none for a group too small to be described, whose list (with each client's outcome) would
        describe those few clients one by one."""
        if self.summary(filter_).status != OK:
            return np.array([], dtype=np.int64)
        return self._positions(filter_)

    def page(self, filter_: CohortFilter, sort_by: str | None = None, descending: bool = False,
             page: int = 0, page_size: int = 20) -> tuple[np.ndarray, int]:
        """Row positions (``frame.iloc``) of one page of the group's listable clients (:meth:`members`),
        and how many there are (0 for a group under the privacy floor).

        Only the rows up to the end of the requested page are partially sorted (argpartition), so
        the cost does not depend on sorting the whole group. Missing values stay last either way.
        """
        total = self.summary(filter_).n if self.summary(filter_).status == OK else 0
        page_size = max(1, min(int(page_size), 500))
        start = max(0, int(page)) * page_size
        if start >= total:
            return np.array([], dtype=np.int64), total
        return self._page(filter_, sort_by, descending, start, min(start + page_size, total), total), total


class PortfolioAnalysis(GroupQuestions):
    """The group questions answered in this process, from the portfolio's per-client arrays (build
    one per process)."""

    def __init__(self, frame: pd.DataFrame, threshold: float, costs: CostModel = CostModel(), cache_size: int = 48,
                 arrays: GroupArrays | None = None):
        """``arrays``: the portfolio's per-client arrays when they were precomputed (stored with the
        portfolio's mapped columns); computed here otherwise."""
        arrays = GroupArrays.compute(frame, float(threshold)) if arrays is None else arrays
        if len(arrays.ids) != len(frame):
            raise ValueError(f"{len(arrays.ids)} precomputed rows for a portfolio of {len(frame)} clients")
        super().__init__(threshold, costs, cache_size, arrays.segments, arrays.score_edges, arrays.feature_edges,
                         arrays.threshold_bin)
        self.frame = frame
        self.arrays = arrays
        self.ids, self.known = arrays.ids, arrays.known
        # the bar of every client, once: a chart is then one bincount over precomputed keys
        self.score_bins = arrays.score_bins
        # every sortable column ranked once, beforehand: the instance is shared by the server's
        # threads, so nothing in it may be filled in later
        self._ranks: Mapping[str, np.ndarray] = arrays.ranks
        # a mask is a byte per client (3.6 MB at 3,562,550): fewer of them are kept than of the small answers
        self.mask = lru_cache(maxsize=max(1, min(cache_size, 8)))(self._mask)

    def _mask(self, filter_: CohortFilter) -> np.ndarray:
        return read_only(filter_.mask(self.frame))

    def _kpis(self, filter_: CohortFilter) -> tuple[int, dict | None]:
        mask = self.mask(filter_)
        n = int(np.count_nonzero(mask))
        if not large_enough(n):
            return n, None
        return n, group_kpis(mask, self.arrays, self.threshold, self.costs)  # = cohorts.kpis, without copying the group

    def _cross(self, chart, n_cells, n_classes, filter_, other):
        return cross_counts(self.arrays.keys[chart], n_cells, n_classes, self.mask(filter_),
                            None if other is None else self.mask(other))

    def _apart_sizes(self, a, b):
        return apart_sizes(self.mask(a), self.mask(b), self.known)

    def _positions(self, filter_):
        return np.flatnonzero(self.mask(filter_))

    def records(self, positions):
        return self.frame.iloc[positions]

    def rank(self, column: str) -> np.ndarray:
        """Ascending rank of every row by a table column (precomputed at construction)."""
        if column not in SORTABLE:
            raise KeyError(f"cannot sort by {column!r}")
        if column not in self._ranks:
            raise KeyError(f"cannot sort by {column!r}: the served portfolio has no such column")
        return self._ranks[column]

    def _page(self, filter_, sort_by, descending, start, stop, total):
        """Only the rows up to the end of the requested page are partially sorted (argpartition), so
        the cost does not depend on sorting the whole group."""
        rows = self._positions(filter_)
        if sort_by is None:
            return rows[start:stop]
        key = self.rank(sort_by)[rows].astype(np.int64)
        if descending:
            key = self._descending(sort_by, rows, key)
        part = np.argpartition(key, stop - 1)[:stop] if stop < total else np.arange(total)
        ordered = part[np.argsort(key[part], kind="stable")]
        return rows[ordered[start:stop]]

    def _descending(self, column: str, rows: np.ndarray, key: np.ndarray) -> np.ndarray:
        """Reverse the order but keep missing values at the end (and ties still by client id)."""
        n = len(self.ids)
        missing = np.zeros(len(rows), dtype=bool)
        if column == "OUTCOME":
            missing = ~self.known[rows]
        elif column in self.frame and not isinstance(self.frame[column].dtype, pd.CategoricalDtype) \
                and column != "SK_ID_CURR":
            missing = np.isnan(self.frame[column].to_numpy()[rows].astype(np.float64))  # the group's rows only
        elif column in self.frame and column != "SK_ID_CURR":
            missing = self.frame[column].array.codes[rows] < 0  # the mapped codes, not a copy
        return np.where(missing, key + 2 * n, n - key)
