"""The download's file name in its header: an attachment, ASCII for old clients, UTF-8 for the
rest, and nothing a name could inject into the header."""

from __future__ import annotations

import pytest

pytest.importorskip("starlette", reason="citecheck serve needs the web extra: pip install -e '.[web]'")

from citecheck.web.downloads import Download  # noqa: E402


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        pytest.param("paper.corrected.bib", "attachment; filename=\"paper.corrected.bib\"; "
                     "filename*=UTF-8''paper.corrected.bib", id="plain"),
        pytest.param("Müller.corrected.bib", "attachment; filename=\"M_ller.corrected.bib\"; "
                     "filename*=UTF-8''M%C3%BCller.corrected.bib", id="non-ascii"),
        pytest.param('a"\r\nSet-Cookie: x=1.bib', "attachment; filename=\"a___Set-Cookie__x_1.bib\"; "
                     "filename*=UTF-8''a%22%0D%0ASet-Cookie%3A%20x%3D1.bib", id="header-injection"),
    ],
)
def test_content_disposition(filename: str, expected: str) -> None:
    assert Download(filename, "text/plain", "").disposition() == expected
