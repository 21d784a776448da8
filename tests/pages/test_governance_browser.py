"""Real browser (headless Chromium): a manager opens the model and monitoring pages, uses their
controls, and the console stays clean; a new monthly run shows on the monitoring page at the next
load; an officer is refused both pages.

Screenshots go to ``$SCREENSHOT_DIR`` (default: the test's tmp folder) so a person can look at them.
Set ``GOVERNANCE_MODEL_DIR`` to serve another model folder (e.g. model/demo) instead of the tiny one.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec

from tests.browser_support import console_errors, page_wait
from tests.pages.governance_support import governance_model  # noqa: F401 - fixture
from tests.served_support import serving


@pytest.fixture
def served(governance_model, dash_app):
    """The tiny governance model, or the folder named by GOVERNANCE_MODEL_DIR (to look at a real model)."""
    other = os.environ.get("GOVERNANCE_MODEL_DIR")
    if not other:
        yield Path(governance_model)
        return
    with serving(dash_app.server, Path(other)):
        yield Path(other)


def _shot(driver, folder: Path, name: str) -> None:
    driver.set_window_size(1280, max(900, driver.execute_script("return document.body.scrollHeight")))
    driver.save_screenshot(str(folder / f"{name}.png"))
    driver.set_window_size(1280, 900)


def _folder(tmp_path) -> Path:
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _open_tab(driver, wait, tabs_id: str, index: int, value: str) -> None:
    """Click tab ``index`` of ``tabs_id`` and wait until the server's panel of that tab (marked
    ``data-panel`` = ``value``, built by the page's callback when the tab opens) shows a drawn chart."""
    tab = driver.find_elements(By.CSS_SELECTOR, f"#{tabs_id} .tab")[index]
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()", tab)
    drawn = """const tabs = document.getElementById(arguments[0]);
        const panel = document.querySelector('#' + arguments[0] + '-panel > [data-panel]');
        return tabs.querySelectorAll('.tab')[arguments[1]].classList.contains('tab--selected')
            && panel !== null && panel.dataset.panel === arguments[2]
            && [...panel.querySelectorAll('.js-plotly-plot')].some(
                g => g.querySelector('.main-svg') && g._fullData && g._fullData.length > 0);"""
    wait.until(lambda d: d.execute_script(drawn, tabs_id, index, value))


def _scroll_to_card(driver, wait, tabs_id: str, value: str) -> None:
    """Scroll a card that waits to be seen into view and wait for its open tab's chart."""
    driver.execute_script("document.getElementById(arguments[0]).scrollIntoView({block: 'center'})", tabs_id)
    wait.until(lambda d: d.execute_script(
        "const p = document.querySelector('#' + arguments[0] + '-panel > [data-panel]');"
        "return p !== null && p.dataset.panel === arguments[1] && [...p.querySelectorAll('.js-plotly-plot')]"
        ".some(g => g.querySelector('.main-svg') && g._fullData && g._fullData.length > 0);", tabs_id, value))


def _second_feature_label(dash_app) -> str:
    """The label of the dependence plot's second feature (the panel opens on the first)."""
    from app.components import model_charts
    from app.resources import served as served_model

    with dash_app.server.app_context():
        second = model_charts.ranked_features(served_model())[1]
        return model_charts.feature_labels([second], "fr")[second]


