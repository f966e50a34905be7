"""Throughput cases for batched verification (run by `benchmarks.throughput`, `--cases`):

* `doi-batch`: a manuscript whose every reference carries its DOI, audited cold with every source
  (Crossref, PubMed, DataCite, the agency lookup all on one local server in a process of its own,
  see `benchmarks.serve`; Crossref's polite limits enforced with a 429 beyond), then warm, then
  cold again with DOIs asked one by one
  (`CITECHECK_CROSSREF_BATCH=0`): wall times, requests, 429s, and whether the findings are the
  same as with single lookups.
* `pubmed`: a manuscript of journal references without identifiers, audited cold with
  `--sources pubmed` against the local NCBI service enforcing 3 requests/s (ECitMatch batches,
  then EFetch), then warm, then cold with an API key (10/s).

The works are invented (benchmarks.scale.synthetic_record: invented words, DOIs under 10.5555,
Crossref's test prefix). For PubMed they are written in the shape of a recorded EFetch article
(tests/fixtures/ncbi/efetch_pubmed_22351513.xml): the recorded element tree with its PMID,
title, authors, journal, volume, issue, year and pages replaced, its DOI, abstract and other
identifiers removed.
"""

from __future__ import annotations

import copy
import io
import json
import os
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr
from pathlib import Path
from typing import Any

from benchmarks.synthetic import record_reference_string
from benchmarks.serve import records, served

PMID_BASE = 90_000_000
"""Synthetic PMIDs start here (above any PMID assigned so far)."""


def manuscript(entries: list[str]) -> str:
    """A plain-text manuscript citing every entry once, with its numbered list."""
    body = " ".join(f"Invented finding number {i} was reported [{i}]." for i in range(1, len(entries) + 1))
    listed = "\n".join(f"{i}. {entry}" for i, entry in enumerate(entries, 1))
    return f"A Synthetic Manuscript\n\n{body}\n\nReferences\n\n{listed}\n"


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def audit(document: Path, options: list[str], cache_dir: Path, report_path: Path, *extra: str) -> float:
    """`citecheck audit` through its command line, in this process; wall seconds."""
    from citecheck.cli.app import main

    argv = ["audit", str(document), "--format", "json", "-o", str(report_path), "--exit-zero", "-q",
            *options, "--mailto", "benchmark@example.org", "--no-default-snapshot", "--cache-dir", str(cache_dir),
            *extra]
    started = time.perf_counter()
    try:
        with redirect_stderr(io.StringIO()):
            main(argv, standalone_mode=False)
    except SystemExit as exit_:
        if exit_.code not in (0, None):
            raise RuntimeError(f"citecheck audit exited {exit_.code}") from None
    return time.perf_counter() - started


