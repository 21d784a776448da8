"""Train the credit model and write a complete model folder.

    python scripts/train.py                                   # synthetic demo -> model/demo/
    python scripts/train.py --data-dir ../shared/data/home-credit   # real files -> model/home-credit/

``--data-dir`` may be a Kaggle "Home Credit Default Risk" folder (application_train required,
application_test and previous_application optional; .csv, .csv.zip or .parquet) or the
application_train file itself. With previous_application, loan terms and implied interest rates
are learnt from it and become model inputs (``app.scoring.loan_terms``; ``--no-loan-terms`` to
train without them, e.g. when that table is unusable).
The run is deterministic given ``--seed``; the model card records what produced the model.
Each run is logged to MLflow (README "Experiment tracking": ``MLFLOW_TRACKING_URI``, by default
``mlruns/`` in the project) and the model registered as ``credit-default-catboost``; its run id and
version go into the model card. ``--no-tracking`` logs nothing; ``--track-only`` logs and registers an
already trained folder (``--model-dir``) without retraining it: its files stay as they are, its card
gains the run.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from app.cli.args import AS_OF_HELP, bounded, int_at_least, iso_date, non_negative_float, non_negative_int, threads
from app.cli.paths import folder_problem
from app.config import DEFAULT_MODEL_DIR, REAL_MODEL_DIR, get_settings
from app.scoring.bundle import ModelBundle, ModelNotFoundError, file_sha256
from app.scoring.data import DataValidationError, load_home_credit, prepare_applications, read_table
from app.scoring.loan_terms import PREVIOUS_TABLE
from app.scoring.metrics import CostModel
from app.scoring.synth import demo_portfolio, params_path
from app.training.model import SEARCH_SPACE, TrainConfig, check_trainable
from app.training.pipeline import run_training
from app.training.tracking import TrackingError, public_uri, require_mlflow

DEMO_LABELLED, DEMO_NEW = 30_000, 8_000


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    settings = get_settings()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, help="Home Credit folder or application_train file (default: synthetic demo)")
    parser.add_argument("--model-dir", type=Path, help="output folder (default: model/demo or model/home-credit)")
    parser.add_argument("--seed", type=int, default=settings.seed,
                        help="random seed of the folds, search, model and demo data (default: CREDIT_SEED, %(default)s)")
    parser.add_argument("--folds", type=int_at_least(2, "needs at least 2 folds"), default=5,
                        help="cross-validation folds, at least 2 (default: %(default)s)")
    parser.add_argument("--search-budget", type=non_negative_float, default=180.0,
                        help="seconds for the parameter search (default: %(default)s)")
    parser.add_argument("--no-search", action="store_true", help="skip the search, use the first candidate")
    positive_cost = bounded(float, 0, "costs must be positive", low_open=True)
    parser.add_argument("--cost-fn", type=positive_cost, default=settings.cost_fn,
                        help="cost of a granted defaulter, > 0 (default: CREDIT_COST_FN, %(default)s)")
    parser.add_argument("--cost-fp", type=positive_cost, default=settings.cost_fp,
                        help="cost of a refused good client, > 0 (default: CREDIT_COST_FP, %(default)s)")
    parser.add_argument("--demo-labelled", type=non_negative_int, default=DEMO_LABELLED,
                        help="labelled synthetic applications when no --data-dir (default: %(default)s)")
    parser.add_argument("--demo-new", type=non_negative_int, default=DEMO_NEW,
                        help="new synthetic applications when no --data-dir (default: %(default)s)")
    parser.add_argument("--threads", type=threads, default=-1,
                        help="CatBoost threads: -1 for all cores, or a positive count (default: %(default)s)")
    parser.add_argument("--as-of", type=iso_date, help=AS_OF_HELP)
    parser.add_argument("--no-loan-terms", action="store_true",
                        help="ignore previous_application (no estimated term / implied rate inputs)")
    tracking = parser.add_mutually_exclusive_group()
    tracking.add_argument("--no-tracking", action="store_true",
                          help="do not log the run to MLflow nor register the model (default store: "
                               "MLFLOW_TRACKING_URI, else mlruns/ in the project)")
    tracking.add_argument("--track-only", action="store_true",
                          help="train nothing: log the trained folder --model-dir to MLflow and register its model "
                               "(its files are unchanged; its card gains the run)")
    return parser.parse_args(argv)


def load_inputs(args: argparse.Namespace):
    """Prepared (labelled, new, previous applications or None, source description) from real files
    or the synthetic demo."""
    if args.data_dir is None:
        labelled_raw, new_raw = demo_portfolio(args.demo_labelled, args.demo_new, seed=args.seed)
        labelled, _ = prepare_applications(labelled_raw, source="synthetic labelled portfolio", labelled=True)
        new = (prepare_applications(new_raw, source="synthetic new applications", labelled=False)[0]
               if len(new_raw) else None)
        source = {"kind": "synthetic-demo", "seed": args.seed, "n_labelled": args.demo_labelled,
                  "n_new": args.demo_new,
                  "params_sha256": {t: file_sha256(params_path(t)) for t in ("application_train", "application_test")}}
        return labelled, new, None, source
    if args.data_dir.is_file():
        labelled, warnings = prepare_applications(read_table(args.data_dir), source=args.data_dir.name, labelled=True,
                                                  as_of=args.as_of)
        for w in warnings:
            print(f"warning: {w}")
        files = {"application_train": args.data_dir}
        new = previous = None
    else:
        data = load_home_credit(args.data_dir, secondary=() if args.no_loan_terms else (PREVIOUS_TABLE,),
                                as_of=args.as_of)
        for w in data.warnings:
            print(f"warning: {w}")
        labelled, new, files = data.train, data.test, data.sources
        previous = data.secondary.get(PREVIOUS_TABLE)
    source = {"kind": "home-credit", "files": {k: {"name": Path(p).name, "sha256": file_sha256(Path(p))}
                                               for k, p in files.items()}}
    return labelled, new, previous, source


def labelled_name(source: dict) -> str:
    """The labelled table's file name (or "synthetic labelled portfolio"), for one-line errors."""
    files = source.get("files", {})
    return files["application_train"]["name"] if "application_train" in files else "synthetic labelled portfolio"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    out = args.model_dir or (DEFAULT_MODEL_DIR if args.data_dir is None else REAL_MODEL_DIR)
    problem = folder_problem(out, "--model-dir")
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    if not args.no_tracking:
        try:
            require_mlflow()  # before minutes of training, not after
        except TrackingError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    if args.track_only:
        return track_existing(out)
    try:
        labelled, new, previous, source = load_inputs(args)
        check_trainable(labelled["TARGET"], args.folds, source=labelled_name(source))
    except DataValidationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"training on {source['kind']}: {len(labelled):,} labelled, {0 if new is None else len(new):,} new applications")
    config = TrainConfig(seed=args.seed, n_folds=args.folds, costs=CostModel(args.cost_fn, args.cost_fp),
                         search_budget_seconds=args.search_budget, thread_count=args.threads,
                         search_space=SEARCH_SPACE[:1] if args.no_search else SEARCH_SPACE)
    try:
        card = run_training(labelled, new, out, config=config, source=source, previous=previous,
                            log=lambda m: print(m, flush=True))
    except DataValidationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not args.no_tracking:
        try:
            card = track(card, out)
        except TrackingError as exc:
            print(f"error: the model folder {out} is written, untracked: {exc}", file=sys.stderr)
            return 2
    cv = card.metrics.cross_validated
    print(f"done in {time.perf_counter() - started:.0f}s: AUC {cv.roc_auc:.4f}, cost {cv.cost_per_client:.4f}"
          f" per client at threshold {cv.threshold:.4f}, ECE {cv.ece:.4f} -> {out}")
    return 0


def track(card, out: Path):
    """Log the trained folder to MLflow, register its model, write the run into its card."""
    from app.cli.tracking_figures import run_figures
    from app.training.track_training import track_training

    settings = get_settings()
    tracked = track_training(card, out, uri=settings.tracking_uri,
                             figures=run_figures(card, out, settings.default_language))
    info = tracked.tracking
    assert info is not None  # track_training always writes it
    print(f"tracked: MLflow run {info.run_id}, version {info.version} of {info.registered_model} "
          f"in {public_uri(settings.tracking_uri)}", flush=True)
    return tracked


def track_existing(out: Path) -> int:
    """``--track-only``: the folder is loaded as the dashboard loads it (checksums verified) first."""
    try:
        card = ModelBundle.load(out).card
        track(card, out)
    except (ModelNotFoundError, TrackingError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
