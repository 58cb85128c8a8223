"""Keyboard-only form filling, screenshots at 100 % and 200 % zoom, and axe-core, in the
real Chromium of the browser tests."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.wait import WebDriverWait

from tests.web.conftest import AXE, SHOTS

MAX_TABS = 120
SPACE = object()  # tick a checkbox or a radio button
DOWN = object()  # the next radio button of the group (a group is one Tab stop)


def focused_id(driver: Any) -> str:
    return str(driver.switch_to.active_element.get_attribute("id") or "")


def tab_to(driver: Any, element_id: str) -> None:
    """Press Tab until the element has the focus (fails past MAX_TABS: not reachable)."""
    for _ in range(MAX_TABS):
        if focused_id(driver) == element_id:
            return
        ActionChains(driver).send_keys(Keys.TAB).perform()
    raise AssertionError(f"#{element_id} never got the keyboard focus")


def fill(driver: Any, steps: list[tuple[str, object]]) -> None:
    """Each (id, text or SPACE), in page order, with the keyboard only."""
    for element_id, value in steps:
        tab_to(driver, element_id)
        if value is SPACE:
            ActionChains(driver).send_keys(Keys.SPACE).perform()
        elif value is DOWN:
            ActionChains(driver).send_keys(Keys.ARROW_DOWN).perform()
        else:
            element = driver.switch_to.active_element
            element.send_keys(Keys.CONTROL, "a")  # replace what a previous try left
            element.send_keys(Keys.DELETE)
            element.send_keys(str(value))


def submit(driver: Any) -> None:
    """Tab to the form's submit button, press Enter, and wait for the page it leads to
    (every form posts to the server, which answers with a page, errors included): a key
    press does not wait for it, and a look during the load finds no page at all."""
    button = driver.find_element(By.CSS_SELECTOR, "main form[method=post] button[type=submit]")
    for _ in range(MAX_TABS):
        if driver.switch_to.active_element == button:
            break
        ActionChains(driver).send_keys(Keys.TAB).perform()
    else:
        raise AssertionError("the submit button never got the focus")
    enter_and_wait(driver, button)


def enter_and_wait(driver: Any, element: Any) -> None:
    """Enter on a focused link or button, then the page it leads to, loaded."""
    page = driver.find_element(By.TAG_NAME, "html")
    element.send_keys(Keys.ENTER)

    def page_gone(_driver: Any) -> bool:
        # Chromium says either "stale element" or "node does not belong to the document".
        try:
            page.is_enabled()
        except WebDriverException:
            return True
        return False

    wait = WebDriverWait(driver, 30)
    wait.until(page_gone)
    wait.until(lambda d: d.execute_script("return document.readyState") == "complete")


def restart_focus(driver: Any) -> None:
    """Back to the top of the page, as after a page load (nothing focused)."""
    driver.execute_script("document.activeElement && document.activeElement.blur()")


def screenshots(driver: Any, name: str) -> list[Path]:
    """The whole page at 100 % and at 200 % zoom (half as many CSS pixels, each twice as
    big: what the browser's zoom does), as PNG files in shots/web/."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    paths = []
    for zoom in (1, 2):
        width = 1280 // zoom
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": width, "height": 900 // zoom,
                                "deviceScaleFactor": zoom, "mobile": False})  # fmt: skip
        height = driver.execute_script("return document.documentElement.scrollHeight")
        scroll = driver.execute_script(
            "return document.documentElement.scrollWidth > document.documentElement.clientWidth"
        )
        assert not scroll, f"{name}: horizontal scrolling at {zoom * 100} %"
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": width, "height": min(int(height), 6000),
                                "deviceScaleFactor": zoom, "mobile": False})  # fmt: skip
        shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
        path = SHOTS / f"{name}-{zoom * 100}.png"

        path.write_bytes(base64.b64decode(shot["data"]))
        paths.append(path)
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    return paths


def axe_violations(driver: Any) -> list[dict[str, Any]]:
    """axe-core's violations of WCAG 2.x level A and AA on the page (0 expected)."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        """const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})
          .then(r => done(JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact,
                help: v.help, nodes: v.nodes.map(n => n.target.join(' '))})))))
          .catch(e => done(JSON.stringify([{id: 'axe-error', help: String(e), nodes: []}])));"""
    )
    return list(json.loads(result))
