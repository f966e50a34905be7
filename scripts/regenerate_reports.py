"""Rewrite the committed outputs for the example: reports/ and references.bib.

Run from the repository root: `python -m scripts.regenerate_reports`; add `--screenshot` to
also take the pictures README.md shows, in headless Chromium: `reports/review.png` (the HTML
report of the review, its citation 4 clicked so that its entry and field comparison are lit)
and `reports/serve.png` (the review checked in `citecheck serve`, with the downloads). They
are not part of `outputs()`: they need Chromium (and chromium-driver, and the web extra, for
the app), and PNG bytes differ between Chromium versions. The audit runs offline (the shipped
snapshot, no cache, no network) so that the outputs are the same on every machine;
`tests/test_committed_outputs.py` fails when a committed file differs from what this writes.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from citecheck.config.options import AuditOptions
from citecheck.engine import audit, read
from citecheck.cli.fileio import atomic_write
from citecheck.references.bibtex_write import write_bibtex
from citecheck.report import formats

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = Path("examples/metastatic-breast-cancer-review.txt")
"""The example, named relative to the root so reports show a portable path."""

REPORT_FORMATS = {"review.txt": "text", "review.json": "json", "review.md": "markdown"}
"""Committed reports of the example: file name under reports/ → format."""


def offline_options() -> AuditOptions:
    """The options the committed reports are made with: deterministic, no network, no cache."""
    return AuditOptions(network=False, use_cache=False)


def outputs() -> dict[Path, Callable[[], str]]:
    """Every committed output (relative to the root) and how to produce its text now."""
    renderers = formats()

    def report(fmt: str) -> Callable[[], str]:
        return lambda: renderers[fmt](audit([EXAMPLE], offline_options()))

    produced: dict[Path, Callable[[], str]] = {
        Path("reports") / name: report(fmt) for name, fmt in REPORT_FORMATS.items() if fmt in renderers
    }
    def bibliography() -> str:
        references = read(EXAMPLE, AuditOptions(verify=False)).references
        return write_bibtex([(r.key, r.csl) for r in references], et_al={r.key for r in references if r.et_al})

    produced[Path("references.bib")] = bibliography
    produced.update(corrected_outputs())
    return produced


def corrected_outputs() -> dict[Path, Callable[[], str]]:
    """The review's corrected bibliography (`citecheck fix`): BibTeX and Vancouver text."""
    from citecheck.fix.plan import corrected_bibtex, corrected_items, plan_fixes
    from citecheck.fix.formatting import format_bibliography

    def plan():  # safe fixes only, as `citecheck fix --offline --no-cache` applies them
        report = audit([EXAMPLE], offline_options())
        return plan_fixes(report.documents[0], report.findings)

    return {
        Path("reports") / "review-corrected.bib": lambda: corrected_bibtex(plan()),
        Path("reports") / "review-corrected-vancouver.txt":
            lambda: format_bibliography(corrected_items(plan()), "vancouver", "text"),
    }


SCREENSHOT = Path("reports") / "review.png"
"""The picture of the review's HTML report that README.md shows."""
SCREENSHOT_SIZE = (1200, 1500)
"""Window size in CSS pixels: the summary, the references and the start of the citation map."""
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
"""Executable names of Chromium, as Debian/Ubuntu and Google package it."""


