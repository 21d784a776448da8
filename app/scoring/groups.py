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
from types import MappingProxyType

import numpy as np
import pandas as pd

from app.scoring.cohorts import CATEGORY_FIELDS, CohortFilter, kpis, large_enough
from app.scoring.metrics import CostModel
from app.scoring.privacy import (
    DifferencingRisk,
    apart_rows,
    differencing_risk,
    merge_bins,
    suppressed,
    suppressed_together,
)
from app.scoring.schema import MISSING_TEXT

#: Attributes a manager can break a group down by (filter field -> served column).
SEGMENTS: dict[str, str] = dict(CATEGORY_FIELDS)
#: Numeric attributes whose distribution can be compared between repaid and defaulted clients,
#: with the unit they are shown in (probabilities in %, ages in years, amounts in €).
FEATURES: dict[str, str] = {
    "AGE_YEARS": "years", "EMPLOYED_YEARS": "years", "AMT_INCOME_TOTAL": "eur", "AMT_CREDIT": "eur",
    "AMT_ANNUITY": "eur", "EXT_SOURCE_1": "score", "EXT_SOURCE_2": "score", "EXT_SOURCE_3": "score",
    "PROBA_DEFAULT": "percent",
}
#: Columns of the client table a manager may sort by ("OUTCOME" is TARGET: repaid, difficulties, unknown).
SORTABLE: tuple[str, ...] = (
    "SK_ID_CURR", "AGE_YEARS", "NAME_INCOME_TYPE", "NAME_CONTRACT_TYPE", "AMT_INCOME_TOTAL", "AMT_CREDIT",
    "PROBA_DEFAULT", "GRADE", "DECISION", "OUTCOME",
)
#: Sortable columns that are not frame columns (derived from the index or from TARGET).
_DERIVED = frozenset({"SK_ID_CURR", "OUTCOME"})
EMPTY, TOO_SMALL, OK = "empty", "too_small", "ok"
SCORE_BINS = 40
FEATURE_BINS = 20


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


def _read_only(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)  # memoised results are shared between callbacks: nobody may alter them
    return a


