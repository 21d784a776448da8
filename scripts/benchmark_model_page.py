"""What a manager feels on /model: time until every chart of the page is drawn, in headless Chromium.

    python scripts/benchmark_model_page.py [--model-dir model/demo] [--repeat 5]

Serves the app in this process (werkzeug thread, throw-away SQLite accounts), logs a manager in
headless Chromium and opens the model page ``--repeat`` times (after one unmeasured warm-up opening
that loads the out-of-fold and SHAP files). Each opening is timed from the navigation start
(``performance.timeOrigin``) until ``EXPECTED_CHARTS`` plotly charts hold drawn data (a ``.main-svg``
and at least one trace) and no Dash callback is pending. The home page is measured the same way in
the same run as the baseline (renderer start-up and network costs shared by every page), so the
report says how much of the wait is the model page's own.

The panels read one at a time sit in tabs, drawn when opened (performance: precision-recall,
calibration, confusion; comparison: the policies' costs; explanations: SHAP summary, dependence;
fairness: age bands): after each opening of the page, each tab is clicked and timed from the click
until its chart is drawn, so all 11 charts are measured (``FIRST_VIEW_CHARTS`` on arrival, one more per tab of ``ON_DEMAND_TABS``).

Run it from the checkout's root with ``PYTHONPATH=.`` when another checkout is the one installed
(a script's folder, not the working directory, starts ``sys.path``).

Target: p50 <= 1.5 s for the model page's first view. Timings are printed, never asserted in tests.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from app.cli.args import positive_int

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
TARGET_S = 1.5
#: ROC, cost, importance, fairness by gender: drawn on arrival.
FIRST_VIEW_CHARTS = 4
#: Tabs drawn when opened, one chart each: (id of the dcc.Tabs, position of the tab, name).
ON_DEMAND_TABS = (("model-performance-tabs", 1, "precision-recall"), ("model-performance-tabs", 2, "calibration"),
                  ("model-performance-tabs", 3, "confusion"), ("model-compare-tabs", 1, "policy costs"),
                  ("model-explain-tabs", 1, "summary"),
                  ("model-explain-tabs", 2, "dependence"), ("model-fairness-tabs", 1, "fairness by age"))
ALL_CHARTS = FIRST_VIEW_CHARTS + len(ON_DEMAND_TABS)
USERNAME, PASSWORD = "bench-manager", "benchmark password 123"

#: Returns ms since navigation start once the page is drawn, else null. A chart counts when plotly
#: has laid out at least one trace and drawn its SVG layer (WebGL traces also get one).
CHARTS_DRAWN_JS = """
const plots = [...document.querySelectorAll('.js-plotly-plot')].filter(
    g => g.querySelector('.main-svg') && g._fullData && g._fullData.length > 0);
