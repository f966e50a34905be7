"""In-text citation detection and linking, scored on a hand-annotated corpus the suite ships.

    python -m benchmarks linking [--corpus DIR]

Every document in `benchmarks/corpus/linking/` (one per supported format) has a sidecar JSON,
written by hand, listing each citation (line, marker as written, target ids) and each trap (a
number or `@`-word that is not a citation). The document is read with citecheck's own reader
(`citecheck.engine.read`, as `audit` does) and compared with the annotations:

* a found citation is correct when its span overlaps an annotated marker on the same line
  (readers differ on where a marker starts: `metastases.1` reports the digit alone);
* a link (citation → entry id) is correct when it is annotated AND the id is an entry the
  reader built (from the reference list or the .bib file), so a link to nothing never counts;
* a found citation that overlaps an annotated trap is counted as a trap hit (a false alarm on
  a number the corpus put there on purpose).

Output keys: precision, recall, f1, links_precision, links_recall, n (annotated citations),
plus per-format figures, trap counts and every error.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from citecheck.config.options import AuditOptions
from citecheck.engine import read

CORPUS = Path(__file__).resolve().parent / "corpus" / "linking"
"""The corpus shipped with the suite."""


class AnnotationError(ValueError):
    """A sidecar annotation does not match its document (a mistake in the corpus, not the tool)."""


@dataclass(frozen=True)
class Mark:
    """An annotated stretch of one line: a citation (with targets) or a trap."""

    line: int
    start: int
    """0-based column of the first character."""
    end: int
    """0-based column just past the last character."""
    text: str
    targets: tuple[str, ...] = ()


def _locate(lines: list[str], item: dict[str, Any], key: str, where: str) -> Mark:
    """The annotated text's place on its line; AnnotationError when it is not there."""
    line, text = int(item["line"]), str(item[key])
    occurrence = int(item.get("occurrence", 1))
    if not 1 <= line <= len(lines):
        raise AnnotationError(f"{where}: line {line} is outside the document")
    position = -1
    for _ in range(occurrence):
        position = lines[line - 1].find(text, position + 1)
        if position < 0:
            raise AnnotationError(f"{where}: {text!r} (occurrence {occurrence}) is not on line {line}")
    return Mark(line, position, position + len(text), text, tuple(str(t) for t in item.get("targets", ())))


def _overlaps(mark: Mark, line: int, start: int, end: int) -> bool:
    return mark.line == line and start < mark.end and mark.start < end


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _f1(p: float, r: float) -> float:
    return round(2 * p * r / (p + r), 4) if p + r else 0.0


