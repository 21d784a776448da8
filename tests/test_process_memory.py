"""The served process's memory settings (``app.process_memory``), run in a fresh interpreter each:
they change process-wide state (malloc, Arrow's pool, the collector) that must not leak into the suite."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(code: str, env: dict[str, str] | None = None) -> dict:
    base = {"PATH": "/usr/bin:/bin", **(env or {})}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=base, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_arrow_reads_parquet_with_the_system_pool_once_tuned():
    out = _run("import json; from app.process_memory import tune_allocators; applied = tune_allocators(); "
               "import pyarrow as pa; print(json.dumps({'applied': applied, 'pool': pa.default_memory_pool().backend_name}))")
    assert out["pool"] == "system"
    assert out["applied"]["ARROW_DEFAULT_MEMORY_POOL"] == "system"
    if sys.platform.startswith("linux"):  # glibc: the three malloc settings are applied and reported
        assert {"MALLOC_ARENA_MAX", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"} <= set(out["applied"])


def test_a_setting_given_in_the_environment_is_left_as_given():
    out = _run("import json; from app.process_memory import tune_allocators; applied = tune_allocators(); "
               "import pyarrow as pa; print(json.dumps({'applied': applied, 'pool': pa.default_memory_pool().backend_name}))",
               env={"ARROW_DEFAULT_MEMORY_POOL": "mimalloc", "MALLOC_ARENA_MAX": "4"})
    assert "ARROW_DEFAULT_MEMORY_POOL" not in out["applied"] and "MALLOC_ARENA_MAX" not in out["applied"]
    assert out["pool"] == "mimalloc"


def test_pyarrow_loaded_first_gets_the_partial_switch_and_says_so():
    out = _run("import json, pyarrow as pa; from app.process_memory import tune_allocators; applied = tune_allocators(); "
               "print(json.dumps({'applied': applied, 'pool': pa.default_memory_pool().backend_name}))")
    assert out["pool"] == "system"
    assert "pyarrow was loaded first" in out["applied"]["ARROW_DEFAULT_MEMORY_POOL"]


def test_gunicorn_freezes_the_masters_objects_before_each_fork():
    """The config's pre_fork hook, called as gunicorn calls it, moves the master's objects out of the collector."""
    out = _run("import json, gc, runpy; conf = runpy.run_path('gunicorn.conf.py'); before = gc.get_freeze_count(); "
               "conf['pre_fork'](None, None); print(json.dumps({'before': before, 'after': gc.get_freeze_count()}))",
               env={"APP_ENV": "development"})
    assert out["before"] == 0 and out["after"] > 1000
