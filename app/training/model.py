"""Training: stratified cross-validation with early stopping, a time-bounded search, calibration.

Design choices, and why:
- **Out-of-fold predictions are honest.** Each fold model stops early on a slice of *its own*
  training part, never on the fold it predicts, so the cross-validated metrics, the calibration and
  the cost-optimal threshold are all estimated on predictions the models never saw.
- **The served model is the fold ensemble**, merged with ``catboost.sum_models`` into one CatBoost
  model whose raw score is the mean of the fold models' raw scores: exactly the models that were
  validated, and still a single tree model, so its SHAP values are exact.
- **Defaulters weigh more in training** (``SqrtBalanced``: the square root of the class ratio, about
  3.4): at a 10:1 cost the decision is made among the riskiest clients, and weighting the rare class
  sharpens the trees there (on the real data: out-of-fold AUC 0.7560 -> 0.7577, cost 0.5268 -> 0.5224).
  The weights distort the raw probabilities, which the calibration below corrects.
- **Calibration is Platt scaling on the raw score** (``logit p = a * raw + b``): the probability shown
  to an officer then means what it says, and because the map is affine in log-odds, SHAP
  contributions scaled by ``a`` still add up exactly to the calibrated log-odds.
- **The search is small and time-bounded**: a handful of sensible CatBoost settings are tried on the
  first fold (validation log-loss) until the budget is spent; among settings whose log-loss is within
  noise of the best, the one cheapest to explain (trees x leaves x depth) wins, because an officer
  waits for that explanation every time a client file opens. Everything else is deterministic given
  the seed; a search cut short by the budget (a slow machine) is recorded in the search log.
- **Directions known in advance are imposed** (:data:`MONOTONE_DIRECTIONS`, CatBoost's
  ``monotone_constraints``): a higher external score can only lower the risk, a heavier repayment
  burden or a dearer credit only raise it. Without the constraint a tree fitted on noise can make a
  client's risk rise with their score somewhere, and an explanation (or a what-if) would then tell
  the client "your better score raised your risk". Only inputs whose direction is both obvious to
  an analyst and stable on the real data are constrained; the measured cost is in the README.
"""
from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd
from catboost import CatBoostClassifier, Pool, sum_models
from sklearn.metrics import log_loss
from sklearn.model_selection import StratifiedKFold, train_test_split

from app.scoring.calibration import Calibration
from app.scoring.metrics import CostModel
from app.scoring.validation import DataValidationError

Log = Callable[[str], None]

#: Fewest labelled rows a model is trained on. Below it each of five validation folds holds fewer than
#: twenty clients, and the out-of-fold AUC, cost, threshold and calibration the model card reports
#: (the only honest measure of the model) are noise, not estimates.
MIN_TRAINING_ROWS = 100
#: Rows of each TARGET value needed per fold: stratified folds then give every validation fold and every
#: training part both classes, and so does the inner early-stopping split of "inner" stopping
#: (CatBoost, the calibration and the logistic baseline all fail on a single class).
MIN_CLASS_ROWS_PER_FOLD = 2

#: Validation log-loss differences below this are noise at Home Credit sizes (one 5-fold run varies by
#: more); among settings that close to the best, the search keeps the cheapest to explain.
SEARCH_TOLERANCE = 0.0005

#: Candidate settings, most promising first (the search stops when its time budget is spent).
SEARCH_SPACE: tuple[dict, ...] = tuple(
    {**params, "auto_class_weights": "SqrtBalanced"}
    for params in (
        {"depth": 6, "l2_leaf_reg": 3.0},
        {"depth": 5, "l2_leaf_reg": 10.0},
        {"depth": 7, "l2_leaf_reg": 10.0, "random_strength": 2.0},
        {"depth": 4, "l2_leaf_reg": 3.0},
        {"depth": 6, "l2_leaf_reg": 20.0, "random_strength": 4.0},
    )
)


