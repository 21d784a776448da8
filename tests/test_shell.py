"""Dashboard start-up with a damaged model folder: logged, reported unhealthy, never a crash."""
import logging
import shutil

import pytest

from app.scoring.bundle import CARD_FILE, MODEL_FILE, PORTFOLIO_FILE
from tests.pages.governance_support import tiny_model_dir


@pytest.mark.parametrize("damage, named", [
    (lambda folder: (folder / CARD_FILE).write_text("{truncated"), CARD_FILE),
    (lambda folder: (folder / MODEL_FILE).write_bytes((folder / MODEL_FILE).read_bytes()[:5000]), MODEL_FILE),
    (lambda folder: (folder / PORTFOLIO_FILE).write_bytes(b"PAR1 half-copied"), PORTFOLIO_FILE),
])
def test_start_up_logs_a_damaged_model_and_healthz_reports_it_not_loaded(tmp_path, dash_app, caplog,
                                                                         damage, named):
    from app.health import model_loaded
    from app.shell import _warm_up
    from tests.served_support import serving

    folder = tmp_path / "model"
    shutil.copytree(tiny_model_dir(), folder)
    damage(folder)
    with serving(dash_app.server, folder) as model:
        with caplog.at_level(logging.WARNING):
            _warm_up(model)  # raised JSONDecodeError / CatBoostError / ArrowInvalid before: no server
        warning = next(r for r in caplog.records if "model not loaded at start-up" in r.getMessage())
        assert str(folder / named) in warning.getMessage()
        with dash_app.server.app_context():
            assert model_loaded() is False


FIRST_REQUESTS_PROBE = """
import dataclasses, json, sys, threading
from app.config import get_settings
from app.shell import create_app
app = create_app(dataclasses.replace(get_settings(), database_url=sys.argv[1], secret_key="b" * 40))
seen, barrier = [], threading.Barrier(8)

@app.server.before_request  # after Dash's setup hook and the security layer's, as a callback would be checked
def _callbacks_known_now():
    seen.append(len(app.callback_map))

def first_request():
    barrier.wait()
    app.server.test_client().get("/healthz")

threads = [threading.Thread(target=first_request) for _ in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps(seen))
"""


def test_concurrent_first_requests_all_see_every_callback(tmp_path):
    # a fresh interpreter: Dash's first request takes the callbacks over once per process
    import json
    import os
    import subprocess
    import sys

    from app.config import PROJECT_DIR

    out = subprocess.run([sys.executable, "-c", FIRST_REQUESTS_PROBE, f"sqlite:///{tmp_path}/db.sqlite3"],
                         cwd=PROJECT_DIR, capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(PROJECT_DIR)})
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert len(seen) == 8 and len(set(seen)) == 1 and seen[0] > 20, seen  # none ran against a partial map
