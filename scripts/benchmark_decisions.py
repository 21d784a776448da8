"""Benchmark the managers' decisions page at 100,000 decisions: one filter change, p50/p95.

    python scripts/benchmark_decisions.py                      # a temporary SQLite file
    python scripts/benchmark_decisions.py --database-url postgresql+psycopg://...   # an EMPTY test database

Fills the database (migrated to the code's schema) with ``--decisions`` synthetic decisions over 40
officers, 7 reasons, 5 grades and 12 months (12 % overrides awaiting approval), then times, over
``--n`` random filter combinations, what a change of filters costs the page's callback
(``app.pages.decisions.decisions_view``): the database (override rates by officer, by reason and by
grade, agreement by month, the number of matching decisions, one page of them) AND the rendering of
the tables, which at 100,000 decisions cost more than the queries. The database part alone and the
pending overrides (read on load and after a review, not on a filter change) are printed too.
Target: p95 <= 300 ms per filter change. Timings are printed, never asserted in tests.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
from pathlib import Path

import dash
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
    filtered_decisions(engine, f, limit=50)


def time_each(action, filters: list[DecisionFilter]) -> tuple[float, float]:
    times = []
    for f in filters:
        started = time.perf_counter()
        action(f)
        times.append(time.perf_counter() - started)
    return percentiles(times)


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
        dash.Dash(__name__, use_pages=True, pages_folder="")  # the page module registers itself
        from app.pages.decisions import PENDING_SHOWN, decisions_table, decisions_view, pending_options
        from app.security.decisions import pending_reviews

        rng = random.Random(args.seed + 1)
        filters = [random_filter(rng) for _ in range(args.n)]
        decisions_view(engine, DecisionFilter(), 0, "fr")  # warm the connection pool and the page cache
        p50, p95 = time_each(lambda f: decisions_view(engine, f, 0, "fr"), filters)
        db50, db95 = time_each(lambda f: filter_change(engine, f), filters)
        started = time.perf_counter()
        decisions_view(engine, DecisionFilter(), 0, "fr")
        unfiltered = 1000 * (time.perf_counter() - started)

        def pending(_f) -> None:
            records = pending_reviews(engine, limit=PENDING_SHOWN)
            pending_options(records, "fr"), decisions_table(records, "fr", "pending")

        pe50, pe95 = time_each(pending, filters[:20])
        print(f"filter change, page callback (3 rate tables + agreement by month + count + one page, rendered), "
              f"{args.n} random filters: p50 {p50:.1f} ms, p95 {p95:.1f} ms (target <= 300 ms); "
              f"no filter at all: {unfiltered:.1f} ms")
        print(f"  of which the database (same filters): p50 {db50:.1f} ms, p95 {db95:.1f} ms")
        print(f"pending overrides (on load and after a review, not per filter): p50 {pe50:.1f} ms, p95 {pe95:.1f} ms")

if __name__ == "__main__":
    main()