#: Model input -> imposed direction of its effect on the risk (+1: the risk can only rise with it, -1:
#: only fall). Inputs absent from a model (no loan-term estimator...) are skipped.
#: - external scores and their aggregates (a bureau's score is built to rank risk): -1;
#: - repayment burden, annuity / income: +1;
#: - implied annual interest rate (the lender's own pricing of the client's risk): +1;
#: - the region's rating (1 best, 3 worst): +1.
#: Not constrained: the spread and the number of missing external scores, credit / income and the
#: loan amounts (on the real rows larger credits go with *lower* risk at a given income: they are
#: granted to vetted clients), age and employment (a policy choice, not a statistical one).
MONOTONE_DIRECTIONS: Mapping[str, int] = MappingProxyType({
    "EXT_SOURCE_1": -1, "EXT_SOURCE_2": -1, "EXT_SOURCE_3": -1, "EXT_SOURCE_MEAN": -1, "EXT_SOURCE_MIN": -1,
    "EXT_SOURCE_MAX": -1, "EXT_SOURCE_PROD": -1,
    "ANNUITY_INCOME_RATIO": 1, "INTEREST_RATE_EST": 1,
    "REGION_RATING_CLIENT": 1, "REGION_RATING_CLIENT_W_CITY": 1,
})


@dataclass(frozen=True)
class TrainConfig:
    """Everything that determines a training run (recorded in the model card)."""

    seed: int = 42
    n_folds: int = 5
    costs: CostModel = field(default_factory=CostModel)
    learning_rate: float = 0.05
    max_iterations: int = 3000
    early_stopping_rounds: int = 200
    early_stopping_fraction: float = 0.1
    #: "search": the tree count is chosen once, by early stopping on fold 0 during the search, and
    #: every fold model then trains on all its rows; "inner": each fold early-stops on a slice of its
    #: own training rows (fully out-of-sample but noisier, and each model sees fewer rows).
    stopping: str = "search"
    search_budget_seconds: float = 180.0
    search_space: tuple[dict, ...] = SEARCH_SPACE
    thread_count: int = -1
    #: imposed directions (see :data:`MONOTONE_DIRECTIONS`); recorded in the card's ``features.monotone``
    monotone: Mapping[str, int] = field(default_factory=lambda: MONOTONE_DIRECTIONS)

    def __post_init__(self) -> None:
        if self.n_folds < 2:
            raise ValueError(f"cross-validation needs at least 2 folds, got {self.n_folds}")

    def to_dict(self) -> dict:
        return {
            "seed": self.seed,
            "n_folds": self.n_folds,
            "costs": self.costs.to_dict(),
            "learning_rate": self.learning_rate,
            "max_iterations": self.max_iterations,
            "early_stopping_rounds": self.early_stopping_rounds,
            "early_stopping_fraction": self.early_stopping_fraction,
            "stopping": self.stopping,
            "search_budget_seconds": self.search_budget_seconds,
            "search_space": list(self.search_space),
        }


#: Entries CatBoost writes into every model file that differ from one run to the next (a random GUID
#: and the wall-clock end of training, for the ensemble and each fold model): without them the same
#: data, settings and seed give a byte-identical ``model.cbm``, so its recorded SHA-256 is reproducible.
RUN_METADATA_KEYS = ("model_guid", "train_finish_time")


def without_run_metadata(model) -> None:
    """Drop :data:`RUN_METADATA_KEYS` (``model_guid``, ``model0:model_guid``...) from ``model`` in place,
    before it is saved; the trees, leaf values and parameters are untouched."""
    metadata = model.get_metadata()
    for key in [k for k in metadata.keys() if k.rsplit(":", 1)[-1] in RUN_METADATA_KEYS]:
        del metadata[key]


@dataclass
class TrainResult:
    model: CatBoostClassifier
    calibration: Calibration
    params: dict
    oof_raw: np.ndarray
    folds: np.ndarray
    best_iterations: list[int]
    search_log: list[dict]
    seconds: float
    monotone: Mapping[str, int] = field(default_factory=dict)  # the directions actually imposed

    @property
    def oof_proba(self) -> np.ndarray:
        return self.calibration.proba(self.oof_raw)


