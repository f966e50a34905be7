"""PDF input: reading speed, and citations and links against the source documents' golds.

    python -m benchmarks pdf [--repeat N] [--fixtures DIR]

Speed: `long.pdf` (31 pages, two columns, LaTeX; `scripts/long_paper.py`) read end to end as
`citecheck audit` reads it (`citecheck.engine.read`: PDF → text and layout → citations and
entries parsed), best and median of N runs, with the load average of the machine beside them.
The target is under 2 s.

Accuracy: every `tests/fixtures/pdf/NAME.gold.json` names its PDF, and lists what the SOURCE
document cites where (written by hand from the .tex/.txt/.docx source, or by the generator for
the long paper; never from citecheck's output) and the numbers that are not citations (traps).
A gold citation is placed in the text read from the PDF by the words just before it (`after`)
or by its own text (`at`), searched in order with spaces ignored (line breaks and hyphenation
are the reader's business). A citation found is correct when it starts right after its
anchor (`after`: at most one character away) or overlaps its text (`at`); a link is correct
when the gold lists it (gold targets are entry positions, turned into the reader's entry ids).
A found citation that is no gold citation but sits on a trap is a trap hit.

The same paper is also read by each candidate library alone, as the
choice of pypdfium2 was made: pdfium's plain text, pdfium with what the reader asks per
character (box, baseline origin, font size, matrix), and pdfplumber's characters (size, matrix,
font name; pdfminer.six underneath), when pdfplumber is installed (it is not a dependency).

Real articles: unless `--no-realdocs`, the realdocs corpus (77 PLOS and eLife articles, gold
links from the publishers' XML) is set in two columns and printed to PDF by LibreOffice, and
read both as PDF and as text against the same gold (`benchmarks.pdf_realdocs`; skipped with a
note without the corpus or LibreOffice).

Output keys: seconds_best, seconds_median, cpu_seconds_best, pages, load_average, precision, recall, f1,
links_precision, links_recall, n, traps, trap_hits, entries_expected, entries_read, by_document,
errors.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

from benchmarks.linking import _figures
from citecheck.config.options import AuditOptions
from citecheck.engine import ReadResult, read

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "pdf"
"""The test PDFs and their golds."""
SPEED_DOCUMENT = "long.pdf"
"""The paper timed for speed."""


def _compact(text: str) -> tuple[str, list[int]]:
    """The text without whitespace, and for each of its characters its offset in `text`."""
    kept = [(i, c) for i, c in enumerate(text) if not c.isspace()]
    return "".join(c for _, c in kept), [i for i, _ in kept]


def _squash(text: str) -> str:
    return "".join(text.split())


def _locate(compact: str, offsets: list[int], item: dict[str, Any], cursor: int) -> tuple[int, int, int] | None:
    """(start, end, next cursor) of a gold item in the text, or None when it is not there.

    `after`: the place just after the anchor (one character wide); `at`: the item's own text.
    """
    key = "after" if "after" in item else "at"
    needle = _squash(str(item[key]))
    found = compact.find(needle, cursor)
    if found < 0:
        return None
    if key == "after":
        position = found + len(needle)
        if position >= len(offsets):
            return None
        return offsets[position], offsets[position] + 1, position
    return offsets[found], offsets[found + len(needle) - 1] + 1, found + len(needle)


def score_pdf(gold_path: Path, result: ReadResult | None = None) -> dict[str, Any]:
    """Counts and errors for one test PDF against its gold (see the module docs)."""
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    pdf = gold_path.parent / gold["pdf"]
    result = result or read(pdf, AuditOptions())
    text = result.document.source.text
    compact, offsets = _compact(text)
    ids = [reference.id for reference in result.references]
    errors: list[dict[str, Any]] = []
    marks: list[tuple[int, int, str, tuple[str, ...]]] = []  # start, end, kind, target ids
    cursor = 0
    missing = 0
    for item in gold["citations"]:
        place = _locate(compact, offsets, item, cursor)
        if place is None:
            missing += 1
            errors.append({"kind": "gold-not-in-text", "gold": item})
            continue
        start, end, cursor = place
        targets = tuple(ids[int(t) - 1] if 0 < int(t) <= len(ids) else f"#entry-{t}" for t in item["targets"])
        marks.append((start, end, "after" if "after" in item else "at", targets))
    traps = []
    for item in gold.get("traps", []):
        place = _locate(compact, offsets, item, 0)
        if place is not None:
            traps.append((place[0], place[1], item["kind"]))
    found_gold: set[int] = set()
    # A gold link found by two pieces of one gold citation is one link found (recall), though
    # each piece's link is right (precision).
    gold_links_found: set[tuple[int, str]] = set()
    correct = links_predicted = links_correct = trap_hits = 0
    for citation in result.document.citations:
        start, end = citation.span.start, citation.span.end
        # A gold citation may come out in pieces (`[1],[2]` as two): each piece on it is right,
        # and it counts once for recall. Gold citations not yet found are matched first.
        hits = sorted((i for i, (s, e, kind, _) in enumerate(marks)
                       if (abs(start - s) <= 1 if kind == "after" else start < e and s < end)),
                      key=lambda i: i in found_gold)
        where = str(citation.span)
        if hits:
            correct += 1
            found_gold.add(hits[0])
            wanted = marks[hits[0]][3]
        else:
            trapped = [kind for s, e, kind in traps if start < e and s < end]
            trap_hits += bool(trapped)
            errors.append({"kind": "false-citation", "where": where, "text": citation.text, "trap": trapped})
            wanted = ()
        for target in citation.targets:
            links_predicted += 1
            if target in wanted and target in ids:
                links_correct += 1
                gold_links_found.add((hits[0], target))
            elif hits:
                errors.append({"kind": "wrong-link", "where": where, "text": citation.text, "target": target})
    for index, (start, _, _, targets) in enumerate(marks):
        if index not in found_gold:
            errors.append({"kind": "missed-citation", "offset": start, "targets": list(targets),
                           "context": " ".join(text[max(0, start - 40):start + 10].split())})
    return {
        "document": gold["pdf"],
        "format": "pdf",
        "gold": len(gold["citations"]),
        "found": len(result.document.citations),
        "found_correct": correct,
        "gold_found": len(found_gold),
        "links_gold": sum(len(item["targets"]) for item in gold["citations"]),
        "links_predicted": links_predicted,
        "links_correct": links_correct,
        "links_gold_found": len(gold_links_found),
        "traps": len(gold.get("traps", [])),
        "trap_hits": trap_hits,
        "entries_expected": gold.get("entries"),
        "entries_read": len(result.references),
        "gold_missing_from_text": missing,
        "errors": errors,
    }


def time_reading(pdf: Path, repeat: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds to read `pdf` as the audit does, `repeat` times (after one warm-up
    read). On a shared machine the CPU time says what the wall time would be on a quiet one."""
    read(pdf, AuditOptions())
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        read(pdf, AuditOptions())
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return wall, cpu