def find_chromium() -> str | None:
    """The Chromium executable on PATH, or None."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_screenshot(chromium: str, page: Path, png: Path,
                        size: tuple[int, int] = SCREENSHOT_SIZE) -> subprocess.CompletedProcess[str]:
    """Open `page` in headless Chromium and save a screenshot; Chromium's log is in `.stderr`.

    A fresh profile each time, nothing fetched from the network, and console messages logged
    to stderr (`--enable-logging=stderr --v=0`), where a page error appears as
    `...:CONSOLE...] "Uncaught ..."`.
    """
    with tempfile.TemporaryDirectory() as profile:
        command = [
            chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
            "--enable-logging=stderr", "--v=0", "--hide-scrollbars", f"--window-size={size[0]},{size[1]}",
            f"--screenshot={png.resolve()}", page.resolve().as_uri(),
        ]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def console_problems(chromium_log: str) -> list[str]:
    """Lines of Chromium's log that are messages from the page's console or uncaught errors."""
    return [line for line in chromium_log.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


SERVE_SCREENSHOT = Path("reports") / "serve.png"
"""The picture of `citecheck serve` on the review that README.md shows."""
SHOT_WINDOW = (1400, 1250)
"""Window of the Selenium screenshots, in CSS pixels."""


def _report_shot(driver: Any) -> None:
    """Light citation 4 and its entry (a verified entry with its field comparison), top of page."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 60).until(lambda d: d.execute_script(
        "return document.documentElement.dataset.ready === '1'"))
    driver.find_element("id", "d1-c2").click()
    driver.execute_script("window.scrollTo(0, 0)")


def screenshot() -> int:
    """Take reports/review.png and reports/serve.png in headless Chromium (Selenium); without
    chromium-driver, only review.png, unclicked, through Chromium's own --screenshot."""
    from scripts.browser import chromium_driver, unavailable

    page_text = formats()["html"](audit([EXAMPLE], offline_options()))
    reason = unavailable()
    if reason is not None:
        print(f"{reason}: {SERVE_SCREENSHOT} not taken; {SCREENSHOT} without a click", file=sys.stderr)
        return _cli_screenshot(page_text)
    browser = chromium_driver(window=SHOT_WINDOW)
    try:
        with tempfile.TemporaryDirectory() as scratch:
            page = Path(scratch) / "review.html"
            page.write_text(page_text, encoding="utf-8")
            browser.driver.get(page.resolve().as_uri())
            _report_shot(browser.driver)
            browser.driver.save_screenshot(str(SCREENSHOT))
            print(f"wrote {SCREENSHOT}", file=sys.stderr)
            _serve_screenshot(browser, Path(scratch))
    finally:
        browser.close()
    return 0


def _serve_screenshot(browser: Any, scratch: Path) -> None:
    """The review checked in the app, as a person does it: choose the file, press the button."""
    from selenium.webdriver.support.ui import WebDriverWait

    from citecheck.web.settings import ServeSettings
    from scripts.local_server import RunningServer

    uploads = scratch / "uploads"
    uploads.mkdir()
    server = RunningServer(ServeSettings(audit=offline_options(), temp_root=uploads))
    try:
        driver = browser.driver
        driver.get(server.url + "/")
        driver.find_element("id", "manuscript").send_keys(str(EXAMPLE.resolve()))
        driver.find_element("id", "check").click()
        WebDriverWait(driver, 60).until(lambda d: "/report/" in d.current_url)
        _report_shot(driver)
        driver.save_screenshot(str(SERVE_SCREENSHOT))
        print(f"wrote {SERVE_SCREENSHOT}", file=sys.stderr)
    finally:
        server.stop()


def _cli_screenshot(page_text: str) -> int:
    chromium = find_chromium()
    if chromium is None:
        print(f"no Chromium found ({', '.join(CHROMIUM_NAMES)}); {SCREENSHOT} not written", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as scratch:
        page = Path(scratch) / "review.html"
        page.write_text(page_text, encoding="utf-8")
        done = chromium_screenshot(chromium, page, SCREENSHOT)
    problems = console_problems(done.stderr)
    if done.returncode != 0 or problems or not SCREENSHOT.exists():
        print(f"Chromium failed (exit {done.returncode}): {problems or done.stderr[-500:]}", file=sys.stderr)
        return 1
    print(f"wrote {SCREENSHOT}", file=sys.stderr)
    return 0


def main() -> int:
    """Write every output; print what changed (and, with `--screenshot`, the screenshot)."""
    import os

    os.chdir(ROOT)
    if "--screenshot" in sys.argv[1:] and screenshot() != 0:
        return 1
    for path, produce in outputs().items():
        text = produce()
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, text)
            print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
