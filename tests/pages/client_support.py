"""A tiny trained model folder served to the client-page tests (trained once per test session).

``served_client_model`` points ``CREDIT_MODEL_DIR`` at it inside a ``pytest.MonkeyPatch`` context
and clears every cache that depends on the model folder; on teardown the context restores the
environment (other test packages, e.g. the health check, see the default model folder again) and
the caches are cleared once more so nothing keeps serving the temporary folder.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from app.scoring.data import prepare_applications
from app.scoring.pipeline import run_training
from tests.factories import make_applications
from tests.scoring.conftest import SMALL_CONFIG

NEW_FIRST_ID = 900_000


def clear_model_caches() -> None:
    """Forget every loaded model, portfolio and client computed from them."""
    from app import resources
    from app.pages import client

    resources.get_bundle.cache_clear()
    resources.get_portfolio.cache_clear()
    client.clear_caches()


@lru_cache(maxsize=1)
def client_model_folder(session_temp: Path):
    """(folder, labelled, new): a model trained once per test session (``session_temp`` is the
    session's base temporary folder) on 1,500 labelled + 300 new synthetic applications."""
    out = session_temp / "client-model"
    out.mkdir(parents=True, exist_ok=True)
    labelled, _ = prepare_applications(make_applications(1500, seed=11), source="train", labelled=True)
    new, _ = prepare_applications(make_applications(300, seed=12, labelled=False, first_id=NEW_FIRST_ID),
                                  source="new", labelled=False)
    run_training(labelled, new, out, config=SMALL_CONFIG, source={"kind": "test"}, log=lambda m: None)
    return out, labelled, new


@pytest.fixture(scope="module")
def served_client_model(tmp_path_factory, dash_app):  # noqa: ARG001 - pages need the app
    """Serve the tiny model to the tests of one module; restore the environment afterwards."""
    served = client_model_folder(tmp_path_factory.getbasetemp())
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CREDIT_MODEL_DIR", str(served[0]))
        clear_model_caches()
        try:
            yield served
        finally:
            clear_model_caches()
    clear_model_caches()
