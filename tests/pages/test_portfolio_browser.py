"""Real browser (headless Chromium): a manager filters a group, compares two groups and opens a client.

Screenshots go to ``$SCREENSHOT_DIR`` (default: the test's tmp folder) so a person can look at them.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser_support import console_errors
from tests.pages.client_support import served_client_model  # noqa: F401 - fixture


def _shot(driver, folder: Path, name: str) -> None:
    driver.set_window_size(1280, max(900, driver.execute_script("return document.body.scrollHeight")))
    driver.save_screenshot(str(folder / f"{name}.png"))
    driver.set_window_size(1280, 900)


def _count(driver) -> int:
    return int(re.sub(r"\D", "", driver.find_element(By.ID, "portfolio-a-kpi-n").text))


def test_manager_filters_compares_and_opens_a_client(served_client_model, logged_in_driver, app_server, tmp_path):
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    driver = logged_in_driver("manager")
    # results are re-rendered on every change: an element found a moment ago may be replaced
    wait = WebDriverWait(driver, 30, ignored_exceptions=(StaleElementReferenceException,))

    # a shared link opens the same view; a hostile one still opens the page
    driver.get(f"{app_server}/portfolio?population=labelled&segment=grade&grade=%3Cscript%3E")
    wait.until(ec.presence_of_element_located((By.ID, "portfolio-a-kpi-n")))
    everyone = _count(driver)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#portfolio-a-score-graph .bars"))
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#portfolio-a-segment-graph .bars"))
    _shot(driver, folder, "portfolio-group")
    assert console_errors(driver) == []

    # filter: credit amount from 500 000 €
    box = driver.find_element(By.ID, "portfolio-a-credit-min")
    box.send_keys("500000" + Keys.ENTER)
    wait.until(lambda d: "credit_min=500000" in d.current_url)
    wait.until(lambda d: _count(d) < everyone)
    assert "population=labelled" in driver.current_url and "script" not in driver.current_url

    # compare with the new applications of the same credit range
    driver.find_element(By.XPATH, "//label[@for='portfolio-compare']").click()
    wait.until(ec.visibility_of_element_located((By.ID, "portfolio-b-filters")))
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#portfolio-b-score-graph .bars"))
    assert console_errors(driver) == []  # side-by-side charts re-laid out without plotly errors
    driver.find_element(By.XPATH, "//*[@id='portfolio-b-population']//label[contains(., 'Nouvelles demandes')]").click()
    wait.until(lambda d: "non comparable" in d.find_element(By.ID, "portfolio-diff-list").text)
    wait.until(lambda d: "dans B" in d.find_element(By.ID, "portfolio-diff-list").text)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#portfolio-b-score-graph .bars"))
    assert "compare=1" in driver.current_url and "b=population%3Dnew" in driver.current_url
    _shot(driver, folder, "portfolio-compare")
    assert driver.find_elements(By.ID, "portfolio-b-feature-graph-message")  # no known outcome in B: said, not drawn

    # the clients behind the numbers: sort by probability, then open the riskiest client's file
    sort = "#portfolio-table th[data-dash-column='PROBA_DEFAULT'] .column-header--sort"
    for _ in ("ascending", "descending"):
        header = driver.find_element(By.CSS_SELECTOR, sort)
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()", header)
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#portfolio-table td[data-dash-column='SK_ID_CURR'] a")) > 0)
    def probas(d):
        cells = d.find_elements(By.CSS_SELECTOR, "#portfolio-table td[data-dash-column='PROBA_DEFAULT']")
        return [float(re.sub(r"[^0-9,]", "", c.text).replace(",", ".")) for c in cells]
    wait.until(lambda d: probas(d) == sorted(probas(d), reverse=True) and len(probas(d)) > 1)
    _shot(driver, folder, "portfolio-table")
    assert console_errors(driver) == []
    link = driver.find_element(By.CSS_SELECTOR, "#portfolio-table td[data-dash-column='SK_ID_CURR'] a")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
    client_id = link.text
    link.click()
    wait.until(ec.url_contains(f"/client/{client_id}"))
    wait.until(ec.text_to_be_present_in_element((By.ID, "client-heading"), client_id))
    assert console_errors(driver) == []
