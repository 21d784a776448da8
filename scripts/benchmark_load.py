"""Load test: officers opening random client files at once against the Procfile's gunicorn server.

    python scripts/benchmark_load.py --model-dir data/bench/model --users 20 --seconds 60
    python scripts/benchmark_load.py --model-dir data/bench/model --model-dir data/bench10/model

One timed callback in a quiet process says little about a morning when twenty officers open files
together on two workers: requests queue behind each other, workers compete for two cores and the
memory of two workers is what the dyno pays. So, for each ``--model-dir``: the Procfile's gunicorn
(``_gunicorn``: WEB_CONCURRENCY=2 by default, preload, a temporary SQLite database and temporary
officer accounts) is started, ``--users`` officers sign in, each with a session of their own, and for
``--seconds`` each of them opens random client files one after the other, as the browser does:
the file's render callback first, then the callbacks its page triggers, concurrently (the simulator's
first run after its terms arrive). The requests are built from the server's ``/_dash-dependencies``
and the same callback list ``benchmark_app.py`` times for one opening.

Printed: start-up time to /healthz, file openings/s and requests/s, p50/p95/max of a whole opening and
of each callback, the errors (HTTP status other than 200/204, a Dash error payload, a render showing
an alert, a timeout, a connection error, a worker the server lost: killed, timed out), and each
worker's memory after the run (RSS, anonymous, file-backed, PSS). With several ``--model-dir``, the figures are printed side by side, one row per
folder, with their ratio to the first folder's in the same run. Only the model folder and HTTP are
shared with the app, so the test measures whatever the server does to load its portfolio.

``--memory-limit-mb 512`` runs the server in a Linux memory cgroup of 512 MB (``_cgroup.py``), as a
dyno's limit: master and workers together, every page charged once, page cache included. Printed
then: the group's peak, OOM kills and major page faults, so whether
the server fits is measured rather than read off per-process RSS (which counts shared mapped pages
in every worker).

Targets: start-up <= 15 s, worker memory < 512 MB, a whole opening <= 300 ms p95, id search <= 100 ms p95.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import os
import random
import re
import sys
import tempfile
import threading
import time
from pathlib import Path

import _cgroup
from _cgroup import CgroupReport, limited
from benchmark_app import SHORT as APP_SHORT
from benchmark_app import opening_names

from app.cli.args import positive_int

USERS, SECONDS, WORKERS = 20, 60, 2
TARGET_START_S, TARGET_MEMORY_MB, TARGET_OPENING_MS, TARGET_SEARCH_MS = 15.0, 512.0, 300.0, 100.0
PASSWORD = "benchmark password 123"
OPENING = "whole opening"
SEARCH = "search (type-ahead)"
RENDER = "render (file, score, reasons)"
TERMS, FIRST_RUN = "simulator: the file's terms", "simulator: first run"
SHORT = {name: APP_SHORT[name] for name in opening_names()}  # the side-by-side tables' column names


class Record:
    """Every request and every opening of a run (appends from many threads: list.append is atomic)."""

    def __init__(self, openings: list[tuple[float, bool]] | None = None):
        self.requests: list[tuple[str, float, str | None]] = []  # (callback, seconds, error or None)
        self.openings: list[tuple[float, bool]] = openings or []  # (seconds, without an error)
        self.examples: dict[str, str] = {}  # an error kind's first message
        self.retried: list[str] = []  # requests sent again after the server reset a kept-alive connection

    def errors(self) -> dict[str, int]:
        """How many requests failed, by kind (``HTTP 500``, ``timeout``...)."""
        out: dict[str, int] = {}
        for _, _, error in self.requests:
            if error is not None:
                out[error] = out.get(error, 0) + 1
        return out

    def times(self, name: str) -> list[float]:
        """Durations of the successful requests of one callback (``OPENING``: of the whole openings)."""
        if name == OPENING:
            return [t for t, ok in self.openings if ok]
        return [t for n, t, error in self.requests if n == name and error is None]


# --- one officer -------------------------------------------------------------------------------------
class Officer:
    """One signed-in browser: its own session cookies and anti-forgery token."""

    def __init__(self, base: str, username: str, first_client: int, timeout: float):
        import requests

        self.base, self.timeout = base, timeout
        self.session = requests.Session()
        page = self.session.get(f"{base}/login", timeout=timeout)
        match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        if match is None:
            raise RuntimeError(f"no CSRF token in {base}/login")
        answer = self.session.post(f"{base}/login", timeout=timeout, data={
            "username": username, "password": PASSWORD, "csrf_token": match.group(1), "next": "/"})
        if answer.status_code != 200 or "/login" in answer.url:
            raise RuntimeError(f"{username} could not sign in (HTTP {answer.status_code}, at {answer.url})")
        self.session.get(f"{base}/client/{first_client}", timeout=timeout).raise_for_status()
        from app.security.csrf import CSRF_COOKIE, CSRF_HEADER

        token = self.session.cookies.get(CSRF_COOKIE)
        if not token:
            raise RuntimeError(f"{username}: no anti-forgery cookie after opening a client page")
        self.session.headers.update({CSRF_HEADER: token, "Origin": base})

    def dependencies(self) -> dict[str, dict]:
        """The server's callback map, as the browser reads it (output key -> spec)."""
        answer = self.session.get(f"{self.base}/_dash-dependencies", timeout=self.timeout)
        answer.raise_for_status()
        return {spec["output"]: spec for spec in answer.json()}

    def post(self, name: str, payload: dict, record: Record) -> dict | None:
        """Send one callback request; record its latency and error; its response's components, or None."""
        import requests
        from _bench import callback_error

        t0 = time.perf_counter()
        try:
            try:
                answer = self.session.post(f"{self.base}/_dash-update-component", json=payload, timeout=self.timeout)
            except requests.ConnectionError as exc:
                if not aborted(exc):
                    raise
                # the server closed a kept-alive connection as the request went out (gunicorn's keepalive
                # is 5 s): before any answer, so a browser sends it again on a new connection; so do we,
                # once, and count it (a second failure is an error)
                record.retried.append(str(exc)[:300])
                answer = self.session.post(f"{self.base}/_dash-update-component", json=payload, timeout=self.timeout)
            error = callback_error(answer.status_code, answer.content)
            if error:
                record.examples.setdefault(error, f"{name}: {answer.text[:300]}")
        except requests.Timeout as exc:
            answer, error = None, "timeout"
            record.examples.setdefault(error, str(exc)[:300])
        except requests.ConnectionError as exc:
            answer, error = None, "connection error"
            record.examples.setdefault(error, str(exc)[:300])
        elapsed = time.perf_counter() - t0
        components = None
        if error is None and answer is not None:
            components = answer.json().get("response", {}) if answer.status_code == 200 else {}
        if error is None and name == RENDER and alert_shown(components or {}):
            error = "render shows an alert"
        record.requests.append((name, elapsed, error))
        return None if error else components


