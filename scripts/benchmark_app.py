"""Benchmark the client file at full portfolio size: worker memory, start-up time, callback latency.

    python scripts/benchmark_app.py --model-dir data/bench/model --n 300

``--model-dir`` is a servable model folder (``scripts/build_portfolio.py`` writes one with 356,255
clients). Prints, measured server-side:

1. in-process: p50/p95 of each client-page callback function called in a loop over random client
   ids (inside a request as an officer, so the audit write is included), next to a baseline (the
   trivial decision-panel toggle callback) in the same run;
2. one gunicorn worker (the Procfile's configuration, WEB_CONCURRENCY=1): start-up time until
   /healthz answers and until a client page answers, p50/p95 of POST /_dash-update-component for
   each client-page callback (baseline: the same trivial callback) and the worker's resident memory.

Targets: worker RSS <= 512 MB, start-up <= 15 s, p95 <= 100 ms per callback. Timings are reported,
never asserted in tests (a shared CI machine is too noisy for that).
"""
from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import _bench
import numpy as np
from _bench import percentiles

from app.cli.args import positive_int

TARGET_RSS_MB, TARGET_START_S, TARGET_P95_MS = 512, 15.0, 100.0
PASSWORD = "benchmark password 123"


def report(name: str, times: list[float], baseline_p95: float | None = None,
           target: float | None = TARGET_P95_MS) -> None:
    """This script's line of the report: its p95 target by default (shared format: ``_bench``)."""
    _bench.report(name, times, baseline_p95, target, width=34)


def output_spec(outputs: list[tuple[str, str]]) -> str:
    if len(outputs) == 1:
        return f"{outputs[0][0]}.{outputs[0][1]}"
    return ".." + "...".join(f"{i}.{p}" for i, p in outputs) + ".."


def callback_payload(outputs, inputs) -> dict:
    return {"output": output_spec(outputs), "outputs": [{"id": i, "property": p} for i, p in outputs] if len(outputs) > 1
            else {"id": outputs[0][0], "property": outputs[0][1]},
            "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
            "changedPropIds": [f"{inputs[0][0]}.{inputs[0][1]}"], "state": []}


def client_payloads(client_id: int) -> dict[str, dict]:
    """The client page's callbacks as the browser posts them."""
    from app.components import client_comparison as compare
    from app.pages import client as page
    from app.scoring.cohorts import SIMILARITY_KEYS
    from app.scoring.comparison import DEFAULT_FEATURE, DEFAULT_SCATTER

    cid = str(client_id)
    keys = list(SIMILARITY_KEYS)
    return {
        "render (score, reasons, waterfall)": callback_payload(
            [(page.ALERT, "children"), (page.BODY, "style"), (page.HEADING, "children"), (page.STATUS, "children"),
             (page.IDENTITY, "children"), (page.GAUGE, "figure"), (page.SCORE, "children"),
             (page.WATERFALL, "figure"), (page.REASONS, "children"), (page.DECISION_SLOT, "children"),
             (compare.COMPARE_KEYS, "options")],
            [(page.CLIENT_ID, "data", cid)]),
        "comparison (histograms)": callback_payload(
            [(compare.COMPARE_FIGURE, "figure"), (compare.COMPARE_MESSAGE, "children")],
            [(page.CLIENT_ID, "data", cid), (compare.COMPARE_FEATURE, "value", DEFAULT_FEATURE),
             (compare.COMPARE_KEYS, "value", keys)]),
        "scatter (cohort points)": callback_payload(
            [(compare.SCATTER_FIGURE, "figure"), (compare.SCATTER_NOTE, "children")],
            [(page.CLIENT_ID, "data", cid), (compare.SCATTER_X, "value", DEFAULT_SCATTER[0]),
             (compare.SCATTER_Y, "value", DEFAULT_SCATTER[1]), (compare.COMPARE_KEYS, "value", keys)]),
        "search (type-ahead)": callback_payload(
            [(page.SEARCH_MATCHES, "children"), (page.SEARCH_FEEDBACK, "children"), (page.NAV, "pathname")],
            [(page.SEARCH_INPUT, "value", cid[:3]), (page.SEARCH_OPEN, "n_clicks", None),
             (page.SEARCH_INPUT, "n_submit", None)]),
    }


BASELINE_PAYLOAD = callback_payload([("client-decision-reason", "disabled")], [("client-decision-choice", "value", "follow")])


