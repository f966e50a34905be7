"""Load: a verified audit of thousands of references against the local Crossref server, with
faults injected on a seeded 5% of requests and the server enforcing Crossref's polite limits.

`python -m benchmarks.load [--references 5000] [--fault-rate 0.05] [--error-rate 0.02] [--seed 1]
[--runs 2]` prints JSON: per run the wall time, requests, faults served, limit violations,
resolution counts and findings; and whether every run gave the same findings. A seeded 2% of
the references carry a deliberate error (a wrong year, a DOI nobody registered), so that the
comparison is between real findings.

Every reference carries a DOI (synthetic, Crossref's test prefix 10.5555), asked one by one
(`--batch 0`, the default: the faults hit single lookups; `--batch 50` measures batches instead),
so the audit is DOI lookups paced at the polite pool's 10 per second: 5,000 references take about
500 s, 1,000 about 100 s. The same local server answers for NCBI, DataCite and doi.org (the
agency of 10.5555 is Crossref), as every source is asked. Each run starts with a fresh cache, so
every run asks the server everything. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from citecheck.config.options import AuditOptions
from citecheck.engine import audit
from citecheck.sources.pacing import POLITE
from tests.registries import RegistryServer
from tests.replay_server import Fault

WORDS = ("adaptive", "cohort", "synthetic", "outcomes", "randomised", "protocol", "analysis", "response",
         "markers", "survival", "therapy", "signals", "trial", "baseline", "exposure", "network", "models")


def _title(i: int) -> str:
    """A distinct synthetic title per index (its digits spelled as words)."""
    digits = f"{i:05d}"
    return "Synthetic load study of " + " ".join(WORDS[int(d)] for d in digits) + " effects"


def _reply(i: int) -> dict[str, Any]:
    return {"status": "ok", "message-type": "work", "message": {
        "DOI": f"10.5555/load-{i}", "type": "journal-article", "title": [_title(i)],
        "author": [{"family": "Smith", "given": "J"}], "container-title": ["Journal of Synthetic Results"],
        "volume": str(1 + i % 40), "page": f"{i + 1}-{i + 9}", "issued": {"date-parts": [[2000 + i % 20]]}}}


def _entry(i: int, error: str) -> str:
    """Reference `i`, right, or with a deliberate error: a wrong year, or a DOI nobody registered."""
    year = 2000 + i % 20 + (3 if error == "year" else 0)
    doi = f"10.5555/load-unregistered-{i}" if error == "doi" else f"10.5555/load-{i}"
    return f"{i + 1}. Smith J. {_title(i)}. J Synth Results. {year};{1 + i % 40}:{i + 1}-{i + 9}. doi:{doi}"


def _document(path: Path, count: int, errors: dict[int, str]) -> None:
    entries = "\n".join(_entry(i, errors.get(i, "")) for i in range(count))
    citations = " ".join(f"Claim [{i + 1}]." for i in range(count))
    path.write_text(f"{citations}\n\nReferences\n\n{entries}\n", encoding="utf-8")


def _fault_menu(timeout: float) -> list[Fault]:
    """The faults drawn from: every kind the local server can inject, each transient (served once)."""
    body = json.dumps(_reply(0)).encode()
    return [
        Fault.http(500), Fault.http(502), Fault.http(503), Fault.rate_limited(limit=10, retry_after=1),
        Fault.rate_limited(limit=10), Fault.reset(), Fault.reset_mid_body(body), Fault.truncated(body),
        Fault.malformed_json(), Fault.html_page(), Fault.delay(timeout * 3),
    ]


def _one_run(count: int, fault_rate: float, error_rate: float, seed: int, timeout: float,
             latency_ms: float) -> dict[str, Any]:
    rng = random.Random(seed)
    # Deliberate errors, so that "the same findings every run" compares findings, not nothing.
    errors = {i: rng.choice(("year", "doi")) for i in rng.sample(range(count), round(count * error_rate))}
    works = {f"10.5555/load-{i}": _reply(i) for i in range(count)}
    titles = {_title(i).lower(): _reply(i)["message"] for i in range(count)}

    def search(query: dict[str, list[str]]) -> list[dict[str, Any]]:
        text = query.get("query.bibliographic", [""])[0].lower()
        return [record for title, record in titles.items() if title in text][:1]

    menu = _fault_menu(timeout)
    faulty = sorted(rng.sample(range(count), round(count * fault_rate)))
    with tempfile.TemporaryDirectory() as directory, \
            RegistryServer(works, search=search, agencies={"10.5555": "Crossref"}, crossref_limits=POLITE,  # type: ignore[arg-type]
                           latency_ms=latency_ms) as server:
        kinds: Counter[str] = Counter()
        for i in faulty:  # the first request for each chosen DOI meets one fault
            fault = rng.choice(menu)
            kinds[fault.kind if fault.kind != "status" else f"http-{fault.status}"] += 1
            server.add_faults(rf"^/works/10\.5555/load-{i}$", fault)
        path = Path(directory) / "manuscript.txt"
        _document(path, count, errors)
        url = server.base_url
        options = AuditOptions(default_snapshot=False, cache_dir=Path(directory) / "cache", crossref_url=url,
                               pubmed_url=url, datacite_url=url, doi_url=url, mailto="load-test@example.org",
                               timeout=timeout)
        started = time.perf_counter()
        report = audit([path], options)
        seconds = time.perf_counter() - started
        lookups = server.requests_of("lookup")
        statuses = Counter(r.status.value for d in report.documents for r in d.resolutions)
        findings = sorted((f.code, f.reference or "", f.message) for f in report.findings)
        return {
            "seconds": round(seconds, 1),
            "requests": len(server.requests),
            "lookups": len(lookups),
            "searches": len(server.requests_of("search")),
            "lookups_per_second": round(len(lookups) / seconds, 2) if seconds else None,
            "faults_planned": len(faulty),
            "deliberate_errors": dict(sorted(Counter(errors.values()).items())),
            "fault_kinds": dict(sorted(kinds.items())),
            "violations": server.violations,
            "statuses": dict(sorted(statuses.items())),
            "findings": len(findings),
            "finding_codes": dict(sorted(Counter(code for code, _, _ in findings).items())),
            "_findings": findings,
        }


def run(args: list[str]) -> dict[str, Any]:
    """Audit the generated manuscript `--runs` times (fresh cache each), compare the findings."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load")
    parser.add_argument("--references", type=int, default=5000, help="References (each with a DOI); 1000 ≈ 100 s.")
    parser.add_argument("--fault-rate", type=float, default=0.05, help="Share of references whose first request fails.")
    parser.add_argument("--error-rate", type=float, default=0.02,
                        help="Share of references with a deliberate error (wrong year, unregistered DOI).")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=0.5, help="--timeout of the audit (a delayed answer takes 3x).")
    parser.add_argument("--latency-ms", type=float, default=5.0, help="Server latency added to every answer.")
    parser.add_argument("--batch", type=int, default=0, help="DOIs per Crossref list request (0: one by one).")
    options = parser.parse_args(args)
    os.environ["CITECHECK_CROSSREF_BATCH"] = str(options.batch)  # read when the sources are built
    runs = [_one_run(options.references, options.fault_rate, options.error_rate, options.seed, options.timeout,
                     options.latency_ms) for _ in range(options.runs)]
    first = runs[0]["_findings"]
    same = all(r["_findings"] == first for r in runs)
    for r in runs:
        del r["_findings"]
    return {"references": options.references, "fault_rate": options.fault_rate, "error_rate": options.error_rate,
            "seed": options.seed,
            "limits": {"lookups_per_second": POLITE.lookups_per_second, "concurrency": POLITE.concurrency},
            "runs": runs, "same_findings_every_run": same}


def main() -> None:
    """Command-line entry point."""
    print(json.dumps(run(sys.argv[1:]), indent=2))


if __name__ == "__main__":
    main()
