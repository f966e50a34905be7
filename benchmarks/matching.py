"""Matching benchmark: snapshot search + `citecheck.matching.decide` on real reference strings.

    python -m benchmarks.matching [--refs FILE] [--records FILE] [--holdout 0.15] [--seed 1]
                                  [--limit N] [--errors FILE] [--parse]

Builds a snapshot from the records minus a held-out share (chosen deterministically by the
seed); references whose DOI's record is held out are negatives and must come back unmatched.
Each reference is searched (rows=5) and decided; prints one JSON object with precision,
recall, F1 and timing to stdout, and writes every error (one JSON object per line) to
`--errors`. `--parse` also gives the matcher the reference parser's fields, as audit does.
Defaults: the biblio-glutton dev set in ../shared (Apache-2.0, see its LICENSE.md).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from citecheck.resolve.resolver import match_in
from citecheck.references.doi import normalize_doi
from citecheck.sources.snapshot import SnapshotSource, build_snapshot

_ROOT = Path(__file__).resolve().parents[1]
_DATA = _ROOT / ".." / "shared" / "datasets" / "biblio-glutton"


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, "rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    opener = gzip.open if gzipped else open
    with opener(path, "rt", encoding="utf-8") as stream:  # type: ignore[operator]
        for line in stream:
            if line.strip():
                yield json.loads(line)


def _parse(raw: str) -> dict[str, Any]:
    """The parsed fields of a reference string (imported late: the parser is optional here)."""
    from citecheck.references.parser import parse_reference

    return parse_reference(raw).csl


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line, with the defaults described in the module docstring."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.matching", description=__doc__.splitlines()[0])
    parser.add_argument("--refs", type=Path, default=_DATA / "refs-dev.jsonl.gz")
    parser.add_argument("--records", type=Path, default=_DATA / "records-dev.jsonl.gz")
    parser.add_argument("--holdout", type=float, default=0.15, help="share of records held out (negatives)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--limit", type=int, default=None, help="only the first N references")
    parser.add_argument("--errors", type=Path, default=None, help="write errors here (JSON Lines)")
    parser.add_argument(
        "--parse",
        action="store_true",
        help="also parse each reference (citecheck.references.parser) and give the matcher its fields, as audit does",
    )
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Run the benchmark described by `args` (see `parse_args`); returns the figures."""
    records = list(_read_jsonl(args.records))
    dois = sorted({normalize_doi(str(r.get("DOI", ""))) for r in records} - {""})
    rng = random.Random(args.seed)
    held_out = set(rng.sample(dois, round(len(dois) * args.holdout)))
    refs = list(_read_jsonl(args.refs))
    if args.limit is not None:
        refs = refs[: args.limit]

    with tempfile.TemporaryDirectory(prefix="citecheck-bench-") as tmp:
        pool = Path(tmp) / "pool.jsonl"
        with open(pool, "w", encoding="utf-8") as out:
            for record in records:
                if normalize_doi(str(record.get("DOI", ""))) not in held_out:
                    out.write(json.dumps(record) + "\n")
        started = time.perf_counter()
        stored = build_snapshot([pool], Path(tmp) / "pool.sqlite", workers=0).records
        build_seconds = time.perf_counter() - started
        source = SnapshotSource(Path(tmp) / "pool.sqlite", name="bench")

        tp = fp = fn = negatives = ambiguous = found_in_candidates = 0
        errors: list[dict[str, Any]] = []
        search_seconds = 0.0
        for ref in refs:
            raw, truth = ref["reference"], normalize_doi(ref["doi"])
            negative = truth in held_out
            negatives += negative
            csl = _parse(raw) if args.parse else {}
            t0 = time.perf_counter()
            candidates: list[Any] = []
            decision = match_in(source, csl, raw, examined=candidates)
            search_seconds += time.perf_counter() - t0
            got = decision.work.doi if decision.work else None
            in_candidates = any(c.doi == truth for c in candidates)
            found_in_candidates += in_candidates and not negative
            ambiguous += decision.status == "ambiguous"
            if got is not None and got == truth and not negative:
                tp += 1
                continue
            if got is not None:
                fp += 1
            if not negative:
                fn += 1
            if got is not None or not negative:
                errors.append(
                    {
                        "id": ref.get("id"),
                        "kind": "false-positive" if got is not None else "false-negative",
                        "reference": raw,
                        "doi": truth,
                        "held_out": negative,
                        "predicted": got,
                        "status": decision.status,
                        "confidence": decision.confidence,
                        "evidence": list(decision.evidence),
                        "truth_in_candidates": in_candidates,
                        "candidates": [c.doi for c in candidates],
                    }
                )
        source.close()

    n = len(refs)
    positives = n - negatives
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / positives if positives else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    if args.errors:
        with open(args.errors, "w", encoding="utf-8") as out:
            for error in errors:
                out.write(json.dumps(error, ensure_ascii=False) + "\n")
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "n": n,
        "n_negative": negatives,
        "true_positives": tp,
        "false_positives": fp,
        "false_negatives": fn,
        "ambiguous": ambiguous,
        "candidate_recall": round(found_in_candidates / positives, 4) if positives else 0.0,
        "ms_per_reference": round(1000 * search_seconds / n, 3) if n else 0.0,
        "records_in_snapshot": stored,
        "build_seconds": round(build_seconds, 2),
    }


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run and print the figures as JSON on stdout."""
    args = parse_args(argv)
    for path in (args.refs, args.records):
        if not Path(path).is_file():
            print(f"benchmarks.matching: {path}: no such file", file=sys.stderr)
            raise SystemExit(2)
    print(json.dumps(run(args), indent=2))


if __name__ == "__main__":
    main()
