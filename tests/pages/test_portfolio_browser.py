"""Real browser (headless Chromium): a manager filters a group, compares two groups and opens a client.

Screenshots go to ``$SCREENSHOT_DIR`` (default: the test's tmp folder) so a person can look at them.
"""
from __future__ import annotations

import os
import re
import time
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec

from tests.browser_support import console_errors, page_wait
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
    wait = page_wait(driver)

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

    # the clients behind the numbers: the grid asks the server for one page at a time
    from app.pages.portfolio import PAGE_SIZE

    wait.until(lambda d: len(_column(d, "PROBA_DEFAULT")) == PAGE_SIZE)
    assert "Page 1 sur" in _pager(driver)
    header = driver.find_element(By.CSS_SELECTOR, "#portfolio-table .ag-header-cell[col-id='PROBA_DEFAULT'] .ag-header-cell-label")
    assert driver.find_element(By.CSS_SELECTOR, "#portfolio-table .ag-header-cell[col-id='PROBA_DEFAULT']").text.startswith(
        "Probabilité de défaut")  # headers in the reader's language
    for _ in ("ascending", "descending"):
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()", header)
        time.sleep(0.3)  # let the grid register each click as its own sort change
    def probas(d):
        return [float(re.sub(r"[^0-9,]", "", text).replace(",", ".")) for text in _column(d, "PROBA_DEFAULT")]
    wait.until(lambda d: len(probas(d)) == PAGE_SIZE and probas(d) == sorted(probas(d), reverse=True))
    first_page = probas(driver)
    # page 2 comes from the server, still sorted, below page 1
    next_button = driver.find_element(By.CSS_SELECTOR, "#portfolio-table .ag-paging-button[aria-label='Page suivante']")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()", next_button)
    wait.until(lambda d: "Page 2 sur" in _pager(d))
    rows = driver.find_element(By.CSS_SELECTOR, "#portfolio-table .ag-paging-row-summary-panel").text
    assert re.fullmatch(r"21 à 40 sur \d{1,3}([\u00a0 ]\d{3})*", rows), rows  # French words, "1 126" (not "1,126")
    wait.until(lambda d: len(probas(d)) > 1 and probas(d) != first_page)
    assert probas(driver) == sorted(probas(driver), reverse=True) and max(probas(driver)) <= min(first_page)
    _shot(driver, folder, "portfolio-table")
    assert console_errors(driver) == []  # AG Grid under the app's Content-Security-Policy: no violation
    assert not [e for e in driver.get_log("browser") if "AG Grid" in e["message"]]  # nor a grid warning

    # narrower filters: the grid empties its cache and shows page 1 of the new group
    caption = driver.find_element(By.ID, "portfolio-table-help").text
    box = driver.find_element(By.ID, "portfolio-a-credit-min")
    box.send_keys(Keys.CONTROL + "a")  # the modifier stays down until the end of a send_keys call
    box.send_keys("1500000" + Keys.ENTER)
    wait.until(lambda d: d.find_element(By.ID, "portfolio-table-help").text not in ("", caption))
    wait.until(lambda d: "Page 1 sur" in _pager(d))
    wait.until(lambda d: len(probas(d)) > 0 and probas(d) == sorted(probas(d), reverse=True))
    assert max(probas(driver)) <= max(first_page)
    assert console_errors(driver) == []

    # the id is a real link to the client's file
    link = driver.find_element(By.CSS_SELECTOR, "#portfolio-table .ag-row[row-index='0'] .ag-cell[col-id='SK_ID_CURR'] a")
    assert link.get_attribute("href").endswith(f"/client/{link.text}") and link.get_attribute("target") in ("", "_self")
    client_id = link.text
    driver.execute_script("arguments[0].click()", link)  # the anchor's own navigation, no script of the app
    wait.until(ec.url_contains(f"/client/{client_id}"))
    wait.until(ec.text_to_be_present_in_element((By.ID, "client-heading"), client_id))
    assert console_errors(driver) == []


def _column(driver, col: str) -> list[str]:
    """The texts of one grid column, top to bottom (AG Grid positions its rows: DOM order is not screen order)."""
    return driver.execute_script("""
        const cells = [...document.querySelectorAll(`#portfolio-table .ag-row .ag-cell[col-id='${arguments[0]}']`)];
        return cells.map(c => [Number(c.closest('.ag-row').getAttribute('row-index')), c.innerText.trim()])
                    .filter(([, text]) => text).sort((a, b) => a[0] - b[0]).map(([, text]) => text);
    """, col)


def _pager(driver) -> str:
    return driver.find_element(By.CSS_SELECTOR, "#portfolio-table .ag-paging-description").text
