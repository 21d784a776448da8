"""Publish a model folder's served portfolio into PostgreSQL, for ``PORTFOLIO_ENGINE=postgresql``.

    python scripts/publish_portfolio.py --model-dir data/bench/model --database-url postgresql://...

Where one machine is outgrown (several dynos, each with its own disk), the dynos query the
portfolio in the database instead of mapping a copy each (``app.scoring.portfolio_sql``). This
copies the folder's column store (built first when missing or stale, as ``build_portfolio.py``
does) into tables of a new version, registered once complete: dynos started afterwards serve it,
dynos already running keep the version they opened. Publishing the same portfolio of the same
model again copies nothing. ``--database-url`` defaults to PORTFOLIO_DATABASE_URL, then DATABASE_URL.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from app.config import SettingsError, normalise_database_url
from app.scoring.bundle import PORTFOLIO_FILE, ModelBundle, ModelNotFoundError
from app.scoring.column_store import StoreError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model-dir", type=Path, required=True, help="model folder with its portfolio.parquet")
    parser.add_argument("--database-url", help="PostgreSQL URL (default: PORTFOLIO_DATABASE_URL, then DATABASE_URL)")
    args = parser.parse_args(argv)

    import os

    url = normalise_database_url(args.database_url or os.environ.get("PORTFOLIO_DATABASE_URL", "")
                                 or os.environ.get("DATABASE_URL", ""))
    if not url.startswith("postgresql"):
        print("error: give --database-url postgresql://... (or set PORTFOLIO_DATABASE_URL)", file=sys.stderr)
        return 2
    path = args.model_dir / PORTFOLIO_FILE
    if not path.is_file():
        print(f"error: {path} does not exist: build it with scripts/build_portfolio.py", file=sys.stderr)
        return 2
    from sqlalchemy.exc import SQLAlchemyError

    from app.scoring.served_portfolio import open_served_portfolio, publish_served
    from app.security.db import get_engine

    started = time.perf_counter()
    try:
        bundle = ModelBundle.load(args.model_dir)
        store = open_served_portfolio(bundle, path)
        version = publish_served(get_engine(url), bundle, store,
                                 log=lambda line: print(line, file=sys.stderr, flush=True))
    except (ModelNotFoundError, StoreError, SettingsError) as exc:  # the folder given is not servable
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        print(f"error: the database refused the publication: {str(exc).splitlines()[0][:300]}", file=sys.stderr)
        return 1
    print(f"portfolio of {args.model_dir} published as version {version} ({len(store):,} clients) "
          f"in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
