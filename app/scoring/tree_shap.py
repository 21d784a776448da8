"""Exact path-dependent TreeSHAP of a CatBoost model of oblivious trees, tabulated once per model.

Why not ``get_feature_importance(type="ShapValues")`` for every client: for one row CatBoost walks all
trees again (about 20–30 ms for the demo model's 1,795 trees, more when the cores are busy), and its
values are not a function of the row alone. On a model whose trees have leaves that no training row
reached but that carry a value (CatBoost's averaged fold models have some: 381 of the demo's 1,795
trees), it adds to the trees' leaf weights the counts of the rows it is given (and counts a weightless
node on the row's path as 0): one client explained alone or in a batch of 120 got values differing by
up to 0.017 log-odds. Here the explanation is a pure function of the model and the row.

How: an oblivious tree of depth d sends a row to one of 2**d leaves, and its SHAP values depend on
nothing but that leaf. So for every tree and every leaf the Shapley values of the tree's players are
computed once, when the model is loaded (``TreeShap.from_model``), and explaining a row is a lookup of
the row's leaf in each tree (CatBoost's ``calc_leaf_indexes``) and a sum.

The values are those of Lundberg's path-dependent TreeSHAP, as CatBoost defines them for its models:

- the value of a coalition S of players is the tree's output when the splits on S follow the row
  and every other split is averaged over both sides, weighted by the training weight that went each
  way (the model's own leaf weights); the root is the tree's *last* split, as in CatBoost;
- a player is a CatBoost "combination class": a numeric input, a one-hot categorical input, or the
  set of categorical inputs of a CTR (a split on several categorical inputs at once); a class's value
  is shared equally between its inputs, as CatBoost does;
- an input that a tree splits on twice is one player (both splits follow the row together).

Exact, not approximated: for every tree whose zero-weight leaves carry no value, the values equal
CatBoost's to rounding (``tests/scoring/test_tree_shap.py`` checks this tree by tree, and the ``shap``
library's own algorithm on a model of numeric inputs); for every row they add up, with the base
value, to the model's raw score. The tables hold 2**d × d numbers per tree (2.3 MB for the demo).
"""
from __future__ import annotations

import json
import math
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from catboost import CatBoost, Pool

#: Rows looked up at once: bounds a batch's working memory (rows × trees × depth numbers).
_CHUNK_ROWS = 256
#: Trees tabulated at once (temporaries of ~1 MB: larger ones stay in the allocator's heap afterwards).
_CHUNK_TREES = 64


