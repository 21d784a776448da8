"""The privacy floor's rules against hand-built masks and counts."""
import numpy as np
import pytest

from app.scoring.privacy import MIN_COHORT_SIZE, DifferencingRisk, differencing_risk, large_enough, suppressed


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
