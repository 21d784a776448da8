"""Real browser (headless Chromium): an officer finds a client with the search box and reads the file.

Screenshots go to ``$SCREENSHOT_DIR`` (default: the test's tmp folder) so a person can look at them.
"""
from __future__ import annotations

import os
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec

from tests.browser_support import console_errors, page_wait
from tests.pages.client_support import served_client_model  # noqa: F401 - fixture


def _officer(logged_in_driver, tmp_path):
    """(driver logged in as an officer, its 30 s wait, the screenshot folder)."""
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    driver = logged_in_driver("officer")
    return driver, page_wait(driver), folder


def _shot(driver, folder: Path, name: str) -> None:
    driver.set_window_size(1280, max(900, driver.execute_script("return document.body.scrollHeight")))
    driver.save_screenshot(str(folder / f"{name}.png"))


def test_officer_searches_a_client_and_reads_the_file(served_client_model, logged_in_driver, app_server, tmp_path):
    _, labelled, _ = served_client_model
    client_id = str(int(labelled["SK_ID_CURR"].iloc[3]))
    driver, wait, folder = _officer(logged_in_driver, tmp_path)
    driver.get(f"{app_server}/client")
    box = wait.until(ec.presence_of_element_located((By.ID, "client-search-input")))
    box.send_keys(client_id[:-1])
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, f"#client-search-matches a[href='/client/{client_id}']")))
    _shot(driver, folder, "client-search")
    box.send_keys(client_id[-1] + Keys.ENTER)
    wait.until(ec.url_contains(f"/client/{client_id}"))
    wait.until(ec.text_to_be_present_in_element((By.ID, "client-heading"), client_id))
    wait.until(lambda d: d.title == f"Client {client_id} — Prêt à dépenser")
    decision = wait.until(ec.visibility_of_element_located((By.ID, "client-decision-text"))).text
    assert "Le modèle recommande d'accorder" in decision or "Le modèle recommande de refuser" in decision
    assert "seuil de refus" in driver.find_element(By.ID, "client-distance-text").text
    reasons = driver.find_elements(By.CSS_SELECTOR, "#client-reasons-list li")
    assert 1 <= len(reasons) <= 4 and "risque" in reasons[0].text
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#client-waterfall .waterfalllayer .trace"))
    # concepts by default; the switch shows the inputs (and their "other characteristics" sum)
    wait.until(lambda d: "Scores de crédit externes" in d.find_element(By.ID, "client-waterfall").text)
    _click(driver, driver.find_elements(By.CSS_SELECTOR, "#client-waterfall-view label")[-1])
    wait.until(lambda d: "Autres caractéristiques" in d.find_element(By.ID, "client-waterfall").text)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#client-gauge .indicatorlayer .trace"))
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#client-compare-figure .bars"))
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#client-scatter-figure .scatterlayer .point"))
    wait.until(ec.presence_of_element_located((By.ID, "client-decision-panel")))
    _shot(driver, folder, "client-file")
    assert console_errors(driver) == []
    # a hostile id in the URL: a message, not an error page
    driver.get(f"{app_server}/client/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    alert = wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, "#client-alert .alert")))
    assert "n'est pas un identifiant" in alert.text
    assert driver.title == "Dossier client — Prêt à dépenser"
    _shot(driver, folder, "client-hostile")
    assert console_errors(driver) == []


def test_english_file_reads_in_english(served_client_model, logged_in_driver, app_server, tmp_path):
    client_id = str(int(served_client_model[1]["SK_ID_CURR"].iloc[3]))
    driver, wait, folder = _officer(logged_in_driver, tmp_path)
    driver.get(f"{app_server}/lang/en")
    driver.get(f"{app_server}/client/{client_id}")
    decision = wait.until(ec.visibility_of_element_located((By.ID, "client-decision-text"))).text
    assert "The model recommends granting" in decision or "The model recommends refusing" in decision
    wait.until(lambda d: d.title == f"Client {client_id} — Prêt à dépenser")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#client-waterfall .waterfalllayer .trace"))
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#client-compare-figure .bars"))
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#client-scatter-figure .scatterlayer .point"))
    bar_texts = [t.text for t in driver.find_elements(By.CSS_SELECTOR, "#client-waterfall .waterfalllayer text")]
    assert bar_texts and all("," not in t for t in bar_texts) and any(t.endswith("pts") for t in bar_texts)
    assert "Other similar clients" in driver.find_element(By.ID, "client-compare-figure").text
    _shot(driver, folder, "client-file-en")
    assert console_errors(driver) == []


def _click(driver, element) -> None:
    """Scroll the element to the middle of the window, then click it as a person would.

    Instantly: Bootstrap makes scrolling smooth, and a click during the animation lands elsewhere.
    """
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
    element.click()


def test_officer_records_an_override_and_sees_it_in_the_history(served_client_model, logged_in_driver, app_server,
                                                                 tmp_path):
    """Issue 6: log in, open a client, override the model with a reason, see it in the history, reload."""
    from app.i18n import translate

    client_id = str(int(served_client_model[2]["SK_ID_CURR"].iloc[5]))  # a pending new application
    driver, wait, folder = _officer(logged_in_driver, tmp_path)
    driver.get(f"{app_server}/client/{client_id}")
    wait.until(ec.presence_of_element_located((By.ID, "client-decision-panel")))
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#client-decision-history")))
    # the file is usable once its charts are drawn (a loading overlay covers it until then)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#client-compare-figure .bars"))
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#client-scatter-figure .main-svg"))
    override = wait.until(ec.presence_of_element_located(
        (By.CSS_SELECTOR, "#client-decision-choice input[value='override']")))
    driver.execute_script("arguments[0].click()", override)
    note = "<b>Garant solide</b> — vu au guichet"
    driver.find_element(By.ID, "client-decision-note").send_keys(note)
    _click(driver, driver.find_element(By.ID, "client-decision-submit"))  # no reason yet: refused, nothing recorded
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#client-decision-feedback .alert-danger")))
    assert not driver.find_elements(By.CSS_SELECTOR, "#client-decision-history tbody tr")
    reason = translate("decision.reason.guarantor_or_collateral", "fr")
    wait.until(lambda d: "is-disabled" not in (d.find_element(By.ID, "client-decision-reason").get_attribute("class") or ""))
    _click(driver, driver.find_element(By.ID, "client-decision-reason"))
    _click(driver, wait.until(ec.element_to_be_clickable((By.XPATH, f"//*[normalize-space(text())='{reason}']"))))
    _click(driver, driver.find_element(By.ID, "client-decision-submit"))
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#client-decision-feedback .alert-success")))
    row = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#client-decision-history tbody tr"))).text
    assert reason in row and note in row  # the HTML of the note is shown as text, never interpreted
    assert translate("decision.overridden", "fr") in row
    assert not driver.find_elements(By.CSS_SELECTOR, "#client-decision-history b")
    _shot(driver, folder, "client-decision-override")
    driver.refresh()  # stored in the database: the history survives a reload
    row = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#client-decision-history tbody tr"))).text
    assert reason in row and note in row
    assert console_errors(driver) == []


def test_a_decision_sent_after_the_session_ended_is_kept_and_recorded_after_signing_in_again(
        served_client_model, logged_in_driver, app_server, dash_app, tmp_path):
    """Issue 12 #3: signed out in another tab, the officer clicks "Enregistrer": told so, nothing lost."""
    from app.i18n import translate
    from app.security.decisions import decision_history
    from app.security.testing import TEST_PASSWORD
    from app.security.web import current_engine

    client_id = str(int(served_client_model[2]["SK_ID_CURR"].iloc[7]))  # a pending new application
    driver, wait, folder = _officer(logged_in_driver, tmp_path)
    username = driver.find_element(By.ID, "auth-user").text.split(" ")[0]
    driver.get(f"{app_server}/client/{client_id}")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#client-compare-figure .bars"))
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#client-scatter-figure .main-svg"))
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#client-decision-history")))
    note = "Revenus confirmés par bulletin de salaire"
    driver.find_element(By.ID, "client-decision-note").send_keys(note)
    first_tab = driver.current_window_handle

    driver.switch_to.new_window("tab")  # sign out in another tab
    driver.get(f"{app_server}/logout")
    driver.find_element(By.ID, "auth-logout-confirm").click()
    wait.until(ec.presence_of_element_located((By.ID, "auth-username")))
    driver.switch_to.window(first_tab)

    _click(driver, driver.find_element(By.ID, "client-decision-submit"))
    banner = wait.until(ec.visibility_of_element_located((By.ID, "auth-session-banner")))
    assert translate("auth.session_ended", "fr") in banner.text
    assert driver.find_element(By.ID, "client-decision-note").get_attribute("value") == note  # nothing lost
    with dash_app.server.app_context():
        assert decision_history(current_engine(), client_id) == []
    _shot(driver, folder, "client-session-ended")
    errors = console_errors(driver)
    assert errors and all("401" in e["message"] for e in errors), errors  # the refused request, no renderer error

    driver.find_element(By.ID, "auth-session-relogin").click()  # opens the sign-in page in a new tab
    wait.until(lambda d: len(d.window_handles) == 3)
    driver.switch_to.window(driver.window_handles[-1])
    driver.find_element(By.ID, "auth-username").send_keys(username)
    driver.find_element(By.ID, "auth-password").send_keys(TEST_PASSWORD)
    driver.find_element(By.ID, "auth-submit").click()
    assert translate("auth.resumed_body", "fr") in wait.until(
        ec.visibility_of_element_located((By.ID, "auth-resumed"))).text
    driver.switch_to.window(first_tab)
    driver.execute_script("window.dispatchEvent(new Event('focus'))")  # what coming back to the tab does
    wait.until(ec.visibility_of_element_located((By.ID, "auth-session-resumed")))

    _click(driver, driver.find_element(By.ID, "client-decision-submit"))
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#client-decision-feedback .alert-success")))
    row = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#client-decision-history tbody tr"))).text
    assert note in row
    with dash_app.server.app_context():
        assert [r.note for r in decision_history(current_engine(), client_id)] == [note]
    assert console_errors(driver) == []


def test_somebody_else_signing_in_on_the_ended_tab_gets_a_fresh_page_not_the_draft(
        served_client_model, logged_in_driver, app_server, dash_app, tmp_path):
    """Hostile review #8: the banner's sign-in link used by another person must not hand them the page."""
    from app.security.testing import TEST_PASSWORD, make_user

    client_id = str(int(served_client_model[2]["SK_ID_CURR"].iloc[9]))  # a pending new application
    driver, wait, _ = _officer(logged_in_driver, tmp_path)
    driver.get(f"{app_server}/client/{client_id}")
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#client-decision-history")))
    driver.find_element(By.ID, "client-decision-note").send_keys("brouillon de la première personne")
    first_tab = driver.current_window_handle
    driver.switch_to.new_window("tab")
    driver.get(f"{app_server}/logout")
    driver.find_element(By.ID, "auth-logout-confirm").click()
    wait.until(ec.presence_of_element_located((By.ID, "auth-username")))
    make_user(dash_app.server, "second-officer", "officer")
    driver.find_element(By.ID, "auth-username").send_keys("second-officer")
    driver.find_element(By.ID, "auth-password").send_keys(TEST_PASSWORD)
    driver.find_element(By.ID, "auth-submit").click()
    wait.until(ec.presence_of_element_located((By.ID, "auth-user")))
    driver.switch_to.window(first_tab)
    _click(driver, driver.find_element(By.ID, "client-decision-submit"))  # refused: the page was built for the first
    wait.until(lambda d: "second-officer" in d.find_element(By.ID, "auth-user").text)  # reloaded as the new person
    note = wait.until(ec.presence_of_element_located((By.ID, "client-decision-note")))
    assert note.get_attribute("value") == ""  # the first person's draft is not restored for the second
    from app.security.decisions import decision_history
    from app.security.web import current_engine

    with dash_app.server.app_context():
        assert decision_history(current_engine(), client_id) == []  # nothing recorded under either name
