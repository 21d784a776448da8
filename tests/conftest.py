"""Session-wide fixtures shared by every test package (see tests/browser_support.py)."""
from tests.browser_support import app_server, browser, dash_app, logged_in_driver  # noqa: F401 - session fixtures
