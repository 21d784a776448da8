"""The privacy floor: no statistic about fewer than :data:`MIN_COHORT_SIZE` clients, anywhere.

One constant and the few rules built on it, shared by every page (portfolio, model, client file):

- a figure is shown only when it is computed over at least ``MIN_COHORT_SIZE`` clients; a figure
  about outcomes (default rate, cost, error rates, calibration) counts only the clients whose
  outcome is known;
- hiding a small cell is not enough when its neighbours and their total are shown: the total minus
  the shown cells gives the hidden one back (:func:`suppressed`);
- two groups shown side by side give away the clients only one of them holds when those are few
  (:func:`differencing_risk`);
- the same holds for every cell a chart shows (histogram bar, segment bar): each holds 0 or at least
  ``MIN_COHORT_SIZE`` clients of its series, and side by side with another group's chart over the
  same cells, each differs from the other's cell by 0 or at least that many. Histograms merge
  adjacent bins until it is so (:func:`merge_bins`); segments, which have no neighbours to merge
  with, are hidden in both groups at once (:func:`suppressed_together`, rows from :func:`apart_rows`).

Pure numpy, no import from the rest of the application, so any layer may use it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_COHORT_SIZE = 20


def large_enough(n: int, min_size: int = MIN_COHORT_SIZE) -> bool:
    """Whether a figure over ``n`` clients may be shown without risking re-identification."""
    return n > 0 and n >= min_size


def suppressed(counts, min_size: int = MIN_COHORT_SIZE) -> np.ndarray:
    """Which cells of a breakdown (one count per cell) may not show their figure.

    Cells under the floor are hidden; then, while the hidden cells hold between 1 and
    ``min_size - 1`` clients together, the smallest shown cell is hidden too (secondary
    suppression): the group's own figure is shown next to the breakdown, and the group minus the
    shown cells would otherwise be exactly the few hidden clients. Empty cells hide nothing.
    """
    counts = np.asarray(counts, dtype=np.int64)
    hidden = counts < min_size
    while 0 < counts[hidden].sum() < min_size and not hidden.all():
        shown = np.flatnonzero(~hidden)
        hidden[shown[np.argmin(counts[shown])]] = True
    return hidden


@dataclass(frozen=True)
class DifferencingRisk:
    """Why two groups may not be compared: only ``n`` clients tell them apart.

    ``known_outcome`` says the ``n`` clients are counted among clients with a known outcome: 30 more
    clients of whom 3 have a known outcome still give away those 3 outcomes.
    """

    n: int
    known_outcome: bool


def differencing_risk(a: np.ndarray, b: np.ndarray, known: np.ndarray,
                      min_size: int = MIN_COHORT_SIZE) -> DifferencingRisk | None:
    """Whether showing groups ``a`` and ``b`` (boolean masks over the same clients) side by side
    would describe fewer than ``min_size`` clients: None when the comparison is safe.

    The figures of A and B together give away those of A \\ B and of B \\ A when one of them is small:
    if A is included in B with 7 more clients, B's figures minus A's are those 7 clients' figures.
    So the comparison is refused when A \\ B or B \\ A holds between 1 and ``min_size - 1`` clients,
    counted among all clients (approval rate, probability, amounts) or among those with a known
    outcome (default rate, cost). Identical groups reveal nothing (both differences are empty).
    """
    return risk_of_sizes(*apart_sizes(a, b, known), min_size=min_size)


def apart_sizes(a: np.ndarray, b: np.ndarray, known: np.ndarray) -> tuple[tuple[int, int], tuple[int, int]]:
    """(A \\ B, B \\ A) among all clients, then among the clients with a known outcome."""
    known = np.asarray(known, dtype=bool)
    return ((int(np.count_nonzero(a & ~b)), int(np.count_nonzero(b & ~a))),
            (int(np.count_nonzero(a & ~b & known)), int(np.count_nonzero(b & ~a & known))))


def risk_of_sizes(everyone: tuple[int, int], known: tuple[int, int],
                  min_size: int = MIN_COHORT_SIZE) -> DifferencingRisk | None:
    """:func:`differencing_risk` from the sizes of the two differences (:func:`apart_sizes`),
    however they were counted (numpy masks, a database)."""
    for known_outcome, sizes in ((False, everyone), (True, known)):
        small = [n for n in sizes if 0 < n < min_size]
        if small:
            return DifferencingRisk(min(small), known_outcome)
    return None


def _small(counts, min_size: int) -> np.ndarray:
    counts = np.asarray(counts)
    return (counts > 0) & (counts < min_size)


def suppressed_together(rows, min_size: int = MIN_COHORT_SIZE) -> np.ndarray:
    """Which cells of a breakdown may not show their figures when several counts describe each cell.

    ``rows``: one row of counts per population the cells are read over, e.g. for groups A and B shown
    side by side with the same cells: A's clients, B's, A's not in B, B's not in A. A cell is hidden
    wherever any row holds 1 to ``min_size - 1`` clients (a small difference between A's and B's cell
    is those few clients' figure). Then, as in :func:`suppressed`, while the hidden cells together
    hold 1 to ``min_size - 1`` clients in any row, the smallest shown cell that adds to that row is
    hidden too: each side's total is on the page, so the hidden block is a figure in itself. The
    same mask applies to every row (to A's chart AND B's): a cell hidden on one side only would come
    back from the other side's figure.
    """
    rows = np.atleast_2d(np.asarray(rows, dtype=np.int64))
    hidden = np.asarray(_small(rows, min_size).any(axis=0))
    while not hidden.all():
        failing = _small(rows[:, hidden].sum(axis=1), min_size)
        if not failing.any():
            break
        shown = np.flatnonzero(~hidden)
        helps = shown[(rows[np.ix_(failing, shown)] > 0).any(axis=0)]
        candidates = helps if len(helps) else shown
        hidden[candidates[np.argmin(rows[:, candidates].sum(axis=0))]] = True
    return hidden


@dataclass(frozen=True, eq=False)
class MergedBins:
    """Adjacent histogram bins merged until each bar is safe to show.

    ``edges``: the merged bars' edges (a subset of the original edges, so the axis stays honest);
    ``counts``: one row per input row, the merged counts (0 in hidden bars); ``hidden``: bars whose
    counts are withheld (a stretch between two breaks that cannot hold ``min_size`` clients);
    ``base_width``: the original bins' width, to draw wider bars as a share per standard bin.
    """

    edges: np.ndarray
    counts: np.ndarray
    hidden: np.ndarray
    base_width: float

    @property
    def merged(self) -> bool:
        """Whether at least one bar spans more than one original bin."""
        return bool(len(self.edges) > 1 and np.any(np.diff(self.edges) > self.base_width * (1 + 1e-9)))


def merge_bins(edges, rows, breaks=(), min_size: int = MIN_COHORT_SIZE) -> MergedBins:
    """Merge adjacent bins until every bar holds 0 or at least ``min_size`` clients in EVERY row.

    Why merge rather than hide: hiding the small bins of a histogram blanks most of the tails (and,
    for the 8 % of clients with payment difficulties, most of the chart); a wider bar over the same
    clients tells the reader the shape without describing anyone. Rows are read as in
    :func:`suppressed_together` (one group's series, or A's, B's and what tells them apart), so two
    groups shown side by side get the same bars and every bar of one differs from the other's by 0
    or at least ``min_size`` clients.

    Bins are merged left to right; a remainder too small at the end of a stretch joins the bar
    before it. ``breaks``: bin indices where a bar must start (the decision threshold: a bar is wholly
    granted or wholly refused); a stretch between breaks that holds 1 to ``min_size - 1`` clients in
    some row cannot be made safe and is hidden (its counts set to 0, ``hidden`` True).
    """
    edges = np.asarray(edges, dtype=float)
    rows = np.atleast_2d(np.asarray(rows, dtype=np.int64))
    n_bins = len(edges) - 1
    cuts = sorted({0, n_bins, *(int(b) for b in breaks if 0 < int(b) < n_bins)})
    groups: list[list[int]] = []  # [start, stop, hidden]
    for lo, hi in zip(cuts[:-1], cuts[1:], strict=True):
        stretch: list[list[int]] = []
        start = lo
        for stop in range(lo + 1, hi + 1):
            if not _small(rows[:, start:stop].sum(axis=1), min_size).any():
                stretch.append([start, stop, 0])
                start = stop
        if start < hi:  # a remainder too small: it joins the bars before it
            stretch.append([start, hi, 0])
            while len(stretch) > 1 and _small(rows[:, stretch[-1][0]:stretch[-1][1]].sum(axis=1), min_size).any():
                last = stretch.pop()
                stretch[-1][1] = last[1]
            if _small(rows[:, stretch[-1][0]:stretch[-1][1]].sum(axis=1), min_size).any():
                stretch[-1][2] = 1  # the whole stretch holds too few clients: nothing to show
        groups += stretch
    starts = np.array([g[0] for g in groups], dtype=np.int64)
    hidden = np.array([bool(g[2]) for g in groups])
    counts = np.add.reduceat(rows, starts, axis=1) if n_bins else rows[:, :0]
    counts[:, hidden] = 0
    base = float(np.diff(edges).min()) if n_bins else 1.0
    return MergedBins(np.append(edges[starts], edges[-1]), counts, hidden, base)


def apart_rows(cells: np.ndarray, n_cells: int, a: np.ndarray, b: np.ndarray, scope: np.ndarray) -> list[np.ndarray]:
    """Per cell, clients of ``scope`` in A, in B, in A only and in B only (``cells``: the cell index of
    every client, -1 for none): the rows that must each be 0 or at least the floor in a shown cell
    of A and B side by side (:func:`suppressed_together`, :func:`merge_bins`)."""
    valid = cells >= 0

    def count(m):
        return np.bincount(cells[m & valid & scope], minlength=n_cells)[:n_cells]

    return [count(a), count(b), count(a & ~b), count(b & ~a)]
