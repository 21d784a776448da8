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


def test_thousands_of_bins_take_a_wider_key_not_an_error():
    rng = np.random.default_rng(0)
    cells, classes = rng.integers(-1, 5000, 2000).astype(np.int16), rng.integers(0, 3, 2000).astype(np.int8)
    a = rng.uniform(size=2000) < 0.5
    key = static_key(cells, 5000, classes, 2)
    assert key.dtype == np.int32
    counts = cross_counts(key, 5000, 2, a)
    assert np.array_equal(in_a(counts[1]), np.bincount(cells[a & (classes == 1) & (cells >= 0)], minlength=5000))


def test_a_portfolio_with_a_client_without_probability_is_refused(frame):
    broken = frame.copy()
    broken.iloc[3, broken.columns.get_loc("PROBA_DEFAULT")] = np.nan
    with pytest.raises(ValueError, match="1 clients of the portfolio have no probability"):
        GroupArrays.compute(broken, 0.2)


def test_an_infinite_amount_stays_infinite(frame):
    wide = frame.copy()
    wide.iloc[0, wide.columns.get_loc("AMT_CREDIT")] = np.inf
    mask = np.ones(len(wide), dtype=bool)
    assert group_kpis(mask, GroupArrays.compute(wide, 0.2), 0.2)["exposure"] == kpis(wide, 0.2)["exposure"] == np.inf
