"""Run a script's ``main`` in-process (the way tests/scripts/test_drift_report.py does) and read its error."""
from __future__ import annotations

import importlib
import importlib.util
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
SCRIPTS = PROJECT_DIR / "scripts"


def script_env() -> dict[str, str]:
    """Environment of a script run as a subprocess (``python scripts/x.py``): this checkout's ``app``.

    The scripts import ``app`` as an installed package (the README installs the project with
    ``pip install -e .``); PYTHONPATH makes the subprocess run this checkout's code, as pytest does,
    also in a virtual environment where the project is not (or elsewhere) installed.
    """
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(PROJECT_DIR), path) if p)}


def script_main(name: str):
    """The ``main`` function of ``scripts/<name>.py``, freshly imported."""
    spec = importlib.util.spec_from_file_location(f"{name}_script", SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


@contextmanager
def script_module(name: str) -> Iterator:
    """``scripts/<name>.py`` imported as a module, with scripts/ on the path while it is used (the
    benchmarks import ``_bench`` beside them)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(SCRIPTS))
        yield importlib.import_module(name)


def one_error_line(capsys) -> str:
    """stderr of the last call, asserted to be exactly one ``error: ...`` line."""
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: "), err
    return err
