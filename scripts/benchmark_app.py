"""Benchmark the client file at full portfolio size: worker memory, start-up time, callback latency.

    python scripts/benchmark_app.py --model-dir data/bench/model --n 300
    python scripts/benchmark_app.py --model-dir data/bench/model --model-dir data/bench10/model

``--model-dir`` is a servable model folder (``scripts/build_portfolio.py`` writes one with 356,255
clients); given several times, each folder is measured in a fresh process of its own, then the
figures are printed side by side, one row per folder, with their ratio to the first folder's (two
sizes compared in the same run, on the same machine load). Prints, for each folder:

1. in-process: p50/p95 of each client-page callback function called in a loop over random client
   ids (inside a request as an officer, so the audit write is included), next to a baseline (the
   trivial decision-panel toggle callback) in the same run;
2. one gunicorn worker (the Procfile's configuration, WEB_CONCURRENCY=1): start-up time until
   /healthz answers and until a client page answers, p50/p95 of POST /_dash-update-component for
   each client-page callback, the id search's included (baseline: the same trivial callback), and
   the worker's memory (RSS, anonymous, file-backed, PSS: ``_bench.MEMORY_NOTE``); with
   ``--memory-limit-mb 512``, inside a memory cgroup of that size (a dyno's limit, ``_cgroup.py``).

Concurrent officers on two workers: ``benchmark_load.py``.
Targets: worker RSS <= 512 MB, start-up <= 15 s, p95 <= 100 ms per callback. Timings are reported,
never asserted in tests (a shared CI machine is too noisy for that).
"""
from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import json
import os
import re
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import _bench
import _cgroup
import numpy as np
from _bench import percentiles

from app.cli.args import positive_int

TARGET_RSS_MB, TARGET_START_S, TARGET_P95_MS = 512, 15.0, 100.0
PASSWORD = "benchmark password 123"
CACHED, SEARCH = "render, same client again (cache)", "search (type-ahead)"
# the side-by-side tables' column names (``benchmark_load.py`` uses them too)
SHORT = {"render (file, score, reasons)": "render", CACHED: "cached", "waterfall": "waterfall",
         "simulator: the file's terms": "terms", "simulator: first run": "first run",
         "comparison (histograms)": "compare", "scatter (cohort points)": "scatter", SEARCH: "search"}


def report(name: str, times: list[float], baseline_p95: float | None = None,
           target: float | None = TARGET_P95_MS) -> None:
    """This script's line of the report: its p95 target by default (shared format: ``_bench``)."""
    _bench.report(name, times, baseline_p95, target, width=34)


def callback_payload(app, output_id: str, values: dict[str, object]) -> dict:
    """The request the browser posts for the registered callback that writes ``output_id``, built from
    the app's own callback map (``_bench.callback_payload``)."""
    from dash._callback import GLOBAL_CALLBACK_MAP

    registered = {**GLOBAL_CALLBACK_MAP, **app.callback_map}  # the app takes the global map over at its first request
    return _bench.callback_payload(registered, output_id, values)


def opening_values(client_id: int) -> dict[str, object]:
    """The component values of a client file as the page holds them when it opens."""
    from app.components import client_comparison as compare
    from app.pages import client as page
    from app.scoring.cohorts import SIMILARITY_KEYS
    from app.scoring.comparison import DEFAULT_FEATURE, DEFAULT_SCATTER

    return {f"{page.CLIENT_ID}.data": str(client_id), f"{page.WATERFALL_VIEW}.value": page.BY_CONCEPT,
            f"{compare.COMPARE_FEATURE}.value": DEFAULT_FEATURE, f"{compare.COMPARE_KEYS}.value": list(SIMILARITY_KEYS),
            f"{compare.SCATTER_X}.value": DEFAULT_SCATTER[0], f"{compare.SCATTER_Y}.value": DEFAULT_SCATTER[1],
            f"{page.SEARCH_INPUT}.value": str(client_id)[:3]}


