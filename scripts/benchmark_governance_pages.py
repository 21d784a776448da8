"""Server-side open time of the model and monitoring pages (layout + first callbacks), cold and warm.

    python scripts/benchmark_governance_pages.py [--model-dir model/demo] [--repeat 5]

"cold" is the first opening in a fresh process after the model and portfolio are loaded (it reads
oof / SHAP files, and the drift report if present); "warm" the median of the next openings, which
is what every manager gets once the process has served the page once.
The target is 1 s per page open (layout + the callbacks fired on load; the model page fires none).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from app.cli.args import positive_int


def _time(fn, *args) -> float:
    started = time.perf_counter()
    fn(*args)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-dir", type=Path, help="model folder to serve (default: CREDIT_MODEL_DIR or the demo)")
    parser.add_argument("--repeat", type=positive_int, default=5, help="renders of each page (default: %(default)s)")
    args = parser.parse_args(argv)
    import dash

    from app.config import get_settings
    from app.resources import ServedModel, bind_served_model

    app = dash.Dash(__name__, use_pages=True, pages_folder="")  # pages register on an app
    served = ServedModel(args.model_dir.resolve() if args.model_dir else get_settings().model_dir)
    bind_served_model(app.server, served)
    from dash._utils import to_json

    from app.pages import model, monitoring

    load = _time(lambda: (served.bundle, served.portfolio))
    bundle = served.bundle

    def open_model():
        # The layout draws the cost and dependence charts of the default settings itself: no callback
        # fires on load. Timed until encoded as Dash sends it (most of the cost once charts are kept).
        to_json(model.layout())

    def open_monitoring():
        monitoring.layout()
        report = served.drift_report
        monitoring.update_distribution(report.features[0].feature)

    results: dict[str, Any] = {"model_dir": str(bundle.directory), "load_model_and_portfolio_s": round(load, 3)}
    for name, fn in (("model", open_model), ("monitoring", open_monitoring)):
        cold = _time(fn)
        warm = [_time(fn) for _ in range(args.repeat)]
        results[name] = {"cold_s": round(cold, 3), "warm_median_s": round(statistics.median(warm), 3),
                         "warm_max_s": round(max(warm), 3)}
    print(json.dumps(results, indent=1))
    return 0 if all(results[p]["warm_max_s"] <= 1.0 for p in ("model", "monitoring")) else 1


if __name__ == "__main__":
    sys.exit(main())
