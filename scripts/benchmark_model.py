"""Benchmark the model against the reference baselines on the same folds of real data.

    python scripts/benchmark_model.py --data-dir ../shared/data/home-credit [--quick]

Prints, for out-of-fold predictions of a stratified K-fold cross-validation:
- our pipeline (CatBoost fold ensemble + Platt calibration, exactly as ``scripts/train.py``),
- a "seed-style" LightGBM: the classic public kernel's application features (every raw column,
  gender included, one-hot categories, five ratios) and parameters, ``class_weight='balanced'``,
  early stopping on the validation fold as the kernel does (which flatters it slightly),
- the same LightGBM on this project's inputs (to separate the features from the learner),
- logistic regression (the project's baseline),
their ROC AUC, business cost per client at each model's own cost-optimal threshold, calibration
error (ECE), and ratios against the LightGBM reference measured in the same run; then the training
wall time and the latency of one client's explanation (median and 95th percentile).
``--variants`` instead trains the CatBoost pipeline three times on the same folds: (a) as before the
exclusions (protected attributes only kept out), (b) with the inputs a client must never be refused
for also kept out (``app.config.NEVER_REFUSED_FOR``), (c) with (b) and the monotone directions of
``app.training.model.MONOTONE_DIRECTIONS``; each at its own cost-optimal threshold.
LightGBM is a benchmark-only dependency (requirements-dev.txt).
Each run is logged to MLflow (experiment ``credit-default-benchmark`` of ``MLFLOW_TRACKING_URI``, by
default ``mlruns/`` in the project): its options, every line's metrics and the timings;
``--no-tracking`` logs nothing.
"""
from __future__ import annotations

import argparse
import dataclasses
import re
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from app.cli.args import fraction_or_zero, int_at_least, non_negative_float
from app.config import DEFAULT_HOME_CREDIT_DIR, PROTECTED_ATTRIBUTES, get_settings
from app.scoring.data import load_home_credit
from app.scoring.features import MODEL_EXCLUSIONS, build_features, categorical_features
from app.scoring.loan_terms import PREVIOUS_TABLE, TermModel
from app.scoring.metrics import CostModel, classification_metrics, optimal_threshold
from app.training.baselines import logistic_oof
from app.training.model import SEARCH_SPACE, TrainConfig, stratified_folds, train_model
from app.training.tracking import (
    BENCHMARK_EXPERIMENT,
    TrackingError,
    finite_or_none,
    public_uri,
    require_mlflow,
    tracked_run,
)

#: One benchmark run's figures: line name -> its metrics (``report``), and "timings" -> seconds / ms.
Results = dict[str, dict[str, float]]


