"""Timing helpers shared by the benchmark scripts (``benchmark_app.py``, ``benchmark_portfolio.py``).

One definition of how a latency is summarised (p50 / p95 in milliseconds) and printed (next to the
same run's baseline, against a target), so the scripts' reports compare like with like.
"""
from __future__ import annotations

import numpy as np


def percentiles(times: list[float]) -> tuple[float, float]:
    """p50 and p95 of durations given in seconds, in milliseconds."""
    ms = 1000 * np.asarray(times, dtype=float)
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95))


def report(name: str, times: list[float], baseline_p95: float | None = None, target: float | None = None,
           width: int = 34) -> None:
    """Print one line: p50, p95, p95 as a multiple of the baseline's, and OK / MISSES TARGET."""
    p50, p95 = percentiles(times)
    ratio = f"  x{p95 / baseline_p95:6.1f} baseline" if baseline_p95 else ""
    verdict = "" if target is None else ("  OK" if p95 <= target else "  MISSES TARGET")
    print(f"  {name:<{width}} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms{ratio}{verdict}")
