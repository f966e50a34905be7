"""The JATS reader on the 77 real articles of ../shared/corpus/realdocs, against their gold.

The gold (`NAME.gold.json`) was derived from the publishers' xrefs by a script of its own and
leaves out citations in figure and table captions; the reader counts those (a reference cited
only in a caption is cited). So on the unperturbed articles the reader must reproduce every
gold link, and may only find more: it must report no uncited entry and no citation without
entry that the gold does not have.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from citecheck.config.options import AuditOptions
from citecheck.engine import audit, read
from tests.conftest import SHARED, shared_path

REALDOCS = SHARED / "corpus" / "realdocs"
ARTICLES = sorted(REALDOCS.glob("*.xml")) if REALDOCS.is_dir() else []
OFFLINE = AuditOptions(verify=False, default_snapshot=False, use_cache=False)


def _gold(article: Path) -> dict:
    return json.loads(article.with_suffix(".gold.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def realdocs() -> Path:
    return shared_path("corpus", "realdocs")


@pytest.mark.parametrize("article", ARTICLES or [None], ids=[a.stem for a in ARTICLES] or ["no-realdocs"])
def test_every_gold_link_is_reproduced(realdocs: Path, article: Path | None) -> None:
    assert article is not None
    gold = _gold(article)
    result = read(article, OFFLINE)
    assert [r.id for r in result.references] == [r["id"] for r in gold["references"]]
    ours = Counter(tuple(c.targets) for c in result.document.citations)
    wanted = Counter(tuple(c["refs"]) for c in gold["citations"])
    assert not wanted - ours, "gold citations the reader does not reproduce"


@pytest.mark.parametrize("article", ARTICLES or [None], ids=[a.stem for a in ARTICLES] or ["no-realdocs"])
def test_no_uncited_entry_or_missing_entry_the_gold_lacks(realdocs: Path, article: Path | None) -> None:
    assert article is not None
    gold = _gold(article)
    findings = audit([article], OFFLINE).findings
    uncited = {f.reference for f in findings if f.code == "R001"}
    assert uncited <= set(gold["uncited"])
    assert not [f for f in findings if f.code == "C001"]
