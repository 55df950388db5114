"""A complaint taken from intake to closing through the UI in a real browser (Chromium under
Selenium): the token leaves the address bar, the cookie is out of the page's reach, the warnings
come as the person types, the case shows on My work, a refusal shows in its form — and a
screenshot a test looks at shows it in red."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Office
from tests.web.uiserver import UI, running

WAIT = 60  # seconds: a page on a busy two-core machine


@pytest.fixture
def ui(office: Office) -> Iterator[UI]:
    with running(office.root) as server:
        yield server


def wait_for(driver: Any, css: str) -> Any:
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, WAIT).until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))
    except TimeoutException:  # say what the page showed instead
        refused = driver.find_elements(By.CSS_SELECTOR, "#refused, .refused")
        shown = refused[0].text if refused else driver.page_source[:2000]
        raise AssertionError(f"{css} not on {driver.current_url}: {shown}") from None


def fill(driver: Any, form: str, **values: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    for name, value in values.items():
        el = driver.find_element(By.CSS_SELECTOR, f"{form} [name={name}]")
        if el.tag_name == "select":
            Select(el).select_by_value(value)
        elif el.get_attribute("type") == "checkbox":
            if not el.is_selected():
                el.click()
        else:
            el.clear()
            el.send_keys(value)


def step(driver: Any, ui: UI, case_id: str, action: str, **values: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"http://127.0.0.1:{ui.port}/case/{case_id}")
    form = f"#act-{action}"
    wait_for(driver, form)
    fill(driver, form, **values)
    driver.find_element(By.CSS_SELECTOR, f"{form} button[type=submit]").click()


def red_share(png: Path) -> float:
    """How much of the picture is the refusal's red border and tint."""
    from PIL import Image

    with Image.open(png) as img:
        raw = img.convert("RGB").tobytes()
        pixels = list(zip(raw[0::3], raw[1::3], raw[2::3], strict=True))
    red = sum(1 for r, g, b in pixels if r > 150 and g < 80 and b < 80 or (r > 240 and 220 <= g <= 240 and b > 225))
    return red / len(pixels)


def test_a_complaint_from_intake_to_closing_in_a_browser(chrome: Any, ui: UI, office: Office,
                                                         tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    earlier = office.new()
    contact = office.show_json(earlier)["intake"]["complainant"]["contact"]
    driver = chrome
    driver.delete_all_cookies()
    driver.get(ui.url)
    wait_for(driver, "#nav-mine")
    assert ui.token not in driver.current_url  # traded for the cookie, gone from the address bar
    assert driver.execute_script("return document.cookie") == ""  # HttpOnly: no script reads it

    # Intake, with the repeat warning as the person types (R-AS-5)
    driver.find_element(By.ID, "nav-new").click()
    wait_for(driver, "#intake")
    fill(driver, "#intake", channel="phone", complainant_class="owner", category="work-efficiency",
         name="王女士", contact=contact, subject="电梯又坏了", details="3栋电梯又停运", location="3栋")
    warning = wait_for(driver, "#warn-repeat")
    assert earlier in warning.text
    # a repeat goes to senior staff (R-AS-5); this caller is someone else after all
    fill(driver, "#intake", contact="13955556666", subject="单元门禁失灵", details="刷卡无反应")
    WebDriverWait(driver, WAIT).until(lambda d: not d.find_elements(By.CSS_SELECTOR, "#warn-repeat"))
    driver.find_element(By.ID, "new-submit").click()
    case_id = wait_for(driver, "#new-id").text
    assert case_id.startswith("SZ-")
    assert "派单" in driver.find_element(By.CSS_SELECTOR, "table.clocks").text  # the clock that started

    # My work: I took it, so I am its first receiver, with the steps I may take
    driver.find_element(By.ID, "nav-mine").click()
    row = wait_for(driver, f'tr[data-case="{case_id}"]')
    assert "首问人" in row.text and "派单" in row.text

    # A refusal shows in its form, naming the rule, and nothing is written
    step(driver, ui, case_id, "assign", handler="张敏", unit="customer-service")
    wait_for(driver, "#done")
    head = ui.head()
    step(driver, ui, case_id, "plan", resolver="张敏", measures="联系厂家维修", due="2030-06-30")
    refused = wait_for(driver, "#act-plan #refused")
    assert "R-DL-2" in refused.text
    assert ui.head() == head
    png = tmp_path / "refused.png"
    refused.screenshot(str(png))
    keep = os.environ.get("COMPLAINTCTL_KEEP_SCREENSHOT")
    if keep:
        shutil.copy(png, keep)  # for a human to look at
    assert red_share(png) > 0.3, "the refusal is not shown in red"

    # ... and the rest of its life, each step one commit by me
    step(driver, ui, case_id, "plan", resolver="张敏", measures="联系厂家维修", due=office.soon(case_id))
    wait_for(driver, "#done")
    step(driver, ui, case_id, "resolve", outcome="repair", summary="已修复,试运行正常")
    wait_for(driver, "#done")
    step(driver, ui, case_id, "revisit", satisfaction="satisfied", comment="满意")
    wait_for(driver, "#done")
    step(driver, ui, case_id, "close", root_cause="配件老化", lesson="电梯配件定期更换")
    wait_for(driver, "#done")
    assert office.show_json(case_id)["status"] == "closed"
    authors = office.git("log", "--format=%an", f"{head}~1..HEAD").stdout.split()
    assert authors == ["张敏"] * 5  # assign, plan, resolve, revisit, close: each its own commit, by me
    assert "已结案" in driver.find_element(By.TAG_NAME, "h1").text
