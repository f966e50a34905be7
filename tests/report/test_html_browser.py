"""The review's HTML report, opened in headless Chromium, renders with no console errors.

Runs when Chromium is installed (`apt-get install chromium`; .ci/run installs it) and skips
with the reason otherwise. A control page with a broken script proves that the check sees
console errors at all, so a silent Chromium cannot make the test pass by accident.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from citecheck.config.options import AuditOptions
from citecheck.engine import audit
from citecheck.report.html import render
from scripts.regenerate_reports import chromium_screenshot, console_problems, find_chromium
from tests.conftest import EXAMPLE

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")

BROKEN_PAGE = ("<!doctype html><html><body><p>control</p>"
               "<script>undefinedFunction();</script></body></html>")
"""A page whose script fails: Chromium must report an uncaught error for it."""


def _review_page() -> str:
    return render(audit([EXAMPLE], AuditOptions(network=False, use_cache=False)))


@pytest.mark.parametrize(
    ("page", "errors_expected"),
    [
        pytest.param(_review_page, False, id="review-report"),
        pytest.param(lambda: BROKEN_PAGE, True, id="control-broken-script"),
    ],
)
def test_renders_without_console_errors(tmp_path: Path, page: object, errors_expected: bool) -> None:
    assert CHROMIUM is not None
    html = tmp_path / "page.html"
    html.write_text(page(), encoding="utf-8")  # type: ignore[operator]
    png = tmp_path / "page.png"
    done = chromium_screenshot(CHROMIUM, html, png, size=(1000, 800))
    assert done.returncode == 0, done.stderr[-2000:]
    problems = console_problems(done.stderr)
    assert bool(problems) == errors_expected, problems
    if errors_expected:
        assert any("Uncaught ReferenceError" in line for line in problems)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
