"""Headless Chromium driven through Selenium, for the browser tests, the HTML benchmark and the
screenshots: Debian's `chromium` and `chromium-driver` packages, never a downloaded browser.

`chromium_driver()` starts a fresh, private Chromium (its own temporary profile, no network
services, downloads into a given directory) and returns the Selenium driver; `unavailable()`
says in one line why it cannot (no Selenium, no Chromium, no chromedriver), so tests can skip
with that reason. The driver path is always given to Selenium, so Selenium Manager never runs
(it would try to download a driver).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
"""Executable names of Chromium, as Debian/Ubuntu and Google package it."""
DRIVER_NAMES = ("chromedriver",)
"""The driver Debian's `chromium-driver` package installs (`/usr/bin/chromedriver`)."""
WINDOW = (1400, 1000)
"""Default window size in CSS pixels."""


def find_chromium() -> str | None:
    """The Chromium executable on PATH (or `CITECHECK_CHROMIUM`), or None."""
    given = os.environ.get("CITECHECK_CHROMIUM")
    if given:
        return given if Path(given).is_file() else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def find_driver() -> str | None:
    """The chromedriver executable on PATH (or `CITECHECK_CHROMEDRIVER`), or None."""
    given = os.environ.get("CITECHECK_CHROMEDRIVER")
    if given:
        return given if Path(given).is_file() else None
    for name in DRIVER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def unavailable() -> str | None:
    """Why a browser cannot be driven here, in one line; None when it can."""
    try:
        import selenium  # noqa: F401  (only whether it is installed)
    except ImportError:
        return "Selenium is not installed (pip install -e '.[test]')"
    if find_chromium() is None:
        return "Chromium is not installed (apt-get install chromium)"
    if find_driver() is None:
        return "chromedriver is not installed (apt-get install chromium-driver)"
    return None


class Browser:
    """A Selenium Chrome driver with its private profile directory; `close()` removes both."""

    def __init__(self, driver: Any, profile: tempfile.TemporaryDirectory[str], downloads: Path) -> None:
        self.driver = driver
        self._profile = profile
        self.downloads = downloads
        """Where the browser saves downloads."""

    def close(self) -> None:
        """Quit Chromium and delete its profile."""
        try:
            self.driver.quit()
        finally:
            self._profile.cleanup()


def chromium_driver(downloads: Path | None = None, window: tuple[int, int] = WINDOW) -> Browser:
    """Start headless Chromium under Selenium. Raises RuntimeError (with `unavailable()`'s
    reason) when it cannot."""
    reason = unavailable()
    if reason is not None:
        raise RuntimeError(reason)
    os.environ.setdefault("SE_AVOID_STATS", "true")  # Selenium Manager's usage statistics: never
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.TemporaryDirectory(prefix="citecheck-chromium-")
    target = downloads or Path(profile.name) / "downloads"
    target.mkdir(parents=True, exist_ok=True)
    options = webdriver.ChromeOptions()
    options.binary_location = find_chromium() or ""
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-extensions", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
                     "--force-device-scale-factor=1", f"--user-data-dir={profile.name}",
                     f"--window-size={window[0]},{window[1]}"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {
        "download.default_directory": str(target), "download.prompt_for_download": False,
        "download.directory_upgrade": True, "safebrowsing.enabled": False,
    })
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        driver = webdriver.Chrome(service=Service(executable_path=find_driver()), options=options)
    except Exception:
        profile.cleanup()
        raise
    # Headless Chromium saves downloads only when told where, through the DevTools protocol.
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(target),
                                                          "eventsEnabled": True})
    return Browser(driver, profile, target)


def console_errors(driver: Any) -> list[str]:
    """The page's console messages at level SEVERE since the last call (CSP violations,
    uncaught errors)."""
    return [entry["message"] for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"]


__all__ = ["Browser", "chromium_driver", "console_errors", "find_chromium", "find_driver", "unavailable"]
