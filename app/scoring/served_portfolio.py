"""The portfolio as the dashboard serves it: which columns, which precomputed arrays, how it opens.

Shared by the web process (``app.resources``) and ``scripts/build_portfolio.py``, which builds the
memory-mapped column store offline (``app.scoring.column_store``) so that a worker starting on a
10x portfolio only maps files. No Dash here.
"""
from __future__ import annotations

import functools
import logging
from pathlib import Path

from app.scoring.bundle import ModelBundle
from app.scoring.cohorts import add_derived_columns
from app.scoring.column_store import StoreError
from app.scoring.portfolio import PortfolioStore
from app.scoring.schema import DATE_COLUMN

log = logging.getLogger(__name__)
#: Above this many clients a portfolio is never held in a worker's own memory (no store: an error)
IN_MEMORY_LIMIT = 500_000

#: Columns the pages filter, show and plot, memory-mapped for every client (the rest is read from
#: disk for the one client on screen). Keep this list short: it sets the pages the workers touch.
SERVED_COLUMNS: tuple[str, ...] = (
    "TARGET", "IS_LABELLED", "PROBA_DEFAULT", "PROBA_OOF", "DECISION", "GRADE",
    "CODE_GENDER", "DAYS_BIRTH", "DAYS_EMPLOYED", "NAME_CONTRACT_TYPE", "NAME_INCOME_TYPE",
    "NAME_EDUCATION_TYPE", "NAME_FAMILY_STATUS", "NAME_HOUSING_TYPE", "OCCUPATION_TYPE",
    "REGION_RATING_CLIENT", "CNT_CHILDREN", "FLAG_OWN_CAR", "FLAG_OWN_REALTY",
    "AMT_INCOME_TOTAL", "AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE",
    "EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3",
)


def precomputed_arrays(bundle: ModelBundle):
    """What the pages compute over every client, stored with the mapped columns (``column_store``):
    the portfolio page's group arrays and the client file's comparison features and outcomes."""
    from app.scoring.comparison import COMPARISON_FEATURES, feature_values, outcomes
    from app.scoring.group_arrays import GroupArrays

    def extras(frame):
        comparison = {name: functools.partial(feature_values, frame, name) for name in COMPARISON_FEATURES}
        comparison["outcomes"] = functools.partial(outcomes, frame)
        return {"analysis": GroupArrays.compute(frame, bundle.threshold).to_store(), "comparison": (comparison, {})}
    return extras


def store_key(bundle: ModelBundle) -> dict:
    """When the precomputed arrays go stale besides a rewritten portfolio: another threshold, other
    served columns, other segments, features, bins or age bands (``column_store.FORMAT_VERSION``
    covers the rest of how they are computed)."""
    from app.scoring import group_arrays
    from app.scoring.comparison import COMPARISON_FEATURES
    from app.scoring.fairness import AGE_BANDS

    return {"threshold": float(bundle.threshold), "columns": list(SERVED_COLUMNS), "optional": [DATE_COLUMN],
            # what the precomputed arrays are made of: a release that changes it rebuilds the store
            "definitions": {"segments": group_arrays.SEGMENTS, "features": group_arrays.FEATURES,
                            "sortable": group_arrays.SORTABLE, "bins": [group_arrays.SCORE_BINS, group_arrays.FEATURE_BINS],
                            "comparison": COMPARISON_FEATURES, "age_bands": [list(map(str, b)) for b in AGE_BANDS]}}


def publication_key(bundle: ModelBundle) -> dict:
    """What a portfolio published in a database must have been built for: the store's key and the
    model files themselves (another model with the same threshold scores other probabilities)."""
    from app.scoring.bundle import model_checksums

    return {**store_key(bundle), "model": model_checksums(bundle.directory)}


def open_served_portfolio(bundle: ModelBundle, path: Path) -> PortfolioStore:
    """The portfolio file served from its memory-mapped column store (built when missing or stale);
    held in memory instead when the store cannot be written beside it (read-only folder)."""
    columns = list(SERVED_COLUMNS)
    try:
        return PortfolioStore.open_mapped(path, columns, store_key(bundle), derive=add_derived_columns,
                                          optional=(DATE_COLUMN,), extras=precomputed_arrays(bundle))
    except OSError as exc:
        import pyarrow.parquet as pq

        rows = pq.ParquetFile(path).metadata.num_rows
        if rows > IN_MEMORY_LIMIT:  # ~250 bytes a client in each worker: a 512 MB worker would be killed
            raise StoreError(f"the column store of {path} cannot be written ({exc.strerror or exc}) and "
                             f"{rows:,} clients do not fit in a worker's memory: free disk space or make the "
                             "folder writable, then rerun scripts/build_portfolio.py") from exc
        log.warning("column store of %s not written (%s): the portfolio is held in this process's memory",
                    path, exc.strerror or exc)
        return PortfolioStore.open(path, columns=columns, derive=add_derived_columns,
                                   optional=(DATE_COLUMN,))  # the queue's age of each application




def publish_served(engine, bundle: ModelBundle, store: PortfolioStore, log=lambda _: None) -> str:
    """Publish the served portfolio (its column store) into PostgreSQL for ``PORTFOLIO_ENGINE=postgresql``,
    with what every dyno would otherwise compute over all clients: each comparison feature's
    distribution over all clients and the simulator's loan bounds (by the same code as a local
    worker, so both engines show the same figures)."""
    from app.scoring.cohorts import RANGE_FIELDS
    from app.scoring.comparison import COMPARISON_FEATURES, bin_edges, distribution, distribution_to_json
    from app.scoring.portfolio_sql import publish
    from app.scoring.whatif import bounds_to_json, granted_loans, portfolio_bounds

    if store.mapped is None:
        raise OSError(f"the column store of {store.path} could not be written: nothing to publish")
    arrays = store.mapped.groups["comparison"]
    everyone = {f: distribution_to_json(distribution(arrays[f], arrays["outcomes"], bin_edges(arrays[f])))
                for f in COMPARISON_FEATURES}
    extra = {"everyone": everyone, "loan_bounds": bounds_to_json(portfolio_bounds(bundle, granted_loans(store.frame)))}
    return publish(engine, store.mapped, publication_key(bundle), filter_columns=tuple(RANGE_FIELDS.values()),
                   log=log, extra=extra)