def opening_callbacks() -> dict[str, str]:
    """Every callback that runs when an officer opens a client file (name -> an output it writes), the
    simulator's first run on the file's own terms included, then the type-ahead search."""
    from app.components import client_comparison as compare
    from app.components import whatif as card
    from app.pages import client as page

    return {"render (file, score, reasons)": page.HEADING, "waterfall": page.WATERFALL,
            "simulator: the file's terms": card.WHATIF_CREDIT, "simulator: first run": card.WHATIF_RESULT,
            "comparison (histograms)": compare.COMPARE_FIGURE, "scatter (cohort points)": compare.SCATTER_FIGURE,
            "search (type-ahead)": page.SEARCH_MATCHES}


def baseline_payload(app) -> dict:
    return callback_payload(app, "client-decision-reason", {"client-decision-choice.value": "follow"})


# --- in-process --------------------------------------------------------------------------------------
def bench_in_process(ids: list[int], db_url: str, measure: bool = True):
    """The app, built and warmed up, and the p95 (ms) of each callback called in process."""
    import dataclasses

    from app.components.decision_log import toggle_reason
    from app.config import get_settings
    from app.security.testing import request_as
    from app.shell import create_app

    settings = dataclasses.replace(get_settings(), database_url=db_url, secret_key="b" * 40)
    started = time.perf_counter()
    app = create_app(settings, warm_up=measure)  # unmeasured: no served model here, no portfolio page mapped
    print(f"in-process: app built{' and warmed up' if measure else ''} in {time.perf_counter() - started:.1f} s; "
          f"{_bench.memory_line(_bench.process_memory())}")
    from app.components import client_comparison as compare
    from app.pages import client as page
    from app.scoring.cohorts import SIMILARITY_KEYS
    from app.scoring.comparison import DEFAULT_FEATURE, DEFAULT_SCATTER

    if not measure:
        return app, {}
    from app.components import whatif as card
    from app.resources import served

    def first_run(cid):
        terms = card.client_case(served(), cid).original
        return card.simulate_outputs(str(cid), terms.credit, terms.months, terms.goods, "fr")

    calls = {
        "render (file, score, reasons)": lambda cid: page.render_client(str(cid)),
        CACHED: lambda cid: page.render_client(str(cid)),
        "waterfall": lambda cid: page.waterfall(str(cid), page.BY_CONCEPT),
        "simulator: the file's terms": lambda cid: card.setup_outputs(str(cid), False, "fr"),
        "simulator: first run": first_run,
        "comparison (histograms)": lambda cid: compare.comparison(str(cid), DEFAULT_FEATURE, list(SIMILARITY_KEYS)),
        "scatter (cohort points)": lambda cid: compare.scatter(str(cid), *DEFAULT_SCATTER, list(SIMILARITY_KEYS)),
        SEARCH: lambda cid: page.search_update(str(cid)[:3], opening=False),
    }
    times: dict[str, list[float]] = {name: [] for name in calls}
    baseline: list[float] = []
    with request_as(app.server, "bench-officer", "officer"):
        for cid in ids:
            for name, call in calls.items():
                t0 = time.perf_counter()
                call(cid)
                times[name].append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            toggle_reason("follow")
            baseline.append(time.perf_counter() - t0)
    base_p95 = percentiles(baseline)[1]
    print(f"in-process callbacks over {len(ids)} random clients (each client opened for the first time):")
    report("baseline (trivial callback)", baseline, target=None)
    for name, values in times.items():
        report(name, values, base_p95)
    opening = [sum(times[name][k] for name in times if name not in (CACHED, SEARCH)) for k in range(len(ids))]
    report("whole opening, server time summed", opening, base_p95, target=None)
    figures = {f"{SHORT[name]}": percentiles(values)[1] for name, values in times.items()}
    figures["opening"] = percentiles(opening)[1]
    return app, figures


