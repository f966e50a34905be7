"""A snapshot the size of Crossref's: build it, and resolve real references through it.

    python -m benchmarks scale [--records 10000000] [--checkpoint 1000000] [--references 10000]
                               [--data DIR] [--keep-data] [--workers N] [--profile-records 100000]

1. Generates `--records` works that look like Crossref's (`benchmarks/crossref_like.py`:
   title words, family names, journals, volumes and years with the real frequencies, ~11 KB
   of JSON each), as the 2025 public data file ships them (gzipped JSON Lines, 5,000 works per
   file), with the real biblio-glutton records planted among the first `--checkpoint` works
   (minus a held-out 15%, chosen as `benchmarks.matching` chooses it).
2. Profiles the build's CPU stage by stage on the first `--profile-records` works
   (`benchmarks/scale_profile.py`).
3. Builds a snapshot of the first `--checkpoint` works and one of all of them with
   `build_snapshot` in a process of its own: wall time, the CPU of the writer and of its
   workers (`getrusage`, so that a busy machine inflates it less than the wall time), the time
   of each finishing step, peak memory.
4. Resolves through each snapshot (a) the real biblio-glutton reference strings — 10,247 PDF
   extractions whose true DOIs are known, held-out ones as negatives — and (b) `--references`
   Vancouver-style references of generated works: each parsed by citecheck's parser (timed
   apart), then `Resolver.resolve` as `audit --offline --snapshot` does it (blocking keys,
   record decoding, the matcher, and the bounded full-text fallback when no key gives a
   match, whose calls are counted and timed apart too); and looks up DOIs.
5. Audits a real article (`../shared/corpus/realdocs`) offline against the large snapshot in a
   separate process, for an audit's time and peak memory (most of its references are absent
   from a snapshot of invented works: the fallback's worst case).

Generated data live in `--data` (default: `$CITECHECK_SCALE_DATA`, so that `python -m benchmarks
all --only scale` can reuse them, else a temporary directory, deleted at the end unless
`--keep-data`); with `--data` pointing at an earlier run's files they are reused.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks.scale_profile import profile

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT / ".." / "shared" / "datasets"
PER_FILE = 5000
"""Works per generated file, as in the 2025 public data file."""
HOLDOUT = 0.15
"""Share of the real records held out of the snapshot (their references are negatives)."""

_BUILD = """
import json, resource, sys, time
from pathlib import Path
from citecheck.sources.snapshot import build_snapshot
inputs = [Path(p) for p in json.loads(sys.argv[1])]
phases = {}
def progress(status):
    phases.setdefault(status.phase, time.perf_counter())
started = time.perf_counter()
result = build_snapshot(inputs, Path(sys.argv[2]), workers=None if sys.argv[3] == "auto" else int(sys.argv[3]),
                        progress=progress)
ended = time.perf_counter()
me, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
marks = sorted((t, phase) for phase, t in phases.items() if phase not in ("reading", "done")) + [(ended, "")]
print(json.dumps({"records": result.records, "seconds": ended - started,
                  "phase_seconds": {phase: round(b - a, 1) for (a, phase), (b, _) in zip(marks, marks[1:])},
                  "writer_cpu": me.ru_utime + me.ru_stime, "workers_cpu": workers.ru_utime + workers.ru_stime,
                  "parent_peak_mib": me.ru_maxrss / 1024, "worker_peak_mib": workers.ru_maxrss / 1024}))