@dataclass(frozen=True)
class TreeShap:
    """Per-leaf Shapley tables of every tree, and how players map to model inputs.

    ``tables[t, leaf, slot]``: contribution of tree ``t``'s ``slot``-th player for a row in ``leaf``
    (raw model units); ``slot_inputs[t * slots + slot, input]``: the share of that player's value each
    model input receives (its class's inputs, equally; zeros for an unused slot); ``base``: the model's
    expected raw score (sum of the trees' weighted mean leaf values, plus bias).
    """

    tables: np.ndarray
    slot_inputs: np.ndarray
    base: float

    @classmethod
    def from_model(cls, model: CatBoost) -> TreeShap:
        """Tabulate a fitted CatBoost model (oblivious trees, one output dimension)."""
        return cls.from_json(_model_json(model))

    @classmethod
    def from_json(cls, spec: dict[str, Any]) -> TreeShap:
        trees = spec.get("oblivious_trees")
        if not trees:
            raise ValueError("TreeShap needs a CatBoost model of oblivious trees")
        class_of = _split_classes(spec["features_info"])
        classes: dict[tuple[int, ...], int] = {}
        depth = max(len(t["splits"] or []) for t in trees)
        tables = np.zeros((len(trees), 2 ** depth, max(depth, 1)))
        slot_class = np.full((len(trees), max(depth, 1)), -1, dtype=np.int64)
        levels = np.zeros((len(trees), max(depth, 1)), dtype=np.int64)  # level -> slot
        base = 0.0
        by_depth: dict[int, list[int]] = {}
        for i, tree in enumerate(trees):
            splits = tree["splits"] or []
            if len(tree["leaf_values"]) != 2 ** len(splits):
                raise ValueError("TreeShap handles one-dimensional models only")
            by_depth.setdefault(len(splits), []).append(i)
            slots: dict[int, int] = {}
            for level, split in enumerate(splits):
                klass = classes.setdefault(class_of(split), len(classes))
                if klass not in slots:
                    slot_class[i, len(slots)] = klass
                    slots[klass] = len(slots)
                levels[i, level] = slots[klass]
        for d, same_depth in by_depth.items():
            shapley = _shapley_weights(d)
            for start in range(0, len(same_depth), _CHUNK_TREES):  # small temporaries: the worker keeps its RSS
                index = same_depth[start:start + _CHUNK_TREES]
                values = np.array([trees[i]["leaf_values"] for i in index], dtype=np.float64)
                weights = np.array([trees[i]["leaf_weights"] for i in index], dtype=np.float64)
                coalitions = _coalition_values(values, weights, levels[index, :d])
                base += float(coalitions[:, 0, 0].sum())  # the empty coalition: the tree's weighted mean
                if d:
                    tables[index, : 2 ** d, :d] = coalitions @ shapley
        scale, bias = spec.get("scale_and_bias", [1.0, [0.0]])
        n_inputs = len(spec["features_info"].get("float_features", [])) + len(
            spec["features_info"].get("categorical_features", []))
        class_inputs = np.zeros((len(classes), n_inputs))
        for members, klass in classes.items():
            class_inputs[klass, list(members)] = 1.0 / len(members)
        used = np.flatnonzero(slot_class.ravel() >= 0)
        slot_inputs = np.zeros((slot_class.size, n_inputs))
        slot_inputs[used] = class_inputs[slot_class.ravel()[used]]
        return cls(tables=tables * scale, slot_inputs=slot_inputs, base=float(scale * base + bias[0]))

    def values(self, leaves: np.ndarray) -> np.ndarray:
        """SHAP values (rows × model inputs, raw units) of rows given their leaf in each tree
        (``model.calc_leaf_indexes``, rows × trees); with :attr:`base` they add up to the raw score."""
        leaves = np.asarray(leaves, dtype=np.int64)
        n_trees, _, n_slots = self.tables.shape
        if leaves.ndim != 2 or leaves.shape[1] != n_trees:
            raise ValueError(f"expected leaf indexes of {n_trees} trees, got shape {leaves.shape}")
        out = np.empty((len(leaves), self.slot_inputs.shape[1]))
        trees = np.arange(n_trees)
        for start in range(0, len(leaves), _CHUNK_ROWS):  # bounded memory for a batch (e.g. the SHAP sample)
            chunk = leaves[start:start + _CHUNK_ROWS]
            per_slot = self.tables[trees, chunk]  # rows × trees × slots
            out[start:start + len(chunk)] = per_slot.reshape(len(chunk), n_trees * n_slots) @ self.slot_inputs
        return out


def shap_values(model: CatBoost, explainer: TreeShap, pool: Pool) -> tuple[np.ndarray, np.ndarray]:
    """(SHAP values rows × inputs, base value per row) in raw units, like CatBoost's ``ShapValues``."""
    values = explainer.values(model.calc_leaf_indexes(pool))
    return values, np.full(len(values), explainer.base)