def aborted(exc: Exception) -> bool:
    """Was the connection lost before any answer arrived (urllib3's "Connection aborted"), rather than
    never made (refused: the server is down)?"""
    return "Connection aborted" in str(exc)


def alert_shown(components: dict) -> bool:
    """Does the file's render answer put a message in the page's alert slot (the file did not open)?"""
    from app.pages.client import ALERT

    return (components.get(ALERT) or {}).get("children") is not None


def open_file(officer: Officer, specs: dict, client_id: int, pool: concurrent.futures.Executor,
              record: Record) -> None:
    """One opening, as the browser sends it: the render, then the callbacks the page triggers at once
    (the simulator's first run once its terms are back); recorded as a whole."""
    from _bench import callback_payload
    from benchmark_app import opening_callbacks, opening_values

    from app.components import whatif as card

    callbacks, values = opening_callbacks(), opening_values(client_id)
    t0 = time.perf_counter()
    ok = officer.post(RENDER, callback_payload(specs, callbacks[RENDER], values), record) is not None

    def simulator() -> bool:
        terms = officer.post(TERMS, callback_payload(specs, callbacks[TERMS], values), record)
        if terms is None:
            return False
        answer = dict(values)
        for field in (card.WHATIF_CREDIT, card.WHATIF_MONTHS, card.WHATIF_GOODS):  # as the page fills them
            if field in terms:
                answer[f"{field}.value"] = terms[field]["value"]
        return officer.post(FIRST_RUN, callback_payload(specs, callbacks[FIRST_RUN], answer), record) is not None

    def answered(name: str) -> bool:
        return officer.post(name, callback_payload(specs, callbacks[name], values), record) is not None

    if ok:
        others = [name for name in callbacks if name not in (RENDER, TERMS, FIRST_RUN)]
        futures = [pool.submit(simulator)] + [pool.submit(answered, name) for name in others]
        ok = all(f.result() for f in futures)
    record.openings.append((time.perf_counter() - t0, ok))


def officer_loop(officer: Officer, specs: dict, ids: list[int], deadline: float, seed: int, record: Record) -> None:
    rng = random.Random(seed)
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:  # a browser's parallel requests
        while time.perf_counter() < deadline:
            try:
                open_file(officer, specs, rng.choice(ids), pool, record)
            except Exception as exc:  # noqa: BLE001 (this script's own failure: counted, not lost in a thread)
                record.requests.append(("?", 0.0, f"load test failure ({type(exc).__name__}: {str(exc)[:80]})"))
                record.openings.append((0.0, False))


