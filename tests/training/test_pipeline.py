"""End to end: train -> model folder -> load -> score -> explain -> predict script."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from app.components.fairness import oof_fairness_tables
from app.config import PROJECT_DIR, PROTECTED_ATTRIBUTES
from app.scoring.bundle import CARD_FILE, MODEL_FILE, OOF_FILE, PORTFOLIO_FILE, SHAP_SAMPLE_FILE, ModelBundle
from app.scoring.explain import OTHER_FEATURES, explain_row, waterfall_steps
from app.scoring.metrics import business_cost, optimal_threshold
from app.scoring.model_card import FORMAT_VERSION, ModelCard
from app.scoring.portfolio import PortfolioStore
from tests.factories import make_applications
from tests.scripts.script_support import script_env


def test_model_folder_and_card(small_model_dir):
    out, card, labelled, _ = small_model_dir
    for name in (MODEL_FILE, CARD_FILE, OOF_FILE, SHAP_SAMPLE_FILE, PORTFOLIO_FILE):
        assert (out / name).exists(), name
    assert ModelCard.from_dict(json.loads((out / CARD_FILE).read_text())) == card  # what training returned, as written
    assert set(card.features.protected_excluded) == set(PROTECTED_ATTRIBUTES)
    assert not set(PROTECTED_ATTRIBUTES) & set(card.features.names)
    assert {"dummy", "logistic_regression"} <= set(card.baselines)
    assert card.data_fingerprint.labelled.rows == len(labelled)
    assert {"catboost", "scikit-learn", "python"} <= set(card.versions)
    assert {g.group for g in card.fairness["gender"]} <= {"F", "M", "unknown"}  # missing gender is reported, not dropped
    costs = card.decision.costs_per_client
    assert costs.at_threshold <= min(costs.accept_all, costs.refuse_all, costs.at_0_5) + 1e-12
    assert card.model.pipeline_seconds is not None and card.format_version == FORMAT_VERSION


def test_the_card_records_the_fairness_the_model_page_shows(small_model_dir):
    """One computation: the card's tables are those of the out-of-fold file the model page reads."""
    out, card, _, _ = small_model_dir
    oof = pd.read_parquet(out / OOF_FILE)
    shown = oof_fairness_tables(oof, card.decision.threshold)
    assert set(shown) == set(card.fairness)
    for attribute, table in shown.items():
        recorded = pd.DataFrame([row.to_dict() for row in card.fairness[attribute]])
        pd.testing.assert_frame_equal(recorded, table.astype({"disparate_impact": float}), check_dtype=False)


def test_threshold_is_optimal_on_the_out_of_fold_predictions(small_model_dir):
    out, card, _, _ = small_model_dir
    oof = pd.read_parquet(out / OOF_FILE)
    choice = optimal_threshold(oof["TARGET"], oof["PROBA_OOF"])
    assert card.decision.threshold == pytest.approx(choice.threshold)
    assert card.metrics.cross_validated.cost_per_client == pytest.approx(
        business_cost(oof["TARGET"], oof["PROBA_OOF"], choice.threshold))
    assert card.metrics.cross_validated.roc_auc > 0.55  # the factory's weak signal is learnt


def test_training_is_deterministic(small_model_dir, tmp_path):
    from app.training.pipeline import run_training
    from tests.model_fixture import SMALL_CONFIG

    out, card, labelled, new = small_model_dir
    again = run_training(labelled, new, tmp_path, config=SMALL_CONFIG, source={"kind": "test"}, log=lambda m: None,
                         write_served_portfolio=False)
    assert again.decision.threshold == card.decision.threshold
    assert again.metrics.cross_validated == card.metrics.cross_validated
    # byte for byte: CatBoost's per-run GUIDs and timestamps are not written (the checksum is reproducible)
    assert again.checksums == card.checksums
    assert (tmp_path / MODEL_FILE).read_bytes() == (out / MODEL_FILE).read_bytes()


