"""Latency of one client's exact explanation (features + SHAP) with a trained model folder.

    python scripts/benchmark_explain.py --model-dir model/home-credit [--n 300]

Prints the median and 95th percentile over random clients of the model folder's portfolio, for the
full path a client file takes (read the row, build the model inputs, exact TreeSHAP) and for SHAP
alone, next to a baseline measured in the same run (scoring the same one-row inputs, no SHAP).
Target: explanation <= 50 ms per client.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from app.cli.args import positive_int
from app.scoring.bundle import PORTFOLIO_FILE, ModelBundle
from app.scoring.explain import explain_row
from app.scoring.portfolio import PortfolioStore


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-dir", type=Path, default=Path("model/demo"), help="servable model folder (default: %(default)s)")
    parser.add_argument("--n", type=positive_int, default=300, help="clients explained (default: %(default)s)")
    args = parser.parse_args(argv)
    bundle = ModelBundle.load(args.model_dir)
    store = PortfolioStore.open(args.model_dir / PORTFOLIO_FILE, columns=["PROBA_DEFAULT"])
    ids = store.ids[np.random.default_rng(0).choice(len(store.ids), size=min(args.n, len(store.ids)), replace=False)]
    trees = bundle.model.tree_count_
    timings: dict[str, list[float]] = {"score only (baseline)": [], "SHAP only": [], "row + features + SHAP": []}
    for client_id in ids:
        t0 = time.perf_counter()
        X = bundle.features(store.client_row(int(client_id)))
        t1 = time.perf_counter()
        explain_row(bundle, X)
        t2 = time.perf_counter()
        bundle.proba(X)
        t3 = time.perf_counter()
        timings["SHAP only"].append(1000 * (t2 - t1))
        timings["row + features + SHAP"].append(1000 * (t2 - t0))
        timings["score only (baseline)"].append(1000 * (t3 - t2))
    base = np.median(timings["score only (baseline)"])
    print(f"{args.model_dir}: {trees} trees, {len(ids)} random clients")
    for name, values in timings.items():
        print(f"  {name:<24} median {np.median(values):6.1f} ms  p95 {np.percentile(values, 95):6.1f} ms"
              f"  (x{np.median(values) / base:.1f} the baseline)")
    print("  target: explanation <= 50 ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