# --- one model folder --------------------------------------------------------------------------------
def client_ids(model_dir: Path) -> list[int]:
    """Every client id of the folder's portfolio (one column read, whatever else the server keeps)."""
    import pyarrow.parquet as pq

    from app.scoring.bundle import PORTFOLIO_FILE

    return [int(i) for i in pq.read_table(model_dir / PORTFOLIO_FILE, columns=["SK_ID_CURR"]).column(0).to_numpy()]


def create_officers(db_url: str, n: int) -> list[str]:
    from app.security.accounts import create_user
    from app.security.db import get_engine, init_db

    engine = get_engine(db_url)
    init_db(engine)
    names = [f"load-officer-{k:02d}" for k in range(n)]
    for name in names:
        create_user(engine, name, PASSWORD, "officer")
    return names


def run_folder(model_dir: Path, args: argparse.Namespace) -> dict[str, float]:
    """Start a server on ``model_dir``, load it, print the report; the row of figures for the tables."""
    import _bench
    from _bench import MEMORY_NOTE, memory_line, process_memory, summary, verdict
    from _gunicorn import gunicorn

    print(f"\n=== {model_dir}: load average {os.getloadavg()[0]:.2f} ===", flush=True)
    rng = random.Random(args.seed)
    record = Record()
    limit: CgroupReport | None = None
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        db_url = f"sqlite:///{tmp}/load.sqlite3"
        names = create_officers(db_url, args.users)
        group = stack.enter_context(limited(args.memory_limit_mb)) if args.memory_limit_mb else None
        with gunicorn(model_dir, db_url, args.workers, Path(tmp) / "gunicorn.log", cgroup=group) as server:
            try:
                print(f"gunicorn ({args.workers} workers, preload): /healthz answers after {server.startup_s:.1f} s  "
                      f"{verdict(server.startup_s, TARGET_START_S)}")
                ids = client_ids(model_dir)  # once the server is healthy: the demo's portfolio is rebuilt by then
                print(f"portfolio: {len(ids):,} clients")
                officers = [Officer(server.base, name, rng.choice(ids), args.timeout) for name in names]
                specs = officers[0].dependencies()
                print(f"{args.users} officers signed in; each opens random client files for {args.seconds} s",
                      flush=True)
                started, cpu_before = time.perf_counter(), time.process_time()
                deadline = started + args.seconds
                threads = [threading.Thread(target=officer_loop, args=(o, specs, ids, deadline, args.seed + k, record),
                                            daemon=True)  # Ctrl-C stops the run (and the server) at once
                           for k, o in enumerate(officers)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                elapsed = time.perf_counter() - started
                client_cpu = time.process_time() - cpu_before
                workers = {pid: process_memory(pid) for pid in _bench.children(server.pid)}
                master = process_memory(server.pid)
                limit = group.report() if group else None
                log_text = (Path(tmp) / "gunicorn.log").read_text(errors="replace")
            except Exception:
                print((Path(tmp) / "gunicorn.log").read_text()[-3000:], file=sys.stderr)
                raise
    errors = record.errors()
    deaths = worker_deaths(log_text)
    if deaths:
        errors["worker died (server log)"] = deaths
    n_err = sum(errors.values())
    row: dict[str, float] = {"clients": len(ids), "start s": server.startup_s,
                             "openings/s": len(record.openings) / elapsed, "requests/s": len(record.requests) / elapsed,
                             "errors": n_err}
    print(f"{len(record.openings)} openings in {elapsed:.1f} s: {row['openings/s']:.1f} openings/s, "
          f"{len(record.requests)} requests ({row['requests/s']:.1f}/s); errors: {n_err}"
          + (f" ({', '.join(f'{k}: {v}' for k, v in sorted(errors.items()))})" if errors else ""))
    if record.retried:
        print(f"  requests sent again after a connection reset before any answer (as a browser does; not "
              f"errors unless the retry failed): {len(record.retried)}, first: {record.retried[0]}")
    row["retried"] = len(record.retried)
    for kind, example in sorted(record.examples.items()):
        print(f"  first {kind}: {example}")
    for line in server_problems(log_text):
        print(f"  server log: {line}")
    print("latency under load (client-side clock, localhost), successful requests:")
    for name in (OPENING, *SHORT):
        s = summary(record.times(name))
        target = {OPENING: TARGET_OPENING_MS, SEARCH: TARGET_SEARCH_MS}.get(name)
        mark = f"  {verdict(s['p95'], target)}" if target else ""
        print(f"  {name:<32} p50 {s['p50']:7.1f} ms   p95 {s['p95']:7.1f} ms   max {s['max']:7.1f} ms{mark}")
        key = "opening" if name == OPENING else SHORT[name]
        row.update({f"{key} {stat}": value for stat, value in s.items()})
    for pid, memory in workers.items():
        print(f"worker {pid}: {memory_line(memory)}  RSS {verdict(memory['rss'], TARGET_MEMORY_MB)}, "
              f"PSS {verdict(memory['pss'], TARGET_MEMORY_MB)}")
    print(f"master {server.pid}: {memory_line(master)}")
    print(MEMORY_NOTE)
    if limit is not None:
        print(limit.line())
        row.update(limit.figures())
    print(f"load average after the run: {os.getloadavg()[0]:.2f}; this load generator used {client_cpu:.0f} CPU-s "
          f"({100 * client_cpu / elapsed:.0f}% of one core) on the same machine as the server")
    if workers:
        for kind in ("rss", "anon", "file", "pss"):
            row[f"worker {kind}"] = max(m[kind] for m in workers.values())
    return row


DEATH = re.compile(r"WORKER TIMEOUT|was sent|exited with code")


def worker_deaths(log_text: str) -> int:
    """How many workers the server lost during the run (killed out of memory, timed out, crashed), by
    the gunicorn log: a browser's retry hides the reset connections of a dead worker from the
    requests' figures, not from the officers whose answers took seconds longer."""
    pids = {m.group(1) for line in log_text.splitlines() if DEATH.search(line)
            for m in [re.search(r"pid:\s*(\d+)", line)] if m}
    return len(pids)


def server_problems(log_text: str, limit: int = 10) -> list[str]:
    """The server log's lines about errors, timeouts and workers that died (the first ``limit``)."""
    marks = ("ERROR", "CRITICAL", "Traceback", "WORKER TIMEOUT", "exited", "SIGKILL", "Exception")
    return [line[:300] for line in log_text.splitlines() if any(m in line for m in marks)][:limit]


def print_tables(rows: list[tuple[str, dict[str, float]]]) -> None:
    """The folders side by side: one row each, then the ratios to the first folder's."""
    from _bench import select, side_by_side

    print()
    print(side_by_side("throughput, start-up and errors:", rows,
                       ["clients", "start s", "openings/s", "requests/s", "errors", "retried"],
                       fmt={"clients": "{:,.0f}", "errors": "{:.0f}", "retried": "{:.0f}"}))
    for stat in ("p50", "p95", "max"):
        columns = {"opening": f"opening {stat}", **{n: f"{n} {stat}" for n in SHORT.values()}}
        print(side_by_side(f"{stat} ms under load (a whole opening, then each callback):", select(rows, columns)))
    print(side_by_side("largest worker's memory after the run, MB:",
                       select(rows, {k: f"worker {k}" for k in ("rss", "anon", "file", "pss")}), fmt="{:.0f}"))
    _cgroup.print_table(rows, "master and workers")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", type=Path, action="append", required=True,
                        help="servable model folder (with portfolio.parquet); repeat it to compare sizes side by side")
    parser.add_argument("--users", type=positive_int, default=USERS, help="concurrent officers (default: %(default)s)")
    parser.add_argument("--seconds", type=positive_int, default=SECONDS, help="duration of the load (default: %(default)s)")
    parser.add_argument("--workers", type=positive_int, default=WORKERS,
                        help="gunicorn workers, WEB_CONCURRENCY (default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=30.0,
                        help="seconds before a request counts as a timeout (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the clients opened (default: %(default)s)")
    parser.add_argument("--memory-limit-mb", type=positive_int, default=None,
                        help="run the server (master and workers) in a Linux memory cgroup of this size, page "
                             "cache included, as a dyno's limit (needs root; default: no limit)")
    args = parser.parse_args(argv)
    missing = [d for d in args.model_dir if not d.is_dir()]
    if missing:
        print(f"error: --model-dir {missing[0]}: no such folder", file=sys.stderr)
        return 2
    problem = _cgroup.check(args.memory_limit_mb)  # before anything starts: a reason, not a traceback midway
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    load_page_modules()
    print(f"load test: {args.users} officers x {args.seconds} s, {args.workers} gunicorn workers; "
          f"machine load average (1/5/15 min) {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} CPUs")
    from _bench import folder_label

    rows = [(folder_label(d), run_folder(d.resolve(), args)) for d in args.model_dir]
    if len(rows) > 1:
        print_tables(rows)
    total_errors = sum(int(r["errors"]) for _, r in rows)
    print(f"\nerrors in total: {total_errors}")
    return 0


def load_page_modules() -> None:
    """Import the client page's modules, for their component ids (a page registers itself with the Dash
    app at import, so an app must exist: one is built on a throwaway database, its model never loaded)."""
    import dataclasses as dc

    from app.config import get_settings
    from app.shell import create_app

    db = Path(tempfile.mkdtemp(prefix="benchmark-load-")) / "ids.sqlite3"
    create_app(dc.replace(get_settings(), database_url=f"sqlite:///{db}", secret_key="b" * 40))


if __name__ == "__main__":
    raise SystemExit(main())
