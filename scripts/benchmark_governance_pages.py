"""Server-side open time of the model and monitoring pages (layout + first callbacks), cold and warm.

    python scripts/benchmark_governance_pages.py [--model-dir model/demo] [--repeat 5]

The app is built as the WSGI entry builds it (warm-up included) on a temporary database into which
the served portfolio's months are backfilled, as the monitoring page reads them; pages are opened as a
manager. "cold" is the first opening (it reads the oof and SHAP files, the stored months); "warm" the
median of the next openings, which is what every manager gets once the process has served the page.
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
    import dataclasses
    import tempfile

    from dash._utils import to_json

    from app.cli.history import backfill
    from app.config import get_settings
    from app.resources import served
    from app.security.testing import request_as
    from app.security.web import current_engine
    from app.shell import create_app

    settings = get_settings()
    db = Path(tempfile.mkdtemp()) / "bench.sqlite3"
    settings = dataclasses.replace(settings, model_dir=(args.model_dir or settings.model_dir).resolve(),
                                   database_url=f"sqlite:///{db}", secret_key="b" * 40)
    app = create_app(settings, warm_up=True)
    from app.components.drift_detail import FEATURE_ID
    from app.pages import model, monitoring  # registered by create_app
    with app.server.app_context():
        started = time.perf_counter()
        engine = current_engine()
        if engine is None:  # create_app always binds the database
            raise RuntimeError("the app has no database")
        months = backfill(engine, served().bundle, log=lambda _m: None)  # what the page reads
        backfill_s = time.perf_counter() - started

    def open_model():
        # The layout (4 charts' data on arrival; the rest come from tab callbacks), encoded as Dash sends it.
        to_json(model.layout())

    def open_monitoring():
        page = monitoring.layout()
        to_json(page)
        feature = next((c.value for c in _walk(page) if getattr(c, "id", None) == FEATURE_ID), None)
        if feature is not None:  # the distribution chart the page's drift detail draws on load
            monitoring.update_distribution(feature)

    with request_as(app.server, "bench-manager", "manager"):
        bundle = served().bundle
        results: dict[str, Any] = {"model_dir": str(bundle.directory), "months_backfilled": len(months),
                                   "backfill_s": round(backfill_s, 2)}
        for name, fn in (("model", open_model), ("monitoring", open_monitoring)):
            cold = _time(fn)
            warm = [_time(fn) for _ in range(args.repeat)]
            results[name] = {"cold_s": round(cold, 3), "warm_median_s": round(statistics.median(warm), 3),
                             "warm_max_s": round(max(warm), 3)}
    print(json.dumps(results, indent=1))
    return 0 if all(results[p]["warm_max_s"] <= 1.0 for p in ("model", "monitoring")) else 1


def _walk(component):
    """Every component of a layout tree (Dash components hold theirs in ``children``)."""
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and hasattr(child, "to_plotly_json"):
            yield from _walk(child)


if __name__ == "__main__":
    sys.exit(main())