def kernel_features(applications: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The public kernel's application table: every raw column (gender included), binary columns
    factorised, the others one-hot, and its five ratios."""
    df = applications.drop(columns=["SK_ID_CURR", "TARGET"], errors="ignore").copy()
    for binary in ("CODE_GENDER", "FLAG_OWN_CAR", "FLAG_OWN_REALTY"):
        df[binary] = pd.factorize(df[binary])[0]
    cats = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
    df["DAYS_EMPLOYED_PERC"] = df["DAYS_EMPLOYED"] / df["DAYS_BIRTH"]
    df["INCOME_CREDIT_PERC"] = df["AMT_INCOME_TOTAL"] / df["AMT_CREDIT"]
    df["INCOME_PER_PERSON"] = df["AMT_INCOME_TOTAL"] / df["CNT_FAM_MEMBERS"]
    df["ANNUITY_INCOME_PERC"] = df["AMT_ANNUITY"] / df["AMT_INCOME_TOTAL"]
    df["PAYMENT_RATE"] = df["AMT_ANNUITY"] / df["AMT_CREDIT"]
    return df, cats


def lightgbm_seed(X: pd.DataFrame, y: np.ndarray, folds: np.ndarray, cats: list[str], seed: int,
                  X_new: pd.DataFrame | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Public-kernel style LightGBM (one-hot, balanced classes): out-of-fold probabilities, and the
    fold models' average on ``X_new`` when given (as the kernel scores its test set)."""
    import lightgbm as lgb  # benchmark-only dependency

    both = X if X_new is None else pd.concat([X, X_new], ignore_index=True)
    onehot = pd.get_dummies(both, columns=cats, dummy_na=True, dtype=np.uint8)
    onehot.columns = [f"f{i}" for i in range(onehot.shape[1])]
    known, new = onehot.iloc[:len(X)], onehot.iloc[len(X):]
    oof = np.empty(len(y))
    new_proba = np.zeros(len(new)) if X_new is not None else None
    for k in np.unique(folds):
        train, val = folds != k, folds == k
        model = lgb.LGBMClassifier(
            n_estimators=10_000, learning_rate=0.02, num_leaves=34, colsample_bytree=0.95, subsample=0.87,
            subsample_freq=1, max_depth=8, reg_alpha=0.04, reg_lambda=0.07, min_split_gain=0.02,
            min_child_weight=39.3, class_weight="balanced", random_state=seed, n_jobs=2, verbose=-1)
        model.fit(known[train], y[train], eval_X=(known[val],), eval_y=(y[val],), eval_metric="auc",
                  callbacks=[lgb.early_stopping(200, verbose=False)])
        oof[val] = np.asarray(model.predict_proba(known[val]))[:, 1]
        if new_proba is not None:
            new_proba += np.asarray(model.predict_proba(new))[:, 1] / len(np.unique(folds))
    return oof, new_proba


def report(name: str, y, proba, costs: CostModel, reference: dict | None, *, threshold: float | None = None,
           indent: str = "", results: Results | None = None) -> dict:
    """One line of metrics, with ratios against ``reference``; ``threshold`` defaults to the cost-optimal
    one on ``(y, proba)`` (out-of-fold predictions), held-out rows pass the one chosen on training rows."""
    if threshold is None:
        threshold = optimal_threshold(y, proba, costs).threshold
    m = classification_metrics(y, proba, threshold, costs)
    ratio = ""
    if reference:
        ratio = (f"  | AUC x{m['roc_auc'] / reference['roc_auc']:.3f}, "
                 f"cost x{m['cost_per_client'] / reference['cost_per_client']:.3f} vs LightGBM")
    print(f"{indent}{name:<{28 - len(indent)}} AUC {m['roc_auc']:.4f}  cost/client {m['cost_per_client']:.4f}  "
          f"ECE {m['ece']:.4f}  threshold {threshold:.4f}{ratio}", flush=True)
    if results is not None:
        results[name] = m
    return m


def metric_name(name: str) -> str:
    """A report line's name as an MLflow metric prefix: "(b) + never-refused-for..." -> "b_never_refused_for..."."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def track(args: argparse.Namespace, results: Results) -> None:
    """Log the benchmark's options and every line's figures as one MLflow run."""
    uri = get_settings().tracking_uri
    with tracked_run(uri, BENCHMARK_EXPERIMENT, run_name="variants" if args.variants else "benchmark",
                     tags={"kind": "benchmark", "data": args.data_dir.name}) as run:
        run.params({k: v.name if isinstance(v, Path) else v for k, v in sorted(vars(args).items())})
        run.metrics({f"{metric_name(line)}.{key}": finite_or_none(value)
                     for line, figures in results.items() for key, value in figures.items()})
        run.json(results, "results.json")
    print(f"tracked: MLflow run {run.run_id} in {public_uri(uri)}", flush=True)


def compare_variants(labelled: pd.DataFrame, y, folds, term_model, config: TrainConfig, costs: CostModel,
                     results: Results | None = None) -> None:
    """(a) no exclusion beyond the protected attributes, (b) + exclusions, (c) + monotone directions."""
    variants: tuple[tuple[str, tuple[str, ...], dict[str, int]], ...] = (("(a) protected attributes only, unconstrained", PROTECTED_ATTRIBUTES, {}),
                ("(b) + never-refused-for exclusions", MODEL_EXCLUSIONS, {}),
                ("(c) + exclusions + monotone directions", MODEL_EXCLUSIONS, dict(config.monotone)))
    for name, excluded, monotone in variants:
        X = build_features(labelled, protected=excluded, term_model=term_model).reset_index(drop=True)
        cats = categorical_features(excluded)
        t0 = time.perf_counter()
        result = train_model(X, y, cats, dataclasses.replace(config, monotone=monotone), log=lambda m: None)
        assert np.array_equal(result.folds, folds)  # the same folds for every variant
        print(f"{name}: {X.shape[1]} inputs, {len(result.monotone)} constrained, {sum(result.best_iterations)} trees")
        report(name, y, result.oof_proba, costs, None, results=results)
        print(f"  ({time.perf_counter() - t0:.0f}s)", flush=True)


def holdout_evaluation(labelled: pd.DataFrame, X, y, cats, config: TrainConfig, costs: CostModel, args,
                       results: Results | None = None) -> None:
    """The served artefact (fold ensemble + calibration + threshold chosen out of fold) on unseen rows,
    next to the seed-style LightGBM and the logistic regression trained on the same rows.

    Out-of-fold metrics describe single fold models; this checks what the dashboard actually serves,
    including whether the calibration fitted on out-of-fold scores holds for the averaged ensemble.
    Each model's threshold is chosen on its own out-of-fold predictions of the training part.
    """
    from sklearn.model_selection import train_test_split

    from app.training.baselines import fit_logistic
    from app.training.model import raw_score

    idx_train, idx_test = train_test_split(np.arange(len(y)), test_size=args.holdout, stratify=y,
                                           random_state=args.seed + 1)
    y_train, y_test = y[idx_train], y[idx_test]
    print(f"held-out {args.holdout:.0%} ({len(idx_test):,} rows); models trained on the other {len(idx_train):,}:")
    t0 = time.perf_counter()
    result = train_model(X.iloc[idx_train], y_train, cats, config, log=lambda m: None)
    ours = (result.oof_proba, result.calibration.proba(raw_score(result.model, X.iloc[idx_test], cats)))
    seconds = time.perf_counter() - t0
    lr_oof = logistic_oof(X.iloc[idx_train], y_train, result.folds, cats, args.seed)
    lr_test = fit_logistic(X.iloc[idx_train].reset_index(drop=True), y_train, cats, args.seed)(X.iloc[idx_test])
    reference = None
    if not args.skip_lightgbm:
        raw, raw_cats = kernel_features(labelled)
        lgb_oof, lgb_test = lightgbm_seed(raw.iloc[idx_train].reset_index(drop=True), y_train, result.folds, raw_cats,
                                          args.seed, X_new=raw.iloc[idx_test].reset_index(drop=True))
        reference = holdout_report("LightGBM seed-style", y_train, lgb_oof, y_test, lgb_test, costs, None, results)
    holdout_report("logistic regression", y_train, lr_oof, y_test, lr_test, costs, reference, results)
    holdout_report("CatBoost served ensemble", y_train, ours[0], y_test, ours[1], costs, reference, results)
    print(f"  (served ensemble trained in {seconds:.0f}s)")


def holdout_report(name: str, y_train, oof, y_test, proba, costs: CostModel, reference: dict | None,
                   results: Results | None = None) -> dict:
    """Held-out metrics at the threshold chosen on the training part's out-of-fold predictions."""
    m = report(name, y_test, proba, costs, reference, indent="  ",
               threshold=optimal_threshold(y_train, oof, costs).threshold)
    if results is not None:
        results[f"holdout {name}"] = m
    return m


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_HOME_CREDIT_DIR, help="Home Credit folder (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default: %(default)s)")
    parser.add_argument("--folds", type=int_at_least(2, "needs at least 2 folds"), default=5,
                        help="cross-validation folds, at least 2 (default: %(default)s)")
    parser.add_argument("--quick", action="store_true", help="no parameter search (first candidate only)")
    parser.add_argument("--search-budget", type=non_negative_float, default=180.0,
                        help="seconds for the parameter search (default: %(default)s)")
    parser.add_argument("--skip-lightgbm", action="store_true", help="do not train the LightGBM references")
    parser.add_argument("--holdout", type=fraction_or_zero, default=0.0,
                        help="also train the served pipeline on 1-H of the rows and evaluate it on the held-out H")
    parser.add_argument("--variants", action="store_true",
                        help="compare (a) before the exclusions, (b) with them, (c) with them and the monotone directions")
    parser.add_argument("--no-tracking", action="store_true",
                        help="do not log the run to MLflow (default store: MLFLOW_TRACKING_URI, else mlruns/ in the project)")
    args = parser.parse_args(argv)
    if not args.data_dir.exists():
        print(f"no Home Credit data in {args.data_dir}", file=sys.stderr)
        return 2
    try:
        if not args.no_tracking:
            require_mlflow()  # before the benchmark's minutes, not after
        results = run_benchmark(args)
        if not args.no_tracking:
            track(args, results)
    except TrackingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def run_benchmark(args: argparse.Namespace) -> Results:
    """Every comparison the options ask for, printed line by line; returns their figures."""
    results: Results = {}
    timings: dict[str, float] = {}
    results["timings"] = timings
    data = load_home_credit(args.data_dir, secondary=(PREVIOUS_TABLE,))
    assert data.train is not None  # require_train (the default) raises when the table is missing
    labelled = data.train.reset_index(drop=True)
    y = labelled["TARGET"].to_numpy(dtype=np.int64)
    term_model = None
    if PREVIOUS_TABLE in data.secondary:  # as scripts/train.py does
        term_model = TermModel.fit(data.secondary[PREVIOUS_TABLE], seed=args.seed, thread_count=2)
        print(f"loan terms learnt from {term_model.trained_on:,} previous loans "
              f"(held-out error {term_model.mae_months:.2f} months)")
    X = build_features(labelled, term_model=term_model).reset_index(drop=True)
    cats = categorical_features()
    costs = CostModel()
    folds = stratified_folds(y, args.folds, args.seed)
    print(f"{len(y):,} labelled applications, default rate {y.mean():.2%}, {args.folds} folds, {X.shape[1]} features")

    if args.variants:
        config = TrainConfig(seed=args.seed, n_folds=args.folds, search_budget_seconds=args.search_budget,
                             search_space=SEARCH_SPACE[:1] if args.quick else SEARCH_SPACE)
        compare_variants(labelled, y, folds, term_model, config, costs, results)
        return results
    reference = None
    if not args.skip_lightgbm:
        t0 = time.perf_counter()
        raw, raw_cats = kernel_features(labelled)
        reference = report("LightGBM seed-style", y, lightgbm_seed(raw, y, folds, raw_cats, args.seed)[0], costs, None,
                           results=results)
        timings["lightgbm_seconds"] = time.perf_counter() - t0
        print(f"  ({timings['lightgbm_seconds']:.0f}s)")
        report("LightGBM on our inputs", y, lightgbm_seed(X, y, folds, cats, args.seed)[0], costs, reference,
               results=results)
    t0 = time.perf_counter()
    report("logistic regression", y, logistic_oof(X, y, folds, cats, args.seed), costs, reference, results=results)
    timings["logistic_seconds"] = time.perf_counter() - t0
    print(f"  ({timings['logistic_seconds']:.0f}s)")

    config = TrainConfig(seed=args.seed, n_folds=args.folds, search_budget_seconds=args.search_budget,
                         search_space=SEARCH_SPACE[:1] if args.quick else SEARCH_SPACE)
    t0 = time.perf_counter()
    result = train_model(X, y, cats, config, log=lambda m: print(f"  {m}", flush=True))
    train_seconds = time.perf_counter() - t0
    report("CatBoost (this project)", y, result.oof_proba, costs, reference, results=results)
    timings["catboost_training_seconds"] = train_seconds
    print(f"  training (search + CV) {train_seconds:.0f}s")

    from app.scoring.bundle import ModelBundle
    from app.scoring.explain import explain_row

    bundle = ModelBundle(model=result.model, calibration=result.calibration, threshold=0.5, costs=costs,
                         feature_names=tuple(X.columns), cat_features=tuple(cats), protected=(),
                         card={},  # type: ignore[arg-type]  # timing explain_row only, which reads no card
                         directory=Path("."), term_model=term_model)
    rng = np.random.default_rng(args.seed)
    latencies = []
    for i in rng.choice(len(X), size=200, replace=False):
        t = time.perf_counter()
        explain_row(bundle, X.iloc[[i]])
        latencies.append(1000 * (time.perf_counter() - t))
    if args.holdout:
        holdout_evaluation(labelled, X, y, cats, config, costs, args, results)
    timings["explain_median_ms"], timings["explain_p95_ms"] = float(np.median(latencies)), float(np.percentile(latencies, 95))
    print(f"explanation of one client: median {timings['explain_median_ms']:.1f} ms, p95 {timings['explain_p95_ms']:.1f} ms "
          f"(target <= 50 ms)")
    return results


if __name__ == "__main__":
    sys.exit(main())