# --- gunicorn ----------------------------------------------------------------------------------------
def bench_gunicorn(app, model_dir: Path, ids: list[int], db_url: str, log_path: Path,
                   memory_limit_mb: int | None = None) -> dict[str, float]:
    """Start-up, p95 (ms) of each callback through one gunicorn worker, and its memory (in a memory
    cgroup of ``memory_limit_mb`` when given: ``_cgroup.py``)."""
    from _cgroup import limited
    from _gunicorn import gunicorn

    from app.security.accounts import create_user, get_account
    from app.security.db import get_engine, init_db

    engine = get_engine(db_url)
    init_db(engine)
    if get_account(engine, "bench-officer") is None:
        create_user(engine, "bench-officer", PASSWORD, "officer")
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        group = stack.enter_context(limited(memory_limit_mb)) if memory_limit_mb else None
        server = stack.enter_context(gunicorn(model_dir, db_url, workers=1, log_path=log_path, cgroup=group))
        base = server.base
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        login(opener, base)
        status = opener.open(f"{base}/client/{ids[0]}").status
        page_s = time.perf_counter() - started
        print(f"gunicorn (1 worker, preload): /healthz answers after {server.startup_s:.1f} s "
              f"({_bench.verdict(server.startup_s, TARGET_START_S)}), client page (HTTP {status}) after {page_s:.1f} s")
        baseline: list[float] = []
        times: dict[str, list[float]] = {}
        from app.components import whatif as card
        from app.security.csrf import CSRF_COOKIE, CSRF_HEADER

        # the anti-forgery token the page's cookie carries goes back in a header, as Dash sends it
        token = next(c.value or "" for c in jar if c.name == CSRF_COOKIE)
        opener.addheaders = [(CSRF_HEADER, token)]
        callbacks = opening_callbacks()
        for cid in ids:
            values = opening_values(cid)
            for name, output in callbacks.items():
                elapsed, answer = post(opener, base, callback_payload(app, output, values))
                times.setdefault(name, []).append(elapsed)
                for field in (card.WHATIF_CREDIT, card.WHATIF_MONTHS, card.WHATIF_GOODS):  # as the page fills them
                    if field in answer:
                        values[f"{field}.value"] = answer[field]["value"]
            baseline.append(post(opener, base, baseline_payload(app))[0])
        base_p95 = percentiles(baseline)[1]
        print(f"POST /_dash-update-component over {len(ids)} random clients (client-side clock, localhost):")
        report("baseline (trivial callback)", baseline, target=None)
        for name, measured in times.items():
            report(name, measured, base_p95)
        figures = {"start s": server.startup_s, "page s": page_s,
                   **{f"http {SHORT[name]}": percentiles(measured)[1] for name, measured in times.items()}}
        for w in _bench.children(server.pid):
            memory = _bench.process_memory(w)
            print(f"worker {w}: {_bench.memory_line(memory)}  RSS {_bench.verdict(memory['rss'], TARGET_RSS_MB)}")
            figures.update({f"worker {kind}": value for kind, value in memory.items()})
        print(f"master {server.pid}: {_bench.memory_line(_bench.process_memory(server.pid))}")
        print(_bench.MEMORY_NOTE)
        if group:
            limit = group.report()
            print(limit.line())
            figures.update(limit.figures())
    return figures


def login(opener, base: str) -> None:
    html = opener.open(f"{base}/login").read().decode()
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    if match is None:
        raise RuntimeError(f"no CSRF token in {base}/login")
    token = match.group(1)
    data = urllib.parse.urlencode({"username": "bench-officer", "password": PASSWORD, "csrf_token": token,
                                   "next": "/"}).encode()
    opener.open(urllib.request.Request(f"{base}/login", data=data))


def post(opener, base: str, payload: dict) -> tuple[float, dict]:
    """(seconds, the answer's components) of one callback request."""
    body = json.dumps(payload).encode()
    request = urllib.request.Request(f"{base}/_dash-update-component", data=body,
                                     headers={"Content-Type": "application/json"})
    t0 = time.perf_counter()
    with opener.open(request) as response:
        body = response.read()
        if response.status not in (200, 204):
            raise RuntimeError(f"callback answered HTTP {response.status}")
    elapsed = time.perf_counter() - t0
    return elapsed, (json.loads(body).get("response", {}) if body else {})