def _codes(column: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Integer codes and their labels; missing values get the label "—" (last code)."""
    cat = column if isinstance(column.dtype, pd.CategoricalDtype) else column.astype("category")
    labels = [_label(c) for c in cat.cat.categories]
    codes = cat.cat.codes.to_numpy().astype(np.int16)
    if (codes < 0).any():
        codes = np.where(codes < 0, len(labels), codes).astype(np.int16)
        labels.append(MISSING_TEXT)
    return _read_only(codes), labels


def _label(value) -> str:
    """Category label as filters and URLs spell it (ratings stored as 2.0 are called "2")."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _rank(values: np.ndarray) -> np.ndarray:
    """Position of each row in the ascending order (missing last, ties by row = by client id)."""
    order = np.argsort(values, kind="stable")
    rank = np.empty(len(values), dtype=np.int32)
    rank[order] = np.arange(len(values), dtype=np.int32)
    return _read_only(rank)


class PortfolioAnalysis:
    """Answers about groups of the served portfolio, memoised by filter (build one per process)."""

    def __init__(self, frame: pd.DataFrame, threshold: float, costs: CostModel = CostModel(), cache_size: int = 48):
        self.frame = frame
        self.threshold = float(threshold)
        self.costs = costs
        self.ids = _read_only(frame.index.to_numpy(dtype=np.int64))
        self.proba = _read_only(frame["PROBA_DEFAULT"].to_numpy(dtype=np.float64))
        self.credit = _read_only(frame["AMT_CREDIT"].to_numpy(dtype=np.float64))
        self.target = _read_only(frame["TARGET"].to_numpy(dtype=np.float64))
        self.oof = _read_only(frame["PROBA_OOF"].to_numpy(dtype=np.float64))
        self.labelled = _read_only(frame["IS_LABELLED"].to_numpy(dtype=bool))
        self.known = _read_only(self.labelled & ~np.isnan(self.target))
        self.segments = {name: _codes(frame[col]) for name, col in SEGMENTS.items() if col in frame}
        self.score_edges = _read_only(self._score_edges())
        self.feature_edges = {f: _read_only(self._feature_edges(f)) for f in FEATURES if f in frame}
        # the bin of every client, once: a chart is then a few bincounts over the group's rows
        self.refused = _read_only(self.proba >= self.threshold)
        at_threshold = int(np.argmin(np.abs(self.score_edges - self.threshold * 100)))
        score_bins = self._bin_of(np.clip(self.proba * 100, 0, self.score_edges[-1] - 1e-9), self.score_edges)
        # a bar is wholly granted or wholly refused, whatever the rounding of proba x 100 at the threshold
        self.score_bins = _read_only(np.where(self.refused, np.maximum(score_bins, at_threshold),
                                              np.minimum(score_bins, at_threshold - 1)).astype(np.int16))
        self.threshold_bin = at_threshold
        self.feature_bins = {f: _read_only(self._bin_of(self._display(f, frame[f].to_numpy(dtype=np.float64)),
                                                        edges)) for f, edges in self.feature_edges.items()}
        # every sortable column ranked once, here: the instance is shared by the server's threads, so
        # nothing in it may be filled in later (a few MB of int32 at full size, read-only)
        self._ranks: Mapping[str, np.ndarray] = MappingProxyType(
            {column: self._compute_rank(column) for column in SORTABLE if column in _DERIVED or column in frame}
        )
        # memoised per instance (the instance is itself loaded once): keys are frozen filters
        self.mask = lru_cache(maxsize=cache_size)(self._mask)
        self.summary = lru_cache(maxsize=cache_size)(self._summary)
        self.score_histogram = lru_cache(maxsize=cache_size)(self._score_histogram)
        self.segment_rates = lru_cache(maxsize=cache_size)(self._segment_rates)
        self.feature_by_outcome = lru_cache(maxsize=cache_size)(self._feature_by_outcome)

    # -- groups ---------------------------------------------------------------------------------
    def _mask(self, filter_: CohortFilter) -> np.ndarray:
        return _read_only(filter_.mask(self.frame))

    def _summary(self, filter_: CohortFilter) -> GroupSummary:
        """Key figures of the group (``cohorts.kpis``), or why there are none (empty, too small)."""
        mask = self.mask(filter_)
        n = int(mask.sum())
        if n == 0:
            return GroupSummary(filter_, 0, EMPTY, None)
        if not large_enough(n):
            return GroupSummary(filter_, n, TOO_SMALL, None)
        slim = pd.DataFrame({
            "PROBA_DEFAULT": self.proba[mask], "AMT_CREDIT": self.credit[mask], "TARGET": self.target[mask],
            "PROBA_OOF": self.oof[mask], "IS_LABELLED": self.labelled[mask],
        })
        return GroupSummary(filter_, n, OK, kpis(slim, self.threshold, self.costs))

    def comparison_risk(self, a: CohortFilter, b: CohortFilter) -> DifferencingRisk | None:
        """Why groups ``a`` and ``b`` may not be shown side by side (None when they may): only a few
        clients tell them apart (``privacy.differencing_risk``)."""
        return differencing_risk(self.mask(a), self.mask(b), self.known)

    # -- distributions --------------------------------------------------------------------------
    def _score_edges(self) -> np.ndarray:
        """Bins in % from 0 to a high percentile of the portfolio, with one edge ON the threshold so
        that each bar is wholly granted or wholly refused; the last bin takes everything above."""
        thr = self.threshold * 100
        top = float(np.nanpercentile(self.proba, 99.5) * 100) if len(self.proba) else 2 * thr
        top = max(top, 2 * thr, 1.0)
        width = top / SCORE_BINS
        below = max(int(round(thr / width)), 1)
        above = max(int(np.ceil((top - thr) / (thr / below))), 1)
        return np.concatenate([np.linspace(0, thr, below + 1), thr + (thr / below) * np.arange(1, above + 1)])

    @staticmethod
    def _bin_of(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
        """Bin index of each value (as ``np.histogram``: values beyond the ends clipped into the end
        bins, the last bin closed), -1 for a missing value."""
        finite = np.isfinite(values)
        clipped = np.clip(np.where(finite, values, edges[0]), edges[0], edges[-1])
        bins = np.clip(np.searchsorted(edges, clipped, side="right") - 1, 0, len(edges) - 2)
        return np.where(finite, bins, -1).astype(np.int16)

    def _pair(self, filter_: CohortFilter, other: CohortFilter | None) -> np.ndarray | None:
        """The other group's mask when the two are shown side by side and differ (else None)."""
        if other is None or other == filter_:
            return None
        return self.mask(other)

    def _binned(self, filter_: CohortFilter, other: CohortFilter | None, cells: np.ndarray, edges: np.ndarray,
                series: dict[str, np.ndarray], breaks=()) -> Histogram:
        """Counts per bar of each series (a mask over all clients) for the group, merged so that
        every bar holds 0 or at least MIN_COHORT_SIZE clients of each series, in the group and, in
        a comparison, in the other group and in each group's clients the other lacks."""
        mask, other_mask = self.mask(filter_), self._pair(filter_, other)
        n_bins = len(edges) - 1
        own = {k: np.bincount(cells[mask & s & (cells >= 0)], minlength=n_bins)[:n_bins] for k, s in series.items()}
        rows = list(own.values())
        if other_mask is not None:
            for s in series.values():
                rows += apart_rows(cells, n_bins, mask, other_mask, s)[1:]
        merged = merge_bins(edges, rows, breaks)
        counts = {k: _read_only(merged.counts[i]) for i, k in enumerate(own)}
        return Histogram(_read_only(merged.edges), counts, {k: int(v.sum()) for k, v in own.items()},
                         _read_only(merged.hidden), merged.base_width)

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
        return self._binned(filter_, other, self.score_bins, self.score_edges,
                            {"granted": ~self.refused, "refused": self.refused}, breaks=(self.threshold_bin,))

    def _feature_edges(self, feature: str) -> np.ndarray:
        values = self._display(feature, self.frame[feature].to_numpy(dtype=np.float64))
        finite = values[np.isfinite(values)]
        if not len(finite):
            return np.array([0.0, 1.0])
        lo, hi = np.percentile(finite, [0.5, 99.5])
        if hi <= lo:
            hi = lo + 1.0
        return np.linspace(lo, hi, FEATURE_BINS + 1)

    @staticmethod
    def _display(feature: str, values: np.ndarray) -> np.ndarray:
        return values * 100 if FEATURES.get(feature) == "percent" else values

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
        series = {"repaid": self.known & (self.target == 0), "difficulties": self.known & (self.target == 1)}
        hist = self._binned(filter_, other, self.feature_bins[feature], self.feature_edges[feature], series)
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
        codes, labels = self.segments[segment]
        mask = self.mask(filter_)
        k = len(labels)
        c = codes[mask]
        n = np.bincount(c, minlength=k)
        approved = np.bincount(c, weights=self.proba[mask] < self.threshold, minlength=k)
        known = mask & self.known
        n_known = np.bincount(codes[known], minlength=k)
        defaults = np.bincount(codes[known], weights=self.target[known], minlength=k)
        with np.errstate(invalid="ignore", divide="ignore"):
            table = pd.DataFrame({
                "segment": labels, "n": n, "approval_rate": np.where(n >= 1, approved / n, np.nan),
                "n_known": n_known, "default_rate": np.where(n_known >= 1, defaults / n_known, np.nan),
            })
        other_mask = self._pair(filter_, other)
        if other_mask is None:
            hide_approval, hide_default = suppressed(n), suppressed(n_known)
        else:
            every = np.ones(len(codes), dtype=bool)
            hide_approval = suppressed_together(apart_rows(codes, k, mask, other_mask, every)) | (n == 0)
            hide_default = suppressed_together(apart_rows(codes, k, mask, other_mask, self.known)) | (n_known == 0)
        table.loc[hide_approval, "approval_rate"] = np.nan
        table.loc[hide_default, "default_rate"] = np.nan
        return table[table["n"] > 0].reset_index(drop=True)

    # -- the clients behind the numbers -----------------------------------------------------------
    def rank(self, column: str) -> np.ndarray:
        """Ascending rank of every row by a table column (precomputed at construction)."""
        if column not in SORTABLE:
            raise KeyError(f"cannot sort by {column!r}")
        if column not in self._ranks:
            raise KeyError(f"cannot sort by {column!r}: the served portfolio has no such column")
        return self._ranks[column]

    def _compute_rank(self, column: str) -> np.ndarray:
        if column == "SK_ID_CURR":
            values = np.arange(len(self.ids))  # the frame is sorted by id
        elif column == "OUTCOME":
            values = np.where(self.known, self.target, np.inf)
        elif isinstance(self.frame[column].dtype, pd.CategoricalDtype):
            # alphabetical order of the values, whatever the order of the categories (A before B...)
            cats = self.frame[column].cat.categories
            order = np.argsort(np.argsort(np.array([str(c) for c in cats]), kind="stable"))
            codes = self.frame[column].cat.codes.to_numpy()
            values = np.where(codes < 0, np.iinfo(np.int32).max, order[np.maximum(codes, 0)])
        else:
            values = self.frame[column].to_numpy(dtype=np.float64)
        return _rank(values)

    def members(self, filter_: CohortFilter) -> np.ndarray:
        """Row positions (``frame.iloc``) of the clients the page may list or export for the group:
        none for a group too small to be described, whose list (with each client's outcome) would
        describe those few clients one by one."""
        if self.summary(filter_).status != OK:
            return np.array([], dtype=np.int64)
        return np.flatnonzero(self.mask(filter_))

    def page(self, filter_: CohortFilter, sort_by: str | None = None, descending: bool = False,
             page: int = 0, page_size: int = 20) -> tuple[np.ndarray, int]:
        """Row positions (``frame.iloc``) of one page of the group's listable clients (:meth:`members`),
        and how many there are (0 for a group under the privacy floor).

        Only the rows up to the end of the requested page are partially sorted (argpartition), so
        the cost does not depend on sorting the whole group. Missing values stay last either way.
        """
        rows = self.members(filter_)
        total = len(rows)
        page_size = max(1, min(int(page_size), 500))
        start = max(0, int(page)) * page_size
        if start >= total:
            return np.array([], dtype=np.int64), total
        stop = min(start + page_size, total)
        if sort_by is None:
            return rows[start:stop], total
        key = self.rank(sort_by)[rows].astype(np.int64)
        if descending:
            key = self._descending(sort_by, rows, key)
        if stop < total:
            part = np.argpartition(key, stop - 1)[:stop]
        else:
            part = np.arange(total)
        ordered = part[np.argsort(key[part], kind="stable")]
        return rows[ordered[start:stop]], total

    def _descending(self, column: str, rows: np.ndarray, key: np.ndarray) -> np.ndarray:
        """Reverse the order but keep missing values at the end (and ties still by client id)."""
        n = len(self.ids)
        missing = np.zeros(len(rows), dtype=bool)
        if column == "OUTCOME":
            missing = ~self.known[rows]
        elif column in self.frame and not isinstance(self.frame[column].dtype, pd.CategoricalDtype) \
                and column != "SK_ID_CURR":
            missing = np.isnan(self.frame[column].to_numpy(dtype=np.float64)[rows])
        elif column in self.frame and column != "SK_ID_CURR":
            missing = self.frame[column].cat.codes.to_numpy()[rows] < 0
        return np.where(missing, key + 2 * n, n - key)
