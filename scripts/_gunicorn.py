"""Start the Procfile's gunicorn server for a benchmark, and stop it (``benchmark_app.py``,
``benchmark_load.py``).

The command is the Procfile's (``gunicorn app.wsgi:server -c gunicorn.conf.py``: preload, gthread
workers), bound to localhost on a free port, with APP_ENV=development (production refuses plain HTTP
session cookies) and a database of the caller's: only the model folder and HTTP are shared with the
app, so a benchmark keeps measuring whatever the server does to load its portfolio.
"""
from __future__ import annotations

import contextlib
import dataclasses
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from _cgroup import MemoryCgroup

ROOT = Path(__file__).resolve().parents[1]


@dataclasses.dataclass(frozen=True)
class Server:
    base: str  # http://127.0.0.1:<port>
    pid: int  # the master's
    startup_s: float  # from the command to the first healthy /healthz


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, started: float, proc: subprocess.Popen, timeout: float = 300.0) -> float:
    """Seconds from ``started`` until ``url`` answers 200 (the server's exit or a timeout: RuntimeError)."""
    while time.perf_counter() - started < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return time.perf_counter() - started
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


@contextlib.contextmanager
def gunicorn(model_dir: Path, db_url: str, workers: int, log_path: Path | None = None,
             cgroup: MemoryCgroup | None = None) -> Iterator[Server]:
    """A running server on ``model_dir`` with ``workers`` workers, ready (/healthz) when yielded;
    started inside ``cgroup`` (master and workers) when one is given."""
    port = free_port()
    env = {**os.environ, "PORT": str(port), "WEB_CONCURRENCY": str(workers), "CREDIT_MODEL_DIR": str(model_dir),
           "DATABASE_URL": db_url, "SECRET_KEY": "s" * 48, "APP_ENV": "development", "LOG_FORMAT": "text"}
    exe = Path(sys.executable).with_name("gunicorn")
    log = open(log_path, "wb") if log_path else subprocess.DEVNULL  # closed below
    started = time.perf_counter()
    proc = subprocess.Popen([str(exe), "app.wsgi:server", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"],
                            cwd=ROOT, env=env, stdout=log, stderr=log,
                            preexec_fn=cgroup.enter if cgroup else None)
    base = f"http://127.0.0.1:{port}"
    try:
        yield Server(base, proc.pid, wait_for(f"{base}/healthz", started, proc))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log_path:
            log.close()  # type: ignore[union-attr]
