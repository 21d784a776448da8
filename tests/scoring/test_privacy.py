"""The privacy floor's rules against hand-built masks and counts."""
import numpy as np
import pytest

from app.scoring.privacy import (
    MIN_COHORT_SIZE,
    DifferencingRisk,
    apart_rows,
    differencing_risk,
    large_enough,
    merge_bins,
    suppressed,
    suppressed_together,
)


def _mask(n_total: int, members) -> np.ndarray:
    mask = np.zeros(n_total, dtype=bool)
    mask[list(members)] = True
    return mask


ALL_KNOWN = np.ones(200, dtype=bool)


def test_floor():
    assert MIN_COHORT_SIZE == 20
    assert not large_enough(19) and large_enough(20) and not large_enough(0, min_size=0)


@pytest.mark.parametrize("a, b, expected", [
    (range(100), range(100), None),  # identical groups reveal nothing
    (range(100), range(93), DifferencingRisk(7, False)),  # B inside A, 7 clients fewer: their figures = A - B
    (range(93), range(100), DifferencingRisk(7, False)),  # the same, the other way round
    (range(100), range(1, 101), DifferencingRisk(1, False)),  # one client swapped for another
    (range(100), range(80), None),  # 20 clients apart: an aggregate of 20, allowed
    (range(100), range(50, 150), None),  # 50 clients on each side
    (range(100), range(19, 150), DifferencingRisk(19, False)),  # 19 on one side, 50 on the other
    (range(50), range(100, 150), None),  # disjoint groups
])
def test_groups_that_few_clients_tell_apart_are_not_compared(a, b, expected):
    assert differencing_risk(_mask(200, a), _mask(200, b), ALL_KNOWN) == expected


def test_few_known_outcomes_apart_are_enough_to_refuse():
    known = _mask(200, [*range(100), 100, 101, 102])  # of the 30 clients only B holds, 3 have a known outcome
    assert differencing_risk(_mask(200, range(100)), _mask(200, range(130)), known) == DifferencingRisk(3, True)
    no_outcome = _mask(200, range(100))  # none known among the 30: nothing about outcomes to reveal
    assert differencing_risk(_mask(200, range(100)), _mask(200, range(130)), no_outcome) is None


@pytest.mark.parametrize("counts, hidden", [
    ([500, 300, 200], [False, False, False]),
    ([500, 300, 0], [False, False, True]),  # an empty cell hides nothing
    ([500, 300, 5], [False, True, True]),  # 5 hidden clients = the group minus the others: hide the next one too
    ([500, 300, 5, 30], [False, False, True, True]),  # the smallest shown cell goes first
    ([500, 5, 8, 9], [False, True, True, True]),  # 5 + 8 + 9 = 22 hidden: enough
    ([30, 5], [True, True]),
    ([5, 3], [True, True]),
])
def test_small_cells_and_their_complement_are_hidden(counts, hidden):
    assert suppressed(counts).tolist() == hidden


def _all_safe(counts) -> bool:
    counts = np.asarray(counts)
    return bool(np.all((counts == 0) | (counts >= MIN_COHORT_SIZE)))


@pytest.mark.parametrize("counts, edges, shown", [
    ([30, 40, 25], [0, 1, 2, 3], [[30, 40, 25]]),  # nothing to merge: the chart is unchanged
    ([19, 1, 0, 25, 3], [0, 1, 2, 3, 4, 5], [[20, 0, 28]]),  # 19 + 1; the 3 at the end join the 25
    ([1, 0, 0, 0, 0], [0, 1, 2, 3, 4, 5], [[0]]),  # one client only: one bar, hidden
])
def test_small_bins_are_merged_into_wider_bars(counts, edges, shown):
    merged = merge_bins(np.array(edges, dtype=float), [counts])
    assert merged.counts.tolist() == shown
    assert set(merged.edges) <= set(edges) and merged.edges[0] == edges[0] and merged.edges[-1] == edges[-1]
    assert _all_safe(merged.counts)


def test_bars_never_cross_a_break_and_a_stretch_too_small_is_hidden():
    # 30 granted left of the threshold (bin 3), 5 + 3 refused right of it: the refused side cannot be shown
    merged = merge_bins(np.arange(6.0), [[30, 0, 0, 0, 0], [0, 0, 0, 5, 3]], breaks=(3,))
    assert 3.0 in merged.edges
    assert merged.hidden.tolist() == [False, False, False, True] and merged.counts[:, -1].tolist() == [0, 0]
    assert _all_safe(merged.counts)


def test_bins_of_two_groups_are_merged_together_until_they_differ_by_zero_or_twenty():
    """B is A less 2 clients in the first bin and 20 in the third: a bar may not show 22 in A and
    20 in B; merged with the next bins, the bar differs by 22 clients."""
    a, b = np.array([22, 40, 40, 30]), np.array([20, 40, 20, 30])
    merged = merge_bins(np.arange(5.0), [a, b, a - b, np.zeros(4, int)])
    assert merged.edges.tolist() == [0.0, 3.0, 4.0]
    assert merged.counts.tolist() == [[102, 30], [80, 30], [22, 0], [0, 0]]
    # 2 clients apart over the whole range: no bar can be shown
    assert merge_bins(np.arange(3.0), [[22, 40], [20, 40], [2, 0], [0, 0]]).hidden.all()


def test_a_segment_two_clients_apart_is_hidden_in_both_groups_with_enough_around_it():
    """The tester's case: A's 22 commercial associates, B's 20 (2 left out), 40 workers in both,
    30 pensioners in A only. Hiding the associates alone would give them back as A's (or B's)
    total minus the shown segments, so one more segment goes with them, on both sides."""
    a = np.array([22, 40, 30])
    b = np.array([20, 40, 0])
    hidden = suppressed_together([a, b, a - b, np.zeros(3, int)])
    assert hidden[0]
    for row in (a, b, a - b):
        assert _all_safe(row[~hidden]) and _all_safe([row[hidden].sum()])
    assert suppressed_together([a, a, np.zeros(3, int), np.zeros(3, int)]).tolist() == [False, False, False]
    assert suppressed_together([[500, 300, 5]]).tolist() == suppressed([500, 300, 5]).tolist()


def test_apart_rows_count_each_cell_in_a_in_b_and_in_one_only():
    cells = np.array([0, 0, 1, 1, -1, 2])
    a = np.array([1, 1, 1, 0, 1, 0], dtype=bool)
    b = np.array([0, 1, 1, 1, 1, 1], dtype=bool)
    rows = apart_rows(cells, 3, a, b, np.ones(6, dtype=bool))
    assert [r.tolist() for r in rows] == [[2, 1, 0], [1, 2, 1], [1, 0, 0], [0, 1, 1]]
