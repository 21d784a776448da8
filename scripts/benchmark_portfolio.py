"""Benchmark the portfolio page at full Home Credit size: callback latency and worker memory.

    python scripts/benchmark_portfolio.py --model-dir data/bench/portfolio-model --n 200
    python scripts/benchmark_portfolio.py --model-dir data/bench/model --model-dir data/bench10/model

When ``--model-dir`` has no ``portfolio.parquet`` yet, the 356,255-client synthetic portfolio is
generated (``scripts/generate_portfolio.py``, into data/bench/, git-ignored) and scored with
``app.scoring.portfolio.build_portfolio`` by the model of ``--source-model`` (copied, not modified).

Then, in-process and server-side (inside a request as a manager, so the audit write of an export is
included), over ``--n`` random filter combinations never seen before (cold memoisation caches):
p50/p95 of each portfolio callback next to a baseline measured in the same run (the trivial
callback that shows group B's form), and the process's memory (RSS, anonymous, file-backed, PSS).
With ``--model-dir`` given several times, each folder is measured in a fresh process of its own and
the figures are then printed side by side, one row per folder, with their ratio to the first
folder's (two sizes compared in the same run, on the same machine load). No server is started here
(``benchmark_app.py`` and ``benchmark_load.py`` measure gunicorn's start-up and workers).
Targets: p95 <= 300 ms for a change of filters, RSS <= 512 MB (the worker also serves the client
file). Timings are reported, never asserted in tests.
"""
from __future__ import annotations

import argparse
import dataclasses
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _bench
from _bench import percentiles

from app.cli.args import positive_int

ROOT = Path(__file__).resolve().parents[1]
TARGET_P95_MS, TARGET_RSS_MB = 300.0, 512
N_LABELLED, N_NEW = 307_511, 48_744


SHORT = {"URL update": "url", "group A: key figures + 3 charts (new filter)": "group A",
         "table page 1 (new filter)": "table p1", "table: sort + jump to page 1-50": "table sort",
         "compare A and B (B new, A cached)": "compare", "chart option change (cached group)": "chart opt"}


def peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def memory() -> str:
    return f"{_bench.memory_line(_bench.process_memory())} (peak RSS {peak_mb():.0f} MB)"


def report(name: str, times: list[float], baseline_p95: float | None = None,
           target: float | None = TARGET_P95_MS) -> None:
    """This script's line of the report: its p95 target by default (shared format: ``_bench``)."""
    _bench.report(name, times, baseline_p95, target, width=44)


def ensure_portfolio(model_dir: Path, source_model: Path, data_dir: Path) -> bool:
    """Generate and score the full-size portfolio once (minutes); later runs reuse it."""
    from app.scoring.bundle import PORTFOLIO_FILE, ModelBundle

    if (model_dir / PORTFOLIO_FILE).exists():
        return False
    train, test = data_dir / "application_train.parquet", data_dir / "application_test.parquet"
    if not (train.exists() and test.exists()):
        subprocess.run([sys.executable, str(ROOT / "scripts" / "generate_portfolio.py"), "--n-labelled", str(N_LABELLED),
                        "--n-new", str(N_NEW), "--seed", "42", "--out", str(data_dir)], check=True)
    import pandas as pd

    from app.scoring.data import prepare_applications
    from app.scoring.portfolio import build_portfolio, write_portfolio

    started = time.perf_counter()
    model_dir.mkdir(parents=True, exist_ok=True)
    for f in source_model.iterdir():
        if f.is_file() and f.name != PORTFOLIO_FILE:
            shutil.copy2(f, model_dir / f.name)
    bundle = ModelBundle.load(model_dir)
    labelled, _ = prepare_applications(pd.read_parquet(train), source=train.name, labelled=True)
    new, _ = prepare_applications(pd.read_parquet(test), source=test.name, labelled=False)
    # no out-of-fold probabilities: they belong to the model's own training clients, not these
    write_portfolio(build_portfolio(bundle, labelled, new), model_dir / PORTFOLIO_FILE)
    print(f"scored {len(labelled) + len(new):,} clients into {model_dir} in {time.perf_counter() - started:.0f} s")
    return True


