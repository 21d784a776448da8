"""``scripts/train.py`` logs each run to MLflow and registers the model; ``--no-tracking`` logs nothing."""
import hashlib
import sys

import pytest

from app.scoring.bundle import CARD_FILE, MODEL_FILE, ModelBundle
from app.training.tracking import REGISTERED_MODEL, TRAINING_EXPERIMENT
from tests.scripts.script_support import script_main
from tests.scripts.test_train import run

mlflow = pytest.importorskip("mlflow")
pytestmark = pytest.mark.slow

TINY = ("--demo-labelled", 400, "--demo-new", 0, "--no-search", "--folds", 3, "--threads", 2)


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_training_run_is_logged_with_its_metrics_and_a_registered_version(tmp_path):
    store, out = tmp_path / "store", tmp_path / "model"
    uri = f"sqlite:///{store / 'mlflow.db'}"
    trained = run("train.py", "--model-dir", out, *TINY, env={"MLFLOW_TRACKING_URI": uri})
    assert trained.returncode == 0, trained.stderr
    card = ModelBundle.load(out).card  # the rewritten card still verifies model.cbm's checksum
    info = card.tracking
    assert info is not None and (info.registered_model, info.version, info.uri) == (REGISTERED_MODEL, 1, uri)
    assert f"tracked: MLflow run {info.run_id}, version 1 of {REGISTERED_MODEL}" in trained.stdout

    client = mlflow.MlflowClient(tracking_uri=uri)
    logged = client.get_run(info.run_id)
    assert logged.info.status == "FINISHED"
    assert client.get_experiment(logged.info.experiment_id).name == TRAINING_EXPERIMENT
    cv, metrics = card.metrics.cross_validated, logged.data.metrics
    for name in ("roc_auc", "cost_per_client", "ece", "threshold"):
        assert metrics[name] == pytest.approx(getattr(cv, name)), name
    assert metrics["logistic_regression.roc_auc"] == pytest.approx(card.baselines["logistic_regression"].roc_auc)
    assert metrics["dummy.cost_per_client"] == pytest.approx(card.baselines["dummy"].cost_per_client)
    assert [m.step for m in client.get_metric_history(info.run_id, "search.val_log_loss")] == [0]
    params = logged.data.params
    assert params["seed"] == "42" and params["n_folds"] == "3" and params["source.n_labelled"] == "400"
    assert params["data.labelled.sha256"] == card.data_fingerprint.labelled.sha256
    top = {a.path for a in client.list_artifacts(info.run_id)}
    assert {"model", "figures", "search_log.json", "data_fingerprint.json", CARD_FILE} <= top
    assert {a.path for a in client.list_artifacts(info.run_id, "figures")} == {
        "figures/calibration.html", "figures/cost_curve.html"}
    assert {f"model/{MODEL_FILE}", f"model/{CARD_FILE}"} <= {a.path for a in client.list_artifacts(info.run_id, "model")}
    (version,) = client.search_model_versions(f"name='{REGISTERED_MODEL}'")
    assert (int(version.version), version.run_id) == (1, info.run_id)
    assert (store / "artifacts").is_dir() and not (tmp_path / "mlruns").exists()  # beside the database

    # an already trained folder is logged without retraining: its model file is untouched, its card moves on
    before = _sha(out / MODEL_FILE)
    again = run("train.py", "--model-dir", out, "--track-only", env={"MLFLOW_TRACKING_URI": uri})
    assert again.returncode == 0, again.stderr
    assert "training on" not in again.stdout and _sha(out / MODEL_FILE) == before
    retracked = ModelBundle.load(out).card
    assert retracked.tracking.version == 2 and retracked.tracking.run_id != info.run_id
    assert retracked.metrics == card.metrics and retracked.checksums == card.checksums


def test_no_tracking_logs_nothing(tmp_path):
    store, out = tmp_path / "store", tmp_path / "model"
    trained = run("train.py", "--model-dir", out, *TINY, "--no-tracking",
                  env={"MLFLOW_TRACKING_URI": f"sqlite:///{store / 'mlflow.db'}"})
    assert trained.returncode == 0, trained.stderr
    assert not store.exists() and "tracked" not in trained.stdout
    assert ModelBundle.load(out).card.tracking is None


def test_the_store_address_is_written_without_its_password(tmp_path, monkeypatch):
    from app.training.tracking import public_uri

    assert public_uri("https://alice:s3cret@mlflow.example:5000/base?token=abc#x") == "https://mlflow.example:5000/base"
    assert public_uri("sqlite:////srv/mlruns/mlflow.db") == "sqlite:////srv/mlruns/mlflow.db"
    assert public_uri("databricks") == "databricks"


def test_without_mlflow_train_says_so_in_one_line_before_training(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "mlflow", None)  # import mlflow -> ImportError
    code = script_main("train")(["--model-dir", str(tmp_path / "model"), *map(str, TINY)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("error: experiment tracking needs mlflow") and "--no-tracking" in err
    assert not (tmp_path / "model").exists()


def test_no_tracking_and_track_only_together_are_refused(tmp_path):
    result = run("train.py", "--no-tracking", "--track-only", "--model-dir", tmp_path / "model")
    assert result.returncode == 2 and "not allowed with argument" in result.stderr and "Traceback" not in result.stderr


def test_track_only_of_a_folder_without_a_model_is_one_line(tmp_path):
    result = run("train.py", "--track-only", "--model-dir", tmp_path / "empty",
                 env={"MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path / 'store' / 'mlflow.db'}"})
    assert result.returncode == 2 and result.stderr.startswith("error: no trained model in")
    assert result.stderr.count("\n") == 1
