"""Write a synthetic Home Credit portfolio as application_train / application_test parquet files.

    python scripts/generate_portfolio.py --n-labelled 307511 --n-new 48744 --seed 42 --out data/bench

Used for scale benchmarks (the full Home Credit size is 307,511 + 48,744 clients). Write it outside
git (data/bench/ is git-ignored): it is a generated artefact, rebuilt from the committed parameters.
Every application has an APPLICATION_DATE; the new ones come in 12 monthly batches, and
``outcomes.parquet`` (SK_ID_CURR, APPLICATION_DATE, TARGET) holds the realised outcomes of those at
least 6 months old, as a lender would record them later (see app.scoring.synth_history).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from app.cli.args import non_negative_int
from app.cli.paths import folder_problem
from app.scoring.synth_history import demo_history

OUTCOMES_FILE = "outcomes.parquet"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-labelled", type=non_negative_int, default=30_000,
                        help="labelled applications, with TARGET (default: %(default)s)")
    parser.add_argument("--n-new", type=non_negative_int, default=8_000,
                        help="new applications, without TARGET (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default: %(default)s)")
    parser.add_argument("--out", type=Path, required=True, help="output folder (keep it out of git)")
    args = parser.parse_args(argv)
    problem = folder_problem(args.out, "--out")
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    history = demo_history(args.n_labelled, args.n_new, seed=args.seed)
    labelled, new = history.labelled, history.new
    elapsed = time.perf_counter() - start
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        labelled.to_parquet(args.out / "application_train.parquet", index=False)
        new.to_parquet(args.out / "application_test.parquet", index=False)
        history.outcomes.to_parquet(args.out / OUTCOMES_FILE, index=False)
    except OSError as exc:  # a parent that is a file, read-only folder, full disk
        print(f"error: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"{len(labelled):,} labelled + {len(new):,} new applications generated in {elapsed:.1f} s -> {args.out} "
          f"({len(history.outcomes):,} known outcomes of new applications in {OUTCOMES_FILE})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