def score_document(annotation_path: Path) -> dict[str, Any]:
    """Counts and errors for one annotated document."""
    annotation = json.loads(annotation_path.read_text(encoding="utf-8"))
    document = annotation_path.parent / annotation["document"]
    lines = document.read_text(encoding="utf-8").splitlines()
    name = annotation_path.name
    gold = [_locate(lines, c, "marker", f"{name} citation {i + 1}") for i, c in enumerate(annotation["citations"])]
    traps = [_locate(lines, t, "text", f"{name} trap {i + 1}") for i, t in enumerate(annotation["traps"])]

    result = read(document, AuditOptions(input_format=annotation.get("format")))
    entry_ids = {reference.id for reference in result.references}
    if annotation.get("targets_are_entry_positions"):
        # Author-year entries have no number: the annotator names them by their place in the
        # list, and that place is turned into the id the reader gave the entry.
        ids = [reference.id for reference in result.references]
        gold = [Mark(m.line, m.start, m.end, m.text,
                     tuple(ids[int(t) - 1] if 0 < int(t) <= len(ids) else f"#missing-entry-{t}" for t in m.targets))
                for m in gold]
    found_gold: set[int] = set()
    correct_found = 0
    links_predicted = links_correct = 0
    predicted_links: set[tuple[int, str]] = set()
    errors: list[dict[str, Any]] = []
    trap_hits = 0
    for citation in result.document.citations:
        line, start = citation.span.line, citation.span.column - 1
        end = start + len(citation.text.split("\n")[0])
        hits = [i for i, mark in enumerate(gold) if _overlaps(mark, line, start, end)]
        if hits:
            correct_found += 1
            found_gold.update(hits)
        else:
            trapped = [t.text for t in traps if _overlaps(t, line, start, end)]
            trap_hits += bool(trapped)
            errors.append({"kind": "false-citation", "line": line, "text": citation.text, "trap": trapped})
        for target in citation.targets:
            owner = next((i for i in hits if target in gold[i].targets), hits[0] if hits else -1)
            if (owner, target) in predicted_links:
                continue  # the same link reported twice (a marker split in two) counts once
            predicted_links.add((owner, target))
            links_predicted += 1
            if owner >= 0 and target in gold[owner].targets and target in entry_ids:
                links_correct += 1
            elif hits:
                errors.append({"kind": "wrong-link", "line": line, "text": citation.text, "target": target,
                               "exists": target in entry_ids})
    for i, mark in enumerate(gold):
        if i not in found_gold:
            errors.append({"kind": "missed-citation", "line": mark.line, "text": mark.text})
    links_gold = sum(len(mark.targets) for mark in gold)
    return {
        "document": annotation["document"],
        "format": annotation.get("label") or annotation.get("format"),
        "gold": len(gold),
        "found": len(result.document.citations),
        "found_correct": correct_found,
        "gold_found": len(found_gold),
        "links_gold": links_gold,
        "links_predicted": links_predicted,
        "links_correct": links_correct,
        "traps": len(traps),
        "trap_hits": trap_hits,
        "errors": errors,
    }


def _figures(counts: list[dict[str, Any]]) -> dict[str, Any]:
    """Precision, recall and F1 of citations found, and of links, over some documents."""
    found = sum(c["found"] for c in counts)
    correct = sum(c["found_correct"] for c in counts)
    gold = sum(c["gold"] for c in counts)
    gold_found = sum(c["gold_found"] for c in counts)
    precision, recall = _ratio(correct, found), _ratio(gold_found, gold)
    links_p = _ratio(sum(c["links_correct"] for c in counts), sum(c["links_predicted"] for c in counts))
    # Recall counts gold links found once each (`links_gold_found` where a scorer keeps it).
    links_r = _ratio(sum(c.get("links_gold_found", c["links_correct"]) for c in counts),
                     sum(c["links_gold"] for c in counts))
    return {
        "precision": precision,
        "recall": recall,
        "f1": _f1(precision, recall),
        "links_precision": links_p,
        "links_recall": links_r,
        "links_f1": _f1(links_p, links_r),
        "n": gold,
        "traps": sum(c["traps"] for c in counts),
        "trap_hits": sum(c["trap_hits"] for c in counts),
    }


def run(args: list[str]) -> dict[str, Any]:
    """Score every annotated document of the corpus; overall and per-format figures."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks linking", description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="directory of documents and sidecar JSON")
    options = parser.parse_args(args)
    sidecars = sorted(p for p in options.corpus.glob("*.json"))
    counts = [score_document(p) for p in sidecars]
    formats: dict[str, list[dict[str, Any]]] = {}
    for c in counts:
        formats.setdefault(str(c["format"]), []).append(c)
    notes = []
    if importlib.util.find_spec("citecheck.documents.authoryear") is None:
        notes.append("author-year not scored: citecheck has no author-year reader (citecheck.documents.authoryear)")
    elif "author-year" not in formats:
        notes.append("author-year reader exists but the corpus has no annotated author-year document yet")
    return {
        **_figures(counts),
        "documents": len(counts),
        "by_format": {name: _figures(group) for name, group in sorted(formats.items())},
        "errors": [{"document": c["document"], **e} for c in counts for e in c["errors"]],
        "notes": notes,
    }
