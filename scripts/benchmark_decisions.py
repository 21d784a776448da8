"""Benchmark the managers' decisions page at 100,000 decisions: one filter change, p50/p95.

    python scripts/benchmark_decisions.py                      # a temporary SQLite file
    python scripts/benchmark_decisions.py --database-url postgresql+psycopg://...   # an EMPTY test database

Fills the database (migrated to the code's schema) with ``--decisions`` synthetic decisions over 40
officers, 7 reasons, 5 grades and 12 months, then times, over ``--n`` random filter combinations,
what the page's callback asks the database for on a change of filters: override rates by officer,
by reason and by grade, agreement by month, the number of matching decisions and the newest 200.
Target: p95 <= 300 ms. Timings are printed, never asserted in tests.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
from pathlib import Path

from _bench import percentiles
from sqlalchemy import insert

from app.security.db import Decision, get_engine, init_db
from app.security.decision_stats import (
    DecisionFilter,
    agreement_by_month,
    filtered_decisions,
    override_rates,
    rebuild_counts,
)
from app.security.decisions import OVERRIDE_REASONS

GRADES = ("A", "B", "C", "D", "E")


def fill(engine, n: int, seed: int) -> float:
    rng = random.Random(seed)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    rows = []
    for i in range(n):
        override = rng.random() < 0.12
        model = rng.choice(("granted", "refused"))
        final = ("refused" if model == "granted" else "granted") if override else model
        rows.append({"client_id": str(100_000 + i), "at": start + dt.timedelta(minutes=5 * i * 365 * 24 * 12 // n),
                     "username": f"officer{rng.randrange(40):02d}", "model_decision": model, "final_decision": final,
                     "overridden": override, "reason": rng.choice(OVERRIDE_REASONS) if override else None, "note": "",
                     "grade": rng.choice(GRADES), "proba": rng.random() * 0.3, "threshold": 0.09,
                     "model_version": "bench@2026-01-01", "approval_required": override})
    started = time.perf_counter()
    with engine.begin() as connection:
        for k in range(0, n, 10_000):
            connection.execute(insert(Decision), rows[k:k + 10_000])
    rebuild_counts(engine)  # the bulk load bypassed record_decision, which keeps the counts in step
    return time.perf_counter() - started


def random_filter(rng: random.Random) -> DecisionFilter:
    pick = lambda values, p=0.4: rng.choice(values) if rng.random() < p else None  # noqa: E731 - local shorthand
    return DecisionFilter(officer=pick([f"officer{i:02d}" for i in range(40)]),
                          final_decision=pick(("granted", "refused")), overridden=pick((True, False), 0.3),
                          reason=pick(OVERRIDE_REASONS, 0.2), grade=pick(GRADES),
                          month=pick([f"2026-{m:02d}" for m in range(1, 13)], 0.3))


def filter_change(engine, f: DecisionFilter) -> None:
    for by in ("officer", "reason", "grade"):
        override_rates(engine, f, by)
    agreement_by_month(engine, f)
    filtered_decisions(engine, f)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=100_000, help="decisions to insert (default 100,000)")
    parser.add_argument("--n", type=int, default=100, help="random filter changes to time (default 100)")
    parser.add_argument("--database-url", default=None, help="an empty database (default: a temporary SQLite file)")
    parser.add_argument("--seed", type=int, default=7, help="random seed")
    args = parser.parse_args(argv)
    if args.decisions < 1 or args.n < 1:
        parser.error("--decisions and --n must be at least 1")
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        engine = get_engine(url)
        init_db(engine)
        seconds = fill(engine, args.decisions, args.seed)
        print(f"{engine.dialect.name}: {args.decisions:,} decisions inserted in {seconds:.1f} s")
        rng = random.Random(args.seed + 1)
        filter_change(engine, DecisionFilter())  # warm the connection pool and the page cache
        times = []
        for _ in range(args.n):
            f = random_filter(rng)
            started = time.perf_counter()
            filter_change(engine, f)
            times.append(time.perf_counter() - started)
        started = time.perf_counter()
        filter_change(engine, DecisionFilter())
        unfiltered = 1000 * (time.perf_counter() - started)
        p50, p95 = percentiles(times)
        print(f"filter change (3 rate tables + agreement by month + count + newest 200), {args.n} random filters: "
              f"p50 {p50:.1f} ms, p95 {p95:.1f} ms (target <= 300 ms); no filter at all: {unfiltered:.1f} ms")


if __name__ == "__main__":
    main()
