"""Score new applications with a trained model folder.

    python scripts/predict.py --model-dir model/demo --input applications.csv --output scores.csv

The input is a CSV, zipped CSV or Parquet file in the Home Credit application schema (TARGET
optional and ignored); the output (CSV or Parquet, by extension) has one row per application:
SK_ID_CURR, PROBA_DEFAULT (calibrated probability of default), DECISION (granted / refused at the
model's cost-optimal threshold) and GRADE (A-E).

Applications with most inputs missing (every external score, or over half of the columns the model
reads: ``app.scoring.features.mostly_missing``) are still scored, and counted in a warning on stderr
naming a few of them: the model's answer on an almost empty file is not a considered one.

The file is read and scored in batches (``app.scoring.score_file``), a progress line per batch on
stderr, so memory stays bounded whatever its size; the scores are those of a whole-file run, written
under a temporary name and renamed once complete. Parquet streams; CSV and zipped CSV are read in
chunks too, but in four passes (whole-file checks first): use Parquet for millions of rows.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli.args import positive_int
from app.config import get_settings
from app.scoring.batches import DEFAULT_BATCH_ROWS, ApplicationFile
from app.scoring.bundle import ModelBundle, ModelNotFoundError
from app.scoring.data import DataValidationError
from app.scoring.score_file import EXAMPLES, ScoreSummary, stream_scores


def mostly_missing_warning(summary: ScoreSummary) -> str | None:
    """One line counting the applications scored on mostly missing inputs, or ``None`` when none."""
    if not summary.unreliable:
        return None
    ids = summary.unreliable_ids
    examples = ", ".join(str(i) for i in ids[:EXAMPLES]) + (", …" if summary.unreliable > EXAMPLES else "")
    return (f"{summary.unreliable:,} of {summary.scored:,} applications have most inputs missing (every external "
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
    parser.add_argument("--batch-rows", type=positive_int, default=DEFAULT_BATCH_ROWS,
                        help="applications read and scored at a time (default %(default)s; memory grows with it)")
    args = parser.parse_args(argv)
    problem = output_problem(args.output)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    try:
        bundle = ModelBundle.load(args.model_dir)
        applications = ApplicationFile(args.input, labelled=False, ignore_target=True)
    except (DataValidationError, ModelNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for w in applications.column_warnings:
        print(f"warning: {w}", file=sys.stderr)
    try:
        summary = stream_scores(bundle, applications, args.output, batch_rows=args.batch_rows,
                                progress=lambda line: print(line, file=sys.stderr, flush=True))
    except DataValidationError as exc:  # a bad value found in a later batch
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # read-only folder, full disk, removed meanwhile
        print(f"error: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    for w in applications.level_warnings:  # unknown categories, counted over every batch
        print(f"warning: {w}", file=sys.stderr)
    unreliable = mostly_missing_warning(summary)
    if unreliable:
        print(f"warning: {unreliable}", file=sys.stderr)
    print(f"scored {summary.scored:,} applications ({summary.refused / summary.scored:.1%} refused at threshold "
          f"{bundle.threshold:.4f}) -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