def check_trainable(y, n_folds: int, *, source: str = "labelled applications") -> None:
    """Refuse labels no cross-validated model can be trained on, in one line, before any fit.

    Such a table passes file validation (every TARGET is 0 or 1) yet made scikit-learn or CatBoost fail
    deep inside training: too few rows for the folds, a single class, or too few defaults to put some
    in every fold. Raises :class:`DataValidationError` naming ``source`` and what is needed.
    """
    y = np.asarray(y)
    n_rows, n_defaults = len(y), int(np.sum(y == 1))
    per_class = MIN_CLASS_ROWS_PER_FOLD * n_folds
    if n_rows >= MIN_TRAINING_ROWS and min(n_defaults, n_rows - n_defaults) >= per_class:
        return
    raise DataValidationError(
        f"{source}: training needs at least {MIN_TRAINING_ROWS} rows and at least {per_class} rows of each "
        f"TARGET value ({MIN_CLASS_ROWS_PER_FOLD} per fold of the {n_folds}-fold cross-validation, so that "
        f"every fold holds both classes); found {n_rows} row{'s' if n_rows != 1 else ''}, {n_defaults} with "
        f"TARGET = 1 and {n_rows - n_defaults} with TARGET = 0",
        source=source, column="TARGET",
    )


def stratified_folds(y, n_folds: int, seed: int) -> np.ndarray:
    """Fold number of every row; shared by the model and the baselines so they compare fairly."""
    folds = np.empty(len(y), dtype=np.int64)
    splitter = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    for k, (_, val) in enumerate(splitter.split(np.zeros(len(y)), y)):
        folds[val] = k
    return folds


def _classifier(params: dict, config: TrainConfig, seed: int, iterations: int | None = None) -> CatBoostClassifier:
    stopping = {} if iterations else {"od_type": "Iter", "od_wait": config.early_stopping_rounds, "use_best_model": True}
    if config.monotone:
        stopping["monotone_constraints"] = dict(config.monotone)
    return CatBoostClassifier(
        loss_function="Logloss",
        iterations=iterations or config.max_iterations,
        learning_rate=config.learning_rate,
        random_seed=seed,
        thread_count=config.thread_count,
        verbose=False,
        allow_writing_files=False,
        **stopping,
        **params,
    )


def _fit_stopped(X, y, X_stop, y_stop, cat_features, params, config, seed) -> CatBoostClassifier:
    """A CatBoost fit that early-stops on ``(X_stop, y_stop)``."""
    model = _classifier(params, config, seed)
    model.fit(Pool(X, y, cat_features=cat_features), eval_set=Pool(X_stop, y_stop, cat_features=cat_features))
    return model


def _fit_fold(X: pd.DataFrame, y: np.ndarray, cat_features: list[str], params: dict,
              config: TrainConfig, seed: int, iterations: int | None = None) -> CatBoostClassifier:
    """One fold model: a fixed number of trees on all rows, or early-stopped on an inner slice."""
    if iterations:
        model = _classifier(params, config, seed, iterations)
        model.fit(Pool(X, y, cat_features=cat_features))
        return model
    X_fit, X_stop, y_fit, y_stop = train_test_split(
        X, y, test_size=config.early_stopping_fraction, stratify=y, random_state=seed
    )
    return _fit_stopped(X_fit, y_fit, X_stop, y_stop, cat_features, params, config, seed)


def raw_score(model: CatBoostClassifier, X: pd.DataFrame, cat_features: list[str]) -> np.ndarray:
    """The model's raw log-odds score (before calibration)."""
    return np.asarray(model.predict(Pool(X, cat_features=cat_features), prediction_type="RawFormulaVal"), dtype=float)