def test_scores_and_explanations_add_up(small_model_dir):
    out, _, labelled, _ = small_model_dir
    bundle = ModelBundle.load(out)
    X = bundle.features(labelled.head(20))
    proba = bundle.proba(X)
    assert ((proba > 0) & (proba < 1)).all()
    for i in range(3):
        expl = explain_row(bundle, X.iloc[[i]])
        assert expl.proba == pytest.approx(proba[i], abs=1e-9)
        assert expl.base_logit + expl.contributions.sum() == pytest.approx(expl.logit)
        assert not set(PROTECTED_ATTRIBUTES) & set(expl.contributions.index)
        steps = waterfall_steps(expl, top_n=5)
        assert len(steps) == 6 and steps.iloc[-1]["feature"] == OTHER_FEATURES
        assert steps["points"].sum() == pytest.approx(100 * (expl.proba - expl.base_proba), abs=1e-9)
        assert steps.iloc[-1]["end"] == pytest.approx(100 * expl.proba)
        ranked = steps.iloc[:-1]["logit"].abs().to_numpy()
        assert (np.diff(ranked) <= 1e-12).all()


def test_portfolio_store(small_model_dir):
    out, _, labelled, new = small_model_dir
    store = PortfolioStore.open(out / PORTFOLIO_FILE, columns=["PROBA_DEFAULT", "DECISION", "IS_LABELLED", "TARGET"])
    assert len(store.frame) == len(labelled) + len(new)
    assert store.frame.index.is_monotonic_increasing
    first = int(labelled["SK_ID_CURR"].iloc[0])
    assert first in store and 1 not in store
    all_ids = store.frame.index.tolist()
    for prefix, limit in (("1000", 5), ("9", 3), ("1014", 50), ("90029", 10), ("7", 5)):
        expected = sorted(i for i in all_ids if str(i).startswith(prefix))[:limit]
        assert store.search_ids(prefix, limit=limit) == expected
    assert store.search_ids("<script>") == [] and store.search_ids("") == []
    assert store.search_ids("0") == [] and store.search_ids("0100") == []  # no id starts with 0
    row = store.client_row(first)
    assert len(row) == 1 and row["SK_ID_CURR"].iloc[0] == first
    assert store.client_row(123).empty
    assert store.frame.loc[store.frame["IS_LABELLED"] == False, "TARGET"].isna().all()  # noqa: E712 - pandas element-wise comparison
    assert store.frame.loc[store.frame["IS_LABELLED"] == True, "PROBA_DEFAULT"].notna().all()  # noqa: E712 - pandas element-wise comparison


def test_predict_script(small_model_dir, tmp_path):
    out, card, _, _ = small_model_dir
    source = make_applications(40, seed=99, labelled=False, first_id=500_000)
    source.to_csv(tmp_path / "apps.csv", index=False)
    result = subprocess.run([sys.executable, str(PROJECT_DIR / "scripts" / "predict.py"), "--model-dir", str(out),
                             "--input", str(tmp_path / "apps.csv"), "--output", str(tmp_path / "scores.csv")],
                            capture_output=True, text=True, timeout=120, env=script_env())
    assert result.returncode == 0, result.stderr
    scores = pd.read_csv(tmp_path / "scores.csv")
    assert list(scores.columns) == ["SK_ID_CURR", "PROBA_DEFAULT", "DECISION", "GRADE"]
    assert scores["SK_ID_CURR"].tolist() == source["SK_ID_CURR"].tolist()
    threshold = card.decision.threshold
    assert ((scores["PROBA_DEFAULT"] >= threshold) == (scores["DECISION"] == "refused")).all()


