"""Timing, memory and report helpers shared by the benchmark scripts (``benchmark_app.py``,
``benchmark_portfolio.py``, ``benchmark_load.py``).

One definition of how a latency is summarised (p50 / p95 / max in milliseconds) and printed (next
to the same run's baseline, against a target), how a process's memory is read, and how runs on
several model folders are printed side by side with their ratio to the first folder, so the
scripts' reports compare like with like (two portfolio sizes measured in the same run, on the same
machine load, rather than figures of different days).
"""
from __future__ import annotations

import json
import math
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

MEMORY_NOTE = ("note: workers are forked from a preloading master and share its pages: file-backed ones (libraries, "
               "memory-mapped files) and, until a worker writes to them, the anonymous ones the master loaded; "
               "RSS counts every shared page in full in each process, PSS splits each page between the "
               "processes sharing it (the workers' and master's PSS add up to what the machine holds)")


def percentiles(times: Sequence[float]) -> tuple[float, float]:
    """p50 and p95 of durations given in seconds, in milliseconds."""
    ms = 1000 * np.asarray(times, dtype=float)
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95))


def summary(times: Sequence[float]) -> dict[str, float]:
    """p50, p95 and max of durations given in seconds, in milliseconds (NaN when nothing was timed:
    a run whose every request failed still prints a row)."""
    if len(times) == 0:
        return {"p50": math.nan, "p95": math.nan, "max": math.nan}
    p50, p95 = percentiles(times)
    return {"p50": p50, "p95": p95, "max": 1000 * float(max(times))}


def report(name: str, times: list[float], baseline_p95: float | None = None, target: float | None = None,
           width: int = 34) -> None:
    """Print one line: p50, p95, p95 as a multiple of the baseline's, and OK / MISSES TARGET."""
    p50, p95 = percentiles(times)
    ratio = f"  x{p95 / baseline_p95:6.1f} baseline" if baseline_p95 else ""
    verdict = "" if target is None else ("  OK" if p95 <= target else "  MISSES TARGET")
    print(f"  {name:<{width}} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms{ratio}{verdict}")


def verdict(value: float, target: float) -> str:
    return "OK" if value <= target else "MISSES TARGET"


# --- memory ------------------------------------------------------------------------------------------
def parse_smaps_rollup(text: str) -> dict[str, float]:
    """RSS, anonymous, file-backed and PSS memory in MB from the text of ``/proc/<pid>/smaps_rollup``.

    File-backed is RSS minus anonymous (mapped files and shared memory): the pages a forked worker
    shares with its master and siblings, which RSS counts in full in each of them.
    """
    kb: dict[str, int] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0].endswith(":") and parts[2] == "kB":
            kb[parts[0][:-1]] = int(parts[1])
    if "Rss" not in kb:
        raise ValueError("no Rss line in smaps_rollup text")
    rss, anon = kb["Rss"] / 1024, kb.get("Anonymous", 0) / 1024
    return {"rss": rss, "anon": anon, "file": rss - anon, "pss": kb.get("Pss", 0) / 1024}


def process_memory(pid: int | str = "self") -> dict[str, float]:
    """The process's memory now (``parse_smaps_rollup``); NaN figures when it cannot be read."""
    try:
        return parse_smaps_rollup(Path(f"/proc/{pid}/smaps_rollup").read_text())
    except (OSError, ValueError):
        return dict.fromkeys(("rss", "anon", "file", "pss"), math.nan)


def memory_line(memory: Mapping[str, float]) -> str:
    return (f"RSS {memory['rss']:.0f} MB (anonymous {memory['anon']:.0f}, file-backed {memory['file']:.0f}), "
            f"PSS {memory['pss']:.0f} MB")


def children(pid: int) -> list[int]:
    """The process's children (a gunicorn master's workers)."""
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        out += [int(x) for x in (task / "children").read_text().split()]
    return out


# --- several model folders, side by side -------------------------------------------------------------
Row = tuple[str, Mapping[str, float]]


