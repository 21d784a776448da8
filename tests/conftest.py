"""Session-wide fixtures shared by every test package (see tests/browser_support.py, tests/model_fixture.py)."""
from tests.browser_support import app_server, browser, dash_app, logged_in_driver  # noqa: F401 - session fixtures
from tests.model_fixture import small_model_dir  # noqa: F401 - session fixture