def bench_folder(model_dir: Path, args: argparse.Namespace) -> dict[str, float]:
    """Every measurement on one model folder, printed; its figures for the side-by-side tables."""
    os.environ["CREDIT_MODEL_DIR"] = str(model_dir)
    import pyarrow.parquet as pq

    all_ids = pq.read_table(model_dir / "portfolio.parquet", columns=["SK_ID_CURR"]).column(0).to_numpy()
    ids = [int(i) for i in np.random.default_rng(args.seed).choice(all_ids, size=args.n, replace=False)]
    print(f"portfolio: {len(all_ids):,} clients in {model_dir}; {args.n} random clients (seed {args.seed}); "
          f"load average {os.getloadavg()[0]:.2f}")
    figures: dict[str, float] = {"clients": len(all_ids)}
    with tempfile.TemporaryDirectory() as tmp:
        # in-process first: it builds the app whose page module names the callbacks' component ids
        app, in_process = bench_in_process(ids, f"sqlite:///{tmp}/inprocess.sqlite3", measure=not args.skip_in_process)
        figures.update({f"in-proc {name}": value for name, value in in_process.items()})
        if not args.skip_gunicorn:
            figures.update(bench_gunicorn(app, model_dir, ids, f"sqlite:///{tmp}/gunicorn.sqlite3",
                                          Path(tmp) / "gunicorn.log", args.memory_limit_mb))
    return figures


def print_tables(rows: list[tuple[str, dict[str, float]]]) -> None:
    """The folders side by side: one row each, then the ratios to the first folder's."""
    from _bench import select, side_by_side

    names = [SHORT[name] for name in (*opening_names(), CACHED)]
    print()
    print(side_by_side("start-up (s) and size:", rows, ["clients", "start s", "page s"], fmt={"clients": "{:,.0f}"}))
    print(side_by_side("p95 ms, in process:", select(rows, {n: f"in-proc {n}" for n in (*names, "opening")})))
    print(side_by_side("p95 ms, through gunicorn (1 worker):",
                       select(rows, {n: f"http {n}" for n in names if n != "cached"})))
    print(side_by_side("worker memory, MB:", select(rows, {k: f"worker {k}" for k in ("rss", "anon", "file", "pss")}),
                       fmt="{:.0f}"))
    _cgroup.print_table(rows, "master and worker")


def opening_names() -> list[str]:
    return ["render (file, score, reasons)", "waterfall", "simulator: the file's terms", "simulator: first run",
            "comparison (histograms)", "scatter (cohort points)", SEARCH]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", type=Path, action="append", required=True,
                        help="servable model folder (with portfolio.parquet); repeat it to compare sizes side by side")
    parser.add_argument("--n", type=positive_int, default=200, help="random clients per measurement (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the clients drawn (default: %(default)s)")
    parser.add_argument("--skip-gunicorn", action="store_true", help="do not measure through a gunicorn server")
    parser.add_argument("--skip-in-process", action="store_true", help="do not measure the in-process Flask test client")
    parser.add_argument("--memory-limit-mb", type=positive_int, default=None,
                        help="run the gunicorn server in a Linux memory cgroup of this size, page cache included, "
                             "as a dyno's limit (needs root and --skip-in-process; default: no limit)")
    parser.add_argument("--json-out", type=Path, help="also write the figures as JSON (how a run per folder reports)")
    args = parser.parse_args(argv)
    problem: str | None
    if args.memory_limit_mb and not args.skip_in_process:
        # pages this process maps stay charged to it and resident for the server: flattering figures
        problem = "--memory-limit-mb needs --skip-in-process (the in-process run maps the portfolio outside the limit)"
    else:
        problem = _cgroup.check(args.memory_limit_mb)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    missing = [d for d in args.model_dir if not (d / "portfolio.parquet").is_file()]
    if missing:
        print(f"error: --model-dir {missing[0]}: no portfolio.parquet in it (scripts/build_portfolio.py writes one)",
              file=sys.stderr)
        return 2
    if len(args.model_dir) == 1:
        figures = bench_folder(args.model_dir[0].resolve(), args)
        if args.json_out:
            args.json_out.write_text(json.dumps(figures))
        return 0
    # one fresh process per folder: a size's memory and caches never count in the next one's figures
    argv = _bench.without_option(sys.argv[1:] if argv is None else argv, "--model-dir")
    results = _bench.run_per_folder(Path(__file__), argv, [d.resolve() for d in args.model_dir])
    print_tables([(_bench.folder_label(d), r) for d, r in zip(args.model_dir, results, strict=True)])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
