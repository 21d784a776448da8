"""Issue 13, done when: driven in headless Chromium, an officer overrides a refusal and sees it await
approval; a manager approves it on /decisions; the officer's file then shows the final decision; the
audit page shows the three events; an admin creates an account and the new user signs in.

Screenshots go to ``$SCREENSHOT_DIR`` (default: the test's tmp folder).
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser_support import console_errors, login_in_browser, page_wait, wait_until_idle
from tests.pages.client_support import served_client_model  # noqa: F401 - fixture


def _shot(driver, folder: Path, name: str) -> None:
    driver.set_window_size(1280, max(900, driver.execute_script("return document.body.scrollHeight")))
    driver.save_screenshot(str(folder / f"{name}.png"))


def _click(driver, element) -> None:
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
    element.click()


def _sign_in(driver, app_server, username: str, password: str) -> WebDriverWait:
    driver.delete_all_cookies()
    login_in_browser(driver, app_server, username, password)
    # a table re-rendered by a callback between finding it and reading it is read again, not a failure
    wait = page_wait(driver)
    wait.until(lambda d: username in d.find_element(By.ID, "auth-user").text)
    return wait


def _pick(driver, wait, dropdown_id: str, text: str) -> None:
    _click(driver, driver.find_element(By.ID, dropdown_id))
    option = wait.until(ec.element_to_be_clickable((By.XPATH, f"//*[contains(text(), '{text}')]")))
    _click(driver, option)


def test_override_approved_by_a_manager_traced_in_the_audit_and_an_admin_creates_an_account(
        served_client_model, browser, app_server, dash_app, tmp_path):
    from app.i18n import translate
    from app.resources import served
    from app.security.testing import TEST_PASSWORD, make_user

    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    with dash_app.server.app_context():
        frame = served().portfolio.frame
        refused = frame[~frame["IS_LABELLED"].astype(bool) & (frame["DECISION"] == "refused")]
        client_id = str(int(refused.index[0]))
    tag = uuid.uuid4().hex[:6]
    officer, manager, admin = f"ov-officer-{tag}", f"ov-manager-{tag}", f"ov-admin-{tag}"
    for name, role in ((officer, "officer"), (manager, "manager"), (admin, "admin")):
        make_user(dash_app.server, name, role)
    driver = browser

    # 1. The officer's home is the work queue; the file is in it; they override the refusal.
    wait = _sign_in(driver, app_server, officer, TEST_PASSWORD)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#queue-grid .ag-row"))
    assert "en attente" in driver.find_element(By.ID, "queue-count-text").text
    _shot(driver, folder, "oversight-1-queue")
    assert console_errors(driver) == []
    driver.get(f"{app_server}/client/{client_id}")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#client-compare-figure .main-svg"))
    wait_until_idle(driver)
    assert "Le modèle recommande de refuser" in driver.find_element(By.ID, "client-decision-text").text
    driver.execute_script("arguments[0].click()", wait.until(ec.presence_of_element_located(
        (By.CSS_SELECTOR, "#client-decision-choice input[value='override']"))))
    wait.until(lambda d: "is-disabled" not in (d.find_element(By.ID, "client-decision-reason").get_attribute("class") or ""))
    _pick(driver, wait, "client-decision-reason", translate("decision.reason.client_history", "fr"))
    driver.find_element(By.ID, "client-decision-note").send_keys("Client depuis 12 ans, aucun incident")
    submit = driver.find_element(By.ID, "client-decision-submit")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", submit)
    ActionChains(driver).double_click(submit).perform()  # recorded once
    wait.until(ec.text_to_be_present_in_element((By.ID, "client-decision-feedback"), "en attente de validation"))
    assert driver.find_element(By.ID, "client-decision-final-status").text == "En attente de validation"
    wait_until_idle(driver)
    assert "en attente de validation" in driver.find_element(By.ID, "client-decision-feedback").text
    assert not submit.is_enabled()  # a change now needs a revision reason
    driver.find_element(By.ID, "client-decision-revision").send_keys("x")
    wait.until(lambda d: submit.is_enabled())
    driver.find_element(By.ID, "client-decision-revision").send_keys(Keys.BACK_SPACE)
    wait.until(lambda d: not submit.is_enabled())
    assert len(driver.find_elements(By.CSS_SELECTOR, "#client-decision-history tbody tr")) == 1
    _shot(driver, folder, "oversight-2-override-pending")
    driver.refresh()  # the choice does not reset to "follow the model"
    override = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#client-decision-choice input[value='override']")))
    wait.until(lambda d: override.is_selected())
    assert console_errors(driver) == []

    # 2. A manager approves it in place on /decisions.
    wait = _sign_in(driver, app_server, manager, TEST_PASSWORD)
    driver.get(f"{app_server}/decisions")
    wait.until(ec.presence_of_element_located((By.ID, "decisions-pending-table")))
    _pick(driver, wait, "decisions-pending-select", f"Client {client_id}")
    driver.find_element(By.ID, "decisions-comment").send_keys("Historique vérifié")
    _click(driver, driver.find_element(By.ID, "decisions-approve"))
    wait.until(ec.text_to_be_present_in_element((By.ID, "decisions-feedback"), "Dérogation validée"))
    wait.until(lambda d: "Validée par un responsable" in d.find_element(By.ID, "decisions-recent-table").text)  # refreshed
    assert "page 1 sur" in driver.find_element(By.ID, "decisions-recent-count").text
    _shot(driver, folder, "oversight-3-approved")
    assert console_errors(driver) == []

    # 3. The officer's file shows the final decision.
    wait = _sign_in(driver, app_server, officer, TEST_PASSWORD)
    driver.get(f"{app_server}/client/{client_id}")
    status = wait.until(ec.presence_of_element_located((By.ID, "client-decision-final-status")))
    wait.until(lambda d: d.find_element(By.ID, "client-decision-final-status").text == "Validée par un responsable")
    final = driver.find_element(By.ID, "client-decision-final").text
    assert "Crédit accordé" in final and officer in final and "déroge au modèle" in final and manager in final
    assert status is not None
    _shot(driver, folder, "oversight-4-final")
    assert console_errors(driver) == []

    # 4. The audit trail shows the view, the decision and the approval.
    wait = _sign_in(driver, app_server, manager, TEST_PASSWORD)
    driver.get(f"{app_server}/audit")
    box = wait.until(ec.presence_of_element_located((By.ID, "audit-client")))
    box.send_keys(client_id + Keys.ENTER)
    wait.until(lambda d: "decision.review" in d.find_element(By.ID, "audit-table").text)
    table = driver.find_element(By.ID, "audit-table").text
    assert all(event in table for event in ("client.view", "decision.record", "decision.review"))
    assert table.count("decision.record") == 1  # the double click recorded once
    _click(driver, driver.find_element(By.ID, "audit-export-button"))  # the filtered events as a CSV, audited
    wait.until(ec.text_to_be_present_in_element((By.ID, "audit-export-feedback"), "événements exportés"))
    _shot(driver, folder, "oversight-5-audit")
    assert console_errors(driver) == []

    # 5. An admin creates an account; the new user signs in with the password shown once.
    wait = _sign_in(driver, app_server, admin, TEST_PASSWORD)
    driver.get(f"{app_server}/admin")
    new_user = f"new-{tag}"
    wait.until(ec.presence_of_element_located((By.ID, "admin-new-username"))).send_keys(new_user)
    _click(driver, driver.find_element(By.ID, "admin-create"))
    done = wait.until(ec.presence_of_element_located((By.ID, "admin-feedback-done"))).text
    password = done.rsplit(" : ", 1)[1].strip()
    _shot(driver, folder, "oversight-6-admin")
    assert console_errors(driver) == []
    _sign_in(driver, app_server, new_user, password)
    assert "chargé de clientèle" in driver.find_element(By.ID, "auth-user").text
