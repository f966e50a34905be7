"""Resolving many references through a large local snapshot, with no network.

    python -m benchmarks scale [--records 1000000] [--references 10000] [--checkpoints 1000,3000,10000]

Generates `--records` Crossref-shaped synthetic records (invented pseudo-word titles and names,
the journal family "Journal of Synthetic ...", DOIs under Crossref's test prefix 10.5555) into a
gzipped JSON Lines file, builds a snapshot with `citecheck.sources.snapshot.build_snapshot`,
writes `--references` of them back as Vancouver-style reference strings without DOIs, parses
them with citecheck's parser and resolves them with citecheck's `Resolver` over the snapshot
(search, then `citecheck.matching.decide`, as `audit --offline --snapshot` does). Reports the
build time, and at each checkpoint the cumulative resolve time, references per second and peak
resident memory, so the growth with the number of references can be read off. Temporary files
live in a temporary directory that is deleted at the end.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "ta", "vo", "shi", "pe", "zu", "ba", "qui", "dor", "fen", "gal",
             "hix", "jor", "kel", "mun", "nor", "pli", "ros", "sut", "tev", "ulm", "vex", "wyn", "yar", "zem", "bri")
"""Syllables of the invented words (so no title can be mistaken for a real one)."""
JOURNALS = tuple(f"Journal of Synthetic {topic}" for topic in (
    "Results", "Outcomes", "Methods", "Cohorts", "Signals", "Models", "Protocols", "Reviews"))
_ABBREVIATIONS = {name: "J Synth " + name.split()[-1][:5] for name in JOURNALS}
DOI_PREFIX = "10.5555"
"""Crossref's test prefix: no real work is registered under it."""


def pseudo_word(rng: random.Random) -> str:
    """An invented word of two to four syllables."""
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def synthetic_record(index: int, rng: random.Random) -> dict[str, Any]:
    """One Crossref-shaped `message` record of an invented journal article."""
    title = " ".join(pseudo_word(rng) for _ in range(rng.randint(5, 9))).capitalize()
    authors = [{"family": pseudo_word(rng).capitalize(), "given": rng.choice("ABCDEFGHJKLMN") + "."}
               for _ in range(rng.randint(1, 4))]
    first = rng.randint(1, 2000)
    journal = rng.choice(JOURNALS)
    return {
        "DOI": f"{DOI_PREFIX}/synth.{index}",
        "type": "journal-article",
        "title": [title],
        "author": authors,
        "container-title": [journal],
        "short-container-title": [_ABBREVIATIONS[journal]],
        "issued": {"date-parts": [[rng.randint(1980, 2024)]]},
        "volume": str(rng.randint(1, 300)),
        "issue": str(rng.randint(1, 12)),
        "page": f"{first}-{first + rng.randint(2, 20)}",
    }


def reference_string(record: dict[str, Any]) -> str:
    """The record written as a Vancouver-style reference, without its DOI."""
    authors = ", ".join(f"{a['family']} {a['given'].rstrip('.')}" for a in record["author"])
    year = record["issued"]["date-parts"][0][0]
    return (f"{authors}. {record['title'][0]}. {record['short-container-title'][0]}. "
            f"{year};{record['volume']}({record['issue']}):{record['page']}.")


def synthetic_records(count: int, seed: int = 1) -> Iterator[dict[str, Any]]:
    """`count` records, deterministic for a seed."""
    rng = random.Random(seed)
    for index in range(count):
        yield synthetic_record(index, rng)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(kib / 1024 if sys.platform != "darwin" else kib / 2**20, 1)


def run(args: list[str]) -> dict[str, Any]:
    """Generate, build, resolve; the figures as a JSON-able dict."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks scale", description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000, help="records in the generated snapshot")
    parser.add_argument("--references", type=int, default=10_000, help="references to resolve")
    parser.add_argument("--checkpoints", default="1000,3000,10000",
                        help="report cumulative figures after these many references (comma-separated)")
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args(args)
    if options.records < 1 or options.references < 1:
        parser.error("--records and --references must be positive")
    references_wanted = min(options.references, options.records)
    checkpoints = sorted({int(c) for c in options.checkpoints.split(",") if c.strip()} | {references_wanted})
    checkpoints = [c for c in checkpoints if 0 < c <= references_wanted]

    from citecheck.references.entries import references_from_entries
    from citecheck.model import RawEntry
    from citecheck.model import ResolutionStatus, Span
    from citecheck.resolve.resolver import Resolver
    from citecheck.sources.snapshot import SnapshotSource, build_snapshot

    # The references are every k-th record, so they are spread over the whole snapshot.
    step = max(1, options.records // references_wanted)
    chosen: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="citecheck-scale-") as tmp:
        records_path = Path(tmp) / "records.jsonl.gz"
        started = time.perf_counter()
        with gzip.open(records_path, "wt", encoding="utf-8", compresslevel=1) as out:
            for index, record in enumerate(synthetic_records(options.records, options.seed)):
                out.write(json.dumps(record, separators=(",", ":")) + "\n")
                if index % step == 0 and len(chosen) < references_wanted:
                    chosen.append(record)
        generate_seconds = time.perf_counter() - started
        started = time.perf_counter()
        stored = build_snapshot([records_path], Path(tmp) / "snapshot.sqlite3")
        build_seconds = time.perf_counter() - started
        snapshot_mb = (Path(tmp) / "snapshot.sqlite3").stat().st_size / 2**20

        entries = [RawEntry(text=reference_string(r), span=Span("references", i + 1, 1), number=i + 1)
                   for i, r in enumerate(chosen)]
        started = time.perf_counter()
        references = references_from_entries(entries)
        parse_seconds = time.perf_counter() - started

        source = SnapshotSource(Path(tmp) / "snapshot.sqlite3", name="scale")
        resolver = Resolver([source], jobs=1)
        points: list[dict[str, Any]] = []
        correct = matched = 0
        done = 0
        started = time.perf_counter()
        for checkpoint in checkpoints:
            batch = references[done:checkpoint]
            for reference, resolution in zip(batch, resolver.resolve_all(batch)):
                truth = chosen[int(reference.id) - 1]["DOI"]
                if resolution.status is ResolutionStatus.MATCHED:
                    matched += 1
                    correct += resolution.work is not None and resolution.work.doi == truth.lower()
            done = checkpoint
            elapsed = time.perf_counter() - started
            points.append({
                "references": checkpoint,
                "seconds": round(elapsed, 2),
                "references_per_second": round(checkpoint / elapsed, 1) if elapsed else 0.0,
                "ms_per_reference": round(1000 * elapsed / checkpoint, 3),
                "peak_rss_mb": peak_rss_mb(),
            })
        source.close()
    first, last = points[0], points[-1]
    # Linear growth: the time per reference stays flat as the count grows.
    growth = round(last["ms_per_reference"] / first["ms_per_reference"], 2) if first["ms_per_reference"] else 0.0
    return {
        "records": stored,
        "references": done,
        "generate_seconds": round(generate_seconds, 1),
        "build_seconds": round(build_seconds, 1),
        "snapshot_mb": round(snapshot_mb, 1),
        "parse_seconds": round(parse_seconds, 2),
        "resolve_seconds": last["seconds"],
        "references_per_second": last["references_per_second"],
        "ms_per_reference": last["ms_per_reference"],
        "peak_rss_mb": peak_rss_mb(),
        "matched": matched,
        "matched_correct": correct,
        "checkpoints": points,
        "ms_per_reference_growth": growth,
        "note": "cumulative figures of one pass; peak RSS is the whole process (records generator, SQLite cache)",
    }
