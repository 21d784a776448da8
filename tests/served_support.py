"""Serve another model folder for a block of a test: bind a fresh ``ServedModel``, then the previous one.

The app keeps its served model in ``server.extensions`` (``app.resources``), so a test that needs
its own model folder binds an instance of its own, with caches of its own, and nothing leaks into
the next test.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import flask

from app.resources import ServedModel, bind_served_model


@contextlib.contextmanager
def serving(server: flask.Flask, directory: Path) -> Iterator[ServedModel]:
    model = ServedModel(Path(directory))
    previous = bind_served_model(server, model)
    try:
        yield model
    finally:
        if previous is not None:
            bind_served_model(server, previous)
