"""`python -m benchmarks SUITE [options]`: run one suite and print its JSON figures on stdout;
`python -m benchmarks all [--quick] [--out DIR]`: run every suite with its defaults and write
`reports/benchmarks.json` and `reports/benchmarks.md` (see `benchmarks.report`);
`python -m benchmarks all --only SUITE` runs that suite and replaces its figures in the existing
reports, keeping the others (each suite says when it was measured).

Suites: parsing, matching, linking, realdocs, throughput, scale, audit_speed, pdf, html, corpus, and
thesis when `benchmarks/thesis.py` exists. A suite whose data under `../shared` (or
`$CITECHECK_SHARED`) is absent is
skipped in `all` with a note saying so; asked for alone, it fails with that note (exit 2).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
"""The repository root."""
SHARED_ROOT = Path(os.environ.get("CITECHECK_SHARED") or ROOT / ".." / "shared")
"""The team's shared data: `../shared` beside the clone, or where `CITECHECK_SHARED` points (a git
worktree does not stand beside it)."""
SHARED = SHARED_ROOT / "datasets"
"""Where the suites' default data live."""

SUITES = ("parsing", "matching", "linking", "realdocs", "throughput", "scale", "audit_speed", "thesis", "pdf",
          "html", "corpus")
"""Every suite, in the order `all` runs them."""

REQUIRED_DATA: dict[str, tuple[Path, ...]] = {
    "parsing": (SHARED / "anystyle", SHARED / "grobid"),
    "matching": (SHARED / "biblio-glutton" / "refs-dev.jsonl.gz", SHARED / "biblio-glutton" / "records-dev.jsonl.gz"),
    "realdocs": (SHARED_ROOT / "corpus" / "realdocs",),
    "scale": (SHARED / "biblio-glutton" / "refs-dev.jsonl.gz", SHARED / "biblio-glutton" / "records-dev.jsonl.gz",
              SHARED / "crossref-matching" / "real_structured_2000_sbmv.json"),
    "corpus": (SHARED / "biblio-glutton" / "refs-dev.jsonl.gz", SHARED / "biblio-glutton" / "records-dev.jsonl.gz"),
}
"""Data a suite's defaults read; without it, `all` skips the suite."""

QUICK_ARGS: dict[str, list[str]] = {
    "parsing": ["--anystyle-none"],
    "matching": ["--limit", "1000"],
    "throughput": ["--references", "30"],
    "scale": ["--records", "1000000", "--checkpoint", "100000"],
    "audit_speed": ["--repeat", "1"],
    "pdf": ["--repeat", "1"],
    "html": ["--repeat", "1"],
    "corpus": ["--articles", "60", "--scan-rows", "1000000", "--repeat", "1"],
}
"""Smaller runs for `all --quick` (minutes instead of a quarter of an hour)."""


def available() -> list[str]:
    """The suites present in this checkout (thesis only once its module exists)."""
    return [s for s in SUITES if importlib.util.find_spec(f"benchmarks.{s}") is not None]


def missing_data(suite: str) -> list[str]:
    """The default data files a suite needs that are absent."""
    return [str(p.resolve()) for p in REQUIRED_DATA.get(suite, ()) if not p.exists()]


def runner(suite: str) -> Callable[[list[str]], dict[str, Any]]:
    """The suite's `run`, taking command-line arguments (modules with `parse_args` take a Namespace)."""
    module = importlib.import_module(f"benchmarks.{suite}")
    run = module.run
    parse = getattr(module, "parse_args", None)
    if callable(parse):
        return lambda argv: run(parse(argv))
    return run


def run_suite(suite: str, argv: list[str]) -> dict[str, Any]:
    """Run one suite; its figures with the wall time of the whole run added."""
    started = time.perf_counter()
    figures = runner(suite)(argv)
    figures.setdefault("suite_seconds", round(time.perf_counter() - started, 1))
    return figures


def run_all(quick: bool, out_dir: Path, only: Sequence[str] = ()) -> dict[str, Any]:
    """Every suite with its defaults (or quick arguments); writes both reports; returns them."""
    from benchmarks.report import machine, write_reports

    results: dict[str, Any] = {}
    for suite in only or available():
        absent = missing_data(suite)
        if absent:
            results[suite] = {"skipped": f"data absent: {', '.join(absent)}"}
            print(f"benchmarks: {suite}: skipped (data absent)", file=sys.stderr)
            continue
        argv = QUICK_ARGS.get(suite, []) if quick else []
        print(f"benchmarks: {suite} {' '.join(argv)}".rstrip(), file=sys.stderr, flush=True)
        try:
            results[suite] = {"args": argv, **run_suite(suite, argv)}
        except Exception as error:  # one broken suite must not cost the others' figures
            traceback.print_exc()
            results[suite] = {"error": f"{type(error).__name__}: {error}"}
    document = {"machine": machine(), "quick": quick, "suites": results}
    if only:
        document = _merged_with_previous(document, out_dir)
    write_reports(document, out_dir)
    return document


def _merged_with_previous(document: dict[str, Any], out_dir: Path) -> dict[str, Any]:
    """`all --only SUITE`: the suites run now replace theirs in the existing report; the other
    suites' figures stay, each still stamped with the machine and date it was measured on."""
    previous_path = out_dir / "benchmarks.json"
    try:
        previous = json.loads(previous_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return document
    suites = dict(previous.get("suites", {}))
    for figures in suites.values():
        figures.setdefault("measured", previous.get("machine", {}).get("date"))
    for name, figures in document["suites"].items():
        suites[name] = {**figures, "measured": document["machine"]["date"]}
    ordered = {name: suites[name] for name in [*SUITES, *sorted(set(suites) - set(SUITES))] if name in suites}
    return {**document, "quick": bool(previous.get("quick")) or document["quick"], "suites": ordered}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    names = available()
    if not args or args[0] in ("-h", "--help"):
        print(__doc__.strip() + "\n\nAvailable: " + ", ".join(names + ["all"]))
        return 0 if args else 2
    suite, rest = args[0].replace("-", "_"), args[1:]
    if suite == "all":
        parser = argparse.ArgumentParser(prog="python -m benchmarks all")
        parser.add_argument("--quick", action="store_true", help="smaller runs of the slow suites")
        parser.add_argument("--out", type=Path, default=ROOT / "reports", help="where to write the reports")
        parser.add_argument("--only", action="append", default=[], choices=names, help="run only these suites")
        options = parser.parse_args(rest)
        document = run_all(options.quick, options.out, options.only)
        print(json.dumps(document, indent=2, ensure_ascii=False))
        return 0
    if suite not in names:
        print(f"benchmarks: unknown suite {args[0]!r} (available: {', '.join(names + ['all'])})", file=sys.stderr)
        return 2
    if not rest:
        absent = missing_data(suite)
        if absent:
            print(f"benchmarks: {suite}: data absent: {', '.join(absent)}; pass paths on the command line",
                  file=sys.stderr)
            return 2
    print(json.dumps(run_suite(suite, rest), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
