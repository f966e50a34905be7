"""Variants of the acceptance review that issue 11 names: each must come out exactly right.

Built in the test from examples/metastatic-breast-cancer-review.txt. The added entry of the
duplicate variant is the E2100 trial paper (entry 3) written another way: its authors, year,
journal, volume, issue and pages are those of ../shared/records/trial-papers.jsonl (the MEDLINE
record PMID 18160686); its title is deliberately shortened, so that only the registry, not the
text, shows the two entries are one work.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from citecheck.cli.app import main
from tests.conftest import EXAMPLE

REVIEW = EXAMPLE.read_text(encoding="utf-8")
E2100_AGAIN = ("5 Miller K, Wang M, Gralow J, Dickler M, Cobleigh M, Perez EA, Shenkier T, Cella D, Davidson NE. "
               "Paclitaxel plus bevacizumab versus paclitaxel alone. N Engl J Med. 2007;357(26):2666-76.")


def audit(path: Path, *options: str) -> tuple[int, dict]:
    result = CliRunner().invoke(main, ["audit", "--format", "json", *options, str(path)])
    return result.exit_code, json.loads(result.stdout)


def findings(report: dict) -> list[tuple[str, str | None, int | None]]:
    return sorted((f["code"], f["reference"], f["line"]) for f in report["findings"])


def test_glued_marker_past_the_end_is_a_missing_entry(tmp_path: Path) -> None:
    # `…such as methotrexate.5` when the list stops at 4: the same shape as the review's own
    # citations (`metastases.1`, `estrogen.4`), so a citation of a missing entry.
    path = tmp_path / "review.txt"
    path.write_text(REVIEW.replace("such as methotrexate.", "such as methotrexate.5"), encoding="utf-8")
    code, report = audit(path, "--no-verify")
    assert code == 1
    assert [(c["text"], c["references"]) for c in report["citations"]] == [("1", ["1"]), ("5", ["5"]), ("4", ["4"])]
    assert findings(report) == [("C001", "5", 9), ("R001", "2", 22), ("R001", "3", 24)]
    assert next(f for f in report["findings"] if f["code"] == "C001")["severity"] == "error"


def test_entry_resolving_to_the_doi_of_another_is_a_duplicate(tmp_path: Path) -> None:
    path = tmp_path / "review.txt"
    text = REVIEW.replace("such as methotrexate.", "such as methotrexate.5")
    path.write_text(text.replace("This article was originally published", E2100_AGAIN + "\n\nThis article was "
                                 "originally published"), encoding="utf-8")
    _, linked_only = audit(path, "--no-verify")
    assert "R002" not in [f["code"] for f in linked_only["findings"]]  # the texts alone do not tell
    _, verified = audit(path, "--offline", "--no-cache")
    (duplicate,) = [f for f in verified["findings"] if f["code"] == "R002"]
    assert (duplicate["reference"], duplicate["line"]) == ("5", 28)
    assert "entry 3" in duplicate["message"] and "10.1056/nejmoa072113" in duplicate["message"]


def test_mixed_list_links_each_entry_by_its_own_label(tmp_path: Path) -> None:
    # Two numbered entries, then two unnumbered author-year entries (the review's own entries 1,
    # 4, 3 and 2 as the review writes them), cited by number and by names and year.
    entries = REVIEW[REVIEW.index("\n1 American"):REVIEW.index("This article was originally")].strip().split("\n\n")
    first, second, third, fourth = (e.split(" ", 1)[1] for e in entries)
    text = ("Metastatic Breast Cancer Treatment Review\n\n"
            "Bisphosphonates slow the progression of bone metastases.1 Aromatase inhibitors block the conversion "
            "of androgens to estrogen.2 Bevacizumab was added to paclitaxel (Miller et al., 2007) and to other "
            "chemotherapy (Robert et al., 2011).\n\nReferences\n\n"
            f"1. {first}\n\n2. {fourth}\n\n{third}\n\n{second}\n")
    path = tmp_path / "mixed.txt"
    path.write_text(text, encoding="utf-8")
    code, report = audit(path, "--no-verify")
    assert code == 0, report["findings"]
    references = {r["id"]: r["number"] for r in report["references"]}
    assert references == {"1": 1, "2": 2, "miller2007paclitaxel": None, "robert2011ribbon": None}
    assert [c["references"] for c in report["citations"]] == [["1"], ["2"], ["miller2007paclitaxel"],
                                                              ["robert2011ribbon"]]