def _model_json(model: CatBoost) -> dict[str, Any]:
    """The model as CatBoost's documented JSON export (trees, leaf weights, feature layout)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.json"
        model.save_model(str(path), format="json")
        with path.open(encoding="utf-8") as stream:
            return json.load(stream, object_hook=_compact)


def _compact(node: dict[str, Any]) -> dict[str, Any]:
    """Leaf lists as arrays as each tree is parsed, and the CTR tables (unused here) dropped, so fewer
    float objects are alive at once while the model is read (measured: about 4 MB less; most of what
    reading the trees keeps, about 30 MB, is CatBoost's own JSON export)."""
    for key in ("leaf_values", "leaf_weights"):
        if key in node:
            node[key] = np.asarray(node[key], dtype=np.float64)
    node.pop("ctr_data", None)
    return node


def _split_classes(info: dict[str, Any]):
    """A function from a JSON split to its combination class (sorted flat input indexes).

    Binary features are numbered as CatBoost numbers them: every border of the numeric inputs, then
    every one-hot value, then every border of every CTR; an ``OnlineCtr`` split only carries that
    number (``split_index``), so the CTRs' classes are laid out along it.
    """
    flat_float = {f["feature_index"]: f["flat_feature_index"] for f in info.get("float_features", [])}
    flat_cat = {c["feature_index"]: c["flat_feature_index"] for c in info.get("categorical_features", [])}
    first_ctr = (sum(len(f.get("borders") or []) for f in info.get("float_features", []))
                 + sum(len(c.get("values") or []) for c in info.get("categorical_features", [])))
    ctr_class: list[tuple[int, ...]] = []
    for ctr in info.get("ctrs", []):
        members = tuple(sorted(flat_cat[e["cat_feature_index"]] for e in ctr["elements"]
                               if e["combination_element"] == "cat_feature_value"))
        ctr_class.extend([members] * len(ctr["borders"]))

    def class_of(split: dict[str, Any]) -> tuple[int, ...]:
        kind = split["split_type"]
        if kind == "FloatFeature":
            return (flat_float[split["float_feature_index"]],)
        if kind == "OneHotFeature":
            return (flat_cat[split["cat_feature_index"]],)
        if kind == "OnlineCtr":
            return ctr_class[split["split_index"] - first_ctr]
        raise ValueError(f"TreeShap cannot explain splits of type {kind}")

    return class_of


def _coalition_values(values: np.ndarray, weights: np.ndarray, slots: np.ndarray) -> np.ndarray:
    """Value of every coalition of players for a row in every leaf: (trees, leaves, coalitions).

    Bottom-up over the levels (level 0, the first split, is the deepest: CatBoost's root is the last
    split), each node keeps one value per *pattern* of the levels below it — each level averaged
    ("U"), or followed to its side 0 or 1 — so 3**d values per tree instead of one per (leaf,
    coalition, node). A coalition S and a leaf then pick their pattern: level k is followed, to the
    leaf's side, when its player is in S.
    """
    n_trees, n_leaves = values.shape
    d = slots.shape[1]
    node_values = values[:, None, :]  # trees × patterns × nodes
    node_weights = weights
    for _ in range(d):
        v0, v1 = node_values[..., 0::2], node_values[..., 1::2]
        w0, w1 = node_weights[:, None, 0::2], node_weights[:, None, 1::2]
        total = w0 + w1
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(total > 0, (w0 * v0 + w1 * v1) / total, 0.0)  # an empty node has value 0
        node_values = np.stack([mean, v0, v1], axis=2).reshape(n_trees, -1, v0.shape[-1])
        node_weights = node_weights[:, 0::2] + node_weights[:, 1::2]
    patterns = node_values[..., 0]  # trees × 3**d; level k is the trit of weight 3**(d-1-k)
    if d == 0:
        return patterns[:, None, :]
    coalitions = np.arange(2 ** d)
    leaves = np.arange(n_leaves)
    place = 3 ** (d - 1 - np.arange(d))
    in_coalition = (coalitions[None, :, None] >> slots[:, None, :]) & 1  # trees × S × levels
    side = (leaves[:, None] >> np.arange(d)) & 1  # leaves × levels
    # Pattern index of (tree, S, leaf): Σ_k [level k's player in S] · (1 + side_k) · 3**(d-1-k).
    index = (in_coalition @ ((1 + side) * place).T).transpose(0, 2, 1)  # trees × leaves × S
    return np.take_along_axis(patterns, index.reshape(n_trees, -1), axis=1).reshape(n_trees, n_leaves, 2 ** d)


def _shapley_weights(d: int) -> np.ndarray:
    """Matrix C (coalitions × players) with φ = v @ C: φ_i = Σ_{S∌i} |S|!(d-|S|-1)!/d! (v(S∪i) - v(S)).

    Trees with fewer than d distinct players leave slots unused; an unused player changes no other
    player's Shapley value (and gets 0 itself), so one matrix serves every tree of depth d.
    """
    weights = np.zeros((2 ** d, d))
    for s in range(2 ** d):
        size = bin(s).count("1")
        for i in range(d):
            if s >> i & 1:
                weights[s, i] = math.factorial(size - 1) * math.factorial(d - size) / math.factorial(d)
            else:
                weights[s, i] = -math.factorial(size) * math.factorial(d - size - 1) / math.factorial(d)
    return weights
