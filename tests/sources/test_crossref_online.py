"""Live Crossref checks, deselected by default (`pytest -m online` runs them, with a network).

They compare the adapter with what api.crossref.org answers today for a work whose recorded
reply is in tests/fixtures/crossref/ (habanero's cassette, June 2026).
"""

from __future__ import annotations

import pytest

from citecheck.sources.crossref import CrossrefSource

pytestmark = pytest.mark.online


@pytest.mark.parametrize(
    ("doi", "family", "update_kind"),
    [
        pytest.param("10.1371/journal.pone.0033693", "Sadasivan", "correction", id="recorded-correction"),
    ],
)
def test_live_lookup_matches_the_recorded_answer(doi: str, family: str, update_kind: str) -> None:
    work = CrossrefSource(timeout=20).lookup_doi(doi)
    assert work is not None
    assert work.authors[0].family == family
    assert update_kind in {u.kind for u in work.updated_by}


def test_live_unknown_doi_is_not_found() -> None:
    assert CrossrefSource(timeout=20).lookup_doi("10.1371/notarealdoi") is None
