"""A tiny trained model folder for the model and monitoring page tests, and a fixture serving it.

The folder is trained once per test process (a few seconds, like tests/model_fixture.py) and
shared by the callback and browser tests of both pages. ``governance_model`` serves it for ONE
test (a fresh ``ServedModel`` bound to the app), so other pages' tests never see it.
"""
from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

import pytest

from tests.served_support import serving


@lru_cache(maxsize=1)
def tiny_model_dir() -> Path:
    from app.scoring.data import prepare_applications
    from app.training.pipeline import run_training
    from tests.factories import make_applications
    from tests.model_fixture import SMALL_CONFIG

    out = Path(tempfile.mkdtemp(prefix="governance-model-"))
    atexit.register(shutil.rmtree, out, ignore_errors=True)  # one per test session, not one per run left behind
    labelled, _ = prepare_applications(make_applications(1500, seed=21), source="train", labelled=True)
    new, _ = prepare_applications(make_applications(400, seed=22, labelled=False, first_id=900_000),
                                  source="new", labelled=False)
    run_training(labelled, new, out, config=SMALL_CONFIG, source={"kind": "test"}, log=lambda m: None)
    return out


@pytest.fixture
def governance_model(dash_app):
    """Serve the tiny model folder for ONE test (the app's own served model afterwards)."""
    directory = tiny_model_dir()
    with serving(dash_app.server, directory):
        yield directory


def component_text(component) -> str:
    """Every string of a Dash component tree (children, labels, options, ids, figure texts), joined."""
    from dash.development.base_component import Component

    if component is None:
        return ""
    if isinstance(component, str):
        return component
    if isinstance(component, (int, float)):
        return str(component)
    if isinstance(component, (list, tuple)):
        return " ".join(component_text(c) for c in component)
    if isinstance(component, dict):
        return " ".join(component_text(v) for v in component.values())
    if isinstance(component, Component):
        props = component.to_plotly_json()["props"]
        return " ".join(component_text(v) for v in props.values())
    if hasattr(component, "to_plotly_json"):  # a figure
        import json

        return json.dumps(component.to_plotly_json(), ensure_ascii=False, default=str)
    return ""
