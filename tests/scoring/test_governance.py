"""Model-page figures: cost explorer against the engine's threshold, curves, SHAP summaries."""
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score, roc_curve

from app.scoring.bundle import OOF_FILE, SHAP_SAMPLE_FILE, ModelBundle
from app.scoring.governance import (
    align_shap_inputs,
    dependence_points,
    explore_costs,
    mean_abs_shap,
    pr_points,
    roc_point_at,
    roc_points,
    summary_points,
)
from app.scoring.metrics import CostModel, business_cost, optimal_threshold


def _random(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.1).astype(int)
    p = np.clip(0.1 + 0.15 * (y - 0.1) + rng.normal(0, 0.08, n), 0.001, 0.999)
    return y, p


@pytest.mark.parametrize("costs", [CostModel(10, 1), CostModel(3, 2), CostModel(50, 1)])
def test_cost_curve_minimum_is_the_engine_optimum(costs):
    y, p = _random()
    result = explore_costs(y, p, costs, threshold=0.3)
    best = optimal_threshold(y, p, costs)
    assert result.curve["cost_per_client"].min() == pytest.approx(best.cost_per_client)
    assert result.optimum_threshold == best.threshold and result.optimum_cost == pytest.approx(best.cost_per_client)


def test_figures_at_the_chosen_threshold_are_hand_checkable():
    y = np.array([1, 0, 0, 1, 0])
    p = np.array([0.9, 0.8, 0.1, 0.2, 0.3])
    at = explore_costs(y, p, CostModel(10, 1), threshold=0.5, min_size=1).at  # the arithmetic, no floor
    # refused: 0.9 (bad), 0.8 (good) -> FP 1; granted 0.1, 0.2 (bad), 0.3 -> FN 1
    assert (at["fn"], at["fp"], at["tn"], at["tp"]) == (1, 1, 2, 1)
    assert at["approval_rate"] == pytest.approx(3 / 5)
    assert at["default_rate_approved"] == pytest.approx(1 / 3)
    assert at["cost_per_client"] == pytest.approx((10 * 1 + 1) / 5) == business_cost(y, p, 0.5)


def test_no_figure_at_a_threshold_that_grants_or_refuses_only_a_few_clients():
    rng = np.random.default_rng(1)
    p = rng.uniform(0, 1, 3000)  # no ties: k clients below a cut between the k-th and (k+1)-th probability
    y = (rng.random(3000) < p).astype(int)
    ordered = np.sort(p)
    five_granted = float((ordered[4] + ordered[5]) / 2)
    result = explore_costs(y, p, CostModel(10, 1), threshold=five_granted)
    assert result.too_few == ("granted", 5) and result.at["approval_rate"] == pytest.approx(5 / 3000)
    assert all(result.at[k] is None for k in ("default_rate_approved", "fn", "fp", "tn", "tp", "cost_per_client"))
    three_refused = explore_costs(y, p, CostModel(10, 1), threshold=float((ordered[-4] + ordered[-3]) / 2))
    assert three_refused.too_few == ("refused", 3) and three_refused.at["fp"] is None
    curve = result.curve
    granted = curve["tn"] + curve["fn"]
    few = ((granted > 0) & (granted < 20)) | ((3000 - granted > 0) & (3000 - granted < 20))
    assert few.any() and curve.loc[few, "cost_per_client"].isna().all()
    assert curve.loc[~few, "cost_per_client"].notna().all()
    assert explore_costs(y, p, CostModel(10, 1), threshold=0.3).too_few is None


def test_oof_optimum_for_the_card_costs_is_the_production_threshold(small_model_dir):
    out, card, _, _ = small_model_dir
    bundle = ModelBundle.load(out)
    oof = pd.read_parquet(out / OOF_FILE)
    result = explore_costs(oof["TARGET"], oof["PROBA_OOF"], bundle.costs, bundle.threshold)
    assert result.optimum_threshold == pytest.approx(bundle.threshold)
    assert result.at["cost_per_client"] == pytest.approx(card.decision.costs_per_client.at_threshold)


def test_roc_and_pr_points():
    y, p = _random()
    roc = roc_points(y, p)
    assert roc["auc"] == pytest.approx(roc_auc_score(y, p))
    assert len(roc["fpr"]) <= 200 and roc["fpr"][0] == 0 and roc["tpr"][-1] == 1
    full_fpr, _, _ = roc_curve(y, p)  # the thinned curve, drawn in place of the full one, keeps its area
    assert len(full_fpr) > 200 and np.trapezoid(roc["tpr"], roc["fpr"]) == pytest.approx(roc["auc"], abs=0.002)
    pr = pr_points(y, p)
    assert pr["prevalence"] == pytest.approx(y.mean()) and len(pr["recall"]) <= 200
    fpr, tpr = roc_point_at([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9], 0.5)
    assert (fpr, tpr) == (0.5, 0.5)


def test_shap_summaries(small_model_dir):
    out, _, labelled, _ = small_model_dir
    bundle = ModelBundle.load(out)
    shap = pd.read_parquet(out / SHAP_SAMPLE_FILE)
    importance = mean_abs_shap(shap)
    assert "SK_ID_CURR" not in importance.index and importance.is_monotonic_decreasing
    X = bundle.features(labelled).set_index(labelled["SK_ID_CURR"].to_numpy())
    shap_al, X_al = align_shap_inputs(shap, X.iloc[::-1])
    assert list(X_al.index) == list(shap_al["SK_ID_CURR"])
    top = list(importance.index[:3])
    points = summary_points(shap_al, X_al, top, max_points=100)
    assert len(points) == 300 and set(points["feature"]) == set(top)
    assert points["rank"].dropna().between(0, 1).all()
    dep = dependence_points(shap_al, X_al, top[0])
    assert dep["shap"].to_numpy() == pytest.approx(shap_al[top[0]].to_numpy())
    with pytest.raises(KeyError, match="unknown model feature"):
        dependence_points(shap_al, X_al, "NOPE")