def search_params(X, y, folds, cat_features, config: TrainConfig, log: Log) -> tuple[dict, int, list[dict]]:
    """Try the search space on fold 0 (validation log-loss) until the time budget is spent.

    Returns the best parameters, their tree count (early stopping) and the search log.
    """
    train, val = folds != 0, folds == 0
    start = time.perf_counter()
    results: list[dict] = []
    for i, params in enumerate(config.search_space):
        if i > 0 and time.perf_counter() - start > config.search_budget_seconds:
            # The only machine-dependent step of training: recorded so a rerun can be compared.
            log(f"search: budget of {config.search_budget_seconds:.0f}s spent after {i} candidates")
            results.append({"truncated_after": i, "budget_seconds": config.search_budget_seconds})
            break
        t0 = time.perf_counter()
        if config.stopping == "search":
            model = _fit_stopped(X[train], y[train], X[val], y[val], cat_features, params, config, config.seed)
        else:
            model = _fit_fold(X[train], y[train], cat_features, params, config, config.seed)
        raw = raw_score(model, X[val], cat_features)
        # Compared as served: after calibration (class weights bias the raw probabilities upwards).
        p = Calibration.fit(raw, y[val]).proba(raw)
        results.append({"params": params, "val_log_loss": float(log_loss(y[val], p)),
                        "iterations": int(model.get_best_iteration() + 1), "seconds": round(time.perf_counter() - t0, 1)})
        log(f"search {i + 1}/{len(config.search_space)}: {params} -> log-loss {results[-1]['val_log_loss']:.5f} "
            f"({results[-1]['iterations']} trees, {results[-1]['seconds']}s)")
    tried = [r for r in results if "params" in r]
    best_loss = min(r["val_log_loss"] for r in tried)
    close = [r for r in tried if r["val_log_loss"] <= best_loss + SEARCH_TOLERANCE]
    chosen = min(close, key=lambda r: (explanation_cost(r["params"], r["iterations"]), r["val_log_loss"]))
    for r in tried:
        r["explanation_cost"] = explanation_cost(r["params"], r["iterations"])
        r["chosen"] = r is chosen
    log(f"search: chose {chosen['params']} (within {SEARCH_TOLERANCE} of the best log-loss, cheapest to explain)")
    return dict(chosen["params"]), int(chosen["iterations"]), results


def explanation_cost(params: dict, trees: int) -> int:
    """Relative cost of exact TreeSHAP for one client: trees x leaves x depth.

    A client file must open in well under 100 ms, so model size is a real constraint, not a detail.
    """
    depth = int(params.get("depth", 6))
    return int(trees) * (2 ** depth) * depth


def train_model(X: pd.DataFrame, y, cat_features: list[str], config: TrainConfig = TrainConfig(),
                log: Log = print) -> TrainResult:
    """Search, cross-validate, merge the fold models and calibrate; see the module docstring."""
    start = time.perf_counter()
    X = X.reset_index(drop=True)
    y = np.asarray(y, dtype=np.int64)
    check_trainable(y, config.n_folds)
    config = dataclasses.replace(config, monotone=applicable_directions(config.monotone, X.columns, cat_features))
    if config.monotone:
        log(f"monotone in {len(config.monotone)} inputs: {', '.join(f'{k} {v:+d}' for k, v in config.monotone.items())}")
    folds = stratified_folds(y, config.n_folds, config.seed)
    if len(config.search_space) > 1 or config.stopping == "search":
        params, iterations, search_log = search_params(X, y, folds, cat_features, config, log)
    else:
        params, iterations, search_log = dict(config.search_space[0]), 0, []
    fixed = iterations if config.stopping == "search" else None
    log(f"cross-validation with {params}" + (f", {fixed} trees per fold" if fixed else ", early stopping per fold"))
    oof_raw = np.empty(len(y), dtype=float)
    models, best_iterations = [], []
    for k in range(config.n_folds):
        t0 = time.perf_counter()
        train, val = folds != k, folds == k
        model = _fit_fold(X[train], y[train], cat_features, params, config, config.seed + k, fixed)
        oof_raw[val] = raw_score(model, X[val], cat_features)
        models.append(model)
        best_iterations.append(int(model.tree_count_))
        log(f"fold {k + 1}/{config.n_folds}: {best_iterations[-1]} trees, {time.perf_counter() - t0:.1f}s")
    ensemble = sum_models(models, weights=[1.0 / len(models)] * len(models))
    calibration = Calibration.fit(oof_raw, y)
    log(f"calibration: logit(p) = {calibration.slope:.3f} * raw + {calibration.intercept:.3f}")
    return TrainResult(ensemble, calibration, params, oof_raw, folds, best_iterations, search_log,
                       time.perf_counter() - start, dict(config.monotone))


def applicable_directions(directions: Mapping[str, int], columns, cat_features) -> dict[str, int]:
    """The directions of ``directions`` that apply to these inputs, in column order.

    A direction of an absent input is dropped (a model without the loan-term estimator has no rate);
    one on a categorical input, or other than -1 / +1, is a configuration error CatBoost would report
    obscurely, so it is refused here by name.
    """
    wrong = sorted(n for n, d in directions.items() if d not in (-1, 1) or n in set(cat_features))
    if wrong:
        raise ValueError(f"monotone directions must be -1 or +1 on numeric inputs: {', '.join(wrong)}")
    return {c: int(directions[c]) for c in columns if c in directions}