def compare_libraries(pdf: Path) -> dict[str, Any]:
    """Seconds each candidate library takes to give what the reader needs from `pdf`."""
    import pypdfium2

    from citecheck.documents.pdf.glyphs import read_page

    figures: dict[str, Any] = {}
    started = time.perf_counter()
    document = pypdfium2.PdfDocument(pdf)
    for index in range(len(document)):
        document[index].get_textpage().get_text_range()
    document.close()
    figures["pypdfium2_text_seconds"] = round(time.perf_counter() - started, 3)
    started = time.perf_counter()
    document = pypdfium2.PdfDocument(pdf)
    glyphs = 0
    for number in range(1, len(document) + 1):
        page = read_page(document, number)
        glyphs += len(page.glyphs)
        page.close()
    document.close()
    figures["pypdfium2_characters_seconds"] = round(time.perf_counter() - started, 3)
    figures["characters"] = glyphs
    try:
        import pdfplumber
    except ImportError:
        figures["pdfplumber_characters_seconds"] = "not installed"
        return figures
    started = time.perf_counter()
    with pdfplumber.open(pdf) as opened:
        for page in opened.pages:
            for char in page.chars:
                char["size"], char["matrix"], char["fontname"]
    figures["pdfplumber_characters_seconds"] = round(time.perf_counter() - started, 3)
    return figures


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The suite's options."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks pdf", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed reads of the long paper (default 5)")
    parser.add_argument("--fixtures", type=Path, default=FIXTURES, help="directory of PDFs and *.gold.json")
    parser.add_argument("--no-realdocs", action="store_true", help="skip the real articles printed to PDF")
    parser.add_argument("--realdocs-limit", type=int, default=None, help="only the first N real articles")
    parser.add_argument("--no-compare", action="store_true",
                        help="do not time pypdfium2 and pdfplumber alone on the long paper")
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Speed of the long paper and accuracy over every gold; figures as JSON-ready data."""
    import pypdfium2

    speed_pdf = args.fixtures / SPEED_DOCUMENT
    load_before = os.getloadavg()[0]
    times, cpu_times = time_reading(speed_pdf, max(1, args.repeat))
    load_after = os.getloadavg()[0]
    document = pypdfium2.PdfDocument(speed_pdf)
    pages = len(document)
    document.close()
    counts = [score_pdf(path) for path in sorted(args.fixtures.glob("*.gold.json"))]
    libraries = None if args.no_compare else compare_libraries(speed_pdf)
    realdocs = None
    if not args.no_realdocs:
        from benchmarks.pdf_realdocs import measure

        realdocs = measure(args.realdocs_limit)
    return {
        "seconds_best": round(min(times), 3),
        "seconds_median": round(statistics.median(times), 3),
        "cpu_seconds_best": round(min(cpu_times), 3),
        "pages": pages,
        "load_average": [round(load_before, 2), round(load_after, 2)],
        "cpu_count": os.cpu_count(),
        **_figures(counts),
        "documents": len(counts),
        "entries_expected": sum(c["entries_expected"] or 0 for c in counts),
        "entries_read": sum(c["entries_read"] for c in counts),
        "by_document": {c["document"]: {k: v for k, v in c.items() if k not in ("errors", "document", "format")}
                        for c in counts},
        "errors": [{"document": c["document"], **e} for c in counts for e in c["errors"]],
        **({"libraries": libraries} if libraries else {}),
        **({"realdocs": realdocs} if realdocs else {}),
    }
