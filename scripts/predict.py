"""Score new applications with a trained model folder.

    python scripts/predict.py --model-dir model/demo --input applications.csv --output scores.csv

The input is a CSV, zipped CSV or Parquet file in the Home Credit application schema (TARGET
optional and ignored); the output (CSV or Parquet, by extension) has one row per application:
SK_ID_CURR, PROBA_DEFAULT (calibrated probability of default), DECISION (granted / refused at the
model's cost-optimal threshold) and GRADE (A-E).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import _bootstrap  # noqa: F401

from app.config import get_settings
from app.scoring.bundle import ModelBundle, ModelNotFoundError
from app.scoring.data import DataValidationError, prepare_applications, read_table


def output_problem(output: Path) -> str | None:
    """Why the scores cannot be written to ``output``, checked before loading anything, or ``None``.

    The folder must exist (a typo in it should not create a tree of folders, nor fail after scoring).
    """
    if output.suffix.lower() not in (".csv", ".parquet"):
        return f"output must end in .csv or .parquet, got {output.name}"
    if output.is_dir():
        return f"--output {output} is a folder; give a file name such as {output / 'scores.csv'}"
    if not output.parent.is_dir():
        return f"--output {output}: folder {output.parent} does not exist"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-dir", type=Path, default=get_settings().model_dir)
    parser.add_argument("--input", type=Path, required=True)
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args(argv)
    problem = output_problem(args.output)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    try:
        bundle = ModelBundle.load(args.model_dir)
        raw = read_table(args.input)
        applications, warnings = prepare_applications(
            raw.drop(columns=["TARGET"], errors="ignore"), source=args.input.name, labelled=False)
    except (DataValidationError, ModelNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    scores = bundle.score(applications)
    try:
        if args.output.suffix.lower() == ".parquet":
            scores.to_parquet(args.output, index=False)
        else:
            scores.to_csv(args.output, index=False)
    except OSError as exc:  # read-only folder, full disk, removed meanwhile
        print(f"error: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    refused = (scores["DECISION"] == "refused").mean()
    print(f"scored {len(scores):,} applications ({refused:.1%} refused at threshold {bundle.threshold:.4f}) -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