def _cell(value: float | None, fmt: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return fmt.format(value)


def ratio_cell(value: float | None, first: float | None) -> str:
    """``x1.23``: the figure as a multiple of the first folder's; ``-`` when either is missing or the
    first is zero (0 errors then 0 errors is no ratio)."""
    if value is None or first is None or math.isnan(value) or math.isnan(first) or first == 0:
        return "-"
    return f"x{value / first:.2f}"


def side_by_side(title: str, rows: Sequence[Row], columns: Sequence[str] | None = None,
                 fmt: str | Mapping[str, str] = "{:.1f}", label_width: int = 24) -> str:
    """A table: one row per model folder, one column per figure, then for every folder after the first
    a row of its ratios to the first folder's figures (the issue's "ratio to the 356k row").

    ``fmt``: one format for every figure, or a format per column (the others: ``{:.1f}``).
    """
    if not rows:
        return f"{title}\n  (no rows)"
    columns = list(columns or rows[0][1])
    formats = {c: fmt if isinstance(fmt, str) else fmt.get(c, "{:.1f}") for c in columns}
    widths = [max(11, len(c) + 1) for c in columns]
    lines = [title, " " * label_width + "".join(f"{c:>{w}}" for c, w in zip(columns, widths, strict=True))]
    for label, figures in rows:
        lines.append(f"{label[-label_width + 1:]:<{label_width}}"
                     + "".join(f"{_cell(figures.get(c), formats[c]):>{w}}" for c, w in zip(columns, widths, strict=True)))
    first = rows[0][1]
    for label, figures in rows[1:]:
        name = f"  ratio {label}"[: label_width - 1]
        lines.append(f"{name:<{label_width}}" + "".join(
            f"{ratio_cell(figures.get(c), first.get(c)):>{w}}" for c, w in zip(columns, widths, strict=True)))
    return "\n".join(lines)


def select(rows: Sequence[Row], columns: Mapping[str, str]) -> list[tuple[str, dict[str, float]]]:
    """The rows with only some figures, under shorter names (``columns``: shown name -> figure's key),
    so a table whose title says "p95, in process" need not repeat it in every column."""
    return [(label, {shown: figures.get(key, math.nan) for shown, key in columns.items()}) for label, figures in rows]


def folder_label(model_dir: Path) -> str:
    """A short name for a model folder's row: its last two path parts (``bench10/model``)."""
    return "/".join(Path(model_dir).parts[-2:])


def run_per_folder(script: Path, argv: Sequence[str], model_dirs: Sequence[Path]) -> list[dict]:
    """Run ``script`` once per model folder, each in a fresh process (memory and caches of one size
    never leak into the next), its own report printed as it goes; returns the figures each run
    wrote with ``--json-out``."""
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for k, model_dir in enumerate(model_dirs):
            out = Path(tmp) / f"{k}.json"
            print(f"\n=== {model_dir} ===", flush=True)
            subprocess.run([sys.executable, str(script), *argv, "--model-dir", str(model_dir),
                            "--json-out", str(out)], check=True)
            results.append(json.loads(out.read_text()))
    return results


def without_option(argv: Sequence[str], option: str) -> list[str]:
    """``argv`` with every ``option VALUE`` / ``option=VALUE`` removed (to re-run one folder at a time)."""
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == option:
            skip = True
        elif not arg.startswith(option + "="):
            out.append(arg)
    return out


# --- Dash callback requests --------------------------------------------------------------------------
def callback_payload(registered: Mapping[str, Mapping], output_id: str, values: Mapping[str, object]) -> dict:
    """The request the browser posts for the registered callback that writes ``output_id``.

    ``registered``: output key -> spec with ``inputs`` and ``state`` lists, as the app's callback map or
    the server's ``/_dash-dependencies`` (a list of such specs, keyed by their ``output``) give it, so
    the request follows the callbacks as they are (a hand-written spec went stale when a callback
    gained an output, and the server rightly refused it). ``values``: "id.property" -> value; anything
    else is None.
    """
    def outputs_of(key: str) -> list[list[str]]:
        return [part.rsplit(".", 1) for part in key.strip(".").split("...")]

    key = next((k for k in registered if any(i == output_id for i, _ in outputs_of(k))), None)
    if key is None:
        raise KeyError(f"no callback writes {output_id}")
    spec, outputs = registered[key], outputs_of(key)

    def items(entries):
        return [{"id": e["id"], "property": e["property"], "value": values.get(f"{e['id']}.{e['property']}")}
                for e in entries]

    inputs = items(spec["inputs"])
    return {"output": key,
            "outputs": [{"id": i, "property": p} for i, p in outputs] if len(outputs) > 1
            else {"id": outputs[0][0], "property": outputs[0][1]},
            "inputs": inputs, "state": items(spec.get("state", [])),
            "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"]}


def callback_error(status: int, body: bytes) -> str | None:
    """Why a ``/_dash-update-component`` answer is a failure, or None when it is a callback's answer.

    204 is Dash's "nothing to update" (PreventUpdate). A 200 must be Dash's JSON with a ``response``
    (the app's API errors are JSON ``{"error": ..., "message": ...}``).
    """
    if status == 204:
        return None
    if status != 200:
        return f"HTTP {status}"
    try:
        answer = json.loads(body)
    except ValueError:
        return "not JSON"
    if not isinstance(answer, dict) or "error" in answer or "response" not in answer:
        return "Dash error payload"
    return None