def random_form(rng: random.Random, options: dict[str, list[str]]) -> dict:
    """A group form as a manager fills it: 1 to 3 category filters, sometimes a range and a population."""
    form: dict = {}
    for field in rng.sample(sorted(options), rng.randint(1, 3)):
        values = options[field]
        form[field] = rng.sample(values, rng.randint(1, max(1, len(values) - 1)))
    if rng.random() < 0.4:
        form["credit_min"] = rng.choice([50_000, 100_000, 250_000, 500_000])
    if rng.random() < 0.3:
        form["income_max"] = rng.choice([100_000, 200_000, 400_000])
    form["population"] = rng.choice(["all", "all", "labelled", "new"])
    return form


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_dir = ROOT / "data" / "bench" / "portfolio-model"
    parser.add_argument("--model-dir", type=Path, action="append",
                        help=f"servable model folder built for the benchmark (default: {default_dir}); "
                             "repeat it to compare sizes side by side")
    parser.add_argument("--source-model", type=Path, default=ROOT / "model" / "demo",
                        help="model whose files are served (default: %(default)s)")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data" / "bench",
                        help="folder of the generated full-size portfolio (default: %(default)s)")
    parser.add_argument("--n", type=positive_int, default=200, help="random filter combinations (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=7, help="random seed of the filters (default: %(default)s)")
    parser.add_argument("--portfolio-database-url",
                        help="query the portfolio published in this PostgreSQL database (PORTFOLIO_ENGINE=postgresql; "
                             "scripts/publish_portfolio.py first) instead of the folder's column store")
    parser.add_argument("--json-out", type=Path, help="also write the figures as JSON (how a run per folder reports)")
    args = parser.parse_args(argv)
    model_dirs = args.model_dir or [default_dir]
    if len(model_dirs) > 1:
        # one fresh process per folder: a size's memory and caches never count in the next one's figures
        argv = _bench.without_option(sys.argv[1:] if argv is None else argv, "--model-dir")
        results = _bench.run_per_folder(Path(__file__), argv, model_dirs)
        rows = [(_bench.folder_label(d), r) for d, r in zip(model_dirs, results, strict=True)]
        print()
        print(_bench.side_by_side("size and load time:", rows, ["clients", "load s"], fmt={"clients": "{:,.0f}"}))
        print(_bench.side_by_side(f"p95 ms (target {TARGET_P95_MS:.0f}):", rows, list(SHORT.values())))
        print(_bench.side_by_side("memory after the run, MB:", rows, ["rss", "anon", "file", "pss", "peak rss"],
                                  fmt="{:.0f}"))
        return 0
    return bench_folder(model_dirs[0], args)


def bench_folder(model_dir: Path, args: argparse.Namespace) -> int:
    """Every measurement on one model folder, printed (and written to ``--json-out``)."""
    import json
    import os

    args.model_dir = model_dir
    if ensure_portfolio(args.model_dir, args.source_model, args.data_dir):
        # measure memory in a fresh process, as a worker would start: not after scoring 356k clients
        os.execv(sys.executable, [sys.executable, *sys.argv])

    os.environ["CREDIT_MODEL_DIR"] = str(args.model_dir)
    from app.config import get_settings
    from app.security.testing import request_as
    from app.shell import create_app

    print(f"before loading: {memory()}")
    db = Path(tempfile.mkdtemp()) / "bench.sqlite3"
    settings = dataclasses.replace(get_settings(), database_url=f"sqlite:///{db}", secret_key="b" * 40)
    if args.portfolio_database_url:
        from app.config import normalise_database_url

        settings = dataclasses.replace(settings, portfolio_engine="postgresql",
                                       portfolio_database_url=normalise_database_url(args.portfolio_database_url))
    app = create_app(settings)
    from app.pages import portfolio as page

    started = time.perf_counter()
    an = page.analysis()
    clients = len(page.served().portfolio)
    load_s = time.perf_counter() - started
    print(f"portfolio of {clients:,} clients loaded and indexed in {load_s:.1f} s; {memory()}")
    options = {f: v for f, v in page._options(an).items() if len(v) > 1}
    rng = random.Random(args.seed)
    sorts = [None, "PROBA_DEFAULT", "AMT_CREDIT", "AGE_YEARS", "GRADE", "OUTCOME"]
    times: dict[str, list[float]] = {}
    baseline: list[float] = []

    def timed(name, call, *args):
        t0 = time.perf_counter()
        out = call(*args)
        times.setdefault(name, []).append(time.perf_counter() - t0)
        return out

    with request_as(app.server, "bench-manager", "manager"):
        for i in range(args.n):
            a, b = random_form(rng, options), random_form(rng, options)
            segment, feature = rng.choice(list(page.SEGMENTS)), rng.choice(list(page.FEATURES))
            t0 = time.perf_counter()
            page.show_group_b(True)
            baseline.append(time.perf_counter() - t0)
            timed("URL update", page.update_url, a, b, i % 2 == 0, segment, feature)
            timed("group A: key figures + 3 charts (new filter)", page.update_results, a, {}, False, segment, feature)
            timed("table page 1 (new filter)", page.update_table, {"startRow": 0, "endRow": page.PAGE_SIZE}, a)
            sort = rng.choice(sorts)
            sort_model = [] if sort is None else [{"colId": sort, "sort": rng.choice(["asc", "desc"])}]
            start = rng.randint(0, 49) * page.PAGE_SIZE  # the grid's request for page 1-50
            timed("table: sort + jump to page 1-50", page.update_table,
                  {"startRow": start, "endRow": start + page.PAGE_SIZE, "sortModel": sort_model}, a)
            timed("compare A and B (B new, A cached)", page.update_results, a, b, True, segment, feature)
            timed("chart option change (cached group)", page.update_results, a, {}, False, rng.choice(list(page.SEGMENTS)), feature)
        exports: list[tuple[int, float]] = []
        for form in ({"grade": ["E"]}, {"income_type": ["Pensioner"], "population": "labelled"},
                     {"age_band": ["<25"]}, {"decision": ["refused"]}):
            t0 = time.perf_counter()
            _, status = page.export_group(1, form)
            exports.append((an.summary(page.view_from_controls(form).a).n, time.perf_counter() - t0))
            print(f"  export {form}: {status} in {1000 * exports[-1][1]:.0f} ms")
    base_p95 = percentiles(baseline)[1]
    print(f"in-process callbacks over {args.n} random filter combinations ({clients:,} clients):")
    report("baseline (trivial callback)", baseline, target=None)
    for name, values in times.items():
        report(name, values, base_p95)
    print(f"after the run: {memory()}")
    if args.json_out:
        figures = {"clients": clients, "load s": load_s, **_bench.process_memory(), "peak rss": peak_mb(),
                   **{SHORT[name]: percentiles(values)[1] for name, values in times.items()}}
        args.json_out.write_text(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
