"""The reference LightGBM of ``scripts/benchmark_model.py`` (benchmark-only dependency)."""
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from app.config import PROJECT_DIR
from tests.factories import make_applications

pytest.importorskip("lightgbm")


@pytest.fixture(scope="module")
def benchmark():
    """The script as a module (scripts put their folder on the path to find ``_bootstrap``)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(PROJECT_DIR / "scripts"))
        import benchmark_model
        yield benchmark_model


def test_kernel_features_keep_every_raw_column_and_add_the_kernel_ratios(benchmark):
    applications = make_applications(200, seed=3)
    X, cats = benchmark.kernel_features(applications)
    assert "CODE_GENDER" in X.columns and "TARGET" not in X.columns and "SK_ID_CURR" not in X.columns
    assert {"PAYMENT_RATE", "DAYS_EMPLOYED_PERC", "INCOME_CREDIT_PERC"} <= set(X.columns)
    np.testing.assert_allclose(X["PAYMENT_RATE"], applications["AMT_ANNUITY"] / applications["AMT_CREDIT"])
    assert "NAME_CONTRACT_TYPE" in cats and "CODE_GENDER" not in cats  # binary columns are factorised


def test_reference_scores_out_of_fold_and_averages_its_fold_models_on_new_rows(benchmark):
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=3000), "c": rng.choice(list("xyz"), 3000)})
    y = (X["a"] + rng.normal(size=3000) > 1.2).astype(int).to_numpy()
    oof, new = benchmark.lightgbm_seed(X, y, np.arange(3000) % 3, ["c"], seed=0, X_new=X.iloc[:50])
    assert roc_auc_score(y, oof) > 0.75
    assert new.shape == (50,) and np.corrcoef(new, X["a"].iloc[:50])[0, 1] > 0.8
    assert benchmark.lightgbm_seed(X, y, np.arange(3000) % 3, ["c"], seed=0)[1] is None
