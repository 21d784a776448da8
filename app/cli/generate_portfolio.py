"""Write a synthetic Home Credit portfolio as application_train / application_test parquet files.

    python scripts/generate_portfolio.py --n-labelled 307511 --n-new 48744 --seed 42 --out data/bench

Used for scale benchmarks (the full Home Credit size is 307,511 + 48,744 clients). Write it outside
git (data/bench/ is git-ignored): it is a generated artefact, rebuilt from the committed parameters.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _paths import folder_problem  # noqa: E402 - beside this script

from app.scoring.synth import demo_portfolio  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-labelled", type=int, default=30_000, help="labelled applications (with TARGET)")
    parser.add_argument("--n-new", type=int, default=8_000, help="new applications (without TARGET)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, required=True, help="output folder (keep it out of git)")
    args = parser.parse_args(argv)
    if args.n_labelled < 0 or args.n_new < 0:
        parser.error("row counts must be non-negative")
    problem = folder_problem(args.out, "--out")
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    labelled, new = demo_portfolio(args.n_labelled, args.n_new, seed=args.seed)
    elapsed = time.perf_counter() - start
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        labelled.to_parquet(args.out / "application_train.parquet", index=False)
        new.to_parquet(args.out / "application_test.parquet", index=False)
    except OSError as exc:  # a parent that is a file, read-only folder, full disk
        print(f"error: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"{len(labelled):,} labelled + {len(new):,} new applications generated in {elapsed:.1f} s -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
