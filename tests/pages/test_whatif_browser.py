"""Real browser (headless Chromium): an officer on a refused file reads the counter-offer, loads it into the
simulator, tries a bad and a good amount, then prints the letter and downloads its PDF.

Screenshots go to ``$SCREENSHOT_DIR`` (default: the test's tmp folder) so a person can look at them.
"""
from __future__ import annotations

import os
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec

from app.components import whatif as card
from app.resources import served
from tests.browser_support import console_errors, page_wait, wait_until_idle
from tests.pages.client_support import served_client_model  # noqa: F401 - fixture

FETCH_PDF = """
const done = arguments[arguments.length - 1];
fetch(arguments[0], {credentials: 'same-origin'}).then(async r => {
  const bytes = new Uint8Array(await r.arrayBuffer());
  done([r.status, r.headers.get('content-type'), String.fromCharCode(...bytes.slice(0, 5)), bytes.length]);
}).catch(e => done(['error', String(e)]));
"""


def _shot(driver, folder: Path, name: str) -> None:
    driver.set_window_size(1280, max(900, driver.execute_script("return document.body.scrollHeight")))
    driver.save_screenshot(str(folder / f"{name}.png"))


def _refused_with_offer(dash_app) -> int:
    with dash_app.server.app_context():
        model = served()
        frame = model.portfolio.frame
        for client_id in frame.index[frame["DECISION"] == "refused"][:80]:
            offer = card.client_offer(model, int(client_id))
            if offer is not None and offer.found:
                return int(client_id)
    raise AssertionError("no refused client with a counter-offer")


def _type(element, text: str) -> None:
    element.send_keys(Keys.CONTROL, "a")
    element.send_keys(Keys.DELETE)
    element.send_keys(text + Keys.TAB)


def test_officer_applies_the_counter_offer_tries_amounts_and_prints_the_letter(
        served_client_model, dash_app, logged_in_driver, app_server, tmp_path):
    client_id = _refused_with_offer(dash_app)
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    driver = logged_in_driver("officer")
    # A result re-rendered between finding and reading it (the simulator answers in ~30 ms) is read again.
    wait = page_wait(driver)
    driver.get(f"{app_server}/client/{client_id}")
    wait.until(ec.text_to_be_present_in_element((By.ID, "client-decision-text"), "recommande de refuser"))
    wait_until_idle(driver)
    with dash_app.server.app_context():
        closed = bool(served().portfolio.frame.loc[client_id, "IS_LABELLED"])
    assert driver.find_element(By.ID, "client-decision-submit").is_enabled() is not closed  # nothing to record on a closed file
    offer = wait.until(ec.visibility_of_element_located((By.ID, card.WHATIF_OFFER)))
    wait.until(lambda d: "serait accordé" in offer.text)
    assert "pour un seuil de" in offer.text and "€" in offer.text
    wait.until(lambda d: "recommande de refuser" in d.find_element(By.ID, card.WHATIF_RESULT).text)  # the file's own terms
    apply = wait.until(ec.element_to_be_clickable((By.ID, card.WHATIF_APPLY)))
    wait_until_idle(driver)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'}); arguments[0].click()",
                          apply)
    table = f"#{card.WHATIF_RESULT}-table"
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, table)
               and "recommande d'accorder" in d.find_element(By.CSS_SELECTOR, table).text)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, f"#{card.WHATIF_WATERFALL} .waterfalllayer .trace"))
    _shot(driver, folder, "whatif-offer-applied")
    credit = driver.find_element(By.ID, card.WHATIF_CREDIT)
    _type(credit, "deux cent mille")
    wait.until(lambda d: "saisissez un nombre" in d.find_element(By.ID, card.WHATIF_RESULT).text)
    assert not driver.find_elements(By.CSS_SELECTOR, table)  # no score for a bad value
    _shot(driver, folder, "whatif-bad-amount")
    with dash_app.server.app_context():
        bounds = card.client_case(served(), client_id).bounds
    _type(credit, str(int(bounds.credit.high * 2)))
    wait.until(lambda d: "hors des limites" in d.find_element(By.ID, card.WHATIF_RESULT).text)
    _type(credit, str(int((bounds.credit.low + bounds.credit.high) / 2)))
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, table))
    assert "Simulation" in driver.find_element(By.CSS_SELECTOR, table).text
    _shot(driver, folder, "whatif-amount-changed")
    assert console_errors(driver) == []
    status, kind, magic, size = driver.execute_async_script(FETCH_PDF, f"/client/{client_id}/letter.pdf")
    assert (status, kind, magic) == (200, "application/pdf", "%PDF-") and size > 5000
    link = driver.find_element(By.ID, f"{card.WHATIF_LETTER}-html")
    assert link.get_attribute("href").endswith(f"/client/{client_id}/letter")
    driver.get(f"{app_server}/client/{client_id}/letter")
    wait.until(ec.presence_of_element_located((By.ID, "letter-print")))
    body = driver.find_element(By.TAG_NAME, "body").text
    assert "Vos droits" in body and "serait accordé" in body and not driver.find_elements(By.TAG_NAME, "nav")
    _shot(driver, folder, "letter-page")
    assert console_errors(driver) == []
