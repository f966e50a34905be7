"""A full audit against a local server that answers like Crossref and enforces its polite limits.

    python -m benchmarks throughput [--references 300] [--latency-ms 100] [--jobs 0]
                                    [--cases search,doi-batch,pubmed]

The `search` case (below) takes about 100 s by design (300 searches at 3/s); `doi-batch` and
`pubmed` (benchmarks/registries.py) take seconds: `--cases doi-batch,pubmed` runs them alone.

Writes a plain-text manuscript citing `--references` synthetic references without DOIs (see
`benchmarks.synthetic.synthetic_record`: invented words, DOIs under 10.5555), serves their records
from `tests.crossref_server.CrossrefServer` on 127.0.0.1, in a process of its own (`benchmarks.serve`) (every search answers the best-matching
records, as Crossref would; `--latency-ms` per answer; 10 lookups/s, 3 searches/s and 3 requests
in flight enforced with a 429 beyond), and runs `citecheck audit` in this process through its
command line with `--crossref-url` at the server, `--sources crossref` (a pure measure of
Crossref's search pacing), `--mailto` (polite pool), `--no-default-snapshot` and a fresh
`--cache-dir`. Then runs the same audit again on the warm
cache. Reports wall times, the time the search limit alone requires (N / 3 s), their ratio,
429s received, requests made, references matched, and peak resident memory of the process
(which also holds the in-process server).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import tempfile
import time
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from benchmarks.synthetic import peak_rss_mb, record_reference_string
from citecheck.sources.pacing import POLITE

_WORD = re.compile(r"[a-z0-9]+")


class SearchIndex:
    """Answers `query.bibliographic` with the records sharing the most words with the query."""

    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.records = records
        self._postings: dict[str, set[int]] = defaultdict(set)
        for index, record in enumerate(records):
            for word in _WORD.findall(record_reference_string(record).lower()):
                self._postings[word].add(index)

    def __call__(self, query: Mapping[str, list[str]]) -> list[dict[str, Any]]:
        """Up to `rows` records, best first (shared distinct words, then order)."""
        text = (query.get("query.bibliographic") or [""])[0].lower()
        scores: dict[int, int] = defaultdict(int)
        for word in set(_WORD.findall(text)):
            for index in self._postings.get(word, ()):
                scores[index] += 1
        best = sorted(scores, key=lambda i: (-scores[i], i))
        rows = int((query.get("rows") or ["20"])[0])
        return [self.records[i] for i in best[:rows]]


def manuscript(records: list[dict[str, Any]]) -> str:
    """A plain-text manuscript citing every reference once, with its numbered list."""
    body = " ".join(f"Invented finding number {i} was reported [{i}]." for i in range(1, len(records) + 1))
    entries = "\n".join(f"{i}. {record_reference_string(r)}" for i, r in enumerate(records, 1))
    return f"A Synthetic Manuscript\n\n{body}\n\nReferences\n\n{entries}\n"


def _audit(document: Path, server_url: str, cache_dir: Path, report_path: Path, jobs: int) -> float:
    """Run `citecheck audit` through its command line, in this process, asking only the local
    Crossref server; wall seconds."""
    from benchmarks.registries import audit

    return audit(document, ["--crossref-url", server_url, "--sources", "crossref"], cache_dir, report_path,
                 "--jobs", str(jobs))


def _statuses(report_path: Path) -> tuple[dict[str, int], list[str]]:
    """How many references ended in each resolution status, and the report's notes."""
    report = json.loads(report_path.read_text(encoding="utf-8"))
    counts: dict[str, int] = defaultdict(int)
    for reference in report.get("references", []):
        counts[str((reference.get("resolution") or {}).get("status", "none"))] += 1
    return dict(sorted(counts.items())), [str(n) for n in report.get("notes", [])]


def _crowded_windows(times: list[float], rate: float) -> tuple[int, int]:
    """(spans of rate+1 consecutive arrivals shorter than 1 s, spans measured): each short span
    is a one-second window holding more requests than the limit, which a strict server refuses."""
    width = int(rate)
    spans = [b - a for a, b in zip(times, times[width:])]
    return sum(span < 1.0 for span in spans), len(spans)


