"""Run a script's ``main`` in-process (the way tests/scripts/test_drift_report.py does) and read its error."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def script_main(name: str):
    """The ``main`` function of ``scripts/<name>.py``, freshly imported."""
    sys.path.insert(0, str(SCRIPTS))  # the scripts import _bootstrap / _paths beside them
    spec = importlib.util.spec_from_file_location(f"{name}_script", SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


def one_error_line(capsys) -> str:
    """stderr of the last call, asserted to be exactly one ``error: ...`` line."""
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: "), err
    return err
