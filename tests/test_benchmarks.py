"""Smoke test of the benchmark suites: each runs on a handful of items and says something sane.

The full runs (`python -m benchmarks all`) are not tests; this only keeps the suites working.
Suites that read ../shared skip when it is absent. Tiny sizes keep the whole file fast; the
throughput run uses the local replay server on 127.0.0.1 with 1 ms latency (no internet).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks.__main__ import main, run_suite
from benchmarks.report import render_markdown, write_reports
from tests.conftest import SHARED as CONFTEST_SHARED

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "datasets"
GROBID_SET = SHARED / "grobid"
GLUTTON = SHARED / "biblio-glutton"
REALDOCS = CONFTEST_SHARED / "corpus" / "realdocs"


def _needs(path: Path) -> Any:
    return pytest.mark.skipif(not path.exists(), reason=f"shared dataset absent: {path}")


def _needs_browser() -> Any:
    from scripts.browser import unavailable

    reason = unavailable()
    return pytest.mark.skipif(reason is not None, reason=reason or "")


def _fraction(value: Any) -> bool:
    return isinstance(value, (int, float)) and 0.0 <= value <= 1.0


def _tei_args() -> list[str]:
    files = sorted(GROBID_SET.glob("*.tei.xml"))
    return ["--anystyle-none", "--tei", str(files[0])] if files else []


def _matching_args(tmp_path: Path) -> list[str]:
    """Twenty references and only their own records (plus holdout), so the snapshot builds fast."""
    refs = [json.loads(line) for line in gzip.open(GLUTTON / "refs-dev.jsonl.gz", "rt", encoding="utf-8")][:20]
    wanted = {r["doi"].lower() for r in refs}
    records = [line for line in gzip.open(GLUTTON / "records-dev.jsonl.gz", "rt", encoding="utf-8")
               if json.loads(line).get("DOI", "").lower() in wanted]
    (tmp_path / "refs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in refs), encoding="utf-8")
    (tmp_path / "records.jsonl").write_text("".join(records), encoding="utf-8")
    return ["--refs", str(tmp_path / "refs.jsonl"), "--records", str(tmp_path / "records.jsonl")]


CASES = [
    pytest.param("linking", lambda tmp: [], ("precision", "recall", "f1", "links_precision", "links_recall", "n"),
                 lambda f: f["n"] >= 30 and f["recall"] > 0.5 and f["traps"] >= 100, id="linking"),
    # Files hold 5,000 works each (as Crossref's do): the two sizes are one file and two.
    pytest.param("scale", lambda tmp: ["--records", "10000", "--checkpoint", "5000", "--references", "30",
                                       "--real-references", "40", "--profile-records", "2000"],
                 ("at_5000", "at_10000", "ms_per_reference_growth", "input_bytes_per_record", "build_profile"),
                 lambda f: f["at_10000"]["build"]["records"] - f["at_5000"]["build"]["records"] == 5000
                 and f["at_10000"]["generated_references"]["recall"] >= 0.9
                 and f["at_10000"]["real_references"]["references"] == 40
                 and f["at_10000"]["doi_lookups"]["found"] >= 30
                 and f["build_profile"]["records"] == 2000 and f["build_profile"]["reader_us"]["decode"] > 0
                 and f["at_10000"]["build"]["cpu_us_per_record"]["total"] > 0
                 and set(f["at_10000"]["build"]["finishing_seconds"]) == {"duplicates", "keys", "index", "terms"},
                 id="scale", marks=_needs(GLUTTON / "records-dev.jsonl.gz")),
    pytest.param("throughput", lambda tmp: ["--references", "5", "--latency-ms", "1"],
                 ("wall_seconds", "limit_seconds", "ratio", "rate_limited_429", "warm_seconds", "peak_rss_mb"),
                 lambda f: f["requests"]["search"] >= 5 and f["warm_requests"] == 0
                 and f["statuses"] == {"matched": 5} and f["limit_seconds"] == pytest.approx(5 / 3, abs=0.01)
                 and f["doi_batch"]["requests"] == {"search": 1, "lookup": 0} and f["doi_batch"]["batch_sizes"] == [5]
                 and f["doi_batch"]["statuses"] == {"matched by crossref": 5}
                 and f["doi_batch"]["single"]["requests"] == {"search": 0, "lookup": 5}
                 and f["doi_batch"]["same_findings_as_single"] is True and f["doi_batch"]["warm_requests"] == 0
                 and f["pubmed"]["statuses"] == {"matched by pubmed": 5}
                 and f["pubmed"]["requests"] == {"ecitmatch": 1, "efetch": 1} and f["pubmed"]["warm_requests"] == 0,
                 id="throughput"),
    pytest.param("audit_speed", lambda tmp: ["--references", "20", "--citations", "40", "--repeat", "1"],
                 ("linking_only", "offline_snapshot"),
                 lambda f: f["linking_only"]["references_found"] == 20, id="audit_speed"),
    pytest.param("pdf", lambda tmp: ["--repeat", "1", "--no-realdocs", "--no-compare"],
                 ("seconds_best", "cpu_seconds_best", "pages", "load_average", "precision", "recall", "links_recall"),
                 lambda f: f["pages"] == 31 and f["documents"] >= 8 and f["trap_hits"] == 0
                 and f["entries_read"] == f["entries_expected"], id="pdf"),
    pytest.param("html", lambda tmp: ["--references", "30", "--pages", "3", "--repeat", "1", "--no-pdf"],
                 ("synthetic", "load_average", "chromium", "target_met"),
                 lambda f: f["synthetic"]["references"] == f["synthetic"]["verified"] == 30
                 and f["synthetic"]["pages"] >= 3 and 0 < f["synthetic"]["load_ms"]["best"]
                 <= f["synthetic"]["opens_and_interactive_ms"]["best"], id="html", marks=_needs_browser()),
    pytest.param("parsing", lambda tmp: _tei_args(), ("micro_f1", "fields", "n"),
                 lambda f: f["n"] > 100 and set(f["fields"]) >= {"author", "title", "year"},
                 id="parsing", marks=_needs(GROBID_SET)),
    pytest.param("realdocs", lambda tmp: ["--corpus", str(REALDOCS), "--articles", "journal.pone.0046041,elife09853",
                                          "--variants", "1"],
                 ("by_style", "variants", "per_article", "articles"),
                 lambda f: f["articles"] == 2 and set(f["by_style"]) == {"numeric", "author-year"}
                 and all(_fraction(g["links_precision"]) and _fraction(g["segmentation_recall"])
                         for g in f["by_style"].values())
                 and all(v["expected"] >= 1 for kind in f["variants"].values() for v in kind.values()),
                 id="realdocs", marks=_needs(REALDOCS)),
    pytest.param("matching", _matching_args, ("precision", "recall", "f1", "n", "n_negative", "ms_per_reference"),
                 lambda f: f["n"] == 20 and f["n"] >= f["n_negative"] >= 0,
                 id="matching", marks=_needs(GLUTTON / "records-dev.jsonl.gz")),
    pytest.param("corpus", lambda tmp: [*_matching_args(tmp), "--articles", "3", "--workers", "0",
                                        "--scan-rows", "20000", "--repeat", "1"],
                 ("runs", "matching", "linking", "same_findings_as_single_machine", "projection", "scan_rates"),
                 lambda f: f["same_findings_as_single_machine"] and f["articles"] == 3
                 and f["linking"]["R001"]["precision"] == 1.0 and f["projection"]["wall_hours"] > 0,
                 id="corpus", marks=_needs(GLUTTON / "records-dev.jsonl.gz")),
]


@pytest.mark.parametrize(("suite", "argv", "keys", "sane"), CASES)
def test_suite_runs_and_reports_sane_figures(suite: str, argv: Any, keys: tuple[str, ...], sane: Any,
                                             tmp_path: Path) -> None:
    figures = run_suite(suite, argv(tmp_path))
    assert not set(keys) - set(figures), f"missing keys: {set(keys) - set(figures)}"
    json.dumps(figures)  # the figures must be printable as JSON
    for key in ("precision", "recall", "f1", "links_precision", "links_recall", "micro_f1"):
        if key in figures:
            assert _fraction(figures[key]), f"{key} = {figures[key]!r}"
    assert sane(figures), figures


def test_reports_name_anchors_machine_and_shortfalls(tmp_path: Path) -> None:
    document = {
        "machine": {"date": "2026-01-01 00:00 UTC", "platform": "Linux", "processor": "x86_64", "cpu_count": 2,
                    "python": "3.11.7"},
        "quick": False,
        "suites": {
            "matching": {"precision": 0.95, "recall": 0.9, "f1": 0.92, "n": 10, "n_negative": 2, "ms_per_reference": 1},
            "scale": {"skipped": "data absent: x"},
        },
    }
    write_reports(document, tmp_path)
    text = (tmp_path / "benchmarks.md").read_text(encoding="utf-8")
    assert json.loads((tmp_path / "benchmarks.json").read_text(encoding="utf-8")) == document
    for expected in ("0.981", "0.964", "0.957", "17,015", "END TO END FROM PDF", "**short**", "2 CPUs",
                     "Python 3.11.7", "Not run: data absent: x"):
        assert expected in text
    assert render_markdown(document) == text


@pytest.mark.parametrize(
    ("argv", "code"),
    [pytest.param(["no-such-suite"], 2, id="unknown-suite"), pytest.param([], 2, id="no-suite")],
)
def test_command_line_refuses_bad_usage(argv: list[str], code: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == code
