"""A tiny trained model folder served to the client-page tests (trained once per test session).

``served_client_model`` points ``CREDIT_MODEL_DIR`` at it and clears every cache that depends on
the model folder, then restores the environment at the end of the session.
"""
from __future__ import annotations

import os

import pytest

from app.scoring.data import prepare_applications
from app.scoring.pipeline import run_training
from tests.factories import make_applications
from tests.scoring.conftest import SMALL_CONFIG

NEW_FIRST_ID = 900_000


def _clear_caches() -> None:
    from app import resources
    from app.pages import client

    resources.get_bundle.cache_clear()
    resources.get_portfolio.cache_clear()
    client.clear_caches()


@pytest.fixture(scope="session")
def served_client_model(tmp_path_factory, dash_app):  # noqa: ARG001 - pages need the app
    out = tmp_path_factory.mktemp("client-model")
    labelled, _ = prepare_applications(make_applications(1500, seed=11), source="train", labelled=True)
    new, _ = prepare_applications(make_applications(300, seed=12, labelled=False, first_id=NEW_FIRST_ID),
                                  source="new", labelled=False)
    run_training(labelled, new, out, config=SMALL_CONFIG, source={"kind": "test"}, log=lambda m: None)
    previous = os.environ.get("CREDIT_MODEL_DIR")
    os.environ["CREDIT_MODEL_DIR"] = str(out)
    _clear_caches()
    yield out, labelled, new
    if previous is None:
        os.environ.pop("CREDIT_MODEL_DIR", None)
    else:
        os.environ["CREDIT_MODEL_DIR"] = previous
    _clear_caches()
