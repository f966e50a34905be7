"""The HTML report in real headless Chromium (Selenium; Debian's chromium and chromium-driver):
it opens without console errors, the citation map works both ways, the review's uncited entries
and a hidden variant's field differences are shown, and hostile text stays text.

One Chromium serves every test (the session's `browser` fixture); waits are on conditions with
bounded timeouts, never sleeps. Skips, saying why, without Selenium, Chromium or chromedriver.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from citecheck.config.options import AuditOptions
from citecheck.engine import audit
from citecheck.report.html import render
from scripts.browser import Browser, console_errors
from tests.conftest import EXAMPLE
from tests.manuscripts import E2100_DOI, RIBBON_DOI, XSS_VECTORS, hidden_variant, hostile, record_year, shipped_record

WAIT = 30.0
"""Seconds any condition may take (a loaded 2-core machine); passing tests never wait that long."""

BROKEN_PAGE = ("<!doctype html><html><body><p>control</p>"
               "<script>undefinedFunction();</script></body></html>")
"""A page whose script fails: the browser log must show it, so silence proves something."""


def _report_page(tmp_path: Path, text: str | None = None, name: str = "review.txt") -> Path:
    source = EXAMPLE
    if text is not None:
        source = tmp_path / name
        source.write_text(text, encoding="utf-8")
    page = tmp_path / "report.html"
    page.write_text(render(audit([source], AuditOptions(network=False, use_cache=False))), encoding="utf-8")
    return page


def _open(browser: Browser, page: Path) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser.driver
    console_errors(driver)  # forget what earlier pages logged
    driver.get(page.as_uri())
    WebDriverWait(driver, WAIT).until(lambda d: d.execute_script(
        "return document.readyState === 'complete' && document.documentElement.dataset.ready === '1'"))
    return driver


def _until(driver: Any, condition: Callable[[Any], Any]) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT).until(condition)


VISIBLE_IN_PANE = """
const element = arguments[0], pane = element.closest('.pane');
const box = element.getBoundingClientRect(), frame = pane.getBoundingClientRect();
return box.height > 0 && box.top >= frame.top - 1 && box.bottom <= frame.bottom + 1
    && box.top >= 0 && box.bottom <= window.innerHeight;
