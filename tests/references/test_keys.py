"""make_key: stable, readable keys and collision suffixes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from citecheck.references.keys import make_key

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# The review's four references, typed from ../shared/corpus/metastatic-breast-cancer-review.txt.
REVIEW = {item["id"]: item for item in json.loads((FIXTURES / "bib_review_items.json").read_text("utf-8"))}


def _item(author: list[dict[str, str]] | None = None, year: int | None = 2019,
          title: str = "A synthetic title") -> dict[str, Any]:
    item: dict[str, Any] = {"type": "article-journal", "title": title}
    if author is not None:
        item["author"] = author
    if year is not None:
        item["issued"] = {"date-parts": [[year]]}
    return item


@pytest.mark.parametrize(
    ("ref_id", "expected"),
    [
        pytest.param("ref1", "american2004breast", id="organisation"),
        pytest.param("ref2", "robert2011ribbon", id="ribbon-1"),
        pytest.param("ref3", "miller2007paclitaxel", id="e2100"),
        pytest.param("ref4", "paridaens2008phase", id="eortc"),
    ],
)
def test_review_keys(ref_id: str, expected: str) -> None:
    assert make_key(REVIEW[ref_id]) == expected


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        pytest.param(_item([{"family": "van der Berg", "given": "Jan"}]), "vanderberg2019synthetic",
                     id="particle-in-family"),
        pytest.param(_item([{"family": "Berg", "non-dropping-particle": "van der", "given": "J"}]),
                     "vanderberg2019synthetic", id="particle-apart"),
        pytest.param(_item([{"family": "O'Shaughnessy", "given": "Joyce"}]),
                     "oshaughnessy2019synthetic", id="apostrophe"),
        pytest.param(_item([{"family": "García-Márquez", "given": "G."}]),
                     "garciamarquez2019synthetic", id="accents-hyphen"),
        pytest.param(_item([{"family": "Størmer", "given": "Ø."}]), "stormer2019synthetic",
                     id="o-slash"),
        pytest.param(_item([{"literal": "The Synthetic Test Society"}]), "synthetic2019synthetic",
                     id="organisation-stop-word"),
        pytest.param(_item(None), "anon2019synthetic", id="no-author"),
        pytest.param(_item([]), "anon2019synthetic", id="empty-author-list"),
        pytest.param(_item([{"family": "Smith"}], year=None), "smithsynthetic", id="no-year"),
        pytest.param(_item([{"family": "Smith"}], title=""), "smith2019", id="no-title"),
        pytest.param(_item([{"family": "Smith"}], title="On the Of an 3D synthetic"),
                     "smith2019synthetic", id="stop-and-short-words"),
        pytest.param(_item([{"family": "Smith"}], title="COVID-19: synthetic"),
                     "smith2019covid", id="title-acronym-hyphen-number"),
        pytest.param({"author": [{"family": "Smith"}], "issued": {"raw": "circa 2019"},
                      "title": "Synthetic"}, "smith2019synthetic", id="raw-date"),
        pytest.param({"author": [{"family": "Smith"}], "issued": {"date-parts": [["2019"]]},
                      "title": "Synthetic"}, "smith2019synthetic", id="year-as-string"),
        pytest.param({}, "anon", id="empty-item"),
    ],
)
def test_odd_items(item: dict[str, Any], expected: str) -> None:
    assert make_key(item) == expected


@pytest.mark.parametrize(
    ("taken", "count", "expected"),
    [
        pytest.param(set(), 1, ["smith2019synthetic"], id="free"),
        pytest.param(set(), 4, ["smith2019synthetic", "smith2019synthetica", "smith2019syntheticb",
                                "smith2019syntheticc"], id="suffixes-in-order"),
        pytest.param({"Smith2019Synthetic"}, 1, ["smith2019synthetica"], id="case-insensitive"),
        pytest.param({"smith2019synthetic", "smith2019synthetica"}, 1, ["smith2019syntheticb"],
                     id="skips-taken-suffix"),
    ],
)
def test_collisions(taken: set[str], count: int, expected: list[str]) -> None:
    before = set(taken)
    keys = [make_key(_item([{"family": "Smith"}]), taken) for _ in range(count)]
    assert keys == expected
    assert taken == before | set(expected)


def test_suffixes_never_run_out() -> None:
    taken: set[str] = set()
    keys = [make_key(_item([{"family": "Smith"}]), taken) for _ in range(30)]
    assert len(set(keys)) == 30
    assert keys[27] == "smith2019syntheticaa"