def _report(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _statuses(report: dict[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for reference in report["references"]:
        resolution = reference.get("resolution") or {}
        counts[f"{resolution.get('status')} by {resolution.get('source')}"] += 1
    return dict(sorted(counts.items()))


def _findings(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    return sorted((f["code"], str(f["reference"]), f["message"]) for f in report["findings"])


def doi_batch_case(references: int, latency_ms: float, seed: int) -> dict[str, Any]:
    """DOI-bearing references: batched cold, warm, and one by one; the figures."""
    made = records(references, seed)
    entries = [f"{record_reference_string(r)} doi:{r['DOI']}" for r in made]
    figures: dict[str, Any] = {"references": references, "latency_ms": latency_ms, "server": "own process"}
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="citecheck-doi-batch-") as tmp_name:
        tmp = Path(tmp_name)
        document = tmp / "manuscript.txt"
        document.write_text(manuscript(entries), encoding="utf-8")
        with served("doi-batch", references, seed, latency_ms) as server:
            cold = audit(document, server.cli_options(), tmp / "cache", tmp / "cold.json")
            asked, refused = server.snapshot()
            batches = [r for r in asked if r.kind == "search" and "filter" in r.query]
            figures.update({
                "wall_seconds": round(cold, 2),
                "requests": {kind: sum(r.kind == kind for r in asked) for kind in ("search", "lookup")},
                "other_requests": sum(r.kind not in ("search", "lookup") for r in asked),
                "batch_sizes": [len(r.query["filter"][0].split(",")) for r in batches],
                "longest_request_line": max((len(f"GET {r.target} HTTP/1.1") for r in batches), default=0),
                "rate_limited_429": refused,
            })
            figures["warm_seconds"] = round(audit(document, server.cli_options(), tmp / "cache", tmp / "warm.json"), 3)
            figures["warm_requests"] = len(server.snapshot()[0]) - len(asked)
        with served("doi-batch", references, seed, latency_ms) as server, _environment(CITECHECK_CROSSREF_BATCH="0"):
            single = audit(document, server.cli_options(), tmp / "single-cache", tmp / "single.json")
            asked, refused = server.snapshot()
            figures["single"] = {
                "wall_seconds": round(single, 2),
                "requests": {kind: sum(r.kind == kind for r in asked) for kind in ("search", "lookup")},
                "rate_limited_429": refused,
            }
        cold_report, single_report = _report(tmp / "cold.json"), _report(tmp / "single.json")
    figures["statuses"] = _statuses(cold_report)
    figures["single"]["statuses"] = _statuses(single_report)
    figures["findings"] = len(cold_report["findings"])
    figures["same_findings_as_single"] = _findings(cold_report) == _findings(single_report)
    figures["speedup"] = round(figures["single"]["wall_seconds"] / figures["wall_seconds"], 1)
    figures["load"] = f"{load_before:.2f} / {os.getloadavg()[0]:.2f}"
    return figures


# --- PubMed ---------------------------------------------------------------------------------------


def _set(element: ET.Element, path: str, text: str) -> None:
    found = element.find(path)
    if found is not None:
        found.text = text


def synthetic_article(template: ET.Element, record: dict[str, Any], pmid: int) -> bytes:
    """The recorded PubmedArticle `template` carrying an invented record's fields."""
    article = copy.deepcopy(template)
    citation = article.find("MedlineCitation")
    assert citation is not None
    _set(citation, "PMID", str(pmid))
    body = citation.find("Article")
    assert body is not None
    _set(body, "Journal/Title", record["container-title"][0])
    _set(body, "Journal/ISOAbbreviation", record["short-container-title"][0])
    _set(citation, "MedlineJournalInfo/MedlineTA", record["short-container-title"][0])
    _set(body, "Journal/JournalIssue/Volume", record["volume"])
    _set(body, "Journal/JournalIssue/Issue", record["issue"])
    _set(body, "Journal/JournalIssue/PubDate/Year", str(record["issued"]["date-parts"][0][0]))
    _set(body, "ArticleTitle", record["title"][0] + ".")
    first, last = record["page"].split("-")
    _set(body, "Pagination/StartPage", first)
    _set(body, "Pagination/EndPage", last)
    _set(body, "Pagination/MedlinePgn", record["page"])
    for removed in [*body.findall("ELocationID"), *body.findall("Abstract"), *body.findall("ArticleDate")]:
        body.remove(removed)
    authors = body.find("AuthorList")
    assert authors is not None
    model = authors.find("Author")
    for old in list(authors):
        authors.remove(old)
    for person in record["author"]:
        author = copy.deepcopy(model)
        for affiliation in author.findall("AffiliationInfo"):  # type: ignore[union-attr]
            author.remove(affiliation)  # type: ignore[union-attr]
        _set(author, "LastName", person["family"])  # type: ignore[arg-type]
        _set(author, "ForeName", person["given"].rstrip("."))  # type: ignore[arg-type]
        _set(author, "Initials", person["given"].rstrip("."))  # type: ignore[arg-type]
        authors.append(author)  # type: ignore[arg-type]
    ids = article.find("PubmedData/ArticleIdList")
    if ids is not None:
        for item in list(ids):
            if item.get("IdType") != "pubmed":
                ids.remove(item)
            else:
                item.text = str(pmid)
    return ET.tostring(article, encoding="utf-8")


def synthetic_articles(made: list[dict[str, Any]]) -> list[Any]:
    """The invented records as PubMed articles in the recorded shape (see the module docstring)."""
    from tests.ncbi_server import FIXTURES, _article

    template_path = FIXTURES / "efetch_pubmed_22351513.xml"
    template = ET.fromstring(template_path.read_bytes()).find("PubmedArticle")
    assert template is not None
    return [_article(synthetic_article(template, r, PMID_BASE + i), template_path) for i, r in enumerate(made)]


def pubmed_case(references: int, latency_ms: float, seed: int) -> dict[str, Any]:
    """Journal references without identifiers, matched by ECitMatch in batches; the figures."""
    entries = [record_reference_string(r) for r in records(references, seed)]
    figures: dict[str, Any] = {"references": references, "latency_ms": latency_ms, "server": "own process"}
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="citecheck-pubmed-") as tmp_name:
        tmp = Path(tmp_name)
        document = tmp / "manuscript.txt"
        document.write_text(manuscript(entries), encoding="utf-8")
        for variant, key in (("", None), ("with_key", "benchmark-ncbi-key")):
            with served("pubmed", references, seed, latency_ms) as server, \
                    _environment(**({"NCBI_API_KEY": key} if key else {})):
                cache = tmp / f"cache{variant}"
                options = [*server.cli_options(), "--sources", "pubmed"]
                cold = audit(document, options, cache, tmp / f"cold{variant}.json")
                asked, refused = server.snapshot()
                ncbi = [r for r in asked if r.service == "ncbi"]
                figures_now = {
                    "wall_seconds": round(cold, 2),
                    "requests": {"ecitmatch": sum(r.path.endswith("ecitmatch.cgi") for r in ncbi),
                                 "efetch": sum(r.path.endswith("efetch.fcgi") for r in ncbi)},
                    "limit_per_second": 10 if key else 3,
                    "rate_limited_429": refused,
                    "statuses": _statuses(_report(tmp / f"cold{variant}.json")),
                }
                if not key:
                    figures_now["warm_seconds"] = round(audit(document, options, cache, tmp / "warm.json"), 3)
                    figures_now["warm_requests"] = len(server.snapshot()[0]) - len(asked)
                    figures.update(figures_now)
                else:
                    figures["with_key"] = figures_now
    figures["load"] = f"{load_before:.2f} / {os.getloadavg()[0]:.2f}"
    return figures
