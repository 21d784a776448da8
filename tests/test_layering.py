"""The three layers import in one direction: domain (app/scoring) -> figures (app/figures) -> pages.

Each check runs in a fresh interpreter, so a module imported by another test cannot hide a forbidden
import: the domain may load no Dash, Flask or Plotly module, the figure builders no Dash or Flask one.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROBE = """
import importlib, json, pkgutil, sys
package = importlib.import_module({package!r})
names = [m.name for m in pkgutil.iter_modules(package.__path__, package.__name__ + ".")]
for name in names:
    importlib.import_module(name)
print(json.dumps({{"modules": names, "loaded": sorted({{m.split(".")[0] for m in sys.modules}})}}))
"""


@pytest.mark.parametrize("package, forbidden", [
    ("app.scoring", {"dash", "flask", "plotly", "dash_bootstrap_components", "dash_ag_grid"}),
    ("app.figures", {"dash", "flask", "dash_bootstrap_components", "dash_ag_grid"}),
])
def test_a_layer_imports_nothing_of_the_layers_above(package, forbidden):
    out = subprocess.run([sys.executable, "-c", PROBE.format(package=package)], cwd=ROOT, capture_output=True,
                         text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert len(result["modules"]) >= 5
    assert not forbidden & set(result["loaded"]), (package, sorted(forbidden & set(result["loaded"])))
