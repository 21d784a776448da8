"""Real browser: log in, see the home page under the CSP with a clean console, log out."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from app.security.testing import TEST_PASSWORD, make_user
from tests.browser_support import console_errors, login_in_browser, wait_until_idle


def test_login_home_logout(app_server, dash_app, browser):
    browser.get(app_server + "/portfolio")
    assert "/login" in browser.current_url  # anonymous: redirected to the login page
    make_user(dash_app.server, "browser-officer", "officer")
    login_in_browser(browser, app_server, "browser-officer", "wrong password!!")
    assert "incorrect" in browser.find_element(By.ID, "auth-message").text
    console_errors(browser)  # drain: the 401 of this deliberate failure is expected
    login_in_browser(browser, app_server, "browser-officer", TEST_PASSWORD)
    WebDriverWait(browser, 20).until(ec.presence_of_element_located((By.ID, "auth-user")))
    WebDriverWait(browser, 20).until(ec.presence_of_element_located((By.TAG_NAME, "h1")))
    assert "browser-officer" in browser.find_element(By.ID, "auth-user").text
    assert browser.find_element(By.TAG_NAME, "h1").text  # home page rendered by the page callback
    assert console_errors(browser) == []
    wait_until_idle(browser)
    logout = WebDriverWait(browser, 20).until(ec.element_to_be_clickable((By.ID, "auth-logout")))
    logout.click()
    WebDriverWait(browser, 20).until(ec.staleness_of(logout))
    WebDriverWait(browser, 20).until(ec.presence_of_element_located((By.ID, "auth-form")))
    browser.get(app_server + "/")
    assert "/login" in browser.current_url


def test_logged_in_driver_fixture(logged_in_driver):
    driver = logged_in_driver("manager")
    assert "(" in driver.find_element(By.ID, "auth-user").text
    assert console_errors(driver) == []
