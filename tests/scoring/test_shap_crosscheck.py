"""The explanations (tabulated TreeSHAP, ``app.scoring.explain``) against the ``shap`` library.

shap is a test-only dependency (requirements-dev.txt): the dashboard never imports it. Two checks:

* independent: shap's own tree-SHAP algorithm (its C++ ``tree_path_dependent`` code on the trees
  parsed from the model's JSON) must give the values ``explain.shap_matrix`` computes.
  shap can only rebuild trees that split on numeric inputs (not CatBoost's categorical CTRs), so
  this runs on a CatBoost model of the numeric model inputs, trained like the served one.
* the served model: ``shap.TreeExplainer`` on the committed demo model stays close to what the client
  file shows and adds up to the model's raw score (shap delegates CatBoost models with categorical
  inputs to CatBoost's C++ code, whose values for this model depend a little on the batch; the
  client file's are checked tree by tree against CatBoost in test_tree_shap.py).
"""
from types import SimpleNamespace

import numpy as np
import pytest

shap = pytest.importorskip("shap")
catboost = pytest.importorskip("catboost")

from app.config import DEFAULT_MODEL_DIR  # noqa: E402 - after the importorskip above
from app.scoring.bundle import ModelBundle  # noqa: E402 - after the importorskip above
from app.scoring.data import prepare_applications  # noqa: E402 - after the importorskip above
from app.scoring.explain import explain_row, shap_matrix  # noqa: E402 - after the importorskip above
from app.scoring.tree_shap import TreeShap  # noqa: E402 - after the importorskip above
from tests.factories import make_applications  # noqa: E402 - after the importorskip above


def _numeric_inputs(n: int, seed: int):
    bundle = ModelBundle.load(DEFAULT_MODEL_DIR)
    applications, _ = prepare_applications(make_applications(n, seed=seed), source="test", labelled=True)
    X = bundle.features(applications)
    numeric = [c for c in X.columns if c not in bundle.cat_features]
    return X[numeric].astype(float), applications["TARGET"].to_numpy()


def _cover_empty_leaves(tree, epsilon: float = 1e-9) -> None:
    """Give the leaves no training row reached a negligible weight (and re-add the inner nodes' sums).

    An oblivious tree of depth d has 2**d leaves, some empty; shap's path-dependent algorithm refuses
    zero weights (it would divide by them), CatBoost gives them a zero share. 1e-9 of a row changes the
    values by far less than the tolerance below.
    """
    weights = tree.node_sample_weight = tree.node_sample_weight.astype(np.float64)  # counts may be integers
    leaves = tree.children_left == -1
    weights[leaves] = np.maximum(weights[leaves], epsilon)
    for node in range(len(weights) - 1, -1, -1):  # children come after their parent in the parsed layout
        if not leaves[node]:
            weights[node] = weights[tree.children_left[node]] + weights[tree.children_right[node]]


def test_shap_own_tree_algorithm_agrees_with_catboost_values_used_by_the_dashboard():
    X, y = _numeric_inputs(3000, seed=5)
    model = catboost.CatBoostClassifier(iterations=60, depth=4, learning_rate=0.1, random_seed=0,
                                        verbose=False, thread_count=2, allow_writing_files=False)
    model.fit(X, y)
    rows = X.iloc[:40]
    assert rows.isna().any().any()  # missing inputs take CatBoost's "Min" branch in both

    ours, base = shap_matrix(SimpleNamespace(model=model, pool=lambda frame: catboost.Pool(frame),
                                             explainer=TreeShap.from_model(model)), rows)

    trees = shap.explainers._tree.CatBoostTreeModelLoader(model).get_trees()
    for tree in trees:
        _cover_empty_leaves(tree)
    explainer = shap.TreeExplainer(trees)  # a list of parsed trees: shap's own algorithm, no CatBoost call
    assert explainer.model.model_type == "internal"
    theirs = explainer.shap_values(rows.to_numpy(dtype=np.float64), check_additivity=False)

    assert ours.shape == theirs.shape == rows.shape
    np.testing.assert_allclose(ours, theirs, atol=1e-6)
    # the base value differs only by the model's bias, which shap's parsed trees leave out
    bias = model.get_scale_and_bias()[1]
    assert base[0] == pytest.approx(float(np.ravel(explainer.expected_value)[0]) + bias, abs=1e-6)


def test_shap_tree_explainer_on_the_served_model_agrees_with_the_client_file():
    bundle = ModelBundle.load(DEFAULT_MODEL_DIR)
    applications, _ = prepare_applications(make_applications(25, seed=8, labelled=False), source="test",
                                           labelled=False)
    X = bundle.features(applications)
    explainer = shap.TreeExplainer(bundle.model)
    values = explainer.shap_values(bundle.pool(X))
    raw = bundle.model.predict(bundle.pool(X), prediction_type="RawFormulaVal")
    np.testing.assert_allclose(values.sum(axis=1) + explainer.expected_value, raw, atol=1e-6)
    slope, intercept = bundle.calibration.slope, bundle.calibration.intercept
    # CatBoost's values for this model depend slightly on the rest of the pool they are computed in (it adds
    # the pool's leaf counts to the trees' weights, see app.scoring.tree_shap); the client file's do not.
    # Exact agreement is checked tree by tree in test_tree_shap.py; here: close, on one row as on screen.
    for i in (0, 7, 24):
        explanation = explain_row(bundle, X.iloc[[i]])
        alone = explainer.shap_values(bundle.pool(X.iloc[[i]]))[0]
        np.testing.assert_allclose(explanation.contributions.to_numpy(), slope * alone, atol=0.02)
        assert explanation.logit == pytest.approx(slope * raw[i] + intercept, abs=1e-6)
