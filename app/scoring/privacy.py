"""The privacy floor: no statistic about fewer than :data:`MIN_COHORT_SIZE` clients, anywhere.

One constant and the few rules built on it, shared by every page (portfolio, model, client file):

- a figure is shown only when it is computed over at least ``MIN_COHORT_SIZE`` clients; a figure
  about outcomes (default rate, cost, error rates, calibration) counts only the clients whose
  outcome is known;
- hiding a small cell is not enough when its neighbours and their total are shown: the total minus
  the shown cells gives the hidden one back (:func:`suppressed`);
- two groups shown side by side give away the clients only one of them holds when those are few
  (:func:`differencing_risk`).

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
    for known_outcome, scope in ((False, np.ones(len(a), dtype=bool)), (True, np.asarray(known, dtype=bool))):
        sizes = (int(np.sum(a & ~b & scope)), int(np.sum(b & ~a & scope)))
        small = [n for n in sizes if 0 < n < min_size]
        if small:
            return DifferencingRisk(min(small), known_outcome)
    return None