def run(args: list[str]) -> dict[str, Any]:
    """Cold and warm audits against the local server; the figures as a JSON-able dict."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks throughput", description=__doc__.splitlines()[0])
    parser.add_argument("--references", type=int, default=300)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--jobs", type=int, default=0, help="--jobs passed to citecheck (0: the pool's limit)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cases", default=",".join(CASES),
                        help=f"comma-separated, of {', '.join(CASES)} (default: all)")
    options = parser.parse_args(args)
    cases = [c.strip() for c in options.cases.split(",") if c.strip()]
    if options.references < 1:
        parser.error("--references must be positive")
    if not cases or set(cases) - set(CASES):
        parser.error(f"--cases: choose from {', '.join(CASES)}")
    if importlib.util.find_spec("tests.crossref_server") is None:
        return {"skipped": "tests/crossref_server.py is not importable (run from the repository root)"}
    from benchmarks.registries import doi_batch_case, pubmed_case

    figures: dict[str, Any] = {}
    if "search" in cases:
        figures.update(_search_case(options))
    if "doi-batch" in cases:
        figures["doi_batch"] = doi_batch_case(options.references, options.latency_ms, options.seed)
    if "pubmed" in cases:
        figures["pubmed"] = pubmed_case(options.references, options.latency_ms, options.seed)
    figures["peak_rss_mb"] = peak_rss_mb()
    return figures


CASES = ("search", "doi-batch", "pubmed")
"""The cases `--cases` chooses from."""


def _search_case(options: argparse.Namespace) -> dict[str, Any]:
    """References without DOIs, each searched at Crossref: cold and warm (the server in its own
    process, `benchmarks.serve`)."""
    from benchmarks.serve import records, served

    made = records(options.references, options.seed)
    with tempfile.TemporaryDirectory(prefix="citecheck-throughput-") as tmp, served(
        "search", options.references, options.seed, options.latency_ms
    ) as server:
        document = Path(tmp) / "manuscript.txt"
        document.write_text(manuscript(made), encoding="utf-8")
        cache_dir = Path(tmp) / "cache"
        cold = _audit(document, server.base_url, cache_dir, Path(tmp) / "cold.json", options.jobs)
        asked, cold_429 = server.snapshot()
        cold_requests = {kind: sum(r.kind == kind for r in asked) for kind in ("search", "lookup", "other")}
        warm = _audit(document, server.base_url, cache_dir, Path(tmp) / "warm.json", options.jobs)
        warm_requests = len(server.snapshot()[0]) - len(asked)
        statuses, notes = _statuses(Path(tmp) / "cold.json")
        warm_statuses, _ = _statuses(Path(tmp) / "warm.json")
        searches = [r.time for r in asked if r.kind == "search"]
    limit_seconds = options.references / POLITE.searches_per_second
    gaps = [b - a for a, b in zip(searches, searches[1:])]
    crowded, spans = _crowded_windows(searches, POLITE.searches_per_second)
    return {
        "references": options.references,
        "latency_ms": options.latency_ms,
        "wall_seconds": round(cold, 2),
        "limit_seconds": round(limit_seconds, 2),
        "ratio": round(cold / limit_seconds, 3),
        "over_limit_percent": round(100 * (cold / limit_seconds - 1), 1),
        "rate_limited_429": cold_429,
        "requests": cold_requests,
        "search_rate_per_second": round((len(searches) - 1) / (searches[-1] - searches[0]), 3) if len(searches) > 1 else 0.0,
        "min_gap_between_searches_ms": round(1000 * min(gaps), 1) if gaps else 0.0,
        "crowded_search_windows": crowded,
        "search_windows": spans,
        "statuses": statuses,
        "notes": notes,
        "warm_seconds": round(warm, 3),
        "warm_requests": warm_requests,
        "warm_statuses": warm_statuses,
        "note": "in-process `citecheck audit` via its click entry point; the server in a process of its own",
    }
