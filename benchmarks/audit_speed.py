"""Speed of the offline audit (read, parse, link, check) on a generated manuscript.

`python -m benchmarks.audit_speed [--references 1000] [--citations 5000] [--repeat 3]` prints
JSON: the best wall time of the linking-only audit (`--no-verify`) and of the audit verified
against the shipped snapshot with no network, with the counts found.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.synthetic import numeric_document
from citecheck.config.options import AuditOptions
from citecheck.engine import audit


def run(args: list[str]) -> dict[str, Any]:
    """Generate the document, audit it `--repeat` times per mode, report the best times."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.audit_speed")
    parser.add_argument("--references", type=int, default=1000)
    parser.add_argument("--citations", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args(args)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "manuscript.txt"
        path.write_text(numeric_document(options.references, options.citations), encoding="utf-8")
        results: dict[str, Any] = {"references": options.references, "citations": options.citations,
                                   "bytes": path.stat().st_size, "cpu_count": os.cpu_count()}
        for mode, audit_options in (
            ("linking_only", AuditOptions(verify=False)),
            ("offline_snapshot", AuditOptions(network=False, use_cache=False)),
        ):
            best = float("inf")
            for _ in range(options.repeat):
                started = time.perf_counter()
                report = audit([path], audit_options)
                best = min(best, time.perf_counter() - started)
            results[mode] = {
                "seconds": round(best, 3),
                "citations_found": report.summary.citations,
                "references_found": report.summary.references,
                "findings": report.summary.findings,
            }
    return results


def main() -> None:
    """Command-line entry point."""
    print(json.dumps(run(sys.argv[1:]), indent=2))


if __name__ == "__main__":
    main()
