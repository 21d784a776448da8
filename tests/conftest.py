"""Session-wide fixtures shared by every test package (see tests/browser_support.py, tests/model_fixture.py)."""
import pytest

from tests.browser_support import app_server, browser, dash_app, logged_in_driver  # noqa: F401 - session fixtures
from tests.model_fixture import small_model_dir  # noqa: F401 - session fixture


@pytest.fixture(scope="session", autouse=True)
def _temporary_tracking_store(tmp_path_factory):
    """A training run started by a test without ``--no-tracking`` (or its own store) logs to a temporary
    MLflow store, never to the project's ``mlruns/`` (the subprocesses inherit the variable)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path_factory.mktemp('mlruns') / 'mlflow.db'}")
        yield
