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