"""


@pytest.mark.parametrize(
    ("build", "errors_expected"),
    [
        pytest.param(lambda tmp: _report_page(tmp), False, id="review-report"),
        pytest.param(lambda tmp: _write(tmp, BROKEN_PAGE), True, id="control-broken-script"),
    ],
)
def test_opens_without_console_errors(browser: Browser, tmp_path: Path, build: Callable[[Path], Path],
                                      errors_expected: bool) -> None:
    driver = browser.driver
    console_errors(driver)
    driver.get(build(tmp_path).as_uri())
    _until(driver, lambda d: d.execute_script("return document.readyState") == "complete")
    problems = console_errors(driver)
    assert bool(problems) == errors_expected, problems
    if errors_expected:
        assert any("undefinedFunction" in line for line in problems)


def _write(tmp_path: Path, html: str) -> Path:
    page = tmp_path / "control.html"
    page.write_text(html, encoding="utf-8")
    return page


def test_the_reviews_two_uncited_entries_are_marked(browser: Browser, tmp_path: Path) -> None:
    driver = _open(browser, _report_page(tmp_path))
    marked = driver.execute_script(
        "return [...document.querySelectorAll('li.entry.uncited')].map(e => [e.id, "
        "e.querySelector('.badge.uncited').innerText, e.querySelector('.badge.uncited').offsetHeight > 0])")
    assert marked == [["d1-e2", "cited nowhere", True], ["d1-e3", "cited nowhere", True]]
    tags = driver.execute_script("return [...document.querySelectorAll('#d1-text .hint-tag')].map(t => t.innerText)")
    assert sorted(tags) == ["uncited 2 may belong here", "uncited 3 may belong here"]


def test_clicking_citation_1_reaches_entry_1(browser: Browser, tmp_path: Path) -> None:
    driver = _open(browser, _report_page(tmp_path))
    citation = driver.find_element("id", "d1-c1")
    assert citation.text == "1"
    entry = driver.find_element("id", "d1-e1")
    driver.execute_script("document.getElementById('d1-refs').scrollTop = 1e6")  # entry 1 out of sight
    citation.click()
    _until(driver, lambda d: "hit" in entry.get_attribute("class").split())
    assert driver.execute_script("return document.activeElement.id") == "d1-e1"
    assert _until(driver, lambda d: d.execute_script(VISIBLE_IN_PANE, entry))
    assert entry.find_element("css selector", ".label").text == "1"


def test_clicking_an_entry_lights_every_place_it_is_cited(browser: Browser, tmp_path: Path) -> None:
    driver = _open(browser, _report_page(tmp_path))
    driver.execute_script("document.getElementById('d1-text').scrollTop = 0")
    driver.find_element("css selector", "#d1-e4 button.cites").click()
    citation = driver.find_element("id", "d1-c2")
    _until(driver, lambda d: "hit" in citation.get_attribute("class").split())
    assert citation.text == "4"
    assert _until(driver, lambda d: d.execute_script(VISIBLE_IN_PANE, citation))


def test_the_hidden_variants_field_differences_are_highlighted(browser: Browser, tmp_path: Path) -> None:
    driver = _open(browser, _report_page(tmp_path, hidden_variant()))
    ribbon, e2100 = shipped_record(RIBBON_DOI), shipped_record(E2100_DOI)
    rows = driver.execute_script("""
        return [...document.querySelectorAll('#d1-e2 table.fields tbody tr')].map(r => ({
            field: r.dataset.field, state: r.className, written: r.querySelector('.wr').innerText,
            registered: r.querySelector('.reg').innerText, marks: r.querySelectorAll('mark').length,
            background: getComputedStyle(r.querySelector('td')).backgroundColor}));""")
    by_field = {row["field"]: row for row in rows}
    year, pages = by_field["issued"], by_field["page"]
    assert (year["state"], year["written"], year["registered"]) == ("differ", str(record_year(e2100)),
                                                                   str(record_year(ribbon)))
    assert (pages["state"], pages["written"], pages["registered"]) == ("differ", e2100["page"], ribbon["page"])
    assert year["marks"] >= 2 and pages["marks"] >= 2
    agreeing = by_field["DOI"]
    assert agreeing["state"] == "agree" and agreeing["registered"].startswith(RIBBON_DOI)
    assert year["background"] != agreeing["background"] and pages["background"] != agreeing["background"]
    assert {f for f, row in by_field.items() if row["state"] == "differ"} == {"issued", "page"}


@pytest.fixture
def hostile_page(tmp_path: Path) -> Path:
    """The hostile manuscript's report."""
    return _report_page(tmp_path, hostile(), name="hostile.md")


def check_inert(driver: Any, vector: str) -> None:
    """The vector did nothing: its flag unset, no element it could have made, its text shown."""
    written, flag = XSS_VECTORS[vector]
    state = driver.execute_script(f"""
        return {{flag: window.{flag} === undefined ? null : window.{flag},
                 scripts: document.scripts.length,
                 images: document.querySelectorAll('img').length,
                 javascriptLinks: document.querySelectorAll('[href^="javascript:" i], [src^="javascript:" i]').length,
                 handlers: [...document.querySelectorAll('*')].filter(
                     e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
                 text: document.body.innerText}};""")
    assert state["flag"] is None
    assert state["scripts"] == 1  # citecheck's own
    assert state["images"] == 0 and state["javascriptLinks"] == 0 and state["handlers"] == 0
    assert written in state["text"]


@pytest.mark.parametrize("vector", [pytest.param(name, id=name) for name in XSS_VECTORS])
def test_hostile_text_stays_text(browser: Browser, hostile_page: Path, vector: str) -> None:
    driver = _open(browser, hostile_page)
    for link in driver.find_elements("css selector", "#d1-text a.cite"):
        link.click()  # the script handles every citation without turning text into markup
    check_inert(driver, vector)
    assert console_errors(driver) == []


def test_the_policy_stops_markup_that_slipped_through(browser: Browser, tmp_path: Path) -> None:
    page = _report_page(tmp_path)
    text = page.read_text(encoding="utf-8")
    # As if an escaping bug had let a document's markup through: the page's CSP must stop it.
    page.write_text(text.replace("<main>", '<main><script>window.__xss_inline=1</script>'
                                           '<img src="data:," onerror="window.__xss_handler=1">'), encoding="utf-8")
    driver = _open(browser, page)
    assert driver.execute_script("return [window.__xss_inline, window.__xss_handler]") == [None, None]
    blocked = console_errors(driver)
    assert any("Content Security Policy" in line for line in blocked), blocked