"""
"""The build in a process of its own: its wall time, its CPU and its workers', the time of each
finishing step, and the peak memory of each."""


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        return [json.loads(line) for line in stream if line.strip()]


def _glutton() -> tuple[list[dict[str, Any]], list[dict[str, Any]], set[str]]:
    """(records in the pool, references, held-out DOIs), as `benchmarks.matching` splits them."""
    from citecheck.references.doi import normalize_doi

    records = _read_jsonl(DATASETS / "biblio-glutton" / "records-dev.jsonl.gz")
    refs = _read_jsonl(DATASETS / "biblio-glutton" / "refs-dev.jsonl.gz")
    dois = sorted({normalize_doi(str(r.get("DOI", ""))) for r in records} - {""})
    held_out = set(random.Random(1).sample(dois, round(len(dois) * HOLDOUT)))
    pool = [r for r in records if normalize_doi(str(r.get("DOI", ""))) not in held_out]
    return pool, refs, held_out


def _generate_part(args: tuple[Path, int, int, int, list[dict[str, Any]]]) -> str:
    from benchmarks.crossref_like import write_part

    path, seed, start, count, planted = args
    if not path.exists():
        write_part(path, _distributions(), seed, start, count, planted)
    return str(path)


_CACHE: dict[str, Any] = {}


def _distributions() -> Any:
    from benchmarks.crossref_like import Distributions

    if "d" not in _CACHE:
        _CACHE["d"] = Distributions.measure(DATASETS)
    return _CACHE["d"]


def generate(data: Path, total: int, checkpoint: int, planted: list[dict[str, Any]], workers: int) -> list[Path]:
    """The generated files (made when absent), the real records spread over the first
    `checkpoint` works."""
    from benchmarks.crossref_like import parts

    data.mkdir(parents=True, exist_ok=True)
    first_files = max(1, -(-checkpoint // PER_FILE))
    shares: list[list[dict[str, Any]]] = [planted[i::first_files] for i in range(first_files)]
    jobs = [(data / f"part-{index:05}.jsonl.gz", 1000 + index, start, count, shares[index] if index < first_files else [])
            for index, start, count in parts(total, PER_FILE)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return [Path(p) for p in pool.map(_generate_part, jobs, chunksize=4)]


def build(files: list[Path], output: Path, workers: str) -> dict[str, Any]:
    """Build in a separate process; its figures (time, peak memory of it and its workers)."""
    done = subprocess.run([sys.executable, "-c", _BUILD, json.dumps([str(f) for f in files]), str(output), workers],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"build failed: {done.stderr.strip()[-500:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    size, records = output.stat().st_size, figures["records"]
    cpu_us = 1e6 * (figures["writer_cpu"] + figures["workers_cpu"]) / records
    return {
        "records": records,
        "seconds": round(figures["seconds"], 1),
        "records_per_second": round(records / figures["seconds"]),
        "finishing_seconds": figures["phase_seconds"],
        "cpu_us_per_record": {"writer": round(1e6 * figures["writer_cpu"] / records, 1),
                              "workers": round(1e6 * figures["workers_cpu"] / records, 1), "total": round(cpu_us, 1)},
        # Two cores kept busy by this CPU time alone: what the build would do on an idle machine
        # (wall time counts the other engineers' processes too). The finishing steps run on one
        # core, so they count twice.
        "projected_records_per_second_on_2_idle_cores": round(records / (
            (figures["writer_cpu"] + figures["workers_cpu"]) / 2 + sum(figures["phase_seconds"].values()) / 2)),
        "bytes": size,
        "bytes_per_record": round(size / records, 1),
        "peak_rss_mib_writer": round(figures["parent_peak_mib"], 1),
        "peak_rss_mib_largest_worker": round(figures["worker_peak_mib"], 1),
    }


def _vancouver(work: dict[str, Any]) -> str:
    authors = ", ".join(f"{a['family']} {a['given'].replace('.', '').replace(' ', '')}" for a in work["author"][:6])
    more = ", et al" if len(work["author"]) > 6 else ""
    year = work["issued"]["date-parts"][0][0]
    return (f"{authors}{more}. {work['title'][0]}. {work['short-container-title'][0]}. "
            f"{year};{work['volume']}({work['issue']}):{work['page']}.")


def generated_references(files: list[Path], count: int, seed: int = 7) -> list[tuple[str, str]]:
    """(reference string, true DOI) for `count` generated works spread over `files`."""
    try:
        from isal import igzip as opener  # type: ignore[import-not-found]
    except ImportError:  # pragma: no cover
        opener = gzip  # type: ignore[assignment]
    rng = random.Random(seed)
    files = files[:: max(1, len(files) // 40)]  # forty files spread over the range are enough
    per_file = max(1, -(-count // len(files)))
    out: list[tuple[str, str]] = []
    for path in files:
        with opener.open(path, "rt", encoding="utf-8") as stream:
            lines = [line for line in stream if '"10.5555/bench.' in line[:2000]]
        for line in rng.sample(lines, min(per_file, len(lines))):
            work = json.loads(line)
            out.append((_vancouver(work), work["DOI"].lower()))
    rng.shuffle(out)
    return out[:count]


def resolve(snapshot: Path, references: list[tuple[str, str]], held_out: set[str]) -> dict[str, Any]:
    """Parse and resolve every reference through the snapshot alone; timing and accuracy."""
    from citecheck.model import RawEntry, ResolutionStatus, Span
    from citecheck.references.entries import references_from_entries
    from citecheck.resolve.resolver import Resolver
    from citecheck.sources.snapshot import SnapshotSource

    entries = [RawEntry(text=raw, span=Span("refs", i + 1, 1), number=i + 1) for i, (raw, _) in enumerate(references)]
    started = time.perf_counter()
    parsed = references_from_entries(entries)
    parse_seconds = time.perf_counter() - started
    source = SnapshotSource(snapshot, name="scale")
    searches = _SearchClock(source)
    resolver = Resolver([source], jobs=1)
    tp = fp = fn = 0
    started = time.perf_counter()
    for reference, (_, truth) in zip(parsed, references):
        resolution = resolver.resolve(reference)
        got = resolution.work.doi if resolution.status is ResolutionStatus.MATCHED and resolution.work else None
        negative = truth in held_out
        tp += got == truth and not negative
        fp += got is not None and (got != truth or negative)
        fn += not negative and got != truth
    seconds = time.perf_counter() - started
    source.close()
    positives = tp + fn
    return {
        "references": len(references),
        "negatives": sum(t in held_out for _, t in references),
        "ms_per_reference": round(1000 * seconds / len(references), 3),
        "parse_ms_per_reference": round(1000 * parse_seconds / len(references), 3),
        "fallback_searches": searches.count,
        "ms_per_fallback_search": round(1000 * searches.seconds / searches.count, 3) if searches.count else None,
        "precision": round(tp / (tp + fp), 4) if tp + fp else 0.0,
        "recall": round(tp / positives, 4) if positives else 0.0,
        "false_positives": fp,
        "false_negatives": fn,
    }


class _SearchClock:
    """Counts and times a snapshot's full-text searches (the fallback when no key gives a
    match), wrapping the method on that one instance."""

    def __init__(self, source: Any) -> None:
        self.count, self.seconds = 0, 0.0
        search = source.search

        def timed(query: str, rows: int = 5) -> Any:
            started = time.perf_counter()
            try:
                return search(query, rows)
            finally:
                self.count += 1
                self.seconds += time.perf_counter() - started

        source.search = timed


def doi_lookups(snapshot: Path, dois: list[str]) -> dict[str, Any]:
    """DOI lookups per second through the snapshot (biblio-glutton's published figure is
    ~6,300/s), and how many were found."""
    from citecheck.sources.snapshot import SnapshotSource

    source = SnapshotSource(snapshot, name="scale")
    started = time.perf_counter()
    found = sum(source.lookup_doi(doi) is not None for doi in dois)
    seconds = time.perf_counter() - started
    source.close()
    return {"lookups": len(dois), "found": found, "per_second": round(len(dois) / seconds) if seconds else None}


_AUDIT = """
import resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run([sys.executable, "-m", "citecheck", *sys.argv[1:]], capture_output=True, text=True)
print(done.returncode, time.perf_counter() - started, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(done.stdout)
"""


def audit_memory(snapshot: Path) -> dict[str, Any]:
    """Time and peak memory of `citecheck audit --offline` of a real article against the
    snapshot, measured by a process of its own (so no earlier child's memory counts)."""
    documents = sorted((DATASETS.parent / "corpus" / "realdocs").glob("*.txt"))
    if not documents:
        return {"skipped": "no ../shared/corpus/realdocs article"}
    document = max(documents, key=lambda p: p.stat().st_size)
    done = subprocess.run([sys.executable, "-c", _AUDIT, "audit", "--offline", "--no-cache", "--snapshot", str(snapshot),
                           "--format", "json", "-q", str(document)], cwd=ROOT, capture_output=True, text=True, check=False)
    head, _, body = done.stdout.partition("\n")
    code, seconds, kib = head.split()
    report = json.loads(body) if body.strip().startswith("{") else {}
    references = report.get("references", [])
    statuses: dict[str, int] = {}
    for reference in references:
        status = str((reference.get("resolution") or {}).get("status") or reference.get("status") or "?")
        statuses[status] = statuses.get(status, 0) + 1
    return {"document": document.name, "references": len(references), "seconds": round(float(seconds), 1),
            "ms_per_reference": round(1000 * float(seconds) / len(references), 1) if references else None,
            "statuses": statuses, "peak_rss_mib": round(int(kib) / 1024, 1), "exit_code": int(code)}


def run(args: list[str]) -> dict[str, Any]:
    """Generate, build at two sizes, resolve; the figures as a JSON-able dict."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks scale", description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000_000, help="generated works in the large snapshot")
    parser.add_argument("--checkpoint", type=int, default=1_000_000, help="generated works in the small snapshot")
    parser.add_argument("--references", type=int, default=10_000, help="generated references to resolve")
    parser.add_argument("--data", type=Path, default=os.environ.get("CITECHECK_SCALE_DATA") or None,
                        help="where generated files are kept, and reused when present (default: $CITECHECK_SCALE_DATA, "
                             "else a temporary directory deleted at the end)")
    parser.add_argument("--keep-data", action="store_true", help="do not delete the generated files at the end")
    parser.add_argument("--workers", default="auto", help="build workers (default: one per core)")
    parser.add_argument("--real-references", type=int, default=None, help="only the first N real references")
    parser.add_argument("--profile-records", type=int, default=100_000,
                        help="records whose build CPU is profiled stage by stage (benchmarks.scale_profile)")
    options = parser.parse_args(args)
    if not 0 < options.checkpoint <= options.records:
        parser.error("need 0 < --checkpoint <= --records")
    load = os.getloadavg()
    temporary = options.data is None
    data = Path(tempfile.mkdtemp(prefix="citecheck-scale-")) if temporary else options.data
    figures: dict[str, Any] = {"load_average_at_start": [round(x, 2) for x in load], "cores": os.cpu_count()}
    try:
        pool, refs, held_out = _glutton()
        started = time.perf_counter()
        files = generate(data / "records", options.records, options.checkpoint, pool, workers=os.cpu_count() or 1)
        figures["generate_seconds"] = round(time.perf_counter() - started, 1)
        sample = files[: max(1, options.checkpoint // PER_FILE)]
        figures["input_bytes_per_record"] = round(sum(f.stat().st_size for f in files) / options.records, 1)
        figures["build_profile"] = profile(files[: -(-options.profile_records // PER_FILE)], options.profile_records)
        real = [(r["reference"], r["doi"].lower()) for r in refs][: options.real_references]
        generated = generated_references(sample, options.references)
        sizes = sorted({options.checkpoint, options.records})
        for size in sizes:
            output = data / f"snapshot-{size}.sqlite3"
            output.unlink(missing_ok=True)
            chosen = files[: -(-size // PER_FILE)]
            entry: dict[str, Any] = {"build": build(chosen, output, options.workers)}
            entry["real_references"] = resolve(output, real, held_out)
            entry["generated_references"] = resolve(output, generated, set())
            entry["doi_lookups"] = doi_lookups(output, [doi for _, doi in real][:5000] + [doi for _, doi in generated][:5000])
            entry["audit"] = audit_memory(output)
            figures[f"at_{size}"] = entry
            if size != sizes[-1]:
                output.unlink()
        small, large = figures[f"at_{sizes[0]}"], figures[f"at_{sizes[-1]}"]
        figures["ms_per_reference_growth"] = round(
            large["real_references"]["ms_per_reference"] / small["real_references"]["ms_per_reference"], 2)
        figures["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
        figures["note"] = ("per reference: Resolver.resolve of a parsed reference through the snapshot alone (blocking "
                           "keys, record decoding, citecheck.matching.decide, and the bounded full-text fallback when no "
                           "key gives a match), one reference after another in one thread, the snapshot's pages already "
                           "read once by the build (warm page cache); parsing the string is timed apart "
                           "(parse_ms_per_reference)")
    finally:
        if temporary and not options.keep_data:
            shutil.rmtree(data, ignore_errors=True)
    return figures
