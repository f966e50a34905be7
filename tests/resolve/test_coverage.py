"""Silence is evidence only from a complete source (issue 13).

A reference that only partial sources (the shipped snapshot, a partial snapshot) were asked
about is not checked — no "may not exist", one note, exit code 2 — and absence from a
complete snapshot is reported as "not in Crossref as of DATE".
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from citecheck.cli.app import main
from citecheck.config.options import AuditOptions
from citecheck.engine import audit
from citecheck.model import Reference, ResolutionStatus
from citecheck.resolve.resolver import Resolver
from citecheck.sources.base import Coverage
from citecheck.sources.memory import InMemorySource
from citecheck.sources.snapshot import SnapshotSource, build_snapshot
from tests.conftest import ROOT, SHARED
from tests.sources.snapshot.records import SYNTHETIC, jsonl, write

EXCERPT = ROOT / "tests" / "fixtures" / "coverage_pone0012262_excerpt.txt"
ABSENT = Reference(id="1", raw="Okafor B. Synthetic rainfall in invented valleys. J Test. 2020;4:10-19.",
                   csl={"type": "article-journal", "title": "Synthetic rainfall in invented valleys",
                        "author": [{"family": "Okafor"}], "container-title": "J Test", "volume": "4", "page": "10-19"})
ABSENT_WITH_DOI = Reference(id="2", raw=ABSENT.raw + " doi:10.5555/synthetic.777",
                            csl={**ABSENT.csl, "DOI": "10.5555/synthetic.777"})
BOOK = Reference(id="3", raw="American Cancer Society. A synthetic guidebook. Atlanta: ACS; 2004.",
                 csl={"type": "book", "title": "A synthetic guidebook", "publisher": "ACS"})

PARTIAL = Coverage(complete=False, description="three records")
COMPLETE = Coverage(complete=True, as_of="2026-03-01", description="Crossref public data file 2026")


def _snapshot(coverage: Coverage) -> SnapshotSource:
    return SnapshotSource.from_records(SYNTHETIC, name="test", coverage=coverage)


@pytest.mark.parametrize(
    ("sources", "reference", "status", "as_of"),
    [
        pytest.param([PARTIAL], ABSENT, ResolutionStatus.NOT_CHECKED, "", id="partial-only"),
        pytest.param([PARTIAL], ABSENT_WITH_DOI, ResolutionStatus.NOT_CHECKED, "", id="partial-only-unknown-doi"),
        pytest.param([COMPLETE], ABSENT, ResolutionStatus.NOT_FOUND, "2026-03-01", id="complete-snapshot"),
        pytest.param([PARTIAL, COMPLETE], ABSENT, ResolutionStatus.NOT_FOUND, "2026-03-01", id="partial-and-complete"),
        pytest.param([PARTIAL, None], ABSENT, ResolutionStatus.NOT_FOUND, "", id="partial-and-live-source"),
        pytest.param([COMPLETE, None], ABSENT, ResolutionStatus.NOT_FOUND, "", id="live-source-says-now"),
    ],
)
def test_absence_counts_only_from_complete_sources(sources: list[Coverage | None], reference: Reference,
                                                   status: ResolutionStatus, as_of: str) -> None:
    resolver = Resolver([_snapshot(c) if c else InMemorySource([], name="live") for c in sources])
    resolution = resolver.resolve(reference)
    assert resolution.status is status
    assert resolution.absent_as_of == as_of
    assert resolution.method != "doi-unknown"  # "registered nowhere" needs a complete source


def test_a_partial_source_still_finds_what_it_holds() -> None:
    found = Resolver([_snapshot(PARTIAL)]).resolve(Reference(
        id="1", raw="Smith A. A synthetic title about glass frogs. J Test. 2019;11:101-10.", csl={}))
    assert found.status is ResolutionStatus.MATCHED and found.work is not None
    assert found.work.doi == "10.5555/synthetic.1"


def _write_document(tmp_path: Path, *entries: str) -> Path:
    body = "A synthetic manuscript citing [1] and [2] and [3].\n\nReferences\n\n"
    document = tmp_path / "doc.txt"
    document.write_text(body + "\n\n".join(f"{i}. {e}" for i, e in enumerate(entries, 1)) + "\n", encoding="utf-8")
    return document


def test_complete_snapshot_absence_names_its_date(tmp_path: Path) -> None:
    snapshot = tmp_path / "complete.sqlite"
    build_snapshot([write(tmp_path / "r.jsonl", jsonl(SYNTHETIC), compress=False)], snapshot, workers=0,
                   coverage=COMPLETE)
    document = _write_document(tmp_path, ABSENT.raw, "Smith A. A synthetic title about glass frogs. J Test. 2019;11:101-10.")
    report = audit([document], AuditOptions(network=False, default_snapshot=False, use_cache=False,
                                            snapshots=(snapshot,)))
    s002 = [f for f in report.findings if f.code == "S002"]
    assert len(s002) == 1 and "not in Crossref as of 2026-03-01" in s002[0].message
    assert report.unchecked == 0 and report.summary.complete


def _offline_default_only(document: Path) -> tuple[int, dict, str]:
    result = CliRunner().invoke(main, ["audit", "--offline", "--no-cache", "--format", "json", str(document)])
    return result.exit_code, json.loads(result.stdout), result.stderr


def _real_article() -> Path:
    realdocs = SHARED / "corpus" / "realdocs" / "journal.pone.0012262.txt"
    return realdocs if realdocs.exists() else EXCERPT


@pytest.mark.parametrize("document", [pytest.param(_real_article, id="real-article"),
                                      pytest.param(lambda: EXCERPT, id="excerpt-fixture")])
def test_offline_with_the_shipped_snapshot_no_reference_may_not_exist(document: object) -> None:
    path = document()  # type: ignore[operator]
    exit_code, report, stderr = _offline_default_only(path)
    assert not [f for f in report["findings"] if "may not exist" in f["message"]]
    assert not [f for f in report["findings"] if f["code"] == "S002" and f["severity"] == "warning"]
    unchecked = report["summary"]["unchecked"]
    assert unchecked >= 10 and not report["summary"]["complete"]
    assert stderr.count("not checked") >= 1 and f"{unchecked} references were not checked" in stderr
    assert exit_code == 2  # the run was incomplete


def test_a_book_without_doi_is_still_not_covered_information(tmp_path: Path) -> None:
    document = _write_document(tmp_path, BOOK.raw)
    report = audit([document], AuditOptions(network=False, use_cache=False))
    s002 = [f for f in report.findings if f.code == "S002"]
    assert len(s002) == 1 and s002[0].severity.label == "info" and "not covered by Crossref" in s002[0].message
    assert report.unchecked == 0
