"""One real browser for the UI tests: Debian's chromium driven by Selenium through the system's
chromedriver, given explicitly (`Service("/usr/bin/chromedriver")`, the binary from
reporting.browser.find as the form and bulletin tests find it) so Selenium Manager never tries
a download. Skipped only when the browser truly cannot start, saying why."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from complaintctl.reporting import browser

CHROMEDRIVER = Path("/usr/bin/chromedriver")


@pytest.fixture(scope="session")
def chrome() -> Iterator[Any]:
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is a dev dependency")
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.service import Service

    exe = browser.find()
    if exe is None:
        pytest.skip("no chromium binary installed (apt-get install chromium)")
    if not CHROMEDRIVER.exists():
        pytest.skip(f"{CHROMEDRIVER} is missing (apt-get install chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = exe
    for flag in ("--headless=new", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
                 "--disable-extensions", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage", "--window-size=1200,1600"):
        options.add_argument(flag)
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # Chromium's own sandbox cannot start as root
        options.add_argument("--no-sandbox")
    profile = tempfile.TemporaryDirectory(prefix="complaintctl-selenium-")
    options.add_argument(f"--user-data-dir={profile.name}")
    try:
        driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    except WebDriverException as exc:
        profile.cleanup()
        pytest.skip(f"chromium could not start under chromedriver: {exc.msg}")
    driver.set_page_load_timeout(120)
    try:
        yield driver
    finally:
        driver.quit()
        profile.cleanup()