const busy = document.querySelector('[data-dash-is-loading="true"]');
return plots.length >= arguments[0] && !busy ? performance.now() : null;
"""
#: Clicks tab ``arguments[1]`` of the tabs ``arguments[0]`` and returns the page's clock at the click.
CLICK_TAB_JS = """
const tab = [...document.getElementById(arguments[0]).querySelectorAll('.tab')][arguments[1]];
tab.scrollIntoView({block: 'center'});
const stamp = performance.now();
tab.click();
return stamp;
"""
#: The home page is drawn once its heading is rendered by the Dash renderer.
HOME_DRAWN_JS = """
const done = document.querySelector('#_pages_content h1');
const busy = document.querySelector('[data-dash-is-loading="true"]');
return done && !busy ? performance.now() : null;
"""


def serve(model_dir: Path | None, db_path: Path) -> str:
    """Build the app on a fresh SQLite database, add the manager, serve it in a thread; the base URL."""
    if model_dir:
        os.environ["CREDIT_MODEL_DIR"] = str(model_dir.resolve())
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request would drown the report

    import dataclasses

    from app.config import Settings, get_settings
    from app.security.testing import make_user
    from app.shell import create_app

    settings: Settings = dataclasses.replace(get_settings(), env="development", secret_key="b" * 40,
                                             database_url=f"sqlite:///{db_path}", log_format="text")
    app = create_app(settings, warm_up=True)
    make_user(app.server, USERNAME, "manager", PASSWORD)
    httpd = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{httpd.server_port}"


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(arg)
    options.binary_location = CHROMIUM
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    return driver


def login(driver, base: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{base}/login")
    driver.find_element(By.ID, "auth-username").send_keys(USERNAME)
    driver.find_element(By.ID, "auth-password").send_keys(PASSWORD)
    driver.find_element(By.ID, "auth-submit").click()
    WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.ID, "auth-user"))


def open_and_time(driver, url: str, script: str, *args, timeout: float = 60.0) -> float:
    """Seconds from the navigation start of ``url`` until ``script`` reports the page drawn (polled
    every 10 ms; the page's own clock stamps the moment, so the polling adds at most 10 ms)."""
    driver.get(url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stamp = driver.execute_script(script, *args)
        if stamp is not None:
            return stamp / 1000
        time.sleep(0.01)
    count = driver.execute_script("return document.querySelectorAll('.js-plotly-plot').length")
    raise TimeoutError(f"{url} not drawn within {timeout:.0f} s ({count} plotly charts on the page)")


def tab_draw_time(driver, tabs_id: str, index: int, timeout: float = 60.0) -> float:
    """Seconds from a click on tab ``index`` of ``tabs_id`` until its chart is drawn (only the open
    tab's panel is mounted, so the tabs hold that one chart once the tab is selected)."""
    clicked = driver.execute_script(CLICK_TAB_JS, tabs_id, index)
    panel_drawn = """
        const tabs = document.getElementById(arguments[0]);
        const plots = [...tabs.parentElement.querySelectorAll('.js-plotly-plot')];
        const drawn = plots.filter(g => g.querySelector('.main-svg') && g._fullData && g._fullData.length > 0);
        const tab = tabs.querySelectorAll('.tab')[arguments[1]];
        return tab.classList.contains('tab--selected') && plots.length === 1 && drawn.length === 1
            && !document.querySelector('[data-dash-is-loading="true"]') ? performance.now() : null;
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stamp = driver.execute_script(panel_drawn, tabs_id, index)
        if stamp is not None:
            return (stamp - clicked) / 1000
        time.sleep(0.01)
    raise TimeoutError(f"tab {index} of {tabs_id} not drawn within {timeout:.0f} s")


def line(name: str, times: list[float], baseline: float | None = None, target: float | None = None) -> str:
    p50, worst = statistics.median(times), max(times)
    ratio = f"   x{p50 / baseline:5.1f} baseline p50" if baseline else ""
    verdict = "" if target is None else ("   OK" if p50 <= target else "   MISSES TARGET")
    return f"  {name:<26} p50 {1000 * p50:7.0f} ms   max {1000 * worst:7.0f} ms{ratio}{verdict}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-dir", type=Path, help="servable model folder (default: the demo model)")
    parser.add_argument("--repeat", type=positive_int, default=5, help="openings of each page measured after one warm-up (default 5)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        base = serve(args.model_dir, Path(tmp) / "bench.sqlite3")
        driver = browser()
        try:
            login(driver, base)
            cold = open_and_time(driver, f"{base}/model", CHARTS_DRAWN_JS, FIRST_VIEW_CHARTS)
            open_and_time(driver, f"{base}/", HOME_DRAWN_JS)  # the home page's first opening, unmeasured
            home: list[float] = []
            model: list[float] = []
            tabs: dict[str, list[float]] = {name: [] for _, _, name in ON_DEMAND_TABS}
            for _ in range(args.repeat):  # interleaved: both suffer the same machine noise
                home.append(open_and_time(driver, f"{base}/", HOME_DRAWN_JS))
                model.append(open_and_time(driver, f"{base}/model", CHARTS_DRAWN_JS, FIRST_VIEW_CHARTS))
                shapes = driver.execute_script("return document.querySelectorAll('.js-plotly-plot svg *').length")
                gl = driver.execute_script("return document.querySelectorAll('.js-plotly-plot canvas').length")
                for tabs_id, index, name in ON_DEMAND_TABS:
                    tabs[name].append(tab_draw_time(driver, tabs_id, index))
        finally:
            driver.quit()
    print(f"/model in headless Chromium, {args.repeat} openings after a warm-up "
          f"(first opening, cold server caches: {1000 * cold:.0f} ms); {ALL_CHARTS} charts: {FIRST_VIEW_CHARTS} on "
          f"arrival ({shapes} SVG elements, {gl} canvases), {len(ON_DEMAND_TABS)} in tabs; machine load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    base_p50 = statistics.median(home)
    print(line("baseline: home page", home))
    print(line(f"model page ({FIRST_VIEW_CHARTS} charts)", model, base_p50, TARGET_S))
    for name, values in tabs.items():
        print(line(f"  + tab '{name}' (click)", values, base_p50))
    return 0 if statistics.median(model) <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
