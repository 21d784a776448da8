"""Score application files into a servable model folder (model files + portfolio.parquet).

    python scripts/build_portfolio.py --model-dir model/demo \
        --labelled data/bench/application_train.parquet --new data/bench/application_test.parquet \
        --out data/bench/model

Used to serve (and benchmark) the dashboard on a portfolio other than the one the model was trained
on, e.g. the 356,255-client synthetic portfolio of ``scripts/generate_portfolio.py``. The model files
are copied, never modified; the out-of-fold probabilities are attached only with ``--with-oof``
(they belong to the training clients: attaching them to other clients with the same ids would lie).
Keep ``--out`` outside git (data/bench/ is git-ignored).

The files are read, scored and sorted in batches (``app.scoring.portfolio_build``): memory stays
bounded whatever their size (a progress line per batch on stderr), and the file written is the one
the in-memory build writes. Parquet streams; CSV and zipped CSV are read in chunks too, but in four
passes (whole-file checks first): use Parquet for millions of rows.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from app.cli.args import AS_OF_HELP, iso_date, positive_int
from app.cli.paths import folder_problem
from app.scoring.batches import DEFAULT_BATCH_ROWS, ApplicationFile
from app.scoring.bundle import (
    CARD_FILE,
    MODEL_FILE,
    OOF_FILE,
    PORTFOLIO_FILE,
    SHAP_SAMPLE_FILE,
    ModelBundle,
    ModelNotFoundError,
)
from app.scoring.column_store import StoreError, store_dir
from app.scoring.data import DataValidationError
from app.scoring.loan_terms import TERM_MODEL_FILE
from app.scoring.portfolio_build import DEFAULT_BUCKET_ROWS, stream_portfolio
from app.scoring.served_portfolio import open_served_portfolio

MODEL_FILES = (MODEL_FILE, TERM_MODEL_FILE, CARD_FILE, OOF_FILE, SHAP_SAMPLE_FILE)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", type=Path, required=True, help="trained model folder to serve")
    parser.add_argument("--labelled", type=Path, required=True,
                        help="applications with TARGET (.parquet, .csv or .csv.zip; Parquet reads fastest)")
    parser.add_argument("--new", type=Path, help="new applications without outcome (same formats)")
    parser.add_argument("--out", type=Path, required=True, help="output model folder (outside git)")
    parser.add_argument("--with-oof", action="store_true",
                        help="attach the model's out-of-fold probabilities (only when --labelled is its training set)")
    parser.add_argument("--as-of", type=iso_date, help=AS_OF_HELP)
    parser.add_argument("--batch-rows", type=positive_int, default=DEFAULT_BATCH_ROWS,
                        help="applications read and scored at a time (default %(default)s; memory grows with it)")
    parser.add_argument("--bucket-rows", type=positive_int, default=DEFAULT_BUCKET_ROWS,
                        help="clients sorted at a time when writing the file (default %(default)s)")
    args = parser.parse_args(argv)
    if args.out.resolve() == args.model_dir.resolve():
        parser.error("--out must differ from --model-dir (the model folder is never modified)")
    problem = folder_problem(args.out, "--out")
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        bundle = ModelBundle.load(args.model_dir)
        labelled = ApplicationFile(args.labelled, labelled=True, as_of=args.as_of)
        new = (None if args.new is None else
               ApplicationFile(args.new, labelled=False, as_of=args.as_of, ignore_target=True))
    except (DataValidationError, ModelNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    oof = None
    if args.with_oof and (args.model_dir / OOF_FILE).exists():
        import pandas as pd

        oof = pd.read_parquet(args.model_dir / OOF_FILE, columns=["SK_ID_CURR", "PROBA_OOF"])
    created = not args.out.exists()
    try:
        summary = stream_portfolio(bundle, labelled, new, args.out / PORTFOLIO_FILE, oof=oof,
                                   batch_rows=args.batch_rows, bucket_rows=args.bucket_rows,
                                   progress=lambda line: print(line, file=sys.stderr, flush=True))
        for name in MODEL_FILES:
            if (args.model_dir / name).exists():
                shutil.copy2(args.model_dir / name, args.out / name)
        columns_started = time.perf_counter()
        # the memory-mapped columns the workers serve, built here rather than at the web start
        if open_served_portfolio(bundle, args.out / PORTFOLIO_FILE).mapped is None:
            raise OSError(f"the served column store could not be written beside {args.out / PORTFOLIO_FILE}")
        print(f"served column store written in {time.perf_counter() - columns_started:.1f} s -> "
              f"{store_dir(args.out / PORTFOLIO_FILE)}", file=sys.stderr)
    except DataValidationError as exc:  # a row found bad mid-way, or a client in both files
        _remove_if_empty(args.out, created)
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except StoreError as exc:  # the served columns of a damaged or foreign portfolio
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a parent that is a file, read-only folder, full disk
        print(f"error: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"{summary.clients:,} clients scored ({summary.labelled:,} labelled) in "
          f"{time.perf_counter() - started:.1f} s -> {args.out / PORTFOLIO_FILE}")
    return 0


def _remove_if_empty(folder: Path, created: bool) -> None:
    """A refused build leaves no folder behind when it made one (the portfolio is written last)."""
    if created:
        try:
            folder.rmdir()
        except OSError:
            pass


if __name__ == "__main__":
    raise SystemExit(main())
