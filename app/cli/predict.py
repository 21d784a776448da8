"""Score new applications with a trained model folder.

    python scripts/predict.py --model-dir model/demo --input applications.csv --output scores.csv

The input is a CSV, zipped CSV or Parquet file in the Home Credit application schema (TARGET
optional and ignored); the output (CSV or Parquet, by extension) has one row per application:
SK_ID_CURR, PROBA_DEFAULT (calibrated probability of default), DECISION (granted / refused at the
model's cost-optimal threshold) and GRADE (A-E).

Applications with most inputs missing (every external score, or over half of the columns the model
reads: ``app.scoring.features.mostly_missing``) are still scored, and counted in a warning on stderr
naming a few of them: the model's answer on an almost empty file is not a considered one.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.config import get_settings
from app.scoring.bundle import ModelBundle, ModelNotFoundError
from app.scoring.data import DataValidationError, prepare_applications, read_table
from app.scoring.features import mostly_missing

_MAX_EXAMPLES = 5


def mostly_missing_warning(applications) -> str | None:
    """One line counting the applications scored on mostly missing inputs, or ``None`` when none."""
    flagged = mostly_missing(applications).to_numpy()
    if not flagged.any():
        return None
    ids = applications["SK_ID_CURR"].to_numpy()[flagged]
    examples = ", ".join(str(i) for i in ids[:_MAX_EXAMPLES]) + (", …" if len(ids) > _MAX_EXAMPLES else "")
    return (f"{len(ids):,} of {len(applications):,} applications have most inputs missing (every external "
            f"score, or over half of the model's inputs): their scores are unreliable (SK_ID_CURR {examples})")


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
    parser.add_argument("--model-dir", type=Path, default=get_settings().model_dir,
                        help="trained model folder (default: CREDIT_MODEL_DIR, %(default)s)")
    parser.add_argument("--input", type=Path, required=True,
                        help="applications to score (.csv, .csv.zip or .parquet, application schema)")
    parser.add_argument("--output", type=Path, required=True,
                        help="scores file to write (.csv or .parquet) in an existing folder")
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
    unreliable = mostly_missing_warning(applications)
    if unreliable:
        print(f"warning: {unreliable}", file=sys.stderr)
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
