"""Shared fixtures for app-level and browser tests (imported by tests/conftest.py).

* ``dash_app``: THE Dash app of the test session (Dash hands ``@dash.callback`` callbacks to the
  first app created in a process only, so every test must share this one).
* ``app_server``: the app served by werkzeug in a thread on 127.0.0.1:<free port>; returns the base URL.
* ``browser``: headless Chromium (skipped locally without chromium/chromedriver, failing when CI=true).
* ``logged_in_driver(role)``: a factory returning a browser logged in with a fresh account of ``role``.
* ``console_errors(driver)``: SEVERE browser console entries (assert it is empty).
"""
from __future__ import annotations

import os
import shutil
import threading
import uuid

import pytest
from werkzeug.serving import make_server

from app.config import Settings

SECRET = "test-secret-key-" + "x" * 32
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


def make_settings(database_url: str, **overrides) -> Settings:
    """Development settings with a fixed test secret and the given database."""
    values = dict(env="development", secret_key=SECRET, database_url=database_url, login_max_failures=5,
                  login_max_failures_per_ip=20, login_window_minutes=15)
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="session")
def dash_app(tmp_path_factory):
    from app.shell import create_app

    path = tmp_path_factory.mktemp("app") / "app.sqlite3"
    return create_app(make_settings(f"sqlite:///{path}"))


@pytest.fixture(scope="session")
def app_server(dash_app, tmp_path_factory):
    """Serve the app in a thread; each use re-binds it to the browser tests' own SQLite database."""
    from app.security.db import get_engine
    from app.security.web import bind_database

    path = tmp_path_factory.mktemp("browser") / "browser.sqlite3"
    engine = get_engine(f"sqlite:///{path}")
    bind_database(dash_app.server, engine)
    httpd = make_server("127.0.0.1", 0, dash_app.server, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def _need_browser() -> None:
    if shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER):
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("chromium/chromedriver missing in CI")
    pytest.skip("chromium/chromedriver not installed")


@pytest.fixture
def browser():
    _need_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(arg)
    options.binary_location = CHROMIUM
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def console_errors(driver) -> list[dict]:
    return [entry for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"]


def page_wait(driver, timeout: float = 30):
    """A wait that retries an element gone stale: Dash re-renders (or the page reloads) under the lookup.

    Without it a check like ``d.find_element(...).text`` fails at random when the element is replaced between
    the lookup and the read — the cause of a red CI run on a reload after a refused submit.
    """
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,))


def wait_until_idle(driver, timeout: float = 20) -> None:
    """Wait until the page is loaded and no Dash callback is pending (what a person clicks on)."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout).until(lambda d: d.execute_script(
        "return document.readyState === 'complete' && !document.querySelector('[data-dash-is-loading=\"true\"]')"))


def login_in_browser(driver, base_url: str, username: str, password: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{base_url}/login")
    driver.find_element(By.ID, "auth-username").send_keys(username)
    driver.find_element(By.ID, "auth-password").send_keys(password)
    submit = driver.find_element(By.ID, "auth-submit")
    submit.click()
    # The POST answers with a new page (the form again, or a redirect): wait until the old one is gone,
    # or the next lookup may still search the page being replaced.
    WebDriverWait(driver, 20).until(ec.staleness_of(submit))


@pytest.fixture
def logged_in_driver(app_server, dash_app, browser):
    """Factory: ``driver = logged_in_driver("manager")`` -> browser on the home page, logged in."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    from app.security.testing import TEST_PASSWORD, make_user

    def login(role: str):
        username = f"{role}-{uuid.uuid4().hex[:8]}"
        make_user(dash_app.server, username, role)
        login_in_browser(browser, app_server, username, TEST_PASSWORD)
        WebDriverWait(browser, 20).until(ec.presence_of_element_located((By.ID, "auth-user")))
        return browser

    return login