def test_predict_script_rejects_bad_input_clearly(small_model_dir, tmp_path):
    out, _, _, _ = small_model_dir
    bad = make_applications(5, labelled=False).drop(columns=["AMT_CREDIT"])
    bad.to_csv(tmp_path / "bad.csv", index=False)
    result = subprocess.run([sys.executable, str(PROJECT_DIR / "scripts" / "predict.py"), "--model-dir", str(out),
                             "--input", str(tmp_path / "bad.csv"), "--output", str(tmp_path / "s.csv")],
                            capture_output=True, text=True, timeout=120, env=script_env())
    assert result.returncode == 2
    assert "AMT_CREDIT" in result.stderr and "Traceback" not in result.stderr
    missing = subprocess.run([sys.executable, str(PROJECT_DIR / "scripts" / "predict.py"), "--model-dir",
                              str(tmp_path / "nowhere"), "--input", str(tmp_path / "bad.csv"), "--output",
                              str(tmp_path / "s.csv")], capture_output=True, text=True, timeout=120, env=script_env())
    assert missing.returncode == 2 and "train.py" in missing.stderr


def test_rows_of_many_clients_read_group_by_group(small_model_dir):
    out, _, labelled, new = small_model_dir
    store = PortfolioStore.open(out / PORTFOLIO_FILE, columns=["PROBA_DEFAULT"])
    wanted = [int(i) for i in labelled["SK_ID_CURR"].iloc[::97]] + [int(new["SK_ID_CURR"].iloc[-1]), 42]
    rows = store.rows(wanted, columns=["AMT_CREDIT", "PROBA_DEFAULT"])
    assert rows["SK_ID_CURR"].tolist() == sorted(set(wanted) - {42})  # unknown ids skipped
    assert list(rows.columns) == ["SK_ID_CURR", "AMT_CREDIT", "PROBA_DEFAULT"]
    one = store.client_row(wanted[3])
    assert rows.set_index("SK_ID_CURR").loc[wanted[3], "AMT_CREDIT"] == one["AMT_CREDIT"].iloc[0]
    assert store.rows([42]).empty


def _folder_digest(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_run_that_fails_midway_leaves_the_previous_model_whole(small_model_dir, tmp_path, monkeypatch):
    import shutil

    from app.training import pipeline
    from tests.model_fixture import SMALL_CONFIG

    out, _, labelled, new = small_model_dir
    served = tmp_path / "served"
    shutil.copytree(out, served)
    before = _folder_digest(served)

    def explanations_fail(*args, **kwargs):
        raise RuntimeError("SHAP failed")

    monkeypatch.setattr(pipeline, "shap_matrix", explanations_fail)  # after the model is written
    with pytest.raises(RuntimeError, match="SHAP failed"):
        pipeline.run_training(labelled.head(600), new, served, config=SMALL_CONFIG, source={"kind": "test"},
                              log=lambda m: None)
    assert _folder_digest(served) == before
    assert [p.name for p in tmp_path.iterdir()] == ["served"]  # no staging folder left behind


def test_retraining_without_previous_applications_removes_the_stale_term_model(small_model_dir, tmp_path):
    from app.scoring.loan_terms import TERM_MODEL_FILE
    from app.training.pipeline import run_training
    from tests.model_fixture import SMALL_CONFIG

    _, _, labelled, _ = small_model_dir
    (tmp_path / TERM_MODEL_FILE).write_bytes(b"left by a run with previous applications")
    run_training(labelled.head(600), None, tmp_path, config=SMALL_CONFIG, source={"kind": "test"},
                 log=lambda m: None, write_served_portfolio=False)
    assert not (tmp_path / TERM_MODEL_FILE).exists()
    assert ModelBundle.load(tmp_path).term_model is None


def test_too_few_new_applications_for_a_drift_report_train_without_one(small_model_dir, tmp_path):
    from app.scoring.drift import MIN_DRIFT_SAMPLE, REPORT_FILE
    from app.training.pipeline import run_training
    from tests.model_fixture import SMALL_CONFIG

    _, _, labelled, new = small_model_dir
    logged = []
    run_training(labelled.head(600), new.head(10), tmp_path, config=SMALL_CONFIG, source={"kind": "test"},
                 log=logged.append)
    assert (tmp_path / PORTFOLIO_FILE).exists() and not (tmp_path / REPORT_FILE).exists()
    assert f"no drift report: it needs {MIN_DRIFT_SAMPLE} labelled and {MIN_DRIFT_SAMPLE} new applications, " \
           "found 600 and 10" in logged
