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
print(json.dumps({{"modules": names, "loaded": sorted({{m.split(".")[0] for m in sys.modules}}),
                  "layers": sorted({{".".join(m.split(".")[:2]) for m in sys.modules if m.startswith("app.")}})}}))
"""


WEB = {"dash", "flask", "plotly", "dash_bootstrap_components", "dash_ag_grid"}


def _probe(package: str) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE.format(package=package)], cwd=ROOT, capture_output=True,
                         text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("package, forbidden, forbidden_layers", [
    ("app.scoring", WEB, {"app.training", "app.presenters", "app.figures", "app.pages", "app.components"}),
    ("app.presenters", WEB, {"app.training", "app.figures", "app.pages", "app.components"}),
    ("app.training", WEB, {"app.presenters", "app.figures", "app.pages", "app.components"}),
    ("app.figures", WEB - {"plotly"}, {"app.training", "app.pages", "app.components"}),
])
def test_a_layer_imports_nothing_of_the_layers_above(package, forbidden, forbidden_layers):
    result = _probe(package)
    assert len(result["modules"]) >= 4
    assert not forbidden & set(result["loaded"]), (package, sorted(forbidden & set(result["loaded"])))
    assert not forbidden_layers & set(result["layers"]), (package, sorted(forbidden_layers & set(result["layers"])))


WEB_PROBE = """
import importlib, json, pkgutil, sys
from app.shell import create_app
create_app()
import app.pages, app.components
for package in (app.pages, app.components):  # every page and component, whether the shell needed it or not
    for m in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        importlib.import_module(m.name)
print(json.dumps({"layers": sorted({".".join(m.split(".")[:2]) for m in sys.modules if m.startswith("app.")}),
                  "loaded": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def test_the_web_process_never_loads_the_training_layer_nor_mlflow(tmp_path):
    """The served app reads a trained folder; fitting is offline (scripts), so no web module imports training.
    Nor MLflow: a dev dependency of the training tools (app.training.tracking), absent from the deployment."""
    out = subprocess.run([sys.executable, "-c", WEB_PROBE], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite"})
    result = json.loads(out.stdout.strip().splitlines()[-1])
    layers = set(result["layers"])
    assert {"app.pages", "app.scoring", "app.presenters"} <= layers
    assert "app.training" not in layers
    assert "mlflow" not in result["loaded"]
