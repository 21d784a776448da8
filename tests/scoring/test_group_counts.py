"""One-pass counts and key figures equal the per-count code they replace, on random groups."""
import numpy as np
import pytest

from app.scoring.cohorts import kpis
from app.scoring.group_arrays import GroupArrays
from app.scoring.group_counts import apart, cross_counts, group_kpis, in_a, static_key
from app.scoring.privacy import apart_rows
from tests.scoring.test_groups import served_frame


@pytest.fixture(scope="module")
def frame():
    return served_frame(n=900, seed=3)


@pytest.mark.parametrize("seed", range(6))
def test_cross_counts_are_the_masked_bincounts(frame, seed):
    rng = np.random.default_rng(seed)
    arrays = GroupArrays.compute(frame, 0.2)
    a, b = rng.uniform(size=len(frame)) < 0.4, rng.uniform(size=len(frame)) < 0.5
    cells = arrays.feature_bins["EXT_SOURCE_3"]  # has missing values (-1)
    n_cells = int(cells.max()) + 1
    counts = cross_counts(static_key(cells, n_cells, arrays.outcome, 2), n_cells, 2, a, b)
    for k, series in enumerate([arrays.known & (arrays.target == 0), arrays.known & (arrays.target == 1)]):
        expected = apart_rows(cells, n_cells, a, b, series)
        assert all(np.array_equal(x, y) for x, y in zip(apart(counts[k]), expected, strict=True))
    alone = cross_counts(static_key(cells, n_cells, arrays.outcome, 2), n_cells, 2, a)
    assert np.array_equal(in_a(alone[1]), np.bincount(cells[a & (arrays.outcome == 1) & (cells >= 0)], minlength=n_cells))


@pytest.mark.parametrize("share", [0.0, 0.01, 0.03, 0.3, 1.0])
def test_group_kpis_are_cohorts_kpis(frame, share):
    arrays = GroupArrays.compute(frame, 0.2)
    mask = np.random.default_rng(int(share * 100)).uniform(size=len(frame)) < share
    expected = kpis(frame[mask], 0.2)
    got = group_kpis(mask, arrays, 0.2)
    sums = ("mean_proba", "exposure", "expected_loss")  # floating-point sums in another order
    assert {k: v for k, v in got.items() if k not in sums} == {k: v for k, v in expected.items() if k not in sums}
    for k in sums:
        assert got[k] == (None if expected[k] is None else pytest.approx(expected[k], rel=1e-12)), k