# --- in-process --------------------------------------------------------------------------------------
def bench_in_process(ids: list[int], db_url: str, measure: bool = True) -> None:
    import dataclasses

    from app.components.decision_log import toggle_reason
    from app.config import get_settings
    from app.security.testing import request_as
    from app.shell import create_app

    settings = dataclasses.replace(get_settings(), database_url=db_url, secret_key="b" * 40)
    started = time.perf_counter()
    app = create_app(settings, warm_up=True)
    print(f"in-process: app built and warmed up in {time.perf_counter() - started:.1f} s")
    from app.components import client_comparison as compare
    from app.pages import client as page
    from app.scoring.cohorts import SIMILARITY_KEYS
    from app.scoring.comparison import DEFAULT_FEATURE, DEFAULT_SCATTER

    if not measure:
        return
    calls = {
        "render (score, reasons, waterfall)": lambda cid: page.render_client(str(cid)),
        "render, same client again (cache)": lambda cid: page.render_client(str(cid)),
        "comparison (histograms)": lambda cid: compare.comparison(str(cid), DEFAULT_FEATURE, list(SIMILARITY_KEYS)),
        "scatter (cohort points)": lambda cid: compare.scatter(str(cid), *DEFAULT_SCATTER, list(SIMILARITY_KEYS)),
        "search (type-ahead)": lambda cid: page.search_update(str(cid)[:3], opening=False),
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


# --- gunicorn ----------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        out += [int(x) for x in text]
    return out


def bench_gunicorn(model_dir: Path, ids: list[int], db_url: str) -> None:
    from app.security.accounts import create_user, get_account
    from app.security.db import get_engine, init_db

    engine = get_engine(db_url)
    init_db(engine)
    if get_account(engine, "bench-officer") is None:
        create_user(engine, "bench-officer", PASSWORD, "officer")
    port = free_port()
    env = {**os.environ, "PORT": str(port), "WEB_CONCURRENCY": "1", "CREDIT_MODEL_DIR": str(model_dir),
           "DATABASE_URL": db_url, "SECRET_KEY": "s" * 48, "APP_ENV": "development", "LOG_FORMAT": "text"}
    root = Path(__file__).resolve().parents[1]
    gunicorn = Path(sys.executable).with_name("gunicorn")
    started = time.perf_counter()
    proc = subprocess.Popen([str(gunicorn), "app.wsgi:server", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"],
                            cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        health_s = wait_for(f"{base}/healthz", started, proc)
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        login(opener, base)
        page_s = time.perf_counter() - started
        status = opener.open(f"{base}/client/{ids[0]}").status
        page_s = time.perf_counter() - started
        print(f"gunicorn (1 worker, preload): /healthz answers after {health_s:.1f} s, "
              f"client page (HTTP {status}) after {page_s:.1f} s"
              + ("  OK" if page_s <= TARGET_START_S else "  MISSES TARGET"))
        baseline: list[float] = []
        times: dict[str, list[float]] = {}
        for cid in ids:
            for name, payload in client_payloads(cid).items():
                times.setdefault(name, []).append(post(opener, base, payload))
            baseline.append(post(opener, base, BASELINE_PAYLOAD))
        base_p95 = percentiles(baseline)[1]
        print(f"POST /_dash-update-component over {len(ids)} random clients (client-side clock, localhost):")
        report("baseline (trivial callback)", baseline, target=None)
        for name, values in times.items():
            report(name, values, base_p95)
        workers = children(proc.pid)
        for w in workers:
            value = rss_mb(w)
            print(f"worker {w}: resident memory {value:.0f} MB" + ("  OK" if value <= TARGET_RSS_MB else "  MISSES TARGET"))
        print(f"master {proc.pid}: resident memory {rss_mb(proc.pid):.0f} MB (shares its pages with the worker)")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def wait_for(url: str, started: float, proc: subprocess.Popen, timeout: float = 120.0) -> float:
    while time.perf_counter() - started < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return time.perf_counter() - started
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def login(opener, base: str) -> None:
    html = opener.open(f"{base}/login").read().decode()
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    if match is None:
        raise RuntimeError(f"no CSRF token in {base}/login")
    token = match.group(1)
    data = urllib.parse.urlencode({"username": "bench-officer", "password": PASSWORD, "csrf_token": token,
                                   "next": "/"}).encode()
    opener.open(urllib.request.Request(f"{base}/login", data=data))


def post(opener, base: str, payload: dict) -> float:
    body = json.dumps(payload).encode()
    request = urllib.request.Request(f"{base}/_dash-update-component", data=body,
                                     headers={"Content-Type": "application/json"})
    t0 = time.perf_counter()
    with opener.open(request) as response:
        response.read()
        if response.status != 200:
            raise RuntimeError(f"callback answered HTTP {response.status}")
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", type=Path, required=True, help="servable model folder (with portfolio.parquet)")
    parser.add_argument("--n", type=positive_int, default=200, help="random clients per measurement (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the clients drawn (default: %(default)s)")
    parser.add_argument("--skip-gunicorn", action="store_true", help="do not measure through a gunicorn server")
    parser.add_argument("--skip-in-process", action="store_true", help="do not measure the in-process Flask test client")
    args = parser.parse_args(argv)
    os.environ["CREDIT_MODEL_DIR"] = str(args.model_dir.resolve())
    import pyarrow.parquet as pq

    all_ids = pq.read_table(args.model_dir / "portfolio.parquet", columns=["SK_ID_CURR"]).column(0).to_numpy()
    ids = [int(i) for i in np.random.default_rng(args.seed).choice(all_ids, size=args.n, replace=False)]
    print(f"portfolio: {len(all_ids):,} clients in {args.model_dir}; {args.n} random clients (seed {args.seed})")
    with tempfile.TemporaryDirectory() as tmp:
        # in-process first: it builds the app whose page module names the callbacks' component ids
        bench_in_process(ids, f"sqlite:///{tmp}/inprocess.sqlite3", measure=not args.skip_in_process)
        if not args.skip_gunicorn:
            bench_gunicorn(args.model_dir.resolve(), ids, f"sqlite:///{tmp}/gunicorn.sqlite3")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
