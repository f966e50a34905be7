"""Fixtures of the web app's tests: the app served for real, offline, for a whole module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytest.importorskip("starlette", reason="citecheck serve needs the web extra: pip install -e '.[web]'")
pytest.importorskip("uvicorn", reason="citecheck serve needs the web extra: pip install -e '.[web]'")
pytest.importorskip("python_multipart", reason="citecheck serve needs the web extra: pip install -e '.[web]'")

from tests.web.server import RunningServer, offline_settings  # noqa: E402  (after the skips)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The app as `citecheck serve --offline --no-cache` serves it, on a free port."""
    running = RunningServer(offline_settings(tmp_path_factory.mktemp("uploads")))
    try:
        yield running
    finally:
        running.stop()
