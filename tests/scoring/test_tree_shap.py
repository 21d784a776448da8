"""The tabulated TreeSHAP (``app.scoring.tree_shap``) against CatBoost's own ``ShapValues``.

CatBoost's values are exact path-dependent TreeSHAP on the trees' leaf weights, except on trees with
leaves that carry a value but no weight (the demo's averaged fold models have some): there it adds the
counts of the rows it is given to the weights. So: equality to rounding on a model without such leaves,
tree by tree on the demo model's other trees (repeated inputs and CTR combinations included), and on
every row the values add up to the raw score and do not depend on the other rows.
"""
import numpy as np
import pandas as pd
import pytest
from catboost import CatBoostClassifier, Pool

from app.config import DEFAULT_MODEL_DIR
from app.scoring.bundle import ModelBundle
from app.scoring.data import prepare_applications
from app.scoring.tree_shap import TreeShap, _model_json, _split_classes, shap_values
from tests.factories import make_applications


def _mixed_frame(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Numeric and categorical inputs, with an interaction, missing values and a repeated-split input."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "x1": rng.normal(size=n), "x2": rng.uniform(size=n), "x3": rng.normal(size=n),
        "c1": rng.choice(list("abcd"), size=n), "c2": rng.choice(list("pqr"), size=n),
        "c3": rng.choice(["u", "v"], size=n),
    })
    frame.loc[rng.uniform(size=n) < 0.1, "x3"] = np.nan
    logit = (1.5 * frame["x1"] - 2 * (frame["x2"] - 0.5) ** 2 + (frame["c1"] == "a") * (frame["c2"] == "p") * 2
             + (frame["c3"] == "u") * 0.5 + np.nan_to_num(frame["x3"]))
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(int)
    return frame, y


def _valued_empty_leaves(model) -> np.ndarray:
    """Per tree: does a leaf with zero weight carry a value?"""
    trees = _model_json(model)["oblivious_trees"]
    return np.array([bool(((np.array(t["leaf_weights"]) == 0) & (np.array(t["leaf_values"]) != 0)).any())
                     for t in trees])


@pytest.fixture(scope="module")
def mixed_model():
    X, y = _mixed_frame(3000, seed=1)
    model = CatBoostClassifier(iterations=80, depth=5, learning_rate=0.2, random_seed=0, verbose=False,
                               thread_count=2, allow_writing_files=False, cat_features=["c1", "c2", "c3"])
    model.fit(X, y)
    return model, X


def test_equals_catboost_on_a_model_with_numeric_and_categorical_inputs(mixed_model):
    model, X = mixed_model
    spec = _model_json(model)
    split_types = {s["split_type"] for t in spec["oblivious_trees"] for s in t["splits"] or []}
    assert {"FloatFeature", "OnlineCtr"} <= split_types  # numeric splits and CTRs are both exercised
    assert not _valued_empty_leaves(model).any()  # the case where CatBoost's values are pure TreeSHAP
    pool = Pool(X.iloc[:300], cat_features=["c1", "c2", "c3"])
    theirs = model.get_feature_importance(pool, type="ShapValues")
    ours, base = shap_values(model, TreeShap.from_model(model), pool)
    np.testing.assert_allclose(ours, theirs[:, :-1], atol=1e-10)
    np.testing.assert_allclose(base, theirs[:, -1], atol=1e-10)


@pytest.fixture(scope="module")
def demo():
    bundle = ModelBundle.load(DEFAULT_MODEL_DIR)
    applications, _ = prepare_applications(make_applications(120, seed=4), source="test", labelled=True)
    return bundle, bundle.features(applications)


def test_demo_model_tree_by_tree_equals_catboost_where_catboost_is_pure_treeshap(demo):
    bundle, X = demo
    pool = bundle.pool(X)
    explainer = bundle.explainer
    leaves = bundle.model.calc_leaf_indexes(pool)
    valued_empty = _valued_empty_leaves(bundle.model)
    spec = _model_json(bundle.model)
    def splits_twice(tree) -> bool:
        numeric = [s["float_feature_index"] for s in tree["splits"] or [] if s["split_type"] == "FloatFeature"]
        return len(set(numeric)) < len(numeric)

    class_of = _split_classes(spec["features_info"])

    def combines(tree) -> bool:  # a CTR on several categorical inputs at once
        return any(len(class_of(s)) > 1 for s in tree["splits"] or [])

    trees = spec["oblivious_trees"]
    repeated = [i for i, t in enumerate(trees) if splits_twice(t) and not valued_empty[i]]
    combined = [i for i, t in enumerate(trees) if combines(t) and not valued_empty[i]]
    pure = np.flatnonzero(~valued_empty)
    chosen = sorted({*pure[:: max(1, len(pure) // 40)].tolist(), *repeated[:10], *combined[:10]})
    assert repeated and combined  # trees that split twice on one input, or on combined inputs, are checked
    n_slots = explainer.tables.shape[2]
    for t in chosen:
        single = bundle.model.copy()
        single.shrink(t + 1, t)
        theirs = single.get_feature_importance(pool, type="ShapValues")[:, :-1]
        per_slot = explainer.tables[t, leaves[:, t]]  # rows × slots
        ours = per_slot @ explainer.slot_inputs[t * n_slots:(t + 1) * n_slots]
        np.testing.assert_allclose(ours, theirs, atol=1e-12, err_msg=f"tree {t}")


def test_demo_values_add_up_to_the_raw_score_and_do_not_depend_on_the_batch(demo):
    bundle, X = demo
    pool = bundle.pool(X)
    ours, base = shap_values(bundle.model, bundle.explainer, pool)
    raw = bundle.model.predict(pool, prediction_type="RawFormulaVal")
    np.testing.assert_allclose(ours.sum(axis=1) + base, raw, atol=1e-10)
    alone, _ = shap_values(bundle.model, bundle.explainer, bundle.pool(X.iloc[[7]]))
    np.testing.assert_allclose(alone[0], ours[7], rtol=0, atol=1e-14)  # rounding only (CatBoost: ~1e-4)
    # and they stay close to CatBoost's, whose pool-dependent part is small
    gap = np.abs(ours - bundle.model.get_feature_importance(pool, type="ShapValues")[:, :-1])
    assert np.median(gap) < 1e-3 and gap.max() < 0.05


def test_refuses_models_it_cannot_explain():
    X, y = _mixed_frame(400, seed=2)
    numeric = X[["x1", "x2", "x3"]]
    depthwise = CatBoostClassifier(iterations=5, depth=3, grow_policy="Depthwise", verbose=False,
                                   allow_writing_files=False, thread_count=1).fit(numeric, y)
    with pytest.raises(ValueError, match="oblivious"):
        TreeShap.from_model(depthwise)
    multiclass = CatBoostClassifier(iterations=5, depth=3, loss_function="MultiClass", verbose=False,
                                    allow_writing_files=False, thread_count=1).fit(numeric, y + (X["x1"] > 1))
    with pytest.raises(ValueError, match="one-dimensional"):
        TreeShap.from_model(multiclass)


def test_leaf_indexes_of_the_wrong_shape_are_refused(mixed_model):
    model, _ = mixed_model
    explainer = TreeShap.from_model(model)
    with pytest.raises(ValueError, match="leaf indexes"):
        explainer.values(np.zeros((2, 3), dtype=int))
