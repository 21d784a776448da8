"""Benchmark of the client file's comparison panel on both portfolio engines.

Times ``client_comparison`` (the distribution chart) and ``client_scatter`` for the same clients,
with the default similarity keys, on the model folder's local column store and on the portfolio
published in PostgreSQL (``scripts/publish_portfolio.py`` first): both engines must answer a client
file in the same order of time. Each engine is warmed up once (``warm_up`` and one client) so the
figures are the steady state of a worker, not its first request. Prints p50 / p95 in ms.

    PYTHONPATH=. python scripts/benchmark_comparison.py --model-dir data/bench/model \
        --database-url postgresql://...
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path
from unittest import mock

import numpy as np
from _bench import percentiles

from app.cli.args import positive_int


def _time(call, clients) -> list[float]:
    times = []
    for client_id in clients:
        started = time.perf_counter()
        call(int(client_id))
        times.append(time.perf_counter() - started)
    return times


def _run(component, model, first: int, clients, keys) -> tuple[list[float], list[float]]:
    """A warmed-up worker's times (``warm_up`` and one client first)."""
    component.warm_up(model)
    component.client_comparison(first, component.DEFAULT_FEATURE, keys)
    component.client_scatter(first, "AGE_YEARS", "ANNUITY_INCOME_RATIO", keys)
    comparison = _time(lambda c: component.client_comparison(c, component.DEFAULT_FEATURE, keys), clients)
    scatter = _time(lambda c: component.client_scatter(c, "AGE_YEARS", "ANNUITY_INCOME_RATIO", keys), clients)
    return comparison, scatter


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", type=Path, required=True, help="servable model folder (with portfolio.parquet)")
    parser.add_argument("--database-url", required=True,
                        help="PostgreSQL database where that folder's portfolio is published (scripts/publish_portfolio.py)")
    parser.add_argument("--clients", type=positive_int, default=30, help="random clients measured (default: %(default)s)")
    args = parser.parse_args(argv)

    from app.components import client_comparison as component
    from app.resources import ServedModel
    from app.scoring.cohorts import SIMILARITY_KEYS

    engines = {"local": ServedModel(args.model_dir), "postgresql": ServedModel(args.model_dir, args.database_url)}
    ids = engines["local"].local_portfolio.ids
    clients = np.random.default_rng(0).choice(ids, size=min(args.clients, len(ids)), replace=False)
    keys = tuple(SIMILARITY_KEYS)
    print(f"{len(ids):,} clients, {len(clients)} clients timed, keys {keys}")
    for name, model in engines.items():
        with mock.patch.object(component, "served", lambda model=model: model):  # the callbacks' served model
            comparison, scatter = _run(component, model, int(ids[0]), clients, keys)
        for what, times in (("client_comparison", comparison), ("client_scatter", scatter)):
            p50, p95 = percentiles(times)
            print(f"  {name:<10} {what:<18} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
