"""A tiny trained model folder served to the client-page tests (trained once per test session).

``served_client_model`` binds a served model of that folder to the app for the tests of one module,
then binds back the app's own (other test packages, e.g. the health check, see the default model
folder again; the temporary folder's caches go with its instance).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from app.scoring.data import prepare_applications
from app.training.pipeline import run_training
from tests.factories import make_applications
from tests.model_fixture import SMALL_CONFIG
from tests.served_support import serving

NEW_FIRST_ID = 900_000


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
def served_client_model(tmp_path_factory, dash_app):
    """Serve the tiny model to the tests of one module; the app's own served model afterwards."""
    served = client_model_folder(tmp_path_factory.getbasetemp())
    with serving(dash_app.server, served[0]):
        yield served
