"""The reference LightGBM of ``scripts/benchmark_model.py`` (benchmark-only dependency)."""
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from tests.factories import make_applications
from tests.scripts.script_support import script_module

pytest.importorskip("lightgbm")


@pytest.fixture(scope="module")
def benchmark():
    """The script as a module (scripts put their folder on the path to find ``_bootstrap``)."""
    with script_module("benchmark_model") as module:
        yield module


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


@pytest.mark.slow
def test_a_benchmark_run_is_logged_to_mlflow_and_no_tracking_logs_nothing(benchmark, tmp_path, monkeypatch, capsys):
    mlflow = pytest.importorskip("mlflow")
    data = tmp_path / "data"
    data.mkdir()
    make_applications(600, seed=31).to_csv(data / "application_train.csv", index=False)
    args = ["--data-dir", str(data), "--quick", "--skip-lightgbm", "--folds", "2", "--search-budget", "0"]
    untracked = tmp_path / "untracked"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{untracked / 'mlflow.db'}")
    assert benchmark.main([*args, "--no-tracking"]) == 0
    assert not untracked.exists() and "tracked:" not in capsys.readouterr().out

    uri = f"sqlite:///{tmp_path / 'store' / 'mlflow.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    assert benchmark.main(args) == 0
    out = capsys.readouterr().out
    client = mlflow.MlflowClient(tracking_uri=uri)
    (run,) = client.search_runs([client.get_experiment_by_name("credit-default-benchmark").experiment_id])
    assert f"tracked: MLflow run {run.info.run_id}" in out and run.info.status == "FINISHED"
    metrics = run.data.metrics
    auc = float(out.split("CatBoost (this project)")[1].split("AUC ")[1].split()[0])  # the printed line
    assert metrics["catboost_this_project.roc_auc"] == pytest.approx(auc, abs=5e-5)
    assert {"logistic_regression.cost_per_client", "catboost_this_project.ece", "catboost_this_project.threshold",
            "timings.explain_median_ms", "timings.catboost_training_seconds"} <= set(metrics)
    assert run.data.params["folds"] == "2" and run.data.params["data_dir"] == "data"
    assert "results.json" in {a.path for a in client.list_artifacts(run.info.run_id)}
