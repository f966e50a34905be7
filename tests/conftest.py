"""Shared test helpers: where the project, its example and the shared datasets are."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from scripts.browser import Browser

ROOT = Path(__file__).resolve().parents[1]
"""The repository root."""
EXAMPLE = ROOT / "examples" / "metastatic-breast-cancer-review.txt"
"""The user's review, the project's acceptance document."""
SHARED = Path(os.environ.get("CITECHECK_SHARED") or ROOT.parent / "shared")
"""The team's shared data, beside the clone (absent on a user's machine), or where
`CITECHECK_SHARED` points (a git worktree does not stand beside it)."""


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test with the reason when it is not there."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs ../shared/{'/'.join(parts)} (the shared datasets are not beside this clone)")
    return path


@pytest.fixture(autouse=True)
def _no_user_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read or write the user's real cache, nor pick up their e-mail, token, API key or
    service URLs."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    for name in ("CITECHECK_MAILTO", "CITECHECK_CROSSREF_TOKEN", "CITECHECK_CROSSREF_URL", "CITECHECK_PUBMED_URL",
                 "CITECHECK_DATACITE_URL", "CITECHECK_DOI_URL", "NCBI_API_KEY", "CITECHECK_CROSSREF_BATCH"):
        monkeypatch.delenv(name, raising=False)


# `--hypothesis-profile=long` (see README "Reliability"): many more examples for a deliberate,
# slower search. Tests that bound their examples for the suite's speed defer to it when it is on.
try:
    from hypothesis import HealthCheck, settings

    settings.register_profile("long", max_examples=5000, deadline=None, suppress_health_check=list(HealthCheck))
except ImportError:  # hypothesis is a test extra; the rest of the suite runs without it
    pass


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator["Browser"]:
    """One headless Chromium (Selenium, Debian's chromium and chromium-driver) for the whole run;
    tests that take it skip, saying why, when it cannot start here."""
    from scripts.browser import chromium_driver, unavailable

    reason = unavailable()
    if reason is not None:
        pytest.skip(reason)
    started = chromium_driver(downloads=tmp_path_factory.mktemp("downloads"))
    started.driver.set_page_load_timeout(60)
    try:
        yield started
    finally:
        started.close()