def test_manager_reads_the_model_page(served, logged_in_driver, app_server, dash_app, tmp_path):
    driver = logged_in_driver("manager")
    wait = page_wait(driver, 40)
    driver.get(f"{app_server}/model")
    wait.until(ec.presence_of_element_located((By.ID, "model-card-table")))
    # the cost explorer's chart and figures come with the page (no callback needed for the defaults)
    wait.until(lambda d: "Coût par client" in d.find_element(By.ID, "model-cost-kpis").text)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#model-cost-graph .scatterlayer .trace"))
    assert "hors échantillon" in driver.find_element(By.TAG_NAME, "body").text
    # 2 charts on arrival: ROC and cost; importance and fairness by gender when their card nears the
    # screen; the others when their tab opens
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".js-plotly-plot .main-svg")) >= 2)
    assert len(driver.find_elements(By.CSS_SELECTOR, ".js-plotly-plot")) == 2
    assert "se dessine" in driver.find_element(By.ID, "model-fairness-tabs-panel").text
    for tabs_id, value in (("model-explain-tabs", "importance"), ("model-fairness-tabs", "gender")):
        _scroll_to_card(driver, wait, tabs_id, value)
    assert len(driver.find_elements(By.CSS_SELECTOR, ".js-plotly-plot")) == 4
    assert [tab.text for tab in driver.find_elements(By.CSS_SELECTOR, "#model-performance-tabs .tab")] == [
        "Courbe ROC", "Précision-rappel", "Calibration", "Matrice de confusion"]
    for index, value in enumerate(("pr", "calibration", "confusion"), start=1):
        _open_tab(driver, wait, "model-performance-tabs", index, value)
    _open_tab(driver, wait, "model-compare-tabs", 1, "policies")
    assert "Tout accorder" in driver.find_element(By.ID, "model-compare-tabs-panel").text
    driver.execute_script("arguments[0].click()", driver.find_elements(By.CSS_SELECTOR, "#model-compare-tabs .tab")[0])
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, '#model-compare-tabs-panel > [data-panel="models"] #model-verdict'))
    tabs = driver.find_elements(By.CSS_SELECTOR, "#model-explain-tabs .tab")
    assert [tab.text for tab in tabs] == ["Importance moyenne", "Vue d'ensemble par client",
                                          "Effet d'une variable selon sa valeur"]
    _open_tab(driver, wait, "model-explain-tabs", 1, "summary")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#model-explain-tabs-panel .gl-canvas"))
    _shot(driver, _folder(tmp_path), "model-summary-tab")
    _open_tab(driver, wait, "model-explain-tabs", 2, "dependence")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#model-dependence-graph .gl-canvas, "
                                                          "#model-dependence-graph .boxlayer .trace"))
    _shot(driver, _folder(tmp_path), "model-dependence-tab")
    # the feature list of a panel built by a callback still drives its own callback
    label = _second_feature_label(dash_app)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()",
                          driver.find_element(By.CSS_SELECTOR, "#model-dependence-feature"))
    option = wait.until(ec.element_to_be_clickable((By.XPATH, f"//*[@role='option'][contains(., \"{label}\")]")))
    driver.execute_script("arguments[0].click()", option)
    wait.until(lambda d: d.execute_script(
        "const g = document.querySelector('#model-dependence-graph .js-plotly-plot');"
        "return g && g.layout.xaxis.title.text === arguments[0];", label))
    _open_tab(driver, wait, "model-fairness-tabs", 1, "age_band")
    assert "Par tranche d'âge" in driver.find_element(By.ID, "model-fairness").text
    before = driver.find_element(By.ID, "model-cost-kpis").text
    cost_fn = driver.find_element(By.ID, "model-cost-fn")
    cost_fn.send_keys(Keys.CONTROL, "a")
    cost_fn.send_keys("3")
    wait.until(lambda d: d.find_element(By.ID, "model-cost-kpis").text != before)
    _shot(driver, _folder(tmp_path), "model-page")
    assert console_errors(driver) == []


def test_manager_reads_the_monitoring_history_and_sees_a_new_run_without_restart(
        dash_app, logged_in_driver, app_server, tmp_path):
    from app.cli import drift_report
    from app.cli.history import backfill
    from app.scoring.bundle import ModelBundle
    from app.security.web import EXTENSION_KEY
    from tests.factories import make_applications
    from tests.monitoring_support import dated_model_dir

    folder = dated_model_dir()
    engine = dash_app.server.extensions[EXTENSION_KEY].engine  # the browser tests' database
    with serving(dash_app.server, folder):
        backfill(engine, ModelBundle.load(folder), log=lambda m: None)
        driver = logged_in_driver("manager")
        wait = page_wait(driver, 40)
        driver.get(f"{app_server}/monitoring")
        banner = wait.until(ec.visibility_of_element_located((By.ID, "monitoring-banner"))).text
        assert banner.startswith("⚠ Alerte en avr. 2026")
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#monitoring-distribution .barlayer .trace"))
        assert len(driver.find_elements(By.CSS_SELECTOR, "#monitoring-table tbody tr")) >= 10
        assert "variables" in driver.find_element(By.ID, "monitoring-verdict").text
        _shot(driver, _folder(tmp_path), "monitoring-page")
        assert console_errors(driver) == []

        batch = tmp_path / "july.csv"  # a month like the first ones: no shift
        make_applications(320, seed=31, labelled=False, first_id=990_000).to_csv(batch, index=False)
        assert drift_report.main(["--model-dir", str(folder), "--current", str(batch), "--as-of", "2026-07-10",
                                  "--database-url", engine.url.render_as_string(hide_password=False),
                                  "--json", str(tmp_path / "r.json"), "--html", str(tmp_path / "r.html")]) == 0
        driver.refresh()
        banner = wait.until(ec.visibility_of_element_located((By.ID, "monitoring-banner"))).text
        assert "juil. 2026" in banner, banner  # the new month, same process, no restart
        assert console_errors(driver) == []


def test_officer_cannot_open_the_governance_pages(served, logged_in_driver, app_server):
    driver = logged_in_driver("officer")
    for path, marker in (("/model", "model-card-table"), ("/monitoring", "monitoring-verdict")):
        driver.get(f"{app_server}{path}")
        page_wait(driver, 20).until(lambda d: d.find_element(By.TAG_NAME, "body").text.strip())
        assert not driver.find_elements(By.ID, marker)
