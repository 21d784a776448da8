"""Record the observed outcomes of past applications, for the realised performance of the monitoring page.

    python scripts/record_outcomes.py --input outcomes.csv            # SK_ID_CURR, TARGET[, OUTCOME_DATE]

``--input``: CSV, zipped CSV or Parquet with ``SK_ID_CURR``, ``TARGET`` (1 = defaulted, 0 = repaid)
and optionally ``OUTCOME_DATE`` (YYYY-MM-DD), validated like any upload (one ``error:`` line naming
the file, the column, the value and its row). Each outcome is stored in the database
(``DATABASE_URL``, table ``observed_outcomes``) with the probability and decision the model gave the
application and its month (``APPLICATION_DATE`` of the portfolio, else ``--as-of``); a client
recorded again is replaced. Clients unknown to the portfolio are counted in a warning and skipped.
Exit code 0 on success, 2 on bad input.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd
from sqlalchemy.exc import SQLAlchemyError

from app.cli.drift_report import _day
from app.cli.history import outcome_rows
from app.config import get_settings
from app.monitoring_store import store_outcomes
from app.scoring.bundle import PORTFOLIO_FILE, ModelBundle, ModelNotFoundError
from app.scoring.data import DataValidationError, read_table
from app.scoring.history import DATE_COLUMN
from app.scoring.realised import prepare_outcomes
from app.security.db import get_engine, init_db


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", type=Path, required=True, help="outcomes file: SK_ID_CURR, TARGET[, OUTCOME_DATE]")
    parser.add_argument("--model-dir", type=Path, default=get_settings().model_dir,
                        help="model folder whose portfolio scored the applications (default: %(default)s)")
    parser.add_argument("--as-of", type=_day, help="application date, YYYY-MM-DD, when the portfolio has no "
                        "APPLICATION_DATE")
    parser.add_argument("--database-url", default=get_settings().database_url,
                        help="database of the monitoring history (default: DATABASE_URL)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        outcomes = prepare_outcomes(read_table(args.input), source=args.input.name)
        bundle = ModelBundle.load(args.model_dir)
        columns = ["SK_ID_CURR", "PROBA_DEFAULT", "DECISION"]
        path = args.model_dir / PORTFOLIO_FILE
        if not path.exists():
            raise ModelNotFoundError(f"{path} is missing: the outcomes cannot be matched with their applications")
        import pyarrow.parquet as pq

        names = pq.read_schema(path).names
        scored = pd.read_parquet(path, columns=columns + ([DATE_COLUMN] if DATE_COLUMN in names else []))
        if DATE_COLUMN not in scored:
            if args.as_of is None:
                raise DataValidationError(f"the portfolio has no {DATE_COLUMN}: give the applications' date with "
                                          "--as-of YYYY-MM-DD", source=path.name)
            scored[DATE_COLUMN] = pd.Timestamp(args.as_of)
        rows, unknown = outcome_rows(bundle, scored, outcomes)
        engine = get_engine(args.database_url)
        init_db(engine)
        stored = store_outcomes(engine, rows)
    except SQLAlchemyError as exc:
        print(f"error: the monitoring database cannot be written ({type(exc).__name__}); check DATABASE_URL",
              file=sys.stderr)
        return 2
    except (DataValidationError, ModelNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if unknown:
        print(f"warning: {unknown} of {len(outcomes)} outcomes concern clients absent from the portfolio: skipped",
              file=sys.stderr)
    defaults = sum(r["target"] for r in rows)
    print(f"{stored} outcomes recorded ({defaults} defaults) from {args.input.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
