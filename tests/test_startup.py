"""What the web process loads to start: only what serving needs, so a fresh clone answers in seconds.

scikit-learn (0.9 s to import), scipy's statistics and fpdf2 (about a second: its font tables) are
imported where they are used — fitting, the model page's curves, drift, the PDF letter — never by
``create_app``, even with the warm-up a gunicorn master runs and the first-start rebuild of the demo
portfolio. Checked in a fresh interpreter, so another test's imports cannot hide one.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from app.config import DEFAULT_MODEL_DIR

ROOT = Path(__file__).resolve().parents[1]
PROBE = """
import dataclasses, json, sys
from pathlib import Path
from app.config import get_settings
from app.shell import create_app
settings = dataclasses.replace(get_settings(), model_dir=Path(sys.argv[1]), database_url=sys.argv[2])
create_app(settings, warm_up=True)
print(json.dumps(sorted(sys.modules)))
"""
HEAVY = ("sklearn", "scipy.stats", "scipy.spatial", "fpdf", "mlflow", "shap", "lightgbm")


def test_starting_the_web_process_loads_no_training_pdf_or_statistics_library(tmp_path):
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    for item in DEFAULT_MODEL_DIR.iterdir():  # the committed demo folder, without its rebuilt portfolio
        if item.is_file() and not item.name.startswith("portfolio"):
            shutil.copy(item, model_dir / item.name)
    out = subprocess.run([sys.executable, "-c", PROBE, str(model_dir), f"sqlite:///{tmp_path}/db.sqlite"],
                         cwd=ROOT, capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    loaded = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert (model_dir / "portfolio.parquet").exists()  # the first-start rebuild ran, and is covered too
    assert {"app.pages.client", "app.components.letter", "catboost"} <= loaded
    heavy = sorted(m for m in loaded if m.split(".")[0] in HEAVY or any(m.startswith(h + ".") or m == h for h in HEAVY))
    assert not heavy, heavy
