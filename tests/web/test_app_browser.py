"""`citecheck serve` in real headless Chromium: a person chooses a file, the page shows the
progress and then the citation map; the corrected .bib the browser downloads is the one
`citecheck fix` writes; hostile text and a hostile file name stay inert; bad input is a message
in the page. One Chromium and one server serve every test; waits are bounded conditions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from citecheck.cli.app import main
from scripts.browser import Browser, console_errors
from tests.conftest import EXAMPLE
from tests.manuscripts import E2100_DOI, RIBBON_DOI, XSS_VECTORS, hidden_variant, hostile, shipped_record
from tests.report.test_html_browser import VISIBLE_IN_PANE, check_inert
from tests.web.server import RunningServer

WAIT = 60.0
"""Seconds an upload and its audit may take on a loaded 2-core machine."""


def _until(driver: Any, condition: Any, timeout: float = WAIT) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def _choose(browser: Browser, server: RunningServer, manuscript: Path, bibliography: Path | None = None) -> Any:
    driver = browser.driver
    console_errors(driver)
    driver.get(server.url + "/")
    _until(driver, lambda d: d.execute_script("return document.readyState") == "complete")
    driver.find_element("id", "manuscript").send_keys(str(manuscript))
    if bibliography is not None:
        driver.find_element("id", "bibliography").send_keys(str(bibliography))
    return driver


def _check(browser: Browser, server: RunningServer, manuscript: Path, bibliography: Path | None = None) -> Any:
    """Choose the file(s), press the button, and wait for the report page to be ready."""
    driver = _choose(browser, server, manuscript, bibliography)
    driver.find_element("id", "check").click()
    _until(driver, lambda d: "/report/" in d.current_url and d.execute_script(
        "return document.readyState === 'complete' && document.documentElement.dataset.ready === '1'"))
    return driver


def test_the_review_checked_in_the_app(browser: Browser, server: RunningServer) -> None:
    driver = _check(browser, server, EXAMPLE)
    assert driver.find_element("css selector", "section.document h2").text == EXAMPLE.name
    uncited = driver.execute_script("return [...document.querySelectorAll('li.entry.uncited')].map(e => e.id)")
    assert uncited == ["d1-e2", "d1-e3"]
    entry = driver.find_element("id", "d1-e1")
    driver.find_element("id", "d1-c1").click()
    _until(driver, lambda d: "hit" in entry.get_attribute("class").split())
    assert _until(driver, lambda d: d.execute_script(VISIBLE_IN_PANE, entry))
    assert console_errors(driver) == []  # the policy header lets the report's own script run
    assert server.uploads_left() == []


def test_the_downloaded_bib_is_what_citecheck_fix_writes(browser: Browser, server: RunningServer) -> None:
    driver = _check(browser, server, EXAMPLE)
    target = browser.downloads / f"{EXAMPLE.stem}.corrected.bib"
    target.unlink(missing_ok=True)
    assert driver.find_element("id", "to").get_attribute("value") == "bibtex"
    driver.find_element("id", "download-bib").click()
    _until(driver, lambda d: target.exists() and not list(browser.downloads.glob("*.crdownload")))
    fixed = CliRunner().invoke(main, ["fix", "--offline", "--no-cache", "-q", str(EXAMPLE)])
    assert fixed.exit_code == 0
    assert target.read_text(encoding="utf-8") == fixed.stdout


def test_the_hidden_variants_differences_in_the_app(browser: Browser, server: RunningServer, tmp_path: Path) -> None:
    manuscript = tmp_path / "variant.txt"
    manuscript.write_text(hidden_variant(), encoding="utf-8")
    driver = _check(browser, server, manuscript)
    rows = driver.execute_script(
        "return Object.fromEntries([...document.querySelectorAll('#d1-e2 table.fields tbody tr')]"
        ".map(r => [r.dataset.field, [r.className, r.querySelectorAll('mark').length, r.querySelector('.reg').innerText]]))")
    ribbon = shipped_record(RIBBON_DOI)
    assert rows["issued"][0] == "differ" and rows["issued"][1] >= 2
    assert rows["page"][0] == "differ" and rows["page"][1] >= 2 and rows["page"][2] == ribbon["page"]
    assert shipped_record(E2100_DOI)["page"] in driver.find_element("css selector", "#d1-e2 .raw").text


HOSTILE_NAME = '"><img src=x onerror=window.__xss_name=1>.md'
"""A file name that is markup: the app shows it made safe, and as text."""


@pytest.fixture
def hostile_file(tmp_path: Path) -> Path:
    path = tmp_path / HOSTILE_NAME
    path.write_text(hostile(), encoding="utf-8")
    return path


def test_the_chosen_files_name_is_shown_as_text(browser: Browser, server: RunningServer, hostile_file: Path) -> None:
    driver = _choose(browser, server, hostile_file)
    shown = driver.find_element("id", "chosen").text
    assert shown == f"manuscript: {HOSTILE_NAME}"
    assert driver.execute_script("return [window.__xss_name, document.querySelectorAll('img').length]") == [None, 0]


@pytest.mark.parametrize("vector", [pytest.param(name, id=name) for name in XSS_VECTORS])
def test_hostile_text_stays_text_in_the_app(browser: Browser, server: RunningServer, hostile_file: Path,
                                            vector: str) -> None:
    driver = _check(browser, server, hostile_file)
    assert driver.execute_script("return window.__xss_name") is None
    heading = driver.find_element("css selector", "section.document h2").text
    assert heading == "___img src=x onerror=window.__xss_name=1_.md"  # the name as the server made it safe
    check_inert(driver, vector)
    assert console_errors(driver) == []


def test_bad_input_is_a_message_in_the_page(browser: Browser, server: RunningServer, tmp_path: Path) -> None:
    junk = tmp_path / "junk.txt"
    junk.write_bytes(bytes(range(256)) * 8)
    driver = _choose(browser, server, junk)
    driver.find_element("id", "check").click()
    error = driver.find_element("id", "error")
    _until(driver, lambda d: error.is_displayed())
    assert error.text == "junk.txt: is a binary file, not a text document"
    assert "/report/" not in driver.current_url and driver.find_element("id", "upload").is_displayed()
    assert server.uploads_left() == []
