"""Baselines: record today's findings, then fail only on new ones.

The acceptance case runs on the review (examples/, offline with the shipped snapshot); the rest
use synthetic findings ("A synthetic title").
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from citecheck.gate.baseline import Baseline, baseline_message, load_baseline, render_baseline, without_baseline
from citecheck.cli.app import main
from citecheck.model import Reference, Span
from citecheck.results import DocumentResult, Report
from citecheck.rules import rule
from tests.conftest import EXAMPLE

OFFLINE = ["--offline", "--no-cache"]
# Synthetic, and cited nowhere: the one new problem the acceptance case adds.
NEW_ENTRY = "5 Smith, J. (2019). A synthetic title. Journal of Testing, 1-2.\n\n"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def review(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the review in a scratch directory (the working directory), with its baseline."""
    monkeypatch.chdir(tmp_path)
    copy = Path("review.txt")
    shutil.copyfile(EXAMPLE, copy)
    code, _, stderr = _run("baseline", *OFFLINE, str(copy), "-o", "baseline.json")
    assert code == 0, stderr
    return copy


def _edit(path: Path, before: str, insert: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert before in text
    path.write_text(text.replace(before, insert + before, 1), encoding="utf-8")


def test_baseline_file_records_every_finding(review: Path) -> None:
    data = json.loads(Path("baseline.json").read_text(encoding="utf-8"))
    assert data["version"] == 1 and data["tool"] == "citecheck"
    code, stdout, _ = _run("audit", *OFFLINE, "--format", "json", str(review))
    assert code == 1
    assert len(data["findings"]) == len(json.loads(stdout)["findings"]) == 9
    assert {e["path"] for e in data["findings"]} == {"review.txt"}


@pytest.mark.parametrize(
    ("before", "insert", "code", "new_references"),
    [
        pytest.param(None, "", 0, [], id="unchanged"),
        pytest.param("Metastatic Breast Cancer", "A new first line.\n\n", 0, [], id="lines-inserted-above"),
        # The new entry is uncited (R001); offline, only the shipped (partial) snapshot is asked
        # about it, so it is not checked (no S002) and the run says it is incomplete (exit 2).
        pytest.param("This article was originally", NEW_ENTRY, 2, ["5"], id="uncited-entry-added"),
    ],
)
def test_audit_with_baseline(review: Path, before: str | None, insert: str, code: int,
                             new_references: list[str]) -> None:
    if before is not None:
        _edit(review, before, insert)
    exit_code, stdout, stderr = _run("audit", *OFFLINE, "--baseline", "baseline.json", "--format", "json",
                                     str(review))
    assert exit_code == code, stderr
    report = json.loads(stdout)
    assert [f["reference"] for f in report["findings"]] == new_references
    assert "9 findings in the baseline." in stderr
    assert "9 findings in the baseline (not reported)" in report["notes"]


def test_added_entry_reported_as_uncited(review: Path) -> None:
    _edit(review, "This article was originally", NEW_ENTRY)
    exit_code, stdout, stderr = _run("audit", *OFFLINE, "--baseline", "baseline.json", str(review))
    assert exit_code == 2  # entry 5 was not checked: only the partial shipped snapshot was asked
    assert "1 reference was not checked" in stderr
    assert "R001 uncited-reference entry 5 is cited nowhere" in stdout
    assert "entry 2" not in stdout and "entry 3" not in stdout


def test_baseline_works_from_another_directory(review: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Path("sub").mkdir()
    monkeypatch.chdir("sub")
    exit_code, _, stderr = _run("audit", *OFFLINE, "--baseline", "../baseline.json", "../review.txt")
    assert exit_code == 0, stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(None, "baseline file not found", id="missing"),
        pytest.param("{not json", "invalid JSON", id="not-json"),
        pytest.param('{"version": 1, "findings": []}', "not a citecheck baseline file", id="not-ours"),
        pytest.param('{"version": 99, "tool": "citecheck", "findings": []}', "baseline version 99 is not supported",
                     id="future-version"),
        pytest.param('{"version": 1, "tool": "citecheck", "findings": [{"code": "R001"}]}', "has no fingerprint",
                     id="no-fingerprint"),
    ],
)
def test_bad_baseline_files(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "baseline.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    loaded = load_baseline(path)
    assert loaded.error is not None and message in loaded.error
    exit_code, _, stderr = _run("audit", "--no-verify", "--baseline", str(path), str(EXAMPLE))
    assert exit_code == 2 and message in stderr


def _finding(line: int, message: str = "Entry 4 is cited nowhere.") -> object:
    return rule("R001").finding(message, span=Span("paper.md", line, 1), reference="4")


@pytest.mark.parametrize(
    ("recorded", "now", "new"),
    [
        pytest.param([_finding(3)], [_finding(30)], 0, id="moved"),
        pytest.param([_finding(3)], [_finding(3), _finding(9)], 1, id="second-identical-is-new"),
        pytest.param([_finding(3, "Entry 4 on line 3 is cited nowhere.")],
                     [_finding(7, "Entry 4 on line 7 is cited nowhere.")], 0, id="line-in-message"),
        pytest.param([_finding(3)], [_finding(3, "Entry 4 has another problem.")], 1, id="other-message"),
        pytest.param([_finding(3, "Entry 4 is cited nowhere; it may support line 9: “A claim.” (score 0.12)")],
                     [_finding(3, "Entry 4 is cited nowhere; it may support line 2: “Another claim.” (score 0.31)")],
                     0, id="hint-changed"),
        pytest.param([], [_finding(3)], 1, id="empty-baseline"),
    ],
)
def test_without_baseline(tmp_path: Path, recorded: list, now: list, new: int) -> None:
    path = tmp_path / "b.json"
    path.write_text(render_baseline(Report((), tuple(recorded)), tmp_path), encoding="utf-8")
    loaded = load_baseline(path)
    assert isinstance(loaded, Baseline) and loaded.error is None
    report, known = without_baseline(Report((), tuple(now)), loaded, tmp_path)
    assert (len(report.findings), known) == (new, len(now) - new)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        pytest.param("entry 2 lacks volume 29, issue 10", "entry lacks volume , issue", id="digits"),
        pytest.param("Citation [5] on line 12 points at no entry.", "citation [] on points at no entry.", id="line"),
        pytest.param("cited nowhere; it may support line 9: “The trials …” (score 0.12)",
                     "cited nowhere; it may support : (score .)", id="hint-quote-and-score"),
        pytest.param('title differs: "A synthetic title" written', "title differs: written", id="straight-quotes"),
    ],
)
def test_baseline_message(message: str, expected: str) -> None:
    assert baseline_message(message) == expected


def _document(number: int) -> DocumentResult:
    entry = Reference(id=str(number), raw="Smith J. A synthetic title. J Test. 2019;1:1-2.", csl={},
                      span=Span("paper.md", 10 + number, 1), number=number, key="smith2019synthetic")
    return DocumentResult("paper.md", (), (entry,))


@pytest.mark.parametrize(
    ("recorded_number", "now_number", "new"),
    [
        pytest.param(4, 4, 0, id="same-number"),
        pytest.param(4, 5, 0, id="renumbered-entry-same-key"),
    ],
)
def test_entry_identified_by_key(tmp_path: Path, recorded_number: int, now_number: int, new: int) -> None:
    def report(number: int) -> Report:
        finding = rule("D003").finding(f"entry {number} has no DOI", span=Span("paper.md", 10 + number, 1),
                                       reference=str(number))
        return Report((_document(number),), (finding,))

    path = tmp_path / "b.json"
    path.write_text(render_baseline(report(recorded_number), tmp_path), encoding="utf-8")
    remaining, known = without_baseline(report(now_number), load_baseline(path), tmp_path)
    assert (len(remaining.findings), known) == (new, 1 - new)
